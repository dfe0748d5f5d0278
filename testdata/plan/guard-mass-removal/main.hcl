provider "alicloud" {
  region = "cn-hangzhou"
}

resource "alicloud_dts_job" "big" {
  dts_job_id = "big1"
  database "db" {
    table "t00" {}
  }
  removed {
    objects = ["db.t01", "db.t02", "db.t03", "db.t04", "db.t05", "db.t06", "db.t07", "db.t08", "db.t09", "db.t10", "db.t11"]
  }
}
