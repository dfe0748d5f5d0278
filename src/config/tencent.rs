//! Tencent Cloud: the `tencentcloud` provider (it has no settings of its own), and the
//! `tencentcloud_dts_migrate_job` resource, a Tencent Cloud DTS migration job (API
//! 2018-03-30, `ModifyMigrateJob`).
//!
//! ```hcl
//! resource "tencentcloud_dts_migrate_job" "shop" {
//!   job_id = "dts-1kl0iy0v"
//!   status = "running"            # check, then StartMigrateJob
//!   source_database_type      = "mysql"   # immutable: checked, never sent
//!   destination_database_type = "mysql"
//!   migrate_option { migrate_type = 3 }   # MigrateOption keys in snake_case
//!   source      { access_type = "cdb"  instance_id = "cdb-abcd1234"  region = "ap-guangzhou" }
//!   destination { access_type = "cdb"  instance_id = "cdb-efgh5678"  region = "ap-guangzhou" }
//!   database "shop" {
//!     table "orders" {}
//!   }
//!   database "audit" {}
//! }
//! ```
//!
//! The object list is written with the same `database`/`schema`/`table` blocks as an
//! Alibaba job (no renames, filters or columns: `DatabaseInfo` cannot say them), or as
//! `database_info` (the `DatabaseInfo` JSON, e.g. `jsonencode([...])`). Migrating the
//! whole instance (`DatabaseInfo` `[]`) is `whole_instance = true`, written explicitly;
//! an empty object list is never taken to mean it.
//!
//! Every request parameter of `ModifyMigrateJob` is either an attribute here or refused
//! by name: `MigrateOption.MigrateObject` follows the object list, `DstInfo.Ip`/`Port`
//! are deprecated by the API, and `SrcNodeType`/`SrcInfoMulti` (cluster sources) are not
//! on the page and cannot be read back whole. Values are checked against the ranges
//! the API documents; the rules that need the live job (what the whole `MigrateOption`
//! sent will be) are checked when planning (`plan/tencent.rs`).

use std::collections::BTreeMap;

use hcl_edit::structure::Block;
use serde_json::Value;

use super::cloud::CloudSchema;
use super::eval::Scope;
use super::model::{
    Cloud, DesiredObjects, DesiredStatus, GuardSpec, JobSpec, MAX_NESTING,
    TENCENTCLOUD_DTS_MIGRATE_JOB, TencentEndpoint, TencentSpec, json_text_nesting,
};
use super::object_list::{
    check_size, check_tree_names, decode_object_tree, desired_objects, too_deep,
};
use super::reader::{Diag, Reader};
use super::resource::{
    ResourceBlock, decode_lifecycle, provider_reference, refused_parameter, removed_objects,
    resource_references,
};
use super::source::Span;
use crate::cloud::tencent::endpoint;
use crate::objects::Removal;
use crate::objects::tencent::{self, DatabaseInfo};

