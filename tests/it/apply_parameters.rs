//! `apply` of the parameters beyond objects, reserved settings and status: both
//! directions of a two-way job, the migration mode, a resource group, every endpoint
//! field, and the endpoint prechecks. Each write is read back, the job converges (a new
//! plan shows no changes), and a second run of the same plan sends nothing.

use serde_json::json;

use crate::apply::{Lab, options, outcome};
use crate::support::{SHOP_JOB, TWO_WAY_JOB, TWO_WAY_REVERSE_JOB, fast_config};
use dtsform::apply::{ApplyError, Outcome};
use dtsform::emulator::World;
use dtsform::emulator::world::Job;

/// The sample world's two-way job.
fn two_way(world: &World) -> &Job {
    world.jobs.iter().find(|j| j.job_id == TWO_WAY_JOB).unwrap()
}

fn shop(world: &World) -> &Job {
    world.jobs.iter().find(|j| j.job_id == SHOP_JOB).unwrap()
}

/// Applies `lab`'s configuration: every operation applied, then the job converged (no
/// changes planned) and the same plan again sends nothing.
async fn apply_and_converge(lab: &Lab) -> dtsform::plan::file::PlanFile {
    let plan = lab.plan().await;
    assert!(plan.plan().has_changes(), "nothing to do: {plan:#?}");
    let (summary, _) = lab.apply(&plan, &options()).await;
    assert!(summary.is_complete(), "{summary:#?}");
    assert_eq!(summary.applied(), summary.ops.len(), "{summary:#?}");
    let again = lab.plan().await;
    assert!(!again.plan().has_changes(), "not converged: {again:#?}");
    let writes = lab.writes().len();
    let (rerun, _) = lab.apply(&plan, &options()).await;
    assert!(rerun.is_complete(), "{rerun:#?}");
    assert_eq!(rerun.already_applied(), rerun.ops.len(), "{rerun:#?}");
    assert_eq!(lab.writes().len(), writes, "a re-run writes nothing");
    plan
}

#[tokio::test]
async fn both_directions_of_a_two_way_job_are_written_read_back_and_converge() {
    let hcl = format!(
        r#"
resource "alicloud_dts_job" "orders" {{
  dts_job_id = "{TWO_WAY_JOB}"

  database "orders" {{
    table "orders" {{}}
    table "order_items" {{}}
    table "refunds" {{}}
  }}
  reserved = {{ maxRetryTime = 7200 }}

  reverse {{
    status = "suspended"
    database "orders" {{
      table "orders" {{}}
      table "order_items" {{}}
    }}
    reserved = {{ maxRetryTime = 600 }}
    migration_mode {{
      data_initialization = false
    }}
  }}
}}
"#
    );
    let lab = Lab::new(fast_config(), World::sample(), &hcl).await;
    let plan = apply_and_converge(&lab).await;
    let ids: Vec<&str> = plan.jobs[0]
        .operations
        .iter()
        .map(|o| o.id.as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "alicloud_dts_job.orders/objects",
            "alicloud_dts_job.orders/reserved",
            "alicloud_dts_job.orders/reverse/migration_mode",
            "alicloud_dts_job.orders/reverse/objects",
            "alicloud_dts_job.orders/reverse/reserved",
            "alicloud_dts_job.orders/reverse/status",
        ]
    );
    let world = lab.emulator.world();
    let job = two_way(&world);
    let reverse = job.reverse.as_deref().unwrap();
    let tables = |j: &Job| {
        let mut t: Vec<String> = j.db_list["orders"]["Table"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        t.sort();
        t
    };
    assert_eq!(tables(job), ["order_items", "orders", "refunds"]);
    assert_eq!(tables(reverse), ["order_items", "orders"]);
    assert_eq!(job.reserved["maxRetryTime"], json!(7200));
    assert_eq!(reverse.reserved["maxRetryTime"], json!(600));
    assert!(!reverse.migration_mode.data_initialization);
    assert!(job.migration_mode.data_initialization);
    assert_eq!(reverse.status.as_str(), "Suspending");
    assert_eq!(job.status.as_str(), "Synchronizing");
    // Each direction's writes went to its own job, each with its own ClientToken.
    assert_eq!(lab.writes_to(TWO_WAY_JOB), ["objects", "reserved"]);
    assert_eq!(
        lab.writes_to(TWO_WAY_REVERSE_JOB),
        ["migration mode", "objects", "reserved", "suspend"]
    );
    let tokens: std::collections::BTreeSet<&str> = world
        .client_tokens
        .iter()
        .map(|t| t.token.as_str())
        .collect();
    assert_eq!(tokens.len(), 5, "{:#?}", world.client_tokens);
    // Every request named its direction: the job is two-way.
    let received = lab.emulator.received();
    for action in ["ModifyDtsJob", "SuspendDtsJob", "DescribeDtsJobDetail"] {
        assert!(
            received[action].contains("SynchronizationDirection"),
            "{action}: {received:?}"
        );
    }
}

