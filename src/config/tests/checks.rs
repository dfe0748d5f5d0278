//! The checks across resources and within one: one job per resource, scalar `reserved`
//! values.

use super::*;

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
