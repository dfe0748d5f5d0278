//! The unified diff of two pretty-printed DbLists, lined up object by object.
//!
//! A line diff (Myers, from `similar`) of two texts of tens of thousands of lines costs
//! time in proportion to their length times the number of differences. Both texts here
//! are `ObjectTree` pretty JSON with two-space indentation, so they can be cut first
//! into segments that each begin at a line indented at most [`SEGMENT_INDENT`] columns:
//! the entries of the databases, their attributes and containers, each table (or view,
//! schema, ...) with everything inside it, and the closing braces. Segments are matched
//! by their first line (`"orders": {`) with a Myers diff over segments, and only
//! segments that differ are diffed line by line. The result is a correct line diff of
//! the two texts, laid out as `diff -u` and `similar` lay it out.

use std::fmt::Write as _;
use std::ops::Range;

use similar::udiff::UnifiedHunkHeader;
use similar::{Algorithm, DiffOp, DiffTag, capture_diff, group_diff_ops};

/// A line indented this much or less begins a segment: `{"db": {"Table": {"t": {...}}}}`
/// puts the tables' keys and closing braces here.
const SEGMENT_INDENT: usize = 6;

/// The unified diff of `before` against `after` with `context` lines around changes and
/// a `---`/`+++` header; empty when they are equal.
pub fn unified_diff(before: &str, after: &str, context: usize, header: (&str, &str)) -> String {
    let old: Vec<&str> = before.split_inclusive('\n').collect();
    let new: Vec<&str> = after.split_inclusive('\n').collect();
    let ops = line_ops(&old, &new);
    let mut out = String::new();
    for group in group_diff_ops(ops, context) {
        if out.is_empty() {
            let _ = writeln!(out, "--- {}\n+++ {}", header.0, header.1);
        }
        let _ = writeln!(out, "{}", UnifiedHunkHeader::new(&group));
        for op in &group {
            let (tag, old_range, new_range) = op.as_tag_tuple();
            if tag != DiffTag::Insert {
                let sign = if tag == DiffTag::Equal { ' ' } else { '-' };
                write_lines(&mut out, sign, &old[old_range]);
            }
            if matches!(tag, DiffTag::Insert | DiffTag::Replace) {
                write_lines(&mut out, '+', &new[new_range]);
            }
        }
    }
    out
}

fn write_lines(out: &mut String, sign: char, lines: &[&str]) {
    for line in lines {
        out.push(sign);
        out.push_str(line);
        // Pretty JSON has no final newline; a reviewer has no use for being told.
        if !line.ends_with('\n') {
            out.push('\n');
        }
    }
}

/// Where each segment of `lines` begins and ends.
fn segments(lines: &[&str]) -> Vec<Range<usize>> {
    let mut starts: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(i, line)| {
            *i == 0 || line.len() - line.trim_start_matches(' ').len() <= SEGMENT_INDENT
        })
        .map(|(i, _)| i)
        .collect();
    starts.push(lines.len());
    starts.windows(2).map(|w| w[0]..w[1]).collect()
}

/// The line diff of `old` against `new`, segment by segment (see the module docs).
pub(crate) fn line_ops(old: &[&str], new: &[&str]) -> Vec<DiffOp> {
    let (old_segments, new_segments) = (segments(old), segments(new));
    let old_keys: Vec<&str> = old_segments.iter().map(|s| old[s.start]).collect();
    let new_keys: Vec<&str> = new_segments.iter().map(|s| new[s.start]).collect();
    // Where segment `i` of a side begins, `i` = count meaning the end of the text.
    let start = |segments: &[Range<usize>], lines: usize, i: usize| {
        segments.get(i).map_or(lines, |s| s.start)
    };
    let mut ops = Vec::new();
    // Patience lines segments up by their unique first lines (object keys) first, so a
    // closing brace never pairs with the wrong object's.
    let segment_ops = capture_diff(
        Algorithm::Patience,
        &old_keys,
        0..old_keys.len(),
        &new_keys,
        0..new_keys.len(),
    );
    for op in segment_ops {
        let (tag, o, n) = op.as_tag_tuple();
        if tag == DiffTag::Equal {
            for (o, n) in o.zip(n) {
                let (o, n) = (old_segments[o].clone(), new_segments[n].clone());
                if old[o.clone()] == new[n.clone()] {
                    push(
                        &mut ops,
                        DiffOp::Equal {
                            old_index: o.start,
                            new_index: n.start,
                            len: o.len(),
                        },
                    );
                } else {
                    for op in capture_diff(Algorithm::Myers, old, o, new, n) {
                        push(&mut ops, op);
                    }
                }
            }
        } else {
            let o =
                start(&old_segments, old.len(), o.start)..start(&old_segments, old.len(), o.end);
            let n =
                start(&new_segments, new.len(), n.start)..start(&new_segments, new.len(), n.end);
            for op in capture_diff(Algorithm::Myers, old, o, new, n) {
                push(&mut ops, op);
            }
        }
    }
    ops
}

