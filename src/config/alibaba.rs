//! Alibaba Cloud: the `alicloud` provider's own settings, and the `alicloud_dts_job`
//! resource — ids, status, endpoints, reserved settings, the object list (blocks or
//! `db_list`, see `object_list.rs`), declared removals and the guard's lifecycle settings.

use std::collections::BTreeMap;

use hcl_edit::structure::Block;
use serde_json::Value;

use super::cloud::CloudSchema;
use super::eval::Scope;
use super::model::{
    ALICLOUD_DTS_JOB, AlibabaSpec, Cloud, DesiredStatus, EndpointSpec, GuardSpec, JobSpec,
    MigrationModeSpec,
};
use super::object_list::decode_objects;
use super::reader::{Diag, Reader};
use super::resource::{
    ResourceBlock, decode_lifecycle, provider_reference, refused_parameter, removed_objects,
    resource_references,
};
use super::source::Span;
use crate::cloud::alibaba::endpoint;
use crate::cloud::alibaba::{Direction, SignatureVersion};
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
    "resource_group_id",
    "etl_operator_column_reference",
    "filter_table_name",
    "file_oss_url",
    "zero_etl_job",
];
const JOB_BLOCKS: &[&str] = &[
    "source",
    "destination",
    "database",
    "dynamic",
    "removed",
    "lifecycle",
    "migration_mode",
    "reverse",
];
/// What a `reverse` block (the reverse direction of a two-way job) takes: what each
/// direction of a job has of its own.
const REVERSE_ATTRIBUTES: &[&str] = &["status", "db_list", "merge_live_objects", "reserved"];
const REVERSE_BLOCKS: &[&str] = &[
    "source",
    "destination",
    "database",
    "dynamic",
    "removed",
    "lifecycle",
    "migration_mode",
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

/// `EndpointInstanceType` values ModifyDtsJobEndpoint documents (any case).
pub const ENDPOINT_INSTANCE_TYPES: &[&str] = &[
    "rds",
    "polardb",
    "mongodb",
    "distributed_mongodb",
    "greenplum",
    "kafka",
    "ecs",
    "express",
    "other",
];

/// The ModifyDtsJob parameters dtsform refuses, by the attribute that would set them:
/// (attribute, parameter, why not, what to do instead).
pub const REFUSED: &[(&str, &str, &str, &str)] = &[
    (
        "etl_operator_column_reference",
        "EtlOperatorColumnReference",
        "DescribeDtsJobDetail does not show a job's ETL operator settings, so dtsform could neither compare them with the live job nor verify a write",
        "configure the T+1 ETL operator in the DTS console; dtsform leaves it as it is",
    ),
    (
        "filter_table_name",
        "FilterTableName",
        "DescribeDtsJobDetail does not show it, so dtsform could neither compare it with the live job nor verify a write",
        "filter a table's rows with filter = \"...\" in its table block (the DbList filter), which dtsform compares and reads back",
    ),
    (
        "file_oss_url",
        "FileOssUrl",
        "an object list delivered through OSS is neither shown in the plan nor read back, so the lost-object guard could not check it",
        "dtsform sends the object list inline as DbList, where DTS takes at most 1 MB (1,048,576 bytes; larger lists are refused at plan time): list whole databases with all = true, or split the objects over several jobs",
    ),
    (
        "zero_etl_job",
        "ZeroEtlJob",
        "it selects zero-ETL integration tasks, which are not the DTS synchronization and migration jobs dtsform manages",
        "remove zero_etl_job; manage zero-ETL integrations in the console",
    ),
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
    refuse_parameters(d, &r);

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
    let names_direction = r.string("synchronization_direction").is_some_and(|s| {
        let span = r
            .attr("synchronization_direction")
            .map_or(res.span, |a| r.span_of(&a.value));
        match s.as_str() {
            "Forward" => true,
            "Reverse" => {
                d.push(
                    d.at(
                        span,
                        "invalid_value",
                        "the resource manages the forward direction of its job; synchronization_direction cannot be Reverse",
                        "Reverse here",
                    )
                    .help("manage the reverse direction of a two-way synchronization in a reverse { ... } block inside this resource (its object list, reserved settings, endpoints and status)"),
                );
                false
            }
            _ => {
                d.push(
                    d.at(
                        span,
                        "invalid_value",
                        format!("synchronization_direction {s:?} is not Forward"),
                        "invalid direction",
                    )
                    .help("Forward (the default) is the direction the resource manages; the reverse direction of a two-way job goes in a reverse { ... } block"),
                );
                false
            }
        }
    });
    let provider = r
        .attr("provider")
        .and_then(|attr| provider_reference(d, &r, &attr.value, Cloud::Alibaba.provider_label()));
    let depends_on = r
        .attr("depends_on")
        .map(|attr| resource_references(d, &r, &attr.value))
        .unwrap_or_default();
    let resource_group_id = r.string("resource_group_id").and_then(|group| {
        let span = r
            .attr("resource_group_id")
            .map_or(res.span, |a| r.span_of(&a.value));
        if group.trim().is_empty() {
            d.push(
                d.at(span, "invalid_value", "resource_group_id is empty", "empty id")
                    .help("write the resource group's id as the console shows it, e.g. resource_group_id = \"rg-acfmzawhxxc1234\", or leave it out"),
            );
            return None;
        }
        Some((group, span))
    });

    let mut forward = decode_direction(d, &r, &res.block.body, &res.name, res.span);
    forward.dts_job_id = dts_job_id;
    forward.job_id_span = job_id_span;
    forward.dts_instance_id = r.string("dts_instance_id");
    forward.provider = provider;
    forward.depends_on = depends_on;
    forward.names_direction = names_direction;

    let mut reverse: Option<Box<JobSpec>> = None;
    for block in res.block.body.blocks() {
        if block.ident.as_str() != "reverse" {
            continue;
        }
        let span = r.span_of(&block.ident);
        if reverse.is_some() {
            d.push(
                d.at(
                    span,
                    "duplicate_block",
                    "reverse is declared twice",
                    "second one",
                )
                .help("a two-way job has one reverse direction: keep one reverse block"),
            );
            continue;
        }
        let reader = Reader {
            d,
            file: r.file,
            body: &block.body,
            scope: r.scope.clone(),
            span,
            what: "the reverse block".into(),
        };
        reader.check(REVERSE_ATTRIBUTES, REVERSE_BLOCKS);
        let mut spec = decode_direction(d, &reader, &block.body, &res.name, span);
        if !block.body.blocks().any(|b| b.ident.as_str() == "lifecycle") {
            // A direction without its own lifecycle block keeps the resource's guard.
            spec.guard = forward.guard.clone();
        }
        spec.direction = Direction::Reverse;
        spec.dts_job_id.clone_from(&forward.dts_job_id);
        spec.job_id_span = forward.job_id_span;
        spec.dts_instance_id.clone_from(&forward.dts_instance_id);
        spec.provider.clone_from(&forward.provider);
        spec.names_direction = true;
        reverse = Some(Box::new(spec));
    }
    if let Some(alibaba) = forward.alibaba.as_mut() {
        alibaba.resource_group_id = resource_group_id;
        alibaba.reverse = reverse;
    }
    forward
}

/// What each direction of a job has of its own — status, object list, merge mode,
/// endpoints, reserved settings, migration mode, declared removals and the guard's
/// settings — read from `body` (a resource's, or its `reverse` block's) into a spec
/// whose job-wide fields the caller fills in.
fn decode_direction(
    d: &Diag<'_>,
    r: &Reader<'_, '_>,
    body: &hcl_edit::structure::Body,
    name: &str,
    span: Span,
) -> JobSpec {
    let status = r.string("status").and_then(|s| match s.as_str() {
        "running" => Some(DesiredStatus::Running),
        "suspended" => Some(DesiredStatus::Suspended),
        other => {
            let span = r.attr("status").map_or(span, |a| r.span_of(&a.value));
            d.push(
                d.at(span, "invalid_value", format!("status {other:?} is not running or suspended"), "invalid status")
                    .help("running: StartDtsJob if needed; suspended: SuspendDtsJob if needed; leave it out to not manage the status"),
            );
            None
        }
    });
    let reserved = decode_reserved(d, r);
    let (objects, objects_span) = decode_objects(d, r, name);
    let mut source = None;
    let mut destination = None;
    let mut removed = Vec::new();
    let mut guard = GuardSpec::default();
    let mut migration_mode = None;
    let mut seen: Vec<&str> = Vec::new();
    for block in body.blocks() {
        let block_span = r.span_of(block);
        let ident = block.ident.as_str();
        if matches!(
            ident,
            "source" | "destination" | "lifecycle" | "migration_mode"
        ) {
            if seen.contains(&ident) {
                d.push(
                    d.at(
                        block_span,
                        "duplicate_block",
                        format!("{ident} is declared twice"),
                        "second one",
                    )
                    .help(match ident {
                        "lifecycle" => "merge the two lifecycle blocks into one".to_owned(),
                        "source" | "destination" => "keep one block per endpoint".to_owned(),
                        _ => format!("keep one {ident} block"),
                    }),
                );
                continue;
            }
            seen.push(ident);
        }
        match ident {
            "source" => source = decode_endpoint(d, r, block, Side::Source),
            "destination" => destination = decode_endpoint(d, r, block, Side::Destination),
            "removed" => removed.extend(decode_removed(d, r, block)),
            "lifecycle" => guard = decode_lifecycle(d, r, block),
            "migration_mode" => migration_mode = decode_migration_mode(d, r, block),
            _ => {}
        }
    }
    let merge_live_objects = r.bool("merge_live_objects").unwrap_or(false);
    JobSpec {
        cloud: Cloud::Alibaba,
        name: name.to_owned(),
        span,
        provider: None,
        dts_job_id: String::new(),
        job_id_span: span,
        dts_instance_id: None,
        status,
        direction: Direction::Forward,
        names_direction: false,
        objects,
        objects_span,
        merge_live_objects,
        source,
        destination,
        reserved,
        removed,
        guard,
        depends_on: Vec::new(),
        tencent: None,
        alibaba: Some(Box::new(AlibabaSpec {
            migration_mode,
            ..AlibabaSpec::default()
        })),
    }
}

/// The ModifyDtsJob parameters dtsform refuses ([`REFUSED`]): each attribute that would
/// set one is an error saying why and what to do instead.
fn refuse_parameters(d: &Diag<'_>, r: &Reader<'_, '_>) {
    for (attribute, parameter, why, instead) in REFUSED {
        if let Some(attr) = r.attr(attribute) {
            refused_parameter(
                d,
                r.span_of(&attr.key),
                "ModifyDtsJob",
                (parameter, attribute),
                why,
                instead,
            );
        }
    }
}

/// `migration_mode { ... }`: the phases a direction runs, each flag optional; not all
/// three off, and at least one set.
fn decode_migration_mode(
    d: &Diag<'_>,
    parent: &Reader<'_, '_>,
    block: &Block,
) -> Option<MigrationModeSpec> {
    let r = Reader {
        d,
        file: parent.file,
        body: &block.body,
        scope: parent.scope.clone(),
        span: parent.span_of(&block.ident),
        what: "the migration_mode block".into(),
    };
    r.check(
        &[
            "structure_initialization",
            "data_initialization",
            "data_synchronization",
        ],
        &[],
    );
    let spec = MigrationModeSpec {
        structure_initialization: r.bool("structure_initialization"),
        data_initialization: r.bool("data_initialization"),
        data_synchronization: r.bool("data_synchronization"),
        span: r.span,
    };
    let flags = [
        spec.structure_initialization,
        spec.data_initialization,
        spec.data_synchronization,
    ];
    if flags.iter().all(Option::is_none) {
        d.push(
            d.at(r.span, "empty_block", "the migration_mode block sets nothing", "empty")
                .help("set structure_initialization, data_initialization or data_synchronization (true or false), or remove the block"),
        );
        return None;
    }
    if flags == [Some(false); 3] {
        d.push(
            d.at(
                r.span,
                "invalid_value",
                "migration_mode turns every phase off: the job would move no data",
                "all false",
            )
            .help("keep at least one of structure_initialization, data_initialization and data_synchronization true; to stop a job, set status = \"suspended\""),
        );
        return None;
    }
    Some(spec)
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

/// Which block an endpoint is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Source,
    Destination,
}

fn decode_endpoint(
    d: &Diag<'_>,
    parent: &Reader<'_, '_>,
    block: &Block,
    side: Side,
) -> Option<EndpointSpec> {
    let name = match side {
        Side::Source => "source",
        Side::Destination => "destination",
    };
    let r = Reader {
        d,
        file: parent.file,
        body: &block.body,
        scope: parent.scope.clone(),
        span: parent.span_of(&block.ident),
        what: format!("the {name} block"),
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
        database_span: r.attr("database").map(|a| r.span_of(&a.key)),
    };
    endpoint_rules(&r, &spec, name);
    Some(spec)
}

/// ModifyDtsJobEndpoint's rules, as the page gives them, checked before anything is
/// sent.
fn endpoint_rules(r: &Reader<'_, '_>, spec: &EndpointSpec, side: &str) {
    let d = r.d;
    let at = |attribute: &str| r.attr(attribute).map_or(r.span, |a| r.span_of(&a.key));
    let kind = spec.instance_type.as_str();
    if !ENDPOINT_INSTANCE_TYPES.contains(&kind) {
        d.push(
            d.at(
                r.attr("instance_type")
                    .map_or(r.span, |a| r.span_of(&a.value)),
                "invalid_value",
                format!(
                    "instance_type {kind:?} is not an EndpointInstanceType of ModifyDtsJobEndpoint"
                ),
                "unknown type",
            )
            .help(format!(
                "write one of {} (any case)",
                ENDPOINT_INSTANCE_TYPES.join(", ")
            )),
        );
    }
    if let Some(port) = &spec.port
        && !port.parse::<u16>().is_ok_and(|p| p > 0)
    {
        d.push(
            d.at(
                r.attr("port").map_or(r.span, |a| r.span_of(&a.value)),
                "invalid_value",
                format!("port {port:?} is not a port number"),
                "not 1-65535",
            )
            .help("write the database's port, e.g. port = 3306"),
        );
    }
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
    if spec.shard_username.is_some() != spec.shard_password.is_some() {
        let (set, missing) = if spec.shard_username.is_some() {
            ("shard_username", "shard_password")
        } else {
            ("shard_password", "shard_username")
        };
        d.push(
            d.at(at(set), "missing_attribute", format!("the {side} block sets {set} without {missing}"), format!("{missing} missing"))
                .help("a shard account is sent whole: set shard_username and shard_password (a sensitive variable) together"),
        );
    }
    if spec.shard_username.is_some() || spec.shard_password.is_some() {
        let attribute = if spec.shard_username.is_some() {
            "shard_username"
        } else {
            "shard_password"
        };
        if side != "source" || kind != "distributed_mongodb" {
            d.push(
                d.at(
                    at(attribute),
                    "invalid_attribute",
                    format!("{attribute} is only for the source of a sharded MongoDB cluster, not a {side} of instance_type {kind:?}"),
                    "not a sharded source",
                )
                .help("ModifyDtsJobEndpoint takes ShardUsername and ShardPassword only for an ApsaraDB for MongoDB sharded cluster source (instance_type = \"distributed_mongodb\" in the source block); remove them here"),
            );
        } else if spec.username.is_none() || spec.password.is_none() {
            d.push(
                d.at(at(attribute), "missing_attribute", format!("the {side} block sets a shard account without the account it belongs with"), "no username and password")
                    .help("ModifyDtsJobEndpoint sends the shard account only with the account (ModifyAccount): set username and password too"),
            );
        }
    }
    if spec.aliyun_uid.is_some() && spec.role_name.is_none() {
        d.push(
            d.at(at("aliyun_uid"), "missing_attribute", format!("the {side} block sets aliyun_uid without role_name"), "role_name missing")
                .help("a database in another Alibaba Cloud account is reached through a RAM role of that account: set role_name (e.g. \"ram-for-dts\") with aliyun_uid"),
        );
    }
    if spec.role_name.is_some() && spec.aliyun_uid.is_none() {
        d.push(
            d.at(at("role_name"), "missing_attribute", format!("the {side} block sets role_name without aliyun_uid"), "aliyun_uid missing")
                .help("role_name is the RAM role of the account the database belongs to: set aliyun_uid (that account's id) with it, or remove role_name"),
        );
    }
    match (kind, &spec.database) {
        ("mongodb" | "distributed_mongodb" | "greenplum", None) => d.push(
            d.at(r.span, "missing_attribute", format!("the {side} block needs database for instance_type {kind:?}"), "database missing")
                .help(if kind == "greenplum" {
                    "AnalyticDB for PostgreSQL takes the database's name: add database = \"...\""
                } else {
                    "MongoDB takes the authentication database: add database = \"admin\" (or the one the account is defined in)"
                }),
        ),
        ("kafka", Some(_)) => d.push(
            d.at(at("database"), "invalid_attribute", "database is not a setting of a Kafka endpoint", "not for kafka")
                .help("ModifyDtsJobEndpoint takes Database only for PostgreSQL, PolarDB for PostgreSQL, AnalyticDB for PostgreSQL and MongoDB: remove it"),
        ),
        _ => {}
    }
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
