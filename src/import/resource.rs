//! A live job as the resource block that manages it, built with hcl-rs: its ids, the
//! status when it is one dtsform manages, what of its endpoints and settings can be
//! compared without secrets (an Alibaba job's migration mode and resource group
//! included), and its object list as blocks ([`super::objects`]); a two-way Alibaba
//! job's reverse direction the same way in a `reverse { ... }` block.
//! Everything written is the live value, so the first plan finds nothing to change;
//! what is left out is said in a comment (a password: where its variable would go).

use hcl::{Block, Body, Expression};
use std::ops::Range;

use hcl_edit::structure::Body as EditBody;
use serde_json::{Map, Value};

use super::literal;
use super::objects::{Unwritable, blocks};
use crate::cloud::alibaba::{EndpointInfo, JobStatus, MigrationMode};
use crate::cloud::tencent::MigrateStatus;
use crate::config::Cloud;
use crate::objects::tencent::DatabaseInfo;
use crate::plan::LiveJob;
use crate::plan::tencent::TencentLive;

/// Where an imported job comes from: its resource name, the alias of its provider block
/// (none for the default one), and the region that provider serves.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    pub name: &'a str,
    pub alias: Option<&'a str>,
    pub region: &'a str,
}

/// Reserved keys whose values may be secrets: never written.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "accesskey",
    "credential",
];

/// A comment line in the resource, at a path of block types (and last an attribute key
/// or block type) from the resource's body: before the structure there (the resource
/// block itself for an empty path), or on the last line inside the block there.
struct Note {
    at: Vec<&'static str>,
    end: bool,
    line: String,
}

/// A resource block under construction, with its notes.
struct Draft {
    block: hcl::BlockBuilder,
    notes: Vec<Note>,
}

