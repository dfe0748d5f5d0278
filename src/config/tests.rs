//! Loading configurations: the happy paths and every diagnostic, by code and location.

use serde_json::json;

use super::*;
use crate::env::Environment;
use crate::objects::ObjectTree;

mod bounds;
mod checks;
mod secrets;

fn load_text(
    files: &[(&str, &str)],
    inputs: &Inputs,
) -> (tempfile::TempDir, Result<Config, ConfigErrors>) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let result = load(dir.path(), inputs);
    (dir, result)
}

fn ok(text: &str) -> Config {
    let (_dir, result) = load_text(&[("main.hcl", text)], &Inputs::default());
    result.unwrap_or_else(|e| {
        panic!(
            "{:#?}",
            e.errors
                .iter()
                .map(|e| (&e.code, &e.message))
                .collect::<Vec<_>>()
        )
    })
}

/// (code, message, the source text under the caret) of every error.
fn errors_with(files: &[(&str, &str)], inputs: &Inputs) -> Vec<(String, String, String)> {
    let (_dir, result) = load_text(files, inputs);
    let Err(errors) = result else {
        panic!("the configuration should be refused");
    };
    errors
        .errors
        .iter()
        .map(|e| {
            let under = e.location.as_ref().map_or(String::new(), |l| {
                miette::SourceCode::read_span(&l.source, &l.span.clone().into(), 0, 0)
                    .map(|c| String::from_utf8_lossy(c.data()).into_owned())
                    .unwrap_or_default()
            });
            (e.code.to_owned(), e.message.clone(), under)
        })
        .collect()
}

fn errors(text: &str) -> Vec<(String, String, String)> {
    errors_with(&[("main.hcl", text)], &Inputs::default())
}

const PROVIDER: &str = "provider \"alicloud\" {\n  region = \"cn-hangzhou\"\n}\n";

#[test]
fn blocks_and_db_list_give_the_same_tree() {
    let blocks = ok(&format!(
        r#"{PROVIDER}
variable "tables" {{
  type    = list(string)
  default = ["orders", "customers"]
}}
locals {{
  cutoff = "2024-01-01"
}}
resource "alicloud_dts_job" "shop" {{
  dts_job_id = "k2gm967v16f"
  database "shop" {{
    target = "shop_replica"
    dynamic "table" {{
      for_each = var.tables
      labels   = [table.value]
      content {{}}
    }}
    table "payments" {{
      filter  = "created_at >= '${{local.cutoff}}'"
      columns = ["id", "amount"]
      dml_op  = ["insert", "update"]
    }}
  }}
}}
"#
    ));
    let json_form = ok(&format!(
        r#"{PROVIDER}
resource "alicloud_dts_job" "shop" {{
  dts_job_id = "k2gm967v16f"
  db_list = jsonencode({{
    shop = {{
      name = "shop_replica", all = false
      Table = {{
        orders    = {{ name = "orders", all = true }}
        customers = {{ name = "customers", all = true }}
        payments  = {{ name = "payments", all = false, filter = "created_at >= '2024-01-01'", dml_op = "insert,update",
                       column = {{ id = {{ name = "id" }}, amount = {{ name = "amount" }} }} }}
      }}
    }}
  }})
}}
"#
    ));
    let a = blocks.jobs[0].objects.as_ref().unwrap().tree().unwrap();
    let b = json_form.jobs[0].objects.as_ref().unwrap().tree().unwrap();
    assert_eq!(a, b);
    assert_eq!(
        a.to_value()["shop"]["Table"]["payments"],
        json!({"all": false, "dml_op": "insert,update", "filter": "created_at >= '2024-01-01'", "name": "payments",
               "column": {"amount": {"name": "amount"}, "id": {"name": "id"}}})
    );
}

