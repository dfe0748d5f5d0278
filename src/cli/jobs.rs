//! `dtsform jobs`: list the jobs of a region, with a summary of each job's objects —
//! Alibaba Cloud's synchronization and migration jobs (DescribeDtsJobs), Tencent Cloud's
//! migration jobs (DescribeMigrateJobs) with `--cloud tencent`, or both with
//! `--cloud all`. With `--emulator` it first starts the embedded emulator on a free
//! loopback port and lists what it serves — no account, no network.

use std::fmt::Write as _;
use std::process::ExitCode;

use miette::{Result, miette};
use serde_json::{Value, json};

use std::sync::Arc;

use super::Settings;
use super::args::TargetArgs;
use super::settings::Target;
use crate::clients::traffic_line;
use crate::cloud::Limiter;
use crate::cloud::alibaba::endpoint::parse_endpoint;
use crate::cloud::alibaba::{AlibabaClient, ClientConfig, Credentials, DtsJob, SignatureVersion};
use crate::cloud::limiter::LimiterConfig;
use crate::cloud::tencent::{
    ClientConfig as TencentConfig, Credentials as TencentCredentials, MigrateJob, TencentClient,
};
use crate::env::Environment;
use crate::printer::Printer;

/// The region the sample world's jobs live in.
const EMULATOR_REGION: &str = "cn-hangzhou";
/// The region the sample world's Tencent jobs live in.
const EMULATOR_TENCENT_REGION: &str = "ap-guangzhou";

/// Whose jobs to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum CloudChoice {
    Alibaba,
    Tencent,
    All,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Start the embedded emulator (sample world) and list its jobs.
    #[command(flatten)]
    pub(super) target: TargetArgs,

    /// Region id, e.g. cn-hangzhou. Defaults to ALIBABA_CLOUD_REGION_ID or the profile's region.
    #[arg(long)]
    region: Option<String>,

    /// API endpoint instead of dts.<region>.aliyuncs.com (https, or http to a loopback emulator).
    #[arg(long, conflicts_with = "emulator")]
    endpoint: Option<String>,

    /// Profile of ~/.aliyun/config.json to take credentials from.
    #[arg(long, conflicts_with = "emulator")]
    profile: Option<String>,

    /// Signature to send: v3 (ACS3-HMAC-SHA256, default) or v1 (HMAC-SHA1).
    #[arg(long, default_value = "v3")]
    signature: SignatureVersion,

    /// Whose jobs to list: alibaba (DescribeDtsJobs), tencent (DescribeMigrateJobs) or
    /// all.
    #[arg(long, value_enum, default_value = "alibaba")]
    cloud: CloudChoice,

    /// Tencent Cloud region id, e.g. ap-guangzhou. Defaults to TENCENTCLOUD_REGION.
    #[arg(long)]
    tencent_region: Option<String>,

    /// Profile of ~/.tccli to take Tencent Cloud credentials from.
    #[arg(long, conflicts_with = "emulator")]
    tencent_profile: Option<String>,

    /// Print JSON instead of a table (each row says its `cloud`).
    #[arg(long)]
    json: bool,
}

