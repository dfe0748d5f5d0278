//! Performance benchmark of `dtsform plan` (see BENCHMARKS.md). Run:
//!
//! ```sh
//! cargo bench --bench plan            # both parts
//! cargo bench --bench plan -- a       # only part A (plan at scale against the emulator)
//! cargo bench --bench plan -- b       # only part B (diff + render of two 1 MB DbLists)
//! ```
//!
//! Part A runs the release `dtsform` binary as a user does: `dtsform emulator` as one
//! child (20 ms latency, a rate limit), `dtsform plan` as another, measured from spawn to
//! exit. CPU time and peak RSS come from `getrusage(RUSAGE_CHILDREN)` taken by a small
//! wrapper process (this same executable, re-run with `DTSFORM_BENCH_MEASURE=1`) whose
//! only child is the plan, so the emulator never counts.
//!
//! Part B times, in this process, the per-job object work of a plan on two ~1 MB DbLists:
//! B1 is parse both + `objects::diff::diff` + both pretty JSONs + the `similar` unified
//! diff + `render::render_job`; B2 is the real path, `LiveJob::from_detail` + `plan_job`
//! (guard included) + `render_job`, with the desired list from a loaded configuration.

// A benchmark reports on standard output: it is not the tool's user-facing output.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::hint::black_box;
use std::io::Read as _;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant, SystemTime};

use common::EmulatorProcess;
use common::{machine_line, median, secs};
use futures::StreamExt as _;
use nix::sys::resource::{UsageWho, getrusage};

use dtsform::cloud::Limiter;
use dtsform::cloud::alibaba::endpoint::parse_endpoint;
use dtsform::cloud::alibaba::{
    Action as _, AlibabaClient, ClientConfig, Credentials, DescribeDtsJobDetail, DtsJob, JobStatus,
};
use dtsform::cloud::limiter::LimiterConfig;
use dtsform::guard::{Allowance, AllowedRemoval};
use dtsform::objects::ObjectTree;
use dtsform::objects::diff::{Change, diff};
use dtsform::objects::normalize::Suppressed;
use dtsform::plan::operation::ObjectsWrite;
use dtsform::plan::{
    JobPlan, LiveJob, LiveState, ObjectPlan, Operation, PlannedOp, plan_job, unified_diff,
};
use dtsform::render::{Style, render_job};

const DTSFORM: &str = env!("CARGO_BIN_EXE_dtsform");
const MEASURE_ENV: &str = "DTSFORM_BENCH_MEASURE";
/// The wrapper reports the last line of output starting with this.
const SUMMARY_ENV: &str = "DTSFORM_BENCH_SUMMARY";
const KEY_ID: &str = "dtsform-emulator";
const KEY_SECRET: &str = "dtsform-emulator-secret";

// Part A.
const JOBS: usize = 1000;
const TABLES: usize = 200;
const LATENCY_MS: u64 = 20;
const BURST: u32 = 10;
const RATES: [u32; 2] = [400, 200];
const PARALLELISMS: [usize; 2] = [16, 32];
const RUNS: usize = 3;
const WALL_TARGET: f64 = 1.2;
const RSS_TARGET: f64 = 5.0;

// Part B.
const MB: usize = 1_000_000;
const DIFF_WARMUP: usize = 3;
const DIFF_ITERATIONS: usize = 30;
const DIFF_TARGET_MS: f64 = 50.0;

fn main() -> ExitCode {
    if std::env::var_os(MEASURE_ENV).is_some() {
        return measure_wrapper();
    }
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let wants = |part: &str| args.is_empty() || args.iter().any(|a| a == part);
    let mut ok = true;
    println!("dtsform plan benchmark (release build), {}", machine_line());
    // B first, so its heap starts as fresh as in `-- b` alone.
    if wants("b") {
        ok &= part_b();
    }
    if wants("a") {
        ok &= part_a();
    }
    if !ok {
        println!("\nSome targets were missed: see MISSED above.");
    }
    // A missed target is a finding, not a failure of the benchmark.
    ExitCode::SUCCESS
}

#[allow(clippy::cast_precision_loss)]
fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

// ---------------------------------------------------------------------------------------
// The measuring wrapper: runs its arguments as a command, drains its stdout, and reports
// wall time, the child's CPU time and peak RSS, the bytes it printed and its summary line.

