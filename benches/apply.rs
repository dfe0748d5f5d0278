//! Performance benchmark of `dtsform apply` (see BENCHMARKS.md). Run:
//!
//! ```sh
//! cargo bench --bench apply
//! ```
//!
//! 100 independent sync jobs, each getting one table added; the emulator holds a job in
//! `Modifying` for 500 ms after each object-list write. `dtsform apply PLANFILE` runs at
//! `--parallelism` 10 and 50, as a user runs it: the release binary against
//! `dtsform emulator` as another process, timed from spawn to exit. The bound is
//! ceil(N / P) × 500 ms: P jobs at a time, each busy for the Modifying phase at least.

// A benchmark reports on standard output: it is not the tool's user-facing output.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod common;

use std::fmt::Write as _;
use std::io::{BufRead as _, BufReader};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use common::EmulatorProcess;
use common::{machine_line, median, secs};
use nix::sys::resource::{UsageWho, getrusage};
use serde_json::json;

const DTSFORM: &str = env!("CARGO_BIN_EXE_dtsform");
const KEY_ID: &str = "dtsform-emulator";
const KEY_SECRET: &str = "dtsform-emulator-secret";

const JOBS: usize = 100;
const MODIFY_SECONDS: f64 = 0.5;
const PARALLELISMS: [usize; 2] = [10, 50];
const RUNS: usize = 3;
const TARGET: f64 = 1.3;

#[allow(clippy::cast_precision_loss)] // counts far below 2^52
fn main() -> ExitCode {
    println!(
        "dtsform apply benchmark (release build), {}",
        machine_line()
    );
    println!(
        "{JOBS} independent jobs, 1 table added to each; emulator --modify-seconds {MODIFY_SECONDS}; \
         each P gets 1 warm-up run, then {RUNS} measured runs, each on a fresh world and emulator\n"
    );
    let mut rows = Vec::new();
    for p in PARALLELISMS {
        let mut runs = Vec::new();
        for run in 0..=RUNS {
            let r = one_run(p);
            let label = if run == 0 {
                "warm-up".to_owned()
            } else {
                format!("run {run}")
            };
            println!(
                "  P={p} {label}: wall {:.3} s, apply CPU {:.3} s, emulator CPU {:.2} s, {} status reads, operation time mean {:.3} s / max {:.3} s",
                r.wall, r.cpu, r.emulator_cpu, r.polls, r.op_mean, r.op_max
            );
            if run > 0 {
                runs.push(r);
            }
        }
        rows.push((p, runs));
    }
    println!();
    println!(
        "   P |     wall      min      max |    bound |  wall/bd  <=1.3 | status reads  per op |  apply CPU"
    );
    let mut ok = true;
    for (p, runs) in &rows {
        let mut walls: Vec<f64> = runs.iter().map(|r| r.wall).collect();
        let wall = median(&mut walls);
        let (min, max) = (walls[0], walls[walls.len() - 1]);
        let mut polls: Vec<f64> = runs.iter().map(|r| r.polls as f64).collect();
        let polls = median(&mut polls);
        let mut cpu: Vec<f64> = runs.iter().map(|r| r.cpu).collect();
        let cpu = median(&mut cpu);
        let bound = JOBS.div_ceil(*p) as f64 * MODIFY_SECONDS;
        let ratio = wall / bound;
        let met = ratio <= TARGET;
        ok &= met;
        println!(
            "{p:>4} | {wall:>6.3} s {min:>6.3} s {max:>6.3} s | {bound:>6.3} s | {ratio:>8.3} {:>6} | {polls:>12.0} {:>7.1} | {cpu:>8.3} s",
            if met { "met" } else { "MISSED" },
            polls / JOBS as f64,
        );
    }
    println!(
        "bound = ceil({JOBS} / P) x {MODIFY_SECONDS} s; wall and status reads are medians of {RUNS} runs; \
         status reads = DescribeDtsJobDetail calls (the check before each write, the waits, the read-back)"
    );
    if !ok {
        println!("\nSome targets were missed: see MISSED above.");
    }
    ExitCode::SUCCESS
}

struct Run {
    wall: f64,
    cpu: f64,
    emulator_cpu: f64,
    polls: usize,
    op_mean: f64,
    op_max: f64,
}

