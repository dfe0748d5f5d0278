provider "tencentcloud" {
  region = "ap-guangzhou"
}

# Running (status 7): a change of settings alone is refused like a change of the list.
resource "tencentcloud_dts_migrate_job" "crm" {
  job_id = "dts-3nw8tx5c"

  migrate_option {
    consistency_type = 2
  }

  destination {
    read_only = 1
  }

  database "crm" {}
}
