provider "alicloud" {
  region = "cn-hangzhou"
}

# Declared, but a prevent_removal pattern may match a table the narrowing takes.
resource "alicloud_dts_job" "crm" {
  dts_job_id = "m4312mab158"
  database "crm" {
    table "accounts" {}
  }
  removed {
    objects = ["crm.*"]
  }
  lifecycle {
    prevent_removal = ["crm.*_audit"]
  }
}
