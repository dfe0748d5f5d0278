provider "alicloud" {
  region = "cn-hangzhou"
}

resource "alicloud_dts_job" "shop_sync" {
  dts_job_id = "k2gm967v16f"
  db_list    = jsonencode({})
  removed {
    objects = ["shop"]
  }
  lifecycle {
    max_removed_percent = 100
  }
}
