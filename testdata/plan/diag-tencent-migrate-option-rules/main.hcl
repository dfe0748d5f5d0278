provider "tencentcloud" {
  region = "ap-guangzhou"
}

# The rules of ModifyMigrateJob for the MigrateOption it would send (the live one with
# these settings merged in): each is refused at plan time, nothing is written.
resource "tencentcloud_dts_migrate_job" "shop" {
  job_id = "dts-6r2kq0mz"

  migrate_option {
    run_mode         = 2 # timed, but no expect_time
    consistency_type = 3 # sampled, but no consistency_params
    is_override_root = 1 # the job migrates selected databases, not the whole instance
  }

  database "shop" {
    table "orders" {}
    table "customers" {}
  }
  database "audit" {}
}
