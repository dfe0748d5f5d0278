//! Benchmark of `dtsform show --json` and `dtsform show --markdown` on a saved plan of
//! 1,000 jobs (see BENCHMARKS.md, "Show"). Run:
//!
//! ```sh
//! cargo bench --bench show
//! ```
//!
//! The plan file is made in this process with the library (each job: 200 live tables,
//! 2 removed, 2 added, 5 with a changed filter, its real diff and unified diff, a
//! declared removal, the payload), written as `plan -out` writes it. Then the release
//! `dtsform` runs as a user runs it, once per format for warm-up and `RUNS` times
//! measured, each through a small wrapper (this executable re-run with
//! `DTSFORM_BENCH_MEASURE=1`) whose only child is `dtsform`, so `getrusage` of its
//! children is the command's own CPU time and peak RSS. Wall time is from spawn to exit,
//! its standard output drained through a pipe. With `DTSFORM_BENCH_KEEP_PLAN=FILE` the
//! plan file is also copied to FILE, to time `dtsform show` by other means.

// A benchmark reports on standard output: it is not the tool's user-facing output.
#![allow(clippy::print_stdout, clippy::print_stderr)]

// Shared with the other benchmarks, which use more of it.
#[allow(dead_code)]
mod common;

use std::io::Read as _;
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use common::{machine_line, median, secs};
use nix::sys::resource::{UsageWho, getrusage};
use serde_json::{Map, Value, json};

use dtsform::cloud::alibaba::Direction;
use dtsform::guard::{Allowance, AllowedRemoval};
use dtsform::objects::ObjectTree;
use dtsform::objects::diff::{Change, diff};
use dtsform::plan::file::PlanFile;
use dtsform::plan::operation::{ObjectsWrite, Payload, StatusWrite};
use dtsform::plan::{JobPlan, LiveState, ObjectPlan, Operation, Plan, PlannedOp, unified_diff};

const DTSFORM: &str = env!("CARGO_BIN_EXE_dtsform");
const MEASURE_ENV: &str = "DTSFORM_BENCH_MEASURE";
const JOBS: usize = 1000;
const TABLES: usize = 200;
const RUNS: usize = 5;
const TARGET_S: f64 = 1.0;

fn main() -> ExitCode {
    if std::env::var_os(MEASURE_ENV).is_some() {
        return measure();
    }
    println!("dtsform show benchmark (release build), {}", machine_line());
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("big.plan");
    let started = Instant::now();
    let file = plan_file();
    file.write(&path).expect("write the plan file");
    let size = std::fs::metadata(&path).map_or(0, |m| m.len());
    if let Some(keep) = std::env::var_os("DTSFORM_BENCH_KEEP_PLAN") {
        std::fs::copy(&path, &keep).expect("copy the plan file");
    }
    println!(
        "plan file: {JOBS} jobs x {TABLES} tables, {} operations, {:.1} MiB (made in {:.1} s)",
        file.jobs.iter().map(|j| j.operations.len()).sum::<usize>(),
        mib(size),
        started.elapsed().as_secs_f64()
    );
    println!(
        "\n| command | wall (median of {RUNS}) | min - max | CPU user+sys | peak RSS | stdout | target < {TARGET_S} s |"
    );
    println!("|---|---|---|---|---|---|---|");
    let path = path.to_str().expect("UTF-8 path");
    for format in ["--json", "--markdown"] {
        let mut walls = Vec::new();
        let mut last = Sample::default();
        for run in 0..=RUNS {
            let sample = sample(&["show", format, path]);
            if run > 0 {
                walls.push(sample.wall);
            }
            last = sample;
        }
        let (min, max) = (
            walls.iter().copied().fold(f64::INFINITY, f64::min),
            walls.iter().copied().fold(0.0, f64::max),
        );
        let wall = median(&mut walls);
        println!(
            "| `dtsform show {format}` | {wall:.3} s | {min:.3} - {max:.3} s | {:.3} s | {:.1} MiB | {:.2} MiB | {} |",
            last.cpu,
            last.max_rss_kib / 1024.0,
            mib(last.stdout_bytes),
            if wall < TARGET_S { "**met**" } else { "MISSED" }
        );
    }
    ExitCode::SUCCESS
}

