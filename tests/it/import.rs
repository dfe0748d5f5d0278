//! `dtsform import`: live jobs written as configuration that validates, is formatted as
//! `dtsform fmt` formats, and plans to no changes — for a hand-written world with every
//! feature an object list has (through the command line), and as a property over
//! generated object lists of both clouds (through the library), against the emulator.

use std::path::Path;

use proptest::prelude::*;
use serde_json::{Value, json};

use dtsform::clients::{Clients, EndpointOverride};
use dtsform::cloud::alibaba::endpoint::parse_endpoint;
use dtsform::config::{Inputs, load};
use dtsform::emulator::World;
use dtsform::env::Environment;
use dtsform::import::{Request, Selection};

use crate::support::{
    dtsform, emulator_credentials, fast_config, report_text, start, tencent_credentials,
};

const PROVIDERS: &str = r#"provider "alicloud" {
  region = "cn-hangzhou"
}

provider "tencentcloud" {
  region = "ap-guangzhou"
}
"#;

/// A world with what object lists hold: renames, filters with quotes (and a MongoDB
/// filter object), column lists with renames, dml/ddl operations, pass-through
/// attributes, views, whole databases, schemas, an `all` left out, names with dashes,
/// capitals and non-ASCII letters; Tencent's schema form and a whole instance.
fn feature_world() -> Value {
    let alibaba = |id: &str, name: &str, kind: &str, status: &str, db_list: Value| {
        json!({
            "job_id": id, "instance_id": format!("dts{id}"), "name": name, "type": kind,
            "region": "cn-hangzhou", "status": status,
            "source": {"instance_type": "RDS", "engine_name": "MySQL", "instance_id": "rm-src1", "port": "3306", "user_name": "dts_reader"},
            "destination": {"instance_type": "POLARDB", "instance_id": "pc-dst1", "region": "cn-hangzhou", "user_name": "dts_writer", "database_name": "Shop DB"},
            "db_list": db_list,
            "reserved": {"srcSSL": "0", "maxRetryTime": 43200, "ratio": 0.5, "whole": 2.0, "flag": true, "nested": {"a": 1}, "destPassword": "never-shown"}
        })
    };
    json!({
        "version": 1,
        "jobs": [
            alibaba("k2gm967v16f", "Shop-Sync 订单", "sync", "Synchronizing", json!({
                "shop-DB": {"name": "shop_replica", "all": false, "Table": {
                    "Orders": {"name": "orders_v2", "all": true,
                               "filter": "status = 'paid' and note <> \"x\" and tag = '${x}' and pct = '100%{y}'",
                               "dml_op": "insert,update", "ddl_op": "CreateTable, AlterTable"},
                    "payments": {"name": "payments", "all": false,
                                 "column": {"id": {"name": "id"}, "amount": {"name": "amount_cny", "type": "decimal(10,2)"}}},
                    "Ünïcode_表": {"name": "Ünïcode_表", "all": true, "srcSchema": "dbo", "part_num": 4, "primaryKey": true},
                    "legacy": {"name": "legacy"}},
                  "View": {"v_orders": {"name": "v_orders", "all": false, "column": {"id": {"name": "id"}, "total": {"name": "total"}}}}},
                "crm": {"name": "crm", "all": true, "dml_op": "insert"},
                "mongo": {"name": "mongo", "all": false, "Table": {"events": {"name": "events", "all": true,
                    "filter": {"$and": [{"type": "click"}, {"n": {"$gt": 1.0}}]}}}}
            })),
            alibaba("p9pgmig0001", "pg-migration", "migration", "NotStarted", json!({
                "pgdb": {"all": false, "Schema": {"public": {"all": false, "Table": {"accounts": {"all": true, "targetType": "table"}}},
                                                  "audit": {"all": true}},
                         "Procedure": {"refresh_stats": {"name": "refresh_stats"}}}
            })),
            alibaba("s7qd5ph3n9c", "", "sync", "Suspending", json!({"events": {"name": "events", "all": true}})),
        ],
        "tencent_jobs": [
            {"job_id": "dts-6r2kq0mz", "name": "Shop Migrate", "region": "ap-guangzhou", "status": 4,
             "migrate_option": {"RunMode": 1, "MigrateType": 3, "MigrateObject": 2, "ConsistencyType": 5, "IsOverrideRoot": 0},
             "src_info": {"User": "dts_reader", "InstanceId": "cdb-3kwa7x1p", "Region": "ap-guangzhou"},
             "dst_info": {"InstanceId": "cdb-9mzq4e2t", "Region": "ap-guangzhou", "ReadOnly": 0, "User": "dts_writer"},
             "database_info": "[{\"Database\":\"db1\",\"Schema\":\"s1\",\"Table\":[\"t1\",\"T-2\"]},{\"Database\":\"db1\",\"Schema\":\"s2\"},{\"Database\":\"Db-2\"},{\"Database\":\"Ünï\",\"Table\":[\"表\"]}]"},
            {"job_id": "dts-0pb7ye4d", "name": "archive", "region": "ap-guangzhou", "status": 7,
             "migrate_option": {"RunMode": 1, "MigrateType": 2, "MigrateObject": 1},
             "src_access_type": "extranet", "src_info": {"Ip": "203.0.113.20", "Port": 3306, "User": "root", "Supplier": "others"},
             "dst_info": {"InstanceId": "cdb-7pd2js4k", "Region": "ap-guangzhou"},
             "database_info": "[]"}
        ]
    })
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = dtsform(args);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn setup(world: &Value) -> (tempfile::TempDir, String, String) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("config");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("providers.hcl"), PROVIDERS).unwrap();
    let state = tmp.path().join("world.json");
    std::fs::write(&state, serde_json::to_string_pretty(world).unwrap()).unwrap();
    let dir = dir.display().to_string();
    let state = state.display().to_string();
    (tmp, dir, state)
}

