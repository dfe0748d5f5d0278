provider "tencentcloud" {
  region = "ap-guangzhou"
}

# audit is migrated whole live (no Table list); naming one table narrows it.
resource "tencentcloud_dts_migrate_job" "shop" {
  job_id = "dts-6r2kq0mz"
  database "shop" {
    table "orders" {}
    table "customers" {}
  }
  database "audit" {
    table "events" {}
  }
}
