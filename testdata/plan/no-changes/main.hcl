provider "alicloud" {
  region = "cn-hangzhou"
}

resource "alicloud_dts_job" "shop_sync" {
  dts_job_id = "k2gm967v16f"
  status     = "running"
  database "shop" {
    table "orders" {}
    table "customers" {}
    table "legacy_orders" {}
  }
}

resource "alicloud_dts_job" "crm" {
  dts_job_id = "m4312mab158"
  status     = "running"
  database "crm" {}
}

resource "alicloud_dts_job" "analytics" {
  dts_job_id = "s7qd5ph3n9c"
  status     = "suspended"
  database "events" {}
}
