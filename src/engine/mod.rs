//! The IO core: a tokio runtime on its own named thread that submits, polls, reconciles and downloads
//! jobs, persisting every step in the library. The CLI and the window drive it the same way: they send
//! [`Command`]s and drain [`Event`]s, both over bounded channels.

mod driver;
mod prepare;
mod timing;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::{mpsc, oneshot, watch};

pub use prepare::{
    DescribeSource, NewSubmission, PreparedSource, SourceImage, prepare_source, read_source_file,
};
pub use timing::{MAX_RETRY_AFTER, Timing};

use crate::api::{
    AccountInfo, ApiError, ApiKey, BaseUrl, ClientOptions, PromptVerdict, TtapiClient,
};
use crate::domain::board::Board;
use crate::library::{
    ExportOptions, ExportReport, ExportTarget, FailureKind, ImageFile, JobRecord, JobUpdate,
    Library, LibraryError, Owner, StoredBoard, StoredImage,
};
use crate::secrets::{KeyStatus, KeyStore, KeyringError};
use crate::settings::{Settings, SettingsError};
use crate::sim::{SimConfig, Simulator};

/// The label stored on jobs run by the embedded simulator.
pub const SIMULATOR_BACKEND: &str = "simulator";
const COMMAND_CAPACITY: usize = 64;
const EVENT_CAPACITY: usize = 256;

/// Which service the engine talks to. Both go through the same client over HTTP.
#[derive(Debug, Clone)]
pub enum Backend {
    Service {
        base: BaseUrl,
        key: ApiKey,
    },
    /// Starts the embedded simulator inside the engine's runtime.
    Simulator(SimConfig),
    /// The service at `base` if `TTAPI_API_KEY` or the OS keyring has a key, else the simulator. Resolved on
    /// the engine thread, because asking the keyring is IO.
    Detect {
        base: BaseUrl,
    },
}

