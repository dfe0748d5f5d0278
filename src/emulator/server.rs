//! The server: one loopback address for both clouds. A request with an `X-TC-Action`
//! header or a `TC3-HMAC-SHA256` signature is Tencent's; any other is Alibaba's. Each
//! then takes the shared [`pipeline`](super::pipeline) with its cloud's protocol.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use axum::Router;
use axum::extract::{Request, State};
use axum::response::Response;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower_http::catch_panic::CatchPanicLayer;

use super::alibaba::protocol::Alibaba;
use super::alibaba::reply::{Failure, new_request_id};
use super::config::{EmulatorConfig, Faults};
use super::pipeline::{Shared, serve};
use super::tencent::protocol::{Tencent, is_tencent};
use super::world::{World, WorldError};

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum EmulatorError {
    #[error("the emulator listens on loopback only, not on {0}")]
    #[diagnostic(
        code(dtsform::emulator::not_loopback),
        help("use 127.0.0.1:PORT or [::1]:PORT; port 0 picks a free port")
    )]
    NotLoopback(SocketAddr),

    #[error("cannot listen on {addr}: {reason}")]
    #[diagnostic(
        code(dtsform::emulator::bind),
        help(
            "another process may be using the port; pick another with --listen 127.0.0.1:PORT, or port 0 for a free one"
        )
    )]
    Bind { addr: SocketAddr, reason: String },

    #[error(transparent)]
    #[diagnostic(transparent)]
    World(#[from] WorldError),
}

/// An emulator ready to start.
pub struct Emulator {
    config: EmulatorConfig,
    world: World,
    state_file: Option<PathBuf>,
}

impl Emulator {
    pub fn new(config: EmulatorConfig, world: World) -> Self {
        Self {
            config,
            world,
            state_file: None,
        }
    }

    /// Persists every change to `path` (atomically).
    #[must_use]
    pub fn persist_to(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    /// Binds `listen` (loopback only; port 0 picks a free port) and serves in the
    /// background until the returned handle is stopped or dropped.
    pub async fn start(self, listen: SocketAddr) -> Result<RunningEmulator, EmulatorError> {
        if !listen.ip().is_loopback() {
            return Err(EmulatorError::NotLoopback(listen));
        }
        let listener =
            tokio::net::TcpListener::bind(listen)
                .await
                .map_err(|e| EmulatorError::Bind {
                    addr: listen,
                    reason: e.to_string(),
                })?;
        let addr = listener.local_addr().map_err(|e| EmulatorError::Bind {
            addr: listen,
            reason: e.to_string(),
        })?;
        let shared = Arc::new(Shared::new(self.config, self.world, self.state_file));
        let app = Router::new()
            .fallback(handle)
            .with_state(shared.clone())
            .layer(CatchPanicLayer::custom(|_| {
                Failure::internal().into_response(&new_request_id())
            }));
        let (shutdown, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(e) = serve.await {
                tracing::error!(error = %e, "emulator server stopped");
            }
        });
        Ok(RunningEmulator {
            addr,
            shared,
            shutdown: Some(shutdown),
            task: Some(task),
        })
    }
}

/// A serving emulator. Dropping it stops the server.
pub struct RunningEmulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl RunningEmulator {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, the endpoint to give a client.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A snapshot of the world, with due status changes applied (both clouds).
    pub fn world(&self) -> World {
        let mut world = self.shared.lock().world.clone();
        world.settle(SystemTime::now());
        world
    }

    /// Changes the injected faults while serving.
    pub fn set_faults(&self, faults: Faults) {
        self.shared.lock().set_faults(faults);
    }

    /// Authenticated requests so far, per action.
    pub fn calls(&self) -> BTreeMap<String, u64> {
        self.shared.lock().calls.clone()
    }

    /// The request log: per action, the names of the parameters authenticated requests
    /// carried (never their values).
    pub fn received(&self) -> BTreeMap<String, BTreeSet<String>> {
        self.shared.lock().received.clone()
    }

    /// Requests refused for a rate limit so far, per action.
    pub fn throttled(&self) -> BTreeMap<String, u64> {
        self.shared.lock().throttled.clone()
    }

    /// Stops accepting, lets requests in flight finish, and waits for the server.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    if is_tencent(request.headers()) {
        serve::<Tencent>(shared, request).await
    } else {
        serve::<Alibaba>(shared, request).await
    }
}
