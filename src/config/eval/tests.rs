use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value, json};

use super::*;

fn vars() -> BTreeMap<String, Evaluated> {
    let mut v = BTreeMap::new();
    v.insert(
        "tables".into(),
        Evaluated::plain(json!(["orders", "customers"])),
    );
    v.insert("cutoff".into(), Evaluated::plain(json!("2024-01-01")));
    v.insert("n".into(), Evaluated::plain(json!(3)));
    v.insert(
        "password".into(),
        Evaluated {
            value: json!("hunter2"),
            sensitive: true,
        },
    );
    v.insert(
        "db".into(),
        Evaluated::plain(json!({"name": "shop", "tables": [{"t": "a"}, {"t": "b"}]})),
    );
    v
}

fn run(text: &str) -> Result<Evaluated> {
    let expr = hcl_edit::parser::parse_expr(text).expect("parses");
    let variables = vars();
    let mut locals = BTreeMap::new();
    locals.insert("prefix".into(), Evaluated::plain(json!("shop_")));
    let scope = Scope::new(&variables, &locals, Path::new("/cfg")).bind(
        "table",
        Evaluated::plain(json!({"key": 0, "value": "orders"})),
    );
    eval(&expr, &scope)
}

fn value(text: &str) -> Value {
    run(text).unwrap_or_else(|e| panic!("{text}: {e:?}")).value
}

fn error(text: &str) -> EvalError {
    run(text).expect_err(text)
}

#[test]
fn literals_collections_and_references() {
    assert_eq!(value("null"), Value::Null);
    assert_eq!(value("[1, 2.5, true, \"x\"]"), json!([1, 2.5, true, "x"]));
    assert_eq!(
        value("{ a = 1, \"b c\" = 2, (local.prefix) = 3 }"),
        json!({"a": 1, "b c": 2, "shop_": 3})
    );
    assert_eq!(value("var.tables[1]"), json!("customers"));
    assert_eq!(value("var.db.tables[*].t"), json!(["a", "b"]));
    assert_eq!(value("var.db.tables.0.t"), json!("a"));
    assert_eq!(value("var.db[\"name\"]"), json!("shop"));
    assert_eq!(value("table.value"), json!("orders"));
    assert_eq!(value("path.module"), json!("/cfg"));
}

#[test]
fn templates_and_heredocs() {
    assert_eq!(
        value("\"${local.prefix}${table.value} > '${var.cutoff}'\""),
        json!("shop_orders > '2024-01-01'")
    );
    assert_eq!(
        value("\"a %{ if var.n > 2 }big%{ else }small%{ endif } b\""),
        json!("a big b")
    );
    assert_eq!(
        value("\"%{ for t in var.tables }${t},%{ endfor }\""),
        json!("orders,customers,")
    );
    assert_eq!(value("\"x   ${~ \"y\" ~}   z\""), json!("xyz"));
    assert_eq!(
        value("<<-EOT\n    one\n      two\n    EOT"),
        json!("one\n  two\n")
    );
}

#[test]
fn operators_conditionals_and_for_expressions() {
    assert_eq!(value("var.n * 2 + 1"), json!(7));
    assert_eq!(value("7 / 2"), json!(3.5));
    assert_eq!(value("7 % 4 == 3 && !false"), json!(true));
    assert_eq!(value("var.n > 2 ? \"yes\" : \"no\""), json!("yes"));
    assert_eq!(
        value("[for t in var.tables : upper(t) if t != \"orders\"]"),
        json!(["CUSTOMERS"])
    );
    assert_eq!(
        value("{for i, t in var.tables : t => i}"),
        json!({"orders": 0, "customers": 1})
    );
    assert_eq!(
        value("{for t in [\"a\", \"b\", \"a\"] : t => t...}"),
        json!({"a": ["a", "a"], "b": ["b"]})
    );
    assert_eq!(value("lower(\"ABC\")"), json!("abc"));
    assert_eq!(value("try(var.nope, \"fallback\")"), json!("fallback"));
    assert_eq!(value("can(var.nope)"), json!(false));
}

#[test]
fn sensitivity_spreads_and_is_never_shown() {
    let v = run("\"user:${var.password}\"").unwrap();
    assert!(v.sensitive);
    assert!(run("[var.password]").unwrap().sensitive);
    assert!(run("var.password == \"x\" ? 1 : 2").unwrap().sensitive);
    assert!(!run("nonsensitive(var.password)").unwrap().sensitive);
    assert!(run("sensitive(\"x\")").unwrap().sensitive);
    let e = error("var.password + 1");
    assert!(e.message.contains("(sensitive value)"), "{e:?}");
    assert!(!e.message.contains("hunter2"));
}

#[test]
fn errors_point_at_the_culprit_and_suggest() {
    let text = "var.tabels[0]";
    let e = error(text);
    assert_eq!(&text[e.span.clone()], "var.tabels");
    assert_eq!(e.help.as_deref(), Some("did you mean var.tables?"));

    let text = "upper(local.nope)";
    let e = error(text);
    assert_eq!(&text[e.span.clone()], "local.nope");
    assert_eq!(e.message, "unknown local \"nope\"");

    let e = error("lowr(\"x\")");
    assert_eq!(e.help.as_deref(), Some("did you mean lower?"));
    let e = error("alicloud_dts_job.x");
    assert!(e.help.unwrap().contains("depends_on"));
    let text = "var.tables[5]";
    let e = error(text);
    assert!(e.message.contains("out of range"));
    assert_eq!(&text[e.span.clone()], "[5]");
    assert!(error("1 / 0").message.contains("division by zero"));
    assert!(
        error("\"${var.tables}\"")
            .message
            .contains("cannot put list of 2")
    );
    assert!(
        error("{for t in [\"a\", \"a\"] : t => 1}")
            .message
            .contains("duplicate key")
    );
}

#[test]
fn a_long_list_of_declared_names_is_cut_short() {
    let variables: BTreeMap<String, Evaluated> = (0..30)
        .map(|i| (format!("v{i:02}"), Evaluated::plain(json!(i))))
        .collect();
    let locals = BTreeMap::new();
    let scope = Scope::new(&variables, &locals, Path::new("/cfg"));
    let expr = hcl_edit::parser::parse_expr("var.something_else").unwrap();
    let help = eval(&expr, &scope).unwrap_err().help.unwrap();
    assert!(help.starts_with("declared: v00, v01,"), "{help}");
    assert!(help.ends_with("v19, … (30 in all)"), "{help}");
}
