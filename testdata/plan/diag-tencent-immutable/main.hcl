provider "tencentcloud" {
  region = "ap-guangzhou"
}

resource "tencentcloud_dts_migrate_job" "shop" {
  job_id                    = "dts-6r2kq0mz"
  destination_database_type = "postgresql"

  destination {
    region = "ap-shanghai"
  }

  database "shop" {
    table "orders" {}
    table "customers" {}
  }
  database "audit" {}
}
