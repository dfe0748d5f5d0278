//! What the benchmarks share: the machine line of a report, and small statistics.

use nix::sys::time::TimeVal;

/// `N CPUs (model)`, for the report.
pub fn machine_line() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{cpus} CPUs ({model})")
}

/// A rusage time in seconds.
pub fn secs(t: TimeVal) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let s = t.tv_sec() as f64 + t.tv_usec() as f64 / 1e6;
    s
}

/// The median (sorts `values`).
pub fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        f64::midpoint(values[n / 2 - 1], values[n / 2])
    }
}

/// `dtsform emulator` as a child process on a free loopback port; stopped when dropped
/// (SIGTERM, then SIGKILL after 10 s), also when a check panics.
pub struct EmulatorProcess {
    child: std::process::Child,
    pub url: String,
    _stdout: std::io::BufReader<std::process::ChildStdout>,
}

impl EmulatorProcess {
    /// Starts `dtsform emulator --listen 127.0.0.1:0 --state WORLD ARGS...`, its
    /// standard error in `log`, and waits for the line that gives its URL.
    pub fn spawn(world: &std::path::Path, args: &[String], log: &std::path::Path) -> Self {
        use std::io::BufRead as _;
        use std::process::{Command, Stdio};
        let mut child = Command::new(env!("CARGO_BIN_EXE_dtsform"))
            .args(["emulator", "--listen", "127.0.0.1:0", "--state"])
            .arg(world)
            .args(args)
            .env_remove("DTSFORM_EMULATOR_ACCESS_KEY_SECRET")
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(log).expect("emulator log"))
            .spawn()
            .expect("spawn dtsform emulator");
        let mut stdout = std::io::BufReader::new(child.stdout.take().expect("stdout"));
        let mut first = String::new();
        stdout.read_line(&mut first).expect("read first line");
        let Some(url) = first.trim().strip_prefix("dtsform emulator listening on ") else {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the emulator did not start: {first:?}; stderr: {}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        };
        let url = url.to_owned();
        Self {
            child,
            url,
            _stdout: stdout,
        }
    }

    /// User + system CPU seconds the emulator has used so far (from /proc).
    pub fn cpu_seconds(&self) -> Option<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).ok()?;
        let fields: Vec<&str> = stat.rsplit_once(") ")?.1.split_whitespace().collect();
        let ticks: f64 =
            fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
        Some(ticks / clock_ticks())
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        use nix::sys::signal::{Signal, kill};
        use std::time::{Duration, Instant};
        let pid = nix::unistd::Pid::from_raw(i32::try_from(self.child.id()).expect("pid"));
        let _ = kill(pid, Signal::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match self.child.try_wait() {
                Ok(Some(_)) => return,
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                _ => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    return;
                }
            }
        }
    }
}

/// Clock ticks per second, for /proc's CPU times.
fn clock_ticks() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}