#[test]
fn import_writes_every_feature_so_that_validate_fmt_and_plan_are_clean() {
    let (_tmp, dir, state) = setup(&feature_world());
    let emulator = ["--emulator", "--emulator-state", state.as_str()];
    let (code, stdout, stderr) = run(&[&["import", &dir, "--all"], &emulator[..]].concat());
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    for expected in [
        "Imported 5 jobs into",
        "+ alicloud_dts_job.shop_sync_订单",
        "job k2gm967v16f \"Shop-Sync 订单\" (alicloud, 9 objects)",
        "+ alicloud_dts_job.s7qd5ph3n9c",
        "+ tencentcloud_dts_migrate_job.shop_migrate",
        "+ tencentcloud_dts_migrate_job.archive ",
        "Check it, then commit it: dtsform plan --emulator --emulator-state",
    ] {
        assert!(stdout.contains(expected), "{expected:?} in\n{stdout}");
    }
    let file = std::fs::read_to_string(Path::new(&dir).join("imported.hcl")).unwrap();
    for expected in [
        r#"database "shop-DB" {"#,
        r#"target = "shop_replica""#,
        r#"filter = "status = 'paid' and note <> \"x\" and tag = '$${x}' and pct = '100%%{y}'""#,
        r#"dml_op = ["insert", "update"]"#,
        r#"ddl_op = "CreateTable, AlterTable""#,
        r#"table "Ünïcode_表" {"#,
        r#"view "v_orders" {"#,
        r#"columns = ["id", "total"]"#,
        r#"column "amount" {"#,
        "all = null",
        r#"schema "public" {"#,
        r#"procedure "refresh_stats" {"#,
        r#"database "Db-2" {}"#,
        "whole_instance            = true",
        "# password = var.shop_sync_订单_source_password",
        "reserved settings not managed: nested (not a string, number or bool), destPassword (it may be a secret)",
        "status is not managed: the job is NotStarted",
    ] {
        assert!(file.contains(expected), "{expected:?} in\n{file}");
    }
    assert!(
        !file.contains("db_list") && !file.contains("never-shown"),
        "{file}"
    );

    let (code, stdout, stderr) = run(&["validate", &dir]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("The configuration is valid: 5 jobs, 2 providers."),
        "{stdout}"
    );
    let (code, stdout, stderr) = run(&["fmt", "--check", &dir]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let (code, stdout, stderr) =
        run(&[&["plan", &dir, "--detailed-exitcode"], &emulator[..]].concat());
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("No changes."), "{stdout}");

    // Again: nothing new, and the file is left as it is.
    let (code, stdout, stderr) = run(&[&["import", &dir, "--all"], &emulator[..]].concat());
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("Nothing to import"), "{stdout}");
    assert_eq!(
        std::fs::read_to_string(Path::new(&dir).join("imported.hcl")).unwrap(),
        file
    );
}

