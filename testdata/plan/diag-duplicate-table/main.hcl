provider "alicloud" {
  region = "cn-hangzhou"
}

variable "tables" {
  default = ["customers", "orders"]
}

resource "alicloud_dts_job" "shop_sync" {
  dts_job_id = "k2gm967v16f"
  database "shop" {
    table "orders" {}
    dynamic "table" {
      for_each = var.tables
      labels   = [table.value]
      content {}
    }
  }
}
