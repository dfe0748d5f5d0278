provider "alicloud" {
  region = "cn-hangzhou"
}

resource "alicloud_dts_job" "crm" {
  dts_job_id = "m4312mab158"
  database "crm" {
    all = false
  }
}