#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub data_dir: PathBuf,
    pub backend: Backend,
    pub timing: Timing,
    /// Where `Backend::Detect` and the Settings commands find the key: the OS keyring, or a test's mock.
    pub keys: Arc<KeyStore>,
    /// Stop on Ctrl+C (SIGINT) with [`Event::Interrupted`], releasing every job claim: for the CLI. The
    /// window closes through its own event loop.
    pub stop_on_interrupt: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The user's input cannot become a job (bad file, action not offered…). Nothing was sent.
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Library(#[from] LibraryError),
    #[error(transparent)]
    Api(#[from] crate::api::ApiError),
    #[error("the engine has stopped")]
    Stopped,
    /// The command queue is full; nothing was lost, the caller may try again.
    #[error("the engine is busy; try again")]
    Busy,
}

pub enum Command {
    /// Validates, writes the job (state `queued`) and starts it; replies once the row exists.
    Submit {
        submission: NewSubmission,
        reply: oneshot::Sender<Result<JobRecord, EngineError>>,
    },
    /// Asks the service once where the job stands and records it; replies with the job as stored.
    Fetch {
        job_id: i64,
        reply: oneshot::Sender<Result<JobRecord, EngineError>>,
    },
    /// Looks for an `unconfirmed` job in the account's job list again; found, it continues as usual.
    LookAgain {
        job_id: i64,
        reply: oneshot::Sender<Result<JobRecord, EngineError>>,
    },
    /// Reads the newest jobs (for the feed and gallery); answered with [`Event::Jobs`].
    LoadJobs {
        limit: usize,
    },
    /// Reads the image files of some jobs (those a view is about to draw); answered with [`Event::Images`].
    LoadImages {
        job_ids: Vec<i64>,
    },
    /// Resumes every unfinished job of this backend that no other live engine drives, and from then on takes
    /// over the jobs of engines that go away; replies with what it drives and what it follows.
    ResumeAll {
        reply: oneshot::Sender<Result<Resumed, EngineError>>,
    },
    /// Stores the key in the keyring, replacing any earlier one.
    StoreKey {
        key: ApiKey,
        reply: oneshot::Sender<Result<(), KeyringError>>,
    },
    /// Removes the stored key; replies `false` when there was none.
    RemoveKey {
        reply: oneshot::Sender<Result<bool, KeyringError>>,
    },
    /// Which key is in use (masked) and whether the keyring answers.
    KeyStatus {
        reply: oneshot::Sender<KeyStatus>,
    },
    /// Asks `info` for the account behind `key` at `base`, or behind the engine's own key when `key` is
    /// `None`: how the Settings panel validates a key and shows the balance.
    CheckAccount {
        base: BaseUrl,
        key: Option<ApiKey>,
        reply: oneshot::Sender<Result<AccountInfo, ApiError>>,
    },
    /// Asks `promptCheck` whether the service would refuse a prompt. Costs no quota.
    CheckPrompt {
        prompt: String,
        reply: oneshot::Sender<Result<PromptVerdict, ApiError>>,
    },
    SaveSettings {
        settings: Settings,
        reply: oneshot::Sender<Result<(), SettingsError>>,
    },
    /// Every moodboard, most recently edited first.
    LoadBoards {
        reply: oneshot::Sender<Result<Vec<StoredBoard>, EngineError>>,
    },
    CreateBoard {
        board: Board,
        reply: oneshot::Sender<Result<i64, EngineError>>,
    },
    /// A board and its images as one file's bytes.
    ExportBoard {
        id: i64,
        reply: oneshot::Sender<Result<Vec<u8>, EngineError>>,
    },
    /// Writes jobs' images, with the prompt, seed, job id and lineage in them, to a folder or a zip.
    ExportJobs {
        job_ids: Vec<i64>,
        options: ExportOptions,
        target: ExportTarget,
        reply: oneshot::Sender<Result<ExportReport, EngineError>>,
    },
    /// Adds a board from an exported file (its images are stored first); replies with the new board's id.
    ImportBoard {
        file: Vec<u8>,
        reply: oneshot::Sender<Result<i64, EngineError>>,
    },
    /// Keeps the user's own images in the library (what a board shows must outlive the original files).
    /// Each input gets its own answer: a stored image, or why it could not be kept.
    StoreImages {
        inputs: Vec<ImageInput>,
        reply: oneshot::Sender<Vec<Result<StoredImage, String>>>,
    },
    DeleteBoard {
        id: i64,
        reply: oneshot::Sender<Result<(), EngineError>>,
    },
    /// Writes a board whole (the window autosaves after each edit); a failure comes back as a notice.
    SaveBoard {
        id: i64,
        board: Board,
    },
    Shutdown,
}

/// The answer to [`Command::ResumeAll`].
#[derive(Debug, Clone, Default)]
pub struct Resumed {
    /// Jobs this engine now drives.
    pub driving: Vec<JobRecord>,
    /// Jobs another live Moodgrid process drives: followed through the library, taken over if it exits.
    pub following: Vec<JobRecord>,
}

/// An image the user brings in: a file on disk, or encoded bytes (pasted pixels) with a name to show.
#[derive(Debug, Clone)]
pub enum ImageInput {
    File(PathBuf),
    Bytes { name: String, bytes: Vec<u8> },
}

impl ImageInput {
    fn store(&self, library: &Library) -> Result<StoredImage, String> {
        match self {
            ImageInput::File(path) => library.store().put_file(path).map_err(|e| {
                let name = path.file_name().map_or_else(
                    || path.display().to_string(),
                    |n| n.to_string_lossy().into(),
                );
                format!("{name}: {e}")
            }),
            ImageInput::Bytes { name, bytes } => library
                .store()
                .put(bytes)
                .map_err(|e| format!("{name}: {e}")),
        }
    }
}

#[derive(Debug, Clone)]
pub enum Event {
    /// The engine is up; `backend` is what jobs are labelled with. `offline` says why it runs on the
    /// embedded simulator, when it does.
    Ready {
        backend: String,
        offline: Option<String>,
    },
    /// The engine could not start.
    Fatal(String),
    /// A job changed (state, progress, files…); the record is as stored.
    JobChanged(Box<JobRecord>),
    /// The engine stopped working on a job it could not move forward (wrong key, service unreachable);
    /// the job stays unfinished and resumes later.
    Stalled {
        job_id: i64,
        kind: FailureKind,
        message: String,
    },
    /// A submission could not reach the service (`reason`) and is tried again until `until_ms` (Unix ms).
    Waiting {
        job_id: i64,
        reason: String,
        until_ms: i64,
    },
    /// Ctrl+C stopped the engine (with `stop_on_interrupt`); every claim was released, nothing is lost.
    Interrupted,
    /// Something the user should know that concerns no single job.
    Notice(String),
    /// The newest jobs, newest first (answer to `LoadJobs`).
    Jobs(Vec<JobRecord>),
    /// Each asked job's images, grid first (answer to `LoadImages`).
    Images(Vec<(i64, Vec<ImageFile>)>),
    /// One more image of a job was saved while the job is still downloading, with all its files as they now
    /// stand: the grid can be shown before the split images have followed.
    ImageSaved { job_id: i64, files: Vec<ImageFile> },
}

/// Called after every event so a UI can repaint; the CLI passes a no-op.
pub type Waker = Arc<dyn Fn() + Send + Sync>;

pub struct EngineHandle {
    commands: mpsc::Sender<Command>,
    events: mpsc::Receiver<Event>,
    /// Stops the engine even when the command queue is full.
    stop: watch::Sender<bool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// How long a stopping engine waits for its blocking library calls before its thread ends anyway.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(3);

impl EngineHandle {
    /// Starts the engine thread and returns at once; `Event::Ready` or `Event::Fatal` follows.
    pub fn start(config: EngineConfig, waker: Waker) -> std::io::Result<EngineHandle> {
        let (commands, command_rx) = mpsc::channel(COMMAND_CAPACITY);
        let (event_tx, events) = mpsc::channel(EVENT_CAPACITY);
        let (stop, stopped) = watch::channel(false);
        let thread = std::thread::Builder::new()
            .name("moodgrid-engine".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .thread_name("moodgrid-io")
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(e) => {
                        let _ = event_tx.blocking_send(Event::Fatal(format!(
                            "could not start the IO runtime: {e}"
                        )));
                        waker();
                        return;
                    }
                };
                runtime.block_on(run(
                    config,
                    command_rx,
                    stopped,
                    Emitter {
                        events: event_tx,
                        waker,
                    },
                ));
                // Drivers still running are cut short here; their jobs keep their journaled state.
                runtime.shutdown_timeout(SHUTDOWN_GRACE);
            })?;
        Ok(EngineHandle {
            commands,
            events,
            stop,
            thread: Some(thread),
        })
    }

    /// Sends a command, waiting if the queue is full. Not for the UI thread: it uses `try_send`.
    pub fn send_blocking(&self, command: Command) -> Result<(), EngineError> {
        self.commands
            .blocking_send(command)
            .map_err(|_| EngineError::Stopped)
    }

    /// Never blocks: for the UI thread.
    pub fn try_send(&self, command: Command) -> Result<(), EngineError> {
        self.commands.try_send(command).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => EngineError::Busy,
            mpsc::error::TrySendError::Closed(_) => EngineError::Stopped,
        })
    }

    /// The next event, waiting for it. `None` once the engine has stopped.
    pub fn recv_blocking(&mut self) -> Option<Event> {
        self.events.blocking_recv()
    }

    /// The next event, waiting at most `timeout` for it (`None` then, or once the engine has stopped).
    pub fn recv_timeout(&mut self, timeout: std::time::Duration) -> Option<Event> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            match self.events.try_recv() {
                Ok(event) => return Some(event),
                Err(mpsc::error::TryRecvError::Disconnected) => return None,
                Err(mpsc::error::TryRecvError::Empty) if std::time::Instant::now() >= deadline => {
                    return None;
                }
                Err(mpsc::error::TryRecvError::Empty) => {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
            }
        }
    }

    /// The next event if one is waiting: for the UI's per-frame drain.
    pub fn try_recv(&mut self) -> Option<Event> {
        self.events.try_recv().ok()
    }

    /// Submits and waits for the reply (CLI convenience).
    pub fn submit_blocking(&self, submission: NewSubmission) -> Result<JobRecord, EngineError> {
        let (reply, answer) = oneshot::channel();
        self.send_blocking(Command::Submit { submission, reply })?;
        answer.blocking_recv().map_err(|_| EngineError::Stopped)?
    }

    pub fn fetch_blocking(&self, job_id: i64) -> Result<JobRecord, EngineError> {
        let (reply, answer) = oneshot::channel();
        self.send_blocking(Command::Fetch { job_id, reply })?;
        answer.blocking_recv().map_err(|_| EngineError::Stopped)?
    }

    pub fn resume_blocking(&self) -> Result<Resumed, EngineError> {
        let (reply, answer) = oneshot::channel();
        self.send_blocking(Command::ResumeAll { reply })?;
        answer.blocking_recv().map_err(|_| EngineError::Stopped)?
    }
}

