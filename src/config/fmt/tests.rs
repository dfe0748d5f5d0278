use super::format_hcl;

/// Asserts `input` formats to `expected`, and that `expected` is a fixed point.
#[track_caller]
fn check(input: &str, expected: &str) {
    let got = format_hcl(input);
    assert_eq!(
        got, expected,
        "\n--- input ---\n{input}\n--- got ---\n{got}"
    );
    assert_eq!(
        format_hcl(expected),
        expected,
        "expected output is not a fixed point"
    );
}

fn strip_ws(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, ' ' | '\t' | '\r' | '\n'))
        .collect()
}

/// Checks the properties every formatting must have.
#[track_caller]
fn check_properties(input: &str) {
    let once = format_hcl(input);
    let twice = format_hcl(&once);
    assert_eq!(twice, once, "not idempotent for input {input:?}");
    assert_eq!(
        strip_ws(&once),
        strip_ws(input),
        "changed non-whitespace for {input:?}"
    );
    assert!(once.is_empty() || (once.ends_with('\n') && !once.ends_with("\n\n")));
    assert!(!once.contains('\r') || input.contains('\r'));
}

const SAMPLE: &str = r#"provider "alicloud" {
region="cn-hangzhou"
  endpoint   = "http://127.0.0.1:8417" # the emulator
}

resource   "alicloud_dts_job"    "shop_sync"{
  dts_job_id = "k2gm967v16f"
  status = "running"
  database "shop" {
      target = "shop_replica"
    dynamic "table" {
      for_each = var.shop_tables
      labels = [table.value]
      content {}
    }
    table "payments" {
      filter = "created_at >= '${var.cutoff}'"   // a template
      columns = ["id", "amount",
        "created_at"]
    }
  }


  removed {
    objects = ["shop.legacy_orders"]
  }
  db_list = <<-EOT
    {"keep": "   this   =  indentation   "}
  EOT
}
"#;

const SAMPLE_FORMATTED: &str = r#"provider "alicloud" {
  region   = "cn-hangzhou"
  endpoint = "http://127.0.0.1:8417" # the emulator
}

resource "alicloud_dts_job" "shop_sync" {
  dts_job_id = "k2gm967v16f"
  status     = "running"
  database "shop" {
    target = "shop_replica"
    dynamic "table" {
      for_each = var.shop_tables
      labels   = [table.value]
      content {}
    }
    table "payments" {
      filter  = "created_at >= '${var.cutoff}'"   // a template
      columns = ["id", "amount",
        "created_at"]
    }
  }

  removed {
    objects = ["shop.legacy_orders"]
  }
  db_list = <<-EOT
    {"keep": "   this   =  indentation   "}
  EOT
}
"#;

#[test]
fn formats_the_sample_config() {
    check(SAMPLE, SAMPLE_FORMATTED);
}

// --- rule 1: indentation ------------------------------------------------------------------

#[test]
fn indents_two_spaces_per_level() {
    check(
        "job \"a\" {\ndatabase \"b\" {\ntable \"c\" {\nfilter = \"x\"\n}\n}\n}\n",
        "job \"a\" {\n  database \"b\" {\n    table \"c\" {\n      filter = \"x\"\n    }\n  }\n}\n",
    );
}

#[test]
fn tabs_in_indentation_become_spaces() {
    check(
        "job \"a\" {\n\tstatus = \"running\"\n\t\tobjects = []\n}\n",
        "job \"a\" {\n  status  = \"running\"\n  objects = []\n}\n",
    );
}

#[test]
fn closing_brackets_dedent_their_line() {
    check(
        "locals {\nlist = [\n\"a\",\n\"b\",\n]\ncall = merge(\n{\na = 1\n},\n)\n}\n",
        "locals {\n  list = [\n    \"a\",\n    \"b\",\n  ]\n  call = merge(\n    {\n      a = 1\n    },\n  )\n}\n",
    );
}

#[test]
fn several_leading_closers_dedent_by_all_of_them() {
    check(
        "locals {\nx = jsonencode({\na = 1\n})\ny = [{\nb = 2\n}, {\nc = 3\n}]\n}\n",
        "locals {\n  x = jsonencode({\n    a = 1\n  })\n  y = [{\n    b = 2\n  }, {\n    c = 3\n  }]\n}\n",
    );
}

