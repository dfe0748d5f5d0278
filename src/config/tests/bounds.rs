//! Evaluation is bounded: each hostile input ends in one located diagnostic that names the
//! limit it hit, never in an allocation failure, a stack overflow or an endless read.

use std::fmt::Write as _;

use super::super::limits::{
    Limit, MAX_COLLECTION_LEN, MAX_FILE_BYTES, MAX_STRING_BYTES, MAX_VALUE_DEPTH,
};
use super::*;

/// The one error of a refused configuration: (code, message, text under the caret).
fn one_error(files: &[(&str, &str)], inputs: &Inputs) -> (String, String, String) {
    let mut e = errors_with(files, inputs);
    assert_eq!(e.len(), 1, "{e:#?}");
    e.remove(0)
}

/// A diagnostic of the limit: its code, and a message (after the function's name, for a
/// function) that names the limit.
fn assert_limit(code: &str, message: &str, limit: Limit) {
    assert_eq!(code, "eval_limit", "{message}");
    assert!(message.ends_with(limit.message()), "{message}");
}

/// An expression for a string of 4,000,000 bytes, just under the string limit.
fn four_megabytes() -> String {
    format!(
        "join(\"\", [for i in range(1000) : \"{}\"])",
        "x".repeat(4000)
    )
}

fn locals(body: &str) -> String {
    format!("locals {{\n{body}}}\n")
}

/// A chain of locals, `name0` first: each `name{i}` is `step` with `PREV` standing for
/// `local.name{i-1}`. Written last-first, so the file order is no help.
fn chain(name: &str, first: &str, step: &str, len: usize) -> String {
    let mut body = String::new();
    for i in (1..len).rev() {
        let prev = format!("local.{name}{}", i - 1);
        writeln!(body, "  {name}{i} = {}", step.replace("PREV", &prev)).unwrap();
    }
    writeln!(body, "  {name}0 = {first}").unwrap();
    locals(&body)
}

#[test]
fn nested_fors_over_ranges_hit_the_expression_limit() {
    let text = locals(
        "  x = [for a in range(1000) : [for b in range(1000) : [for c in range(1000) : c]]]\n",
    );
    let (code, message, under) = one_error(&[("main.hcl", &text)], &Inputs::default());
    assert_eq!(code, "eval_limit");
    assert_eq!(message, Limit::Expression.message());
    assert!(message.contains("256 MiB"), "{message}");
    assert_eq!(under, "[for c in range(1000) : c]");
    // Loops that build nothing are bounded too.
    let text = locals(
        "  x = [for a in range(1000) : [for b in range(1000) : [for c in range(1000) : c if false]]]\n",
    );
    let (code, _, _) = one_error(&[("main.hcl", &text)], &Inputs::default());
    assert_eq!(code, "eval_limit");
}

#[test]
fn a_string_doubled_in_a_chain_of_locals_hits_the_string_limit() {
    let text = chain("s", "\"0123456789abcdef\"", "\"${PREV}${PREV}\"", 40);
    let (code, message, under) = one_error(&[("main.hcl", &text)], &Inputs::default());
    assert_eq!(code, "eval_limit");
    assert_eq!(message, Limit::String.message());
    // 16 bytes doubled 18 times is 4 MiB, the most a string may hold.
    assert_eq!(MAX_STRING_BYTES, 16 << 18);
    assert!(under.starts_with("local.s18"), "{under}");
    // Through functions too, each stopped before it builds.
    for step in [
        "join(\"\", [PREV, PREV])",
        "format(\"%s%s\", PREV, PREV)",
        "replace(PREV, \"0\", PREV)",
    ] {
        let text = chain("s", "\"0123456789abcdef\"", step, 40);
        let (code, message, _) = one_error(&[("main.hcl", &text)], &Inputs::default());
        assert_limit(&code, &message, Limit::String);
    }
}

#[test]
fn a_list_doubled_in_a_chain_of_locals_hits_a_limit() {
    let text = chain("l", "[1]", "concat(PREV, PREV)", 40);
    let (code, message, under) = one_error(&[("main.hcl", &text)], &Inputs::default());
    assert_limit(&code, &message, Limit::Collection);
    assert!(message.contains(&MAX_COLLECTION_LEN.to_string()));
    assert_eq!(under, "concat(local.l16, local.l16)");
    // Nesting instead of growing: the size doubles while every list has two elements (of
    // 4 MB strings, to get there in a few steps).
    let text = chain("n", &four_megabytes(), "[PREV, PREV]", 40);
    let (code, message, _) = one_error(&[("main.hcl", &text)], &Inputs::default());
    assert_limit(&code, &message, Limit::Expression);
}

#[test]
fn a_deep_value_hits_the_nesting_limit() {
    let text = chain("v", "1", "[PREV]", 1000);
    let (code, message, under) = one_error(&[("main.hcl", &text)], &Inputs::default());
    assert_eq!(code, "eval_limit");
    assert_eq!(message, Limit::Depth.message());
    assert_eq!(under, format!("[local.v{}]", MAX_VALUE_DEPTH - 1));
}

#[test]
fn one_collection_is_bounded_even_when_built_in_one_step() {
    let body = format!(
        "  big = join(\"\", [for i in range(1000) : \"{}\"])\n  parts = split(\"\", local.big)\n",
        "x".repeat(200)
    );
    let (code, message, under) = one_error(&[("main.hcl", &locals(&body))], &Inputs::default());
    assert_limit(&code, &message, Limit::Collection);
    assert_eq!(under, "split(\"\", local.big)");
}