impl Drop for EngineHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        self.events.close();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[derive(Clone)]
pub(crate) struct Emitter {
    events: mpsc::Sender<Event>,
    waker: Waker,
}

impl Emitter {
    /// Whether the receiving side is gone (the engine's owner has shut it down).
    pub(crate) fn is_closed(&self) -> bool {
        self.events.is_closed()
    }

    /// Waits for room rather than dropping: a slow consumer slows the engine, it never loses an event.
    pub(crate) async fn emit(&self, event: Event) {
        if self.events.send(event).await.is_ok() {
            (self.waker)();
        }
    }
}

/// What every job driver shares.
pub(crate) struct Core {
    pub library: Arc<Library>,
    pub client: TtapiClient,
    pub backend: String,
    pub timing: Timing,
    pub emitter: Emitter,
    /// This engine as the library knows it: job claims are made in its name.
    pub owner: Owner,
    /// Submissions wait until then after the service said its queue is full (499).
    pub paused_until: Mutex<Option<tokio::time::Instant>>,
    /// Jobs that have a driver in this engine right now, so none gets two.
    pub driving: Mutex<HashSet<i64>>,
    /// Jobs this engine stalled, and when: not taken up again before [`STALL_COOL_DOWN`].
    pub stalled: Mutex<HashMap<i64, tokio::time::Instant>>,
    /// Set by `ResumeAll`: this engine also takes over the jobs of engines that went away.
    pub adopting: AtomicBool,
}

