provider "alicloud" {
  region = "cn-hangzhou"
}

# The live list holds "customers": "customers" inside Table: not an object. It could
# be a table DTS replicates; read as an attribute, a write would drop it unguarded.
resource "alicloud_dts_job" "shop_sync" {
  dts_job_id = "k2gm967v16f"
  database "shop" {
    table "orders" {}
    table "payments" {}
  }
}