/// What a live list may hold, blocks can say (so `import` can write any list back): `all`
/// left out (`all = null`), `all` on a column, and attributes named like a container
/// kind that a DbList reads as attributes (a column's `type`, a `View` of `null`).
#[test]
fn blocks_say_what_a_live_list_holds() {
    let config = ok(&format!(
        r#"{PROVIDER}
resource "alicloud_dts_job" "shop" {{
  dts_job_id = "k2gm967v16f"
  database "shop" {{
    all        = null
    attributes = {{ View = null }}
    table "orders" {{
      column "id" {{
        all        = true
        attributes = {{ type = "int" }}
      }}
      column "note" {{}}
    }}
  }}
}}
"#
    ));
    let tree = config.jobs[0].objects.as_ref().unwrap().tree().unwrap();
    assert_eq!(
        tree.to_value(),
        json!({"shop": {"name": "shop", "View": null, "Table": {"orders": {"all": false, "name": "orders",
            "column": {"id": {"all": true, "name": "id", "type": "int"}, "note": {"name": "note"}}}}}})
    );
    let refused = errors(&format!(
        r#"{PROVIDER}
resource "alicloud_dts_job" "shop" {{
  dts_job_id = "k2gm967v16f"
  database "shop" {{
    attributes = {{ Table = {{ t = {{}} }}, type = {{ x = 1 }}, name = "x" }}
  }}
}}
"#
    ));
    let messages: Vec<&str> = refused.iter().map(|(_, m, _)| m.as_str()).collect();
    assert_eq!(
        messages,
        [
            "attributes cannot set \"Table\"",
            "attributes cannot set \"type\"",
            "attributes cannot set \"name\""
        ]
    );
}

#[test]
fn a_full_resource_decodes() {
    let c = ok(&format!(
        r#"{PROVIDER}
provider "alicloud" {{
  alias    = "sh"
  region   = "cn-shanghai"
  endpoint = "http://127.0.0.1:8417"
}}
variable "src_password" {{
  sensitive = true
  default   = "from-default"
}}
resource "alicloud_dts_job" "a" {{
  provider        = alicloud.sh
  dts_job_id      = "a1"
  dts_instance_id = "dtsa1"
  status          = "suspended"
  reserved        = {{ maxRetryTime = 3600 }}
  merge_live_objects = true
  source {{
    instance_type = "RDS"
    instance_id   = "rm-1"
    port          = 3306
    username      = "dts"
    password      = var.src_password
  }}
  removed {{
    objects = ["shop.legacy", "\"my.db\".t"]
  }}
  lifecycle {{
    prevent_removal     = ["shop.*"]
    max_removed_objects = 3
  }}
  depends_on = [alicloud_dts_job.b]
}}
resource "alicloud_dts_job" "b" {{
  dts_job_id = "b1"
}}
"#
    ));
    assert_eq!(c.providers.len(), 2);
    let a = &c.jobs[0];
    assert_eq!(c.provider_for(a).unwrap().region, "cn-shanghai");
    assert_eq!(a.status, Some(DesiredStatus::Suspended));
    assert_eq!(a.reserved["maxRetryTime"], json!(3600));
    let src = a.source.as_ref().unwrap();
    assert_eq!(src.instance_type, "rds");
    assert_eq!(src.port.as_deref(), Some("3306"));
    let pw = src.password.as_ref().unwrap();
    assert_eq!(pw.value.expose(), "from-default");
    assert_eq!(pw.expression, "var.src_password");
    assert_eq!(
        a.removed
            .iter()
            .map(|(a, _)| a.to_string())
            .collect::<Vec<_>>(),
        ["shop.legacy", "\"my.db\".t"]
    );
    assert_eq!(a.guard.max_removed_objects, 3);
    assert_eq!(a.depends_on[0].0, "alicloud_dts_job.b");
    assert!(
        a.objects.is_none(),
        "no object blocks: objects are not managed"
    );
    assert!(a.merge_live_objects);
}

#[test]
fn variable_values_follow_terraform_precedence() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("vals.dtsvars");
    std::fs::write(&file, "region = \"from-file\"\ncount = 2\n").unwrap();
    let text = r#"variable "region" { default = "from-default" }
variable "count" { type = number }
variable "tables" { type = list(string) }
provider "alicloud" { region = "cn-hangzhou" }
resource "alicloud_dts_job" "x" {
  dts_job_id = "${var.region}-${var.count}-${join(",", var.tables)}"
}
"#;
    let inputs = |vars: &[&str]| Inputs {
        vars: vars.iter().map(|s| (*s).to_owned()).collect(),
        var_files: vec![file.clone()],
        env: Environment::empty()
            .with_var("DTSFORM_VAR_region", "from-env")
            .with_var("DTSFORM_VAR_tables", r#"["a", "b"]"#),
    };
    let (_d, c) = load_text(&[("main.hcl", text)], &inputs(&[]));
    assert_eq!(c.unwrap().jobs[0].dts_job_id, "from-file-2-a,b");
    let (_d, c) = load_text(
        &[("main.hcl", text)],
        &inputs(&["region=from-cli", "count=7"]),
    );
    assert_eq!(c.unwrap().jobs[0].dts_job_id, "from-cli-7-a,b");
}

