provider "alicloud" {
  region = "cn-hangzhou"
}

resource "alicloud_dts_job" "shop_sync" {
  dts_job_id = "k2gm967v16f"

  migration_mode {
    structure_initialization = false
    data_initialization      = false
  }
}

resource "alicloud_dts_job" "orders" {
  dts_job_id = "r8tw2way01x"

  reverse {
    migration_mode {
      data_initialization = false
    }
  }
}
