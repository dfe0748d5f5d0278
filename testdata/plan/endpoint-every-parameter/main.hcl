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
    instance_type        = "distributed_mongodb"
    instance_id          = "dds-bp1src000000002"
    region               = "cn-shanghai"
    ip                   = "10.1.2.3"
    port                 = 3717
    database             = "admin"
    username             = "dts_reader"
    password             = var.src_password
    shard_username       = "dts_shard"
    shard_password       = var.shard_password
    role_name            = "ram-for-dts"
    aliyun_uid           = "1507800203001234"
    vpc_id               = "vpc-bp1src"
    vswitch_id           = "vsw-bp1src-a"
    secondary_vswitch_id = "vsw-bp1src-b"
  }
}
