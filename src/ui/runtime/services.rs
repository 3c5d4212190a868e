//! What every panel shares: the engine (commands out, events in), the job list, the texture cache, the
//! off-thread chores, the notices, the saved settings, where the user is (the open view and job), and an
//! outbox of [`Intent`]s for what a panel asks of another panel. A panel's `show` takes its own state and
//! `&mut Services`, and nothing else.

use std::collections::HashMap;
use std::sync::mpsc::{Receiver, TryRecvError};

use crate::domain::board::V2;
use crate::domain::mask::MaskOp;
use crate::engine::{
    Backend, Command, EngineConfig, EngineError, EngineHandle, Event, NewSubmission, Waker,
};
use crate::library::{Cancellation, JobRecord, JobState};
use crate::settings::Settings;
use crate::ui::runtime::chores::Chores;
use crate::ui::runtime::job_list::JobList;
use crate::ui::runtime::pending::{Pending, Poll};
use crate::ui::runtime::textures::TextureCache;
use crate::ui::shell::toasts::{ToastKind, Toasts};
use crate::ui::sources::inputs::{SourceInput, SourceTarget};

/// The newest jobs read at start (with every unfinished one): the feed, the prompt history and recent
/// picks come from them. Older jobs are read when a view needs them; the gallery pages on its own.
const JOBS_LIMIT: usize = 2_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum View {
    Job,
    Gallery,
    Blend,
    Describe,
    Mask,
    Board,
}

/// Where the user is: the view in the middle and the job it is about.
#[derive(Debug, Clone, Copy)]
pub struct Nav {
    pub view: View,
    pub selected: Option<i64>,
}

/// What a panel asks of another one, carried out by the app after the panels have drawn.
pub enum Intent {
    /// Show job N in the job view.
    OpenJob(i64),
    /// Change the prompt in the prompt bar.
    Prompt(PromptEdit),
    /// Imagine this prompt now, in the prompt bar's mode (a described prompt).
    ImagineNow(String),
    /// The mode new jobs start with changed (Settings).
    DefaultMode(crate::domain::Mode),
    /// Open the mask editor on job N, with these operations already painted.
    EditMask {
        job: i64,
        ops: Vec<MaskOp>,
    },
    /// Images for Blend or Describe (or a board); `replace` empties Blend's slots first.
    Sources {
        target: SourceTarget,
        inputs: Vec<SourceInput>,
        replace: bool,
    },
    /// Put these jobs' images on the open board, at a board point or the middle of the view; `open` shows
    /// the board, else the user stays where they are and is told.
    AddToBoard {
        jobs: Vec<i64>,
        at: Option<V2>,
        open: bool,
    },
    /// Open the Export dialog on these jobs.
    Export(Vec<i64>),
    OpenSettings,
    ToggleSettings,
    ToggleAccount,
    ShowShortcuts,
}

/// A change to the prompt in the bar.
pub enum PromptEdit {
    /// A described prompt, used as it is.
    Replace(String),
    /// `--seed N` added (or replaced).
    Seed(String),
    /// These image addresses put in front of the prompt.
    ImagePrompts(Vec<String>),
    /// These image addresses as a style, character or omni reference.
    Reference(crate::ui::studio::parameters::ReferenceUse, Vec<String>),
}

