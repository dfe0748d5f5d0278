provider "alicloud" {
  region = "cn-hangzhou"
}

resource "alicloud_dts_job" "orders" {
  dts_job_id = "r8tw2way01x"

  reverse {
    database "orders" {
      table "order_items" {}
    }
    removed {
      objects = ["orders.orders"]
    }
  }
}