impl Draft {
    fn note(&mut self, at: &[&'static str], line: impl Into<String>) {
        self.notes.push(Note {
            at: at.to_vec(),
            end: false,
            line: line.into(),
        });
    }

    /// A comment on the last line inside the block at `at`.
    fn note_at_end(&mut self, at: &[&'static str], line: impl Into<String>) {
        self.notes.push(Note {
            at: at.to_vec(),
            end: true,
            line: line.into(),
        });
    }

    fn attribute(&mut self, key: &str, value: Expression) {
        let block = std::mem::replace(&mut self.block, Block::builder(""));
        self.block = block.add_attribute((key, value));
    }

    fn block(&mut self, block: Block) {
        let builder = std::mem::replace(&mut self.block, Block::builder(""));
        self.block = builder.add_block(block);
    }

    /// The resource as formatted text, its notes as comments. The comments are put into
    /// the text where hcl-edit finds the structures they belong to, never by printing a
    /// syntax tree: hcl-edit would write strings again with the marker escaping that
    /// `literal` works around.
    fn finish(self) -> String {
        let body = Body::builder().add_block(self.block.build()).build();
        let text = literal::text(&body);
        let Ok(edit) = text.parse::<EditBody>() else {
            return text;
        };
        let Some(resource) = edit.blocks().next() else {
            return text;
        };
        let mut edits: Vec<(Range<usize>, String)> = Vec::new();
        for note in &self.notes {
            let line = format!("# {}\n", crate::text::escape_control(&note.line));
            if let Some(at) = locate(&text, resource, &note.at, note.end) {
                edits.push((at..at, line));
            }
        }
        let mut gaps = Vec::new();
        tighten(&text, &resource.body, &mut gaps);
        // A gap that a comment goes into keeps its lines.
        gaps.retain(|(gap, _)| !edits.iter().any(|(at, _)| gap.contains(&at.start)));
        edits.extend(gaps);
        edits.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
        let mut out = text.clone();
        for (range, insert) in edits {
            out.replace_range(range, &insert);
        }
        crate::config::fmt::format_hcl(&out)
    }
}

/// Where a note's line goes: the start of the line of the structure at `path` (the
/// resource for an empty path), or with `end` the start of the line of that block's
/// closing brace.
fn locate(
    text: &str,
    resource: &hcl_edit::structure::Block,
    path: &[&str],
    end: bool,
) -> Option<usize> {
    let mut block = resource;
    let mut span = hcl_edit::Span::span(resource)?;
    for (i, step) in path.iter().enumerate() {
        let last = i + 1 == path.len();
        let found = block.body.iter().find_map(|s| match s {
            hcl_edit::structure::Structure::Attribute(a) if last && a.key.as_str() == *step => {
                Some((None, hcl_edit::Span::span(a)?))
            }
            hcl_edit::structure::Structure::Block(b) if b.ident.as_str() == *step => {
                Some((Some(b), hcl_edit::Span::span(b)?))
            }
            _ => None,
        })?;
        span = found.1;
        match found.0 {
            Some(b) => block = b,
            None if end => return None,
            None => {}
        }
    }
    let at = if end {
        span.end.checked_sub(1)?
    } else {
        span.start
    };
    Some(text[..at].rfind('\n').map_or(0, |n| n + 1))
}

/// No blank line between two empty blocks in a row (`table "a" {}` over `table "b" {}`):
/// a list of hundreds of tables reads as a list.
fn tighten(text: &str, body: &EditBody, edits: &mut Vec<(Range<usize>, String)>) {
    let mut previous: Option<Range<usize>> = None;
    for structure in body {
        let hcl_edit::structure::Structure::Block(block) = structure else {
            previous = None;
            continue;
        };
        let Some(span) = hcl_edit::Span::span(block) else {
            previous = None;
            continue;
        };
        if block.body.is_empty() {
            if let Some(before) = &previous {
                let gap = before.end..span.start;
                if text[gap.clone()].trim().is_empty() {
                    edits.push((gap, "\n".to_owned()));
                }
            }
            previous = Some(span);
        } else {
            previous = None;
            tighten(text, &block.body, edits);
        }
    }
}

/// `"shop-sync" (k2gm967v16f)`, or the id alone for a job without a name.
fn named(name: &str, id: &str) -> String {
    if name.is_empty() {
        id.to_owned()
    } else {
        format!("{} ({id})", literal::quoted(name))
    }
}

fn status_word(running: bool) -> Expression {
    literal::string(if running { "running" } else { "suspended" })
}

/// An `alicloud_dts_job` resource for a live Alibaba Cloud DTS job: the job's ids and
/// resource group, then what each direction has of its own — the forward direction's
/// in the resource, a two-way job's reverse direction's (when it was read) in a
/// `reverse { ... }` block.
pub fn alibaba(origin: Origin<'_>, live: &LiveJob) -> Result<String, Vec<Unwritable>> {
    let detail = &live.detail;
    let mut d = Draft {
        block: Block::builder("resource")
            .add_label(literal::label(Cloud::Alibaba.resource_type()))
            .add_label(literal::label(origin.name)),
        notes: Vec::new(),
    };
    d.note(
        &[],
        format!(
            "Alibaba Cloud DTS {} job {}, {} in {}: imported by dtsform import.",
            detail.job_type,
            named(&detail.dts_job_name, &detail.dts_job_id),
            match &live.reverse {
                Some(reverse) => format!(
                    "two-way, {} (reverse direction {})",
                    detail.status, reverse.detail.status
                ),
                None => detail.status.to_string(),
            },
            origin.region
        ),
    );
    if let Some(alias) = origin.alias {
        d.attribute("provider", provider(Cloud::Alibaba, alias));
    }
    d.attribute("dts_job_id", literal::string(&detail.dts_job_id));
    if !detail.dts_instance_id.is_empty() {
        d.attribute("dts_instance_id", literal::string(&detail.dts_instance_id));
    }
    if let Some(group) = detail
        .resource_group_id
        .as_deref()
        .filter(|g| !g.is_empty())
    {
        d.attribute("resource_group_id", literal::string(group));
    }
    let mut errors = direction(&mut d, origin.name, live, &["dts_job_id"]);
    if let Some(reverse) = &live.reverse {
        let mut r = Draft {
            block: Block::builder("reverse"),
            notes: Vec::new(),
        };
        errors.extend(direction(
            &mut r,
            &format!("{}_reverse", origin.name),
            reverse,
            &[],
        ));
        d.block(r.block.build());
        // The reverse block's notes, at paths from the resource.
        d.notes.extend(r.notes.into_iter().map(|n| Note {
            at: std::iter::once("reverse").chain(n.at).collect(),
            ..n
        }));
    }
    if errors.is_empty() {
        Ok(d.finish())
    } else {
        Err(errors)
    }
}

/// What one direction of a job has of its own, into `d` (the resource, or its
/// `reverse` block): status, reserved settings, migration mode, endpoints (their
/// password variables named `{name}_{side}_password`), object list. Notes that belong
/// to the direction as a whole go before `anchor`.
fn direction(
    d: &mut Draft,
    name: &str,
    live: &LiveJob,
    anchor: &'static [&'static str],
) -> Vec<Unwritable> {
    let detail = &live.detail;
    let status = &detail.status;
    if status.is_running() || status.is_transitional() {
        d.attribute("status", status_word(true));
    } else if *status == JobStatus::Suspending {
        d.attribute("status", status_word(false));
    } else {
        d.note(
            anchor,
            format!(
                "status is not managed: the job is {status}; status = \"running\" would start it"
            ),
        );
    }
    reserved(d, &live.reserved, anchor);
    migration_mode(d, detail.migration_mode.as_ref(), anchor);
    for (side, info) in [
        ("source", &detail.source_endpoint),
        ("destination", &detail.destination_endpoint),
    ] {
        endpoint(d, name, side, info.as_ref(), anchor);
    }
    let mut errors = Vec::new();
    match &live.objects {
        None => d.note(
            anchor,
            "the job shows no object list (DbObject), so its objects are not managed",
        ),
        Some(tree) if tree.is_empty() => d.note(
            anchor,
            "the job's object list is empty, so its objects are not managed",
        ),
        Some(tree) => match blocks(tree) {
            Ok(blocks) => blocks.into_iter().for_each(|b| d.block(b)),
            Err(e) => errors = e,
        },
    }
    errors
}

/// `migration_mode { ... }`: each flag the job shows (`MigrationMode`), which plan
/// compares; nothing when it shows none, or every phase off (which a configuration
/// refuses: said in a note before `anchor`).
fn migration_mode(d: &mut Draft, live: Option<&MigrationMode>, anchor: &'static [&'static str]) {
    let Some(live) = live else { return };
    let flags = [
        live.structure_initialization,
        live.data_initialization,
        live.data_synchronization,
    ];
    if flags == [Some(false); 3] {
        d.note(
            anchor,
            "migration mode not managed: the job shows every phase off (MigrationMode), which a migration_mode block cannot say",
        );
        return;
    }
    let mut block = Block::builder("migration_mode");
    let mut any = false;
    for (key, value) in [
        ("structure_initialization", live.structure_initialization),
        ("data_initialization", live.data_initialization),
        ("data_synchronization", live.data_synchronization),
    ] {
        if let Some(value) = value {
            block = block.add_attribute((key, Expression::Bool(value)));
            any = true;
        }
    }
    if any {
        d.block(block.build());
    }
}