const JOB_ATTRIBUTES: &[&str] = &[
    "provider",
    "job_id",
    "job_name",
    "status",
    "whole_instance",
    "database_info",
    "source_database_type",
    "destination_database_type",
    "depends_on",
    // Refused by name (see `REFUSED`).
    "src_node_type",
    "src_info_multi",
];
const JOB_BLOCKS: &[&str] = &[
    "migrate_option",
    "source",
    "destination",
    "database",
    "dynamic",
    "removed",
    "lifecycle",
    // Refused by name (see `REFUSED`).
    "src_info_multi",
];
/// `migrate_option` attributes → MigrateOption keys, and whether each is a number.
const MIGRATE_OPTION: &[(&str, &str, bool)] = &[
    ("run_mode", "RunMode", true),
    ("expect_time", "ExpectTime", false),
    ("migrate_type", "MigrateType", true),
    ("consistency_type", "ConsistencyType", true),
    ("is_override_root", "IsOverrideRoot", true),
    ("extern_params", "ExternParams", false),
];
/// Source attributes → SrcInfo keys, and whether each is a number.
const SOURCE_FIELDS: &[(&str, &str, bool)] = &[
    ("instance_id", "InstanceId", false),
    ("region", "Region", false),
    ("ip", "Ip", false),
    ("port", "Port", true),
    ("user", "User", false),
    ("supplier", "Supplier", false),
    ("vpc_id", "VpcId", false),
    ("subnet_id", "SubnetId", false),
    ("cvm_instance_id", "CvmInstanceId", false),
    ("rds_instance_id", "RdsInstanceId", false),
    ("uniq_dcg_id", "UniqDcgId", false),
    ("uniq_vpn_gw_id", "UniqVpnGwId", false),
    ("ccn_id", "CcnId", false),
    ("engine_version", "EngineVersion", false),
];
/// Destination attributes → DstInfo keys.
const DESTINATION_FIELDS: &[(&str, &str, bool)] = &[
    ("instance_id", "InstanceId", false),
    ("region", "Region", false),
    ("user", "User", false),
    ("read_only", "ReadOnly", true),
];
/// `migrate_option { consistency_params { ... } }` → ConsistencyParams keys.
const CONSISTENCY_PARAMS: &[(&str, &str, bool)] = &[
    ("select_rows_per_table", "SelectRowsPerTable", true),
    ("tables_select_all", "TablesSelectAll", true),
    ("tables_select_count", "TablesSelectCount", true),
];
/// The values the API documents for each number (reference: MigrateOption, SrcInfo,
/// DstInfo), by wire key, with what they mean for the help line.
const RANGES: &[(&str, i64, i64, &str)] = &[
    ("RunMode", 1, 2, "1 immediately, 2 at expect_time"),
    (
        "MigrateType",
        1,
        3,
        "1 structure, 2 full, 3 full + incremental",
    ),
    (
        "ConsistencyType",
        1,
        5,
        "1 not configured, 2 full check, 3 sampled check, 4 only inconsistent tables, 5 no check",
    ),
    (
        "IsOverrideRoot",
        0,
        1,
        "0 keep the target's root account, 1 override it",
    ),
    ("SelectRowsPerTable", 1, 100, "a percentage, 1 to 100"),
    ("TablesSelectAll", 1, 100, "a percentage, 1 to 100"),
    ("TablesSelectCount", 1, 100, "a percentage, 1 to 100"),
    ("Port", 1, 65535, "a TCP port, 1 to 65535"),
    (
        "ReadOnly",
        0,
        1,
        "1 the target is read-only during migration, 0 read-write",
    ),
];
/// `SrcAccessType` values (the page, and `ccn` from the SDK).
const SRC_ACCESS_TYPES: &[&str] = &[
    "extranet",
    "cvm",
    "dcg",
    "vpncloud",
    "vpnselfbuild",
    "cdb",
    "ccn",
];
/// `SrcInfo.Supplier` values.
const SUPPLIERS: &[&str] = &["aliyun", "others"];

/// Tencent Cloud, as the configuration sees it.
/// The `ModifyMigrateJob` fields dtsform refuses, by the block (empty: the resource) and
/// attribute that would set them: (block, attribute, field, why not, what to do instead).
/// The diagnostics are made from this table ([`refuse`]), and the README's coverage
/// table is checked against it.
pub const REFUSED: &[(&str, &str, &str, &str, &str)] = &[
    (
        "destination",
        "ip",
        "DstInfo.Ip",
        "the API documents it as deprecated",
        "remove it: the target is named by instance_id and region (DstAccessType is always cdb)",
    ),
    (
        "destination",
        "port",
        "DstInfo.Port",
        "the API documents it as deprecated",
        "remove it: the target is named by instance_id and region (DstAccessType is always cdb)",
    ),
    (
        "",
        "src_node_type",
        "SrcNodeType",
        "a cluster source is not on the ModifyMigrateJob page, and DescribeMigrateJobs does not return SrcNodeType, so dtsform could not verify it",
        "configure a cluster source in the DTS console (dtsform refuses to modify a job that has one)",
    ),
    (
        "",
        "src_info_multi",
        "SrcInfoMulti",
        "a cluster source is not on the ModifyMigrateJob page, and DescribeMigrateJobs does not return SrcNodeType, so dtsform could not verify it",
        "configure a cluster source in the DTS console (dtsform refuses to modify a job that has one)",
    ),
];

