//! Where a block goes in a configuration file, and putting it there without touching
//! anything else.
//!
//! hcl-edit parses the file and finds the structures (the resource, the object blocks
//! on the way to the new one) with their byte spans; the new block is then put into the
//! file's own text at the right place, indented as its neighbours are. The file is never
//! printed from a syntax tree (hcl-edit would write strings again with its own marker
//! escaping, see `import::literal`), so every comment, blank line and alignment of the
//! user's file stays exactly as it was.

use std::ops::Range;

use hcl_edit::Span as _;
use hcl_edit::structure::{Block, Body, Structure};

use crate::cloud::alibaba::Direction;
use crate::objects::Kind;

/// Where a new object block goes, or why it cannot go anywhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// Insert `text` (already indented, ending with a newline) at byte `at`.
    Insert { at: usize, text: String },
    /// The resource takes its objects from `db_list` (the attribute's span).
    DbList(Range<usize>),
    /// The object would sit inside one produced by a `dynamic` block (its span).
    Dynamic(Range<usize>),
    /// The parent lists its columns as `columns = [...]` (the attribute's span).
    ColumnsList(Range<usize>),
    /// The resource, or a block on the way, is not in this file as expected.
    NotFound(String),
}

/// Where the block `block` (formatted at the top level, as `dtsform fmt` formats it)
/// declaring an object of `kind` goes in `text`: inside the resource
/// `resource_type.resource_name` (for the reverse direction of a two-way job, inside
/// its `reverse` block), under the object blocks `path` (each a kind and a source
/// name, outermost first; empty for a database).
pub fn place(
    text: &str,
    resource: (&str, &str),
    direction: Direction,
    path: &[(Kind, &str)],
    kind: Kind,
    block: &str,
) -> Place {
    let Ok(body) = hcl_edit::parser::parse_body(text) else {
        return Place::NotFound("the file does not parse".into());
    };
    let Some(resource_block) = body.blocks().find(|b| {
        b.ident.as_str() == "resource"
            && b.labels.len() == 2
            && b.labels[0].as_str() == resource.0
            && b.labels[1].as_str() == resource.1
    }) else {
        return Place::NotFound(format!(
            "resource {}.{} is not in the file",
            resource.0, resource.1
        ));
    };
    let parent = match direction {
        Direction::Forward => resource_block,
        Direction::Reverse => {
            let Some(reverse) = resource_block
                .body
                .blocks()
                .find(|b| b.ident.as_str() == "reverse" && b.labels.is_empty())
            else {
                return Place::NotFound(format!(
                    "resource {}.{} has no reverse block",
                    resource.0, resource.1
                ));
            };
            reverse
        }
    };
    if let Some(attr) = parent.body.get_attribute("db_list") {
        return Place::DbList(attr.span().unwrap_or(0..0));
    }
    let mut parent = parent;
    for (step_kind, name) in path {
        match child_block(&parent.body, *step_kind, name) {
            Found::Block(b) => parent = b,
            Found::Dynamic(span) => return Place::Dynamic(span),
            Found::None => {
                return Place::NotFound(format!(
                    "no {} block {name:?} in the resource",
                    step_kind.noun()
                ));
            }
        }
    }
    if kind.is_part_of_parent()
        && let Some(attr) = parent.body.get_attribute("columns")
    {
        return Place::ColumnsList(attr.span().unwrap_or(0..0));
    }
    insertion(text, parent, kind, block)
}

enum Found<'a> {
    Block(&'a Block),
    Dynamic(Range<usize>),
    None,
}

/// The block of `kind` labelled `name` in `body` (the exact label first, then one
/// equal without regard to case), or the `dynamic` block of that kind that may produce
/// it.
fn child_block<'a>(body: &'a Body, kind: Kind, name: &str) -> Found<'a> {
    let of_kind = || {
        body.blocks()
            .filter(move |b| b.ident.as_str() == kind.noun() && b.labels.len() == 1)
    };
    if let Some(b) = of_kind()
        .find(|b| b.labels[0].as_str() == name)
        .or_else(|| of_kind().find(|b| b.labels[0].as_str().to_lowercase() == name.to_lowercase()))
    {
        return Found::Block(b);
    }
    match dynamic_blocks(body, kind).next() {
        Some(d) => Found::Dynamic(d.span().unwrap_or(0..0)),
        None => Found::None,
    }
}

fn dynamic_blocks(body: &Body, kind: Kind) -> impl Iterator<Item = &Block> {
    body.blocks().filter(move |b| {
        b.ident.as_str() == "dynamic" && b.labels.first().is_some_and(|l| l.as_str() == kind.noun())
    })
}

