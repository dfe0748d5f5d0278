provider "tencentcloud" {
  region = "ap-guangzhou"
}

resource "tencentcloud_dts_migrate_job" "shop" {
  job_id = "dts-6r2kq0mz"

  migrate_option {
    consistency_type   = 3
    consistency_params = "{}"
  }
  source {
    access_key = "LTAI-example"
  }
  destination {
    ip   = "10.0.0.8"
    port = 3306
  }

  database "shop" {
    table "orders" {}
    table "customers" {}
  }
  database "audit" {}
}
