provider "alicloud" {
  region = "cn-hangzhou"
}

provider "tencentcloud" {
  region = "ap-guangzhou"
}

# The Tencent migration starts only after the Alibaba sync carries the new table.
resource "alicloud_dts_job" "shop_sync" {
  dts_job_id = "k2gm967v16f"
  database "shop" {
    table "orders" {}
    table "customers" {}
    table "legacy_orders" {}
    table "refunds" {}
  }
}

resource "tencentcloud_dts_migrate_job" "shop_migrate" {
  job_id     = "dts-6r2kq0mz"
  status     = "running"
  depends_on = [alicloud_dts_job.shop_sync]
  database "shop" {
    table "orders" {}
    table "customers" {}
    table "refunds" {}
  }
  database "audit" {}
}