fn measure_wrapper() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((program, rest)) = args.split_first() else {
        eprintln!("{MEASURE_ENV}: no command");
        return ExitCode::FAILURE;
    };
    let started = Instant::now();
    let mut child = match Command::new(program)
        .args(rest)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cannot run {program}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut bytes: u64 = 0;
    let mut tail: Vec<u8> = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match stdout.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                bytes += n as u64;
                tail.extend_from_slice(&buf[..n]);
                if tail.len() > 256 * 1024 {
                    tail.drain(..tail.len() - 128 * 1024);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                eprintln!("reading the plan's output: {e}");
                break;
            }
        }
    }
    let status = child.wait().expect("wait for the plan");
    let wall = started.elapsed();
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).expect("getrusage");
    let tail = String::from_utf8_lossy(&tail);
    let prefix = std::env::var(SUMMARY_ENV).unwrap_or_default();
    let summary = tail
        .lines()
        .rev()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or("(no summary line)");
    println!(
        "wall={} user={} sys={} maxrss_kib={} stdout_bytes={bytes} code={}",
        wall.as_secs_f64(),
        secs(usage.user_time()),
        secs(usage.system_time()),
        usage.max_rss(),
        status.code().unwrap_or(-1),
    );
    println!("summary={summary}");
    ExitCode::SUCCESS
}

// ---------------------------------------------------------------------------------------
// Part A: plan at scale.

fn world_json() -> String {
    let mut out = String::from("{\n  \"version\": 1,\n  \"jobs\": [\n");
    for i in 0..JOBS {
        let mut tables = String::new();
        for t in 0..TABLES {
            if t > 0 {
                tables.push_str(", ");
            }
            let _ = write!(
                tables,
                "\"t{t:03}\": {{\"name\": \"t{t:03}\", \"all\": true}}"
            );
        }
        let _ = writeln!(
            out,
            "    {{\"job_id\": \"bench{i:04}\", \"instance_id\": \"dtsbench{i:04}\", \"name\": \"bench-{i}\", \
             \"type\": \"SYNC\", \"region\": \"cn-hangzhou\", \"status\": \"Synchronizing\", \
             \"db_list\": {{\"db{i}\": {{\"name\": \"db{i}\", \"all\": false, \"Table\": {{{tables}}}}}}}}}{}",
            if i + 1 < JOBS { "," } else { "" }
        );
    }
    out.push_str("  ]\n}\n");
    out
}

fn jobs_hcl() -> String {
    let mut out =
        String::from("locals {\n  tables = [for n in range(200) : format(\"t%03d\", n)]\n}\n");
    for i in 0..JOBS {
        let _ = write!(
            out,
            r#"
resource "alicloud_dts_job" "job{i:04}" {{
  dts_job_id = "bench{i:04}"
  database "db{i}" {{
    dynamic "table" {{
      for_each = local.tables
      labels   = [table.value]
      content {{}}
    }}
    table "t_new" {{}}
  }}
}}
"#
        );
    }
    out
}

fn provider_hcl(url: &str, rate: u32) -> String {
    format!(
        "provider \"alicloud\" {{\n  region     = \"cn-hangzhou\"\n  endpoint   = \"{url}\"\n  rate_limit = {rate}\n}}\n"
    )
}

/// The emulator's latency and rate limit for a run at `rate` requests per second.
fn emulator_args(rate: u32) -> Vec<String> {
    [
        "--latency-ms",
        &LATENCY_MS.to_string(),
        "--rate-limit",
        &rate.to_string(),
        "--rate-burst",
        &BURST.to_string(),
    ]
    .map(String::from)
    .into()
}

#[derive(Debug, Clone)]
struct PlanRun {
    wall: f64,
    cpu: f64,
    user: f64,
    sys: f64,
    rss_bytes: u64,
    stdout_bytes: u64,
    emulator_cpu: Option<f64>,
    /// When the wrapper was spawned, and the plan's stderr (`-v` call logs).
    started: SystemTime,
    stderr: String,
}

/// Where the wall time of one `-v` plan went, from its call log.
struct Phases {
    /// Spawn to the first request sent (configuration load, client set-up).
    to_first_send: f64,
    /// First request sent to last answer received.
    fetching: f64,
    /// Last answer to exit (the last job's plan, rendering, printing, exit).
    after_last_answer: f64,
    calls: usize,
    not_ok: usize,
}