#[test]
fn a_two_way_job_is_imported_with_its_reverse_block_and_plans_to_no_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().display().to_string();
    std::fs::write(
        tmp.path().join("providers.hcl"),
        "provider \"alicloud\" {\n  region = \"cn-hangzhou\"\n}\n",
    )
    .unwrap();
    // The embedded emulator's sample world, the same for every command.
    let (code, stdout, stderr) = run(&["import", &dir, "r8tw2way01x", "--emulator"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    // The summary counts both directions' objects (the reverse one's: database orders
    // and its table).
    assert!(
        stdout.contains("(alicloud, 5 objects, 2 in the reverse direction)"),
        "{stdout}"
    );
    let file = std::fs::read_to_string(tmp.path().join("imported.hcl")).unwrap();
    let at = file
        .find("  reverse {\n")
        .unwrap_or_else(|| panic!("no reverse block in\n{file}"));
    let reverse = &file[at..];
    for expected in [
        "    status   = \"running\"\n",
        "    migration_mode {\n      structure_initialization = true\n",
        "    source {\n      instance_type = \"rds\"\n      instance_id   = \"rm-bp1west00000001\"\n",
        "      # password = var.orders_two_way_reverse_source_password",
        "    database \"orders\" {\n      table \"orders\" {}\n    }\n  }\n}\n",
    ] {
        assert!(reverse.contains(expected), "{expected:?} in\n{file}");
    }
    assert!(
        file.contains("two-way, Synchronizing (reverse direction Synchronizing)"),
        "{file}"
    );
    let (code, stdout, stderr) = run(&["validate", &dir]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let (code, stdout, stderr) = run(&["fmt", "--check", &dir]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let (code, stdout, stderr) = run(&["plan", &dir, "--detailed-exitcode", "--emulator"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let (code, stdout, stderr) = run(&["drift", &dir, "--emulator"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
}

#[test]
fn import_by_id_never_overwrites_and_names_what_it_leaves_out() {
    let (_tmp, dir, state) = setup(&feature_world());
    let emulator = ["--emulator", "--emulator-state", state.as_str()];
    std::fs::write(Path::new(&dir).join("taken.hcl"), "# mine\n").unwrap();
    let (code, _, stderr) = run(&[
        &["import", &dir, "s7qd5ph3n9c", "--out", "taken.hcl"],
        &emulator[..],
    ]
    .concat());
    assert_eq!(code, 1);
    assert!(
        report_text(stderr.as_bytes()).contains("taken.hcl already exists"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(Path::new(&dir).join("taken.hcl")).unwrap(),
        "# mine\n"
    );

    let (code, stdout, stderr) = run(&[
        &[
            "import",
            &dir,
            "s7qd5ph3n9c",
            "dts-0pb7ye4d",
            "--out",
            "two.hcl",
        ],
        &emulator[..],
    ]
    .concat());
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("Imported 2 jobs into"), "{stdout}");
    let (code, stdout, _) = run(&[
        &["import", &dir, "S7QD5PH3N9C", "--out", "again.hcl"],
        &emulator[..],
    ]
    .concat());
    assert_eq!(code, 0);
    assert!(
        stdout
            .contains("Left out job s7qd5ph3n9c: alicloud_dts_job.s7qd5ph3n9c manages it already."),
        "{stdout}"
    );
    assert!(!Path::new(&dir).join("again.hcl").exists());

    let (code, _, stderr) = run(&[&["import", &dir, "nosuchjob"], &emulator[..]].concat());
    assert_eq!(code, 1);
    assert!(
        report_text(stderr.as_bytes())
            .contains("no provider of the configuration lists a job \"nosuchjob\""),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["import", &dir, "--out", "x.txt", "--all", "--emulator"]);
    assert_eq!(code, 1);
    assert!(
        report_text(stderr.as_bytes()).contains("is not a *.hcl file"),
        "{stderr}"
    );
}

/// A list a configuration cannot say (two tables differing only in case; a Tencent
/// database taken whole that also lists schemas) is refused with the reason, and the
/// other jobs are imported; nothing written leaks a password of the configuration.
#[test]
fn jobs_a_configuration_cannot_say_are_refused_with_the_reason() {
    let mut world = feature_world();
    world["jobs"][2]["db_list"] = json!({"events": {"all": false, "Table": {
        "Orders": {"all": true}, "orders": {"all": true}}}});
    world["tencent_jobs"][1]["database_info"] =
        json!("[{\"Database\":\"d\"},{\"Database\":\"d\",\"Schema\":\"s\"}]");
    world["tencent_jobs"][1]["migrate_option"]["MigrateObject"] = json!(2);
    world["jobs"][1]["db_list"] =
        json!({"pgdb": {"all": false, "Table": {"t": {"filter": "secret = 'Pa55-w0rd-x'"}}}});
    let (_tmp, dir, state) = setup(&world);
    std::fs::write(
        Path::new(&dir).join("secrets.hcl"),
        r#"variable "pw" {
  type      = string
  sensitive = true
  default   = "Pa55-w0rd-x"
}

resource "alicloud_dts_job" "other" {
  dts_job_id = "zzz"
  source {
    instance_type = "rds"
    username      = "u"
    password      = var.pw
  }
}
"#,
    )
    .unwrap();
    let (code, stdout, stderr) = run(&[
        "import",
        &dir,
        "--all",
        "--emulator",
        "--emulator-state",
        &state,
    ]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(stdout.contains("Imported 2 jobs into"), "{stdout}");
    let report = report_text(stderr.as_bytes());
    for expected in [
        "job s7qd5ph3n9c (alicloud in cn-hangzhou) is not imported: table events.Orders and events.orders differ only in case",
        "job dts-0pb7ye4d (tencentcloud in ap-guangzhou) is not imported:",
        "database d is taken whole (all = true) and also lists its objects",
        "job p9pgmig0001 (alicloud in cn-hangzhou) is not imported: a value of the live job contains a password of this configuration",
    ] {
        assert!(report.contains(expected), "{expected:?} in\n{report}");
    }
    assert!(!stdout.contains("Pa55-w0rd-x") && !stderr.contains("Pa55-w0rd-x"));
    let file = std::fs::read_to_string(Path::new(&dir).join("imported.hcl")).unwrap();
    assert!(!file.contains("Pa55-w0rd-x"));
}

// ---------------------------------------------------------------------------------------
// The property: every list the service can return imports to no changes.
// ---------------------------------------------------------------------------------------

/// Names as sources spell them: plain, with dashes, capitals, dots, spaces, quotes,
/// template markers and non-ASCII letters.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][a-z0-9_]{0,6}",
        "[A-Z][a-zA-Z0-9-]{0,6}",
        Just("Ünïcode".to_owned()),
        Just("订单表".to_owned()),
        Just("my.db".to_owned()),
        Just("with space".to_owned()),
        Just("q\"uo'te".to_owned()),
        Just("t${x}%{y}$${z}".to_owned()),
        Just("back\\slash".to_owned()),
    ]
}

/// Up to `n` names distinct without regard to case (a configuration refuses names that
/// differ only in case, as DTS may take them for one).
fn names(n: usize) -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(name(), 0..=n).prop_map(|mut v| {
        let mut seen = std::collections::HashSet::new();
        v.retain(|n| seen.insert(n.to_lowercase()));
        v
    })
}

/// A scalar or structured attribute value.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-1000i64..1000).prop_map(Value::from),
        prop_oneof![Just(0.5), Just(2.0), Just(1e300), Just(-0.25)].prop_map(Value::from),
        "[ -~]{0,12}".prop_map(Value::String),
        Just(Value::String("ünï ${x} \"q\"\n".into())),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z_.$ ]{1,6}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// `all` as DTS lists may hold it: left out, a bool, or a spelled bool.
fn all() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        1 => Just(None),
        4 => any::<bool>().prop_map(|b| Some(Value::Bool(b))),
        1 => prop_oneof![Just("true"), Just("True"), Just("false")].prop_map(|s| Some(json!(s))),
    ]
}

fn ops() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        3 => Just(None),
        1 => prop_oneof![
            Just("insert,update,delete"),
            Just("insert"),
            Just("Update, insert"),
            Just(""),
            Just("CreateTable,AlterTable"),
        ]
        .prop_map(|s| Some(json!(s))),
    ]
}

