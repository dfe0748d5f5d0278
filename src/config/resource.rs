//! What every resource shares, whatever its cloud: the block as declared, `provider =`
//! and `depends_on` references, the objects of a `removed` block, and the `lifecycle`
//! block (the guard's settings). The object list has its own file (`object_list.rs`);
//! what only one resource type has is in `alibaba.rs` or `tencent.rs`.

use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::structure::Block;

use super::model::{ALICLOUD_DTS_JOB, Cloud, GuardSpec, TENCENTCLOUD_DTS_MIGRATE_JOB};
use super::reader::{Diag, Reader};
use super::source::{FileId, Span};
use crate::objects::{Pattern, Removal};

/// A resource block ready to decode: its labels are checked by the caller.
pub struct ResourceBlock<'b> {
    pub cloud: Cloud,
    pub file: FileId,
    pub block: &'b Block,
    pub name: String,
    pub span: Span,
}

/// `LABEL` or `LABEL.ALIAS` (LABEL being `alicloud` or `tencentcloud`) → the alias.
pub(super) fn provider_reference(
    d: &Diag<'_>,
    r: &Reader<'_, '_>,
    expr: &Expression,
    label: &str,
) -> Option<String> {
    let bad = || {
        d.push(
            d.at(
                r.span_of(expr),
                "invalid_reference",
                "provider must be a provider reference",
                format!("not {label} or {label}.ALIAS"),
            )
            .help(format!(
                "write provider = {label}.ALIAS, where ALIAS is a provider block's alias"
            )),
        );
        None
    };
    match expr {
        Expression::Variable(v) if v.as_str() == label => None,
        Expression::Traversal(t) => match (&t.expr, t.operators.as_slice()) {
            (Expression::Variable(v), [op]) if v.as_str() == label => match &**op {
                TraversalOperator::GetAttr(alias) => Some(alias.as_str().to_owned()),
                _ => bad(),
            },
            _ => bad(),
        },
        _ => bad(),
    }
}

/// `[alicloud_dts_job.a, resource.tencentcloud_dts_migrate_job.b]` → `TYPE.NAME`s with
/// spans.
pub(super) fn resource_references(
    d: &Diag<'_>,
    r: &Reader<'_, '_>,
    expr: &Expression,
) -> Vec<(String, Span)> {
    let Expression::Array(items) = expr else {
        d.push(
            d.at(
                r.span_of(expr),
                "invalid_reference",
                "depends_on must be a list of resources",
                "not a list",
            )
            .help("write depends_on = [alicloud_dts_job.other]"),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        let span = r.span_of(item);
        let path: Option<Vec<&str>> = match item {
            Expression::Traversal(traversal) => match &traversal.expr {
                Expression::Variable(root) => {
                    let mut segments = vec![root.as_str()];
                    for op in &traversal.operators {
                        match &**op {
                            TraversalOperator::GetAttr(attr) => segments.push(attr.as_str()),
                            _ => segments.clear(),
                        }
                    }
                    Some(segments)
                }
                _ => None,
            },
            _ => None,
        };
        match path.as_deref() {
            Some(
                [
                    kind @ (ALICLOUD_DTS_JOB | TENCENTCLOUD_DTS_MIGRATE_JOB),
                    name,
                ]
                | [
                    "resource",
                    kind @ (ALICLOUD_DTS_JOB | TENCENTCLOUD_DTS_MIGRATE_JOB),
                    name,
                ],
            ) => {
                out.push((format!("{kind}.{name}"), span));
            }
            _ => d.push(
                d.at(
                    span,
                    "invalid_reference",
                    "depends_on entries must name resources",
                    "not a resource",
                )
                .help("write alicloud_dts_job.NAME or tencentcloud_dts_migrate_job.NAME"),
            ),
        }
    }
    out
}

/// The `objects` of a removed block: addresses, and narrowings (`shop.*`).
pub(super) fn removed_objects(
    d: &Diag<'_>,
    r: &Reader<'_, '_>,
    help: &str,
) -> Vec<(Removal, Span)> {
    let mut out = Vec::new();
    for (text, span) in r.strings("objects").unwrap_or_default() {
        match Removal::parse(&text) {
            Ok(removal) => out.push((removal, span)),
            Err(e) => d.push(
                d.at(
                    span,
                    "invalid_address",
                    format!("{text:?} is not an object address: {e}"),
                    "invalid address",
                )
                .help(help),
            ),
        }
    }
    out
}

/// `lifecycle { prevent_removal, max_removed_objects, max_removed_percent }`: the lost-object
/// guard's settings for the job.
pub(super) fn decode_lifecycle(d: &Diag<'_>, parent: &Reader<'_, '_>, block: &Block) -> GuardSpec {
    let r = Reader {
        d,
        file: parent.file,
        body: &block.body,
        scope: parent.scope.clone(),
        span: parent.span_of(&block.ident),
        what: "the lifecycle block".into(),
    };
    r.check(
        &[
            "prevent_removal",
            "max_removed_objects",
            "max_removed_percent",
        ],
        &[],
    );
    let mut guard = GuardSpec::default();
    for (text, span) in r.strings("prevent_removal").unwrap_or_default() {
        match Pattern::parse(&text) {
            Ok(p) => guard.prevent_removal.push((p, span)),
            Err(e) => d.push(
                d.at(
                    span,
                    "invalid_pattern",
                    format!("{text:?} is not an object-name pattern: {e}"),
                    "invalid pattern",
                )
                .help(
                    "write database.table, database.*, or *_log; * and ? are globs within one name",
                ),
            ),
        }
    }
    if let Some(n) = r.number("max_removed_objects") {
        if n >= 0.0 && n.fract() == 0.0 && n <= 1e9 {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            {
                guard.max_removed_objects = n as usize;
            }
        } else {
            let span = r
                .attr("max_removed_objects")
                .map_or(r.span, |a| r.span_of(&a.value));
            d.push(
                d.at(
                    span,
                    "invalid_value",
                    "max_removed_objects must be a whole number, 0 or more",
                    "invalid",
                )
                .help("write max_removed_objects = 10 (the default)"),
            );
        }
    }
    if let Some(p) = r.number("max_removed_percent") {
        if (0.0..=100.0).contains(&p) {
            guard.max_removed_percent = p;
        } else {
            let span = r
                .attr("max_removed_percent")
                .map_or(r.span, |a| r.span_of(&a.value));
            d.push(
                d.at(
                    span,
                    "invalid_value",
                    "max_removed_percent must be from 0 to 100",
                    "invalid",
                )
                .help("write max_removed_percent = 25 (the default)"),
            );
        }
    }
    guard
}

/// The diagnostic for an attribute (`shown`, at `span`) that would set `action`'s
/// `parameter`, which dtsform refuses: why, and what to do instead. Both clouds'
/// refusal tables are written through it.
pub fn refused_parameter(
    d: &Diag<'_>,
    span: Span,
    action: &str,
    (parameter, shown): (&str, &str),
    why: &str,
    instead: &str,
) {
    d.push(
        d.at(
            span,
            "refused_parameter",
            format!("dtsform does not send {action}'s {parameter} ({shown}): {why}"),
            "not supported",
        )
        .help(instead),
    );
}
