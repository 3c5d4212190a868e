//! Following jobs through the engine's events until they reach the point the command waits for, with
//! progress bars on a terminal.

use std::collections::HashMap;
use std::io::Write as _;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use super::output::{Exit, status_word};
use crate::domain::terminal_text::printable;
use crate::engine::{EngineHandle, Event, StopReport};
use crate::library::{JobRecord, JobState, Library};

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
    /// Ctrl+C (SIGTERM, SIGHUP) stopped the engine; the jobs keep their journaled state.
    pub interrupted: bool,
    /// What the engine did when told to stop.
    pub stopped: Option<StopReport>,
}

pub fn follow(
    engine: &mut EngineHandle,
    library: &Library,
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
        stopped: None,
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
    // Once told to stop, the engine's last word (`Interrupted`) is awaited even if every job has ended.
    while !open.is_empty() || (followed.stopped.is_some() && !followed.interrupted) {
        let Some(event) = engine.recv_blocking() else {
            break;
        };
        match event {
            Event::JobChanged(job) if progress.contains_key(&job.id) => {
                take(*job, until, &progress, &mut open, &mut followed);
            }
            // More changed than the engine kept while this command was not reading: read them again.
            Event::JobsStale => {
                for job in open
                    .clone()
                    .into_iter()
                    .filter_map(|id| library.job(id).ok())
                {
                    take(job, until, &progress, &mut open, &mut followed);
                }
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
                        "moodgrid: job #{job_id}: {reason}; retrying until {}; Ctrl+C cancels it",
                        crate::clock::hh_mm(until_ms)
                    ),
                );
                waiting.insert(job_id, reason);
            }
            Event::Stopping(report) => {
                for line in stop_lines(&report) {
                    say(&bars, line);
                }
                followed.stopped = Some(report);
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

/// A job's newest record: its bar moved, and closed once it reached what the command waits for.
fn take(
    job: JobRecord,
    until: Until,
    progress: &HashMap<i64, ProgressBar>,
    open: &mut Vec<i64>,
    followed: &mut Followed,
) {
    if let Some(bar) = progress.get(&job.id) {
        bar.set_position(u64::from(job.progress.unwrap_or(0)));
        bar.set_message(status_word(&job));
    }
    if reached(&job, until) {
        open.retain(|id| *id != job.id);
    }
    followed.last.insert(job.id, job);
}

/// Reads the engine's events until it has stopped on a signal (the signal came before any job was written),
/// saying what it did.
pub fn until_stopped(engine: &mut EngineHandle) {
    let bars = MultiProgress::with_draw_target(indicatif::ProgressDrawTarget::hidden());
    while let Some(event) = engine.recv_blocking() {
        match event {
            Event::Stopping(report) => {
                for line in stop_lines(&report) {
                    say(&bars, line);
                }
            }
            Event::Interrupted => return,
            _ => {}
        }
    }
}

/// What a command says when a signal stops it: what it cancelled, what TTAPI has, what was on its way.
pub fn stop_lines(report: &StopReport) -> Vec<String> {
    let mut lines = Vec::new();
    if !report.cancelled.is_empty() {
        lines.push(format!(
            "moodgrid: stopping: cancelled {} job(s) not yet sent ({}): never sent, nothing charged",
            report.cancelled.len(),
            numbers(&report.cancelled)
        ));
    }
    if !report.sent.is_empty() {
        lines.push(format!(
            "moodgrid: {} job(s) already sent run on at TTAPI ({}): `moodgrid resume --wait` or the window \
             follows them",
            report.sent.len(),
            numbers(&report.sent)
        ));
    }
    if !report.sending.is_empty() {
        lines.push(format!(
            "moodgrid: {} was being sent: counted as sent; waiting for TTAPI's answer (Ctrl+C again quits at \
             once)",
            numbers(&report.sending)
        ));
    }
    if lines.is_empty() {
        lines.push("moodgrid: stopping; nothing was waiting to be sent".into());
    }
    lines
}

/// `#1, #2, #3` (the first ten, then how many more).
fn numbers(ids: &[i64]) -> String {
    let mut listed: Vec<String> = ids.iter().take(10).map(|id| format!("#{id}")).collect();
    if ids.len() > 10 {
        listed.push(format!("and {} more", ids.len() - 10));
    }
    listed.join(", ")
}

/// A line on stderr above the progress bars, or alone when there are none (not a terminal): indicatif's own
/// `println` says nothing when its bars are hidden. A closed terminal (SIGHUP) makes the write fail: that is
/// not worth a panic.
fn say(bars: &MultiProgress, line: String) {
    bars.suspend(|| {
        let _ = writeln!(std::io::stderr(), "{}", printable(&line));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stop_says_what_was_cancelled_sent_and_on_its_way() {
        let report = StopReport {
            cancelled: (4..=40).collect(),
            sent: vec![1, 2, 3],
            sending: vec![41],
        };
        let lines = stop_lines(&report);
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(
            lines[0].starts_with("moodgrid: stopping: cancelled 37 job(s) not yet sent (#4, #5,"),
            "{lines:?}"
        );
        assert!(lines[0].contains("and 27 more"), "{lines:?}");
        assert!(lines[1].contains("3 job(s) already sent run on at TTAPI (#1, #2, #3)"));
        assert!(lines[2].starts_with("moodgrid: #41 was being sent: counted as sent"));
        assert_eq!(
            stop_lines(&StopReport::default()),
            ["moodgrid: stopping; nothing was waiting to be sent"]
        );
    }
}