#[test]
fn syntax_errors_in_every_file_are_reported() {
    let e = errors_with(
        &[
            ("a.hcl", "x = {\n"),
            ("b.hcl", "resource \"a\" {\n  y = = 1\n}\n"),
        ],
        &Inputs::default(),
    );
    assert_eq!(e.len(), 2);
    assert!(
        e.iter()
            .all(|(code, msg, _)| code == "syntax" && msg.starts_with("syntax error"))
    );
    let e = errors("locals {\n  filter = 1\n  filter = 2\n}\n");
    assert_eq!(e[0].0, "syntax");
    assert!(e[0].1.contains("redefined attribute"), "{e:?}");
    assert_eq!(e[0].2, "filter");
}

#[test]
fn schema_errors_name_the_token_and_suggest() {
    let e = errors(&format!(
        r#"{PROVIDER}
resource "alicloud_dts_job" "x" {{
  dts_jobid = "a"
  statsu = "running"
  database "shop" {{
    tabel "orders" {{}}
    table "a" {{}}
  }}
}}
"#
    ));
    let codes: Vec<(&str, &str)> = e
        .iter()
        .map(|(c, _, under)| (c.as_str(), under.as_str()))
        .collect();
    assert!(
        codes.contains(&("unknown_attribute", "dts_jobid")),
        "{e:#?}"
    );
    assert!(codes.contains(&("unknown_attribute", "statsu")), "{e:#?}");
    assert!(codes.contains(&("unknown_block", "tabel")), "{e:#?}");
    assert!(
        codes.contains(&("missing_attribute", "resource \"alicloud_dts_job\" \"x\"")),
        "{e:#?}"
    );
}

#[test]
fn wrong_types_unknown_references_and_duplicates() {
    let e = errors(&format!(
        r#"{PROVIDER}
variable "n" {{
  type    = number
  default = 1
}}
resource "alicloud_dts_job" "x" {{
  dts_job_id = ["a"]
  status = "paused"
  database "shop" {{
    all = var.nope
    table "t" {{}}
    table "t" {{}}
  }}
  depends_on = [alicloud_dts_job.y]
}}
resource "alicloud_dts_job" "x" {{
  dts_job_id = "b"
}}
"#
    ));
    let codes: Vec<&str> = e.iter().map(|(c, _, _)| c.as_str()).collect();
    for code in [
        "wrong_type",
        "invalid_value",
        "eval",
        "duplicate_object",
        "duplicate_resource",
    ] {
        assert!(codes.contains(&code), "{code} missing from {e:#?}");
    }
}

#[test]
fn duplicate_tables_from_dynamic_blocks_are_caught() {
    let e = errors(&format!(
        r#"{PROVIDER}
resource "alicloud_dts_job" "x" {{
  dts_job_id = "a"
  database "shop" {{
    table "orders" {{}}
    dynamic "table" {{
      for_each = ["customers", "orders"]
      content {{
        name = table.value
      }}
    }}
  }}
}}
"#
    ));
    assert_eq!(e.len(), 1, "{e:#?}");
    assert_eq!(e[0].0, "duplicate_object");
    assert_eq!(e[0].1, "table shop.orders is declared twice");
}

#[test]
fn cycles_are_named_whole() {
    let e = errors(&format!(
        r#"{PROVIDER}
resource "alicloud_dts_job" "a" {{
  dts_job_id = "a"
  depends_on = [alicloud_dts_job.b]
}}
resource "alicloud_dts_job" "b" {{
  dts_job_id = "b"
  depends_on = [alicloud_dts_job.c]
}}
resource "alicloud_dts_job" "c" {{
  dts_job_id = "c"
  depends_on = [resource.alicloud_dts_job.a]
}}
"#
    ));
    assert_eq!(e.len(), 1, "{e:#?}");
    assert_eq!(
        e[0].1,
        "depends_on forms a cycle: alicloud_dts_job.a → alicloud_dts_job.b → alicloud_dts_job.c → alicloud_dts_job.a"
    );
    let e = errors("locals {\n  a = local.b\n  b = \"${local.a}x\"\n}\n");
    assert_eq!(
        e[0].1,
        "locals depend on each other in a cycle: local.a → local.b → local.a"
    );
}