/// Attributes every object may carry besides its children: a rename, `all`, operations,
/// pass-through attributes, the server's `state`.
fn attributes(
    name: &str,
    kind_is_table: bool,
) -> impl Strategy<Value = serde_json::Map<String, Value>> + use<> {
    (
        prop_oneof![
            Just(None),
            Just(Some(name.to_owned())),
            Just(Some(format!("{name}_copy")))
        ],
        all(),
        ops(),
        ops(),
        prop::option::weighted(
            0.3,
            prop_oneof![value(), "[ -~]{0,20}".prop_map(Value::String)],
        ),
        prop::collection::btree_map(
            prop_oneof![
                Just("srcSchema"),
                Just("part_num"),
                Just("targetType"),
                Just("type"),
                Just("View"),
                Just("patternType"),
                Just("odd key"),
            ],
            value(),
            0..2,
        ),
        any::<bool>(),
    )
        .prop_map(move |(target, all, dml, ddl, filter, extra, state)| {
            let mut m = serde_json::Map::new();
            if let Some(t) = target {
                m.insert("name".into(), json!(t));
            }
            if let Some(a) = all {
                m.insert("all".into(), a);
            }
            if let Some(op) = dml {
                m.insert("dml_op".into(), op);
            }
            if let Some(op) = ddl {
                m.insert("ddl_op".into(), op);
            }
            if let (Some(f), true) = (filter, kind_is_table) {
                m.insert("filter".into(), f);
            }
            for (k, v) in extra {
                // What a DbList reads as an attribute under a container kind's name.
                let v = match k {
                    "View" => Value::Null,
                    "type" if v.is_object() || v.is_array() || v.is_null() => json!("varchar"),
                    _ => v,
                };
                m.insert(k.into(), v);
            }
            if state {
                m.insert("state".into(), json!("normal"));
            }
            m
        })
}

