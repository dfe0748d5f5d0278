//! The README's "API parameter coverage" tables against the code: every request
//! parameter of the four API pages dtsform writes with is listed; every one marked
//! `supported` or `automatic` really reaches the emulator when dtsform plans and applies
//! (the emulator logs the names of the parameters it receives, per action); and the
//! `refused` ones are exactly those the configuration refuses by name.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use crate::apply::{Lab, options};
use crate::support::{ANALYTICS_JOB, SHOP_JOB, TWO_WAY_JOB, fast_config};
use dtsform::emulator::{EmulatorConfig, World};

const README: &str = include_str!("../../README.md");

/// The request parameters of each page, as the page lists them (the action's own name
/// first). Tencent's common parameters `Action`, `Version` and `Region` are on its page.
const PAGES: &[(&str, &[&str])] = &[
    (
        "ModifyDtsJob",
        &[
            "Action",
            "RegionId",
            "DtsInstanceId",
            "SynchronizationDirection",
            "ClientToken",
            "DbList",
            "EtlOperatorColumnReference",
            "ModifyTypeEnum",
            "Reserved",
            "FileOssUrl",
            "FilterTableName",
            "StructureInitialization",
            "DataInitialization",
            "DataSynchronization",
            "DtsJobId",
            "ZeroEtlJob",
            "ResourceGroupId",
        ],
    ),
    (
        "ModifyDtsJobEndpoint",
        &[
            "Action",
            "RegionId",
            "DtsJobId",
            "DtsInstanceId",
            "SynchronizationDirection",
            "Endpoint",
            "EndpointRegionId",
            "EndpointInstanceType",
            "EndpointInstanceId",
            "EndpointIp",
            "EndpointPort",
            "ModifyAccount",
            "Username",
            "Password",
            "Database",
            "ShardUsername",
            "ShardPassword",
            "RoleName",
            "AliyunUid",
            "DryRun",
            "ResourceGroupId",
        ],
    ),
    (
        "StartDtsJob",
        &[
            "Action",
            "DtsJobId",
            "DtsInstanceId",
            "SynchronizationDirection",
            "RegionId",
        ],
    ),
    (
        "ModifyMigrateJob",
        &[
            "Action",
            "Version",
            "Region",
            "JobId",
            "JobName",
            "MigrateOption",
            "SrcAccessType",
            "SrcInfo",
            "DstAccessType",
            "DstInfo",
            "DatabaseInfo",
        ],
    ),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Supported,
    Automatic,
    Refused,
}

/// One row of a table: the parameter, its status and what the last column says.
#[derive(Debug)]
struct Row {
    parameter: String,
    status: Status,
    how: String,
}

/// The README's tables, by action: `### Alibaba ModifyDtsJob` → `ModifyDtsJob`.
fn tables(readme: &str) -> Result<BTreeMap<String, Vec<Row>>, String> {
    let section = readme
        .split("\n## API parameter coverage\n")
        .nth(1)
        .ok_or("README.md has no \"## API parameter coverage\" section")?;
    let section = section.split("\n## ").next().unwrap_or(section);
    let mut tables: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in section.lines() {
        if let Some(heading) = line.strip_prefix("### ") {
            let action = heading.split_whitespace().last().unwrap_or_default();
            tables.entry(action.to_owned()).or_default();
            current = Some(action.to_owned());
            continue;
        }
        let Some(action) = &current else { continue };
        let cells: Vec<&str> = line
            .trim()
            .strip_prefix('|')
            .and_then(|l| l.strip_suffix('|'))
            .map(|l| l.split(" | ").map(str::trim).collect())
            .unwrap_or_default();
        if cells.len() < 3 || cells[0] == "Parameter" || cells[0].starts_with("---") {
            continue;
        }
        let parameter = cells[0].trim_matches('`').to_owned();
        let status = match cells[1] {
            "supported" => Status::Supported,
            "automatic" => Status::Automatic,
            "refused" => Status::Refused,
            other => return Err(format!("{action} {parameter}: unknown status {other:?}")),
        };
        let how = cells[2..].join(" | ");
        if how.is_empty() {
            return Err(format!(
                "{action} {parameter}: says neither the HCL nor why"
            ));
        }
        tables.get_mut(action).unwrap().push(Row {
            parameter,
            status,
            how,
        });
    }
    Ok(tables)
}

