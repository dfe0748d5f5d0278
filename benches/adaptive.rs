//! Zero-configuration speed of `dtsform plan` (see BENCHMARKS.md). Run:
//!
//! ```sh
//! cargo bench --bench adaptive            # every case
//! cargo bench --bench adaptive -- 250     # only the cases whose label contains "250"
//! ```
//!
//! 1,000 jobs, no `rate_limit`, no `--parallelism`: dtsform has to find the server's rate
//! itself. Each case starts the real `dtsform emulator` with a per-action rate limit and
//! a latency (and for one case a limit that drops mid-plan, `--rate-limit-after`), runs
//! `dtsform -v plan` against it as a user does (timed from spawn to exit; the `-v`
//! closing line gives the requests and throttled answers), then, against a fresh
//! emulator with the same limits, a naive peer: 10 concurrent readers in this process
//! that read every job with the project's signed client and, on a throttling answer,
//! wait (the server's retry-after, else an exponential backoff with jitter) and try
//! again — what teams script today.
//!
//! The Tencent cases do the same against the emulator's Tencent side, whose per-action
//! limit is counted as Tencent counts it (documented: 20 calls per second per action), in
//! fixed one-second windows (`--tencent-rate-limit`): a second's calls are admitted at once
//! and the rest of that second refused.

// A benchmark reports on standard output: it is not the tool's user-facing output.
#![allow(clippy::print_stdout, clippy::print_stderr)]

// Shared with the other benchmarks, which use more of it.
#[allow(dead_code)]
mod common;

use std::fmt::Write as _;
use std::io::Read as _;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use common::EmulatorProcess;
use common::machine_line;
use futures::StreamExt as _;

use dtsform::cloud::RetryPolicy;
use dtsform::cloud::alibaba::endpoint::parse_endpoint;
use dtsform::cloud::alibaba::{
    Action as _, AlibabaClient, ClientConfig, Credentials, DescribeDtsJobDetail,
};
use dtsform::cloud::tencent::{self, TencentClient};
use dtsform::emulator::World;
use dtsform::emulator::tencent::world::TencentJob;

const DTSFORM: &str = env!("CARGO_BIN_EXE_dtsform");
const KEY_ID: &str = "dtsform-emulator";
const KEY_SECRET: &str = "dtsform-emulator-secret";

const TENCENT_REGION: &str = "ap-guangzhou";

const JOBS: usize = 1000;
const TABLES: usize = 3;
const WALL_TARGET: f64 = 1.2;
const THROTTLED_TARGET: f64 = 0.10;
/// How many readers the naive peer runs at once.
const PEER_READERS: usize = 10;

/// Whose API a case serves.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cloud {
    /// A token bucket per action (`--rate-limit`, `--rate-burst`).
    Alibaba,
    /// A fixed one-second window per action (`--tencent-rate-limit`).
    Tencent,
}

/// One server: a per-action rate limit, a latency, an optional drop of the limit.
struct Case {
    cloud: Cloud,
    rate: f64,
    latency_ms: u64,
    /// `--rate-burst`; `None`: the emulator's default (one second's worth).
    burst: Option<u32>,
    /// `--rate-limit-after AFTER=RATE`.
    drop: Option<(Duration, f64)>,
}

impl Case {
    fn label(&self) -> String {
        if self.cloud == Cloud::Tencent {
            return format!("tencent {}/s {} ms, 1 s window", self.rate, self.latency_ms);
        }
        let mut label = format!("{}/s {} ms", self.rate, self.latency_ms);
        if let Some((after, to)) = self.drop {
            let _ = write!(label, ", {to}/s after {}s", after.as_secs_f64());
        }
        match self.burst {
            Some(burst) => {
                let _ = write!(label, ", burst {burst}");
            }
            None => label.push_str(", burst 1 s"),
        }
        label
    }