pub struct Services {
    engine: Option<EngineHandle>,
    /// A restarted engine, coming up on a helper thread (the old one is shut down there first).
    starting: Option<Receiver<Restarted>>,
    config: EngineConfig,
    waker: Waker,
    pub textures: TextureCache,
    pub chores: Chores,
    pub jobs: JobList,
    pub toasts: Toasts,
    pub settings: Settings,
    /// Learned prices and the service status (`account`).
    pub account: crate::ui::studio::account::AccountData,
    pub nav: Nav,
    /// Why the app runs on the simulator, when it does.
    pub offline: Option<String>,
    /// What jobs of this session are labelled with: the host, or `simulator`.
    pub backend: String,
    pub ready: bool,
    /// A problem that stays until it is solved (the engine could not start…).
    pub trouble: Option<String>,
    /// Jobs whose submission cannot reach the service: why, and until when (Unix ms) the engine keeps trying.
    pub waiting: HashMap<i64, (String, i64)>,
    /// Submitted, not yet written by the engine; `true` opens the new job once it exists.
    submissions: Vec<(Pending<Result<JobRecord, EngineError>>, bool)>,
    /// Drops a press that repeats the one just made (double click, key repeat).
    submit_guard: crate::ui::runtime::submit_guard::SubmitGuard,
    intents: Vec<Intent>,
    next_slot: u64,
    /// The jobs last moved to the Trash, which Ctrl+Z brings back.
    last_trashed: Vec<i64>,
    /// The engine dropped job changes nobody read: the list is read again as soon as the engine takes it.
    jobs_stale: bool,
    /// Cancels asked for, not yet answered.
    cancellations: Vec<Pending<Result<Vec<Cancellation>, EngineError>>>,
    /// Fetches asked for (an abandoned job looked at again), not yet answered.
    fetches: Vec<Pending<Result<JobRecord, EngineError>>>,
}

impl Services {
    pub fn new(
        engine: EngineHandle,
        config: EngineConfig,
        waker: Waker,
        textures: TextureCache,
        settings: Settings,
    ) -> Services {
        let mut services = Services {
            engine: Some(engine),
            starting: None,
            config,
            chores: Chores::new(waker.clone()),
            waker,
            textures,
            jobs: JobList::default(),
            toasts: Toasts::default(),
            settings,
            account: Default::default(),
            nav: Nav {
                view: View::Job,
                selected: None,
            },
            offline: None,
            backend: String::new(),
            ready: false,
            trouble: None,
            waiting: HashMap::new(),
            submissions: Vec::new(),
            submit_guard: Default::default(),
            intents: Vec::new(),
            next_slot: 0,
            last_trashed: Vec::new(),
            jobs_stale: false,
            cancellations: Vec::new(),
            fetches: Vec::new(),
        };
        services.ask_for_the_library();
        services
    }

    /// Asks a new engine for the jobs the window starts with, and to continue every unfinished job. Sent
    /// as soon as the engine exists: it answers once it has opened the library, so the jobs reach the frame
    /// that learns it is ready instead of the one after (a frame under Xvfb's software painting is ~50 ms).
    fn ask_for_the_library(&mut self) {
        if !self.send(Command::LoadJobs { limit: JOBS_LIMIT }) {
            // Asked again with the next frame's events (`receive`).
            self.jobs_stale = true;
        }
        // Every unfinished job continues; the list of them is not needed here.
        let (reply, _) = Pending::channel();
        if !self.send(Command::ResumeAll { reply }) {
            self.refused("unfinished jobs were not continued (restart Moodgrid to continue them)");
        }
    }

    /// Moves finished jobs to the Trash; Ctrl+Z (`undo_trash`) brings them back.
    pub fn trash(&mut self, job_ids: Vec<i64>) {
        let finished: Vec<i64> = job_ids
            .iter()
            .copied()
            // Every unfinished job is in the list: one not there (an older one a page shows) is finished.
            .filter(|&id| self.jobs.peek(id).is_none_or(|j| j.state.is_final()))
            .collect();
        if finished.is_empty() {
            self.toasts.push(
                ToastKind::Error,
                "A running job cannot be moved to the Trash",
                None,
            );
            return;
        }
        if self.send(Command::TrashJobs {
            job_ids: finished.clone(),
        }) {
            let text = match finished.len() {
                1 => format!("Moved #{} to the Trash. Ctrl+Z brings it back", finished[0]),
                n => format!("Moved {n} jobs to the Trash. Ctrl+Z brings them back"),
            };
            self.toasts.push(ToastKind::Info, text, None);
            self.last_trashed = finished;
        } else {
            self.refused("nothing was moved to the Trash");
        }
    }

