provider "alicloud" {
  region = "cn-hangzhou"
}

resource "alicloud_dts_job" "analytics" {
  dts_job_id = "s7qd5ph3n9c"
  status     = "running"
  depends_on = [alicloud_dts_job.shop_sync]
}

resource "alicloud_dts_job" "shop_sync" {
  dts_job_id = "k2gm967v16f"
  database "shop" {
    table "orders" {}
    table "customers" {}
    table "legacy_orders" {}
    table "refunds" {}
  }
}
