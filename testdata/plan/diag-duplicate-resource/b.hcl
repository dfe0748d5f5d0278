resource "alicloud_dts_job" "shop_sync" {
  dts_job_id = "s7qd5ph3n9c"
}
