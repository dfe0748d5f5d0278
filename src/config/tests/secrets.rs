//! Secrets never appear in any diagnostic: every function, operator and variable source,
//! fed a sensitive value built to make it fail, with the whole rendered report searched
//! for the secret and its obvious transformations.

use std::fmt::Write as _;

use super::super::*;

const SECRET: &str = "S3cr3t-Zx9";
const SECRET_NUM: &str = "48151623";

/// Every form of the secrets a careless message could print.
fn forbidden() -> Vec<String> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(SECRET);
    let reversed: String = SECRET.chars().rev().collect();
    let mut out = vec![
        SECRET.to_owned(),
        SECRET.to_uppercase(),
        SECRET.to_lowercase(),
        b64.trim_end_matches('=').to_owned(),
        SECRET_NUM.to_owned(),
    ];
    // Any 5 characters of the secret or its reverse, in any case.
    for s in [SECRET, reversed.as_str()] {
        let chars: Vec<char> = s.chars().collect();
        out.extend(chars.windows(5).map(|w| w.iter().collect::<String>()));
    }
    out
}

/// Every way a diagnostic reaches the user: the report rendered as miette prints it, and
/// its Display and Debug forms.
fn rendered(errors: &ConfigErrors) -> String {
    let mut out = String::new();
    for e in &errors.errors {
        let handler =
            miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
                .with_width(400);
        handler.render_report(&mut out, e).unwrap();
        write!(out, "\n{e}\n{e:?}\n").unwrap();
    }
    out
}

/// The secret forms found in `text`, case-insensitively.
fn leaks(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    forbidden()
        .into_iter()
        .filter(|f| lower.contains(&f.to_lowercase()))
        .collect()
}

fn assert_no_leak(what: &str, errors: &ConfigErrors) {
    let text = rendered(errors);
    let found = leaks(&text);
    assert!(found.is_empty(), "{what} shows {found:?}:\n{text}");
}

/// Loads `files` (plus a directory named like the secret) with `inputs`.
fn load_files(files: &[(&str, &str)], inputs: &Inputs) -> Result<Config, ConfigErrors> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(SECRET)).unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    load(dir.path(), inputs)
}

fn refused(files: &[(&str, &str)], inputs: &Inputs) -> ConfigErrors {
    match load_files(files, inputs) {
        Ok(_) => panic!("the configuration should be refused: {files:#?}"),
        Err(e) => e,
    }
}

/// The four secret variables, sensitive or not, with their values from -var.
fn secret_variables(sensitive: bool) -> (String, Inputs) {
    let text = format!(
        r#"
variable "secret" {{
  type      = string
  sensitive = {sensitive}
}}
variable "secret_num" {{
  type      = number
  sensitive = {sensitive}
}}
variable "secret_list" {{
  type      = list(string)
  sensitive = {sensitive}
}}
variable "secret_map" {{
  type      = map(string)
  sensitive = {sensitive}
}}
"#
    );
    let inputs = Inputs {
        vars: vec![
            format!("secret={SECRET}"),
            format!("secret_num={SECRET_NUM}"),
            format!("secret_list=[\"{SECRET}\"]"),
            format!("secret_map={{ \"{SECRET}\" = \"{SECRET}\" }}"),
        ],
        ..Inputs::default()
    };
    (text, inputs)
}

/// Evaluates `expr` as a local, once with the variables sensitive and once without:
/// sensitive, it must fail without showing the secret; not, it must fail too and (if
/// `quotes`) show it, which proves the case exercises a message that quotes values.
fn probe(expr: &str, quotes: bool) {
    let run = |sensitive: bool| {
        let (vars, inputs) = secret_variables(sensitive);
        let text = format!("{vars}\nlocals {{\n  probe = {expr}\n}}\n");
        refused(&[("main.hcl", &text)], &inputs)
    };
    let hidden = run(true);
    assert_no_leak(expr, &hidden);
    assert!(
        rendered(&hidden).contains("(sensitive value)"),
        "{expr}: {}",
        rendered(&hidden)
    );
    let shown = rendered(&run(false));
    if quotes {
        assert!(
            !leaks(&shown).is_empty(),
            "{expr} should quote the value when it is not sensitive:\n{shown}"
        );
    }
}