/// How long a job this engine stalled is left alone before the watcher takes it up again.
const STALL_COOL_DOWN: std::time::Duration = std::time::Duration::from_secs(60);
/// How often the watcher looks for what other processes changed.
const WATCH_INTERVAL: std::time::Duration = std::time::Duration::from_millis(500);

impl Core {
    /// Runs a library call on a blocking thread (SQLite and file IO never run on the async workers).
    pub(crate) async fn db<T, F>(&self, work: F) -> Result<T, LibraryError>
    where
        T: Send + 'static,
        F: FnOnce(&Library) -> Result<T, LibraryError> + Send + 'static,
    {
        let library = self.library.clone();
        tokio::task::spawn_blocking(move || work(&library))
            .await
            .unwrap_or_else(|e| {
                Err(LibraryError::Io {
                    path: PathBuf::new(),
                    source: std::io::Error::other(e.to_string()),
                })
            })
    }

    /// Stores an update of a job this engine drives, if the job is still as `job` says and still this
    /// engine's, and tells the listeners. [`LibraryError::Conflict`] when another engine got there first.
    pub(crate) async fn update(
        &self,
        job: &JobRecord,
        mut update: JobUpdate,
    ) -> Result<JobRecord, LibraryError> {
        let job_id = job.id;
        update.from = Some(job.state);
        update.owner = Some(self.owner.id.clone());
        self.store_update(job_id, update).await
    }

