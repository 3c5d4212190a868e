//! The IO core: a tokio runtime on its own named thread that submits, polls, reconciles and downloads
//! jobs, persisting every step in the library. The CLI and the window drive it the same way: they send
//! [`Command`]s over a bounded channel and drain [`Event`]s from a bounded outbox that never makes the
//! engine wait (`outbox`): a window nobody looks at holds back no job.
//!
//! Where a change goes:
//! - a new command, or whether it runs in order: the `Command` enum here; its handler and
//!   `Command::runs_in_order` in `commands.rs`.
//! - validating a new kind of submission, or how a stored job becomes a request: `prepare.rs`
//!   (`create_blocking`, `outgoing`).
//! - what happens to a job between submission and its files (retries, polling, deadlines): `driver.rs`;
//!   its images saved: `download.rs`.
//! - when a lost submission is adopted, sent again or left `unconfirmed`: `reconcile.rs`; how a history
//!   row's prompt is compared with ours: `domain::history`; the journal's order it relies on:
//!   `src/library/submissions.rs`.
//! - how events reach the window or the CLI (coalescing, the bound): `outbox.rs`; the window takes them in
//!   `MoodgridApp::logic` (`ui/shell/app.rs`), which folds them in through `ui/runtime/inbox.rs`.
//! - what cancelling does: `Command::CancelJobs`/`CancelQueued` over `src/library/cancel.rs`; what a
//!   stopped command cancels (the signals, `StopReport`): `stopping.rs`; its words: `stop_lines` in
//!   `src/cli/wait.rs`.
//! - how the backend is chosen (key found, offline, why): `resolve` in `backend.rs`, for the engine and
//!   the CLI; consent for a custom host: `with_consent`, `key_may_go_to` there.
//! - how processes share a library (lease renewal, the watcher, adoption): `sharing.rs`; the protocol is
//!   `src/library/leases.rs`.
//! - polling and backoff, job deadlines, the environment's test knobs: `timing.rs` (`Timing::from_env_or`:
//!   `MOODGRID_POLL_MS`, `MOODGRID_TIMEOUT_SCALE`, `MOODGRID_TEST_PAUSE_BEFORE_SEND_MS`).

mod backend;
mod commands;
mod download;
mod driver;
mod outbox;
mod prepare;
mod reconcile;
mod sharing;
mod stopping;
mod timing;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use tokio::sync::{mpsc, oneshot, watch};

use outbox::Outbox;

pub use backend::{Backend, Resolved, SIMULATOR_BACKEND, is_untrusted_host, resolve};
pub use download::image_was_gone;
pub use prepare::{
    DescribeSource, NewSubmission, PreparedSource, SourceImage, prepare_source, read_source_file,
};
pub use stopping::StopReport;
pub use timing::{MAX_RETRY_AFTER, Timing};

use crate::api::{AccountInfo, ApiError, ApiKey, BaseUrl, PromptVerdict, TtapiClient};
use crate::domain::board::Board;
use crate::library::{
    ExportOptions, ExportReport, ExportTarget, FailureKind, ImageFile, JobRecord, JobUpdate,
    Library, LibraryError, Owner, StoredBoard, StoredImage,
};
use crate::secrets::{KeyStatus, KeyStore, KeyringError};
use crate::settings::{Settings, SettingsError};

/// A library call longer than this is logged (debug, `RUST_LOG=moodgrid=debug`): the listings' target at
/// 100,000 jobs; a query that reads every row shows here.
const SLOW_LIBRARY_CALL: std::time::Duration = std::time::Duration::from_millis(20);
const COMMAND_CAPACITY: usize = 64;