    /// Brings back what was last moved to the Trash, selected again as it was; whether there was anything.
    pub fn undo_trash(&mut self) -> bool {
        let job_ids = std::mem::take(&mut self.last_trashed);
        let Some(&first) = job_ids.first() else {
            return false;
        };
        let sent = self.send(Command::RestoreJobs {
            job_ids: job_ids.clone(),
        });
        if sent {
            self.nav.selected = Some(first);
        } else {
            // Ctrl+Z may be pressed again once the engine takes it.
            self.last_trashed = job_ids;
            self.refused("nothing was brought back");
        }
        sent
    }

    /// Asks another panel (through the app) for something.
    pub fn ask(&mut self, intent: Intent) {
        self.intents.push(intent);
    }

    pub fn open_job(&mut self, job_id: i64) {
        self.ask(Intent::OpenJob(job_id));
    }

    pub(in crate::ui) fn take_intents(&mut self) -> Vec<Intent> {
        std::mem::take(&mut self.intents)
    }

    /// Whether this frame draws the library's jobs (the feed is filled).
    pub fn shows_library(&self) -> bool {
        self.ready && !self.jobs.is_empty()
    }

    pub fn data_dir(&self) -> &std::path::Path {
        &self.config.data_dir
    }

    /// Sends a command without ever blocking. `false` when the engine could not take it (its queue is full,
    /// or it is restarting): the caller tells the user, and confirms nothing.
    #[must_use = "a refused command must be said (Services::refused), and nothing confirmed"]
    pub fn send(&mut self, command: Command) -> bool {
        let Some(engine) = &self.engine else {
            return false;
        };
        match engine.try_send(command) {
            Ok(()) => true,
            Err(EngineError::Busy) => false,
            Err(e) => {
                self.trouble = Some(format!("The engine is not answering: {e}"));
                false
            }
        }
    }

    /// Tells the user the engine refused a command: `what` says what did not happen ("the board was not
    /// saved").
    pub fn refused(&mut self, what: &str) {
        self.toasts.push(
            ToastKind::Error,
            format!("The engine is busy or restarting; {what}. Try again in a moment."),
            None,
        );
    }

    /// Services over an engine on the embedded simulator (fast, polled every 30 ms), a mock keyring and
    /// `data_dir`: what a panel drawn alone in a unit test needs.
    #[cfg(test)]
    pub(crate) fn for_tests(data_dir: &std::path::Path) -> Services {
        let config = EngineConfig {
            data_dir: data_dir.to_owned(),
            backend: crate::engine::Backend::Simulator(Box::new(crate::sim::SimConfig::fast())),
            timing: crate::engine::Timing::scaled(std::time::Duration::from_millis(30)),
            keys: std::sync::Arc::new(crate::secrets::KeyStore::in_store(
                keyring_core::mock::Store::new().expect("the mock keyring starts"),
            )),
            stop_on_interrupt: false,
        };
        let waker: Waker = std::sync::Arc::new(|| {});
        let engine =
            EngineHandle::start(config.clone(), waker.clone()).expect("the test engine starts");
        let textures = crate::ui::runtime::textures::TextureCache::new(1 << 20, || {})
            .expect("the texture loader starts");
        Services::new(engine, config, waker, textures, Settings::default())
    }

    /// Puts `engine` in place of the running one and returns that. `None` is the moment a restart has
    /// stopped the old engine and not yet started the new one: every command is then refused.
    #[cfg(test)]
    pub(crate) fn swap_engine(&mut self, engine: Option<EngineHandle>) -> Option<EngineHandle> {
        std::mem::replace(&mut self.engine, engine)
    }