/// `provider = alicloud.ALIAS`.
fn provider(cloud: Cloud, alias: &str) -> Expression {
    Expression::from(
        hcl::expr::Traversal::builder(hcl::expr::Variable::unchecked(cloud.provider_label()))
            .attr(hcl::Identifier::unchecked(alias))
            .build(),
    )
}

/// `reserved = { ... }`: every live setting with a string, number or bool value, which
/// plan compares as text; others, and values that may be secrets, are left out.
fn reserved(d: &mut Draft, live: &Map<String, Value>, anchor: &'static [&'static str]) {
    let mut written = hcl::Object::new();
    let mut left_out = Vec::new();
    for (key, value) in live {
        let lower = key.to_ascii_lowercase();
        if SECRET_WORDS.iter().any(|w| lower.contains(w)) {
            left_out.push(format!("{key} (it may be a secret)"));
            continue;
        }
        let expression = match value {
            // An HCL number that is whole reads back as an integer, and plan compares
            // reserved values as text: `1.0` is kept as the string it shows as.
            Value::Number(n) if n.as_f64().is_some_and(|f| f.fract() == 0.0) && n.is_f64() => {
                literal::string(&n.to_string())
            }
            Value::String(_) | Value::Bool(_) | Value::Number(_) => literal::value(value),
            _ => {
                left_out.push(format!("{key} (not a string, number or bool)"));
                continue;
            }
        };
        written.insert(literal::key(key), expression);
    }
    let anchor: &[&'static str] = if written.is_empty() {
        anchor
    } else {
        &["reserved"]
    };
    if !left_out.is_empty() {
        d.note(
            anchor,
            format!("reserved settings not managed: {}", left_out.join(", ")),
        );
    }
    if !written.is_empty() {
        d.attribute("reserved", Expression::Object(written));
    }
}

