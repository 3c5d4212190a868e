//! The embedded TTAPI simulator: a real HTTP server on loopback that follows the contract in
//! `shared/ttapi-midjourney-api.md`, renders images procedurally and can inject faults. It is the offline
//! backend and the peer of every end-to-end test; nothing above it depends on it except start-up choice.
//!
//! Where a change goes:
//! - what it answers, one handler per endpoint, and the `/cdn/` images: `routes.rs`; requests are checked
//!   by the client's own `validate()` (`src/api/wire.rs`) and prompts by `domain::params::check`.
//! - how its jobs move with the clock, its accounts and balance: `state.rs` (`SimState`).
//! - its pictures, and how each follow-up action changes its parent's pixels: `render.rs`.
//! - its faults (server errors, rate limits, cut connections, latency): `faults.rs` (`FaultConfig`).
//! - its options (key, timings, banned words, prices as a `PriceTable`, modes down): `SimConfig` here.

mod faults;
pub mod render;
mod routes;
mod state;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use faults::{BadBody, FaultConfig};
pub use state::InjectedFault;
use state::SimState;

use crate::api::BaseUrl;
use crate::domain::Mode;
use crate::domain::pricing::PriceTable;

/// The text of a job that failed moderation, as TTAPI words it.
pub const BANNED_PROMPT_MESSAGE: &str = "[Banned prompt detected] Sorry! Our AI moderator thinks this prompt is probably against our community standards.";

#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Only this key is accepted; `None` accepts any non-empty key.
    pub api_key: Option<String>,
    /// How long a fast-mode job waits in PENDING_QUEUE (relax ×2, turbo ×½).
    pub queue_time: Duration,
    /// How long a fast-mode job runs in ON_QUEUE (relax ×2, turbo ×½).
    pub run_time: Duration,
    /// Prompts containing one of these words (case-insensitive) end FAILED as banned.
    pub banned_words: Vec<String>,
    /// Jobs allowed in progress at once before submissions get HTTP 499.
    pub max_in_progress: usize,
    /// Starting balance in quota units.
    pub balance: f64,
    /// What each job costs (`moodgrid sim --price`); the contract's examples by default.
    pub prices: PriceTable,
    /// Modes whose endpoints are down: `/midjourney/status` says so and their submissions are refused.
    pub modes_down: Vec<Mode>,
    /// Seed for job seeds and art, so a run can be replayed.
    pub seed: u64,
    pub faults: FaultConfig,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            api_key: None,
            queue_time: Duration::from_millis(600),
            run_time: Duration::from_secs(4),
            banned_words: vec!["bannedword".into()],
            max_in_progress: 10,
            balance: 100_000.0,
            prices: PriceTable::default(),
            modes_down: Vec::new(),
            seed: 0x6d6f_6f64,
            faults: FaultConfig::default(),
        }
    }
}

impl SimConfig {
    /// Near-instant jobs for tests.
    pub fn fast() -> SimConfig {
        SimConfig {
            queue_time: Duration::from_millis(20),
            run_time: Duration::from_millis(150),
            ..SimConfig::default()
        }
    }

    pub(crate) fn durations(&self, mode: Mode) -> (Duration, Duration) {
        let scale = match mode {
            Mode::Relax => 2.0,
            Mode::Fast => 1.0,
            Mode::Turbo => 0.5,
        };
        (self.queue_time.mul_f64(scale), self.run_time.mul_f64(scale))
    }
}

pub(crate) struct Shared {
    config: SimConfig,
    /// `http://127.0.0.1:PORT`, the prefix of every image URL.
    origin: String,
    state: Mutex<SimState>,
    /// How many times each request (by identity) has come: its fault dice differ per occurrence.
    fault_occurrences: Mutex<std::collections::HashMap<u64, u64>>,
    /// The faults in force: `config.faults` at start, changed by [`Simulator::set_faults`].
    faults: Mutex<Arc<FaultConfig>>,
}

/// Distinct requests remembered for their fault dice; past this the count starts again (memory stays
/// bounded over a long session; only the replay of very long runs changes).
const MAX_REMEMBERED_REQUESTS: usize = 100_000;

