//! Alibaba Cloud: the `alicloud` provider's own settings, and the `alicloud_dts_job`
//! resource — ids, status, endpoints, reserved settings, the object list (blocks or
//! `db_list`, see `object_list.rs`), declared removals and the guard's lifecycle settings.

use std::collections::BTreeMap;

use hcl_edit::structure::Block;
use serde_json::Value;

use super::cloud::CloudSchema;
use super::eval::Scope;
use super::model::{ALICLOUD_DTS_JOB, Cloud, DesiredStatus, EndpointSpec, GuardSpec, JobSpec};
use super::object_list::decode_objects;
use super::reader::{Diag, Reader};
use super::resource::{
    ResourceBlock, decode_lifecycle, provider_reference, removed_objects, resource_references,
};
use super::source::Span;
use crate::cloud::alibaba::SignatureVersion;
use crate::cloud::alibaba::endpoint;
use crate::objects::Removal;

const JOB_ATTRIBUTES: &[&str] = &[
    "provider",
    "dts_job_id",
    "dts_instance_id",
    "status",
    "synchronization_direction",
    "db_list",
    "merge_live_objects",
    "reserved",
    "depends_on",
];
const JOB_BLOCKS: &[&str] = &[
    "source",
    "destination",
    "database",
    "dynamic",
    "removed",
    "lifecycle",
];
const ENDPOINT_ATTRIBUTES: &[&str] = &[
    "instance_type",
    "instance_id",
    "region",
    "ip",
    "port",
    "database",
    "username",
    "password",
    "shard_username",
    "shard_password",
    "role_name",
    "aliyun_uid",
    "vpc_id",
    "vswitch_id",
    "secondary_vswitch_id",
];

/// Alibaba Cloud, as the configuration sees it.
pub const CLOUD: CloudSchema = CloudSchema {
    cloud: Cloud::Alibaba,
    provider_attributes: &[
        "region",
        "endpoint",
        "profile",
        "alias",
        "signature_version",
        "rate_limit",
    ],
    region_example: "cn-hangzhou",
    validate_region: endpoint::validate_region,
    parse_endpoint: endpoint::parse_endpoint,
    signature: Some(signature),
    job_id_attribute: "dts_job_id",
    decode_job,
};

/// `signature_version = "v3"` (the default) or `"v1"`.
fn signature(r: &Reader<'_, '_>) -> SignatureVersion {
    let signature =
        r.string("signature_version")
            .and_then(|s| match s.parse::<SignatureVersion>() {
                Ok(v) => Some(v),
                Err(e) => {
                    let span = r
                        .attr("signature_version")
                        .map_or(r.span, |a| r.span_of(&a.value));
                    r.d.push(
                        r.d.at(span, "invalid_value", e, "v3 or v1")
                            .help("write signature_version = \"v3\" (the default) or \"v1\""),
                    );
                    None
                }
            });
    signature.unwrap_or_default()
}

/// Decodes one `alicloud_dts_job` resource (see [`CloudSchema::decode_job`]).
fn decode_job(d: &Diag<'_>, res: &ResourceBlock<'_>, scope: &Scope<'_>) -> JobSpec {
    let r = Reader {
        d,
        file: res.file,
        body: &res.block.body,
        scope: scope.clone(),
        span: res.span,
        what: format!("resource {ALICLOUD_DTS_JOB}.{}", res.name),
    };
    r.check(JOB_ATTRIBUTES, JOB_BLOCKS);

    let dts_job_id = r.required_string("dts_job_id");
    let job_id_span = r
        .attr("dts_job_id")
        .map_or(res.span, |a| r.span_of(&a.value));
    if dts_job_id.as_deref().is_some_and(|id| id.trim().is_empty()) {
        d.push(
            d.at(
                job_id_span,
                "invalid_value",
                "dts_job_id is empty",
                "empty id",
            )
            .help("write the job's id as the console shows it, e.g. dts_job_id = \"k2gm967v16f\""),
        );
    }
    let dts_job_id = dts_job_id.unwrap_or_default();
    let status = r.string("status").and_then(|s| match s.as_str() {
        "running" => Some(DesiredStatus::Running),
        "suspended" => Some(DesiredStatus::Suspended),
        other => {
            let span = r.attr("status").map_or(res.span, |a| r.span_of(&a.value));
            d.push(
                d.at(span, "invalid_value", format!("status {other:?} is not running or suspended"), "invalid status")
                    .help("running: StartDtsJob if needed; suspended: SuspendDtsJob if needed; leave it out to not manage the status"),
            );
            None
        }
    });
    let direction = r.string("synchronization_direction").and_then(|s| {
        if s == "Forward" || s == "Reverse" {
            Some(s)
        } else {
            let span = r
                .attr("synchronization_direction")
                .map_or(res.span, |a| r.span_of(&a.value));
            d.push(
                d.at(
                    span,
                    "invalid_value",
                    format!("synchronization_direction {s:?} is not Forward or Reverse"),
                    "invalid direction",
                )
                .help("Forward is the default; Reverse only exists for two-way synchronization"),
            );
            None
        }
    });
    let provider = r
        .attr("provider")
        .and_then(|attr| provider_reference(d, &r, &attr.value, Cloud::Alibaba.provider_label()));
    let depends_on = r
        .attr("depends_on")
        .map(|attr| resource_references(d, &r, &attr.value))
        .unwrap_or_default();
    let reserved = decode_reserved(d, &r);

    let (objects, objects_span) = decode_objects(d, &r, &res.name);
    let mut source = None;
    let mut destination = None;
    let mut removed = Vec::new();
    let mut guard = GuardSpec::default();
    let mut lifecycle_seen = false;
    for block in res.block.body.blocks() {
        let span = r.span_of(block);
        match block.ident.as_str() {
            side @ ("source" | "destination") => {
                let slot = if side == "source" {
                    &mut source
                } else {
                    &mut destination
                };
                if slot.is_some() {
                    d.push(
                        d.at(
                            span,
                            "duplicate_block",
                            format!("{side} is declared twice"),
                            "second one",
                        )
                        .help("keep one block per endpoint"),
                    );
                    continue;
                }
                *slot = decode_endpoint(d, &r, block, side);
            }
            "removed" => removed.extend(decode_removed(d, &r, block)),
            "lifecycle" => {
                if lifecycle_seen {
                    d.push(
                        d.at(
                            span,
                            "duplicate_block",
                            "lifecycle is declared twice",
                            "second one",
                        )
                        .help("merge the two lifecycle blocks into one"),
                    );
                    continue;
                }
                lifecycle_seen = true;
                guard = decode_lifecycle(d, &r, block);
            }
            _ => {}
        }
    }
    let merge_live_objects = r.bool("merge_live_objects").unwrap_or(false);
    JobSpec {
        cloud: Cloud::Alibaba,
        name: res.name.clone(),
        span: res.span,
        provider,
        dts_job_id,
        job_id_span,
        dts_instance_id: r.string("dts_instance_id"),
        status,
        direction,
        objects,
        objects_span,
        merge_live_objects,
        source,
        destination,
        reserved,
        removed,
        guard,
        depends_on,
        tencent: None,
    }
}