    /// Stores fields of a job that change no state (a seed found later, where the service says it stands).
    pub(crate) async fn annotate(
        &self,
        job_id: i64,
        update: JobUpdate,
    ) -> Result<JobRecord, LibraryError> {
        debug_assert!(
            update.state.is_none(),
            "a change of state goes through update"
        );
        self.store_update(job_id, update).await
    }

    /// Stores an update as given (its own `from`/`owner` guard, if any) and tells the listeners.
    pub(crate) async fn store_update(
        &self,
        job_id: i64,
        update: JobUpdate,
    ) -> Result<JobRecord, LibraryError> {
        let record = self.db(move |l| l.update_job(job_id, &update)).await?;
        self.emitter
            .emit(Event::JobChanged(Box::new(record.clone())))
            .await;
        Ok(record)
    }
}

async fn run(
    config: EngineConfig,
    mut commands: mpsc::Receiver<Command>,
    mut stopped: watch::Receiver<bool>,
    emitter: Emitter,
) {
    let data_dir = config.data_dir.clone();
    let library = match tokio::task::spawn_blocking(move || Library::open(&data_dir)).await {
        Ok(Ok(library)) => Arc::new(library),
        Ok(Err(e)) => return emitter.emit(Event::Fatal(e.to_string())).await,
        Err(e) => return emitter.emit(Event::Fatal(e.to_string())).await,
    };
    // Kept alive for as long as the engine runs.
    let mut _simulator = None;
    let (backend, offline) = match config.backend {
        Backend::Detect { base } => {
            let keys = config.keys.clone();
            let found = tokio::task::spawn_blocking(move || crate::secrets::find_key(&keys))
                .await
                .unwrap_or((None, None));
            match found {
                (Some((key, _)), _) => (Backend::Service { base, key }, None),
                (None, problem) => {
                    let why = problem.map_or(
                        "no key in TTAPI_API_KEY or the OS keyring".to_owned(),
                        |e| e.to_string(),
                    );
                    (Backend::Simulator(SimConfig::default()), Some(why))
                }
            }
        }
        Backend::Simulator(sim) => (Backend::Simulator(sim), Some("started offline".to_owned())),
        service => (service, None),
    };
    let (base, key, backend, instance) = match backend {
        Backend::Service { base, key } => {
            let label = base.to_string();
            (base, key, label, None)
        }
        Backend::Simulator(sim_config) => match Simulator::start(sim_config).await {
            Ok(sim) => {
                let base = sim.base_url();
                _simulator = Some(sim);
                let key =
                    ApiKey::new("offline-simulator").expect("a non-empty literal is a valid key");
                let instance = format!("sim-{}", uuid::Uuid::new_v4().simple());
                (base, key, SIMULATOR_BACKEND.to_owned(), Some(instance))
            }
            Err(e) => {
                return emitter
                    .emit(Event::Fatal(format!(
                        "could not start the embedded simulator: {e}"
                    )))
                    .await;
            }
        },
        Backend::Detect { .. } => {
            return emitter
                .emit(Event::Fatal("the backend was not resolved".into()))
                .await;
        }
    };
    let client = match TtapiClient::with_options(base, key, ClientOptions::default()) {
        Ok(client) => client,
        Err(e) => return emitter.emit(Event::Fatal(e.to_string())).await,
    };
    let core = Arc::new(Core {
        library,
        client,
        backend: backend.clone(),
        owner: Owner::new(instance, config.timing.lease),
        timing: config.timing,
        emitter: emitter.clone(),
        paused_until: Mutex::new(None),
        driving: Mutex::new(HashSet::new()),
        stalled: Mutex::new(HashMap::new()),
        adopting: AtomicBool::new(false),
    });
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        %backend,
        offline = offline.as_deref().unwrap_or("no"),
        data_dir = %config.data_dir.display(),
        "engine ready"
    );
    emitter.emit(Event::Ready { backend, offline }).await;
    let renewing = tokio::spawn(renew_leases(core.clone()));
    let watching = tokio::spawn(watch_library(core.clone()));
    let interrupted = async {
        if config.stop_on_interrupt {
            let _ = tokio::signal::ctrl_c().await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::pin!(interrupted);
    loop {
        let command = tokio::select! {
            command = commands.recv() => command,
            _ = stopped.wait_for(|stop| *stop) => None,
            () = &mut interrupted => {
                release_claims(&core).await;
                emitter.emit(Event::Interrupted).await;
                None
            }
        };
        let Some(command) = command else {
            break;
        };
        match command {
            Command::Submit { submission, reply } => {
                let result = prepare::create(&core, submission).await;
                if let Ok(job) = &result {
                    driver::spawn(core.clone(), job.id);
                }
                let _ = reply.send(result);
            }
            Command::Fetch { job_id, reply } => {
                let core = core.clone();
                tokio::spawn(async move {
                    let _ = reply.send(driver::refresh(&core, job_id).await);
                });
            }
            Command::LookAgain { job_id, reply } => {
                let _ = reply.send(driver::look_again(&core, job_id).await);
            }
            Command::LoadJobs { limit } => {
                let answer = match core.db(move |l| l.recent_jobs(limit)).await {
                    Ok(jobs) => Event::Jobs(jobs),
                    Err(e) => Event::Notice(format!("could not read the library: {e}")),
                };
                emitter.emit(answer).await;
            }
            Command::LoadImages { job_ids } => {
                let answer = match core
                    .db(move |l| {
                        job_ids
                            .into_iter()
                            .map(|id| Ok((id, l.image_files(id)?)))
                            .collect()
                    })
                    .await
                {
                    Ok(images) => Event::Images(images),
                    Err(e) => Event::Notice(format!("could not read the library's images: {e}")),
                };
                emitter.emit(answer).await;
            }
            Command::StoreKey { key, reply } => {
                let keys = config.keys.clone();
                tokio::spawn(async move {
                    let saved = tokio::task::spawn_blocking(move || keys.save(&key)).await;
                    let _ = reply.send(
                        saved.unwrap_or_else(|e| Err(KeyringError::Unavailable(e.to_string()))),
                    );
                });
            }
            Command::RemoveKey { reply } => {
                let keys = config.keys.clone();
                tokio::spawn(async move {
                    let removed = tokio::task::spawn_blocking(move || keys.remove()).await;
                    let _ = reply.send(
                        removed.unwrap_or_else(|e| Err(KeyringError::Unavailable(e.to_string()))),
                    );
                });
            }
            Command::KeyStatus { reply } => {
                let keys = config.keys.clone();
                tokio::spawn(async move {
                    if let Ok(status) =
                        tokio::task::spawn_blocking(move || crate::secrets::key_status(&keys)).await
                    {
                        let _ = reply.send(status);
                    }
                });
            }
            Command::CheckAccount { base, key, reply } => {
                let client = match key {
                    Some(key) => TtapiClient::with_options(base, key, ClientOptions::default()),
                    None => Ok(core.client.clone()),
                };
                tokio::spawn(async move {
                    let answer = match client {
                        Ok(client) => client.info().await,
                        Err(e) => Err(e),
                    };
                    let _ = reply.send(answer);
                });
            }
            Command::CheckPrompt { prompt, reply } => {
                let client = core.client.clone();
                tokio::spawn(async move {
                    let _ = reply.send(client.prompt_check(&prompt).await);
                });
            }
            Command::SaveSettings { settings, reply } => {
                let dir = config.data_dir.clone();
                tokio::spawn(async move {
                    let saved = tokio::task::spawn_blocking(move || settings.save(&dir)).await;
                    let _ = reply.send(saved.unwrap_or_else(|e| {
                        Err(SettingsError::Write {
                            path: PathBuf::new(),
                            source: std::io::Error::other(e.to_string()),
                        })
                    }));
                });
            }
            Command::ResumeAll { reply } => {
                let _ = reply.send(resume_all(&core).await);
            }
            Command::LoadBoards { reply } => {
                let _ = reply.send(core.db(|l| l.boards()).await.map_err(EngineError::from));
            }
            Command::CreateBoard { board, reply } => {
                let created = core.db(move |l| l.create_board(&board)).await;
                let _ = reply.send(created.map_err(EngineError::from));
            }
            // Reading, decoding and thumbnailing many images can take seconds: these run beside the
            // command loop, so a submission sent meanwhile is not held up behind them.
            Command::ExportBoard { id, reply } => {
                let core = core.clone();
                tokio::spawn(async move {
                    let exported = core.db(move |l| l.export_board(id)).await;
                    let _ = reply.send(exported.map_err(EngineError::from));
                });
            }
            Command::ExportJobs {
                job_ids,
                options,
                target,
                reply,
            } => {
                let core = core.clone();
                tokio::spawn(async move {
                    let exported = core
                        .db(move |l| l.export_jobs(&job_ids, &options, &target))
                        .await;
                    let _ = reply.send(exported.map_err(EngineError::from));
                });
            }
            Command::ImportBoard { file, reply } => {
                let core = core.clone();
                tokio::spawn(async move {
                    let imported = core.db(move |l| l.import_board(&file)).await;
                    let _ = reply.send(imported.map_err(EngineError::from));
                });
            }
            Command::StoreImages { inputs, reply } => {
                let core = core.clone();
                tokio::spawn(async move {
                    let stored = core
                        .db(move |l| Ok(inputs.iter().map(|input| input.store(l)).collect()))
                        .await;
                    let _ = reply.send(stored.unwrap_or_else(|e| vec![Err(e.to_string())]));
                });
            }
            Command::DeleteBoard { id, reply } => {
                let deleted = core.db(move |l| l.delete_board(id)).await;
                let _ = reply.send(deleted.map_err(EngineError::from));
            }
            Command::SaveBoard { id, board } => {
                if let Err(e) = core.db(move |l| l.save_board(id, &board)).await {
                    emitter
                        .emit(Event::Notice(format!("could not save the board: {e}")))
                        .await;
                }
            }
            Command::Shutdown => break,
        }
    }
    renewing.abort();
    watching.abort();
    release_claims(&core).await;
}

/// A clean exit: every claim of this engine ends now, so other processes need not wait for them to lapse.
async fn release_claims(core: &Arc<Core>) {
    let owner = core.owner.clone();
    match core.db(move |l| l.release_leases(&owner)).await {
        Ok(released) if released > 0 => tracing::info!(released, "job claims released"),
        Ok(_) => {}
        Err(e) => {
            tracing::warn!(error = %e, "could not release job claims; they lapse by themselves")
        }
    }
}

/// Keeps this engine's claims alive for as long as it runs.
async fn renew_leases(core: Arc<Core>) {
    loop {
        tokio::time::sleep(core.owner.renewal()).await;
        let owner = core.owner.clone();
        if let Err(e) = core.db(move |l| l.renew_leases(&owner)).await {
            tracing::warn!(error = %e, "could not renew job claims");
        }
    }
}

/// Follows what other processes do to the library: their jobs' changes reach this engine's listeners (so
/// the window shows a CLI's job live), and, once `ResumeAll` was asked, jobs whose engine went away are
/// taken over: at once when another process wrote (a clean exit releases its claims), else every lease/6
/// (a dead process's lease lapses without a write).
async fn watch_library(core: Arc<Core>) {
    let mut seen_version = None;
    let mut seen: HashMap<i64, i64> = HashMap::new();
    let mut since = crate::library::now_ms();
    let mut next_adoption = tokio::time::Instant::now();
    loop {
        tokio::time::sleep(WATCH_INTERVAL).await;
        let version = core.db(|l| l.data_version()).await.ok();
        if version != seen_version {
            seen_version = version;
            // Another process wrote: perhaps it released its claims on the way out; look now.
            next_adoption = tokio::time::Instant::now();
            // Clocks of two processes differ a little: look back a bit, and skip what was already told.
            let from = since - 2_000;
            let changed = core.db(move |l| l.jobs_changed_since(from)).await;
            for job in changed.unwrap_or_default() {
                since = since.max(job.updated_at);
                let mine = job.owner.as_deref() == Some(core.owner.id.as_str());
                if mine || seen.get(&job.id) == Some(&job.updated_at) {
                    continue;
                }
                seen.insert(job.id, job.updated_at);
                core.emitter.emit(Event::JobChanged(Box::new(job))).await;
            }
            seen.retain(|_, updated| *updated >= since - 2_000);
        }
        let now = tokio::time::Instant::now();
        if core.adopting.load(Ordering::Relaxed) && now >= next_adoption {
            next_adoption = now + core.owner.renewal() / 2;
            adopt_orphans(&core).await;
        }
    }
}

/// Takes up unfinished jobs of this backend that no live engine drives (their engine exited or died).
async fn adopt_orphans(core: &Arc<Core>) {
    let backend = core.backend.clone();
    let Ok(unfinished) = core.db(move |l| l.unfinished_jobs(&backend)).await else {
        return;
    };
    let now = crate::library::now_ms();
    let cooled = |id: i64| {
        core.stalled
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&id)
            .is_none_or(|at| at.elapsed() >= STALL_COOL_DOWN)
    };
    for job in unfinished {
        if !job.is_driven_by_other(&core.owner.id, now) && cooled(job.id) {
            driver::spawn(core.clone(), job.id);
        }
    }
}

