provider "alicloud" {
  region = "cn-hangzhou"
}

resource "alicloud_dts_job" "orders" {
  dts_job_id = "r8tw2way01x"

  database "orders" {
    table "orders" {}
    table "order_items" {}
  }

  reverse {
    status = "running"

    database "orders" {
      table "orders" {}
      table "order_items" {}
    }
    reserved = {
      maxRetryTime = 600
    }
  }
}
