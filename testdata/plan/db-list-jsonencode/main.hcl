provider "alicloud" {
  region = "cn-hangzhou"
}

variable "shop_tables" {
  type    = list(string)
  default = ["customers"]
}

# The quickstart's object list, written as Terraform alicloud users write db_list.
resource "alicloud_dts_job" "shop_sync" {
  dts_job_id      = "k2gm967v16f"
  dts_instance_id = "dtsk2gm967v16f"
  status          = "running"
  db_list         = jsonencode({
    shop = {
      name  = "shop"
      all   = false
      Table = merge(
        { for t in var.shop_tables : t => { name = t, all = true } },
        {
          orders   = { name = "orders", all = true, filter = "created_at >= '2024-01-01'" }
          payments = {
            name   = "payments"
            all    = false
            dml_op = "insert,update"
            column = {
              id         = { name = "id" }
              order_id   = { name = "order_id" }
              amount     = { name = "amount" }
              created_at = { name = "created_at" }
            }
          }
        }
      )
    }
  })
  removed {
    objects = ["shop.legacy_orders"]
  }
  lifecycle {
    prevent_removal = ["shop.orders", "shop.customers"]
  }
}