impl Shared {
    /// The number of earlier arrivals of the request with this identity.
    fn fault_occurrence(&self, identity: u64) -> u64 {
        let mut seen = self
            .fault_occurrences
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if seen.len() >= MAX_REMEMBERED_REQUESTS {
            seen.clear();
        }
        let count = seen.entry(identity).or_default();
        *count += 1;
        *count - 1
    }

    /// The faults in force now.
    fn faults(&self) -> Arc<FaultConfig> {
        self.faults
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// A poisoned lock means a handler panicked mid-update; the simulator keeps serving what it has.
    fn state(&self) -> MutexGuard<'_, SimState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// One simulated job as the simulator sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimJobSummary {
    pub id: String,
    pub action: String,
    pub prompt: String,
    pub mode: Mode,
    /// `PENDING_QUEUE`, `ON_QUEUE`, `SUCCESS` or `FAILED`.
    pub status: String,
    /// When it became SUCCESS, and when a fetch first told a client so (what latency is measured from).
    pub succeeded_at: Option<std::time::Instant>,
    pub success_reported_at: Option<std::time::Instant>,
}

/// A running simulator. Dropping it stops the server.
pub struct Simulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Simulator {
    /// Starts on a free port of 127.0.0.1.
    pub async fn start(config: SimConfig) -> std::io::Result<Simulator> {
        Self::start_on(config, 0).await
    }

    /// Starts on the given port of 127.0.0.1 (0 picks a free one). Must be called inside a tokio runtime.
    pub async fn start_on(config: SimConfig, port: u16) -> std::io::Result<Simulator> {
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            fault_occurrences: Mutex::new(std::collections::HashMap::new()),
            faults: Mutex::new(Arc::new(config.faults.clone())),
            state: Mutex::new(SimState {
                balance: config.balance,
                ..SimState::default()
            }),
            origin: format!("http://{addr}"),
            config,
        });
        let app = routes::router(shared.clone());
        let (shutdown, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let server = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(error) = server.await {
                tracing::error!(%error, "simulator stopped");
            }
        });
        tracing::info!(%addr, "TTAPI simulator listening");
        Ok(Simulator {
            addr,
            shared,
            shutdown: Some(shutdown),
            task: Some(task),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL a client uses to reach this simulator.
    pub fn base_url(&self) -> BaseUrl {
        BaseUrl::parse(&self.shared.origin)
            .expect("a loopback http origin is always a valid base URL")
    }

    /// Submissions that created a job (what the user would be charged for).
    pub fn accepted_submissions(&self) -> u64 {
        self.shared.state().accepted_submissions
    }

    /// Changes the faults from the next request on (a service that recovers, or starts failing), keeping
    /// its jobs.
    pub fn set_faults(&self, faults: FaultConfig) {
        *self.shared.faults.lock().unwrap_or_else(|p| p.into_inner()) = Arc::new(faults);
    }

    /// Every fault decision so far, in request arrival order, with the request path.
    pub fn fault_log(&self) -> Vec<(String, InjectedFault)> {
        self.shared.state().fault_log.clone()
    }

    /// Every job the simulator accepted, in submission order: the ground truth tests compare against.
    pub fn jobs(&self) -> Vec<SimJobSummary> {
        let now = std::time::Instant::now();
        let mut state = self.shared.state();
        state.settle(now);
        state
            .order
            .iter()
            .filter_map(|id| state.jobs.get(id))
            .map(|job| SimJobSummary {
                id: job.id.clone(),
                action: job.action.clone(),
                prompt: job.prompt.clone(),
                mode: job.mode,
                status: job.phase(now).wire().to_owned(),
                succeeded_at: job.succeeded_at().filter(|at| *at <= now),
                success_reported_at: job.success_reported_at,
            })
            .collect()
    }

    /// The balance now, failed jobs refunded.
    pub fn balance(&self) -> f64 {
        let mut state = self.shared.state();
        state.settle(std::time::Instant::now());
        state.balance
    }

    /// Waits until the server task ends after a shutdown request.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Runs until the task ends (for `moodgrid sim`, which stops on Ctrl-C).
    pub async fn serve_forever(mut self) {
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