fn columns() -> impl Strategy<Value = serde_json::Map<String, Value>> {
    names(3).prop_flat_map(|names| {
        let columns: Vec<_> = names
            .into_iter()
            .map(|n| {
                (
                    Just(n.clone()),
                    prop_oneof![
                        3 => Just(json!({"name": n})),
                        1 => Just(json!({"name": format!("{n}_v2"), "type": "int"})),
                        1 => Just(json!({})),
                        1 => Just(json!({"name": n, "primaryKey": true, "all": true})),
                    ],
                )
            })
            .collect();
        columns.prop_map(|cs| cs.into_iter().collect())
    })
}

/// A table or view: attributes, and sometimes a column list.
fn table(name: &str) -> impl Strategy<Value = Value> + use<> {
    (
        attributes(name, true),
        prop::option::weighted(0.4, columns()),
    )
        .prop_map(|(mut m, cols)| {
            if let Some(cols) = cols.filter(|c| !c.is_empty()) {
                m.insert("column".into(), Value::Object(cols));
            }
            Value::Object(m)
        })
}

/// Objects of one kind under `kind_key`; tables and views may list columns.
fn container(kind_key: &'static str, n: usize) -> impl Strategy<Value = Option<(String, Value)>> {
    let holds_columns = matches!(kind_key, "Table" | "View");
    names(n).prop_flat_map(move |names| {
        let items: Vec<_> = names
            .into_iter()
            .map(|n| {
                let object = if holds_columns {
                    table(&n).boxed()
                } else {
                    attributes(&n, false).prop_map(Value::Object).boxed()
                };
                (Just(n), object)
            })
            .collect();
        items.prop_map(move |items| {
            (!items.is_empty()).then(|| {
                (
                    kind_key.to_owned(),
                    Value::Object(items.into_iter().collect()),
                )
            })
        })
    })
}

