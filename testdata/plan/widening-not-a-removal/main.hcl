provider "alicloud" {
  region = "cn-hangzhou"
}

# shop lists three tables live; taking it whole widens it: nothing stops replicating.
resource "alicloud_dts_job" "shop_sync" {
  dts_job_id = "k2gm967v16f"
  database "shop" {
    all = true
  }
}
