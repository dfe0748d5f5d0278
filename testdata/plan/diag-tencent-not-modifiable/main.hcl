provider "tencentcloud" {
  region = "ap-guangzhou"
}

# Running (status 7): ModifyMigrateJob refuses it.
resource "tencentcloud_dts_migrate_job" "crm" {
  job_id = "dts-3nw8tx5c"
  database "crm" {}
  database "crm_archive" {}
}
