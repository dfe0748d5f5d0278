provider "tencentcloud" {
  region = "ap-guangzhou"
}

# Migrates the whole instance today; listing objects would narrow it.
resource "tencentcloud_dts_migrate_job" "archive" {
  job_id = "dts-0pb7ye4d"
  database "archive" {}
}