#[tokio::test]
async fn a_reverse_direction_changed_since_the_plan_is_not_written() {
    let hcl = format!(
        r#"
resource "alicloud_dts_job" "orders" {{
  dts_job_id = "{TWO_WAY_JOB}"
  reverse {{
    database "orders" {{
      table "orders" {{}}
      table "order_items" {{}}
    }}
  }}
}}
"#
    );
    let lab = Lab::new(fast_config(), World::sample(), &hcl).await;
    let plan = lab.plan().await;
    // Someone adds a table to the reverse direction after the plan: sending the planned
    // list would now remove it, which the plan did not show.
    let c = crate::support::client(
        &lab.emulator.url(),
        dtsform::cloud::alibaba::SignatureVersion::V3,
    );
    let instance = two_way(&lab.emulator.world()).instance_id.clone();
    c.modify_job(&dtsform::cloud::alibaba::ModifyDtsJob {
        dts_instance_id: instance,
        dts_job_id: Some(TWO_WAY_JOB.into()),
        synchronization_direction: Some("Reverse".into()),
        resource_group_id: None,
        client_token: None,
        change: dtsform::cloud::alibaba::ModifyDtsJobChange::DbList(
            json!({"orders": {"name": "orders", "all": false, "Table": {
                "orders": {"name": "orders", "all": true},
                "audit": {"name": "audit", "all": true}}}})
            .to_string(),
        ),
    })
    .await
    .unwrap();
    let (summary, _) = lab.apply(&plan, &options()).await;
    let Outcome::Failed(ApplyError::Stale { changes, .. }) =
        outcome(&summary, "alicloud_dts_job.orders/reverse/objects")
    else {
        panic!("{summary:#?}")
    };
    let text = changes.join("; ");
    assert!(
        text.contains("object list of the reverse direction changed")
            && text.contains("orders.audit"),
        "{text}"
    );
}

#[tokio::test]
async fn migration_mode_is_written_read_back_and_converges() {
    let hcl = format!(
        r#"
resource "alicloud_dts_job" "shop" {{
  dts_job_id = "{SHOP_JOB}"
  migration_mode {{
    structure_initialization = false
    data_synchronization     = true
  }}
}}
"#
    );
    let lab = Lab::new(fast_config(), World::sample(), &hcl).await;
    apply_and_converge(&lab).await;
    let world = lab.emulator.world();
    let mode = shop(&world).migration_mode;
    assert!(
        !mode.structure_initialization && mode.data_initialization && mode.data_synchronization
    );
    assert_eq!(lab.writes_to(SHOP_JOB), ["migration mode"]);
    let received = &lab.emulator.received()["ModifyDtsJob"];
    assert!(
        received.contains("StructureInitialization") && received.contains("DataSynchronization"),
        "{received:?}"
    );
    assert!(
        !received.contains("DataInitialization"),
        "a flag the configuration leaves out is not sent"
    );
}

