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