/// `source { ... }` / `destination { ... }`: the fields plan compares, as the job shows
/// them; the password only as a comment.
fn endpoint(
    d: &mut Draft,
    name: &str,
    side: &'static str,
    live: Option<&EndpointInfo>,
    anchor: &'static [&'static str],
) {
    let Some(live) = live else { return };
    let Some(instance_type) = live.instance_type.as_deref().filter(|t| !t.is_empty()) else {
        d.note(
            anchor,
            format!("the {side} endpoint is not managed: the job does not show its instance type"),
        );
        return;
    };
    let mut block = Block::builder(side).add_attribute((
        "instance_type",
        literal::string(&instance_type.to_ascii_lowercase()),
    ));
    let fields = [
        ("instance_id", &live.instance_id),
        ("region", &live.region),
        ("ip", &live.ip),
        ("port", &live.port),
        ("database", &live.database_name),
        ("username", &live.user_name),
        ("role_name", &live.role_name),
        ("aliyun_uid", &live.aliyun_uid),
    ];
    for (key, value) in fields {
        if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
            block = block.add_attribute((key, literal::string(value)));
        }
    }
    if live.user_name.as_deref().is_some_and(|u| !u.is_empty()) {
        d.note_at_end(
            &[side],
            format!("password = var.{name}_{side}_password  # a sensitive variable; DTS never shows passwords, set it to change the account"),
        );
    }
    d.block(block.build());
}

/// `migrate_option` attributes: (wire key, HCL name, numeric).
const MIGRATE_OPTION: &[(&str, &str, bool)] = &[
    ("RunMode", "run_mode", true),
    ("ExpectTime", "expect_time", false),
    ("MigrateType", "migrate_type", true),
    ("ConsistencyType", "consistency_type", true),
    ("IsOverrideRoot", "is_override_root", true),
    ("ExternParams", "extern_params", false),
];
/// `source` attributes: (wire key, HCL name, numeric).
const SOURCE_FIELDS: &[(&str, &str, bool)] = &[
    ("InstanceId", "instance_id", false),
    ("Region", "region", false),
    ("Ip", "ip", false),
    ("Port", "port", true),
    ("User", "user", false),
    ("Supplier", "supplier", false),
    ("VpcId", "vpc_id", false),
    ("SubnetId", "subnet_id", false),
    ("CvmInstanceId", "cvm_instance_id", false),
    ("RdsInstanceId", "rds_instance_id", false),
    ("UniqDcgId", "uniq_dcg_id", false),
    ("UniqVpnGwId", "uniq_vpn_gw_id", false),
    ("CcnId", "ccn_id", false),
    ("EngineVersion", "engine_version", false),
];
/// `destination` attributes: (wire key, HCL name, numeric).
const DESTINATION_FIELDS: &[(&str, &str, bool)] = &[
    ("InstanceId", "instance_id", false),
    ("Region", "region", false),
    ("User", "user", false),
    ("ReadOnly", "read_only", true),
];

