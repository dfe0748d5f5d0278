provider "alicloud" {
  region = "cn-hangzhou"
}

resource "alicloud_dts_job" "analytics" {
  dts_job_id = "s7qd5ph3n9c"
  status     = "running"
}

resource "alicloud_dts_job" "crm" {
  dts_job_id = "m4312mab158"
  status     = "suspended"
}
