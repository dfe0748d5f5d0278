use std::path::{Path, PathBuf};

use serde_json::json;

use super::value::{canonical, values_equal};
use super::*;

/// The least and (if bounded) most argument count of function `name`.
fn arity(name: &str) -> Option<(usize, Option<usize>)> {
    lookup(name).map(|f| (f.arity.min, f.arity.max))
}

fn ctx_call(dir: &Path, name: &str, args: Vec<Value>) -> Result<Value, FnError> {
    call(name, args, &FnContext { base_dir: dir })
}

fn c(name: &str, args: Vec<Value>) -> Result<Value, FnError> {
    ctx_call(Path::new("."), name, args)
}

fn ok(name: &str, args: Vec<Value>) -> Value {
    match c(name, args) {
        Ok(v) => v,
        Err(e) => panic!("{name} failed: {}", e.message()),
    }
}

fn err(name: &str, args: Vec<Value>) -> FnError {
    match c(name, args) {
        Ok(v) => panic!("{name} should fail, got {v}"),
        Err(e) => e,
    }
}

fn fmt(spec: &str, args: Vec<Value>) -> String {
    let mut all = vec![json!(spec)];
    all.extend(args);
    ok("format", all).as_str().unwrap_or_default().to_owned()
}

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);
impl TempDir {
    fn new(tag: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("hclfuncs-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("create temp dir");
        TempDir(p)
    }
}
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

// ----- the table

#[test]
fn names_are_sorted_unique_and_all_callable() {
    let n = names();
    assert!(
        n.windows(2).all(|w| w[0] < w[1]),
        "names must be sorted and unique"
    );
    for name in n {
        assert!(arity(name).is_some(), "{name} has no arity");
    }
    assert!(!n.contains(&"try") && !n.contains(&"can"));
    for name in n {
        let (min, _) = arity(name).unwrap_or_default();
        let args = vec![json!([]); min];
        if let Err(e) = c(name, args) {
            assert!(
                !e.message().starts_with("unknown function"),
                "{name} is not dispatched"
            );
        }
    }
    assert_eq!(n.len(), 66);
}

#[test]
fn unknown_function() {
    let e = err("nosuch", vec![]);
    assert_eq!(e.reason(), (None, "unknown function"));
    assert_eq!(e.message(), "unknown function nosuch");
    assert_eq!((e.arg(), e.limit()), (None, None));
    assert_eq!(err("try", vec![json!(1)]).message(), "unknown function try");
}

#[test]
fn arity_errors() {
    let e = err("upper", vec![]);
    assert_eq!(e.message(), "upper: expects 1 argument, got 0");
    assert_eq!(e.arg(), None);
    let e = err("upper", vec![json!("a"), json!("b")]);
    assert_eq!(e.message(), "upper: expects 1 argument, got 2");
    assert_eq!(e.arg(), Some(1));
    assert_eq!(
        err("lookup", vec![json!({})]).message(),
        "lookup: expects 2 or 3 arguments, got 1"
    );
    assert_eq!(
        err("range", vec![]).message(),
        "range: expects 1 to 3 arguments, got 0"
    );
    assert_eq!(
        err("range", vec![json!(1), json!(2), json!(3), json!(4)]).message(),
        "range: expects 1 to 3 arguments, got 4"
    );
    assert_eq!(
        err("join", vec![json!(",")]).message(),
        "join: expects at least 2 arguments, got 1"
    );
    assert_eq!(
        err("max", vec![]).message(),
        "max: expects at least 1 argument, got 0"
    );
    assert_eq!(
        err("substr", vec![json!("a")]).message(),
        "substr: expects 3 arguments, got 1"
    );
}

#[test]
fn every_function_survives_odd_arguments() {
    let odd = [
        json!(null),
        json!(true),
        json!(-1),
        json!(1.5),
        json!(u64::MAX),
        json!(i64::MIN),
        json!(1e300),
        json!(""),
        json!("é🎉/x/"),
        json!("%"),
        json!([]),
        json!([null, 1, "a", [2], {"k": 1}]),
        json!({"a": null, "b": [1]}),
    ];
    for name in names() {
        let (min, max) = arity(name).unwrap_or((0, Some(0)));
        for n in min..=max.unwrap_or(min + 2).min(3) {
            for a in &odd {
                for b in &odd {
                    let args: Vec<Value> = (0..n)
                        .map(|i| if i % 2 == 0 { a.clone() } else { b.clone() })
                        .collect();
                    let _ = c(name, args);
                }
            }
        }
    }
}

#[test]
fn every_error_names_its_function_and_a_reason_without_values() {
    // Whatever the message quotes, the reason shown for sensitive arguments is one of
    // the function's fixed texts; these values make every function fail somewhere.
    let marked = [
        json!("Q7mark"),
        json!(["Q7mark"]),
        json!({"Q7mark": "Q7mark"}),
        json!(7_777_777),
    ];
    for name in names() {
        let (min, max) = arity(name).unwrap_or((0, Some(0)));
        for n in min..=max.unwrap_or(min + 2).min(3) {
            for a in &marked {
                for b in &marked {
                    let args: Vec<Value> = (0..n)
                        .map(|i| if i % 2 == 0 { a.clone() } else { b.clone() })
                        .collect();
                    let Err(e) = c(name, args) else { continue };
                    let (function, reason) = e.reason();
                    assert_eq!(function, Some(*name));
                    assert!(!reason.is_empty());
                    assert!(!reason.contains("Q7mark") && !reason.contains("7777777"));
                    assert!(e.message().starts_with(&format!("{name}: ")), "{e}");
                }
            }
        }
    }
}

// ----- encoding

#[test]
fn jsonencode_sorts_keys_and_escapes_html() {
    let v = json!({"b": 1, "a": [true, null, 2.5, {"z": "x", "y": "<&>"}]});
    assert_eq!(
        ok("jsonencode", vec![v]),
        json!(r#"{"a":[true,null,2.5,{"y":"\u003c\u0026\u003e","z":"x"}],"b":1}"#)
    );
    assert_eq!(ok("jsonencode", vec![json!(2.0)]), json!("2"));
    assert_eq!(
        ok("jsonencode", vec![json!("a\"b\n")]),
        json!(r#""a\"b\n""#)
    );
}

#[test]
fn jsondecode_and_errors() {
    assert_eq!(
        ok("jsondecode", vec![json!(r#"{"b":1,"a":[1.0,"x"]}"#)]),
        json!({"b": 1, "a": [1, "x"]})
    );
    let e = err("jsondecode", vec![json!("{\"a\": }")]);
    assert!(
        e.message().starts_with("jsondecode: invalid JSON: "),
        "{}",
        e.message()
    );
    assert!(e.message().contains("line 1 column 7"), "{}", e.message());
    assert_eq!(e.arg(), Some(0));
    assert!(
        err("jsondecode", vec![json!([])])
            .message()
            .contains("must be a string, got list")
    );
}

#[test]
fn json_round_trips() {
    let samples = [
        json!(null),
        json!({"a": {"b": [1, 2, {"c": null}], "d": "é🎉<>"}, "e": -3, "f": 0.25}),
        json!([[[]], {}, "", false, u64::MAX, i64::MIN]),
        json!({"z": [{"y": {"x": [true, 1e-7, "\u{2028}"]}}]}),
        json!("just a string"),
    ];
    for v in samples {
        let enc = ok("jsonencode", vec![v.clone()]);
        let dec = ok("jsondecode", vec![enc]);
        assert!(values_equal(&dec, &v), "{dec} != {v}");
        assert_eq!(canonical(&dec), canonical(&v));
    }
}

#[test]
fn base64() {
    for (plain, enc) in [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("héllo", "aMOpbGxv"),
    ] {
        assert_eq!(ok("base64encode", vec![json!(plain)]), json!(enc));
        assert_eq!(ok("base64decode", vec![json!(enc)]), json!(plain));
    }
    assert_eq!(
        ok("base64decode", vec![json!("Zm9v\r\nYmFy")]),
        json!("foobar")
    );
    for bad in [
        "Zm9", "Zm=v", "Z===", "Zm9v!A==", "=AAA", "Zg==Zg==", "Zé==",
    ] {
        let e = err("base64decode", vec![json!(bad)]);
        assert!(
            e.message()
                .starts_with("base64decode: invalid base64 data at character"),
            "{bad}: {}",
            e.message()
        );
    }
    assert_eq!(
        err("base64decode", vec![json!("/w==")]).message(),
        "base64decode: the decoded data is not valid UTF-8"
    );
}

/// The offset named is the character's in the text given (CR and LF count, though they
/// are skipped), or the end when the length is wrong: whoever does the decoding.
#[test]
fn base64decode_names_the_first_bad_character() {
    for (bad, at) in [
        ("Zm9", 3),
        ("=", 1),
        ("Zg=", 3),
        ("AAAA\n=", 6),
        ("=AAA", 0),
        ("Z===", 1),
        ("Zm=v", 3),
        ("Zg==Zg==", 2),
        ("Zm9v!A==", 4),
        ("Zé==", 1),
        ("Zm9v\r\nYm=y", 9),
        ("Zm9v\nYm€y", 7),
    ] {
        assert_eq!(
            err("base64decode", vec![json!(bad)]).message(),
            format!("base64decode: invalid base64 data at character {at}"),
            "{bad:?}"
        );
    }
    // Bits past the last byte are ignored, as Go's decoder ignores them.
    assert_eq!(ok("base64decode", vec![json!("Zh==")]), json!("f"));
}

// ----- filesystem

#[test]
fn file_and_fileexists() {
    let dir = TempDir::new("file");
    std::fs::write(dir.0.join("hello.txt"), "hi there\n").expect("write");
    std::fs::create_dir_all(dir.0.join("sub")).expect("mkdir");
    std::fs::write(dir.0.join("sub/inner.txt"), "inner").expect("write");
    std::fs::write(dir.0.join("bin.dat"), [0xff, 0xfe, 0x00]).expect("write");

    assert_eq!(
        ctx_call(&dir.0, "file", vec![json!("hello.txt")]),
        Ok(json!("hi there\n"))
    );
    assert_eq!(
        ctx_call(&dir.0, "file", vec![json!("sub/inner.txt")]),
        Ok(json!("inner"))
    );
    let abs = dir.0.join("hello.txt").display().to_string();
    assert_eq!(
        ctx_call(Path::new("/nonexistent"), "file", vec![json!(abs)]),
        Ok(json!("hi there\n"))
    );

    let e = ctx_call(&dir.0, "file", vec![json!("missing.txt")]).expect_err("missing");
    assert!(
        e.message().starts_with("file: cannot read \""),
        "{}",
        e.message()
    );
    assert!(e.message().contains("missing.txt"), "{}", e.message());
    assert!(
        e.message().ends_with("no such file or directory"),
        "{}",
        e.message()
    );
    assert_eq!(e.arg(), Some(0));
    let e = ctx_call(&dir.0, "file", vec![json!("bin.dat")]).expect_err("binary");
    assert!(
        e.message().ends_with("is not valid UTF-8 text"),
        "{}",
        e.message()
    );
    assert!(ctx_call(&dir.0, "file", vec![json!("sub")]).is_err());

    assert_eq!(
        ctx_call(&dir.0, "fileexists", vec![json!("hello.txt")]),
        Ok(json!(true))
    );
    assert_eq!(
        ctx_call(&dir.0, "fileexists", vec![json!("nope.txt")]),
        Ok(json!(false))
    );
    assert_eq!(
        ctx_call(&dir.0, "fileexists", vec![json!("hello.txt/x")]),
        Ok(json!(false))
    );
    let e = ctx_call(&dir.0, "fileexists", vec![json!("sub")]).expect_err("dir");
    assert!(
        e.message().ends_with("is a directory, not a file"),
        "{}",
        e.message()
    );
}

// ----- strings

#[test]
fn case_functions() {
    assert_eq!(ok("lower", vec![json!("HéLLO")]), json!("héllo"));
    assert_eq!(ok("upper", vec![json!("héllo")]), json!("HÉLLO"));
    assert_eq!(ok("upper", vec![json!(true)]), json!("TRUE"));
    assert_eq!(
        ok("title", vec![json!("hello world-wide web_site élan")]),
        json!("Hello World-Wide Web_site Élan")
    );
    let e = err("lower", vec![json!([1])]);
    assert_eq!(
        e.message(),
        "lower: argument must be a string, got list of 1 element"
    );
    assert_eq!(
        err("lower", vec![json!(null)]).message(),
        "lower: argument must not be null"
    );
}

#[test]
fn trimming() {
    assert_eq!(
        ok("trimspace", vec![json!("\n\t hi \u{a0}\n")]),
        json!("hi")
    );
    assert_eq!(
        ok("trim", vec![json!("?!hello?!"), json!("!?")]),
        json!("hello")
    );
    assert_eq!(ok("trim", vec![json!("ééaéé"), json!("é")]), json!("a"));
    assert_eq!(
        ok("trimprefix", vec![json!("helloworld"), json!("hello")]),
        json!("world")
    );
    assert_eq!(
        ok("trimprefix", vec![json!("helloworld"), json!("cat")]),
        json!("helloworld")
    );
    assert_eq!(
        ok("trimsuffix", vec![json!("helloworld"), json!("world")]),
        json!("hello")
    );
    assert_eq!(ok("chomp", vec![json!("hello\r\n\n")]), json!("hello"));
    assert_eq!(
        ok("chomp", vec![json!("hello\n world")]),
        json!("hello\n world")
    );
}

#[test]
fn replace_split_join() {
    assert_eq!(
        ok("replace", vec![json!("1 + 2 + 3"), json!("+"), json!("-")]),
        json!("1 - 2 - 3")
    );
    assert_eq!(
        ok("replace", vec![json!("ab"), json!(""), json!("-")]),
        json!("-a-b-")
    );
    assert_eq!(
        ok("replace", vec![json!("a/b"), json!("/"), json!("-")]),
        json!("a-b")
    );
    let e = err("replace", vec![json!("hello"), json!("/l+/"), json!("L")]);
    assert!(
        e.message().contains("regular expression"),
        "{}",
        e.message()
    );
    assert_eq!(e.arg(), Some(1));

    assert_eq!(
        ok("split", vec![json!(","), json!("a,b,,c")]),
        json!(["a", "b", "", "c"])
    );
    assert_eq!(ok("split", vec![json!(","), json!("")]), json!([""]));
    assert_eq!(ok("split", vec![json!(""), json!("aé")]), json!(["a", "é"]));

    assert_eq!(
        ok("join", vec![json!(", "), json!(["a", 1, true])]),
        json!("a, 1, true")
    );
    assert_eq!(
        ok(
            "join",
            vec![json!("-"), json!(["a"]), json!([]), json!(["b", "c"])]
        ),
        json!("a-b-c")
    );
    assert_eq!(ok("join", vec![json!("-"), json!([])]), json!(""));
    let e = err("join", vec![json!(","), json!(["a", null])]);
    assert_eq!(
        e.message(),
        "join: element 1 of argument 2 must not be null"
    );
    assert_eq!(e.arg(), Some(1));
    assert_eq!(
        err("join", vec![json!(","), json!("a")]).message(),
        "join: argument 2 must be a list, got string \"a\""
    );
}

#[test]
fn split_join_round_trip() {
    let samples = [
        "",
        "a",
        "a,b",
        ",,",
        "é,🎉,x",
        "no separators here",
        ",lead",
        "trail,",
    ];
    for s in samples {
        for sep in [",", "🎉", ", "] {
            let parts = ok("split", vec![json!(sep), json!(s)]);
            assert_eq!(
                ok("join", vec![json!(sep), parts]),
                json!(s),
                "{s:?} / {sep:?}"
            );
        }
    }
}

#[test]
fn format_verbs() {
    assert_eq!(fmt("Hello, %s!", vec![json!("Ander")]), "Hello, Ander!");
    assert_eq!(
        fmt("There are %d lights", vec![json!(4)]),
        "There are 4 lights"
    );
    assert_eq!(fmt("%d", vec![json!("12")]), "12");
    assert_eq!(
        fmt(
            "%5d|%-5d|%05d|%+d|% d",
            vec![json!(42), json!(42), json!(-42), json!(7), json!(7)]
        ),
        "   42|42   |-0042|+7| 7"
    );
    assert_eq!(
        fmt(
            "%f %.2f %.0f %8.3f",
            vec![json!(1.23456), json!(1.23456), json!(2.5), json!(-1)]
        ),
        "1.234560 1.23 2   -1.000"
    );
    assert_eq!(fmt("%.2f", vec![json!(1)]), "1.00");
    assert_eq!(
        fmt(
            "%v %v %v %v %v",
            vec![
                json!("s"),
                json!(1.5),
                json!(true),
                json!(null),
                json!([1, "a"])
            ]
        ),
        "s 1.5 true null [1,\"a\"]"
    );
    assert_eq!(
        fmt("%v", vec![json!({"b": 1, "a": 2})]),
        "{\"a\":2,\"b\":1}"
    );
    assert_eq!(
        fmt("%v %v", vec![json!(12_345_678), json!(0.000_012)]),
        "12345678 1.2e-05"
    );
    assert_eq!(fmt("%#v", vec![json!("s")]), "\"s\"");
    assert_eq!(fmt("%q", vec![json!("a \"b\"\n")]), r#""a \"b\"\n""#);
    assert_eq!(
        fmt("%t %t", vec![json!(true), json!("false")]),
        "true false"
    );
    assert_eq!(fmt("100%%", vec![]), "100%");
    assert_eq!(
        fmt(
            "%x %X %o %b %#x",
            vec![json!(255), json!(255), json!(8), json!(5), json!(-255)]
        ),
        "ff FF 10 101 -0xff"
    );
    assert_eq!(
        fmt("%e %.2E", vec![json!(1234.5678), json!(0.000_123)]),
        "1.234568e+03 1.23E-04"
    );
    assert_eq!(
        fmt(
            "%g %g %.3g %g",
            vec![json!(1_234_567.0), json!(0.5), json!(1234.0), json!(100)]
        ),
        "1.234567e+06 0.5 1.23e+03 100"
    );
    assert_eq!(
        fmt(
            "%.3s|%-6s|%6s",
            vec![json!("abcdef"), json!("é"), json!("🎉")]
        ),
        "abc|é     |     🎉"
    );
    assert_eq!(fmt("%[2]s %[1]s %s", vec![json!("a"), json!("b")]), "b a b");
    assert_eq!(fmt("%s", vec![json!(2.5)]), "2.5");
    assert_eq!(fmt("é%sé", vec![json!("🎉")]), "é🎉é");
}

#[test]
fn format_errors() {
    let e = err("format", vec![json!("%d"), json!("x")]);
    assert_eq!(
        e.message(),
        "format: \"%d\" needs a number, got string \"x\""
    );
    assert_eq!(e.arg(), Some(1));
    assert_eq!(
        err("format", vec![json!("%d"), json!(1.5)]).message(),
        "format: \"%d\" needs a whole number, got number 1.5"
    );
    assert_eq!(
        err("format", vec![json!("%s"), json!([1])]).message(),
        "format: \"%s\" needs a string, got list of 1 element"
    );
    assert_eq!(
        err("format", vec![json!("%s"), json!(null)]).message(),
        "format: \"%s\" needs a string, got null"
    );
    assert_eq!(
        err("format", vec![json!("%t"), json!(1)]).message(),
        "format: \"%t\" needs a bool, got number 1"
    );
    let e = err("format", vec![json!("%z"), json!(1)]);
    assert_eq!(e.message(), "format: unsupported verb \"%z\"");
    assert_eq!(e.arg(), Some(0));
    assert_eq!(
        err("format", vec![json!("%s %s"), json!(1)]).message(),
        "format: not enough arguments for \"%s\": needs argument 2, have 1"
    );
    let e = err("format", vec![json!("%s"), json!(1), json!(2)]);
    assert_eq!(
        e.message(),
        "format: too many arguments; the format string uses only 1"
    );
    assert_eq!(e.arg(), Some(2));
    assert_eq!(
        err("format", vec![json!("plain"), json!(1)]).message(),
        "format: too many arguments; the format string has no verbs"
    );
    assert_eq!(
        err("format", vec![json!("abc %")]).message(),
        "format: unterminated verb at offset 4"
    );
    assert!(
        err("format", vec![json!("%[0]s"), json!(1)])
            .message()
            .contains("bad argument index")
    );
    assert!(
        err("format", vec![json!("%99999999999999999999999d"), json!(1)])
            .message()
            .contains("larger than")
    );
    let spec = "%[1]10000s".repeat(7000);
    assert!(
        err("format", vec![json!(spec), json!("x")])
            .message()
            .contains("larger than")
    );
}

#[test]
fn formatlist() {
    assert_eq!(
        ok(
            "formatlist",
            vec![json!("Hello, %s!"), json!(["Valentina", "Ander"])]
        ),
        json!(["Hello, Valentina!", "Hello, Ander!"])
    );
    assert_eq!(
        ok(
            "formatlist",
            vec![
                json!("%s=%d (%s)"),
                json!(["a", "b"]),
                json!([1, 2]),
                json!("x")
            ]
        ),
        json!(["a=1 (x)", "b=2 (x)"])
    );
    assert_eq!(
        ok("formatlist", vec![json!("%s"), json!("one")]),
        json!(["one"])
    );
    assert_eq!(ok("formatlist", vec![json!("%s"), json!([])]), json!([]));
    let e = err(
        "formatlist",
        vec![json!("%s%s"), json!(["a"]), json!(["b", "c"])],
    );
    assert_eq!(
        e.message(),
        "formatlist: argument 3 has length 2, which is inconsistent with argument 2 of length 1"
    );
    assert_eq!(e.arg(), Some(2));
    let e = err("formatlist", vec![json!("%d"), json!(["x"])]);
    assert_eq!(e.arg(), Some(1));
}

#[test]
fn substr_strrev_and_friends() {
    assert_eq!(
        ok("substr", vec![json!("hello world"), json!(1), json!(4)]),
        json!("ello")
    );
    assert_eq!(
        ok("substr", vec![json!("🤔🤷"), json!(0), json!(1)]),
        json!("🤔")
    );
    assert_eq!(
        ok("substr", vec![json!("hello world"), json!(-5), json!(-1)]),
        json!("world")
    );
    assert_eq!(
        ok("substr", vec![json!("hello"), json!(2), json!(-1)]),
        json!("llo")
    );
    assert_eq!(
        ok("substr", vec![json!("hello"), json!(10), json!(2)]),
        json!("")
    );
    assert_eq!(
        ok("substr", vec![json!("hello"), json!(-10), json!(2)]),
        json!("he")
    );
    assert_eq!(
        ok("substr", vec![json!("hello"), json!(1), json!(100)]),
        json!("ello")
    );
    assert_eq!(
        ok(
            "substr",
            vec![json!("hello"), json!(i64::MAX), json!(i64::MAX)]
        ),
        json!("")
    );
    assert_eq!(
        ok(
            "substr",
            vec![json!("hello"), json!(i64::MIN), json!(i64::MIN)]
        ),
        json!("hello")
    );
    assert_eq!(
        err("substr", vec![json!("hello"), json!(1.5), json!(1)]).message(),
        "substr: offset must be a whole number, got 1.5"
    );
    assert_eq!(ok("strrev", vec![json!("héllo🎉")]), json!("🎉olléh"));
    assert_eq!(
        ok("startswith", vec![json!("hello"), json!("he")]),
        json!(true)
    );
    assert_eq!(
        ok("startswith", vec![json!("hello"), json!("lo")]),
        json!(false)
    );
    assert_eq!(
        ok("endswith", vec![json!("hello"), json!("lo")]),
        json!(true)
    );
    assert_eq!(
        ok("endswith", vec![json!("hello"), json!("he")]),
        json!(false)
    );
    assert_eq!(
        ok("indent", vec![json!(2), json!("[\n  foo,\n]\n")]),
        json!("[\n    foo,\n  ]\n  ")
    );
    assert!(
        err("indent", vec![json!(-1), json!("x")])
            .message()
            .contains("between 0 and")
    );
    let many_lines = "\n".repeat(10_000);
    assert!(
        err("indent", vec![json!(10_000), json!(many_lines)])
            .message()
            .contains("larger than")
    );
    let big = "x".repeat(10_000);
    assert!(
        err(
            "replace",
            vec![json!(big), json!(""), json!("y".repeat(10_000))]
        )
        .message()
        .contains("larger than")
    );
}

// ----- collections

#[test]
fn length_concat_merge() {
    assert_eq!(ok("length", vec![json!("héllo🎉")]), json!(6));
    assert_eq!(ok("length", vec![json!([1, 2, 3])]), json!(3));
    assert_eq!(ok("length", vec![json!({"a": 1})]), json!(1));
    assert_eq!(
        err("length", vec![json!(5)]).message(),
        "length: argument must be a string, list or map, got number 5"
    );
    assert_eq!(
        ok("concat", vec![json!(["a"]), json!([]), json!([1, [2]])]),
        json!(["a", 1, [2]])
    );
    assert_eq!(
        err("concat", vec![json!(["a"]), json!("b")]).message(),
        "concat: argument 2 must be a list, got string \"b\""
    );
    assert_eq!(
        ok(
            "merge",
            vec![
                json!({"a": 1, "b": 2}),
                json!(null),
                json!({"b": 3, "c": 4})
            ]
        ),
        json!({"a": 1, "b": 3, "c": 4})
    );
    assert_eq!(ok("merge", vec![]), json!({}));
    let e = err("merge", vec![json!({}), json!([1])]);
    assert_eq!(
        e.message(),
        "merge: argument 2 must be a map or object, got list of 1 element"
    );
    assert_eq!(e.arg(), Some(1));
}

#[test]
fn keys_values_lookup() {
    let m = json!({"b": 2, "a": 1, "c": 3});
    assert_eq!(ok("keys", vec![m.clone()]), json!(["a", "b", "c"]));
    assert_eq!(ok("values", vec![m.clone()]), json!([1, 2, 3]));
    assert_eq!(ok("lookup", vec![m.clone(), json!("b")]), json!(2));
    assert_eq!(
        ok("lookup", vec![m.clone(), json!("z"), json!("dflt")]),
        json!("dflt")
    );
    let e = err("lookup", vec![m, json!("z")]);
    assert_eq!(e.message(), "lookup: key \"z\" not found");
    assert_eq!(e.arg(), Some(1));
    assert!(
        err("keys", vec![json!([1])])
            .message()
            .contains("must be a map or object")
    );
}

#[test]
fn searching() {
    assert_eq!(
        ok("contains", vec![json!(["a", "b"]), json!("b")]),
        json!(true)
    );
    assert_eq!(
        ok("contains", vec![json!(["a", "b"]), json!("c")]),
        json!(false)
    );
    assert_eq!(ok("contains", vec![json!([1, 2]), json!(2.0)]), json!(true));
    assert_eq!(
        ok(
            "contains",
            vec![json!([{"a": 1, "b": 2}]), json!({"b": 2, "a": 1})]
        ),
        json!(true)
    );
    assert_eq!(
        ok("index", vec![json!(["a", "b", "c"]), json!("b")]),
        json!(1)
    );
    assert_eq!(
        err("index", vec![json!(["a"]), json!("z")]).message(),
        "index: no element equals string \"z\""
    );
    assert_eq!(
        ok(
            "distinct",
            vec![json!(["a", "b", "a", "c", "d", "b", 1, 1.0])]
        ),
        json!(["a", "b", "c", "d", 1])
    );
    assert_eq!(
        ok(
            "flatten",
            vec![json!([["a", "b"], [], ["c", ["d", [["e"]]]], {"k": [1]}])]
        ),
        json!(["a", "b", "c", "d", "e", {"k": [1]}])
    );
}

#[test]
fn element_slice_reverse_sort() {
    assert_eq!(
        ok("element", vec![json!(["a", "b", "c"]), json!(1)]),
        json!("b")
    );
    assert_eq!(
        ok("element", vec![json!(["a", "b", "c"]), json!(3)]),
        json!("a")
    );
    assert_eq!(
        ok("element", vec![json!(["a", "b", "c"]), json!(i64::MAX)]),
        json!("b")
    );
    assert_eq!(
        err("element", vec![json!([]), json!(0)]).message(),
        "element: cannot use element function with an empty list"
    );
    assert_eq!(
        err("element", vec![json!(["a"]), json!(-1)]).message(),
        "element: index must not be negative, got -1"
    );
    assert_eq!(
        ok(
            "slice",
            vec![json!(["a", "b", "c", "d"]), json!(1), json!(3)]
        ),
        json!(["b", "c"])
    );
    assert_eq!(
        ok("slice", vec![json!(["a"]), json!(1), json!(1)]),
        json!([])
    );
    assert_eq!(
        err("slice", vec![json!(["a"]), json!(0), json!(2)]).arg(),
        Some(2)
    );
    assert_eq!(
        err("slice", vec![json!(["a"]), json!(-1), json!(1)]).arg(),
        Some(1)
    );
    assert_eq!(
        err("slice", vec![json!(["a", "b"]), json!(2), json!(1)]).arg(),
        Some(1)
    );
    assert_eq!(ok("reverse", vec![json!([1, "b", 3])]), json!([3, "b", 1]));
    assert_eq!(
        ok("sort", vec![json!(["e", "d", "a", "x", "B"])]),
        json!(["B", "a", "d", "e", "x"])
    );
    assert_eq!(ok("sort", vec![json!([10, 9, 1])]), json!(["1", "10", "9"]));
    assert_eq!(
        err("sort", vec![json!(["a", [1]])]).message(),
        "sort: element 1 must be a string, got list of 1 element"
    );
}

#[test]
fn range_semantics() {
    assert_eq!(ok("range", vec![json!(3)]), json!([0, 1, 2]));
    assert_eq!(ok("range", vec![json!(0)]), json!([]));
    assert_eq!(ok("range", vec![json!(-3)]), json!([0, -1, -2]));
    assert_eq!(ok("range", vec![json!(1), json!(4)]), json!([1, 2, 3]));
    assert_eq!(ok("range", vec![json!(4), json!(1)]), json!([4, 3, 2]));
    assert_eq!(
        ok("range", vec![json!(1), json!(8), json!(2)]),
        json!([1, 3, 5, 7])
    );
    assert_eq!(
        ok("range", vec![json!(1), json!(4), json!(0.5)]),
        json!([1, 1.5, 2, 2.5, 3, 3.5])
    );
    assert_eq!(
        ok("range", vec![json!(10), json!(5), json!(-2)]),
        json!([10, 8, 6])
    );
    assert_eq!(
        ok("range", vec![json!(0), json!(0.5), json!(0.1)]),
        json!([0, 0.1, 0.2, 0.3, 0.4])
    );
    assert_eq!(
        ok("range", vec![json!(1024)]).as_array().map(Vec::len),
        Some(1024)
    );
    let e = err("range", vec![json!(1025)]);
    assert!(
        e.message()
            .starts_with("range: more than 1024 values were generated"),
        "{}",
        e.message()
    );
    assert!(
        err("range", vec![json!(0), json!(1), json!(1e-9)])
            .message()
            .contains("more than 1024")
    );
    let e = err("range", vec![json!(1), json!(2), json!(0)]);
    assert_eq!(
        (e.message(), e.arg()),
        ("range: step must not be zero", Some(2))
    );
    assert_eq!(
        err("range", vec![json!(1), json!(4), json!(-1)]).arg(),
        Some(1)
    );
    assert_eq!(
        err("range", vec![json!(4), json!(1), json!(1)]).arg(),
        Some(1)
    );
    assert_eq!(
        err("range", vec![json!("x")]).message(),
        "range: limit must be a number, got string \"x\""
    );
    assert_eq!(
        ok("range", vec![json!(i64::MAX - 1), json!(i64::MAX)]),
        json!([i64::MAX - 1])
    );
}

#[test]
fn zipmap_coalesce_compact() {
    assert_eq!(
        ok("zipmap", vec![json!(["a", "b"]), json!([1, [2]])]),
        json!({"a": 1, "b": [2]})
    );
    assert_eq!(
        err("zipmap", vec![json!(["a"]), json!([1, 2])]).message(),
        "zipmap: number of keys (1) does not match number of values (2)"
    );
    assert_eq!(
        ok(
            "coalesce",
            vec![json!(null), json!(""), json!("b"), json!("c")]
        ),
        json!("b")
    );
    assert_eq!(ok("coalesce", vec![json!(null), json!(1)]), json!(1));
    assert_eq!(
        err("coalesce", vec![json!(null), json!("")]).message(),
        "coalesce: no non-null, non-empty-string arguments"
    );
    assert_eq!(
        ok(
            "coalescelist",
            vec![json!([]), json!(null), json!(["c"]), json!(["d"])]
        ),
        json!(["c"])
    );
    assert!(
        err("coalescelist", vec![json!([]), json!([])])
            .message()
            .contains("empty")
    );
    assert_eq!(err("coalescelist", vec![json!("a")]).arg(), Some(0));
    assert_eq!(
        ok("compact", vec![json!(["a", "", null, "b", 1])]),
        json!(["a", "b", "1"])
    );
}

#[test]
fn sets_and_conversions() {
    assert_eq!(
        ok("toset", vec![json!(["c", "b", "b", "a"])]),
        json!(["a", "b", "c"])
    );
    assert_eq!(
        ok("toset", vec![json!([3, 1, 2, 1.0, 10])]),
        json!([1, 2, 3, 10])
    );
    assert_eq!(
        ok("toset", vec![json!(["a", 1, true])]),
        json!(["1", "a", "true"])
    );
    assert_eq!(
        ok("toset", vec![json!([true, false, true])]),
        json!([false, true])
    );
    assert_eq!(
        ok("toset", vec![json!([{"a": 1}, {"a": 1}])]),
        json!([{"a": 1}])
    );
    assert!(
        err("toset", vec![json!([1, true])])
            .message()
            .contains("one type")
    );
    assert!(
        err("toset", vec![json!(["a", null])])
            .message()
            .contains("null")
    );
    assert_eq!(
        ok("tolist", vec![json!(["a", 1, null])]),
        json!(["a", "1", null])
    );
    assert!(
        err("tolist", vec![json!(["a", [1]])])
            .message()
            .contains("found string and list")
    );
    assert!(
        err("tolist", vec![json!({"a": 1})])
            .message()
            .contains("must be a list or set")
    );
    assert_eq!(
        ok("tomap", vec![json!({"a": 1, "b": "x"})]),
        json!({"a": "1", "b": "x"})
    );
    assert!(
        err("tomap", vec![json!([1])])
            .message()
            .contains("must be a map or object")
    );
    assert_eq!(
        ok(
            "setunion",
            vec![json!(["a", "b"]), json!(["b", "c"]), json!(["d"])]
        ),
        json!(["a", "b", "c", "d"])
    );
    assert_eq!(
        ok(
            "setintersection",
            vec![json!(["a", "b"]), json!(["b", "c"]), json!(["b", "d"])]
        ),
        json!(["b"])
    );
    assert_eq!(
        ok("setintersection", vec![json!(["1", "2"]), json!([2])]),
        json!(["2"])
    );
    assert_eq!(ok("setintersection", vec![json!(["a"])]), json!(["a"]));
    assert_eq!(
        ok(
            "chunklist",
            vec![json!(["a", "b", "c", "d", "e"]), json!(2)]
        ),
        json!([["a", "b"], ["c", "d"], ["e"]])
    );
    assert_eq!(
        ok("chunklist", vec![json!(["a", "b"]), json!(0)]),
        json!([["a", "b"]])
    );
    assert_eq!(ok("chunklist", vec![json!([]), json!(3)]), json!([]));
    assert!(
        err("chunklist", vec![json!(["a"]), json!(-1)])
            .message()
            .contains("negative")
    );
}

#[test]
fn one_alltrue_anytrue_sum() {
    assert_eq!(ok("one", vec![json!([])]), json!(null));
    assert_eq!(ok("one", vec![json!(["hello"])]), json!("hello"));
    assert_eq!(
        err("one", vec![json!(["a", "b"])]).message(),
        "one: list must have zero or one elements, got 2"
    );
    assert_eq!(
        err("one", vec![json!(null)]).message(),
        "one: argument must not be null"
    );
    assert_eq!(ok("alltrue", vec![json!([true, "true"])]), json!(true));
    assert_eq!(ok("alltrue", vec![json!([])]), json!(true));
    assert_eq!(ok("alltrue", vec![json!([true, false])]), json!(false));
    assert_eq!(ok("alltrue", vec![json!([true, null])]), json!(false));
    assert_eq!(ok("anytrue", vec![json!([false, "true"])]), json!(true));
    assert_eq!(ok("anytrue", vec![json!([])]), json!(false));
    assert_eq!(ok("anytrue", vec![json!([null, false])]), json!(false));
    assert_eq!(
        err("alltrue", vec![json!([1])]).message(),
        "alltrue: element 0 must be a bool, got number 1"
    );
    assert_eq!(ok("sum", vec![json!([10, 13, 6, 4.5])]), json!(33.5));
    assert_eq!(ok("sum", vec![json!([1, 2, 3])]), json!(6));
    assert_eq!(ok("sum", vec![json!([0.5, 0.5])]), json!(1));
    assert_eq!(
        ok("sum", vec![json!([i64::MAX, i64::MAX])]),
        json!(18_446_744_073_709_551_614_u64)
    );
    assert_eq!(
        ok("sum", vec![json!([u64::MAX, u64::MAX])]),
        json!(3.689_348_814_741_910_3e19)
    );
    assert_eq!(
        err("sum", vec![json!([])]).message(),
        "sum: cannot sum an empty list"
    );
    assert_eq!(
        err("sum", vec![json!([1, "2"])]).message(),
        "sum: element 1 must be a number, got string \"2\""
    );
}

// ----- numbers

#[test]
fn number_functions() {
    assert_eq!(ok("abs", vec![json!(-12.4)]), json!(12.4));
    assert_eq!(ok("abs", vec![json!(-3)]), json!(3));
    assert_eq!(
        ok("abs", vec![json!(i64::MIN)]),
        json!(9_223_372_036_854_775_808_u64)
    );
    assert_eq!(ok("ceil", vec![json!(4.1)]), json!(5));
    assert_eq!(ok("ceil", vec![json!(5)]), json!(5));
    assert_eq!(ok("floor", vec![json!(-4.1)]), json!(-5));
    assert_eq!(ok("floor", vec![json!("4.9")]), json!(4));
    assert_eq!(ok("max", vec![json!(12), json!(54), json!(3)]), json!(54));
    assert_eq!(ok("max", vec![json!(1.5), json!(1)]), json!(1.5));
    assert_eq!(ok("min", vec![json!(12), json!(54), json!("3")]), json!(3));
    assert_eq!(
        err("max", vec![json!(1), json!("x")]).message(),
        "max: argument 2 must be a number, got string \"x\""
    );
    assert_eq!(ok("pow", vec![json!(3), json!(2)]), json!(9));
    assert_eq!(ok("pow", vec![json!(4), json!(0.5)]), json!(2));
    assert_eq!(ok("pow", vec![json!(2), json!(-1)]), json!(0.5));
    assert_eq!(
        ok("pow", vec![json!(2), json!(100)]),
        json!(1_267_650_600_228_229_401_496_703_205_376.0)
    );
    assert_eq!(
        err("pow", vec![json!(0), json!(-1)]).message(),
        "pow: result is not a finite number"
    );
    assert_eq!(ok("signum", vec![json!(-13)]), json!(-1));
    assert_eq!(ok("signum", vec![json!(0)]), json!(0));
    assert_eq!(ok("signum", vec![json!(0.1)]), json!(1));
    assert_eq!(ok("parseint", vec![json!("100"), json!(10)]), json!(100));
    assert_eq!(ok("parseint", vec![json!("FF"), json!(16)]), json!(255));
    assert_eq!(ok("parseint", vec![json!("-10"), json!(16)]), json!(-16));
    assert_eq!(
        ok("parseint", vec![json!("1011111011101111"), json!(2)]),
        json!(48879)
    );
    assert_eq!(
        ok("parseint", vec![json!("aA"), json!(62)]),
        json!(10 * 62 + 36)
    );
    assert_eq!(ok("parseint", vec![json!("zz"), json!(36)]), json!(1295));
    assert_eq!(
        err("parseint", vec![json!("12"), json!(2)]).message(),
        "parseint: cannot parse \"12\" as a base 2 integer"
    );
    assert_eq!(
        err("parseint", vec![json!("1"), json!(63)]).message(),
        "parseint: base must be between 2 and 62, got 63"
    );
    assert!(
        err("parseint", vec![json!(12), json!(10)])
            .message()
            .contains("must be a string")
    );
    assert!(
        err(
            "parseint",
            vec![json!("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"), json!(36)]
        )
        .message()
        .contains("cannot parse")
    );
}

#[test]
fn type_conversions() {
    assert_eq!(ok("tostring", vec![json!("hello")]), json!("hello"));
    assert_eq!(ok("tostring", vec![json!(1)]), json!("1"));
    assert_eq!(ok("tostring", vec![json!(1.5)]), json!("1.5"));
    assert_eq!(
        ok("tostring", vec![json!(1e21)]),
        json!("1000000000000000000000")
    );
    assert_eq!(ok("tostring", vec![json!(true)]), json!("true"));
    assert_eq!(ok("tostring", vec![json!(null)]), json!(null));
    assert_eq!(
        err("tostring", vec![json!([])]).message(),
        "tostring: cannot convert list to string"
    );
    assert_eq!(ok("tonumber", vec![json!("1")]), json!(1));
    assert_eq!(ok("tonumber", vec![json!("-2.5e1")]), json!(-25));
    assert_eq!(ok("tonumber", vec![json!("0.5")]), json!(0.5));
    assert_eq!(ok("tonumber", vec![json!(3)]), json!(3));
    assert_eq!(ok("tonumber", vec![json!(null)]), json!(null));
    assert_eq!(
        err("tonumber", vec![json!("no")]).message(),
        "tonumber: cannot convert string \"no\" to number"
    );
    assert!(c("tonumber", vec![json!("inf")]).is_err());
    assert!(c("tonumber", vec![json!("NaN")]).is_err());
    assert_eq!(ok("tobool", vec![json!("true")]), json!(true));
    assert_eq!(ok("tobool", vec![json!(false)]), json!(false));
    assert_eq!(ok("tobool", vec![json!(null)]), json!(null));
    assert_eq!(
        err("tobool", vec![json!("yes")]).message(),
        "tobool: cannot convert string \"yes\" to bool"
    );
    assert_eq!(ok("sensitive", vec![json!({"a": 1})]), json!({"a": 1}));
    assert_eq!(ok("nonsensitive", vec![json!("x")]), json!("x"));
}
