provider "tencentcloud" {
  region = "ap-guangzhou"
}

variable "reader_password" {
  type      = string
  sensitive = true
  default   = "not-a-real-password"
}

variable "writer_password" {
  type      = string
  sensitive = true
  default   = "not-a-real-password-either"
}

variable "aliyun_access_key" {
  type      = string
  sensitive = true
  default   = "not-a-real-access-key"
}

# The job already has every setting: nothing to send (passwords and the access key
# cannot be compared, so they alone never make a change).
resource "tencentcloud_dts_migrate_job" "shop" {
  job_id   = "dts-6r2kq0mz"
  job_name = "shop-migrate-timed"

  migrate_option {
    run_mode         = 2
    expect_time      = "2027-01-31 02:00:00"
    migrate_type     = 2
    consistency_type = 3
    is_override_root = 0
    extern_params    = jsonencode({})

    consistency_params {
      select_rows_per_table = 10
      tables_select_all     = 20
      tables_select_count   = 30
    }
  }

  source {
    access_type     = "extranet"
    supplier        = "aliyun"
    rds_instance_id = "rm-bp1srcexample01"
    ip              = "203.0.113.10"
    port            = 3306
    region          = "ap-guangzhou"
    engine_version  = "5.7"
    user            = "dts_reader"
    password        = var.reader_password
    access_key      = var.aliyun_access_key
  }

  destination {
    access_type = "cdb"
    instance_id = "cdb-9mzq4e2t"
    region      = "ap-guangzhou"
    read_only   = 0
    user        = "dts_migrator"
    password    = var.writer_password
  }

  database "shop" {
    table "orders" {}
    table "customers" {}
  }
  database "audit" {}
}