/// The diagnostic for `attribute` of `block` (empty: the resource), refused by name
/// (see [`REFUSED`]).
fn refuse(d: &Diag<'_>, span: Span, block: &str, attribute: &str) {
    let Some((_, _, field, why, instead)) = REFUSED
        .iter()
        .find(|(b, a, ..)| *b == block && *a == attribute)
    else {
        return;
    };
    let shown = if block.is_empty() {
        attribute.to_owned()
    } else {
        format!("{block}.{attribute}")
    };
    refused_parameter(d, span, "ModifyMigrateJob", (field, &shown), why, instead);
}

pub const CLOUD: CloudSchema = CloudSchema {
    cloud: Cloud::Tencent,
    provider_attributes: &["region", "endpoint", "profile", "alias", "rate_limit"],
    region_example: "ap-guangzhou",
    validate_region: endpoint::validate_region,
    parse_endpoint: endpoint::parse_endpoint,
    signature: None,
    job_id_attribute: "job_id",
    decode_job,
};

/// Decodes one `tencentcloud_dts_migrate_job` (see the module docs and
/// [`CloudSchema::decode_job`]).
fn decode_job(d: &Diag<'_>, res: &ResourceBlock<'_>, scope: &Scope<'_>) -> JobSpec {
    let r = Reader {
        d,
        file: res.file,
        body: &res.block.body,
        scope: scope.clone(),
        span: res.span,
        what: format!("resource {TENCENTCLOUD_DTS_MIGRATE_JOB}.{}", res.name),
    };
    r.check(JOB_ATTRIBUTES, JOB_BLOCKS);
    let value_span = |name: &str| r.attr(name).map_or(res.span, |a| r.span_of(&a.value));

    let job_id = r.required_string("job_id");
    if job_id.as_deref().is_some_and(|id| id.trim().is_empty()) {
        d.push(
            d.at(value_span("job_id"), "invalid_value", "job_id is empty", "empty id")
                .help("write the migration job's id as the console shows it, e.g. job_id = \"dts-1kl0iy0v\""),
        );
    }
    let job_id = job_id.unwrap_or_default();
    if !job_id.trim().is_empty() && !job_id.starts_with("dts-") {
        d.push(
            d.at(value_span("job_id"), "invalid_value", format!("job_id {job_id:?} is not a Tencent DTS job id"), "not dts-...")
                .help("write the migration job's id as the console shows it, e.g. job_id = \"dts-1kl0iy0v\""),
        );
    }
    let status = r.string("status").and_then(|s| {
        if s == "running" {
            Some(DesiredStatus::Running)
        } else {
            d.push(
                d.at(value_span("status"), "invalid_value", format!("status {s:?} is not running"), "invalid status")
                    .help("running: check the job and StartMigrateJob if it is not running; leave it out to only configure the job"),
            );
            None
        }
    });
    let provider = r
        .attr("provider")
        .and_then(|attr| provider_reference(d, &r, &attr.value, Cloud::Tencent.provider_label()));
    let depends_on = r
        .attr("depends_on")
        .map(|attr| resource_references(d, &r, &attr.value))
        .unwrap_or_default();

    for name in ["src_node_type", "src_info_multi"] {
        if let Some(attr) = r.attr(name) {
            refuse(d, r.span_of(&attr.key), "", name);
        }
    }
    let whole_instance = r.bool("whole_instance").unwrap_or(false);
    let (objects, objects_span) = decode_objects(d, &r, &res.name, whole_instance);

    let mut spec = TencentSpec {
        job_name: r.string("job_name"),
        whole_instance,
        source_database_type: r
            .string("source_database_type")
            .map(|t| (t.to_ascii_lowercase(), value_span("source_database_type"))),
        destination_database_type: r.string("destination_database_type").map(|t| {
            (
                t.to_ascii_lowercase(),
                value_span("destination_database_type"),
            )
        }),
        ..TencentSpec::default()
    };
    let mut removed = Vec::new();
    let mut guard = GuardSpec::default();
    let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
    for block in res.block.body.blocks() {
        let ident = block.ident.as_str();
        let span = r.span_of(block);
        if matches!(
            ident,
            "migrate_option" | "source" | "destination" | "lifecycle"
        ) && seen.insert(ident, span).is_some()
        {
            d.push(
                d.at(
                    span,
                    "duplicate_block",
                    format!("{ident} is declared twice"),
                    "second one",
                )
                .help(format!("keep one {ident} block")),
            );
            continue;
        }
        match ident {
            "migrate_option" => {
                let (fields, spans) = decode_migrate_option(d, &r, block);
                spec.migrate_option = fields;
                spec.migrate_option_spans = spans;
                spec.migrate_option_span = Some(r.span_of(&block.ident));
            }
            "source" => {
                spec.source = Some(decode_endpoint(d, &r, block, "source", SOURCE_FIELDS));
            }
            "destination" => {
                spec.destination = Some(decode_endpoint(
                    d,
                    &r,
                    block,
                    "destination",
                    DESTINATION_FIELDS,
                ));
            }
            "src_info_multi" => refuse(d, r.span_of(&block.ident), "", "src_info_multi"),
            "removed" => {
                let (objects, narrowing) = decode_removed(d, &r, block);
                removed.extend(objects);
                spec.narrowing_allowed |= narrowing;
            }
            "lifecycle" => guard = decode_lifecycle(d, &r, block),
            _ => {}
        }
    }
    JobSpec {
        cloud: Cloud::Tencent,
        name: res.name.clone(),
        span: res.span,
        provider,
        dts_job_id: job_id,
        job_id_span: r.attr("job_id").map_or(res.span, |a| r.span_of(&a.value)),
        dts_instance_id: None,
        status,
        direction: crate::cloud::alibaba::Direction::Forward,
        names_direction: false,
        objects,
        objects_span,
        merge_live_objects: false,
        source: None,
        destination: None,
        reserved: BTreeMap::new(),
        removed,
        guard,
        depends_on,
        tencent: Some(Box::new(spec)),
        alibaba: None,
    }
}

