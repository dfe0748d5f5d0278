provider "alicloud" {
  region = "cn-hangzhou"
}

resource "alicloud_dts_job" "orders" {
  dts_job_id = "r8tw2way01x"
  status     = "running"

  reverse {
    status = "suspended"
  }
}