/// Each cycle has its own diagnostic, at its first member (by name for locals, in
/// declaration order for resources), and is named from there along `depends on`.
#[test]
fn every_cycle_is_named_from_its_first_member() {
    let e = errors(
        "locals {\n  z = local.d\n  d = local.c\n  c = local.d\n  b = local.a\n  a = local.b\n  e = 1\n}\n",
    );
    let got: Vec<(&str, &str)> = e.iter().map(|(_, m, u)| (m.as_str(), u.as_str())).collect();
    assert_eq!(
        got,
        [
            (
                "locals depend on each other in a cycle: local.a → local.b → local.a",
                "a"
            ),
            (
                "locals depend on each other in a cycle: local.c → local.d → local.c",
                "c"
            ),
        ]
    );
    let e = errors(&format!(
        r#"{PROVIDER}
resource "alicloud_dts_job" "y" {{
  dts_job_id = "y"
  depends_on = [alicloud_dts_job.x]
}}
resource "alicloud_dts_job" "x" {{
  dts_job_id = "x"
  depends_on = [alicloud_dts_job.y]
}}
resource "alicloud_dts_job" "w" {{
  dts_job_id = "w"
  depends_on = [alicloud_dts_job.w]
}}
"#
    ));
    let got: Vec<&str> = e.iter().map(|(_, m, _)| m.as_str()).collect();
    assert_eq!(
        got,
        [
            "depends_on forms a cycle: alicloud_dts_job.y → alicloud_dts_job.x → alicloud_dts_job.y",
            "depends_on forms a cycle: alicloud_dts_job.w → alicloud_dts_job.w",
        ]
    );
}

#[test]
fn addresses_and_patterns_are_checked() {
    let e = errors(&format!(
        r#"{PROVIDER}
resource "alicloud_dts_job" "x" {{
  dts_job_id = "a"
  removed {{
    objects = ["shop..t", "sh*p.orders"]
  }}
  lifecycle {{
    prevent_removal = ["\"unterminated"]
  }}
}}
"#
    ));
    let got: Vec<(&str, &str)> = e
        .iter()
        .map(|(c, _, under)| (c.as_str(), under.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("invalid_address", "\"shop..t\""),
            ("invalid_address", "\"sh*p.orders\""),
            ("invalid_pattern", "\"\\\"unterminated\"")
        ]
    );
}

#[test]
fn passwords_must_be_sensitive_and_objects_must_not_be() {
    let e = errors(&format!(
        r#"{PROVIDER}
variable "pw" {{ sensitive = true }}
variable "secret_filter" {{
  sensitive = true
  default   = "x"
}}
resource "alicloud_dts_job" "x" {{
  dts_job_id = "a"
  source {{
    instance_type = "rds"
    username = "u"
    password = "literal-password"
  }}
  database "shop" {{
    table "t" {{ filter = var.secret_filter }}
  }}
}}
"#
    ));
    let codes: Vec<&str> = e.iter().map(|(c, _, _)| c.as_str()).collect();
    assert!(codes.contains(&"missing_variable"), "{e:#?}");
    assert!(!e.iter().any(|(_, m, _)| m.contains("literal-password")));
}

#[test]
fn an_oversize_object_list_is_refused() {
    let e = errors(&format!(
        r#"{PROVIDER}
resource "alicloud_dts_job" "x" {{
  dts_job_id = "a"
  database "big" {{
    dynamic "table" {{
      for_each = range(1000)
      labels   = [format("%s_%04d", "a_rather_long_table_name_to_fill_the_list", table.value)]
      content {{
        filter = "${{join("", [for i in range(150) : "padding-"])}} ${{table.value}}"
        columns = ["id", "created_at", "updated_at", "amount", "currency", "customer_id", "status", "note"]
      }}
    }}
  }}
}}
"#
    ));
    assert_eq!(e.len(), 1, "{e:#?}");
    assert_eq!(e[0].0, "db_list_too_large");
}

