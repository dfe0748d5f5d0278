provider "alicloud" {
  region = "cn-hangzhou"
}

variable "shop_tables" {
  default = ["orders"]
}

resource "alicloud_dts_job" "shop_sync" {
  dts_job_id = "k2gm967v16f"
  database "shop" {
    dynamic "table" {
      for_each = var.shop_table
      labels   = [table.value]
      content {}
    }
  }
  depends_on = [alicloud_dts_job.crm_sync]
}

resource "alicloud_dts_job" "crm" {
  dts_job_id = "m4312mab158"
}
