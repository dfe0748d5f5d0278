provider "alicloud" {
  region = "cn-hangzhou"
}

# Both would write the whole object list of one job, undoing each other.
resource "alicloud_dts_job" "shop_sync" {
  dts_job_id = "k2gm967v16f"
  database "shop" {
    table "orders" {}
  }
}

resource "alicloud_dts_job" "shop_customers" {
  dts_job_id = "k2gm967v16f"
  database "shop" {
    table "customers" {}
  }
}
