//! Shared test plumbing: emulators (in-process or as the real `dtsform emulator`
//! process), clients pointed at them, and the official SDK's virtualenv.

use std::fs::File;
use std::io::{BufRead as _, BufReader, Read as _};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use dtsform::cloud::RetryPolicy;
use dtsform::cloud::alibaba::endpoint::parse_endpoint;
use dtsform::cloud::alibaba::{
    AlibabaClient, ClientConfig, Credentials, JobStatus, SignatureVersion,
};
use dtsform::emulator::{
    DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator, EmulatorConfig, RunningEmulator,
    World,
};

pub const SHOP_JOB: &str = "k2gm967v16f";
pub const SHOP_INSTANCE: &str = "dtsk2gm967v16f";
pub const CRM_JOB: &str = "m4312mab158";
pub const ANALYTICS_JOB: &str = "s7qd5ph3n9c";
/// The sample world's two-way synchronization, and the job id of its reverse direction.
pub const TWO_WAY_JOB: &str = "r8tw2way01x";
pub const TWO_WAY_REVERSE_JOB: &str = "r8tw2way01y";

/// An emulator config with short status transitions, so tests stay quick.
pub fn fast_config() -> EmulatorConfig {
    let mut config = EmulatorConfig::default();
    config.behaviour.modify_duration = Duration::from_millis(300);
    config.behaviour.step_duration = Duration::from_millis(100);
    config
}

/// Starts an in-process emulator on a free loopback port.
pub async fn start(config: EmulatorConfig, world: World) -> RunningEmulator {
    Emulator::new(config, world)
        .start(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .expect("emulator starts")
}

/// Retries quick enough for tests.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 30,
        initial_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(200),
        deadline: Duration::from_secs(15),
    }
}

pub fn client_config(url: &str, version: SignatureVersion) -> ClientConfig {
    let mut config = ClientConfig::new("cn-hangzhou");
    config.endpoint = Some(parse_endpoint(url).expect("emulator url"));
    config.signature_version = version;
    config.retry = fast_retry();
    config
}

pub fn emulator_credentials() -> Credentials {
    Credentials::new(DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET)
}

pub fn tencent_credentials() -> dtsform::cloud::tencent::Credentials {
    dtsform::cloud::tencent::Credentials::new(
        dtsform::emulator::DEFAULT_TENCENT_SECRET_ID,
        dtsform::secret::Secret::new(dtsform::emulator::DEFAULT_TENCENT_SECRET_KEY),
    )
}

pub fn client(url: &str, version: SignatureVersion) -> AlibabaClient {
    AlibabaClient::new(client_config(url, version), emulator_credentials()).expect("client")
}

/// Polls until the job has `status`, or panics after `timeout`.
pub async fn wait_for_status(
    client: &AlibabaClient,
    job: &str,
    status: &JobStatus,
    timeout: Duration,
) {
    let deadline = Instant::now() + timeout;
    loop {
        let seen = client.describe_job(job).await.expect("describe").status;
        if &seen == status {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{job} still {seen} after {timeout:?}, wanted {status}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// `dtsform emulator` as a child process on a free port.
pub struct EmulatorProcess {
    child: Child,
    pub url: String,
    pub banner: String,
    stdout: BufReader<ChildStdout>,
}

impl EmulatorProcess {
    /// Spawns `dtsform emulator --listen 127.0.0.1:0 ARGS...` and reads the address from
    /// the first line of its output. Panics with its stderr if it does not start.
    pub fn spawn(args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dtsform"))
            .args(["emulator", "--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn dtsform emulator");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut first = String::new();
        stdout.read_line(&mut first).expect("read first line");
        let Some(url) = first.trim().strip_prefix("dtsform emulator listening on ") else {
            let _ = child.kill();
            let mut err = String::new();
            child.stderr.take().map(|mut s| s.read_to_string(&mut err));
            panic!("emulator did not start: stdout {first:?}, stderr {err}");
        };
        let url = url.to_owned();
        let mut banner = first.clone();
        for _ in 0..2 {
            stdout.read_line(&mut banner).expect("banner");
        }
        Self {
            child,
            url,
            banner,
            stdout,
        }
    }

    pub fn port(&self) -> u16 {
        self.url
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("port")
    }

    /// SIGTERM, then wait: the emulator shuts down gracefully.
    pub fn terminate(mut self) -> (ExitStatus, String) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
        let status = self.child.wait().expect("wait");
        let mut rest = String::new();
        let _ = self.stdout.read_to_string(&mut rest);
        let mut err = String::new();
        if let Some(mut s) = self.child.stderr.take() {
            let _ = s.read_to_string(&mut err);
        }
        (status, err)
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `dtsform ARGS...` to completion.
pub fn dtsform(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_dtsform"))
        .args(args)
        .env_remove("ALIBABA_CLOUD_ACCESS_KEY_ID")
        .env_remove("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
        .output()
        .expect("run dtsform")
}

/// A miette report as one line of words: the graphical handler wraps long messages at
/// the terminal width and draws a gutter, which substring checks must not depend on.
pub fn report_text(stderr: &[u8]) -> String {
    String::from_utf8_lossy(stderr)
        .lines()
        .map(|l| {
            l.trim()
                .trim_start_matches(['│', '×', '╰', '─', '▶'])
                .trim()
        })
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target dir")
        .to_owned()
}

/// The Python interpreter of a virtualenv holding the official SDK, pinned by
/// `tests/sdk/requirements.txt`. Created on first use under `target/sdk-venv` and reused
/// while the requirements file is unchanged; a file lock keeps parallel test processes
/// from building it twice. Set `DTSFORM_TEST_PYTHON` to pick the base interpreter.
pub fn python_sdk() -> PathBuf {
    let target = target_dir();
    std::fs::create_dir_all(&target).expect("target dir");
    let lock = File::create(target.join("sdk-venv.lock")).expect("lock file");
    lock.lock().expect("lock the venv");
    let venv = target.join("sdk-venv");
    let python = venv.join("bin").join("python");
    let requirements_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sdk/requirements.txt");
    let requirements = std::fs::read_to_string(&requirements_path).expect("requirements");
    let stamp = venv.join(".dtsform-requirements");
    if python.exists() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(&requirements) {
        return python;
    }
    let _ = std::fs::remove_dir_all(&venv);
    let base = std::env::var("DTSFORM_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let run = |cmd: &mut Command, what: &str| {
        let out = cmd
            .output()
            .unwrap_or_else(|e| panic!("{what}: cannot run: {e}"));
        assert!(
            out.status.success(),
            "{what} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(
        Command::new(&base).args(["-m", "venv"]).arg(&venv),
        "python3 -m venv",
    );
    run(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
            ])
            .arg(&requirements_path),
        "pip install -r tests/sdk/requirements.txt",
    );
    std::fs::write(&stamp, requirements).expect("stamp");
    python
}
