provider "alicloud" {
  region = "cn-hangzhou"
}

# shop.orders is replicated whole live; a column list narrows it to those columns.
resource "alicloud_dts_job" "shop_sync" {
  dts_job_id = "k2gm967v16f"
  database "shop" {
    table "orders" {
      columns = ["id", "amount"]
    }
    table "customers" {}
    table "legacy_orders" {}
  }
}
