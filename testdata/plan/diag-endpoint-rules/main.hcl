provider "alicloud" {
  region = "cn-hangzhou"
}

variable "src_password" {
  type      = string
  sensitive = true
}

variable "shard_password" {
  type      = string
  sensitive = true
}

resource "alicloud_dts_job" "shop_sync" {
  dts_job_id = "k2gm967v16f"

  source {
    instance_type  = "mongodb"
    username       = "dts_reader"
    password       = var.src_password
    shard_username = "dts_shard"
    aliyun_uid     = "1507800203001234"
  }

  destination {
    instance_type  = "kafka"
    database       = "events"
    port           = 70000
    role_name      = "ram-for-dts"
    shard_username = "dts_shard"
    shard_password = var.shard_password
  }
}

resource "alicloud_dts_job" "analytics" {
  dts_job_id = "s7qd5ph3n9c"

  source {
    instance_type = "oracle"
  }
}
