//! Following jobs through the engine's events until they reach the point the command waits for, with
//! progress bars on a terminal.

use std::collections::HashMap;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use super::output::{Exit, status_word};
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
    };
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
            Event::Notice(message) => {
                let _ = bars.println(format!("note: {message}"));
            }
            Event::Fatal(message) => {
                let _ = bars.println(format!("error: {message}"));
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