/// One failing call per function: (function, expression, whether its plain message quotes
/// the argument). Functions that can only fail on an argument's type quote none.
const CALLS: &[(&str, &str, bool)] = &[
    ("abs", "abs(var.secret)", true),
    ("alltrue", "alltrue(var.secret_list)", true),
    ("anytrue", "anytrue(var.secret_list)", true),
    ("base64decode", "base64decode(var.secret)", false),
    ("base64encode", "base64encode(var.secret_list)", false),
    ("ceil", "ceil(var.secret)", true),
    ("chomp", "chomp(var.secret_list)", false),
    ("chunklist", "chunklist(var.secret_list, var.secret)", true),
    (
        "coalesce",
        "coalesce(sensitive(null), substr(var.secret, 0, 0))",
        false,
    ),
    ("coalescelist", "coalescelist(var.secret)", true),
    ("compact", "compact(var.secret)", true),
    ("concat", "concat(var.secret)", true),
    ("contains", "contains(var.secret, \"x\")", true),
    ("distinct", "distinct(var.secret)", true),
    ("element", "element(var.secret_list, var.secret)", true),
    ("endswith", "endswith(var.secret_list, \"x\")", false),
    ("file", "file(var.secret)", true),
    ("fileexists", "fileexists(var.secret)", true),
    ("flatten", "flatten(var.secret)", true),
    ("floor", "floor(var.secret)", true),
    ("format", "format(\"%d\", var.secret)", true),
    ("formatlist", "formatlist(\"%d\", var.secret_list)", true),
    ("indent", "indent(var.secret, \"x\")", true),
    ("index", "index([\"a\"], var.secret)", true),
    ("join", "join(\",\", var.secret)", true),
    ("jsondecode", "jsondecode(var.secret)", false),
    ("jsonencode", "jsonencode(var.secret, var.secret)", false),
    ("keys", "keys(var.secret)", true),
    ("length", "length(var.secret_num)", true),
    ("lookup", "lookup({}, var.secret)", true),
    ("lower", "lower(var.secret_list)", false),
    ("max", "max(1, var.secret)", true),
    ("merge", "merge(var.secret)", true),
    ("min", "min(var.secret)", true),
    (
        "nonsensitive",
        "nonsensitive(var.secret, var.secret)",
        false,
    ),
    ("one", "one(var.secret)", true),
    ("parseint", "parseint(var.secret, 10)", true),
    ("pow", "pow(var.secret, 2)", true),
    ("range", "range(var.secret)", true),
    (
        "replace",
        "replace(var.secret, var.secret_list, \"x\")",
        false,
    ),
    ("reverse", "reverse(var.secret)", true),
    ("sensitive", "sensitive(var.secret, 1)", false),
    ("setintersection", "setintersection(var.secret)", true),
    ("setunion", "setunion(var.secret)", true),
    ("signum", "signum(var.secret)", true),
    ("slice", "slice(var.secret_list, 0, var.secret)", true),
    ("sort", "sort(var.secret)", true),
    ("split", "split(\",\", var.secret_list)", false),
    ("startswith", "startswith(var.secret_map, \"x\")", false),
    ("strrev", "strrev(var.secret_list)", false),
    ("substr", "substr(var.secret, var.secret, 1)", true),
    ("sum", "sum(var.secret_list)", true),
    ("title", "title(var.secret_map)", false),
    ("tobool", "tobool(var.secret)", true),
    ("tolist", "tolist(var.secret)", true),
    ("tomap", "tomap(var.secret)", true),
    ("tonumber", "tonumber(var.secret)", true),
    ("toset", "toset(var.secret)", true),
    ("tostring", "tostring(var.secret_list)", false),
    ("trim", "trim(var.secret_list, \"x\")", false),
    ("trimprefix", "trimprefix(var.secret_list, \"x\")", false),
    ("trimspace", "trimspace(var.secret_list)", false),
    ("trimsuffix", "trimsuffix(var.secret_list, \"x\")", false),
    ("upper", "upper(var.secret_map)", false),
    ("values", "values(var.secret)", true),
    ("zipmap", "zipmap(var.secret, [])", true),
];

#[test]
fn every_function_hides_a_sensitive_argument_in_its_error() {
    let covered: Vec<&str> = CALLS.iter().map(|(f, _, _)| *f).collect();
    assert_eq!(
        covered,
        functions::names(),
        "every function needs a case here, in name order"
    );
    for (_, expr, quotes) in CALLS {
        probe(expr, *quotes);
    }
}