/// The object list in its canonical Tencent form (what DTS would store), or `None`
/// for the whole instance or when the resource does not manage objects.
fn decode_objects(
    d: &Diag<'_>,
    r: &Reader<'_, '_>,
    name: &str,
    whole_instance: bool,
) -> (Option<DesiredObjects>, Span) {
    let has_blocks = r.body.blocks().any(|b| {
        b.ident.as_str() == "database"
            || (b.ident.as_str() == "dynamic"
                && b.labels.first().is_some_and(|l| l.as_str() == "database"))
    });
    let info = r.attr("database_info");
    let whole_span = r.attr("whole_instance").map(|a| r.span_of(&a.key));
    if whole_instance && (has_blocks || info.is_some()) {
        d.push(
            d.at(
                whole_span.unwrap_or(r.span),
                "conflicting_objects",
                format!("{name} sets whole_instance = true and also lists objects"),
                "whole_instance here",
            )
            .help("migrate the whole instance, or list the databases and tables: not both"),
        );
        return (None, r.span);
    }
    if whole_instance {
        return (None, whole_span.unwrap_or(r.span));
    }
    let (tree, span) = match (info, has_blocks) {
        (Some(attr), true) => {
            d.push(
                d.at(
                    r.span_of(&attr.key),
                    "conflicting_objects",
                    format!("{name} has both database_info and database blocks"),
                    "database_info here",
                )
                .help("write the object list one way: database blocks, or database_info"),
            );
            return (None, r.span);
        }
        (Some(attr), false) => {
            let span = r.span_of(&attr.value);
            let Some((v, _)) = r.value("database_info") else {
                return (None, span);
            };
            // Measured before parsing: serde_json would only say "recursion limit".
            if let Value::String(text) = &v.value
                && json_text_nesting(text) > MAX_NESTING
            {
                d.push(too_deep(d, span, json_text_nesting(text)));
                return (None, span);
            }
            match tencent::from_value(&v.value) {
                Ok(DatabaseInfo::Objects(tree)) => {
                    if !check_tree_names(d, &tree, span) {
                        return (None, span);
                    }
                    (tree, span)
                }
                Ok(DatabaseInfo::WholeInstance) => {
                    d.push(
                        d.at(span, "empty_objects", "database_info is empty, which DTS reads as the whole instance", "empty list")
                            .help("to migrate the whole instance, write whole_instance = true instead; otherwise list databases"),
                    );
                    return (None, span);
                }
                Err(e) => {
                    d.push(
                        d.at(span, "invalid_database_info", e, "invalid DatabaseInfo")
                            .help("database_info takes DatabaseInfo JSON, e.g. jsonencode([{ Database = \"shop\", Table = [\"orders\"] }])"),
                    );
                    return (None, span);
                }
            }
        }
        (None, true) => match decode_object_tree(d, r, name) {
            // Blocks are held to the same size limit as an Alibaba job's.
            (Some(tree), span) if check_size(d, &tree, span).is_some() => (tree, span),
            (_, span) => return (None, span),
        },
        (None, false) => return (None, r.span),
    };
    match tencent::canonical(&tree) {
        Ok(canonical) => (desired_objects(d, &canonical, span), span),
        Err(errors) => {
            for e in errors {
                d.push(
                    d.at(span, "unsupported_object", e, "not expressible in DatabaseInfo")
                        .help("Tencent DatabaseInfo lists databases, schemas and tables by their own names only"),
                );
            }
            (None, span)
        }
    }
}

