provider "tencentcloud" {
  region = "ap-guangzhou"
}

# Four whole-instance jobs, still Creating (status 1), each moved to another source
# access type with the fields that type takes; the block is the whole new SrcInfo.

# A MySQL on a CVM; the target is read-only while the migration runs, and its root
# account is overridden (a whole-instance migration of data may do that).
resource "tencentcloud_dts_migrate_job" "erp" {
  job_id         = "dts-4cvm0a1b"
  whole_instance = true

  migrate_option {
    migrate_type     = 3
    is_override_root = 1
  }

  source {
    access_type     = "cvm"
    cvm_instance_id = "ins-8xk2p0qa"
    instance_id     = "cdb-erp0src1"
    region          = "ap-guangzhou"
    port            = 3306
    user            = "root"
  }

  destination {
    read_only = 1
  }
}

# Over Direct Connect.
resource "tencentcloud_dts_migrate_job" "hr" {
  job_id         = "dts-5dcg0b2c"
  whole_instance = true

  source {
    access_type = "dcg"
    uniq_dcg_id = "dcg-0rxtqqxb"
    vpc_id      = "vpc-92jblxto"
    subnet_id   = "subnet-3paxmkdz"
    ip          = "10.0.4.12"
    port        = 3306
    region      = "ap-guangzhou"
    user        = "root"
  }
}

# Over a Tencent Cloud VPN.
resource "tencentcloud_dts_migrate_job" "ops" {
  job_id         = "dts-6vpn0c3d"
  whole_instance = true

  source {
    access_type    = "vpncloud"
    uniq_vpn_gw_id = "vpngw-9ghexg7q"
    vpc_id         = "vpc-92jblxto"
    subnet_id      = "subnet-3paxmkdz"
    ip             = "10.0.5.12"
    port           = 3306
    region         = "ap-guangzhou"
    user           = "root"
  }
}

# Over a Cloud Connect Network.
resource "tencentcloud_dts_migrate_job" "logs" {
  job_id         = "dts-7ccn0d4e"
  whole_instance = true

  source {
    access_type = "ccn"
    ccn_id      = "ccn-afp6kltc"
    vpc_id      = "vpc-92jblxto"
    subnet_id   = "subnet-3paxmkdz"
    ip          = "10.0.6.12"
    port        = 3306
    region      = "ap-guangzhou"
    user        = "root"
  }
}
