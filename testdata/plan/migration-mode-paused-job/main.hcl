provider "alicloud" {
  region = "cn-hangzhou"
}

resource "alicloud_dts_job" "analytics" {
  dts_job_id = "s7qd5ph3n9c"

  migration_mode {
    structure_initialization = false
  }
}