#[test]
fn a_chain_of_50000_locals_loads_in_linear_time_without_recursion() {
    const N: usize = 50_000;
    let text = chain("l", "0", "PREV + 1", N);
    // Run on a thread with a small stack: resolution must not recurse along the chain.
    let config = std::thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(move || {
            let (_dir, result) = load_text(&[("main.hcl", &text)], &Inputs::default());
            result.map(|c| c.jobs.len()).map_err(|e| e.errors.len())
        })
        .unwrap()
        .join()
        .expect("no stack overflow");
    assert_eq!(config, Ok(0));
}

#[test]
fn a_cycle_of_50000_locals_is_named_whole_without_recursion() {
    const N: usize = 50_000;
    // l0 = local.l49999 closes the chain.
    let text = chain("l", &format!("local.l{}", N - 1), "PREV + 1", N);
    let e = std::thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(move || errors_with(&[("main.hcl", &text)], &Inputs::default()))
        .unwrap()
        .join()
        .expect("no stack overflow");
    assert_eq!(e.len(), 1);
    let (code, message, under) = &e[0];
    assert_eq!(code, "dependency_cycle");
    assert_eq!(under, "l0");
    assert!(
        message.starts_with(
            "locals depend on each other in a cycle: local.l0 → local.l49999 → local.l49998 → "
        ),
        "{}",
        &message[..200]
    );
    assert!(message.ends_with(" → local.l1 → local.l0"));
    assert_eq!(message.matches(" → ").count(), N);
}

#[test]
fn a_failing_local_is_reported_once_not_again_for_each_dependent() {
    // Before, each of the 50,000 dependents failed too, each searching all names for a
    // suggestion: quadratic.
    let text = chain("l", "local.missing", "PREV + 1", 50_000);
    let (code, message, under) = one_error(&[("main.hcl", &text)], &Inputs::default());
    assert_eq!(code, "eval");
    assert_eq!(message, "unknown local \"missing\"");
    assert_eq!(under, "local.missing");
}

#[test]
fn file_refuses_devices_fifos_directories_and_large_files() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let big = dir.path().join("big.txt");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(MAX_FILE_BYTES + 1)
        .unwrap();
    let cases = [
        ("/dev/zero".to_owned(), "eval", "is not a regular file"),
        (fifo.display().to_string(), "eval", "is not a regular file"),
        (dir.path().display().to_string(), "eval", "is a directory"),
        (
            big.display().to_string(),
            "eval_limit",
            Limit::File.message(),
        ),
    ];
    for (path, want_code, want) in cases {
        let text = locals(&format!("  x = file({path:?})\n"));
        let (code, message, under) = one_error(&[("main.hcl", &text)], &Inputs::default());
        assert_eq!(code, want_code, "{path}: {message}");
        assert!(message.contains(want), "{path}: {message}");
        assert_eq!(under, format!("{path:?}"));
    }
    // fileexists says so too, rather than true or false.
    let text = locals("  x = fileexists(\"/dev/zero\")\n");
    let (_, message, _) = one_error(&[("main.hcl", &text)], &Inputs::default());
    assert!(message.contains("not a regular file"), "{message}");
}

#[test]
fn a_var_file_is_read_up_to_the_limit() {
    let inputs = Inputs {
        var_files: vec!["/dev/zero".into()],
        ..Inputs::default()
    };
    let decl = "variable \"x\" {\n  default = 1\n}\n";
    let (code, message, _) = one_error(&[("main.hcl", decl)], &inputs);
    assert_eq!(code, "eval_limit");
    assert!(message.contains(Limit::File.message()), "{message}");
}

#[test]
fn limits_are_not_caught_by_try_or_can() {
    let doubled = format!("\"${{{0}}}${{{0}}}\"", four_megabytes());
    for expr in [format!("try({doubled}, 1)"), format!("can({doubled})")] {
        let text = locals(&format!("  x = {expr}\n"));
        let (code, _, _) = one_error(&[("main.hcl", &text)], &Inputs::default());
        assert_eq!(code, "eval_limit", "{expr}");
    }
}

#[test]
fn deeply_nested_expressions_are_a_syntax_error_not_a_stack_overflow() {
    // hcl-edit refuses more than 64 nested levels before anything recurses on them.
    for (open, close) in [("[", "]"), ("(", ")"), ("abs(", ")"), ("\"${", "}\"")] {
        let text = locals(&format!(
            "  x = {}1{}\n",
            open.repeat(100_000),
            close.repeat(100_000)
        ));
        let e = errors(&text);
        assert_eq!(e.len(), 1, "{open}");
        assert_eq!(e[0].0, "syntax", "{open}");
        assert!(e[0].1.contains("nesting depth"), "{}", e[0].1);
    }
}

#[test]
fn an_hcl_entry_that_is_not_a_regular_file_is_an_error_not_skipped() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("providers.hcl"),
        "provider \"alicloud\" {\n  region = \"cn-hangzhou\"\n}\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(
        dir.path().join("gone/jobs.hcl"),
        dir.path().join("jobs.hcl"),
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("more.hcl")).unwrap();
    std::fs::write(dir.path().join("latin1.hcl"), b"# caf\xe9\n").unwrap();
    let errors = crate::config::load(dir.path(), &Inputs::default())
        .unwrap_err()
        .errors;
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    for (name, says) in [
        ("jobs.hcl", "is not a regular file"),
        ("more.hcl", "is not a regular file"),
        ("latin1.hcl", "it is not UTF-8 text"),
    ] {
        assert!(
            messages
                .iter()
                .any(|m| m.contains(name) && m.contains(says)),
            "{name}: {messages:#?}"
        );
    }
}