#[test]
fn the_tables_list_every_parameter_of_every_page_once() {
    let tables = tables(README).unwrap();
    let actions: BTreeSet<&str> = tables.keys().map(String::as_str).collect();
    let pages: BTreeSet<&str> = PAGES.iter().map(|(a, _)| *a).collect();
    assert_eq!(actions, pages, "one table per page");
    for (action, parameters) in PAGES {
        let rows = &tables[*action];
        let mut seen = BTreeSet::new();
        for row in rows {
            assert!(
                seen.insert(row.parameter.as_str()),
                "{action}: {} is listed twice",
                row.parameter
            );
        }
        let missing: Vec<&&str> = parameters.iter().filter(|p| !seen.contains(**p)).collect();
        assert!(
            missing.is_empty(),
            "{action}: not in the table: {missing:?}"
        );
    }
}

#[test]
fn the_refused_rows_are_what_the_configuration_refuses_by_name() {
    let tables = tables(README).unwrap();
    let refused = |action: &str| -> BTreeSet<String> {
        tables[action]
            .iter()
            .filter(|r| r.status == Status::Refused)
            .map(|r| r.parameter.clone())
            .collect()
    };
    let alibaba: BTreeSet<String> = dtsform::config::refused::ALIBABA_MODIFY_DTS_JOB
        .iter()
        .map(|(_, parameter, ..)| (*parameter).to_owned())
        .collect();
    assert_eq!(refused("ModifyDtsJob"), alibaba);
    let tencent: BTreeSet<String> = dtsform::config::refused::TENCENT_MODIFY_MIGRATE_JOB
        .iter()
        .map(|(_, _, field, ..)| (*field).to_owned())
        .collect();
    assert_eq!(refused("ModifyMigrateJob"), tencent);
    for action in ["ModifyDtsJobEndpoint", "StartDtsJob"] {
        assert!(refused(action).is_empty(), "{action} refuses nothing");
    }
    // Each refused row names the attribute the diagnostic points at.
    for (attribute, parameter, ..) in dtsform::config::refused::ALIBABA_MODIFY_DTS_JOB {
        let row = tables["ModifyDtsJob"]
            .iter()
            .find(|r| r.parameter == *parameter)
            .unwrap();
        assert!(row.how.contains(&format!("`{attribute}`")), "{row:?}");
    }
    for (_, attribute, field, ..) in dtsform::config::refused::TENCENT_MODIFY_MIGRATE_JOB {
        let row = tables["ModifyMigrateJob"]
            .iter()
            .find(|r| r.parameter == *field)
            .unwrap();
        assert!(row.how.contains(attribute), "{row:?}");
    }
}

/// Plans and applies `hcl` against a fresh emulator on `world`; every operation applied.
/// Returns the names of the parameters the emulator received, per action.
async fn run(
    config: EmulatorConfig,
    world: World,
    hcl: &str,
) -> BTreeMap<String, BTreeSet<String>> {
    let lab = Lab::new(config, world, hcl).await;
    let plan = lab.plan().await;
    assert!(plan.plan().has_changes(), "nothing to do for:\n{hcl}");
    let (summary, lines) = lab.apply(&plan, &options()).await;
    assert!(summary.is_complete(), "{summary:#?}\n{lines:#?}");
    assert_eq!(summary.applied(), summary.ops.len(), "{summary:#?}");
    lab.emulator.received()
}

/// Every endpoint parameter, on a job of a resource group that names its direction.
fn endpoints_hcl() -> String {
    format!(
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
  dts_job_id                = "{SHOP_JOB}"
  resource_group_id         = "rg-shop"
  synchronization_direction = "Forward"

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
    )
}

