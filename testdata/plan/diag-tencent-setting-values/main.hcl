provider "tencentcloud" {
  region = "ap-guangzhou"
}

# Values ModifyMigrateJob does not take, caught before anything is read.
resource "tencentcloud_dts_migrate_job" "shop" {
  job_id = "dts-6r2kq0mz"

  migrate_option {
    run_mode      = 3
    expect_time   = "tomorrow at two"
    extern_params = "not json"

    consistency_params {
      select_rows_per_table = 10
      tables_select_all     = 200
    }
  }

  source {
    access_type = "vpn"
    supplier    = "azure"
    port        = 70000
    user        = "dts_reader"
    access_key  = "AKIDnot-a-real-key"
  }

  database "shop" {}
}