async fn resume_all(core: &Arc<Core>) -> Result<Resumed, EngineError> {
    core.adopting.store(true, Ordering::Relaxed);
    let backend = core.backend.clone();
    let (mine, elsewhere) = core
        .db(move |l| {
            Ok((
                l.unfinished_jobs(&backend)?,
                l.unfinished_elsewhere(&backend)?,
            ))
        })
        .await?;
    // Claimed here, one by one, so that two processes resuming at once split the jobs between them and
    // each says truly which it drives and which it follows.
    let owner = core.owner.clone();
    let claims = core
        .db(move |l| {
            mine.into_iter()
                .map(|job| l.claim_job(job.id, &owner))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    let (mut driving, mut following) = (Vec::new(), Vec::new());
    for claim in claims {
        match claim {
            crate::library::Claim::Claimed { job, .. } => {
                driver::spawn(core.clone(), job.id);
                driving.push(job);
            }
            crate::library::Claim::HeldBy(job) => following.push(job),
            crate::library::Claim::Finished(_) => {}
        }
    }
    if !elsewhere.is_empty() {
        let hosts: HashSet<&str> = elsewhere.iter().map(|j| j.backend.as_str()).collect();
        core.emitter
            .emit(Event::Notice(format!(
                "{} unfinished job(s) belong to another backend ({}) and were left alone",
                elsewhere.len(),
                hosts.into_iter().collect::<Vec<_>>().join(", ")
            )))
            .await;
    }
    Ok(Resumed { driving, following })
}
