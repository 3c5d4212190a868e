//! What every panel draws with and asks through. Panels read the job list, the textures, the settings and
//! the status, start chores, and ask through one outbox: engine commands (`send`, a refusal said with
//! `refused`), job requests (`requests`), Intents (`ask`) and toasts. Where the user is (`nav`) is read
//! here and changed only as an Intent is carried out (or as the runtime follows the library). Beside it, in
//! files of their own: the engine link and its restarts (`link`, a type of its own), what comes back
//! (`inbox`), the job requests and the Trash's undo (`requests`).

use std::collections::HashMap;

use crate::engine::{Command, EngineConfig, EngineError, EngineHandle, Waker};
use crate::library::{Cancellation, JobRecord};
use crate::settings::Settings;
use crate::ui::runtime::account_data::AccountData;
use crate::ui::runtime::chores::Chores;
use crate::ui::runtime::intents::Intent;
use crate::ui::runtime::job_list::JobList;
use crate::ui::runtime::link::{EngineLink, Refusal};
use crate::ui::runtime::nav::{Nav, View};
use crate::ui::runtime::pending::Pending;
use crate::ui::runtime::submit_guard::SubmitGuard;
use crate::ui::runtime::textures::TextureCache;
use crate::ui::runtime::toasts::{ToastKind, Toasts};

/// The newest jobs read at start (with every unfinished one): the feed, the prompt history and recent
/// picks come from them. Older jobs are read when a view needs them; the gallery pages on its own.
pub(super) const JOBS_LIMIT: usize = 2_000;

/// What the panels read of the engine and the account.
#[derive(Default)]
pub struct Status {
    /// The engine has opened the library and answers.
    pub ready: bool,
    /// Why the app runs on the simulator, when it does.
    pub offline: Option<String>,
    /// What jobs of this session are labelled with: the host, or `simulator`.
    pub backend: String,
    /// A problem that stays until it is solved (the engine could not start…).
    pub trouble: Option<String>,
    /// Jobs whose submission cannot reach the service: why, and until when (Unix ms) the engine keeps trying.
    pub waiting: HashMap<i64, (String, i64)>,
    /// Learned prices and the service status.
    pub account: AccountData,
}

pub struct Services {
    pub jobs: JobList,
    pub textures: TextureCache,
    pub chores: Chores,
    pub toasts: Toasts,
    pub settings: Settings,
    pub status: Status,
    nav: Nav,
    intents: Vec<Intent>,
    next_slot: u64,
    pub(super) link: EngineLink,
    pub(super) awaiting: Awaiting,
    /// Drops a press that repeats the one just made (double click, key repeat).
    pub(super) submit_guard: SubmitGuard,
    /// The jobs last moved to the Trash, which Ctrl+Z brings back.
    pub(super) last_trashed: Vec<i64>,
    /// The engine dropped job changes nobody read: the list is read again as soon as the engine takes it.
    pub(super) jobs_stale: bool,
}

