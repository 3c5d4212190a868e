//! What panels ask of the engine about jobs, with the guards a paid service needs: one press is one job (a
//! double click or a held key is dropped), an upscale already made opens instead of charging again, a
//! running job cannot be trashed, and a refused request is said. The answers come back through `inbox`.

use crate::engine::{Command, NewSubmission};
use crate::library::JobState;
use crate::ui::runtime::pending::Pending;
use crate::ui::runtime::services::Services;
use crate::ui::runtime::toasts::ToastKind;

impl Services {
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
            self.select(Some(first));
        } else {
            // Ctrl+Z may be pressed again once the engine takes it.
            self.last_trashed = job_ids;
            self.refused("nothing was brought back");
        }
        sent
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
            self.awaiting.submissions.push((answer, open));
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
            self.awaiting.cancellations.push(answer);
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
            self.awaiting.fetches.push(answer);
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
            self.awaiting.submissions.push((answer, false));
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