fn phases(run: &PlanRun) -> Option<Phases> {
    use time::format_description::well_known::Rfc3339;
    let (mut first_send, mut last_answer): (Option<SystemTime>, Option<SystemTime>) = (None, None);
    let (mut calls, mut not_ok) = (0, 0);
    for line in run.stderr.lines().filter(|l| l.contains("dts call")) {
        let at = SystemTime::from(
            time::OffsetDateTime::parse(line.split_whitespace().next()?, &Rfc3339).ok()?,
        );
        let field = |name: &str| {
            line.split_whitespace()
                .find_map(|w| w.strip_prefix(name))
                .and_then(|v| v.parse::<u64>().ok())
        };
        let sent = at - Duration::from_millis(field("elapsed_ms=")?);
        calls += 1;
        if field("status=") != Some(200) {
            not_ok += 1;
        }
        first_send = Some(first_send.map_or(sent, |f| f.min(sent)));
        last_answer = Some(last_answer.map_or(at, |l| l.max(at)));
    }
    let (first, last) = (first_send?, last_answer?);
    let since =
        |a: SystemTime, b: SystemTime| a.duration_since(b).unwrap_or_default().as_secs_f64();
    Some(Phases {
        to_first_send: since(first, run.started),
        fetching: since(last, first),
        after_last_answer: run.wall - since(last, run.started),
        calls,
        not_ok,
    })
}

/// One `dtsform [-v] plan DIR --parallelism P`, through the measuring wrapper.
fn run_plan(
    config: &Path,
    home: &Path,
    parallelism: usize,
    emulator: &EmulatorProcess,
    verbose: bool,
) -> PlanRun {
    let emu_before = emulator.cpu_seconds();
    let parallelism = parallelism.to_string();
    let mut args: Vec<&std::ffi::OsStr> = Vec::new();
    if verbose {
        args.push("-v".as_ref());
    }
    args.extend::<[&std::ffi::OsStr; 5]>([
        "plan".as_ref(),
        config.as_os_str(),
        "--parallelism".as_ref(),
        parallelism.as_ref(),
        "--no-color".as_ref(),
    ]);
    let mut run = measure(&args, home, &format!("Plan: {JOBS} jobs to change"));
    run.emulator_cpu = emulator
        .cpu_seconds()
        .zip(emu_before)
        .map(|(after, before)| after - before);
    run
}

/// `dtsform ARGS` through the measuring wrapper; its summary line must start with `expect`.
fn measure(args: &[&std::ffi::OsStr], home: &Path, expect: &str) -> PlanRun {
    let prefix = expect.split_whitespace().next().unwrap_or_default();
    let started = SystemTime::now();
    let output = Command::new(std::env::current_exe().expect("bench executable"))
        .env(MEASURE_ENV, "1")
        .env(SUMMARY_ENV, prefix)
        .arg(DTSFORM)
        .args(args)
        .env("HOME", home)
        .env("ALIBABA_CLOUD_ACCESS_KEY_ID", KEY_ID)
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", KEY_SECRET)
        .env_remove("ALIBABA_CLOUD_SECURITY_TOKEN")
        .env_remove("ALIBABA_CLOUD_PROFILE")
        .env_remove("ALIBABA_CLOUD_REGION_ID")
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run the measuring wrapper");
    let text = String::from_utf8_lossy(&output.stdout);
    let fields: BTreeMap<&str, &str> = text
        .lines()
        .flat_map(|l| {
            if let Some(s) = l.strip_prefix("summary=") {
                vec![("summary", s)]
            } else {
                l.split_whitespace()
                    .filter_map(|kv| kv.split_once('='))
                    .collect()
            }
        })
        .collect();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let code = fields.get("code").copied().unwrap_or("?");
    let summary = fields.get("summary").copied().unwrap_or("");
    assert!(
        code == "0" && summary.starts_with(expect),
        "dtsform {args:?} failed: exit {code}, summary {summary:?}\nstderr (first 4000 bytes):\n{}",
        &stderr.chars().take(4000).collect::<String>()
    );
    let num = |k: &str| -> f64 {
        fields
            .get(k)
            .and_then(|v| v.parse().ok())
            .unwrap_or(f64::NAN)
    };
    let (user, sys) = (num("user"), num("sys"));
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    PlanRun {
        wall: num("wall"),
        cpu: user + sys,
        user,
        sys,
        rss_bytes: num("maxrss_kib") as u64 * 1024,
        stdout_bytes: num("stdout_bytes") as u64,
        emulator_cpu: None,
        started,
        stderr: stderr.into_owned(),
    }
}

