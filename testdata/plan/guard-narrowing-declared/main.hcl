provider "alicloud" {
  region = "cn-hangzhou"
}

# The narrowing is declared: crm.* is "everything in crm that is not listed".
resource "alicloud_dts_job" "crm" {
  dts_job_id = "m4312mab158"
  database "crm" {
    table "accounts" {}
  }
  removed {
    objects = ["crm.*"]
  }
}
