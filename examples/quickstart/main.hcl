# The quickstart: one job of the emulator's sample world, described in HCL.
#
#   cargo run --quiet -- plan --emulator examples/quickstart
#
# The live job replicates shop.orders, shop.customers and shop.legacy_orders. This
# configuration adds shop.payments, puts a filter on shop.orders, and retires
# shop.legacy_orders — a removal dtsform only plans because it is declared below.

provider "alicloud" {
  region = "cn-hangzhou"
}

variable "shop_tables" {
  description = "Tables of the shop database replicated whole."
  type        = list(string)
  default     = ["customers"]
}

resource "alicloud_dts_job" "shop_sync" {
  dts_job_id      = "k2gm967v16f"
  dts_instance_id = "dtsk2gm967v16f"
  status          = "running"

  database "shop" {
    dynamic "table" {
      for_each = var.shop_tables
      labels   = [table.value]
      content {}
    }

    table "orders" {
      filter = "created_at >= '2024-01-01'"
    }

    table "payments" {
      columns = ["id", "order_id", "amount", "created_at"]
      dml_op  = ["insert", "update"]
    }
  }

  # The only way an object leaves a job: declare exactly that removal.
  removed {
    objects = ["shop.legacy_orders"]
  }

  lifecycle {
    prevent_removal = ["shop.orders", "shop.customers"]
  }
}
