//! The checks across resources: one job per resource.

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
