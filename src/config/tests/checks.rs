//! The checks across objects and resources: one job per resource (and an id that is not
//! empty), names distinct without regard to case, rename targets distinct, no empty
//! names, scalar `reserved` values, and object lists the planner can read back
//! (`MAX_NESTING`).

use super::*;
use crate::config::model::MAX_NESTING;

/// (code, text under the caret, [text under each other label], help) of every error.
fn located(files: &[(&str, &str)]) -> Vec<(String, String, Vec<String>, String)> {
    let (_dir, result) = load_text(files, &Inputs::default());
    let Err(errors) = result else {
        panic!("the configuration should be refused");
    };
    let under = |l: &source::Located, span: &std::ops::Range<usize>| {
        miette::SourceCode::read_span(&l.source, &span.clone().into(), 0, 0)
            .map(|c| String::from_utf8_lossy(c.data()).into_owned())
            .unwrap_or_default()
    };
    errors
        .errors
        .iter()
        .map(|e| {
            let l = e.location.as_ref().expect("located");
            (
                e.code.to_owned(),
                under(l, &l.span),
                l.also.iter().map(|(span, _)| under(l, span)).collect(),
                e.help.clone().unwrap_or_default(),
            )
        })
        .collect()
}

fn job(body: &str) -> String {
    format!("{PROVIDER}resource \"alicloud_dts_job\" \"x\" {{\n  dts_job_id = \"a\"\n{body}\n}}\n")
}

fn codes(text: &str) -> Vec<(String, String)> {
    errors(text).into_iter().map(|(c, _, u)| (c, u)).collect()
}

fn pair(code: &str, under: &str) -> (String, String) {
    (code.to_owned(), under.to_owned())
}

#[test]
fn two_resources_for_one_alibaba_job_are_refused_at_the_second_id() {
    let text = format!(
        r#"{PROVIDER}
resource "alicloud_dts_job" "a" {{
  dts_job_id = "k2gm967v16f"
}}
resource "alicloud_dts_job" "b" {{
  dts_job_id = "K2GM967V16F"
}}
"#
    );
    let e = located(&[("main.hcl", &text)]);
    assert_eq!(e.len(), 1, "{e:#?}");
    assert_eq!(e[0].0, "duplicate_job");
    assert_eq!(e[0].1, "\"K2GM967V16F\"");
    assert_eq!(e[0].2, ["\"k2gm967v16f\""]);
    assert!(
        e[0].3.starts_with("keep one resource per job"),
        "{}",
        e[0].3
    );
    let (_, message, _) = &errors(&text)[0];
    assert_eq!(
        message,
        "alicloud_dts_job.a and alicloud_dts_job.b manage the same job \"K2GM967V16F\""
    );
}

#[test]
fn one_tencent_job_under_two_regions_is_refused_and_named_across_files() {
    let a = r#"
provider "tencentcloud" {
  region = "ap-guangzhou"
}
provider "tencentcloud" {
  alias  = "sh"
  region = "ap-shanghai"
}
resource "tencentcloud_dts_migrate_job" "a" {
  job_id = "dts-6r2kq0mz"
}
"#;
    let b = r#"
resource "tencentcloud_dts_migrate_job" "b" {
  provider = tencentcloud.sh
  job_id   = "dts-6r2kq0mz"
}
"#;
    let e = located(&[("a.hcl", a), ("b.hcl", b)]);
    assert_eq!(e.len(), 1, "{e:#?}");
    assert_eq!(
        (e[0].0.as_str(), e[0].1.as_str()),
        ("duplicate_job", "\"dts-6r2kq0mz\"")
    );
    assert!(e[0].2.is_empty());
    let help = &e[0].3;
    assert!(
        help.contains("ap-guangzhou and ap-shanghai cannot both be right"),
        "{help}"
    );
    assert!(help.ends_with("a.hcl:10:12"), "{help}");
}

