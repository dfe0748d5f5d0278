provider "alicloud" {
  region = "cn-hangzhou"
}

resource "alicloud_dts_job" "orders" {
  dts_job_id                = "r8tw2way01x"
  synchronization_direction = "Reverse"
}

resource "alicloud_dts_job" "shop" {
  dts_job_id                = "k2gm967v16f"
  synchronization_direction = "Both"
}
