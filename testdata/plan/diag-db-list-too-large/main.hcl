provider "alicloud" {
  region = "cn-hangzhou"
}

resource "alicloud_dts_job" "shop_sync" {
  dts_job_id = "k2gm967v16f"
  database "shop" {
    dynamic "table" {
      for_each = range(1000)
      labels   = [format("orders_%04d", table.value)]
      content {
        filter = join(" OR ", [for i in range(60) : "region_id = ${i}"])
      }
    }
  }
}