pub async fn run(settings: &Settings, args: Args) -> Result<ExitCode> {
    // With -v, a closing line per cloud, on every way out (as the other commands do).
    let mut traffic = Traffic {
        to: settings.verbose.then(|| Arc::clone(&settings.printer)),
        alibaba: (Limiter::new(LimiterConfig::default()), String::new()),
        tencent: (Limiter::new(LimiterConfig::default()), String::new()),
    };
    // Bound for the whole listing: dropping it stops the embedded emulator.
    let embedded = match &settings.target {
        Target::Emulator { state } => Some(super::workspace::embedded(state.as_deref()).await?),
        Target::Cloud => None,
    };
    let mut rows: Vec<Value> = Vec::new();
    let mut text = String::new();
    if args.cloud != CloudChoice::Tencent {
        let (client, origin) = if let Some(embedded) = &embedded {
            let mut config = ClientConfig::new(args.region.as_deref().unwrap_or(EMULATOR_REGION));
            config.endpoint = Some(embedded.target.endpoint.clone());
            config.signature_version = args.signature;
            config.limiter = Some(traffic.alibaba.0.clone());
            (
                AlibabaClient::new(config, embedded.target.credentials.clone())?,
                format!("the embedded emulator at {}", embedded.running.url()),
            )
        } else {
            let client = cloud_client(&args, &settings.env, &traffic.alibaba.0)?;
            let origin = client.endpoint().to_string();
            (client, origin)
        };
        traffic.alibaba.1 = client.region().to_owned();
        let jobs = client.list_sync_and_migration_jobs().await?;
        rows.extend(jobs.iter().map(job_json));
        text.push_str(&render_table(&jobs, &origin, client.region()));
    }
    if args.cloud != CloudChoice::Alibaba {
        let (client, origin) = if let Some(embedded) = &embedded {
            let mut config = TencentConfig::new(
                args.tencent_region
                    .as_deref()
                    .unwrap_or(EMULATOR_TENCENT_REGION),
            );
            config.endpoint = Some(embedded.target.endpoint.clone());
            config.limiter = Some(traffic.tencent.0.clone());
            (
                TencentClient::new(config, embedded.target.tencent_credentials.clone())?,
                format!("the embedded emulator at {}", embedded.running.url()),
            )
        } else {
            let client = tencent_client(&args, &settings.env, &traffic.tencent.0)?;
            let origin = client.endpoint().to_string();
            (client, origin)
        };
        traffic.tencent.1 = client.region().to_owned();
        let jobs = client.describe_migrate_jobs().await?;
        rows.extend(jobs.iter().map(tencent_json));
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&render_tencent_table(&jobs, &origin, client.region()));
    }
    if args.json {
        settings.printer.line(&crate::text::escape_json(
            &serde_json::to_string_pretty(&rows).unwrap_or_default(),
        ));
    } else {
        settings.printer.out(&text);
    }
    Ok(ExitCode::SUCCESS)
}

/// The adaptive limits of the listing's clients, and the region each called; with `-v`,
/// dropping it prints what they sent and learned (nothing for a cloud not called).
struct Traffic {
    to: Option<Arc<Printer>>,
    alibaba: (Limiter, String),
    tencent: (Limiter, String),
}

impl Drop for Traffic {
    fn drop(&mut self) {
        let Some(printer) = &self.to else { return };
        for (name, (limiter, region)) in
            [("alicloud", &self.alibaba), ("tencentcloud", &self.tencent)]
        {
            if let Some(line) = traffic_line(name, region, &limiter.traffic()) {
                printer.note(&line);
            }
        }
    }
}

/// A Tencent Cloud client for a real account: credentials from the chain (environment,
/// then the tccli profile), the region from the flag or `TENCENTCLOUD_REGION`.
fn tencent_client(args: &Args, env: &Environment, limiter: &Limiter) -> Result<TencentClient> {
    let credentials = TencentCredentials::from_chain(env, args.tencent_profile.as_deref())?;
    let region = args
        .tencent_region
        .clone()
        .or_else(|| env.var("TENCENTCLOUD_REGION").map(str::to_owned))
        .ok_or_else(|| {
            miette!(
                help = "pass --tencent-region ap-guangzhou (or set TENCENTCLOUD_REGION); try --emulator for a local demo",
                "no Tencent Cloud region given"
            )
        })?;
    let mut config = TencentConfig::new(region);
    config.endpoint = args.endpoint.as_deref().map(parse_endpoint).transpose()?;
    config.limiter = Some(limiter.clone());
    Ok(TencentClient::new(config, credentials)?)
}