#[test]
fn brackets_opened_on_one_line_indent_one_level() {
    check(
        "resource \"a\" \"b\" {\ndb_list = jsonencode({\nshop = merge(\n{ a = 1 },\n{\nb = 2\n}\n)\n})\n}\n",
        "resource \"a\" \"b\" {\n  db_list = jsonencode({\n    shop = merge(\n      { a = 1 },\n      {\n        b = 2\n      }\n    )\n  })\n}\n",
    );
}

#[test]
fn continuation_lines_are_indented_inside_their_bracket() {
    check(
        "locals {\ncolumns = [\"id\", \"amount\",\n\"created_at\"]\nn = 1\n}\n",
        "locals {\n  columns = [\"id\", \"amount\",\n    \"created_at\"]\n  n = 1\n}\n",
    );
}

#[test]
fn unbalanced_closers_saturate_at_zero() {
    check("}\n}\na = 1\n  }\n", "}\n}\na = 1\n}\n");
    check("]])\nx {\ny = 1\n}\n", "]])\nx {\n  y = 1\n}\n");
}

#[test]
fn multi_line_interpolation_is_indented() {
    check(
        "locals {\nx = \"${join(\",\",\n[\"a\", \"b\"]\n)}\"\n}\n",
        "locals {\n  x = \"${join(\",\",\n    [\"a\", \"b\"]\n  )}\"\n}\n",
    );
}

// --- rule 2: trailing whitespace ----------------------------------------------------------

#[test]
fn removes_trailing_whitespace() {
    check(
        "job \"a\" {   \n  status = \"running\" \t \n}\t\n",
        "job \"a\" {\n  status = \"running\"\n}\n",
    );
    check(
        "job \"a\" {\n  status = \"running\" # note   \n}\n",
        "job \"a\" {\n  status = \"running\" # note\n}\n",
    );
}

// --- rule 3: attribute alignment ----------------------------------------------------------

#[test]
fn aligns_equals_in_a_run() {
    check(
        "job \"a\" {\nid = \"k2gm967v16f\"\nstatus = \"running\"\ndts_job_name = \"sync\"\n}\n",
        "job \"a\" {\n  id           = \"k2gm967v16f\"\n  status       = \"running\"\n  dts_job_name = \"sync\"\n}\n",
    );
}

#[test]
fn normalizes_spaces_around_equals() {
    check(
        "a=1\nbb   =   2\nccc\t=\t3\nd =\n",
        "a   = 1\nbb  = 2\nccc = 3\nd   =\n",
    );
}

#[test]
fn runs_are_broken_by_blank_comment_header_and_depth() {
    check(
        "job \"a\" {\n  id = 1\n  status = 2\n\n  region = 3\n  # comment\n  endpoint = 4\n  x = 5\n  database \"shop\" {\n    target = \"t\"\n  }\n  long_name = 6\n  y = 7\n}\n",
        "job \"a\" {\n  id     = 1\n  status = 2\n\n  region = 3\n  # comment\n  endpoint = 4\n  x        = 5\n  database \"shop\" {\n    target = \"t\"\n  }\n  long_name = 6\n  y         = 7\n}\n",
    );
}

#[test]
fn multi_line_values_join_the_run_they_open() {
    check(
        "resource \"x\" \"y\" {\nname = \"n\"\ntags = {\nowner = \"dts\"\nenvironment = \"prod\"\n}\nregion = \"r\"\nstatus = \"s\"\n}\n",
        "resource \"x\" \"y\" {\n  name = \"n\"\n  tags = {\n    owner       = \"dts\"\n    environment = \"prod\"\n  }\n  region = \"r\"\n  status = \"s\"\n}\n",
    );
    check(
        "locals {\nn = 1\ncolumns = [\"id\",\n\"amount\"]\n}\n",
        "locals {\n  n       = 1\n  columns = [\"id\",\n    \"amount\"]\n}\n",
    );
}

#[test]
fn leaves_other_equals_alone() {
    check(
        "locals {\nfilter=\"a=b == c\"\nok = a==b\nne=a!=b\nle = a<=b\nge= a>=b\nobj = {k=1,  v  =  2}\nm = { for k, v in var.x : k=>v }\n}\n",
        "locals {\n  filter = \"a=b == c\"\n  ok     = a==b\n  ne     = a!=b\n  le     = a<=b\n  ge     = a>=b\n  obj    = {k=1,  v  =  2}\n  m      = { for k, v in var.x : k=>v }\n}\n",
    );
}