/// Sum over every job of the DescribeDtsJobDetail answer (bytes of JSON as the emulator
/// serialises it) and of its DbObject string.
fn fetched_json_bytes(url: &str, rate: u32) -> (u64, u64) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let mut config = ClientConfig::new("cn-hangzhou");
        config.endpoint = Some(parse_endpoint(url).expect("url"));
        config.limiter = Some(Limiter::new(LimiterConfig::capped(Some(f64::from(rate)))));
        let client =
            AlibabaClient::new(config, Credentials::new(KEY_ID, KEY_SECRET)).expect("client");
        let client = &client;
        let sizes: Vec<(u64, u64)> = futures::stream::iter(0..JOBS)
            .map(|i| async move {
                let action = DescribeDtsJobDetail {
                    dts_job_id: format!("bench{i:04}"),
                    ..DescribeDtsJobDetail::default()
                };
                let value = client
                    .call_params(DescribeDtsJobDetail::NAME, &action.params("cn-hangzhou"))
                    .await
                    .expect("DescribeDtsJobDetail");
                let db_object = value
                    .get("DbObject")
                    .and_then(serde_json::Value::as_str)
                    .map_or(0, str::len);
                (value.to_string().len() as u64, db_object as u64)
            })
            .buffer_unordered(16)
            .collect()
            .await;
        sizes.iter().fold((0, 0), |(a, b), (x, y)| (a + x, b + y))
    })
}

struct Row {
    rate: u32,
    parallelism: usize,
    runs: Vec<PlanRun>,
    phases: Option<Phases>,
}