/// A database (or a PostgreSQL schema at the top): attributes, tables under any key
/// spelling, views, schemas holding tables, other kinds.
fn database(name: &str) -> impl Strategy<Value = Value> + use<> {
    let schemas = names(2).prop_flat_map(|names| {
        let items: Vec<_> = names
            .into_iter()
            .map(|n| {
                (
                    Just(n.clone()),
                    (attributes(&n, false), container("Table", 2)).prop_map(|(mut m, t)| {
                        m.extend(t);
                        Value::Object(m)
                    }),
                )
            })
            .collect();
        items.prop_map(|items| {
            (!items.is_empty()).then(|| {
                (
                    "Schema".to_owned(),
                    Value::Object(items.into_iter().collect()),
                )
            })
        })
    });
    (
        attributes(name, false),
        prop_oneof![Just("Table"), Just("table"), Just("TABLE")],
        names(4),
        container("View", 2),
        prop::option::weighted(0.2, schemas),
        prop::option::weighted(0.2, container("Procedure", 1)),
    )
        .prop_flat_map(|(attrs, key, table_names, views, schemas, procedures)| {
            let tables: Vec<_> = table_names
                .into_iter()
                .map(|n| (Just(n.clone()), table(&n)))
                .collect();
            (
                Just(attrs),
                Just(key),
                tables,
                Just(views),
                Just(schemas),
                Just(procedures),
            )
        })
        .prop_map(|(mut m, key, tables, views, schemas, procedures)| {
            if !tables.is_empty() {
                m.insert(key.into(), Value::Object(tables.into_iter().collect()));
            }
            for (k, v) in [views, schemas.flatten(), procedures.flatten()]
                .into_iter()
                .flatten()
            {
                m.insert(k, v);
            }
            Value::Object(m)
        })
}

fn db_list() -> impl Strategy<Value = Value> {
    names(3).prop_flat_map(|names| {
        let dbs: Vec<_> = names
            .into_iter()
            .map(|n| (Just(n.clone()), database(&n)))
            .collect();
        dbs.prop_map(|dbs| Value::Object(dbs.into_iter().collect()))
    })
}

/// A Tencent `DatabaseInfo` as the service stores it: `[]`, or entries naming databases
/// whole, with tables, or with schemas (whole or with tables), repeated entries and
/// empty `Table` lists included. A database is never both taken whole and listed.
fn database_info() -> impl Strategy<Value = String> {
    let entry = (
        names(3),
        prop::collection::vec((name(), prop::option::of(names(2))), 0..3),
        any::<bool>(),
    );
    prop_oneof![
        1 => Just("[]".to_owned()),
        5 => prop::collection::vec((name(), entry), 1..4).prop_map(|dbs| {
            let mut seen = std::collections::HashSet::new();
            let mut out = Vec::new();
            for (db, (tables, schemas, whole_with_empty_list)) in dbs {
                if !seen.insert(db.to_lowercase()) {
                    continue;
                }
                let mut schema_seen = std::collections::HashSet::new();
                let schemas: Vec<_> = schemas
                    .into_iter()
                    .filter(|(s, _)| schema_seen.insert(s.to_lowercase()))
                    .collect();
                if tables.is_empty() && schemas.is_empty() {
                    out.push(if whole_with_empty_list {
                        json!({"Database": db, "Table": []})
                    } else {
                        json!({"Database": db})
                    });
                    continue;
                }
                if !tables.is_empty() {
                    // Split over two entries sometimes: DTS keeps both, dtsform merges.
                    let (a, b) = tables.split_at(tables.len() / 2);
                    for part in [a, b] {
                        if !part.is_empty() {
                            out.push(json!({"Database": db, "Table": part}));
                        }
                    }
                }
                for (schema, tables) in schemas {
                    match tables.filter(|t| !t.is_empty()) {
                        Some(t) => out.push(json!({"Database": db, "Schema": schema, "Table": t})),
                        None => out.push(json!({"Database": db, "Schema": schema})),
                    }
                }
            }
            Value::Array(out).to_string()
        }),
    ]
}