/// A client for a real account: credentials from the chain, the region from the flags,
/// the environment or the profile.
fn cloud_client(args: &Args, env: &Environment, limiter: &Limiter) -> Result<AlibabaClient> {
    let credentials = Credentials::from_chain(env, args.profile.as_deref())?;
    let region = args
        .region
        .clone()
        .or_else(|| env.var("ALIBABA_CLOUD_REGION_ID").map(str::to_owned))
        .or_else(|| credentials.region_hint.clone())
        .ok_or_else(|| {
            miette!(
                help = "pass --region cn-hangzhou (or set ALIBABA_CLOUD_REGION_ID); try --emulator for a local demo",
                "no region given"
            )
        })?;
    let mut config = ClientConfig::new(region);
    config.endpoint = args.endpoint.as_deref().map(parse_endpoint).transpose()?;
    config.signature_version = args.signature;
    config.limiter = Some(limiter.clone());
    Ok(AlibabaClient::new(config, credentials)?)
}

fn objects(job: &DtsJob) -> Option<Value> {
    job.db_object
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
}

fn job_json(job: &DtsJob) -> Value {
    json!({
        "cloud": "alibaba",
        "job_id": job.dts_job_id,
        "instance_id": job.dts_instance_id,
        "name": job.dts_job_name,
        "type": job.job_type.to_string(),
        "status": job.status.as_str(),
        "objects": objects(job),
    })
}

/// A Tencent job's `DatabaseInfo`, parsed (`[]` for the whole instance).
fn tencent_objects(job: &MigrateJob) -> Option<Value> {
    job.database_info
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
}

fn tencent_json(job: &MigrateJob) -> Value {
    json!({
        "cloud": "tencent",
        "job_id": job.job_id,
        "name": job.job_name,
        "type": "migration",
        "status": job.status.to_string(),
        "objects": tencent_objects(job),
    })
}

/// `db1.t1, db1.s1.*, Db-2.*` for a `DatabaseInfo` list; `(whole instance)` for `[]`.
fn summarize_database_info(info: Option<&Value>) -> String {
    let Some(Value::Array(entries)) = info else {
        return "(unknown)".into();
    };
    if entries.is_empty() {
        return "(whole instance)".into();
    }
    let mut names = Vec::new();
    for entry in entries {
        let db = entry.get("Database").and_then(Value::as_str).unwrap_or("?");
        let prefix = match entry.get("Schema").and_then(Value::as_str) {
            Some(schema) => format!("{db}.{schema}"),
            None => db.to_owned(),
        };
        match entry.get("Table").and_then(Value::as_array) {
            Some(tables) if !tables.is_empty() => names.extend(
                tables
                    .iter()
                    .map(|t| format!("{prefix}.{}", t.as_str().unwrap_or("?"))),
            ),
            _ => names.push(format!("{prefix}.*")),
        }
    }
    shortened(names)
}

/// How many objects a table row names before "+N more".
const SHOWN_OBJECTS: usize = 4;

/// `shop.orders, shop.customers` for listed tables, `crm.*` for a whole database.
pub(crate) fn summarize_objects(db_object: Option<&Value>) -> String {
    let Some(Value::Object(dbs)) = db_object else {
        return "(unknown)".into();
    };
    let mut names = Vec::new();
    for (db, spec) in dbs {
        let tables = spec.as_object().and_then(|s| {
            s.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("table"))
                .and_then(|(_, t)| t.as_object())
        });
        let whole = spec.get("all").and_then(Value::as_bool).unwrap_or(true);
        match tables {
            Some(tables) if !whole || !tables.is_empty() => {
                names.extend(tables.keys().map(|t| format!("{db}.{t}")));
            }
            _ => names.push(format!("{db}.*")),
        }
    }
    shortened(names)
}

/// The first names, then `+N more`; `(none)` for none.
fn shortened(mut names: Vec<String>) -> String {
    if names.len() > SHOWN_OBJECTS {
        let more = names.len() - SHOWN_OBJECTS;
        names.truncate(SHOWN_OBJECTS);
        format!("{}, +{more} more", names.join(", "))
    } else if names.is_empty() {
        "(none)".into()
    } else {
        names.join(", ")
    }
}

