//! A report as JSON: the [`Document`] pretty-printed, every character that could
//! disturb a terminal escaped ([`crate::text::escape_json`]). The format is versioned
//! (`format_version`), described in the README and pinned by
//! `schema/report.schema.json`.

use super::model::Document;

/// `doc` as JSON text, with a final newline.
pub fn to_json(doc: &Document) -> String {
    // A document is maps, strings, numbers and raw JSON that was itself serialised:
    // it always serialises. Were it not to, the output is still a JSON document that
    // says the run failed.
    let text = serde_json::to_string_pretty(doc).unwrap_or_else(|e| {
        serde_json::json!({
            "format_version": doc.format_version,
            "dtsform_version": doc.dtsform_version,
            "report": doc.report,
            "outcome": "error",
            "jobs": [],
            "refusals": [],
            "diagnostics": [{"severity": "error", "message": format!("the report cannot be written as JSON: {e}")}],
        })
        .to_string()
    });
    let mut out = crate::text::escape_json(&text).into_owned();
    out.push('\n');
    out
}
