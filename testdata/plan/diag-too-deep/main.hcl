provider "alicloud" {
  region = "cn-hangzhou"
}

# deep.json nests 97 lists; under shop.orders (4 levels) that is 101 > 100.
resource "alicloud_dts_job" "shop_sync" {
  dts_job_id = "k2gm967v16f"
  database "shop" {
    table "orders" {
      attributes = { partition = jsondecode(file("deep.json")) }
    }
  }
}