/// At most this many characters of one table cell (the server chooses what is in it).
const CELL_MAX: usize = 200;

/// A table cell from server text: capped, control characters escaped.
fn cell(text: &str) -> String {
    crate::text::escape_control(&crate::text::cap(text, CELL_MAX)).into_owned()
}

fn render_table(jobs: &[DtsJob], origin: &str, region: &str) -> String {
    let title = format!(
        "Jobs in {} served by {}",
        cell(region),
        crate::text::escape_control(origin)
    );
    let rows: Vec<[String; 6]> = jobs
        .iter()
        .map(|j| {
            [
                cell(&j.dts_job_id),
                cell(&j.dts_instance_id),
                cell(&j.job_type.to_string()),
                cell(j.status.as_str()),
                cell(&j.dts_job_name),
                cell(&summarize_objects(objects(j).as_ref())),
            ]
        })
        .collect();
    table(&title, &rows)
}

fn render_tencent_table(jobs: &[MigrateJob], origin: &str, region: &str) -> String {
    let title = format!(
        "Tencent Cloud migration jobs in {} served by {}",
        cell(region),
        crate::text::escape_control(origin)
    );
    let rows: Vec<[String; 6]> = jobs
        .iter()
        .map(|j| {
            let source = j
                .src_info
                .as_ref()
                .and_then(|s| s.instance_id.clone())
                .unwrap_or_else(|| "-".into());
            [
                cell(&j.job_id),
                cell(&source),
                "migration".into(),
                cell(&j.status.to_string()),
                cell(&j.job_name),
                cell(&summarize_database_info(tencent_objects(j).as_ref())),
            ]
        })
        .collect();
    table(&title, &rows)
}

/// A title, then the rows under a header, columns aligned, then the count.
fn table(title: &str, rows: &[[String; 6]]) -> String {
    let mut out = format!("{title}\n\n");
    let header = ["JOB ID", "INSTANCE", "TYPE", "STATUS", "NAME", "OBJECTS"];
    let mut widths = header.map(str::len);
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut line = |cells: &[&str]| {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                text.push_str(cell);
            } else {
                let _ = write!(text, "{cell:<width$}  ", width = widths[i]);
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(&header);
    for row in rows {
        line(&row.each_ref().map(String::as_str));
    }
    let _ = writeln!(
        out,
        "\n{} job{}.",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_summaries() {
        let s = |v: Value| summarize_objects(Some(&v));
        assert_eq!(s(json!({"crm": {"name": "crm", "all": true}})), "crm.*");
        assert_eq!(
            s(json!({"shop": {"all": false, "Table": {"orders": {}, "customers": {}}}})),
            "shop.orders, shop.customers"
        );
        assert_eq!(
            s(
                json!({"a": {"all": false, "Table": {"t1": {}, "t2": {}, "t3": {}, "t4": {}, "t5": {}, "t6": {}}}})
            ),
            "a.t1, a.t2, a.t3, a.t4, +2 more"
        );
        assert_eq!(summarize_objects(None), "(unknown)");
    }

    #[test]
    fn server_names_in_the_table_are_escaped_and_capped() {
        let job: DtsJob = serde_json::from_value(json!({
            "DtsJobId": "j\u{1b}[2J", "DtsInstanceID": "i", "JobType": "SYNC",
            "Status": "Synchronizing\r", "DtsJobName": "n".repeat(5_000),
            "DbObject": "{\"d\u{202e}b\":{\"name\":\"d\",\"all\":true}}",
        }))
        .unwrap();
        let table = render_table(&[job], "http://127.0.0.1:1", "cn-hangzhou");
        assert!(!table.contains('\u{1b}') && !table.contains('\r') && !table.contains('\u{202e}'));
        assert!(table.contains("j\\u{1b}[2J"), "{table}");
        assert!(table.contains("d\\u{202e}b.*"), "{table}");
        assert!(table.contains("(4800 more characters cut)"), "{table}");
        assert!(table.len() < 1_000, "{}", table.len());
    }
}