#[test]
fn does_not_treat_comparisons_or_arrows_as_assignments() {
    check(
        "locals {\nm = {\nfor k, v in var.x :\nk   => v\n}\nb = (\na   == b\n)\n}\n",
        "locals {\n  m = {\n    for k, v in var.x :\n    k   => v\n  }\n  b = (\n    a   == b\n  )\n}\n",
    );
}

#[test]
fn aligns_quoted_keys_in_objects() {
    check(
        "locals {\nm = {\n\"shop.orders\"=\"a\"\nid = \"b\"\n}\n}\n",
        "locals {\n  m = {\n    \"shop.orders\" = \"a\"\n    id            = \"b\"\n  }\n}\n",
    );
}

#[test]
fn trailing_comments_stay_while_aligning() {
    check(
        "job \"a\" {\nid = 1 # first\nstatus = \"running\" // second\n}\n",
        "job \"a\" {\n  id     = 1 # first\n  status = \"running\" // second\n}\n",
    );
}

// --- rule 4: block headers ----------------------------------------------------------------

#[test]
fn normalizes_block_headers() {
    check(
        "resource   \"alicloud_dts_job\"    \"shop_sync\"{\n}\ndatabase\t\"a b\"   {}\nlocals{\n}\nx \"y\"  {  # c\n}\n",
        "resource \"alicloud_dts_job\" \"shop_sync\" {\n}\ndatabase \"a b\" {}\nlocals {\n}\nx \"y\" {  # c\n}\n",
    );
}

#[test]
fn header_labels_keep_their_content() {
    check(
        "table   \"a  \\\"b\\\"  {\"   {\nx = 1\n}\n",
        "table \"a  \\\"b\\\"  {\" {\n  x = 1\n}\n",
    );
}

// --- rule 5: blank lines ------------------------------------------------------------------

#[test]
fn collapses_and_trims_blank_lines() {
    check("\n\n\na = 1\n\n\n\nb = 2\n\n\n", "a = 1\n\nb = 2\n");
    check(
        "job \"a\" {\n\n  status = 1\n\n}\n\n\njob \"b\" {\n}",
        "job \"a\" {\n  status = 1\n}\n\njob \"b\" {\n}\n",
    );
    check(
        "locals {\n  m = { # open\n\n    a = 1\n\n  }\n}\n",
        "locals {\n  m = { # open\n    a = 1\n  }\n}\n",
    );
}

#[test]
fn keeps_blank_lines_before_closing_square_brackets() {
    check("x = [\n  1,\n\n]\n", "x = [\n  1,\n\n]\n");
}

#[test]
fn empty_and_blank_files() {
    check("", "");
    check("\n", "");
    check("  \n\t\n\r\n", "");
    check("a = 1", "a = 1\n");
}

// --- rule 6: comments ---------------------------------------------------------------------

#[test]
fn reindents_own_line_comments() {
    check(
        "job \"a\" {\n        # hash\n// slashes\n\t/* block */\n  id = 1\n}\n",
        "job \"a\" {\n  # hash\n  // slashes\n  /* block */\n  id = 1\n}\n",
    );
}

#[test]
fn multi_line_block_comments_are_verbatim() {
    let input = "job \"a\" {\n    /* first line\n  {   keep    = this\n       }   \n  end */\n  id = 1\n}\n";
    check(
        input,
        "job \"a\" {\n  /* first line\n  {   keep    = this\n       }   \n  end */\n  id = 1\n}\n",
    );
}

#[test]
fn code_after_a_block_comment_ends_is_lexed() {
    check(
        "job \"a\" {\n/*\n*/ x = {\ny = 1\n}\n}\n",
        "job \"a\" {\n  /*\n*/ x = {\n    y = 1\n  }\n}\n",
    );
}

#[test]
fn brackets_in_comments_do_not_count() {
    check(
        "job \"a\" { # {\n  id = 1 // }\n  /* ] */ x = 2\n}\n",
        "job \"a\" { # {\n  id = 1 // }\n  /* ] */ x = 2\n}\n",
    );
}

// --- heredocs -----------------------------------------------------------------------------

#[test]
fn plain_heredocs_are_untouched() {
    check(
        "job \"a\" {\ndb_list = <<EOT\n   {\"a\":   1}   \n}\n\n\n   EOT\n    region = \"r\"\n}\n",
        "job \"a\" {\n  db_list = <<EOT\n   {\"a\":   1}   \n}\n\n\n   EOT\n  region = \"r\"\n}\n",
    );
}