/// After the last block of `kind` (static or `dynamic`) inside `parent`, or else last
/// in its body; indented as the body's first structure is (or one step deeper than the
/// parent).
fn insertion(text: &str, parent: &Block, kind: Kind, block: &str) -> Place {
    let Some(span) = parent.span() else {
        return Place::NotFound("the block has no position".into());
    };
    let Some(close) = span
        .end
        .checked_sub(1)
        .filter(|c| text.as_bytes().get(*c) == Some(&b'}'))
    else {
        return Place::NotFound("the block's closing brace is not where it should be".into());
    };
    let parent_indent = indentation(text, span.start);
    let first = parent.body.iter().find_map(structure_start);
    if first.is_some_and(|at| !text[span.start..at].contains('\n')) {
        // `database "shop" { all = false }`: a one-line block holds one attribute and
        // nothing else; it is not reformatted here.
        return Place::NotFound(format!(
            "the {} block it goes into is written on one line; put its body on lines of its own and run adopt again",
            parent.ident.as_str()
        ));
    }
    let indent = first.map_or_else(|| format!("{parent_indent}  "), |at| indentation(text, at));
    let last_of_kind = parent
        .body
        .iter()
        .filter_map(|s| match s {
            Structure::Block(b)
                if b.ident.as_str() == kind.noun()
                    || (b.ident.as_str() == "dynamic"
                        && b.labels.first().is_some_and(|l| l.as_str() == kind.noun())) =>
            {
                b.span()
            }
            _ => None,
        })
        .map(|s| s.end)
        .max();
    let indented = indent_lines(block, &indent);
    if let Some(end) = last_of_kind {
        // After the line the last block of the kind ends on.
        let at = text[end..].find('\n').map_or(text.len(), |n| end + n + 1);
        let newline = if at == text.len() && !text.ends_with('\n') {
            "\n"
        } else {
            ""
        };
        return Place::Insert {
            at,
            text: format!("{newline}\n{indented}"),
        };
    }
    let line_start = text[..close].rfind('\n').map_or(0, |n| n + 1);
    if line_start <= span.start || !text[line_start..close].trim().is_empty() {
        // `database "shop" {}`: the brace closes on a line with other text.
        Place::Insert {
            at: close,
            text: format!("\n{indented}{parent_indent}"),
        }
    } else {
        let gap = if first.is_some() { "\n" } else { "" };
        Place::Insert {
            at: line_start,
            text: format!("{gap}{indented}"),
        }
    }
}

fn structure_start(s: &Structure) -> Option<usize> {
    match s {
        Structure::Attribute(a) => a.span().map(|r| r.start),
        Structure::Block(b) => b.span().map(|r| r.start),
    }
}

/// The whitespace that starts the line `at` is on, up to `at` (or up to the first
/// other character).
fn indentation(text: &str, at: usize) -> String {
    let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
    text[line_start..at]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect()
}

