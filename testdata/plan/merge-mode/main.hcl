provider "alicloud" {
  region = "cn-hangzhou"
}

# merge_live_objects keeps (re-sends) what the configuration does not mention.
resource "alicloud_dts_job" "shop_sync" {
  dts_job_id         = "k2gm967v16f"
  merge_live_objects = true
  database "shop" {
    table "payments" {}
  }
}
