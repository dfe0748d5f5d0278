provider "alicloud" {
  region = "cn-hangzhou"
}

variable "reader_password" {
  type      = string
  sensitive = true
}

resource "alicloud_dts_job" "shop_sync" {
  dts_job_id = "k2gm967v16f"

  destination {
    instance_type = "rds"
    port          = 3307
  }
}

resource "alicloud_dts_job" "orders" {
  dts_job_id = "r8tw2way01x"

  reverse {
    source {
      instance_type = "rds"
      username      = "dts_readonly"
      password      = var.reader_password
    }
  }
}
