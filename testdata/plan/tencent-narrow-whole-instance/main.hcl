provider "tencentcloud" {
  region = "ap-guangzhou"
}

resource "tencentcloud_dts_migrate_job" "archive" {
  job_id = "dts-0pb7ye4d"
  database "archive" {}

  removed {
    whole_instance = true
  }
}

# Widening is written explicitly.
resource "tencentcloud_dts_migrate_job" "billing" {
  provider       = tencentcloud.shanghai
  job_id         = "dts-9fh2ua6s"
  whole_instance = true
}

provider "tencentcloud" {
  alias  = "shanghai"
  region = "ap-shanghai"
}
