# The same job id under another region's provider: still one job.
resource "tencentcloud_dts_migrate_job" "audit" {
  provider = tencentcloud.shanghai
  job_id   = "dts-6r2kq0mz"
  database "audit" {}
}