/// A migration mode (`MigrationMode`): each phase on or off.
fn migration_mode() -> impl Strategy<Value = Value> {
    (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(s, i, d)| {
        json!({"structure_initialization": s, "data_initialization": i, "data_synchronization": d})
    })
}

/// A world of generated jobs of both clouds, with the statuses and settings plan reads:
/// Alibaba jobs with a migration mode, some in a resource group, some synchronizations
/// two-way (the reverse direction with its own list, status, mode and settings).
fn world() -> impl Strategy<Value = Value> {
    let alibaba = prop::collection::vec(
        (
            db_list(),
            prop_oneof![
                Just("Synchronizing"),
                Just("Migrating"),
                Just("Suspending"),
                Just("NotStarted"),
                Just("Failed"),
            ],
            name(),
            prop::collection::btree_map(
                "[a-zA-Z]{1,8}",
                prop_oneof![
                    "[ -~]{0,8}".prop_map(Value::String),
                    (0i64..100_000).prop_map(Value::from),
                    any::<bool>().prop_map(Value::Bool),
                    Just(json!(1.5)),
                    Just(json!(3.0)),
                ],
                0..4,
            ),
            migration_mode(),
            // A two-way synchronization's reverse direction: its own list, status,
            // migration mode and reserved settings.
            prop::option::of((
                db_list(),
                prop_oneof![
                    Just("Synchronizing"),
                    Just("Suspending"),
                    Just("NotStarted"),
                    Just("Failed"),
                ],
                migration_mode(),
                any::<bool>(),
            )),
            any::<bool>(),
        ),
        1..3,
    );
    let tencent = prop::collection::vec(
        (
            database_info(),
            prop_oneof![Just(1), Just(4), Just(5), Just(7), Just(9), Just(10)],
            name(),
        ),
        1..3,
    );
    (alibaba, tencent).prop_map(|(alibaba, tencent)| {
        let jobs: Vec<Value> = alibaba
            .into_iter()
            .enumerate()
            .map(|(i, (db_list, status, name, reserved, mode, reverse, grouped))| {
                let kind = if status == "Migrating" { "migration" } else { "sync" };
                let mut job = json!({
                    "job_id": format!("job{i:08}"), "instance_id": format!("dtsjob{i:08}"),
                    "name": name, "type": kind, "region": "cn-hangzhou", "status": status,
                    "source": {"instance_type": "RDS", "instance_id": format!("rm-{i}"), "port": "3306", "user_name": "reader"},
                    "destination": {"instance_type": "rds", "ip": "10.0.0.1", "database_name": "Ünï db"},
                    "db_list": db_list, "reserved": reserved, "migration_mode": mode
                });
                if grouped {
                    job["resource_group_id"] = json!(format!("rg-{i}"));
                }
                // Only a synchronization has a reverse direction.
                if let Some((db_list, status, mode, with_reserved)) = reverse.filter(|_| kind == "sync") {
                    job["reverse"] = json!({
                        "job_id": format!("rev{i:08}"), "instance_id": format!("dtsjob{i:08}"),
                        "name": job["name"], "type": "sync", "region": "cn-hangzhou", "status": status,
                        "direction": "Reverse",
                        "source": {"instance_type": "RDS", "ip": "10.0.0.1", "port": "3306", "user_name": "back"},
                        "destination": {"instance_type": "rds", "instance_id": format!("rm-{i}")},
                        "db_list": db_list, "migration_mode": mode,
                        "reserved": if with_reserved { json!({"maxRetryTime": 600, "srcSSL": "1"}) } else { json!({}) }
                    });
                }
                job
            })
            .collect();
        let tencent_jobs: Vec<Value> = tencent
            .into_iter()
            .enumerate()
            .map(|(i, (info, status, name))| {
                let whole = info == "[]";
                json!({
                    "job_id": format!("dts-{i:08}"), "name": name, "region": "ap-guangzhou", "status": status,
                    "migrate_option": {"RunMode": 1, "MigrateType": 3, "MigrateObject": if whole { 1 } else { 2 }},
                    "src_info": {"User": "reader", "InstanceId": format!("cdb-src{i}"), "Port": 0},
                    "dst_info": {"InstanceId": format!("cdb-dst{i}"), "Region": "ap-guangzhou"},
                    "database_info": info
                })
            })
            .collect();
        json!({"version": 1, "jobs": jobs, "tencent_jobs": tencent_jobs})
    })
}