#[allow(clippy::cast_precision_loss)]
fn part_a() -> bool {
    println!(
        "\n== Part A: dtsform plan, {JOBS} jobs x {TABLES} tables (1 table added per job), emulator --latency-ms {LATENCY_MS} --rate-burst {BURST}"
    );
    let tmp = tempfile::tempdir().expect("temp dir");
    let world = tmp.path().join("world.json");
    let world_text = world_json();
    std::fs::write(&world, &world_text).expect("write world");
    let config = tmp.path().join("config");
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&config).expect("config dir");
    std::fs::create_dir_all(&home).expect("home dir");
    let jobs = jobs_hcl();
    std::fs::write(config.join("jobs.hcl"), &jobs).expect("write jobs.hcl");
    println!(
        "world file {:.1} MiB, configuration {:.1} KiB; each (R, P) gets a fresh emulator, 1 warm-up plan, then {RUNS} measured plans",
        mib(world_text.len() as u64),
        jobs.len() as f64 / 1024.0
    );

    // The configuration alone: `dtsform validate` loads and evaluates it, no network.
    std::fs::write(
        config.join("provider.hcl"),
        provider_hcl("http://127.0.0.1:9", RATES[0]),
    )
    .expect("write provider.hcl");
    let validate = |home: &Path| {
        measure(
            &["validate".as_ref(), config.as_os_str()],
            home,
            &format!("The configuration is valid: {JOBS} jobs"),
        )
    };
    validate(&home);
    let loads: Vec<PlanRun> = (0..RUNS).map(|_| validate(&home)).collect();
    let med = |f: &dyn Fn(&PlanRun) -> f64| median(&mut loads.iter().map(f).collect::<Vec<_>>());
    #[allow(clippy::cast_precision_loss)]
    let (load_wall, load_cpu, load_rss) = (
        med(&|r| r.wall),
        med(&|r| r.cpu),
        med(&|r| r.rss_bytes as f64),
    );
    println!(
        "  config load only (dtsform validate, median of {RUNS}): wall {load_wall:.3} s, CPU {load_cpu:.3} s, peak RSS {:.1} MiB",
        load_rss / (1024.0 * 1024.0)
    );

    let mut rows = Vec::new();
    let mut fetched: Option<(u64, u64)> = None;
    for rate in RATES {
        for parallelism in PARALLELISMS {
            let emulator = EmulatorProcess::spawn(
                &world,
                &emulator_args(rate),
                &tmp.path().join("emulator.log"),
            );
            std::fs::write(
                config.join("provider.hcl"),
                provider_hcl(&emulator.url, rate),
            )
            .expect("write provider.hcl");
            let warm = run_plan(&config, &home, parallelism, &emulator, false);
            println!(
                "  R={rate:<3} P={parallelism:<2} warm-up: wall {:.3} s",
                warm.wall
            );
            let mut runs = Vec::new();
            for run in 0..RUNS {
                let r = run_plan(&config, &home, parallelism, &emulator, false);
                println!(
                    "  R={rate:<3} P={parallelism:<2} run {}: wall {:.3} s, CPU {:.3} s (user {:.3} + sys {:.3}), peak RSS {:.1} MiB, stdout {:.2} MiB, emulator CPU {}",
                    run + 1,
                    r.wall,
                    r.cpu,
                    r.user,
                    r.sys,
                    mib(r.rss_bytes),
                    mib(r.stdout_bytes),
                    r.emulator_cpu
                        .map_or_else(|| "?".into(), |c| format!("{c:.3} s")),
                );
                runs.push(r);
            }
            // One more run with -v, not counted: its call log splits the wall time.
            let verbose = run_plan(&config, &home, parallelism, &emulator, true);
            let split = phases(&verbose);
            match &split {
                Some(p) => println!(
                    "  R={rate:<3} P={parallelism:<2} -v run: wall {:.3} s = {:.3} s to the first request + {:.3} s fetching ({} calls, {} not HTTP 200) + {:.3} s after the last answer",
                    verbose.wall,
                    p.to_first_send,
                    p.fetching,
                    p.calls,
                    p.not_ok,
                    p.after_last_answer
                ),
                None => println!("  R={rate:<3} P={parallelism:<2} -v run: no call log found"),
            }
            if fetched.is_none() {
                fetched = Some(fetched_json_bytes(&emulator.url, rate));
            }
            drop(emulator); // stops it
            rows.push(Row {
                rate,
                parallelism,
                runs,
                phases: split,
            });
        }
    }
    let (fetched_bytes, db_object_bytes) = fetched.unwrap_or_default();
    println!(
        "fetched JSON: {fetched_bytes} bytes ({:.2} MiB) = sum over the {JOBS} jobs of the DescribeDtsJobDetail answer, fetched once with the library client; of which DbObject strings {db_object_bytes} bytes",
        mib(fetched_bytes)
    );

    let mut ok = true;
    println!(
        "\n{:<4} {:>3} | {:>8} {:>8} {:>8} | {:>8} {:>9} | {:>8} {:>6} | {:>9} {:>8} {:>6} | {:>8} | {:>8} {:>8}",
        "R",
        "P",
        "wall",
        "min",
        "max",
        "bound",
        "(which)",
        "wall/bd",
        "<=1.2",
        "peak RSS",
        "RSS/JSON",
        "<5x",
        "CPU",
        "to 1st rq",
        "fetch/bd"
    );
    for row in &rows {
        let n = JOBS as f64;
        let rate_bound = (n - f64::from(BURST)) / f64::from(row.rate);
        let latency_bound = (JOBS.div_ceil(row.parallelism) as f64) * LATENCY_MS as f64 / 1000.0;
        let (bound, which) = if rate_bound >= latency_bound {
            (rate_bound, "rate")
        } else {
            (latency_bound, "latency")
        };
        let mut walls: Vec<f64> = row.runs.iter().map(|r| r.wall).collect();
        let wall = median(&mut walls);
        let (min, max) = (walls[0], walls[walls.len() - 1]);
        let mut cpus: Vec<f64> = row.runs.iter().map(|r| r.cpu).collect();
        let cpu = median(&mut cpus);
        let mut rss: Vec<f64> = row.runs.iter().map(|r| r.rss_bytes as f64).collect();
        let rss = median(&mut rss);
        let ratio = wall / bound;
        let rss_ratio = rss / fetched_bytes as f64;
        let wall_ok = ratio <= WALL_TARGET;
        let rss_ok = rss_ratio < RSS_TARGET;
        ok &= wall_ok && rss_ok;
        println!(
            "{:<4} {:>3} | {:>6.3} s {:>6.3} s {:>6.3} s | {:>6.3} s {:>9} | {:>8.3} {:>6} | {:>5.1} MiB {:>7.2}x {:>6} | {:>6.3} s | {:>7} {:>8}",
            row.rate,
            row.parallelism,
            wall,
            min,
            max,
            bound,
            which,
            ratio,
            if wall_ok { "met" } else { "MISSED" },
            rss / (1024.0 * 1024.0),
            rss_ratio,
            if rss_ok { "met" } else { "MISSED" },
            cpu,
            row.phases
                .as_ref()
                .map_or_else(|| "?".into(), |p| format!("{:.3} s", p.to_first_send)),
            row.phases
                .as_ref()
                .map_or_else(|| "?".into(), |p| format!("{:.3}", p.fetching / bound)),
        );
    }
    println!(
        "bound = max(rate bound (N - B) / R, latency bound ceil(N / P) x {LATENCY_MS} ms), N = {JOBS} DescribeDtsJobDetail calls, B = {BURST}; \
         wall, CPU (user+sys of the plan process) and peak RSS (its ru_maxrss) are medians of {RUNS} runs; \
         RSS/JSON = peak RSS / fetched JSON; 'to 1st rq' and 'fetch/bd' (first request sent to last answer, over the bound) come from the extra -v run"
    );
    ok
}