/// Objects, reserved settings and the migration mode of a job of a resource group;
/// a paused job started; both directions of a two-way job.
fn jobs_hcl() -> String {
    format!(
        r#"
resource "alicloud_dts_job" "shop" {{
  dts_job_id        = "{SHOP_JOB}"
  resource_group_id = "rg-shop"

  database "shop" {{
    table "orders" {{}}
    table "customers" {{}}
    table "legacy_orders" {{}}
    table "payments" {{}}
  }}
  reserved = {{ maxRetryTime = 3600 }}
  migration_mode {{
    structure_initialization = false
    data_initialization      = false
    data_synchronization     = true
  }}
}}

resource "alicloud_dts_job" "analytics" {{
  dts_job_id                = "{ANALYTICS_JOB}"
  synchronization_direction = "Forward"
  status                    = "running"
}}

resource "alicloud_dts_job" "orders" {{
  dts_job_id = "{TWO_WAY_JOB}"

  reverse {{
    status = "suspended"
    database "orders" {{
      table "orders" {{}}
      table "order_items" {{}}
    }}
  }}
}}

resource "alicloud_dts_job" "orders_reverse_start" {{
  dts_job_id = "r8tw2way02x"

  reverse {{
    status = "running"
  }}
}}
"#
    )
}

/// The sample world with the shop job in resource group `rg-shop`, and a second two-way
/// job whose reverse direction is paused.
fn world() -> World {
    let mut world = World::sample();
    let shop = world
        .jobs
        .iter_mut()
        .find(|j| j.job_id == SHOP_JOB)
        .unwrap();
    shop.resource_group_id = Some("rg-shop".into());
    let mut second = world
        .jobs
        .iter()
        .find(|j| j.job_id == TWO_WAY_JOB)
        .unwrap()
        .clone();
    second.job_id = "r8tw2way02x".into();
    second.instance_id = "dtsr8tw2way02x".into();
    let reverse = second.reverse.as_deref_mut().unwrap();
    reverse.job_id = "r8tw2way02y".into();
    reverse.instance_id = "dtsr8tw2way02x".into();
    reverse.status = dtsform::cloud::alibaba::JobStatus::Suspending;
    world.jobs.push(second);
    world
}

const TENCENT_HCL: &str = r#"
provider "tencentcloud" {
  region     = "ap-guangzhou"
  rate_limit = 2000
}

resource "tencentcloud_dts_migrate_job" "shop_migrate" {
  job_id   = "dts-6r2kq0mz"
  job_name = "shop-migrate-renamed"
  migrate_option {
    run_mode = 1
  }
  database "shop" {
    table "orders" {}
    table "customers" {}
    table "refunds" {}
  }
  database "audit" {}
}
"#;

/// Every setting of `ModifyMigrateJob` with its secrets: the `tencent-migrate-settings`
/// plan fixture, under this test's provider block.
fn tencent_settings_hcl() -> String {
    let fixture = include_str!("../../testdata/plan/tencent-migrate-settings/main.hcl");
    let (provider, rest) = fixture
        .split_once("}\n")
        .expect("the fixture starts with its provider block");
    assert!(
        provider.starts_with("provider \"tencentcloud\""),
        "{provider}"
    );
    let provider = TENCENT_HCL
        .split_once("resource")
        .map_or("", |(provider, _)| provider);
    format!("{provider}{rest}")
}

fn tencent_config() -> EmulatorConfig {
    let mut config = fast_config();
    config.behaviour.check_duration = Duration::from_millis(200);
    config.tencent_rate_limit = 0;
    config
}

#[tokio::test]
async fn every_parameter_marked_supported_or_automatic_reaches_the_emulator() {
    let mut received: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (config, world, hcl) in [
        (fast_config(), world(), endpoints_hcl()),
        (fast_config(), world(), jobs_hcl()),
        (tencent_config(), World::sample(), TENCENT_HCL.to_owned()),
        (tencent_config(), World::sample(), tencent_settings_hcl()),
    ] {
        for (action, names) in run(config, world, &hcl).await {
            received.entry(action).or_default().extend(names);
        }
    }
    let tables = tables(README).unwrap();
    let mut unsent = Vec::new();
    for (action, rows) in &tables {
        let got = received.get(action).cloned().unwrap_or_default();
        for row in rows {
            let sent = got.contains(&row.parameter);
            match row.status {
                Status::Supported | Status::Automatic if !sent => {
                    unsent.push(format!("{action} {} ({:?})", row.parameter, row.status));
                }
                // A refused field of Tencent's whole-configuration write may be sent
                // back as the live job has it: it is never set from the configuration.
                _ => {}
            }
        }
    }
    assert!(
        unsent.is_empty(),
        "marked supported or automatic, never sent: {unsent:#?}\nreceived: {received:#?}"
    );
}
