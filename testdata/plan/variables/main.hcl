provider "alicloud" {
  region = "cn-hangzhou"
}

variable "tables" {
  type = list(string)
}

variable "cutoff" {
  type    = string
  default = "2020-01-01"
}

variable "rename_to" {
  type = string
}

locals {
  filter = "created_at >= '${var.cutoff}'"
}

resource "alicloud_dts_job" "shop_sync" {
  dts_job_id = "k2gm967v16f"
  database "shop" {
    target = var.rename_to
    dynamic "table" {
      for_each = toset(var.tables)
      labels   = [table.value]
      content {
        filter = local.filter
      }
    }
  }
  removed {
    objects = ["shop.legacy_orders"]
  }
}
