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
    instance_type = "RDS"
    instance_id   = "rm-bp1dst000000002"
    region        = "cn-hangzhou"
    port          = 3306
    username      = "dts_writer_v2"
    password      = var.dest_password
  }
  reserved = {
    maxRetryTime = 7200
  }
}