/// Every non-empty line of `block` indented by `indent`; each line ends with `\n`.
fn indent_lines(block: &str, indent: &str) -> String {
    let mut out = String::with_capacity(block.len() + 16);
    for line in block.lines() {
        if !line.is_empty() {
            out.push_str(indent);
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// `text` with every insertion made; insertions at the same place keep their order.
/// The inserted lines end as most of `text`'s lines do (`\r\n` in a file saved with
/// Windows line endings), so a file does not come back with two kinds.
pub fn apply(text: &str, mut inserts: Vec<(usize, String)>) -> String {
    let lines = text.matches('\n').count();
    if lines > 0 && text.matches("\r\n").count() * 2 > lines {
        for (_, insert) in &mut inserts {
            *insert = insert.replace('\n', "\r\n");
        }
    }
    // Stable: equal positions keep their order, then go in back to front.
    inserts.sort_by_key(|(at, _)| *at);
    let mut out =
        String::with_capacity(text.len() + inserts.iter().map(|(_, t)| t.len()).sum::<usize>());
    let mut from = 0;
    for (at, insert) in inserts {
        out.push_str(&text[from..at]);
        out.push_str(&insert);
        from = at;
    }
    out.push_str(&text[from..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"# Shop replication. Reviewed by the data team.
resource "alicloud_dts_job" "shop" {
  dts_job_id = "k2"   # the console's id

  database "shop" {
    # orders first
    table "orders" {
      filter = "paid = 1"
    }
  }
  database "crm" {}

  dynamic "database" {
    for_each = ["a", "b"]
    content {
      name = database.value
    }
  }

  removed {
    objects = []
  }
}
"#;

    fn insert(place: Place) -> String {
        match place {
            Place::Insert { at, text } => apply(FILE, vec![(at, text)]),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_table_goes_last_in_its_database_indented_as_its_neighbours() {
        let out = insert(place(
            FILE,
            ("alicloud_dts_job", "shop"),
            Direction::Forward,
            &[(Kind::Database, "shop")],
            Kind::Table,
            "table \"audit\" {\n  all = null\n}\n",
        ));
        assert!(
            out.contains(
                "      filter = \"paid = 1\"\n    }\n\n    table \"audit\" {\n      all = null\n    }\n  }\n  database \"crm\" {}"
            ),
            "{out}"
        );
        assert_eq!(
            out.replace("\n    table \"audit\" {\n      all = null\n    }\n", ""),
            FILE
        );
    }

    #[test]
    fn a_file_with_windows_line_endings_keeps_them() {
        let crlf = FILE.replace('\n', "\r\n");
        let Place::Insert { at, text } = place(
            &crlf,
            ("alicloud_dts_job", "shop"),
            Direction::Forward,
            &[(Kind::Database, "shop")],
            Kind::Table,
            "table \"refunds\" {}\n",
        ) else {
            panic!("a place")
        };
        let out = apply(&crlf, vec![(at, text)]);
        assert!(out.contains("    table \"refunds\" {}\r\n"), "{out}");
        assert!(
            !out.replace("\r\n", "").contains('\n'),
            "a bare LF:\n{out:?}"
        );
        // And a file with Unix line endings gets none.
        let out = apply(FILE, vec![(0, "# a\n".to_owned())]);
        assert!(!out.contains('\r'));
    }

    #[test]
    fn a_one_line_block_opens_up() {
        let out = insert(place(
            FILE,
            ("alicloud_dts_job", "shop"),
            Direction::Forward,
            &[(Kind::Database, "crm")],
            Kind::Table,
            "table \"users\" {}\n",
        ));
        assert!(
            out.contains("  database \"crm\" {\n    table \"users\" {}\n  }\n"),
            "{out}"
        );
    }

    #[test]
    fn a_one_line_block_with_an_attribute_is_not_edited_but_said_so() {
        let file = FILE.replace("database \"crm\" {}", "database \"crm\" { all = false }");
        let place = place(
            &file,
            ("alicloud_dts_job", "shop"),
            Direction::Forward,
            &[(Kind::Database, "crm")],
            Kind::Table,
            "table \"users\" {}\n",
        );
        let Place::NotFound(why) = place else {
            panic!("{place:?}")
        };
        assert!(why.contains("written on one line"), "{why}");
    }

    #[test]
    fn a_database_goes_after_the_last_database_block() {
        let out = insert(place(
            FILE,
            ("alicloud_dts_job", "shop"),
            Direction::Forward,
            &[],
            Kind::Database,
            "database \"billing\" {}\n",
        ));
        assert!(
            out.contains("      name = database.value\n    }\n  }\n\n  database \"billing\" {}\n\n  removed {"),
            "{out}"
        );
    }

    #[test]
    fn what_comes_from_a_dynamic_block_or_db_list_is_not_edited() {
        let dynamic = place(
            FILE,
            ("alicloud_dts_job", "shop"),
            Direction::Forward,
            &[(Kind::Database, "a")],
            Kind::Table,
            "table \"t\" {}\n",
        );
        assert!(
            matches!(dynamic, Place::Dynamic(r) if FILE[r.clone()].starts_with("dynamic \"database\""))
        );
        let db_list = "resource \"alicloud_dts_job\" \"j\" {\n  db_list = jsonencode({})\n}\n";
        assert!(matches!(
            place(
                db_list,
                ("alicloud_dts_job", "j"),
                Direction::Forward,
                &[],
                Kind::Database,
                "database \"d\" {}\n"
            ),
            Place::DbList(_)
        ));
        assert!(matches!(
            place(
                FILE,
                ("alicloud_dts_job", "other"),
                Direction::Forward,
                &[],
                Kind::Database,
                ""
            ),
            Place::NotFound(_)
        ));
    }

    #[test]
    fn an_object_of_the_reverse_direction_goes_into_the_reverse_block() {
        let file = "resource \"alicloud_dts_job\" \"tw\" {\n  dts_job_id = \"tw\"\n  database \"orders\" {\n    table \"orders\" {}\n  }\n\n  reverse {\n    # back to the east\n    database \"orders\" {\n      table \"orders\" {}\n    }\n  }\n}\n";
        let Place::Insert { at, text } = place(
            file,
            ("alicloud_dts_job", "tw"),
            Direction::Reverse,
            &[(Kind::Database, "orders")],
            Kind::Table,
            "table \"returns\" {}\n",
        ) else {
            panic!()
        };
        let out = apply(file, vec![(at, text)]);
        assert_eq!(
            out,
            file.replace(
                "      table \"orders\" {}\n    }\n  }\n}",
                "      table \"orders\" {}\n\n      table \"returns\" {}\n    }\n  }\n}"
            )
        );
        assert!(matches!(
            place(
                FILE,
                ("alicloud_dts_job", "shop"),
                Direction::Reverse,
                &[],
                Kind::Database,
                "database \"d\" {}\n"
            ),
            Place::NotFound(why) if why.contains("has no reverse block")
        ));
    }
}
