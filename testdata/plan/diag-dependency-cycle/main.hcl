provider "alicloud" {
  region = "cn-hangzhou"
}

resource "alicloud_dts_job" "a" {
  dts_job_id = "k2gm967v16f"
  depends_on = [alicloud_dts_job.b]
}

resource "alicloud_dts_job" "b" {
  dts_job_id = "m4312mab158"
  depends_on = [alicloud_dts_job.c]
}

resource "alicloud_dts_job" "c" {
  dts_job_id = "s7qd5ph3n9c"
  depends_on = [alicloud_dts_job.a]
}
