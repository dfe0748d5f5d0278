provider "tencentcloud" {
  region = "ap-guangzhou"
}

# Parameters of ModifyMigrateJob that dtsform refuses by name, each saying why.
resource "tencentcloud_dts_migrate_job" "shop" {
  job_id        = "dts-6r2kq0mz"
  src_node_type = "cluster"

  migrate_option {
    migrate_object = 2
  }

  destination {
    access_type = "extranet"
    ip          = "10.0.0.8"
    port        = 3306
  }

  src_info_multi {
    ip = "10.0.0.9"
  }

  database "shop" {}
}