    /// max(N / rate, latency), the rate following the drop if any.
    #[allow(clippy::cast_precision_loss)]
    fn bound(&self) -> f64 {
        let n = JOBS as f64;
        let by_rate = match self.drop {
            Some((after, to)) => {
                let before = self.rate * after.as_secs_f64();
                if before >= n {
                    n / self.rate
                } else {
                    after.as_secs_f64() + (n - before) / to
                }
            }
            None => n / self.rate,
        };
        by_rate.max(self.latency_ms as f64 / 1000.0)
    }

    /// Whether the server lets more than the peer's 10 requests be in flight (rate ×
    /// latency > 10).
    #[allow(clippy::cast_precision_loss)]
    fn allows_more_than_the_peer(&self) -> bool {
        self.rate * self.latency_ms as f64 / 1000.0 > PEER_READERS as f64
    }
}

/// The server's burst in the cases: a tenth of a second's worth, at least 10.
fn burst(rate: f64) -> u32 {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    ((rate / 10.0) as u32).max(10)
}

fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for rate in [20.0, 100.0, 250.0, 1000.0] {
        for latency_ms in [20, 100] {
            cases.push(Case {
                cloud: Cloud::Alibaba,
                rate,
                latency_ms,
                burst: Some(burst(rate)),
                drop: None,
            });
        }
    }
    cases.push(Case {
        cloud: Cloud::Alibaba,
        rate: 250.0,
        latency_ms: 100,
        burst: Some(burst(250.0)),
        drop: Some((Duration::from_secs(2), 50.0)),
    });
    // The emulator's default burst: a whole second's worth lets a client run far above
    // the rate before the first refusal.
    cases.push(Case {
        cloud: Cloud::Alibaba,
        rate: 250.0,
        latency_ms: 100,
        burst: None,
        drop: None,
    });
    // Tencent's documented limit, and a higher one.
    for (rate, latency_ms) in [(20.0, 20), (20.0, 100), (100.0, 100)] {
        cases.push(Case {
            cloud: Cloud::Tencent,
            rate,
            latency_ms,
            burst: None,
            drop: None,
        });
    }
    cases
}

fn main() -> ExitCode {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    println!(
        "dtsform zero-configuration plan benchmark (release build), {}",
        machine_line()
    );
    let tmp = tempfile::tempdir().expect("temp dir");
    let world = tmp.path().join("world.json");
    std::fs::write(&world, world_json()).expect("write world");
    let alibaba_config = tmp.path().join("alibaba");
    let tencent_config = tmp.path().join("tencent");
    let home = tmp.path().join("home");
    for dir in [&alibaba_config, &tencent_config, &home] {
        std::fs::create_dir_all(dir).expect("a directory");
    }
    std::fs::write(alibaba_config.join("jobs.hcl"), jobs_hcl()).expect("write jobs.hcl");
    std::fs::write(tencent_config.join("jobs.hcl"), tencent_jobs_hcl()).expect("write jobs.hcl");

    let mut rows = Vec::new();
    for case in cases() {
        let label = case.label();
        if !filters.is_empty() && !filters.iter().any(|f| label.contains(f.as_str())) {
            continue;
        }
        let log = tmp.path().join("emulator.log");
        let emulator = EmulatorProcess::spawn(&world, &emulator_args(&case), &log);
        let config = match case.cloud {
            Cloud::Alibaba => &alibaba_config,
            Cloud::Tencent => &tencent_config,
        };
        std::fs::write(
            config.join("provider.hcl"),
            provider_hcl(case.cloud, &emulator.url),
        )
        .expect("write provider.hcl");
        let plan = run_plan(case.cloud, config, &home);
        drop(emulator);
        let emulator = EmulatorProcess::spawn(&world, &emulator_args(&case), &log);
        let peer = naive_peer(case.cloud, &emulator.url);
        drop(emulator);
        println!(
            "  {label}: dtsform {:.3} s, {} requests, {} throttled; peer {:.3} s, {} requests, {} throttled",
            plan.wall, plan.requests, plan.throttled, peer.wall, peer.requests, peer.throttled
        );
        rows.push((case, plan, peer));
    }

    println!(
        "\n{:<30} | {:>8} | {:>8} {:>7} {:>6} | {:>9} {:>6} | {:>8} {:>9} | {:>7}",
        "server (limit, latency, burst)",
        "bound",
        "dtsform",
        "/bound",
        "<=1.2",
        "throttled",
        "<=10%",
        "peer",
        "peer thr.",
        "faster"
    );
    let mut ok = true;
    for (case, plan, peer) in &rows {
        let bound = case.bound();
        let ratio = plan.wall / bound;
        let share = plan.share();
        let wall_ok = ratio <= WALL_TARGET;
        let share_ok = share <= THROTTLED_TARGET;
        let faster = if case.allows_more_than_the_peer() {
            if plan.wall < peer.wall {
                "met"
            } else {
                ok = false;
                "MISSED"
            }
        } else {
            "n/a"
        };
        ok &= wall_ok && share_ok;
        println!(
            "{:<30} | {:>6.3} s | {:>6.3} s {:>7.3} {:>6} | {:>8.1}% {:>6} | {:>6.3} s {:>8.1}% | {:>7}",
            case.label(),
            bound,
            plan.wall,
            ratio,
            if wall_ok { "met" } else { "MISSED" },
            share * 100.0,
            if share_ok { "met" } else { "MISSED" },
            peer.wall,
            peer.share() * 100.0,
            faster
        );
    }
    println!(
        "bound = max(N / rate, latency), N = {JOBS} DescribeDtsJobDetail (Tencent: DescribeMigrateJobs) calls (with a drop: the time to serve N at the scheduled rates); \
         dtsform = wall time of `dtsform -v plan` from spawn to exit, one run per case, its requests and throttled answers from the -v closing line; \
         peer = {PEER_READERS} concurrent readers in the bench process against a fresh emulator with the same limits, first request to last answer; \
         'faster' applies where rate x latency > {PEER_READERS}"
    );
    if !ok {
        println!("\nSome targets were missed: see MISSED above.");
    }
    // A missed target is a finding, not a failure of the benchmark.
    ExitCode::SUCCESS
}