/// `reserved = { key = value }`: the Reserved settings to manage. DTS reads them as flat
/// key/value settings, so each value is a string, a number or a bool.
fn decode_reserved(d: &Diag<'_>, r: &Reader<'_, '_>) -> BTreeMap<String, Value> {
    let Some((map, span)) = r.object("reserved") else {
        return BTreeMap::new();
    };
    let mut reserved = BTreeMap::new();
    for (key, value) in map {
        if matches!(value, Value::String(_) | Value::Number(_) | Value::Bool(_)) {
            reserved.insert(key, value);
            continue;
        }
        let got = match value {
            Value::Null => "null",
            Value::Array(_) => "a list",
            _ => "an object",
        };
        d.push(
            d.at(
                r.entry_span("reserved", &key).unwrap_or(span),
                "wrong_type",
                format!("reserved {key:?} must be a string, a number or a bool, got {got}"),
                "not a string, number or bool",
            )
            .help(format!("write a single value, e.g. reserved = {{ {key} = \"...\" }}; leave the key out to not manage it")),
        );
    }
    reserved
}

fn decode_endpoint(
    d: &Diag<'_>,
    parent: &Reader<'_, '_>,
    block: &Block,
    side: &str,
) -> Option<EndpointSpec> {
    let r = Reader {
        d,
        file: parent.file,
        body: &block.body,
        scope: parent.scope.clone(),
        span: parent.span_of(&block.ident),
        what: format!("the {side} block"),
    };
    r.check(ENDPOINT_ATTRIBUTES, &[]);
    let instance_type = r.required_string("instance_type")?.to_ascii_lowercase();
    let spec = EndpointSpec {
        instance_type,
        instance_id: r.string("instance_id"),
        region: r.string("region"),
        ip: r.string("ip"),
        port: r.string("port"),
        database: r.string("database"),
        username: r.string("username"),
        password: r.secret("password"),
        shard_username: r.string("shard_username"),
        shard_password: r.secret("shard_password"),
        role_name: r.string("role_name"),
        aliyun_uid: r.string("aliyun_uid"),
        vpc_id: r.string("vpc_id"),
        vswitch_id: r.string("vswitch_id"),
        secondary_vswitch_id: r.string("secondary_vswitch_id"),
        span: r.span,
    };
    if spec.password.is_some() && spec.username.is_none() {
        d.push(
            d.at(
                r.span,
                "missing_attribute",
                format!("the {side} block sets password without username"),
                "username missing",
            )
            .help("a password is only sent together with its account: add username"),
        );
    }
    Some(spec)
}

fn decode_removed(d: &Diag<'_>, parent: &Reader<'_, '_>, block: &Block) -> Vec<(Removal, Span)> {
    let r = Reader {
        d,
        file: parent.file,
        body: &block.body,
        scope: parent.scope.clone(),
        span: parent.span_of(&block.ident),
        what: "the removed block".into(),
    };
    r.check(&["objects"], &[]);
    if r.attr("objects").is_none() {
        d.push(
            d.at(
                r.span,
                "missing_attribute",
                "the removed block needs objects",
                "objects missing",
            )
            .help("list the objects to remove: objects = [\"shop.legacy_orders\"]"),
        );
        return Vec::new();
    }
    removed_objects(
        d,
        &r,
        "write database.table, or database.table.column, or database.* for a narrowing; quote a name that contains a dot: \"my.db\".orders",
    )
}
