provider "alicloud" {
  region = "cn-hangzhou"
}

resource "alicloud_dts_job" "shop_sync" {
  dts_job_id = "k2gm967v16f"

  migration_mode {
    structure_initialization = true
    data_initialization      = true
    data_synchronization     = true
  }
}