#[allow(clippy::cast_precision_loss)]
fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// One job's live list and the list to send: 200 tables; 2 go, 2 come, 5 get a filter.
fn lists(job: usize) -> (ObjectTree, ObjectTree) {
    let table = |name: String, filter: Option<&str>| {
        let mut t = Map::new();
        t.insert("all".into(), json!(true));
        if let Some(f) = filter {
            t.insert("filter".into(), json!(f));
        }
        t.insert("name".into(), json!(name));
        (name, Value::Object(t))
    };
    let db = format!("db{job:04}");
    let live: Map<String, Value> = (0..TABLES)
        .map(|i| table(format!("t{i:03}"), None))
        .collect();
    let desired: Map<String, Value> = (2..TABLES)
        .map(|i| {
            table(
                format!("t{i:03}"),
                (i < 7).then_some("created_at >= '2024-01-01'"),
            )
        })
        .chain((0..2).map(|i| table(format!("new{i}"), None)))
        .collect();
    let wrap = |tables: Map<String, Value>| {
        ObjectTree::from_value(&json!({db.clone(): {"name": db, "all": false, "Table": tables}}))
            .expect("a DbList")
    };
    (wrap(live), wrap(desired))
}

fn job(i: usize) -> JobPlan {
    let (live, payload) = lists(i);
    let d = diff(&payload, &live);
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
    let address = format!("alicloud_dts_job.job{i:04}");
    let mut operations = vec![PlannedOp {
        id: format!("{address}/objects"),
        depends_on: Vec::new(),
        op: Operation::Objects(ObjectsWrite {
            direction: Direction::Forward,
            payload: Payload::of(&payload),
            removes: removals.iter().map(|r| r.removal.clone()).collect(),
        }),
    }];
    if i.is_multiple_of(10) {
        operations.push(PlannedOp {
            id: format!("{address}/status"),
            depends_on: vec![format!("{address}/objects")],
            op: Operation::Status(StatusWrite {
                direction: Direction::Forward,
                from: "Suspending".into(),
                to: dtsform::config::DesiredStatus::Running,
            }),
        });
    }
    JobPlan {
        address,
        cloud: dtsform::config::Cloud::Alibaba,
        provider: "alicloud".into(),
        region: "cn-hangzhou".into(),
        dts_job_id: format!("job{i:04}"),
        dts_instance_id: format!("dtsjob{i:04}"),
        live_status: "Synchronizing".into(),
        live_state: LiveState::default(),
        objects: Some(ObjectPlan {
            count_before: live.count(),
            count_after: payload.count(),
            db_list_diff: unified_diff(
                &live.to_pretty_json_normalized(),
                &payload.to_pretty_json(),
            ),
            diff: d,
            removals,
            narrows_instance: false,
        }),
        reverse_objects: None,
        names_direction: false,
        resource_group_id: None,
        operations,
        suppressed: dtsform::objects::normalize::Suppressed::default(),
        notes: Vec::new(),
    }
}

fn plan_file() -> PlanFile {
    let plan = Plan {
        jobs: (0..JOBS).map(job).collect(),
    };
    PlanFile::from_plan(
        &plan,
        std::path::Path::new("bench"),
        "2026-12-07T00:00:00Z".into(),
    )
}

#[derive(Default)]
struct Sample {
    wall: f64,
    cpu: f64,
    max_rss_kib: f64,
    stdout_bytes: u64,
}

/// Runs `dtsform ARGS` under the measuring wrapper.
fn sample(args: &[&str]) -> Sample {
    let exe = std::env::current_exe().expect("the bench executable");
    let out = Command::new(exe)
        .env(MEASURE_ENV, "1")
        .arg(DTSFORM)
        .args(args)
        .output()
        .expect("run the wrapper");
    let text = String::from_utf8_lossy(&out.stdout);
    let field = |name: &str| -> f64 {
        text.split_whitespace()
            .find_map(|w| w.strip_prefix(&format!("{name}=")))
            .and_then(|v| v.parse().ok())
            .unwrap_or(f64::NAN)
    };
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Sample {
        wall: field("wall"),
        cpu: field("user") + field("sys"),
        max_rss_kib: field("maxrss_kib"),
        stdout_bytes: field("stdout_bytes") as u64,
    }
}

/// The wrapper: runs its arguments, drains their output, prints what it measured.
fn measure() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((program, rest)) = args.split_first() else {
        return ExitCode::FAILURE;
    };
    let started = Instant::now();
    let mut child = Command::new(program)
        .args(rest)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run dtsform");
    let mut stdout = child.stdout.take().expect("piped stdout");
    let (mut bytes, mut buf) = (0u64, vec![0u8; 64 * 1024]);
    while let Ok(n) = stdout.read(&mut buf) {
        if n == 0 {
            break;
        }
        bytes += n as u64;
    }
    let status = child.wait().expect("wait for dtsform");
    let wall = started.elapsed();
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).expect("getrusage");
    println!(
        "wall={} user={} sys={} maxrss_kib={} stdout_bytes={bytes} code={}",
        wall.as_secs_f64(),
        secs(usage.user_time()),
        secs(usage.system_time()),
        usage.max_rss(),
        status.code().unwrap_or(-1),
    );
    ExitCode::SUCCESS
}