#[test]
fn indented_heredocs_keep_content_and_reindent_the_marker() {
    check(
        "job \"a\" {\n      db_list = <<-JSON\n        {\n\n          \"x\": \"  = \"\n        }\n\t\tJSON\n}\n",
        "job \"a\" {\n  db_list = <<-JSON\n        {\n\n          \"x\": \"  = \"\n        }\n  JSON\n}\n",
    );
}

#[test]
fn heredoc_marker_must_be_alone_on_its_line() {
    check(
        "x = <<EOT\nEOT is not the end\n  EOTX\nEOT\ny = 1\n",
        "x = <<EOT\nEOT is not the end\n  EOTX\nEOT\ny = 1\n",
    );
}

#[test]
fn heredoc_inside_a_call() {
    check(
        "locals {\nx = jsonencode(<<-EOT\n  a\n    EOT\n)\n}\n",
        "locals {\n  x = jsonencode(<<-EOT\n  a\n    EOT\n  )\n}\n",
    );
}

// --- strings ------------------------------------------------------------------------------

#[test]
fn strings_with_special_characters() {
    check(
        concat!(
            "job \"a\" {\n",
            "a = \"{\"\n",
            "bb = \"}\"\n",
            "c = \"x = y # not a comment // neither\"\n",
            "d = \"${ \"}\" } and ${ \"{\" }\"\n",
            "e = \"escaped \\\" { quote\"\n",
            "f = \"$${literal} %%{literal} {\"\n",
            "g = \"%{ if var.x }{%{ endif }\"\n",
            "h = \"${ {a = \"${ \"}}\" }\"}.a }\"\n",
            "}\n",
        ),
        concat!(
            "job \"a\" {\n",
            "  a  = \"{\"\n",
            "  bb = \"}\"\n",
            "  c  = \"x = y # not a comment // neither\"\n",
            "  d  = \"${ \"}\" } and ${ \"{\" }\"\n",
            "  e  = \"escaped \\\" { quote\"\n",
            "  f  = \"$${literal} %%{literal} {\"\n",
            "  g  = \"%{ if var.x }{%{ endif }\"\n",
            "  h  = \"${ {a = \"${ \"}}\" }\"}.a }\"\n",
            "}\n",
        ),
    );
}

#[test]
fn heredoc_markers_in_strings_and_comments_are_ignored() {
    check(
        "x = \"<<EOT\"\n# <<EOT\ny  =  1\n",
        "x = \"<<EOT\"\n# <<EOT\ny = 1\n",
    );
}

// --- line endings -------------------------------------------------------------------------

#[test]
fn accepts_crlf() {
    check(
        "job \"a\" {\r\n\tstatus=\"running\"  \r\n  db = <<EOT\r\n  keep  \r\nEOT\r\n}\r\n",
        "job \"a\" {\n  status = \"running\"\n  db     = <<EOT\n  keep  \nEOT\n}\n",
    );
    assert_eq!(format_hcl(&SAMPLE.replace('\n', "\r\n")), SAMPLE_FORMATTED);
}

// --- robustness ---------------------------------------------------------------------------

const NASTY: &[&str] = &[
    "}}}",
    "\"unterminated",
    "<<EOT\nno end",
    "/* open",
    "${",
    "\"${",
    "\"${\n}\n\"",
    "x = \"${ \"\n}\n",
    "<<",
    "<<-",
    "x = <<-\n",
    "<<EOT",
    "\"\\",
    "\\",
    "\"%{",
    "{[(",
    ")]}",
    "{)",
    "(}",
    "\"$${\"",
    "/*/",
    "*/",
    "//",
    "#",
    "=",
    " = ",
    "==",
    "\"\"=1",
    "a\"b\"{",
    "é = 1\nüñï \"ç\" {\n日本 = \"語\"\n}",
    "\u{feff}a = 1",
    "\r",
    "\r\r\n\r",
    "a = 1\r\r\n",
    "x = <<EOT\nbody\nEOT\r\r\n",
    "x = <<EOT  \nEOT",
    "\t\t\t",
    "a\u{3000}=\u{3000}1",
    "x = [<<EOT\n]\nEOT\n]",
];

#[test]
fn never_panics_on_nasty_inputs() {
    for input in NASTY {
        check_properties(input);
    }
}

/// A small deterministic linear congruential generator.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(self.0 >> 33).unwrap_or(0)
    }

    fn pick<'s>(&mut self, items: &[&'s str]) -> &'s str {
        items[self.next() % items.len()]
    }
}