#[test]
fn missing_or_unknown_providers() {
    let e = errors("resource \"alicloud_dts_job\" \"x\" {\n  dts_job_id = \"a\"\n}\n");
    assert_eq!(e[0].0, "missing_provider");
    let e = errors(&format!(
        "{PROVIDER}resource \"alicloud_dts_job\" \"x\" {{\n  provider = alicloud.sh\n  dts_job_id = \"a\"\n}}\n"
    ));
    assert_eq!(e[0].0, "unknown_provider");
    let e = errors(
        "provider \"alicloud\" {\n  region = \"cn-hangzhou\"\n  endpoint = \"http://10.0.0.1:80\"\n}\n",
    );
    assert_eq!(
        (e[0].0.as_str(), e[0].2.as_str()),
        ("invalid_endpoint", "\"http://10.0.0.1:80\"")
    );
}

/// A provider block is checked by its own cloud's rules: region ids as that cloud's client
/// checks them, and settings only that cloud has.
#[test]
fn each_provider_is_checked_by_its_own_cloud() {
    let e = errors(
        "provider \"alicloud\" {\n  region = \"Hangzhou\"\n  signature_version = \"v2\"\n}\n",
    );
    let got: Vec<(&str, &str)> = e.iter().map(|(c, m, _)| (c.as_str(), m.as_str())).collect();
    assert_eq!(
        got,
        [
            (
                "invalid_region",
                "invalid client configuration: \"Hangzhou\" is not a region id (expected something like cn-hangzhou)"
            ),
            (
                "invalid_value",
                "unknown signature version \"v2\" (expected v3 or v1)"
            ),
        ]
    );
    let e = errors(
        "provider \"tencentcloud\" {\n  region = \"ap--guangzhou\"\n  signature_version = \"v3\"\n}\n",
    );
    let got: Vec<(&str, &str)> = e.iter().map(|(c, m, _)| (c.as_str(), m.as_str())).collect();
    assert_eq!(
        got,
        [
            (
                "unknown_attribute",
                "provider \"tencentcloud\" has no attribute \"signature_version\""
            ),
            (
                "invalid_region",
                "invalid client configuration: \"ap--guangzhou\" is not a Tencent Cloud region id (expected something like ap-guangzhou)"
            ),
        ]
    );
}

#[test]
fn no_config_files() {
    let e = errors_with(&[], &Inputs::default());
    assert_eq!(e[0].0, "no_config");
}

#[test]
fn variables_are_validated() {
    let text = r#"
variable "region" {
  default = "mars-1"
  validation {
    condition     = startswith(var.region, "cn-")
    error_message = "only mainland China regions are supported"
  }
}
"#;
    let e = errors(text);
    assert_eq!(
        e[0].1,
        "variable \"region\": only mainland China regions are supported"
    );
    let e = errors_with(
        &[("main.hcl", "variable \"a\" {}\n")],
        &Inputs {
            vars: vec!["b=1".into()],
            ..Inputs::default()
        },
    );
    let codes: Vec<&str> = e.iter().map(|(c, _, _)| c.as_str()).collect();
    assert_eq!(codes, ["undeclared_variable", "missing_variable"]);
}

#[test]
fn db_list_json_is_checked() {
    let e = errors(&format!(
        "{PROVIDER}resource \"alicloud_dts_job\" \"x\" {{\n  dts_job_id = \"a\"\n  db_list = \"{{\\\"shop\\\": true}}\"\n}}\n"
    ));
    assert_eq!(e[0].0, "invalid_db_list");
    let c = ok(&format!(
        "{PROVIDER}resource \"alicloud_dts_job\" \"x\" {{\n  dts_job_id = \"a\"\n  db_list = \"{{\\\"shop\\\": {{\\\"name\\\": \\\"shop\\\", \\\"all\\\": true}}}}\"\n}}\n"
    ));
    assert_eq!(
        c.jobs[0].objects.as_ref().map(|o| o.tree().unwrap()),
        Some(ObjectTree::from_json(r#"{"shop":{"name":"shop","all":true}}"#).unwrap())
    );
}
