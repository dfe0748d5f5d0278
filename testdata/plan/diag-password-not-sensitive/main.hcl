provider "alicloud" {
  region = "cn-hangzhou"
}

variable "src_password" {
  default = "not-a-secret-variable"
}

resource "alicloud_dts_job" "shop_sync" {
  dts_job_id = "k2gm967v16f"
  source {
    instance_type = "rds"
    username      = "reader"
    password      = var.src_password
  }
}
