//! What the window takes in, once per frame and also while it is minimised: a restarted engine, the
//! engine's events (folded into the job list, the status and the toasts), and the answers to submissions,
//! cancels and fetches; then, after the panels have drawn, one command each for the jobs, images and
//! account figures they found missing.

use crate::engine::{Backend, Command, Event};
use crate::library::{Cancellation, JobRecord, JobState};
use crate::settings::Settings;
use crate::ui::runtime::pending::Poll;
use crate::ui::runtime::services::{JOBS_LIMIT, Services};
use crate::ui::runtime::toasts::ToastKind;

impl Services {
    /// Stops the engine and starts one on `backend` (`EngineLink::restart`); the window waits for it as
    /// at start. What was on its way to the old engine is forgotten: its jobs are in the library.
    pub(in crate::ui) fn restart_engine(&mut self, backend: Backend, saving: Option<Settings>) {
        if let Err(e) = self.link.restart(backend, saving) {
            self.status.trouble = Some(format!("could not restart the engine: {e}"));
        }
        self.status.ready = false;
        self.awaiting.submissions.clear();
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
        let Some(outcome) = self.link.take_restarted() else {
            return;
        };
        if let Some(e) = outcome.unsaved {
            self.toasts.push(ToastKind::Error, e.to_string(), None);
        }
        match outcome.failed {
            None => self.ask_for_the_library(),
            Some(e) => self.status.trouble = Some(format!("could not restart the engine: {e}")),
        }
    }

    fn drain_events(&mut self) -> bool {
        let mut became_ready = false;
        while let Some(event) = self.link.try_recv() {
            match event {
                Event::Ready { backend, offline } => {
                    self.status.ready = true;
                    self.status.trouble = None;
                    self.status.offline = offline;
                    self.status.backend = backend;
                    became_ready = true;
                }
                Event::Fatal(message) => {
                    self.status.trouble = Some(format!("Moodgrid could not start: {message}"))
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
                    self.status.waiting.insert(job_id, (reason, until_ms));
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
        for answer in crate::ui::runtime::pending::answered(&mut self.awaiting.cancellations) {
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
        for result in crate::ui::runtime::pending::answered(&mut self.awaiting.fetches) {
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
        self.awaiting
            .submissions
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
            self.status.waiting.remove(&id);
        }
        if job.trashed_at.is_some() {
            // Out of every view but the Trash.
            self.jobs.remove(id);
            if self.nav().selected() == Some(id) {
                self.select(None);
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
            self.status.account.job_settled();
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
        self.jobs.running() > 0 || !self.awaiting.submissions.is_empty()
    }

    /// One engine command per frame for the jobs the views looked up and the list does not hold.
    pub(in crate::ui) fn request_jobs(&mut self) {
        if self.jobs_stale && self.send(Command::LoadJobs { limit: JOBS_LIMIT }) {
            self.jobs_stale = false;
        }
        // The selected job's keys (P, X, U, Del, U1–U4) act on its record: a job selected on a gallery
        // page is read now, not when the key is pressed.
        if let Some(id) = self.nav().selected() {
            let _ = self.jobs.get(id);
        }
        let missing = self.jobs.take_missing();
        if !missing.is_empty() && !self.send(Command::ReadJobs { ids: missing }) {
            // Busy: the next lookups ask again.
            self.jobs.unask_jobs();
        }
    }

    /// Prices after a job ends, the service status every few minutes (`AccountData::refresh`).
    pub(in crate::ui) fn refresh_account(&mut self) {
        if !self.status.ready {
            return;
        }
        let mut account = std::mem::take(&mut self.status.account);
        account.refresh(|command| self.send(command));
        self.status.account = account;
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