fn world_json() -> String {
    let mut out = String::from("{\n  \"version\": 1,\n  \"jobs\": [\n");
    for i in 0..JOBS {
        let tables: Vec<String> = (0..TABLES)
            .map(|t| format!("\"t{t}\": {{\"name\": \"t{t}\", \"all\": true}}"))
            .collect();
        let _ = writeln!(
            out,
            "    {{\"job_id\": \"bench{i:04}\", \"instance_id\": \"dtsbench{i:04}\", \"name\": \"bench-{i}\", \
             \"type\": \"SYNC\", \"region\": \"cn-hangzhou\", \"status\": \"Synchronizing\", \
             \"db_list\": {{\"db{i}\": {{\"name\": \"db{i}\", \"all\": false, \"Table\": {{{}}}}}}}}}{}",
            tables.join(", "),
            if i + 1 < JOBS { "," } else { "" }
        );
    }
    out.push_str("  ]\n}\n");
    // And as many Tencent jobs, `dts-00000000`…, copies of the sample's first.
    let mut world: World = serde_json::from_str(&out).expect("the Alibaba jobs");
    let template = World::sample().tencent_jobs[0].clone();
    world.tencent_jobs = (0..JOBS)
        .map(|i| TencentJob {
            job_id: tencent_job_id(i),
            name: format!("bench-{i}"),
            region: TENCENT_REGION.to_owned(),
            ..template.clone()
        })
        .collect();
    serde_json::to_string(&world).expect("the world")
}

/// Every job keeps its tables and gets `t_new`: 1,000 jobs to change.
fn jobs_hcl() -> String {
    let mut out = String::new();
    for i in 0..JOBS {
        let tables = (0..TABLES).fold(String::new(), |mut text, t| {
            let _ = writeln!(text, "    table \"t{t}\" {{}}");
            text
        });
        let _ = write!(
            out,
            "\nresource \"alicloud_dts_job\" \"job{i:04}\" {{\n  dts_job_id = \"bench{i:04}\"\n  database \"db{i}\" {{\n{tables}    table \"t_new\" {{}}\n  }}\n}}\n"
        );
    }
    out
}

