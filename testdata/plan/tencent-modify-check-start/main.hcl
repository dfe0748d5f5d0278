provider "tencentcloud" {
  region = "ap-guangzhou"
}

variable "reader_password" {
  type      = string
  sensitive = true
  default   = "not-a-real-password"
}

# Passed its check (status 4): add a table, rename the job, start it.
resource "tencentcloud_dts_migrate_job" "shop" {
  job_id   = "dts-6r2kq0mz"
  job_name = "shop-migrate-v2"
  status   = "running"

  source_database_type      = "mysql"
  destination_database_type = "mysql"

  source {
    user     = "dts_reader"
    password = var.reader_password
  }

  database "shop" {
    table "orders" {}
    table "customers" {}
    table "payments" {}
  }
  database "audit" {}
}