/// Randomly re-indents and space-mangles `input`.
fn mangle(input: &str, rng: &mut Lcg) -> String {
    let mut out = String::new();
    for line in input.lines() {
        let mut line = line.trim_start().to_string();
        match rng.next() % 6 {
            0 => line = line.replacen(" = ", "=", 1),
            1 => line = line.replacen(" = ", "   =\t ", 1),
            2 => line = line.replace(' ', "  "),
            3 => line = line.replacen(" {", "{", 1),
            _ => {}
        }
        out.push_str(rng.pick(&["", " ", "  ", "\t", "      ", "\t  "]));
        out.push_str(&line);
        out.push_str(rng.pick(&["", "", " ", "\t", "  \t"]));
        out.push_str(rng.pick(&["\n", "\n", "\n", "\r\n", "\n\n", "\n  \n\n"]));
    }
    out
}

fn good_inputs() -> Vec<String> {
    let mut inputs = vec![SAMPLE.to_string(), SAMPLE_FORMATTED.to_string()];
    inputs.extend(NASTY.iter().map(ToString::to_string));
    inputs.push(
            concat!(
                "# dtsform config\n",
                "variable \"cutoff\" {\n  type = string\n  default = \"2024-01-01\"\n}\n\n",
                "locals {\n  tables = [\"orders\", \"payments\"]\n  tags = {\n    \"team\" = \"dts\"\n    env = \"prod\"\n  }\n",
                "  merged = merge(local.tags, {\n    extra = \"${var.cutoff}-x\"\n  })\n}\n",
                "/* a\n   multi-line\n      comment */\n",
                "resource \"alicloud_dts_job\" \"x\" {\n  script = <<EOT\n  #!/bin/sh\n    echo \"}\"\nEOT\n",
                "  cond = var.a == 1 ? \"x\" : \"y\"\n  list = [for t in local.tables : upper(t) if t != \"\"]\n}\n",
            )
            .to_string(),
        );
    inputs
}

#[test]
fn mangled_inputs_format_stably_and_only_change_whitespace() {
    let mut rng = Lcg(0x5eed);
    for input in good_inputs() {
        check_properties(&input);
        for _ in 0..50 {
            check_properties(&mangle(&input, &mut rng));
        }
    }
}

/// Re-indents `canonical` randomly, adds trailing whitespace, removable blank lines and CRLF,
/// without touching heredoc bodies (lines listed in `keep`).
fn reindent(canonical: &str, keep: &[&str], rng: &mut Lcg) -> String {
    let mut out = String::new();
    for line in canonical.lines() {
        if keep.contains(&line) {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        out.push_str(rng.pick(&["", " ", "   ", "\t", "\t\t ", "        "]));
        out.push_str(line.trim_start());
        if line.trim() != "EOT" {
            out.push_str(rng.pick(&["", "", " ", "\t "]));
        }
        out.push_str(rng.pick(&["\n", "\n", "\r\n"]));
        if line.is_empty() || line.ends_with('{') {
            out.push_str(rng.pick(&["", "\n", " \n\t\n"]));
        }
    }
    format!(
        "{}{out}{}",
        rng.pick(&["", "\n", "\n \n"]),
        rng.pick(&["", "\n\n"])
    )
}

#[test]
fn reindented_sample_formats_back_to_canonical() {
    let mut rng = Lcg(42);
    let keep = [r#"    {"keep": "   this   =  indentation   "}"#];
    for _ in 0..200 {
        let mangled = reindent(SAMPLE_FORMATTED, &keep, &mut rng);
        assert_eq!(format_hcl(&mangled), SAMPLE_FORMATTED, "input:\n{mangled}");
    }
}

#[test]
fn random_garbage_never_panics_and_is_stable() {
    #[rustfmt::skip]
        const ALPHABET: &[&str] = &[
            "{", "}", "[", "]", "(", ")", "\"", "\\", "$", "%", "#", "/", "*", "<<", "<<-", "-",
            "=", "==", "=>", "EOT", "a", "key", " ", "  ", "\t", "\n", "\n", "\r\n", "\r", "é",
            "日", ":", ",", ".", "${", "%{", "$${", "/*", "*/", "//", "\nEOT\n", "\n  EOT\n",
            "a = ", "b \"l\" {",
        ];
    let mut rng = Lcg(7);
    for _ in 0..3000 {
        let len = rng.next() % 40;
        let input: String = (0..len).map(|_| rng.pick(ALPHABET)).collect();
        check_properties(&input);
    }
}