/// The value of a wire field as plan compares it: its text.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A block of `fields` from a live map; numbers only where the text is a whole number
/// (plan compares these as text). `None` when nothing is written.
fn fields_block(
    ident: &str,
    first: Option<(&str, Expression)>,
    fields: &[(&str, &str, bool)],
    live: &Map<String, Value>,
    skip: &dyn Fn(&str, &str) -> bool,
) -> Option<Block> {
    let mut block = Block::builder(ident);
    let mut any = false;
    if let Some(attr) = first {
        block = block.add_attribute(attr);
        any = true;
    }
    for (wire, name, numeric) in fields {
        let Some(value) = live.get(*wire) else {
            continue;
        };
        let shown = text(value);
        if shown.is_empty() || skip(wire, &shown) {
            continue;
        }
        let expression = if *numeric {
            match shown.parse::<u64>() {
                Ok(n) => Expression::Number(n.into()),
                Err(_) => continue,
            }
        } else {
            literal::string(&shown)
        };
        block = block.add_attribute((*name, expression));
        any = true;
    }
    any.then(|| block.build())
}

/// A `tencentcloud_dts_migrate_job` resource for a live Tencent Cloud DTS migration job.
pub fn tencent(origin: Origin<'_>, live: &TencentLive) -> Result<String, Vec<Unwritable>> {
    let mut d = Draft {
        block: Block::builder("resource")
            .add_label(literal::label(Cloud::Tencent.resource_type()))
            .add_label(literal::label(origin.name)),
        notes: Vec::new(),
    };
    d.note(
        &[],
        format!(
            "Tencent Cloud DTS migration job {}, {} in {}: imported by dtsform import.",
            named(&live.job_name, &live.job_id),
            live.status,
            origin.region
        ),
    );
    if let Some(alias) = origin.alias {
        d.attribute("provider", provider(Cloud::Tencent, alias));
    }
    d.attribute("job_id", literal::string(&live.job_id));
    if !live.job_name.is_empty() {
        d.attribute("job_name", literal::string(&live.job_name));
    }
    if matches!(
        live.status,
        MigrateStatus::ReadyRun | MigrateStatus::Running | MigrateStatus::ReadyComplete
    ) {
        d.attribute("status", status_word(true));
    } else {
        d.note(
            &["job_id"],
            format!(
                "status is not managed: the job is {}; status = \"running\" would check and start it",
                live.status
            ),
        );
    }
    for (attribute, value) in [
        ("source_database_type", &live.src_database_type),
        ("destination_database_type", &live.dst_database_type),
    ] {
        if !value.is_empty() {
            d.attribute(attribute, literal::string(value));
        }
    }
    if matches!(live.objects, DatabaseInfo::WholeInstance) {
        d.attribute("whole_instance", Expression::Bool(true));
    }
    let none = |_: &str, _: &str| false;
    if let Some(block) = fields_block(
        "migrate_option",
        None,
        MIGRATE_OPTION,
        &live.migrate_option,
        &none,
    ) {
        d.block(block);
    }
    for (side, access, info, fields) in [
        (
            "source",
            &live.src_access_type,
            &live.src_info,
            SOURCE_FIELDS,
        ),
        (
            "destination",
            &live.dst_access_type,
            &live.dst_info,
            DESTINATION_FIELDS,
        ),
    ] {
        let first = (!access.is_empty()).then(|| ("access_type", literal::string(access)));
        // Port 0 is the API's "not set".
        let unset = |wire: &str, shown: &str| wire == "Port" && shown == "0";
        if let Some(block) = fields_block(side, first, fields, info, &unset) {
            if info.get("User").is_some_and(|u| !text(u).is_empty()) {
                d.note_at_end(
                    &[side],
                    format!("password = var.{}_{side}_password  # a sensitive variable; DTS never shows passwords, set it to send one", origin.name),
                );
            }
            d.block(block);
        }
    }
    let mut errors = Vec::new();
    if let DatabaseInfo::Objects(tree) = &live.objects {
        match blocks(tree) {
            Ok(blocks) => blocks.into_iter().for_each(|b| d.block(b)),
            Err(e) => errors = e,
        }
    }
    if errors.is_empty() {
        Ok(d.finish())
    } else {
        Err(errors)
    }
}