#[tokio::test]
async fn every_endpoint_parameter_is_sent_read_back_and_converges() {
    let hcl = format!(
        r#"
variable "src_password" {{
  type      = string
  sensitive = true
  default   = "src-pw-never-shown"
}}
variable "shard_password" {{
  type      = string
  sensitive = true
  default   = "shard-pw-never-shown"
}}

resource "alicloud_dts_job" "shop" {{
  dts_job_id        = "{SHOP_JOB}"
  resource_group_id = "rg-shop"

  source {{
    instance_type        = "distributed_mongodb"
    instance_id          = "dds-bp1src000000002"
    region               = "cn-shanghai"
    ip                   = "10.1.2.3"
    port                 = 3717
    database             = "admin"
    username             = "dts_mongo"
    password             = var.src_password
    shard_username       = "dts_shard"
    shard_password       = var.shard_password
    role_name            = "ram-for-dts"
    aliyun_uid           = "1507800203001234"
    vpc_id               = "vpc-bp1src"
    vswitch_id           = "vsw-bp1src-a"
    secondary_vswitch_id = "vsw-bp1src-b"
  }}
}}
"#
    );
    let mut world = World::sample();
    world.jobs[0].resource_group_id = Some("rg-shop".into());
    let lab = Lab::new(fast_config(), world, &hcl).await;
    apply_and_converge(&lab).await;
    let world = lab.emulator.world();
    let source = &shop(&world).source;
    assert_eq!(
        (
            source.instance_type.as_deref(),
            source.instance_id.as_deref(),
            source.region.as_deref(),
            source.ip.as_deref(),
            source.port.as_deref(),
            source.database_name.as_deref(),
            source.user_name.as_deref(),
            source.role_name.as_deref(),
            source.aliyun_uid.as_deref(),
            source.vpc_id.as_deref(),
            source.vswitch_id.as_deref(),
        ),
        (
            Some("DISTRIBUTED_MONGODB"),
            Some("dds-bp1src000000002"),
            Some("cn-shanghai"),
            Some("10.1.2.3"),
            Some("3717"),
            Some("admin"),
            Some("dts_mongo"),
            Some("ram-for-dts"),
            Some("1507800203001234"),
            Some("vpc-bp1src"),
            Some("vsw-bp1src-a"),
        )
    );
    assert_eq!(lab.writes_to(SHOP_JOB), ["endpoint src (account)"]);
    let received = &lab.emulator.received()["ModifyDtsJobEndpoint"];
    for name in [
        "DtsInstanceId",
        "ResourceGroupId",
        "EndpointSecondaryVswId",
        "ShardUsername",
        "ShardPassword",
        "ModifyAccount",
        "DryRun",
    ] {
        assert!(received.contains(name), "{name}: {received:?}");
    }
    let saved = serde_json::to_string(&lab.emulator.world()).unwrap();
    assert!(!saved.contains("pw-never-shown"), "no password is stored");
}

