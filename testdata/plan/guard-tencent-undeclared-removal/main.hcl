provider "tencentcloud" {
  region = "ap-guangzhou"
}

# shop.customers is live but no longer listed, and nobody declared its removal.
resource "tencentcloud_dts_migrate_job" "shop" {
  job_id = "dts-6r2kq0mz"
  database "shop" {
    table "orders" {}
  }
  database "audit" {}
}
