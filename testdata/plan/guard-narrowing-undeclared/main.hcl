provider "alicloud" {
  region = "cn-hangzhou"
}

# crm is replicated whole live (all = true). Listing one table narrows it: every
# other table of crm would stop replicating, and dtsform cannot know which.
resource "alicloud_dts_job" "crm" {
  dts_job_id = "m4312mab158"
  database "crm" {
    table "accounts" {}
  }
}