/// Import every job of `world` into an empty configuration, then: the directory loads
/// (validate), the file is formatted (fmt --check), and the plan has no changes.
async fn imports_to_no_changes(world: &Value) -> Result<(), TestCaseError> {
    let world = World::from_json("generated", &world.to_string()).expect("a valid world");
    let emulator = start(fast_config(), world).await;
    let target = EndpointOverride {
        endpoint: parse_endpoint(&emulator.url()).unwrap(),
        credentials: emulator_credentials(),
        tencent_credentials: tencent_credentials(),
    };
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("providers.hcl"), PROVIDERS).unwrap();
    let inputs = Inputs {
        env: Environment::empty(),
        ..Inputs::default()
    };
    let config = load(tmp.path(), &inputs).expect("providers load");
    let clients = Clients::new(&config, &Environment::empty(), Some(&target)).expect("clients");
    let request = Request {
        selection: Selection::All,
        out: "imported.hcl".into(),
        parallelism: 4,
    };
    let outcome = dtsform::import::import(&config, &clients, &inputs, &request)
        .await
        .map_err(|e| {
            TestCaseError::fail(format!(
                "{:?}",
                e.iter().map(|e| &e.message).collect::<Vec<_>>()
            ))
        })?;
    let refused: Vec<&String> = outcome.refused.iter().map(|e| &e.message).collect();
    prop_assert!(refused.is_empty(), "refused: {refused:#?}");
    let file = outcome.file.expect("a file");
    let text = std::fs::read_to_string(&file).unwrap();
    prop_assert_eq!(
        dtsform::config::fmt::format_hcl(&text),
        text.clone(),
        "fmt --check"
    );
    let config = load(tmp.path(), &inputs).map_err(|e| {
        TestCaseError::fail(format!(
            "{text}\n{:#?}",
            e.errors.iter().map(|e| &e.message).collect::<Vec<_>>()
        ))
    })?;
    let clients = Clients::new(&config, &Environment::empty(), Some(&target)).expect("clients");
    let plan = dtsform::plan::fetch::plan(&config, &clients, 4, &dtsform::guard::Flags::default())
        .await
        .map_err(|e| {
            TestCaseError::fail(format!(
                "{text}\n{:#?}",
                e.iter().map(|e| &e.message).collect::<Vec<_>>()
            ))
        })?;
    prop_assert!(
        !plan.has_changes(),
        "{text}\n{}",
        dtsform::render::render_plan(&plan, dtsform::render::Style { colour: false })
    );
    // Running it again imports nothing new.
    let again = dtsform::import::import(&config, &clients, &inputs, &request)
        .await
        .map_err(|e| {
            TestCaseError::fail(format!(
                "{:?}",
                e.iter().map(|e| &e.message).collect::<Vec<_>>()
            ))
        })?;
    prop_assert!(again.file.is_none() && again.imported.is_empty() && again.refused.is_empty());
    emulator.stop().await;
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn every_generated_world_imports_to_no_changes(world in world()) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(imports_to_no_changes(&world))?;
    }
}
