provider "alicloud" {
  region = "cn-hangzhou"
}

resource "alicloud_dts_job" "shop_sync" {
  dts_job_id = "k2gm967v16f"
  database "shop" {
    table "orders" {}
    table "customers" {}
    table "legacy_orders" {}
    table "tab\u001b[2J" {}
    table "r\u202eev" {}
    table "new\u001b[31m\u009b\u202e\u0007\r" {}
  }
}
