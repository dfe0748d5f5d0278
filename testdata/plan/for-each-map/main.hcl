provider "alicloud" {
  region = "cn-hangzhou"
}

variable "renames" {
  description = "source table => destination table"
  type        = map(string)
  default     = {
    orders    = "orders_v2"
    customers = "customers"
  }
}

resource "alicloud_dts_job" "shop_sync" {
  dts_job_id = "k2gm967v16f"
  database "shop" {
    dynamic "table" {
      for_each = var.renames
      iterator = t
      content {
        name   = t.key
        target = t.value
      }
    }
  }
  removed {
    objects = ["shop.legacy_orders"]
  }
}