/// The Tencent jobs, each read as it is.
fn tencent_jobs_hcl() -> String {
    (0..JOBS).fold(String::new(), |mut out, i| {
        let _ = write!(
            out,
            "\nresource \"tencentcloud_dts_migrate_job\" \"job{i:04}\" {{\n  job_id = \"{}\"\n}}\n",
            tencent_job_id(i)
        );
        out
    })
}

/// No `rate_limit`: the zero configuration.
fn provider_hcl(cloud: Cloud, url: &str) -> String {
    match cloud {
        Cloud::Alibaba => format!(
            "provider \"alicloud\" {{\n  region   = \"cn-hangzhou\"\n  endpoint = \"{url}\"\n}}\n"
        ),
        Cloud::Tencent => format!(
            "provider \"tencentcloud\" {{\n  region   = \"{TENCENT_REGION}\"\n  endpoint = \"{url}\"\n}}\n"
        ),
    }
}

/// The emulator's latency and limits for `case`.
fn emulator_args(case: &Case) -> Vec<String> {
    if case.cloud == Cloud::Tencent {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let limit = case.rate as u32;
        return vec![
            "--latency-ms".to_owned(),
            case.latency_ms.to_string(),
            "--tencent-rate-limit".to_owned(),
            limit.to_string(),
        ];
    }
    let mut args = vec![
        "--latency-ms".to_owned(),
        case.latency_ms.to_string(),
        "--rate-limit".to_owned(),
        case.rate.to_string(),
    ];
    if let Some(burst) = case.burst {
        args.extend(["--rate-burst".to_owned(), burst.to_string()]);
    }
    if let Some((after, to)) = case.drop {
        args.extend([
            "--rate-limit-after".to_owned(),
            format!("{}s={to}", after.as_secs_f64()),
        ]);
    }
    args
}

/// Wall time, requests and throttled answers of one run.
struct Run {
    wall: f64,
    requests: u64,
    throttled: u64,
}

impl Run {
    #[allow(clippy::cast_precision_loss)]
    fn share(&self) -> f64 {
        self.throttled as f64 / self.requests.max(1) as f64
    }
}

/// `dtsform -v plan DIR`, from spawn to exit; requests and throttled answers from its
/// closing line `alicloud (cn-hangzhou): N requests, T throttled (…)` (or Tencent's).
fn run_plan(cloud: Cloud, config: &Path, home: &Path) -> Run {
    let started = Instant::now();
    let mut child = Command::new(DTSFORM)
        .args(["-v", "plan"])
        .arg(config)
        .arg("--no-color")
        .env("HOME", home)
        .env("ALIBABA_CLOUD_ACCESS_KEY_ID", KEY_ID)
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", KEY_SECRET)
        .env("TENCENTCLOUD_SECRET_ID", KEY_ID)
        .env("TENCENTCLOUD_SECRET_KEY", KEY_SECRET)
        .env_remove("TENCENTCLOUD_SESSION_TOKEN")
        .env_remove("ALIBABA_CLOUD_SECURITY_TOKEN")
        .env_remove("ALIBABA_CLOUD_PROFILE")
        .env_remove("ALIBABA_CLOUD_REGION_ID")
        // -v's closing line goes through the printer; the call log is not wanted here.
        .env("RUST_LOG", "warn")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn dtsform plan");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let mut out = Vec::new();
    stdout.read_to_end(&mut out).expect("read the plan");
    let status = child.wait().expect("wait for the plan");
    let wall = started.elapsed().as_secs_f64();
    let errors = errors.join().expect("stderr reader");
    let out = String::from_utf8_lossy(&out);
    // The Alibaba jobs each get a table; the Tencent ones are read as they are.
    let planned = match cloud {
        Cloud::Alibaba => out.contains(&format!("Plan: {JOBS} jobs to change")),
        Cloud::Tencent => true,
    };
    assert!(
        status.success() && planned,
        "dtsform plan failed: {status}\nstderr (first 4000 bytes):\n{}",
        errors.chars().take(4000).collect::<String>()
    );
    let closing = match cloud {
        Cloud::Alibaba => "alicloud (cn-hangzhou): ".to_owned(),
        Cloud::Tencent => format!("tencentcloud ({TENCENT_REGION}): "),
    };
    let line = errors
        .lines()
        .find(|l| l.starts_with(&closing))
        .unwrap_or_else(|| panic!("no -v closing line in:\n{errors}"));
    let number_before = |word: &str| -> u64 {
        let words: Vec<&str> = line.split_whitespace().collect();
        words
            .iter()
            .position(|w| w.trim_end_matches([',', ';']) == word)
            .and_then(|i| words.get(i - 1))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no count before {word:?} in {line:?}"))
    };
    Run {
        wall,
        requests: number_before("requests"),
        throttled: number_before("throttled"),
    }
}