/// Appends `op`, joining it to the last one when both are equal runs.
fn push(ops: &mut Vec<DiffOp>, op: DiffOp) {
    if let (Some(DiffOp::Equal { len, .. }), DiffOp::Equal { len: more, .. }) = (ops.last_mut(), op)
    {
        *len += more;
        return;
    }
    if op.old_range().is_empty() && op.new_range().is_empty() {
        return;
    }
    ops.push(op);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objects::ObjectTree;
    use proptest::prelude::*;

    /// Replays `ops`: the old side must read `old` in order and the new side `new`.
    fn replay(ops: &[DiffOp], old: &[&str], new: &[&str]) -> Result<(), String> {
        let (mut o, mut n) = (0, 0);
        for op in ops {
            let (tag, or, nr) = op.as_tag_tuple();
            if or.start != o || nr.start != n {
                return Err(format!("{op:?} does not continue at ({o}, {n})"));
            }
            if tag == DiffTag::Equal && old[or.clone()] != new[nr.clone()] {
                return Err(format!("{op:?} joins different lines"));
            }
            (o, n) = (or.end, nr.end);
        }
        if (o, n) == (old.len(), new.len()) {
            Ok(())
        } else {
            Err(format!("stops at ({o}, {n})"))
        }
    }

    fn db_list(tables: &[(&str, &str)]) -> String {
        let tables: serde_json::Map<String, serde_json::Value> = tables
            .iter()
            .map(|(t, f)| {
                (
                    (*t).to_owned(),
                    serde_json::json!({"all": true, "filter": f}),
                )
            })
            .collect();
        ObjectTree::from_value(&serde_json::json!({"shop": {"all": false, "Table": tables}}))
            .unwrap()
            .to_pretty_json()
    }

    #[test]
    fn a_changed_filter_is_one_line_out_and_one_in_with_context() {
        let before = db_list(&[("a", "x"), ("b", "x"), ("c", "x"), ("d", "x")]);
        let after = db_list(&[("a", "x"), ("b", "y"), ("c", "x"), ("d", "x")]);
        let text = unified_diff(&before, &after, 3, ("live", "to send"));
        assert_eq!(
            text,
            similar::TextDiff::from_lines(&before, &after)
                .unified_diff()
                .context_radius(3)
                .header("live", "to send")
                .to_string()
        );
        assert_eq!(text.lines().filter(|l| l.starts_with('-')).count(), 2);
        assert!(text.contains("-        \"filter\": \"x\"\n+        \"filter\": \"y\"\n"));
    }

    #[test]
    fn a_change_at_the_end_needs_no_missing_newline_marker() {
        let text = unified_diff("{\n  \"a\": 1\n}", "{\n  \"a\": 2\n}", 3, ("l", "s"));
        assert_eq!(
            text,
            "--- l\n+++ s\n@@ -1,3 +1,3 @@\n {\n-  \"a\": 1\n+  \"a\": 2\n }\n"
        );
        // What `similar` says of the same texts with a final newline.
        assert_eq!(
            text,
            similar::TextDiff::from_lines("{\n  \"a\": 1\n}\n", "{\n  \"a\": 2\n}\n")
                .unified_diff()
                .header("l", "s")
                .to_string()
        );
    }

    #[test]
    fn equal_texts_have_no_diff() {
        let text = db_list(&[("a", "x")]);
        assert_eq!(unified_diff(&text, &text, 3, ("l", "s")), "");
    }

    fn refs(t: &[(String, String)]) -> Vec<(&str, &str)> {
        t.iter().map(|(n, f)| (n.as_str(), f.as_str())).collect()
    }

    fn tables() -> impl Strategy<Value = Vec<(String, String)>> {
        proptest::collection::btree_map("[a-e]{1,2}", "[xy]", 0..8)
            .prop_map(|m| m.into_iter().collect())
    }

    proptest! {
        /// Whatever the two lists, the ops are a diff of exactly those two texts, and lining
        /// up by segment costs at most a table's lines per table over a plain Myers diff.
        #[test]
        fn ops_are_a_diff_of_the_two_texts(a in tables(), b in tables()) {
            let (before, after) = (db_list(&refs(&a)), db_list(&refs(&b)));
            let old: Vec<&str> = before.split_inclusive('\n').collect();
            let new: Vec<&str> = after.split_inclusive('\n').collect();
            let ops = line_ops(&old, &new);
            prop_assert_eq!(replay(&ops, &old, &new), Ok(()));
            let changed = |ops: &[DiffOp]| ops.iter().map(|op| match op.as_tag_tuple() {
                (DiffTag::Equal, ..) => 0,
                (_, o, n) => o.len() + n.len(),
            }).sum::<usize>();
            let myers = similar::capture_diff_slices(Algorithm::Myers, &old, &new);
            // Never worse than deleting one table and adding it back per changed table.
            prop_assert!(changed(&ops) <= changed(&myers) + 8 * a.len().max(b.len()) + 4);
        }
    }
}