    pub fn submit(&mut self, submission: NewSubmission) {
        if !self
            .submit_guard
            .admit(&submission, std::time::Instant::now())
        {
            // The same press again (double click, key repeat): the first one is on its way.
            return;
        }
        // Asking for a seed keeps the user on the job the seed is for; a describe's answer shows in its panel.
        let open = !matches!(
            submission,
            NewSubmission::Seed { .. } | NewSubmission::Describe { .. }
        );
        if !self.send_submission(submission, open) {
            self.toasts.push(
                ToastKind::Error,
                "The engine is busy or restarting; nothing was sent. Try again in a moment.",
                None,
            );
        }
    }

    /// Hands a submission to the engine and waits for its job; `open` shows the job once it exists.
    fn send_submission(&mut self, submission: NewSubmission, open: bool) -> bool {
        let (reply, answer) = Pending::channel();
        let sent = self.send(Command::Submit { submission, reply });
        if sent {
            self.submissions.push((answer, open));
        }
        sent
    }

    /// Sends one press of Imagine: its prompt, or each prompt of a permutation or `--repeat`, each its own
    /// job in the engine's queue, the first one opened. The same press again within a second is dropped whole.
    pub fn submit_batch(&mut self, prompts: Vec<String>, mode: crate::domain::Mode) {
        let whole = NewSubmission::Imagine {
            prompt: prompts.join("\n"),
            mode,
            timeout: None,
        };
        if !self.submit_guard.admit(&whole, std::time::Instant::now()) {
            return;
        }
        for (n, prompt) in prompts.into_iter().enumerate() {
            let submission = NewSubmission::Imagine {
                prompt,
                mode,
                timeout: None,
            };
            if !self.send_submission(submission, n == 0) {
                self.toasts.push(
                    ToastKind::Error,
                    format!("The engine is busy; {n} of the batch were sent, the rest not. Try again in a moment."),
                    None,
                );
                return;
            }
        }
    }

    /// Presses a component button of a job. An upscale that is running or done for this parent opens that
    /// job instead: the same upscale again is a second charge for the same picture (its view offers Run
    /// again for when that is wanted).
    pub fn press(&mut self, job_id: i64, action: String) {
        if crate::domain::Action::parse(&action).is_upscale()
            && let Some(existing) = self
                .jobs
                .children(job_id)
                .into_iter()
                .filter(|child| child.action == action && !ended_without_result(child.state))
                .map(|child| child.id)
                .max()
        {
            self.open_job(existing);
            self.toasts.push(
                ToastKind::Info,
                format!(
                    "{} of this image already exists, so it was opened; Run again there makes another",
                    crate::domain::Action::parse(&action).label()
                ),
                Some(existing),
            );
            return;
        }
        self.run_action(job_id, action);
    }

    /// Takes back jobs not yet sent (`None`: every queued job); what became of them is said in a toast. A job
    /// already sent cannot be called back: TTAPI has no cancel.
    pub fn cancel(&mut self, job_ids: Option<Vec<i64>>) {
        let (reply, answer) = Pending::channel();
        let command = match job_ids {
            Some(job_ids) => Command::CancelJobs { job_ids, reply },
            None => Command::CancelQueued { reply },
        };
        if self.send(command) {
            self.cancellations.push(answer);
        } else {
            self.toasts.push(
                ToastKind::Error,
                "The engine is busy or restarting; nothing was cancelled. Try again in a moment.",
                None,
            );
        }
    }

    /// Asks TTAPI once more where a job stands (an abandoned job it finished after all is then saved).
    pub fn fetch(&mut self, job_id: i64) {
        let (reply, answer) = Pending::channel();
        if self.send(Command::Fetch { job_id, reply }) {
            self.fetches.push(answer);
        } else {
            self.toasts.push(
                ToastKind::Error,
                "The engine is busy or restarting; TTAPI was not asked. Try again in a moment.",
                Some(job_id),
            );
        }
    }

