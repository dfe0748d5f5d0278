provider "alicloud" {
  region = "cn-hangzhou"
}

resource "alicloud_dts_job" "shop_sync" {
  dts_job_id = "k2gm967v16f"

  migration_mode {
    structure_initialization = false
    data_initialization      = false
    data_synchronization     = false
  }
}

resource "alicloud_dts_job" "analytics" {
  dts_job_id = "s7qd5ph3n9c"

  migration_mode {}
}