/// Reads `fields` (HCL name → wire key) from a block; numbers where the wire wants them.
fn decode_fields(
    d: &Diag<'_>,
    parent: &Reader<'_, '_>,
    block: &Block,
    what: &str,
    fields: &[(&str, &'static str, bool)],
    extra: &[&str],
    blocks: &[&str],
) -> (BTreeMap<String, Value>, BTreeMap<String, Span>) {
    let r = Reader {
        d,
        file: parent.file,
        body: &block.body,
        scope: parent.scope.clone(),
        span: parent.span_of(&block.ident),
        what: format!("the {what} block"),
    };
    let refused = REFUSED.iter().filter(|(block, ..)| *block == what);
    let allowed: Vec<&str> = fields
        .iter()
        .map(|(n, _, _)| *n)
        .chain(extra.iter().copied())
        .chain(refused.clone().map(|(_, attribute, ..)| *attribute))
        .collect();
    r.check(&allowed, blocks);
    for (_, attribute, ..) in refused {
        if let Some(attr) = r.attr(attribute) {
            refuse(d, r.span_of(&attr.key), what, attribute);
        }
    }
    let mut out = BTreeMap::new();
    let mut spans = BTreeMap::new();
    for (name, key, numeric) in fields {
        let Some(attr) = r.attr(name) else { continue };
        let span = r.span_of(&attr.value);
        let value = if *numeric {
            match r.number(name) {
                Some(n) if n.fract() == 0.0 && (0.0..1e15).contains(&n) =>
                {
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    Value::from(n as u64)
                }
                Some(_) => {
                    d.push(
                        d.at(
                            span,
                            "invalid_value",
                            format!("{name} must be a whole number"),
                            "not a whole number",
                        )
                        .help("see the ModifyMigrateJob documentation for the values"),
                    );
                    continue;
                }
                None => continue,
            }
        } else {
            match r.string(name) {
                Some(s) => Value::String(s),
                None => continue,
            }
        };
        if let (Some(n), Some((_, low, high, meaning))) =
            (value.as_i64(), RANGES.iter().find(|(k, _, _, _)| k == key))
            && !(*low..=*high).contains(&n)
        {
            d.push(
                d.at(
                    span,
                    "invalid_value",
                    format!("{name} = {n} is not one of the values {key} takes ({low} to {high})"),
                    "out of range",
                )
                .help(format!("{name}: {meaning}")),
            );
            continue;
        }
        out.insert((*key).to_owned(), value);
        spans.insert((*key).to_owned(), span);
    }
    (out, spans)
}

/// `migrate_option { ... }`: MigrateOption, with `consistency_params { ... }` nested as
/// `ConsistencyParams`. `MigrateObject` is refused: it follows the object list.
fn decode_migrate_option(
    d: &Diag<'_>,
    parent: &Reader<'_, '_>,
    block: &Block,
) -> (BTreeMap<String, Value>, BTreeMap<String, Span>) {
    let (mut fields, mut spans) = decode_fields(
        d,
        parent,
        block,
        "migrate_option",
        MIGRATE_OPTION,
        &["migrate_object"],
        &["consistency_params"],
    );
    let r = Reader {
        d,
        file: parent.file,
        body: &block.body,
        scope: parent.scope.clone(),
        span: parent.span_of(&block.ident),
        what: "the migrate_option block".into(),
    };
    if let Some(attr) = r.attr("migrate_object") {
        d.push(
            d.at(
                r.span_of(&attr.key),
                "refused_attribute",
                "migrate_object is not set by hand: MigrateObject follows the object list",
                "set by dtsform",
            )
            .help("remove it: whole_instance = true sends MigrateObject 1, database blocks or database_info send 2"),
        );
    }
    if let Some(span) = spans.get("ExpectTime").copied() {
        let text = fields
            .get("ExpectTime")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let format =
            time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
        if time::PrimitiveDateTime::parse(text, format).is_err() {
            d.push(
                d.at(
                    span,
                    "invalid_value",
                    format!("expect_time {text:?} is not a time like \"2027-01-31 02:00:00\""),
                    "not yyyy-mm-dd hh:mm:ss",
                )
                .help(
                    "write the start time as yyyy-mm-dd hh:mm:ss, the form ModifyMigrateJob takes",
                ),
            );
            fields.remove("ExpectTime");
            spans.remove("ExpectTime");
        }
    }
    if let Some(span) = spans.get("ExternParams").copied() {
        let text = fields
            .get("ExternParams")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if serde_json::from_str::<Value>(text).is_err() {
            d.push(
                d.at(span, "invalid_value", "extern_params is not JSON text", "not JSON")
                    .help("ExternParams is JSON text (engine-specific extras, none for MySQL): write it with jsonencode({ ... })"),
            );
            fields.remove("ExternParams");
            spans.remove("ExternParams");
        }
    }
    let mut seen = None;
    for inner in block.body.blocks() {
        if inner.ident.as_str() != "consistency_params" {
            continue;
        }
        let span = r.span_of(&inner.ident);
        if seen.replace(span).is_some() {
            d.push(
                d.at(
                    span,
                    "duplicate_block",
                    "consistency_params is declared twice",
                    "second one",
                )
                .help("keep one consistency_params block"),
            );
            continue;
        }
        let (params, _) = decode_fields(
            d,
            &r,
            inner,
            "consistency_params",
            CONSISTENCY_PARAMS,
            &[],
            &[],
        );
        let missing: Vec<&str> = CONSISTENCY_PARAMS
            .iter()
            .filter(|(_, key, _)| !params.contains_key(*key))
            .map(|(name, _, _)| *name)
            .collect();
        if !missing.is_empty() {
            d.push(
                d.at(span, "missing_attribute", format!("consistency_params needs {}", missing.join(", ")), "incomplete")
                    .help("a sampled check (consistency_type = 3) takes all three, each a percentage from 1 to 100"),
            );
            continue;
        }
        fields.insert(
            "ConsistencyParams".into(),
            Value::Object(params.into_iter().collect()),
        );
        spans.insert("ConsistencyParams".into(), span);
    }
    (fields, spans)
}

fn decode_endpoint(
    d: &Diag<'_>,
    parent: &Reader<'_, '_>,
    block: &Block,
    side: &str,
    fields: &[(&str, &'static str, bool)],
) -> TencentEndpoint {
    let source = side == "source";
    // Names refused here are allowed past the schema check so they are refused by name.
    let extra: &[&str] = if source {
        &["access_type", "password", "access_key"]
    } else {
        &["access_type", "password"]
    };
    let (fields, spans) = decode_fields(d, parent, block, side, fields, extra, &[]);
    let r = Reader {
        d,
        file: parent.file,
        body: &block.body,
        scope: parent.scope.clone(),
        span: parent.span_of(&block.ident),
        what: format!("the {side} block"),
    };
    let password = r.secret("password");
    if password.is_some() && !fields.contains_key("User") {
        d.push(
            d.at(
                r.span,
                "missing_attribute",
                format!("the {side} block sets password without user"),
                "user missing",
            )
            .help("a password is only sent together with its account: add user"),
        );
    }
    let access_key = if source { r.secret("access_key") } else { None };
    let access_type = r.string("access_type");
    let access_span = r.attr("access_type").map(|a| r.span_of(&a.value));
    match (&access_type, access_span) {
        (Some(t), Some(span)) if source && !SRC_ACCESS_TYPES.contains(&t.as_str()) => d.push(
            d.at(
                span,
                "invalid_value",
                format!("source access_type {t:?} is not one the API takes"),
                "unknown access type",
            )
            .help(format!("use one of {}", SRC_ACCESS_TYPES.join(", "))),
        ),
        (Some(t), Some(span)) if !source && t != "cdb" => d.push(
            d.at(
                span,
                "invalid_value",
                format!(
                    "destination access_type {t:?} is not supported: DstAccessType is only cdb"
                ),
                "only cdb",
            )
            .help("write access_type = \"cdb\", or leave it out"),
        ),
        _ => {}
    }
    if let (Some(Value::String(supplier)), Some(span)) =
        (fields.get("Supplier"), spans.get("Supplier"))
        && !SUPPLIERS.contains(&supplier.as_str())
    {
        d.push(
            d.at(*span, "invalid_value", format!("supplier {supplier:?} is not aliyun or others"), "unknown supplier")
                .help("supplier = \"aliyun\" for an Alibaba Cloud source, \"others\" for any other outside Tencent Cloud"),
        );
    }
    TencentEndpoint {
        access_type,
        fields,
        spans,
        password,
        access_key,
        span: r.span,
    }
}

/// `removed { objects = [...] }` and/or `removed { whole_instance = true }`.
fn decode_removed(
    d: &Diag<'_>,
    parent: &Reader<'_, '_>,
    block: &Block,
) -> (Vec<(Removal, Span)>, bool) {
    let r = Reader {
        d,
        file: parent.file,
        body: &block.body,
        scope: parent.scope.clone(),
        span: parent.span_of(&block.ident),
        what: "the removed block".into(),
    };
    r.check(&["objects", "whole_instance"], &[]);
    let narrowing = r.bool("whole_instance").unwrap_or(false);
    if r.attr("objects").is_none() && !narrowing {
        d.push(
            d.at(r.span, "missing_attribute", "the removed block needs objects or whole_instance = true", "nothing removed")
                .help("list the objects to remove: objects = [\"shop.legacy_orders\"]; or whole_instance = true to narrow a whole-instance migration to the listed objects"),
        );
    }
    let out = removed_objects(
        d,
        &r,
        "write database.table, or database.schema.table, or database.* for a narrowing; quote a name that contains a dot: \"my.db\".orders",
    );
    (out, narrowing)
}