    /// Looks for an unconfirmed job in the account's job list once more (adopted if found).
    pub fn look_again(&mut self, job_id: i64) {
        let (reply, answer) = Pending::channel();
        if self.send(Command::LookAgain { job_id, reply }) {
            self.submissions.push((answer, false));
        } else {
            self.refused("TTAPI's job list was not looked at");
        }
    }

    /// Sends a component action, whether or not it was run before (Run again).
    pub fn run_action(&mut self, job_id: i64, action: String) {
        self.submit(NewSubmission::Action {
            parent: job_id,
            action,
            timeout: None,
        });
    }

    /// A fresh id for an image slot of Blend or Describe.
    pub fn next_slot_id(&mut self) -> u64 {
        self.next_slot += 1;
        self.next_slot
    }

    /// Stops the engine and starts one on `backend`, off the UI thread (the old engine is shut down first,
    /// so no job ever has two drivers). `saving` is written to disk between the two: a save sent to the
    /// stopping engine could be cut short by its shutdown.
    pub fn restart_engine(&mut self, backend: Backend, saving: Option<Settings>) {
        let old = self.engine.take();
        let config = EngineConfig {
            backend,
            ..self.config.clone()
        };
        self.config = config.clone();
        let waker = self.waker.clone();
        let (done, starting) = std::sync::mpsc::sync_channel(1);
        let spawned = std::thread::Builder::new()
            .name("moodgrid-restart".into())
            .spawn(move || {
                drop(old);
                let saved = match saving {
                    Some(settings) => settings.save(&config.data_dir),
                    None => Ok(()),
                };
                let engine = EngineHandle::start(config, waker.clone());
                let _ = done.send(Restarted { engine, saved });
                waker();
            });
        match spawned {
            Ok(_) => self.starting = Some(starting),
            Err(e) => self.trouble = Some(format!("could not restart the engine: {e}")),
        }
        self.ready = false;
        self.submissions.clear();
    }

    /// Takes in a restarted engine, the engine's events and the answers to submissions. `true` when a
    /// (re)started engine became ready this frame.
    pub(in crate::ui) fn receive(&mut self) -> bool {
        self.receive_engine();
        let became_ready = self.drain_events();
        self.drain_submissions();
        self.drain_answers();
        became_ready
    }

    fn receive_engine(&mut self) {
        let Some(starting) = &self.starting else {
            return;
        };
        match starting.try_recv() {
            Ok(Restarted { engine, saved }) => {
                self.starting = None;
                if let Err(e) = saved {
                    self.toasts.push(ToastKind::Error, e.to_string(), None);
                }
                match engine {
                    Ok(engine) => {
                        self.engine = Some(engine);
                        self.ask_for_the_library();
                    }
                    Err(e) => self.trouble = Some(format!("could not restart the engine: {e}")),
                }
            }
            Err(TryRecvError::Empty) => {}
            Err(TryRecvError::Disconnected) => self.starting = None,
        }
    }

    fn drain_events(&mut self) -> bool {
        let mut became_ready = false;
        while let Some(event) = self.engine.as_mut().and_then(EngineHandle::try_recv) {
            match event {
                Event::Ready { backend, offline } => {
                    self.ready = true;
                    self.trouble = None;
                    self.offline = offline;
                    self.backend = backend;
                    became_ready = true;
                }
                Event::Fatal(message) => {
                    self.trouble = Some(format!("Moodgrid could not start: {message}"))
                }
                Event::JobChanged(job) => self.job_changed(*job),
                Event::Stalled {
                    message, job_id, ..
                } => self.toasts.push(ToastKind::Error, message, Some(job_id)),
                Event::Waiting {
                    job_id,
                    reason,
                    until_ms,
                } => {
                    self.waiting.insert(job_id, (reason, until_ms));
                }
                // Only engines started with `stop_on_interrupt` (the CLI's) send these.
                Event::Stopping(_) | Event::Interrupted => {}
                Event::Notice(message) => self.toasts.push(ToastKind::Info, message, None),
                Event::Jobs(jobs) => self.jobs.replace_all(jobs),
                // More changed while the window was hidden than the engine keeps: read the jobs again.
                Event::JobsStale => self.jobs_stale = true,
                Event::JobsRead { asked, jobs } => self.jobs.add_read(&asked, jobs),
                Event::ImageSaved { job_id, files } => self.jobs.set_images(job_id, files),
                Event::Images(answers) => {
                    for (job_id, files) in answers {
                        self.jobs.set_images(job_id, files);
                    }
                }
            }
        }
        became_ready
    }

