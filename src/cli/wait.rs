//! Following jobs through the engine's events until they reach the point the command waits for, with
//! progress bars on a terminal.

use std::collections::HashMap;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use super::output::{Exit, status_word};
use crate::domain::terminal_text::printable;
use crate::engine::{EngineHandle, Event};
use crate::library::{JobRecord, JobState};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    /// The service has the job (or refused it): what a command without `--wait` waits for.
    Submitted,
    /// The job is finished, its images saved.
    Finished,
}

fn reached(job: &JobRecord, until: Until) -> bool {
    job.state.is_final()
        || (until == Until::Submitted
            && matches!(
                job.state,
                JobState::Pending | JobState::Running | JobState::Downloading
            ))
}

/// The outcome per job id: the last record seen, and the exit code of a stall if the engine gave up.
pub struct Followed {
    pub last: HashMap<i64, JobRecord>,
    pub stalled: HashMap<i64, (Exit, String)>,
    /// Ctrl+C stopped the engine; the jobs keep their journaled state.
    pub interrupted: bool,
}

pub fn follow(
    engine: &mut EngineHandle,
    jobs: &[JobRecord],
    until: Until,
    show_progress: bool,
) -> Followed {
    let bars = MultiProgress::new();
    if !show_progress {
        bars.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let style = ProgressStyle::with_template("{prefix:.bold} [{bar:30}] {pos:>3}% {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    let mut progress: HashMap<i64, ProgressBar> = HashMap::new();
    let mut followed = Followed {
        last: HashMap::new(),
        stalled: HashMap::new(),
        interrupted: false,
    };
    // What each job last said while waiting to be sent again: said once, again only when it changes.
    let mut waiting: HashMap<i64, String> = HashMap::new();
    let mut open: Vec<i64> = Vec::new();
    for job in jobs {
        let bar = bars.add(ProgressBar::new(100));
        bar.set_style(style.clone());
        bar.set_prefix(job.action.clone());
        bar.set_message(status_word(job));
        progress.insert(job.id, bar);
        followed.last.insert(job.id, job.clone());
        if !reached(job, until) {
            open.push(job.id);
        }
    }
    while !open.is_empty() {
        let Some(event) = engine.recv_blocking() else {
            break;
        };
        match event {
            Event::JobChanged(job) if progress.contains_key(&job.id) => {
                if let Some(bar) = progress.get(&job.id) {
                    bar.set_position(u64::from(job.progress.unwrap_or(0)));
                    bar.set_message(status_word(&job));
                }
                if reached(&job, until) {
                    open.retain(|id| *id != job.id);
                }
                followed.last.insert(job.id, *job);
            }
            Event::Stalled {
                job_id,
                kind,
                message,
            } if progress.contains_key(&job_id) => {
                followed
                    .stalled
                    .insert(job_id, (Exit::for_failure(kind), message));
                open.retain(|id| *id != job_id);
            }
            Event::Waiting {
                job_id,
                reason,
                until_ms,
                // Said once, and again only when the reason changes.
            } if progress.contains_key(&job_id) && waiting.get(&job_id) != Some(&reason) => {
                say(
                    &bars,
                    format!(
                        "moodgrid: job #{job_id}: {reason}; retrying until {}; Ctrl+C leaves the job queued",
                        crate::clock::hh_mm(until_ms)
                    ),
                );
                waiting.insert(job_id, reason);
            }
            Event::Interrupted => {
                followed.interrupted = true;
                break;
            }
            Event::Notice(message) => {
                say(&bars, format!("moodgrid: note: {message}"));
            }
            Event::Fatal(message) => {
                say(&bars, format!("moodgrid: {message}"));
                break;
            }
            _ => {}
        }
    }
    for bar in progress.values() {
        bar.finish_and_clear();
    }
    followed
}

/// A line on stderr above the progress bars, or alone when there are none (not a terminal): indicatif's own
/// `println` says nothing when its bars are hidden.
fn say(bars: &MultiProgress, line: String) {
    bars.suspend(|| eprintln!("{}", printable(&line)));
}
