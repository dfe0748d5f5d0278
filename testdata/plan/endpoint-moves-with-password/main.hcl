provider "alicloud" {
  region = "cn-hangzhou"
}

variable "dest_password" {
  type      = string
  sensitive = true
}

resource "alicloud_dts_job" "shop_sync" {
  dts_job_id = "k2gm967v16f"

  destination {
    instance_type = "rds"
    instance_id   = "rm-bp1dst000000002"
    username      = "dts_writer"
    password      = var.dest_password
  }
}
