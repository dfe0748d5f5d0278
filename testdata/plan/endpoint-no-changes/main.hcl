provider "alicloud" {
  region = "cn-hangzhou"
}

resource "alicloud_dts_job" "shop_sync" {
  dts_job_id = "k2gm967v16f"

  source {
    instance_type = "RDS"
    instance_id   = "rm-bp1src000000001"
    region        = "cn-hangzhou"
    port          = 3306
    username      = "dts_reader"
  }
}
