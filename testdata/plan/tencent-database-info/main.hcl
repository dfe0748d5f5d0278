provider "tencentcloud" {
  region = "ap-guangzhou"
}

# The DatabaseInfo form; the same tree as database blocks. Removal declared.
resource "tencentcloud_dts_migrate_job" "shop" {
  job_id        = "dts-6r2kq0mz"
  database_info = jsonencode([
    { Database = "audit" },
    { Database = "shop", Table = ["orders", "refunds"] },
  ])

  removed {
    objects = ["shop.customers"]
  }
}