#[test]
fn operators_indexes_attributes_fors_and_templates_hide_sensitive_values() {
    for expr in [
        "var.secret + 1",
        "-var.secret",
        "!var.secret",
        "var.secret ? 1 : 2",
        "var.secret && true",
        "var.secret.name",
        "var.secret[0]",
        "var.secret_list[var.secret_num]",
        "[\"a\"][var.secret_num]",
        "{ a = 1 }[var.secret]",
        "var.secret_map.nope",
        "var.secret_list[*].name",
        "[for x in var.secret : x]",
        "[for x in var.secret_list : x if x]",
        "{ for x in concat(var.secret_list, var.secret_list) : x => 1 }",
        "\"%{ if var.secret }x%{ endif }\"",
        "\"%{ for k, v in var.secret_map }${tonumber(k)}%{ endfor }\"",
        "[for k, v in var.secret_map : tonumber(k)]",
        "try(tonumber(var.secret))",
        "try(tonumber(var.secret), var.secret + 1)",
        "tonumber(var.secret) + 1",
    ] {
        probe(expr, true);
    }
}

/// A `number` variable given the secret from `files` and `inputs`: the type error must
/// not show it when the variable is sensitive, and does when it is not.
fn type_error(source: &str, files: &[(&str, &str)], inputs: &Inputs) {
    let run = |sensitive: bool| {
        let decl =
            format!("variable \"pw\" {{\n  type      = number\n  sensitive = {sensitive}\n}}\n");
        let mut all = vec![("main.hcl", decl.as_str())];
        all.extend_from_slice(files);
        refused(&all, inputs)
    };
    let hidden = run(true);
    assert_no_leak(source, &hidden);
    assert!(
        !leaks(&rendered(&run(false))).is_empty(),
        "{source}: the control run should quote the value"
    );
}

#[test]
fn type_errors_of_every_variable_source_hide_a_sensitive_value() {
    let none: &[(&str, &str)] = &[];
    type_error(
        "-var",
        none,
        &Inputs {
            vars: vec![format!("pw={SECRET}")],
            ..Inputs::default()
        },
    );
    type_error(
        "DTSFORM_VAR_pw",
        none,
        &Inputs {
            env: crate::env::Environment::empty().with_var("DTSFORM_VAR_pw", SECRET),
            ..Inputs::default()
        },
    );
    let hcl = format!("pw = \"{SECRET}\"\n");
    let json = format!("{{\"pw\": \"{SECRET}\"}}");
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [("secrets.hcl", hcl), ("secrets.json", json)] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        type_error(
            name,
            none,
            &Inputs {
                vars: Vec::new(),
                var_files: vec![path],
                ..Inputs::default()
            },
        );
    }
}

#[test]
fn a_sensitive_default_is_hidden_in_type_and_evaluation_errors() {
    for default in [
        format!("\"{SECRET}\""),
        format!("tonumber(\"{SECRET}\")"),
        format!("\"{SECRET}\" + 1"),
    ] {
        let text = format!(
            "variable \"pw\" {{\n  type      = number\n  sensitive = true\n  default   = {default}\n}}\n"
        );
        let e = refused(&[("main.hcl", &text)], &Inputs::default());
        assert_no_leak(&default, &e);
    }
}

#[test]
fn a_var_file_never_shows_a_sensitive_entry() {
    let dir = tempfile::tempdir().unwrap();
    let decls = "variable \"pw\" {\n  sensitive = true\n}\nvariable \"n\" {\n  type = number\n}\n";
    for (name, text) in [
        // An evaluation error in the entry itself.
        ("a.hcl", format!("pw = \"{SECRET}\" + 1\nn = 1\n")),
        // An error next to it, whose snippet would show its line.
        ("b.hcl", format!("pw = \"{SECRET}\"\nn = 1 + []\n")),
        // A syntax error in it: nothing is known yet about which line is secret.
        ("c.hcl", format!("n = 1\npw = \"{SECRET}\n")),
        ("d.hcl", format!("n = 1\npw = [\"{SECRET}\"\n")),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let inputs = Inputs {
            var_files: vec![path],
            ..Inputs::default()
        };
        let e = refused(&[("main.hcl", decls)], &inputs);
        assert_no_leak(name, &e);
    }
}

#[test]
fn a_var_argument_without_a_name_is_not_echoed() {
    let inputs = Inputs {
        vars: vec![SECRET.to_owned()],
        ..Inputs::default()
    };
    let e = refused(
        &[("main.hcl", "variable \"pw\" {\n  sensitive = true\n}\n")],
        &inputs,
    );
    assert_no_leak("-var without =", &e);
    assert_eq!(e.errors[0].code, "invalid_var");
}

