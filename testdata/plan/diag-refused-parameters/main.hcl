provider "alicloud" {
  region = "cn-hangzhou"
}

resource "alicloud_dts_job" "shop_sync" {
  dts_job_id                    = "k2gm967v16f"
  etl_operator_column_reference = "{}"
  filter_table_name             = "orders"
  file_oss_url                  = "https://bucket.oss-cn-hangzhou.aliyuncs.com/db-list.json"
  zero_etl_job                  = false
}