    fn drain_answers(&mut self) {
        for answer in crate::ui::runtime::pending::answered(&mut self.cancellations) {
            match answer {
                Ok(outcomes) => {
                    for (kind, text, job) in cancellation_notices(&outcomes) {
                        self.toasts.push(kind, text, job);
                    }
                }
                Err(e) => self.toasts.push(
                    ToastKind::Error,
                    format!("Nothing was cancelled: {e}"),
                    None,
                ),
            }
        }
        for result in crate::ui::runtime::pending::answered(&mut self.fetches) {
            match result {
                // Taken up again: the job's own changes say the rest.
                Ok(job) if job.state != JobState::Abandoned => {}
                Ok(job) => self.toasts.push(
                    ToastKind::Info,
                    format!(
                        "TTAPI has not finished #{} yet ({}); fetch it again later",
                        job.id,
                        match (job.remote_status.as_deref(), job.progress) {
                            (Some("ON_QUEUE"), Some(progress)) => format!("running, {progress}%"),
                            (Some("PENDING_QUEUE"), _) => "waiting in its queue".to_owned(),
                            (Some(other), _) => other.to_lowercase(),
                            (None, _) => "no news".to_owned(),
                        }
                    ),
                    Some(job.id),
                ),
                Err(e) => self.toasts.push(
                    ToastKind::Error,
                    format!("TTAPI could not be asked: {e}"),
                    None,
                ),
            }
        }
    }

    fn drain_submissions(&mut self) {
        let mut opened = None;
        let mut refused = Vec::new();
        self.submissions
            .retain_mut(|(answer, open)| match answer.poll() {
                Poll::Waiting => true,
                Poll::Ready(Ok(job)) => {
                    if *open {
                        opened = Some(job.id);
                    }
                    false
                }
                Poll::Ready(Err(e)) => {
                    refused.push(e.to_string());
                    false
                }
                Poll::Lost => false,
            });
        if let Some(job_id) = opened {
            self.open_job(job_id);
        }
        for message in refused {
            self.toasts.push(ToastKind::Error, message, None);
        }
    }

    fn job_changed(&mut self, job: JobRecord) {
        let (id, state) = (job.id, job.state);
        if state != JobState::Queued {
            self.waiting.remove(&id);
        }
        if job.trashed_at.is_some() {
            // Out of every view but the Trash.
            self.jobs.remove(id);
            if self.nav.selected == Some(id) {
                self.nav.selected = None;
            }
            return;
        }
        let text = notice_text(&job);
        let previous = self.jobs.upsert(job);
        // A cancel says so itself (`cancellation_notices`).
        if previous.is_some_and(|p| !p.is_final())
            && state.is_final()
            && state != JobState::Cancelled
        {
            self.account.job_settled();
            let kind = if state == JobState::Succeeded {
                ToastKind::Success
            } else {
                ToastKind::Error
            };
            self.toasts.push(kind, text, Some(id));
        }
    }

    /// Whether anything is on its way (jobs running, submissions unanswered): the frame keeps drawing.
    pub(in crate::ui) fn busy(&self) -> bool {
        self.jobs.running() > 0 || !self.submissions.is_empty()
    }