#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub data_dir: PathBuf,
    pub backend: Backend,
    pub timing: Timing,
    /// Where `Backend::Detect` and the Settings commands find the key: the OS keyring, or a test's mock.
    pub keys: Arc<KeyStore>,
    /// Stop on Ctrl+C, SIGTERM or SIGHUP: the jobs this engine made and did not send are cancelled
    /// ([`Event::Stopping`]), every job claim is released, then [`Event::Interrupted`]. For the CLI; the
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
    /// Cancels jobs not yet sent (whatever process made them); replies with what became of each. A job
    /// already sent cannot be called back: TTAPI has no cancel.
    CancelJobs {
        job_ids: Vec<i64>,
        reply: oneshot::Sender<Result<Vec<crate::library::Cancellation>, EngineError>>,
    },
    /// Cancels every job of the library that is waiting to be sent.
    CancelQueued {
        reply: oneshot::Sender<Result<Vec<crate::library::Cancellation>, EngineError>>,
    },
    /// Looks for an `unconfirmed` job in the account's job list again; found, it continues as usual. It
    /// never sends.
    LookAgain {
        job_id: i64,
        reply: oneshot::Sender<Result<JobRecord, EngineError>>,
    },
    /// Reads the newest `limit` jobs and every unfinished one (what the window starts with); answered with
    /// [`Event::Jobs`].
    LoadJobs {
        limit: usize,
    },
    /// Reads some jobs the window needs and does not have (an old job opened, compared, culled); answered
    /// with [`Event::JobsRead`].
    ReadJobs {
        ids: Vec<i64>,
    },
    /// Reads a job's whole family (the job view's lineage); answered with [`Event::JobsRead`].
    ReadFamily {
        id: i64,
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
    /// `GET /midjourney/status`: each mode's health and average run time.
    ServiceStatus {
        reply: oneshot::Sender<Result<crate::api::ServiceStatus, ApiError>>,
    },
    /// The spend ledger of jobs made since `since_ms`, summed for the Account panel.
    LoadSpend {
        since_ms: i64,
        now_ms: i64,
        utc_offset_s: i64,
        reply: oneshot::Sender<Result<crate::domain::spend::SpendReport, EngineError>>,
    },
    /// Prices learned from the user's own charges (what estimates use).
    LoadPrices {
        reply: oneshot::Sender<Result<crate::domain::pricing::PriceBook, EngineError>>,
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
    /// Stars or a flag for a job; the changed job comes back as `JobChanged`, a failure as a `Notice`.
    MarkJob {
        job_id: i64,
        mark: crate::library::Mark,
    },
    /// Moves finished jobs to the Trash (each comes back as `JobChanged`; running ones are named in a
    /// `Notice` and stay), or brings trashed ones back.
    TrashJobs {
        job_ids: Vec<i64>,
    },
    RestoreJobs {
        job_ids: Vec<i64>,
    },
    /// The jobs in the Trash, and what emptying it would free.
    LoadTrash {
        reply: oneshot::Sender<Result<crate::library::TrashListing, EngineError>>,
    },
    /// Deletes the trashed jobs and the files only they used; what was freed.
    EmptyTrash {
        reply: oneshot::Sender<Result<crate::library::TrashSize, EngineError>>,
    },
    /// The newest `limit` jobs a search (`domain::search`) finds.
    SearchJobs {
        query: String,
        limit: usize,
        reply: oneshot::Sender<Result<Vec<crate::library::SearchHit>, EngineError>>,
    },
    /// One page of the jobs a query lists, in a sort order (the gallery's list view).
    ListJobs {
        listing: crate::library::Listing,
        /// What to count too (when the jobs changed since the last count).
        counting: crate::library::Counting,
        reply: oneshot::Sender<Result<crate::library::JobPage, EngineError>>,
    },
    /// The ids of the jobs a query lists, in a sort order, from `offset` (a range picked in the gallery,
    /// the jobs culling steps through).
    ListJobIds {
        listing: crate::library::Listing,
        reply: oneshot::Sender<Result<Vec<i64>, EngineError>>,
    },
    /// The exact shapes and the models the library's jobs use (the gallery's filter menus).
    InUse {
        reply: oneshot::Sender<Result<crate::library::InUse, EngineError>>,
    },
    /// The jobs with an image on some board.
    JobsOnBoards {
        reply: oneshot::Sender<Result<std::collections::HashSet<i64>, EngineError>>,
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
    /// A signal told the engine to stop (with `stop_on_interrupt`): what it cancelled, what TTAPI already
    /// has, what was on its way. [`Event::Interrupted`] follows once the requests on their way are answered.
    Stopping(StopReport),
    /// The engine has stopped on a signal (with `stop_on_interrupt`); every claim was released, nothing is
    /// lost.
    Interrupted,
    /// Something the user should know that concerns no single job.
    Notice(String),
    /// The newest jobs and the unfinished ones, newest first (answer to `LoadJobs`).
    Jobs(Vec<JobRecord>),
    /// Jobs read on request (answer to `ReadJobs` and `ReadFamily`): the ids asked for (none for a
    /// family) and what the library had of them.
    JobsRead {
        asked: Vec<i64>,
        jobs: Vec<JobRecord>,
    },
    /// Each asked job's images, grid first (answer to `LoadImages`).
    Images(Vec<(i64, Vec<ImageFile>)>),
    /// One more image of a job was saved while the job is still downloading, with all its files as they now
    /// stand: the grid can be shown before the split images have followed.
    ImageSaved { job_id: i64, files: Vec<ImageFile> },
    /// So many jobs changed while nobody read the events that their changes were not kept: read the jobs
    /// you show again from the library.
    JobsStale,
}

/// Called after every event so a UI can repaint; the CLI passes a no-op.
pub type Waker = Arc<dyn Fn() + Send + Sync>;

pub struct EngineHandle {
    commands: mpsc::Sender<Command>,
    events: Arc<Outbox>,
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
        let events = Arc::new(Outbox::new(waker));
        let emitter = Emitter {
            outbox: events.clone(),
        };
        let (stop, stopped) = watch::channel(false);
        let thread = std::thread::Builder::new()
            .name("moodgrid-engine".into())
            .spawn(move || {
                // However the thread ends, a reader waiting for events learns that none will come.
                let _closing = ClosesOnDrop(emitter.outbox.clone());
                let runtime = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .thread_name("moodgrid-io")
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(e) => {
                        emitter.emit(Event::Fatal(format!("could not start the IO runtime: {e}")));
                        return;
                    }
                };
                let core = runtime.block_on(run(config, command_rx, stopped, emitter));
                // Drivers still running are cut short here; their jobs keep their journaled state.
                runtime.shutdown_timeout(SHUTDOWN_GRACE);
                if let Some(core) = core {
                    sharing::release_claims_after_stop(&core);
                }
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

    /// The next event, waiting for it. `None` once the engine has stopped and everything was read.
    pub fn recv_blocking(&mut self) -> Option<Event> {
        self.events.recv_until(None)
    }

    /// The next event, waiting at most `timeout` for it (`None` then, or once the engine has stopped).
    pub fn recv_timeout(&mut self, timeout: std::time::Duration) -> Option<Event> {
        self.events
            .recv_until(Some(std::time::Instant::now() + timeout))
    }

    /// The next event if one is waiting: for the UI's drain.
    pub fn try_recv(&mut self) -> Option<Event> {
        self.events.try_recv()
    }

    /// Submits and waits for the reply (CLI convenience).
    pub fn submit_blocking(&self, submission: NewSubmission) -> Result<JobRecord, EngineError> {
        let (reply, answer) = oneshot::channel();
        self.send_blocking(Command::Submit { submission, reply })?;
        answer.blocking_recv().map_err(|_| EngineError::Stopped)?
    }

    /// Sends the command `ask` builds around a reply channel and waits for the answer (CLI convenience).
    pub fn ask_blocking<T>(
        &self,
        ask: impl FnOnce(oneshot::Sender<T>) -> Command,
    ) -> Result<T, EngineError> {
        let (reply, answer) = oneshot::channel();
        self.send_blocking(ask(reply))?;
        answer.blocking_recv().map_err(|_| EngineError::Stopped)
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
        self.events.close_reader();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Marks the outbox's writing end closed when the engine thread ends, however it ends.
struct ClosesOnDrop(Arc<Outbox>);

impl Drop for ClosesOnDrop {
    fn drop(&mut self) {
        self.0.close_writer();
    }
}

/// How the engine tells its reader what happened: never waits (see `outbox`).
#[derive(Clone)]
pub(crate) struct Emitter {
    outbox: Arc<Outbox>,
}

impl Emitter {
    /// Whether the receiving side is gone (the engine's owner has shut it down).
    pub(crate) fn is_closed(&self) -> bool {
        self.outbox.reader_gone()
    }

    /// Tells the receiving side to look (a reply was sent).
    pub(crate) fn wake(&self) {
        self.outbox.wake();
    }

    /// Publishes an event and wakes the reader; returns at once, whether or not anyone reads.
    pub(crate) fn emit(&self, event: Event) {
        self.outbox.publish(event);
    }

    /// For tests: an emitter whose events land in an outbox the test reads.
    #[cfg(test)]
    pub(crate) fn for_tests() -> (Emitter, Arc<Outbox>) {
        let outbox = Arc::new(Outbox::new(Arc::new(|| {})));
        (
            Emitter {
                outbox: outbox.clone(),
            },
            outbox,
        )
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
    /// Jobs asked to be driven while their driver was still winding down (a "look again" right after the
    /// job ended): driven again as soon as that driver has let go, so the request is not lost.
    pub drive_again: Mutex<HashSet<i64>>,
    /// Jobs this engine stalled, and when: not taken up again before [`sharing::STALL_COOL_DOWN`].
    pub stalled: Mutex<HashMap<i64, tokio::time::Instant>>,
    /// Set by `ResumeAll`: this engine also takes over the jobs of engines that went away.
    pub adopting: AtomicBool,
    /// The jobs this engine wrote: a command stopped by a signal cancels those not yet sent.
    pub created: Mutex<Vec<i64>>,
    /// A signal told the engine to stop: it writes no new job and begins no new send.
    pub stopping: AtomicBool,
    /// Where the Settings commands find and store the key.
    pub keys: Arc<KeyStore>,
}

impl Core {
    /// Runs a library call on a blocking thread (SQLite and file IO never run on the async workers); one
    /// that took longer than `SLOW_LIBRARY_CALL` is logged at debug level, named.
    pub(crate) async fn db<T, F>(&self, work: F) -> Result<T, LibraryError>
    where
        T: Send + 'static,
        F: FnOnce(&Library) -> Result<T, LibraryError> + Send + 'static,
    {
        let library = self.library.clone();
        tokio::task::spawn_blocking(move || {
            let started = std::time::Instant::now();
            let result = work(&library);
            let took = started.elapsed();
            if took > SLOW_LIBRARY_CALL {
                // Which call: the closure's type names the function that asked.
                tracing::debug!(
                    ms = took.as_secs_f64() * 1e3,
                    call = std::any::type_name::<F>(),
                    "slow library call"
                );
            }
            result
        })
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
            .emit(Event::JobChanged(Box::new(record.clone())));
        Ok(record)
    }
}

/// The engine's life: open the library, answer `Backend::Detect`, connect, then take commands until told to
/// stop (or, for the CLI, until Ctrl+C), releasing this engine's job claims on the way out. Returns the
/// core for the last release once the runtime has stopped (`None` if the engine never started).
async fn run(
    config: EngineConfig,
    mut commands: mpsc::Receiver<Command>,
    mut stopped: watch::Receiver<bool>,
    emitter: Emitter,
) -> Option<Arc<Core>> {
    // `_simulator` is the embedded service when offline: it runs for as long as this function does.
    let (core, _simulator) = match start(&config, emitter.clone()).await {
        Ok(started) => started,
        Err(message) => {
            emitter.emit(Event::Fatal(message));
            return None;
        }
    };
    let renewing = tokio::spawn(sharing::renew_leases(core.clone()));
    let watching = tokio::spawn(sharing::watch_library(core.clone()));
    let mut signals = config.stop_on_interrupt.then(stopping::StopSignals::new);
    let stopping_core = core.clone();
    let interrupted = async move {
        match &mut signals {
            Some(signals) => {
                signals.next().await;
                stopping::stop(&stopping_core, signals).await;
            }
            None => std::future::pending::<()>().await,
        }
    };
    tokio::pin!(interrupted);
    loop {
        let command = tokio::select! {
            command = commands.recv() => command,
            _ = stopped.wait_for(|stop| *stop) => None,
            () = &mut interrupted => {
                sharing::release_claims(&core).await;
                emitter.emit(Event::Interrupted);
                None
            }
        };
        let Some(command) = command else {
            break;
        };
        // A command's reply goes down a oneshot, which wakes nobody: the window is woken once it is sent,
        // or an idle window would not see the answer until the next mouse move.
        if command.runs_in_order() {
            let flow = commands::handle(core.clone(), command).await;
            core.emitter.wake();
            if flow.is_break() {
                break;
            }
        } else {
            let core = core.clone();
            tokio::spawn(async move {
                let _ = commands::handle(core.clone(), command).await;
                core.emitter.wake();
            });
        }
    }
    renewing.abort();
    watching.abort();
    sharing::release_claims(&core).await;
    Some(core)
}

/// Opens the library and connects; says `Ready`. The simulator, when offline, lives as long as the engine.
async fn start(
    config: &EngineConfig,
    emitter: Emitter,
) -> Result<(Arc<Core>, Option<crate::sim::Simulator>), String> {
    let data_dir = config.data_dir.clone();
    let library = tokio::task::spawn_blocking(move || Library::open(&data_dir))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    let (backend, keys, data_dir) = (
        config.backend.clone(),
        config.keys.clone(),
        config.data_dir.clone(),
    );
    let resolved = tokio::task::spawn_blocking(move || {
        backend::with_consent(backend::resolve(backend, &keys), &data_dir)
    })
    .await
    .map_err(|e| e.to_string())?;
    let connected = backend::connect(resolved, config.timing.request_timeout).await?;
    let core = Arc::new(Core {
        library: Arc::new(library),
        client: connected.client,
        backend: connected.label.clone(),
        owner: Owner::new(connected.instance, config.timing.lease),
        timing: config.timing.clone(),
        emitter: emitter.clone(),
        paused_until: Mutex::new(None),
        driving: Mutex::new(HashSet::new()),
        drive_again: Mutex::new(HashSet::new()),
        stalled: Mutex::new(HashMap::new()),
        adopting: AtomicBool::new(false),
        created: Mutex::new(Vec::new()),
        stopping: AtomicBool::new(false),
        keys: config.keys.clone(),
    });
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        backend = %connected.label,
        offline = connected.offline.as_deref().unwrap_or("no"),
        data_dir = %config.data_dir.display(),
        "engine ready"
    );
    emitter.emit(Event::Ready {
        backend: connected.label,
        offline: connected.offline,
    });
    Ok((core, connected.simulator))
}