#[tokio::test]
async fn a_failing_precheck_stops_the_job_with_the_services_message_and_writes_nothing_of_it() {
    // The source change passes its precheck, the destination's port is unreachable:
    // the job's first operation prechecks both, so not even the source is written.
    let hcl = format!(
        r#"
resource "alicloud_dts_job" "shop" {{
  dts_job_id = "{SHOP_JOB}"
  source {{
    instance_type = "rds"
    port          = 3308
  }}
  destination {{
    instance_type = "rds"
    port          = 3307
  }}
  database "shop" {{
    table "orders" {{}}
    table "customers" {{}}
    table "legacy_orders" {{}}
    table "payments" {{}}
  }}
  reserved = {{ maxRetryTime = 600 }}
}}

resource "alicloud_dts_job" "orders" {{
  dts_job_id = "{TWO_WAY_JOB}"
  reserved   = {{ maxRetryTime = 900 }}
  reverse {{
    destination {{
      instance_type = "rds"
      port          = 3307
    }}
  }}
}}
"#
    );
    let lab = Lab::new(fast_config(), World::sample(), &hcl).await;
    let plan = lab.plan().await;
    let (summary, _) = lab.apply(&plan, &options()).await;
    for (op, what) in [
        ("alicloud_dts_job.shop/source", "the destination endpoint"),
        (
            "alicloud_dts_job.orders/reserved",
            "the destination endpoint of the reverse direction",
        ),
    ] {
        let Outcome::Failed(ApplyError::Precheck {
            what: failed,
            error,
            ..
        }) = outcome(&summary, op)
        else {
            panic!("{op}: {summary:#?}")
        };
        assert_eq!(failed, what);
        let text = error.to_string();
        assert!(
            text.contains("DTS.Msg.InvalidEndpoint")
                && text.contains("cannot connect to the destination database on port 3307")
                && text.contains("RequestId"),
            "{text}"
        );
    }
    for skipped in [
        "alicloud_dts_job.shop/destination",
        "alicloud_dts_job.shop/objects",
        "alicloud_dts_job.shop/reserved",
        "alicloud_dts_job.orders/reverse/destination",
    ] {
        assert!(
            matches!(outcome(&summary, skipped), Outcome::Skipped { .. }),
            "{skipped}: {summary:#?}"
        );
    }
    assert!(lab.writes().is_empty(), "{:#?}", lab.writes());
    let world = lab.emulator.world();
    assert_eq!(
        shop(&world).source.port.as_deref(),
        Some("3306"),
        "the source whose precheck passed was not written either"
    );
    assert_eq!(world.jobs, World::sample().jobs);
}

#[tokio::test]
async fn a_passing_precheck_is_followed_by_the_real_change() {
    let hcl = format!(
        r#"
variable "dest_password" {{
  type      = string
  sensitive = true
  default   = "dest-pw"
}}

resource "alicloud_dts_job" "shop" {{
  dts_job_id = "{SHOP_JOB}"
  destination {{
    instance_type = "rds"
    instance_id   = "rm-bp1dst000000002"
    username      = "dts_writer_v2"
    password      = var.dest_password
  }}
}}
"#
    );
    let lab = Lab::new(fast_config(), World::sample(), &hcl).await;
    let plan = lab.plan().await;
    let (summary, _) = lab.apply(&plan, &options()).await;
    assert!(summary.is_complete(), "{summary:#?}");
    assert_eq!(
        lab.emulator.calls()["ModifyDtsJobEndpoint"],
        2,
        "the precheck, then the change"
    );
    assert_eq!(lab.writes_to(SHOP_JOB), ["endpoint dest (account)"]);
    let world = lab.emulator.world();
    let destination = &shop(&world).destination;
    assert_eq!(
        (
            destination.instance_id.as_deref(),
            destination.user_name.as_deref()
        ),
        (Some("rm-bp1dst000000002"), Some("dts_writer_v2"))
    );
}

#[tokio::test]
async fn a_refused_account_fails_the_precheck_of_a_reverse_endpoint() {
    let hcl = format!(
        r#"
variable "reader_password" {{
  type      = string
  sensitive = true
  default   = "reader-pw"
}}

resource "alicloud_dts_job" "orders" {{
  dts_job_id = "{TWO_WAY_JOB}"
  reverse {{
    source {{
      instance_type = "rds"
      username      = "dts_readonly"
      password      = var.reader_password
    }}
  }}
}}
"#
    );
    let lab = Lab::new(fast_config(), World::sample(), &hcl).await;
    let plan = lab.plan().await;
    let (summary, _) = lab.apply(&plan, &options()).await;
    let Outcome::Failed(ApplyError::Precheck { error, .. }) =
        outcome(&summary, "alicloud_dts_job.orders/reverse/source")
    else {
        panic!("{summary:#?}")
    };
    assert!(
        error
            .to_string()
            .contains("refused the account \"dts_readonly\""),
        "{error}"
    );
    assert!(lab.writes().is_empty());
}