/// 10 readers, each taking the next job and reading it until it is not throttled:
/// the server's retry-after when it gives one, else 100 ms doubling to 2 s, with jitter.
fn naive_peer(cloud: Cloud, url: &str) -> Run {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        match cloud {
            Cloud::Alibaba => {
                let mut config = ClientConfig::new("cn-hangzhou");
                config.endpoint = Some(parse_endpoint(url).expect("url"));
                config.retry = RetryPolicy::none();
                let client = AlibabaClient::new(config, Credentials::new(KEY_ID, KEY_SECRET))
                    .expect("client");
                let client = &client;
                read_all(|i| async move {
                    let action = DescribeDtsJobDetail {
                        dts_job_id: format!("bench{i:04}"),
                        ..DescribeDtsJobDetail::default()
                    };
                    let params = action.params("cn-hangzhou");
                    client
                        .call_params(DescribeDtsJobDetail::NAME, &params)
                        .await
                        .map(drop)
                })
                .await
            }
            // The same with the project's Tencent client (the Tencent side gives no
            // retry-after).
            Cloud::Tencent => {
                let mut config = tencent::ClientConfig::new(TENCENT_REGION);
                config.endpoint = Some(tencent::endpoint::parse_endpoint(url).expect("url"));
                config.retry = RetryPolicy::none();
                let credentials = tencent::Credentials::new(KEY_ID, KEY_SECRET);
                let client = TencentClient::new(config, credentials).expect("client");
                let client = &client;
                read_all(|i| async move {
                    client
                        .describe_migrate_job(&tencent_job_id(i))
                        .await
                        .map(drop)
                })
                .await
            }
        }
    })
}

/// Every job read with `read(i)`, [`PEER_READERS`] at a time, each until it is not
/// throttled.
async fn read_all<F, R>(read: F) -> Run
where
    F: Fn(usize) -> R,
    R: Future<Output = Result<(), dtsform::cloud::Error>>,
{
    let (requests, throttled) = (AtomicU64::new(0), AtomicU64::new(0));
    let started = Instant::now();
    let (read, requests_ref, throttled_ref) = (&read, &requests, &throttled);
    futures::stream::iter(0..JOBS)
        .map(|i| async move {
            let mut backoff = Duration::from_millis(100);
            loop {
                requests_ref.fetch_add(1, Ordering::Relaxed);
                match read(i).await {
                    Ok(()) => return,
                    Err(e) if e.api().is_some_and(dtsform::cloud::ApiError::is_throttling) => {
                        throttled_ref.fetch_add(1, Ordering::Relaxed);
                        let hint = e.api().and_then(|a| a.retry_after);
                        let wait = hint
                            .unwrap_or_else(|| backoff.mul_f64(0.5 + rand::random::<f64>() / 2.0));
                        backoff = (backoff * 2).min(Duration::from_secs(2));
                        tokio::time::sleep(wait).await;
                    }
                    Err(e) => panic!("the peer's read failed: {e}"),
                }
            }
        })
        .buffer_unordered(PEER_READERS)
        .collect::<Vec<()>>()
        .await;
    Run {
        wall: started.elapsed().as_secs_f64(),
        requests: requests.load(Ordering::Relaxed),
        throttled: throttled.load(Ordering::Relaxed),
    }
}

/// The id of the `i`th Tencent job.
fn tencent_job_id(i: usize) -> String {
    format!("dts-{i:08}")
}
