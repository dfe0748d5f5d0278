provider "tencentcloud" {
  region = "ap-guangzhou"
}

# The job's source is a cluster (SrcInfoMulti): a ModifyMigrateJob would carry SrcInfo
# alone, so dtsform writes nothing to it.
resource "tencentcloud_dts_migrate_job" "archive" {
  job_id         = "dts-0pb7ye4d"
  job_name       = "archive-migrate-v2"
  whole_instance = true
}
