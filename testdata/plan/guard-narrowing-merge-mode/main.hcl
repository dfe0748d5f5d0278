provider "alicloud" {
  region = "cn-hangzhou"
}

# merge_live_objects keeps unmentioned live objects, but crm itself is narrowed.
resource "alicloud_dts_job" "crm" {
  dts_job_id         = "m4312mab158"
  merge_live_objects = true
  database "crm" {
    table "accounts" {}
  }
}
