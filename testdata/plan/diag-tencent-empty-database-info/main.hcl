provider "tencentcloud" {
  region = "ap-guangzhou"
}

# An empty list is never taken to mean "the whole instance".
resource "tencentcloud_dts_migrate_job" "empty" {
  job_id        = "dts-6r2kq0mz"
  database_info = jsonencode([])
}
