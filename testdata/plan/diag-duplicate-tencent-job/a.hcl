provider "tencentcloud" {
  region = "ap-guangzhou"
}

provider "tencentcloud" {
  alias  = "shanghai"
  region = "ap-shanghai"
}

resource "tencentcloud_dts_migrate_job" "shop" {
  job_id = "dts-6r2kq0mz"
  database "shop" {}
}