#[test]
fn a_failing_validation_hides_a_sensitive_value() {
    for condition in [
        "tonumber(var.pw) > 0",
        "length(var.pw) > 100",
        "var.pw + 1 > 0",
        "contains([\"x\"], var.pw)",
    ] {
        let text = format!(
            "variable \"pw\" {{\n  sensitive = true\n  validation {{\n    condition     = {condition}\n    error_message = \"pw must be a long number\"\n  }}\n}}\n"
        );
        let inputs = Inputs {
            vars: vec![format!("pw={SECRET}")],
            ..Inputs::default()
        };
        let e = refused(&[("main.hcl", &text)], &inputs);
        assert_no_leak(condition, &e);
    }
}

const PROVIDER: &str = "provider \"alicloud\" {\n  region = \"cn-hangzhou\"\n}\n";

/// A job whose source block holds `password`, and an unknown attribute on the next line
/// (whose snippet shows the password's line too).
fn job_with_password(password: &str) -> String {
    format!(
        r#"{PROVIDER}
resource "alicloud_dts_job" "shop" {{
  dts_job_id = "k2gm967v16f"
  source {{
    instance_type  = "rds"
    username       = "reader"
    password       = {password}
    shard_password = {password}
    unknown_thing  = 1
  }}
}}
"#
    )
}

#[test]
fn a_literal_password_is_not_shown_in_its_diagnostic_or_a_neighbours() {
    for password in [
        format!("\"{SECRET}\""),
        format!("\"${{\"{SECRET}\"}}\""),
        format!("<<EOT\n{SECRET}\nEOT"),
        format!("tonumber(\"{SECRET}\")"),
        format!("lower(\"{SECRET}\")"),
        SECRET_NUM.to_owned(),
    ] {
        let e = refused(
            &[("main.hcl", &job_with_password(&password))],
            &Inputs::default(),
        );
        assert_no_leak(&password, &e);
        let codes: Vec<&str> = e.errors.iter().map(|e| e.code).collect();
        assert!(codes.contains(&"unknown_attribute"), "{codes:?}");
        // The caret still points at the password, with its quotes showing what is there.
        let text = rendered(&e);
        assert!(text.contains("password       = "), "{text}");
    }
    let e = refused(
        &[("main.hcl", &job_with_password(&format!("\"{SECRET}\"")))],
        &Inputs::default(),
    );
    let pw = e
        .errors
        .iter()
        .find(|e| e.code == "password_not_sensitive")
        .unwrap();
    let located = pw.location.as_ref().unwrap();
    let under =
        miette::SourceCode::read_span(&located.source, &located.span.clone().into(), 0, 0).unwrap();
    assert_eq!(std::str::from_utf8(under.data()).unwrap(), "\"**********\"");
}

#[test]
fn a_sensitive_password_expression_is_still_shown_as_written() {
    let text = format!(
        "{PROVIDER}\nvariable \"pw\" {{\n  sensitive = true\n}}\nresource \"alicloud_dts_job\" \"shop\" {{\n  dts_job_id = \"k2gm967v16f\"\n  source {{\n    instance_type = \"rds\"\n    username      = \"reader\"\n    password      = var.pw\n  }}\n}}\n"
    );
    let inputs = Inputs {
        vars: vec![format!("pw={SECRET}")],
        ..Inputs::default()
    };
    let config = load_files(&[("main.hcl", &text)], &inputs).unwrap();
    let source = config.jobs[0].source.as_ref().unwrap();
    let pw = source.password.as_ref().unwrap();
    assert_eq!(pw.expression, "var.pw");
    assert_eq!(pw.value.expose(), SECRET);
}

#[test]
fn a_literal_marked_sensitive_is_not_shown_in_any_snippet() {
    let text =
        format!("{PROVIDER}\nlocals {{\n  pw  = sensitive(\"{SECRET}\")\n  bad = 1 + []\n}}\n");
    let e = refused(&[("main.hcl", &text)], &Inputs::default());
    assert_no_leak("a local next to sensitive(...)", &e);
    let text = job_with_password("var.nope").replace(
        "username       = \"reader\"",
        &format!("username       = sensitive(\"{SECRET}\")"),
    );
    let e = refused(&[("main.hcl", &text)], &Inputs::default());
    assert_no_leak("username = sensitive(...)", &e);
    let codes: Vec<&str> = e.errors.iter().map(|e| e.code).collect();
    assert!(codes.contains(&"sensitive_value"), "{codes:?}");
}