#[allow(clippy::cast_precision_loss)] // counts far below 2^52
fn one_run(parallelism: usize) -> Run {
    let tmp = tempfile::tempdir().expect("temp dir");
    let world = tmp.path().join("world.json");
    std::fs::write(&world, world_json()).expect("world");
    let emulator = EmulatorProcess::spawn(
        &world,
        &["--modify-seconds".to_owned(), MODIFY_SECONDS.to_string()],
        &tmp.path().join("emulator.log"),
    );
    let config = tmp.path().join("config");
    std::fs::create_dir(&config).expect("config dir");
    std::fs::write(config.join("main.hcl"), config_hcl(&emulator.url)).expect("config");
    let plan = tmp.path().join("plan.json");
    let out = dtsform()
        .arg("plan")
        .arg(&config)
        .arg("-out")
        .arg(&plan)
        .output()
        .expect("plan");
    assert!(
        out.status.success(),
        "plan failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let emulator_before = emulator.cpu_seconds().unwrap_or(0.0);

    let before = getrusage(UsageWho::RUSAGE_CHILDREN).expect("getrusage");
    let started = Instant::now();
    let mut child = dtsform()
        .arg("apply")
        .arg(&plan)
        .args(["--parallelism", &parallelism.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("apply");
    let lines: Vec<String> = BufReader::new(child.stdout.take().expect("stdout"))
        .lines()
        .map_while(Result::ok)
        .collect();
    let status = child.wait().expect("wait");
    let wall = started.elapsed().as_secs_f64();
    let after = getrusage(UsageWho::RUSAGE_CHILDREN).expect("getrusage");
    assert!(status.success(), "apply failed:\n{}", lines.join("\n"));
    let cpu = secs(after.user_time()) + secs(after.system_time())
        - secs(before.user_time())
        - secs(before.system_time());
    let summary = lines
        .iter()
        .find(|l| l.starts_with("Apply complete:"))
        .expect("a summary line");
    assert!(
        summary.starts_with(&format!("Apply complete: {JOBS} applied")),
        "{summary}"
    );
    let polls = summary
        .rsplit_once(", ")
        .and_then(|(_, tail)| tail.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("status reads in the summary");
    let times: Vec<f64> = lines
        .iter()
        .filter_map(|l| l.split_once(": applied after "))
        .filter_map(|(_, rest)| rest.split('s').next()?.parse().ok())
        .collect();
    assert_eq!(times.len(), JOBS, "one applied line per job");
    Run {
        wall,
        cpu,
        emulator_cpu: emulator.cpu_seconds().unwrap_or(0.0) - emulator_before,
        polls,
        op_mean: times.iter().sum::<f64>() / times.len() as f64,
        op_max: times.iter().copied().fold(0.0, f64::max),
    }
}

fn dtsform() -> Command {
    let mut c = Command::new(DTSFORM);
    c.env("ALIBABA_CLOUD_ACCESS_KEY_ID", KEY_ID)
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", KEY_SECRET)
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    c
}

fn world_json() -> String {
    let jobs: Vec<serde_json::Value> = (0..JOBS)
        .map(|i| {
            json!({
                "job_id": format!("job{i:03}"),
                "instance_id": format!("dtsjob{i:03}"),
                "type": "sync",
                "region": "cn-hangzhou",
                "status": "Synchronizing",
                "db_list": {format!("db{i}"): {"name": format!("db{i}"), "all": false, "Table": {
                    "a": {"name": "a", "all": true}, "b": {"name": "b", "all": true}}}},
            })
        })
        .collect();
    serde_json::to_string_pretty(&json!({"version": 1, "jobs": jobs})).expect("world")
}

fn config_hcl(url: &str) -> String {
    let mut text = format!(
        "provider \"alicloud\" {{\n  region     = \"cn-hangzhou\"\n  endpoint   = \"{url}\"\n  rate_limit = 10000\n}}\n"
    );
    for i in 0..JOBS {
        let _ = write!(
            text,
            "\nresource \"alicloud_dts_job\" \"job{i:03}\" {{\n  dts_job_id = \"job{i:03}\"\n  database \"db{i}\" {{\n    table \"a\" {{}}\n    table \"b\" {{}}\n    table \"c\" {{}}\n  }}\n}}\n"
        );
    }
    text
}