/// Answers the engine owes the window.
#[derive(Default)]
pub(super) struct Awaiting {
    /// Submitted, not yet written by the engine; `true` opens the new job once it exists.
    pub submissions: Vec<(Pending<Result<JobRecord, EngineError>>, bool)>,
    /// Cancels asked for, not yet answered.
    pub cancellations: Vec<Pending<Result<Vec<Cancellation>, EngineError>>>,
    /// Fetches asked for (an abandoned job looked at again), not yet answered.
    pub fetches: Vec<Pending<Result<JobRecord, EngineError>>>,
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
            chores: Chores::new(waker.clone()),
            link: EngineLink::new(engine, config, waker),
            textures,
            jobs: JobList::default(),
            toasts: Toasts::default(),
            settings,
            status: Status::default(),
            nav: Nav {
                view: View::Job,
                selected: None,
            },
            intents: Vec::new(),
            next_slot: 0,
            awaiting: Awaiting::default(),
            submit_guard: Default::default(),
            last_trashed: Vec::new(),
            jobs_stale: false,
        };
        services.ask_for_the_library();
        services
    }

    /// Asks a new engine for the jobs the window starts with, and to continue every unfinished job. Sent
    /// as soon as the engine exists: it answers once it has opened the library, so the jobs reach the frame
    /// that learns it is ready instead of the one after (a frame under Xvfb's software painting is ~50 ms).
    pub(super) fn ask_for_the_library(&mut self) {
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

    /// Where the user is: the view in the middle and the job it is about.
    pub fn nav(&self) -> Nav {
        self.nav
    }

    /// Shows another view: the shell's, as it carries out an Intent (a panel asks with `Intent::Show`).
    pub(in crate::ui) fn show_view(&mut self, view: View) {
        self.nav.view = view;
    }

    /// Makes a job the selected one, or none: the shell's, as it carries out an Intent (a panel asks with
    /// `Intent::Select` or `Intent::OpenJob`), and the runtime's when the selected job leaves.
    pub(in crate::ui) fn select(&mut self, job: Option<i64>) {
        self.nav.selected = job;
    }

    /// Asks another panel (through the app) for something.
    pub fn ask(&mut self, intent: Intent) {
        self.intents.push(intent);
    }

    pub fn open_job(&mut self, job_id: i64) {
        self.ask(Intent::OpenJob(job_id));
    }

    /// Carries out the moves asked so far (`Intent::Show`, `Intent::Select`) and leaves the other Intents
    /// for the shell: a tab clicked in the top bar shows its view in the same frame, as the panels below are
    /// drawn after it.
    pub(in crate::ui) fn carry_out_moves(&mut self) {
        let nav = &mut self.nav;
        self.intents.retain(|intent| match intent {
            Intent::Show(view) => {
                nav.view = *view;
                false
            }
            Intent::Select(job) => {
                nav.selected = Some(*job);
                false
            }
            _ => true,
        });
    }

    pub(in crate::ui) fn take_intents(&mut self) -> Vec<Intent> {
        std::mem::take(&mut self.intents)
    }

    /// Whether this frame draws the library's jobs (the feed is filled).
    pub fn shows_library(&self) -> bool {
        self.status.ready && !self.jobs.is_empty()
    }

    pub fn data_dir(&self) -> &std::path::Path {
        &self.link.config().data_dir
    }

    /// Sends a command without ever blocking. `false` when the engine could not take it (its queue is full,
    /// or it is restarting): the caller tells the user, and confirms nothing.
    #[must_use = "a refused command must be said (Services::refused), and nothing confirmed"]
    pub fn send(&mut self, command: Command) -> bool {
        match self.link.send(command) {
            Ok(()) => true,
            Err(Refusal::Busy) => false,
            Err(Refusal::Gone(e)) => {
                self.status.trouble = Some(format!("The engine is not answering: {e}"));
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

    /// A fresh id for an image slot of Blend or Describe.
    pub fn next_slot_id(&mut self) -> u64 {
        self.next_slot += 1;
        self.next_slot
    }

    /// Nothing is on its way: the engine is up, every question asked of it was answered, and every job the
    /// window knows has ended. What a test waits for before it checks that something did *not* happen.
    pub fn is_settled(&self) -> bool {
        self.status.ready
            && !self.link.is_restarting()
            && self.awaiting.submissions.is_empty()
            && self.awaiting.cancellations.is_empty()
            && self.awaiting.fetches.is_empty()
            && self.jobs.running() == 0
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
        let textures = TextureCache::new(1 << 20, || {}).expect("the texture loader starts");
        Services::new(engine, config, waker, textures, Settings::default())
    }

    /// Puts `engine` in place of the running one and returns that. `None` is the moment a restart has
    /// stopped the old engine and not yet started the new one: every command is then refused.
    #[cfg(test)]
    pub(crate) fn swap_engine(&mut self, engine: Option<EngineHandle>) -> Option<EngineHandle> {
        self.link.swap(engine)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tab clicked in the top bar moves the user before the view below it is drawn; what else was asked
    /// waits for the shell, in order.
    #[test]
    fn moves_are_carried_out_at_once_and_other_intents_wait_for_the_shell() {
        let data = tempfile::tempdir().unwrap();
        let mut services = Services::for_tests(data.path());
        services.ask(Intent::OpenSettings);
        services.ask(Intent::Show(View::Gallery));
        services.ask(Intent::Select(7));
        services.ask(Intent::ShowShortcuts);
        services.carry_out_moves();
        assert_eq!(services.nav().view, View::Gallery);
        assert_eq!(services.nav().selected, Some(7));
        assert!(matches!(
            services.take_intents()[..],
            [Intent::OpenSettings, Intent::ShowShortcuts]
        ));
    }
}