    /// One engine command per frame for the jobs the views looked up and the list does not hold.
    pub(in crate::ui) fn request_jobs(&mut self) {
        if self.jobs_stale && self.send(Command::LoadJobs { limit: JOBS_LIMIT }) {
            self.jobs_stale = false;
        }
        // The selected job's keys (P, X, U, Del, U1–U4) act on its record: a job selected on a gallery
        // page is read now, not when the key is pressed.
        if let Some(id) = self.nav.selected {
            let _ = self.jobs.get(id);
        }
        let missing = self.jobs.take_missing();
        if !missing.is_empty() && !self.send(Command::ReadJobs { ids: missing }) {
            // Busy: the next lookups ask again.
            self.jobs.unask_jobs();
        }
    }

    /// One engine command per frame for all the images the views asked for.
    pub(in crate::ui) fn request_images(&mut self) {
        let wanted = self.jobs.take_wanted();
        if !wanted.is_empty()
            && !self.send(Command::LoadImages {
                job_ids: wanted.clone(),
            })
        {
            self.jobs.unask(&wanted);
        }
    }
}

/// The toast for a job that has just finished.
fn notice_text(job: &JobRecord) -> String {
    let title = crate::domain::prompt::first_line(&crate::ui::job::labels::job_title(job), 48);
    let what = if job.kind == crate::library::JobKind::Describe || title == job.action {
        title
    } else {
        format!("{} · {title}", job.action)
    };
    match job.state {
        JobState::Succeeded => format!("Done: {what}"),
        _ => {
            let message = job.message.as_deref().unwrap_or("no reason given");
            match crate::domain::failure::explain_failure(message) {
                Some(plain) => format!("Failed: {what}\n{plain}"),
                None => format!("Failed: {what}\n{message}"),
            }
        }
    }
}

/// What a cancel says: how many were taken back (never sent, nothing charged), and each job that could not
/// be, because it was already sent.
fn cancellation_notices(outcomes: &[Cancellation]) -> Vec<(ToastKind, String, Option<i64>)> {
    let cancelled: Vec<i64> = outcomes
        .iter()
        .filter_map(|outcome| match outcome {
            Cancellation::Cancelled(job) => Some(job.id),
            _ => None,
        })
        .collect();
    let mut notices = Vec::new();
    match cancelled.as_slice() {
        [] => {}
        [one] => notices.push((
            ToastKind::Info,
            format!("Cancelled #{one}: it was never sent, nothing is charged"),
            Some(*one),
        )),
        several => notices.push((
            ToastKind::Info,
            format!(
                "Cancelled {} jobs: never sent, nothing charged",
                several.len()
            ),
            None,
        )),
    }
    for outcome in outcomes {
        if let Cancellation::AlreadySent(job) = outcome {
            notices.push((
                ToastKind::Error,
                format!(
                    "#{} was already sent: TTAPI has no cancel, so it runs to its end and is charged",
                    job.id
                ),
                Some(job.id),
            ));
        }
    }
    if notices.is_empty() {
        notices.push((
            ToastKind::Info,
            "Nothing was waiting to be sent".into(),
            None,
        ));
    }
    notices
}

/// A job that ended without a picture: pressing its button again is a fresh attempt, not a duplicate.
fn ended_without_result(state: JobState) -> bool {
    matches!(
        state,
        JobState::Failed
            | JobState::Rejected
            | JobState::Abandoned
            | JobState::Unconfirmed
            | JobState::Cancelled
    )
}

impl Services {
    /// Nothing is on its way: the engine is up, every question asked of it was answered, and every job the
    /// window knows has ended. What a test waits for before it checks that something did *not* happen.
    pub fn is_settled(&self) -> bool {
        self.ready
            && self.starting.is_none()
            && self.submissions.is_empty()
            && self.cancellations.is_empty()
            && self.fetches.is_empty()
            && self.jobs.running() == 0
    }
}

/// What the restart thread hands back: the new engine, and whether the settings it was given reached disk.
struct Restarted {
    engine: std::io::Result<EngineHandle>,
    saved: Result<(), crate::settings::SettingsError>,
}