#[test]
fn the_same_id_in_two_clouds_and_distinct_ids_are_fine() {
    ok(r#"
provider "alicloud" {
  region = "cn-hangzhou"
}
provider "tencentcloud" {
  region = "ap-guangzhou"
}
resource "alicloud_dts_job" "a" {
  dts_job_id = "dts-6r2kq0mz"
}
resource "alicloud_dts_job" "b" {
  dts_job_id = "s7qd5ph3n9c"
}
resource "tencentcloud_dts_migrate_job" "c" {
  job_id = "dts-6r2kq0mz"
}
"#);
}

#[test]
fn empty_job_ids_are_refused() {
    assert_eq!(
        codes(&format!(
            "{PROVIDER}resource \"alicloud_dts_job\" \"x\" {{\n  dts_job_id = \" \"\n}}\n"
        )),
        [pair("invalid_value", "\" \"")]
    );
    assert_eq!(
        errors(
            "provider \"tencentcloud\" {\n  region = \"ap-guangzhou\"\n}\n\
             resource \"tencentcloud_dts_migrate_job\" \"t\" {\n  job_id = \"\"\n}\n"
        ),
        [(
            "invalid_value".to_owned(),
            "job_id is empty".to_owned(),
            "\"\"".to_owned()
        )]
    );
}

#[test]
fn names_differing_only_in_case_are_refused_at_both() {
    let e = located(&[(
        "main.hcl",
        &job(r#"  database "shop" {
    table "orders" {}
    table "Orders" {}
    view "v" {
      columns = ["id", "ID"]
    }
  }
  database "SHOP" {}"#),
    )]);
    let got: Vec<(&str, &str, Vec<&str>)> = e
        .iter()
        .map(|(c, u, also, _)| {
            (
                c.as_str(),
                u.as_str(),
                also.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("case_conflict", "\"Orders\"", vec!["\"orders\""]),
            ("case_conflict", "\"ID\"", vec!["\"id\""]),
            ("case_conflict", "\"SHOP\"", vec!["\"shop\""]),
        ]
    );
    assert!(e[0].3.contains("keep one spelling"));
    // The same from dynamic blocks and column blocks.
    assert_eq!(
        codes(&job(r#"  database "shop" {
    table "t" {
      column "a" {}
      column "A" {}
    }
    dynamic "table" {
      for_each = ["x", "X"]
      labels   = [table.value]
      content {}
    }
  }"#)),
        [
            pair("case_conflict", "\"A\""),
            pair("case_conflict", "\"table\"")
        ]
    );
    // Different kinds may share a name; exact repeats keep their own code.
    ok(&job(r#"  database "shop" {
    table "orders" {}
    view "ORDERS" {}
  }"#));
    assert_eq!(
        codes(&job(r#"  database "shop" {
    table "t" {
      columns = ["a"]
      column "a" {}
    }
  }"#)),
        [pair("duplicate_object", "\"a\"")]
    );
}

#[test]
fn names_in_db_list_and_database_info_are_checked_too() {
    let db_list = |json: &str| codes(&job(&format!("  db_list = jsonencode({json})")));
    let under = "jsonencode(";
    for (json, code) in [
        (
            r"{ shop = { all = true }, Shop = { all = true } }",
            "case_conflict",
        ),
        (
            r"{ shop = { Table = { a = {} }, TABLE = { A = {} } } }",
            "case_conflict",
        ),
        (
            r"{ shop = { Table = { a = {} }, TABLE = { a = {} } } }",
            "duplicate_object",
        ),
        (r#"{ "" = { all = true } }"#, "empty_name"),
        (r#"{ shop = { Table = { "" = {} } } }"#, "empty_name"),
        (r#"{ shop = { name = "" } }"#, "empty_name"),
        (
            r#"{ shop = { Table = { a = { name = "x" }, b = { name = "X" } } } }"#,
            "target_conflict",
        ),
        (
            r#"{ shop = { Table = { x = {}, a = { name = "x" } } } }"#,
            "target_conflict",
        ),
    ] {
        let e = db_list(json);
        assert_eq!(e.len(), 1, "{json}: {e:#?}");
        assert_eq!(e[0].0, code, "{json}");
        assert!(e[0].1.starts_with(under), "{json}: {}", e[0].1);
    }
    // A DbList string is checked the same way.
    assert_eq!(
        codes(&job(
            r#"  db_list = "{\"a\":{\"all\":true},\"A\":{\"all\":true}}""#
        ))[0]
            .0,
        "case_conflict"
    );
    let tencent = |info: &str| {
        codes(&format!(
            r#"
provider "tencentcloud" {{
  region = "ap-guangzhou"
}}
resource "tencentcloud_dts_migrate_job" "t" {{
  job_id        = "dts-6r2kq0mz"
  database_info = jsonencode({info})
}}
"#
        ))
    };
    assert_eq!(
        tencent(r#"[{ Database = "shop", Table = ["orders", "Orders"] }]"#),
        [pair(
            "case_conflict",
            r#"jsonencode([{ Database = "shop", Table = ["orders", "Orders"] }])"#
        )]
    );
    assert_eq!(
        tencent(r#"[{ Database = "" }]"#)[0].0,
        "invalid_database_info"
    );
}

#[test]
fn empty_names_are_refused_where_they_are_written() {
    assert_eq!(
        codes(&job(r#"  database "" {}
  database "shop" {
    table "" {}
    table "t" {
      target  = ""
      columns = ["id", ""]
      column "" {}
    }
    dynamic "view" {
      for_each = [""]
      labels   = [view.value]
      content {}
    }
  }"#)),
        [
            pair("empty_name", "\"\""),
            pair("empty_name", "\"\""),
            pair("empty_name", "\"\""),
            pair("empty_name", "\"view\""),
        ]
    );
    let e = errors(&job(r#"  database "shop" {
    table "t" {
      columns = ["id", ""]
      column "" {}
    }
  }"#));
    let messages: Vec<&str> = e.iter().map(|(_, m, _)| m.as_str()).collect();
    assert_eq!(
        messages,
        [
            "the name of a column in shop.t is empty",
            "the name of a column in shop.t is empty"
        ]
    );
    assert_eq!(
        errors(&job("  database \"shop\" {\n    target = \"\"\n  }"))[0].1,
        "the target of database shop is empty"
    );
}

#[test]
fn swapped_chained_and_case_only_renames_are_accepted() {
    // Only the destinations must be distinct: a source name may be another's target.
    let config = ok(&job(r#"  database "shop" {
    table "a" {
      target = "b"
    }
    table "b" {
      target = "a"
    }
    table "c" {
      target = "d"
    }
    table "d" {
      target = "e"
    }
    table "f" {
      target = "F"
    }
    table "g" {}
  }"#));
    let tree = config.jobs[0].objects.as_ref().unwrap().tree().unwrap();
    let tables = &tree.databases["shop"].containers["Table"].nodes;
    let targets: Vec<(&str, &str)> = tables
        .iter()
        .map(|(k, n)| (k.as_str(), n.attrs["name"].as_str().unwrap()))
        .collect();
    assert_eq!(
        targets,
        [
            ("a", "b"),
            ("b", "a"),
            ("c", "d"),
            ("d", "e"),
            ("f", "F"),
            ("g", "g")
        ]
    );
}

#[test]
fn two_sources_renamed_to_one_target_are_refused_at_both() {
    let e = located(&[(
        "main.hcl",
        &job(r#"  database "shop" {
    table "a" {
      target = "x"
    }
    table "b" {
      target = "X"
    }
    table "y" {}
    table "c" {
      target = "y"
    }
    table "t" {
      column "p" {
        target = "q"
      }
      column "q" {}
    }
  }
  database "shop_2023" {
    target = "shop"
  }"#),
    )]);
    let got: Vec<(&str, &str, Vec<&str>)> = e
        .iter()
        .map(|(c, u, also, _)| {
            (
                c.as_str(),
                u.as_str(),
                also.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("target_conflict", "\"X\"", vec!["\"x\""]),
            ("target_conflict", "\"y\"", vec!["\"y\""]),
            ("target_conflict", "\"q\"", vec!["\"q\""]),
            ("target_conflict", "\"shop\"", vec!["\"shop\""]),
        ]
    );
    let (_, message, _) = &errors(&job(r#"  database "shop" {
    table "a" {
      target = "x"
    }
    table "b" {
      target = "x"
    }
  }"#))[0];
    assert_eq!(
        message,
        "table shop.a and shop.b would both be written to \"x\""
    );
    // Swapping two names is fine: each destination has one source.
    ok(&job(r#"  database "shop" {
    table "a" {
      target = "b"
    }
    table "b" {
      target = "a"
    }
  }"#));
}

#[test]
fn reserved_values_are_strings_numbers_or_bools() {
    let e = errors(&job(
        "  reserved = {\n    a = [1]\n    \"b\" = { c = 1 }\n    d = null\n    ok = 1\n  }",
    ));
    let got: Vec<(&str, &str, &str)> = e
        .iter()
        .map(|(c, m, u)| (c.as_str(), m.as_str(), u.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "wrong_type",
                "reserved \"a\" must be a string, a number or a bool, got a list",
                "[1]"
            ),
            (
                "wrong_type",
                "reserved \"b\" must be a string, a number or a bool, got an object",
                "{ c = 1 }"
            ),
            (
                "wrong_type",
                "reserved \"d\" must be a string, a number or a bool, got null",
                "null"
            ),
        ]
    );
    // Built by an expression, the whole value is pointed at.
    assert_eq!(
        codes(&job("  reserved = merge({ a = 1 }, { b = [2] })")),
        [pair("wrong_type", "merge({ a = 1 }, { b = [2] })")]
    );
    let c = ok(&job("  reserved = { s = \"0\", n = 43200, b = true }"));
    assert_eq!(c.jobs[0].reserved.len(), 3);
}

/// HCL for a list nested `depth` deep, `[[...[1]...]]`, by way of `jsondecode`: HCL
/// syntax itself nests at most 64 deep (hcl-edit's parser limit).
fn nested_list(depth: usize) -> String {
    format!(
        "jsondecode(\"{}1{}\")",
        "[".repeat(depth),
        "]".repeat(depth)
    )
}

#[test]
fn object_lists_nest_at_most_max_nesting_deep() {
    // shop.orders' node sits 4 deep: {"shop":{"Table":{"orders":{...}}}}.
    let table = |value: &str| {
        job(&format!(
            "  database \"shop\" {{\n    table \"orders\" {{\n      attributes = {{ p = {value} }}\n    }}\n  }}"
        ))
    };
    let at = ok(&table(&nested_list(MAX_NESTING - 4)));
    let objects = at.jobs[0].objects.as_ref().unwrap();
    assert_eq!(model::tree_nesting(&objects.tree().unwrap()), MAX_NESTING);

    let past = nested_list(MAX_NESTING - 3);
    let e = errors(&table(&past));
    assert_eq!(e.len(), 1, "{e:#?}");
    assert_eq!(e[0].0, "too_deep");
    assert_eq!(e[0].2, past);
    assert_eq!(
        e[0].1,
        format!(
            "the object list would nest {} levels deep; dtsform reads at most {MAX_NESTING}",
            MAX_NESTING + 1
        )
    );
    // A MongoDB filter object counts the same way.
    let filter = job(&format!(
        "  database \"shop\" {{\n    table \"orders\" {{\n      filter = {{ q = {} }}\n    }}\n  }}",
        nested_list(MAX_NESTING - 4)
    ));
    assert_eq!(codes(&filter)[0].0, "too_deep");

    // db_list as an object and as a string: the whole value is pointed at.
    let deep_db = |depth: usize| format!("{{ shop = {{ p = {} }} }}", nested_list(depth));
    ok(&job(&format!("  db_list = {}", deep_db(MAX_NESTING - 2))));
    let e = codes(&job(&format!("  db_list = {}", deep_db(MAX_NESTING - 1))));
    assert_eq!(e, [pair("too_deep", &deep_db(MAX_NESTING - 1))]);
    let text = |depth: usize| {
        format!(
            "{{\\\"shop\\\":{{\\\"p\\\":{}1{}}}}}",
            "[".repeat(depth),
            "]".repeat(depth)
        )
    };
    ok(&job(&format!("  db_list = \"{}\"", text(MAX_NESTING - 2))));
    for depth in [MAX_NESTING - 1, 200] {
        let e = codes(&job(&format!("  db_list = \"{}\"", text(depth))));
        assert_eq!(e.len(), 1, "{e:#?}");
        assert_eq!(
            e[0].0, "too_deep",
            "not serde_json's recursion message: {e:#?}"
        );
    }
}

#[test]
fn tencent_object_lists_nest_at_most_max_nesting_deep() {
    let tencent = |depth: usize| {
        format!(
            r#"
provider "tencentcloud" {{
  region = "ap-guangzhou"
}}
resource "tencentcloud_dts_migrate_job" "t" {{
  job_id        = "dts-6r2kq0mz"
  database_info = jsonencode([{{ Database = "shop", Extra = {} }}])
}}
"#,
            nested_list(depth)
        )
    };
    // DatabaseInfo holds names only: a key dtsform does not know is refused whatever
    // it holds (it may name objects), and past the limit the depth is refused first.
    assert_eq!(
        codes(&tencent(MAX_NESTING - 2))[0].0,
        "invalid_database_info"
    );
    assert_eq!(codes(&tencent(MAX_NESTING - 1))[0].0, "too_deep");
    // Past serde_json's own limit, measured before parsing.
    assert_eq!(codes(&tencent(125))[0].0, "too_deep");
}