// ---------------------------------------------------------------------------------------
// Part B: diff + render of two 1 MB DbLists.

/// A filter of realistic length, different per table.
fn filter(t: usize, version: u32) -> String {
    format!(
        "created_at >= '2024-0{}-01' AND tenant_id IN ({}, {}, {}) AND deleted = 0 AND region <> 'test-{}'",
        1 + version,
        t % 97,
        t % 89 + 100,
        t % 83 + 200,
        t % 7
    )
}

fn table(name: &str, filter: &str) -> serde_json::Value {
    serde_json::json!({ "all": true, "filter": filter, "name": name })
}

/// (live DbObject text as DescribeDtsJobDetail returns it, desired DbList text, tables
/// changed, removed, added).
fn db_lists() -> (String, String, usize, usize, usize) {
    use serde_json::{Map, Value};
    let build = |tables: Map<String, Value>, state: bool| -> String {
        let mut db = Map::new();
        db.insert("all".into(), Value::Bool(false));
        db.insert("name".into(), Value::String("shop".into()));
        if state {
            db.insert("state".into(), Value::String("normal".into()));
        }
        db.insert("Table".into(), Value::Object(tables));
        let mut top = Map::new();
        top.insert("shop".into(), Value::Object(db));
        Value::Object(top).to_string()
    };
    // Tables, 100 at a time, until the live list reaches 0.95 MB.
    let mut live = Map::new();
    while build(live.clone(), true).len() < 950_000 {
        for _ in 0..100 {
            let t = live.len();
            let name = format!("t{t:05}");
            live.insert(name.clone(), table(&name, &filter(t, 0)));
        }
    }
    let n = live.len();
    let (mut changed, mut removed, mut added) = (0, 0, 0);
    let mut desired = Map::new();
    for (i, (name, value)) in live.iter().enumerate() {
        match i % 100 {
            // 2 % removed
            7 | 57 => removed += 1,
            // 5 % with a new filter
            3 | 23 | 43 | 63 | 83 => {
                changed += 1;
                desired.insert(name.clone(), table(name, &filter(i, 1)));
            }
            _ => {
                desired.insert(name.clone(), value.clone());
            }
        }
    }
    for a in 0..n / 50 {
        added += 1;
        let name = format!("t{:05}_new", a * 50 + 11);
        desired.insert(name.clone(), table(&name, &filter(a, 2)));
    }
    (
        build(live, true),
        build(desired, false),
        changed,
        removed,
        added,
    )
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

struct Timing {
    median: f64,
    max: f64,
    min: f64,
}

fn time_it(mut f: impl FnMut() -> usize) -> Timing {
    for _ in 0..DIFF_WARMUP {
        black_box(f());
    }
    let mut samples: Vec<f64> = (0..DIFF_ITERATIONS)
        .map(|_| {
            let start = Instant::now();
            black_box(f());
            ms(start.elapsed())
        })
        .collect();
    let median = median(&mut samples);
    Timing {
        median,
        min: samples[0],
        max: samples[samples.len() - 1],
    }
}

/// The steps of B1, for the breakdown.
const STEPS: [&str; 7] = [
    "parse live (ObjectTree::from_json)",
    "parse desired (ObjectTree::from_json)",
    "objects::diff::diff",
    "pretty live (to_pretty_json_normalized)",
    "pretty desired (to_pretty_json)",
    "similar unified diff",
    "JobPlan (counts, removals, to_json) + render_job",
];

/// B1: parse both lists, diff, pretty-print both, unified diff, render the job, through
/// the library's public functions (what `plan_objects` and `render_job` do). `lap` is
/// called after each step.
fn diff_and_render(live_text: &str, desired_text: &str, lap: &mut dyn FnMut(usize)) -> usize {
    let live = ObjectTree::from_json(live_text).expect("live parses");
    lap(0);
    let payload = ObjectTree::from_json(desired_text).expect("desired parses");
    lap(1);
    let d = diff(&payload, &live);
    lap(2);
    let before = live.to_pretty_json_normalized();
    lap(3);
    let after = payload.to_pretty_json();
    lap(4);
    let db_list_diff = unified_diff(&before, &after);
    lap(5);
    let removals: Vec<AllowedRemoval> = d
        .changes
        .iter()
        .filter_map(|c| match c.change {
            Change::Removed { objects } => Some(AllowedRemoval {
                removal: dtsform::objects::Removal::Object(c.address.clone()),
                kind: c.kind,
                objects,
                allowance: Allowance::Declared,
            }),
            _ => None,
        })
        .collect();
    let removes: Vec<dtsform::objects::Removal> = removals
        .iter()
        .map(|r: &AllowedRemoval| r.removal.clone())
        .collect();
    let job = JobPlan {
        address: "alicloud_dts_job.big".into(),
        cloud: dtsform::config::Cloud::Alibaba,
        provider: "alicloud".into(),
        region: "cn-hangzhou".into(),
        dts_job_id: "bench".into(),
        dts_instance_id: "dtsbench".into(),
        live_status: JobStatus::Synchronizing.as_str().to_owned(),
        live_state: LiveState::default(),
        objects: Some(ObjectPlan {
            count_before: live.count(),
            count_after: payload.count(),
            diff: d,
            removals,
            db_list_diff,
            narrows_instance: false,
        }),
        reverse_objects: None,
        names_direction: false,
        resource_group_id: None,
        operations: vec![PlannedOp::new(Operation::Objects(ObjectsWrite {
            direction: dtsform::cloud::alibaba::Direction::Forward,
            payload: dtsform::plan::operation::Payload::of(&payload),
            removes,
        }))],
        suppressed: Suppressed::default(),
        notes: Vec::new(),
    };
    let mut out = String::new();
    render_job(&mut out, Style { colour: false }, &job);
    lap(6);
    out.len()
}

#[allow(clippy::cast_precision_loss)]
fn part_b() -> bool {
    println!("\n== Part B: diff + render of two ~1 MB DbLists (in process)");
    let (live_text, desired_text, changed, removed, added) = db_lists();
    let live = ObjectTree::from_json(&live_text).expect("live");
    let desired = ObjectTree::from_json(&desired_text).expect("desired");
    let (live_len, desired_len) = (live.to_json().len(), desired.to_json().len());
    let tables = live.count() - 1;
    println!(
        "live DbObject: {tables} tables, to_json {live_len} bytes ({:.3} MB, with db-level \"state\":\"normal\"); desired DbList: {} tables, to_json {desired_len} bytes ({:.3} MB)",
        live_len as f64 / MB as f64,
        desired.count() - 1,
        desired_len as f64 / MB as f64,
    );
    println!(
        "desired vs live: {changed} tables with a changed filter ({:.1} %), {removed} removed ({:.1} %), {added} added ({:.1} %)",
        changed as f64 * 100.0 / tables as f64,
        removed as f64 * 100.0 / tables as f64,
        added as f64 * 100.0 / tables as f64,
    );
    let in_range = |n: usize| (9 * MB / 10..=MB).contains(&n);
    assert!(
        in_range(live_len) && in_range(desired_len),
        "both DbLists must be 0.9-1.0 MB"
    );

    // B1.
    let rendered = diff_and_render(&live_text, &desired_text, &mut |_| {});
    let b1 = time_it(|| diff_and_render(&live_text, &desired_text, &mut |_| {}));
    // The same work with a clock read after each step (separate iterations).
    let mut laps: Vec<Vec<f64>> = vec![Vec::new(); STEPS.len()];
    for _ in 0..DIFF_ITERATIONS {
        let mut last = Instant::now();
        black_box(diff_and_render(&live_text, &desired_text, &mut |step| {
            let now = Instant::now();
            laps[step].push(ms(now - last));
            last = now;
        }));
    }

    // B2: the real per-job path of `dtsform plan` after the fetch.
    let tmp = tempfile::tempdir().expect("temp dir");
    std::fs::write(tmp.path().join("desired.json"), &desired_text).expect("desired.json");
    let removed_list: Vec<String> = dtsform::objects::diff::diff(&desired, &live)
        .removals()
        .filter_map(dtsform::objects::diff::ObjectChange::removal)
        .map(|r| format!("{:?}", r.to_string()))
        .collect();
    std::fs::write(
        tmp.path().join("main.hcl"),
        format!(
            "provider \"alicloud\" {{\n  region = \"cn-hangzhou\"\n}}\n\n\
             resource \"alicloud_dts_job\" \"big\" {{\n  dts_job_id = \"bench\"\n  db_list    = file(\"desired.json\")\n  \
             removed {{\n    objects = [{}]\n  }}\n  lifecycle {{\n    max_removed_objects = 100000\n  }}\n}}\n",
            removed_list.join(", ")
        ),
    )
    .expect("main.hcl");
    let config = dtsform::config::load(tmp.path(), &dtsform::config::Inputs::default())
        .unwrap_or_else(|e| panic!("config: {:?}", e.errors));
    let detail: DtsJob = serde_json::from_value(serde_json::json!({
        "DtsJobId": "bench",
        "DtsInstanceID": "dtsbench",
        "DtsJobName": "big",
        "JobType": "sync",
        "Status": "Synchronizing",
        "DbObject": live_text,
        "Reserved": "{}",
    }))
    .expect("detail");
    let full_path = |detail: DtsJob| -> usize {
        let live = LiveJob::from_detail(detail).expect("live job");
        let plan = plan_job(&config, 0, &live, &dtsform::guard::Flags::default()).expect("plan");
        let mut out = String::new();
        render_job(&mut out, Style { colour: false }, &plan);
        out.len()
    };
    let full_rendered = full_path(detail.clone());
    // Each iteration takes its own copy of the detail; copies are made before timing.
    let mut copies: Vec<DtsJob> = (0..DIFF_WARMUP + DIFF_ITERATIONS)
        .map(|_| detail.clone())
        .collect();
    let b2 = time_it(|| full_path(copies.pop().expect("a copy")));

    let b1_ok = b1.median < DIFF_TARGET_MS;
    println!(
        "\n{:<58} | {:>9} {:>9} {:>9} | {:>8} | {:>7}",
        "timed region (per iteration)", "median", "min", "max", "target", "result"
    );
    println!(
        "{:<58} | {:>6.2} ms {:>6.2} ms {:>6.2} ms | {:>5} ms | {:>7}",
        "B1 parse x2 + diff + pretty x2 + unified diff + render",
        b1.median,
        b1.min,
        b1.max,
        DIFF_TARGET_MS,
        if b1_ok { "met" } else { "MISSED" }
    );
    println!(
        "{:<58} | {:>6.2} ms {:>6.2} ms {:>6.2} ms | {:>5} ms | {:>7}",
        "B2 LiveJob::from_detail + plan_job + render_job",
        b2.median,
        b2.min,
        b2.max,
        DIFF_TARGET_MS,
        if b2.median < DIFF_TARGET_MS {
            "met"
        } else {
            "MISSED"
        }
    );
    println!(
        "{DIFF_ITERATIONS} timed iterations after {DIFF_WARMUP} warm-up ones; rendered job text: B1 {rendered} bytes, B2 {full_rendered} bytes"
    );
    println!("B1 by step (median of {DIFF_ITERATIONS} separate iterations):");
    for (name, samples) in STEPS.iter().zip(&mut laps) {
        println!("  {name:<52} {:>6.2} ms", median(samples));
    }
    b1_ok
}
