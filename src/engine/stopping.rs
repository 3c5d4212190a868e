//! A command told to stop (Ctrl+C, SIGTERM, or SIGHUP when its terminal closes): the jobs it made that were
//! not sent yet are cancelled, so no other process sends them after it; a request on its way is given its
//! answer (until a second signal); then every claim is released. What it did is said in a [`StopReport`].

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::{Core, Event};
use crate::library::{Cancellation, JobState};

/// What a command's engine did when told to stop.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StopReport {
    /// Its jobs that had not been sent: cancelled, never charged.
    pub cancelled: Vec<i64>,
    /// Jobs it drove that TTAPI has: they run on there, and `resume` or the window follows them.
    pub sent: Vec<i64>,
    /// Jobs whose request was on its way when the signal came: counted as sent.
    pub sending: Vec<i64>,
}

/// The signals that stop a command, one after the other.
pub(super) struct StopSignals {
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    hang_up: Option<tokio::signal::unix::Signal>,
}

impl StopSignals {
    pub(super) fn new() -> StopSignals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            StopSignals {
                terminate: signal(SignalKind::terminate()).ok(),
                hang_up: signal(SignalKind::hangup()).ok(),
            }
        }
        #[cfg(not(unix))]
        StopSignals {}
    }

    /// The next Ctrl+C, SIGTERM or SIGHUP.
    pub(super) async fn next(&mut self) {
        #[cfg(unix)]
        {
            let terminate = async {
                match &mut self.terminate {
                    Some(signal) => signal.recv().await,
                    None => std::future::pending().await,
                }
            };
            let hang_up = async {
                match &mut self.hang_up {
                    Some(signal) => signal.recv().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate => {}
                _ = hang_up => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// Cancels this engine's unsent jobs and says so ([`Event::Stopping`]); then waits for requests on their way
/// to be answered, at most the client's timeout, or until the next signal. A request refused for sure
/// meanwhile (429, 503, 499) leaves its job unsent: it is cancelled too, and said in a second report.
pub(super) async fn stop(core: &Arc<Core>, signals: &mut StopSignals) {
    core.stopping.store(true, Ordering::Relaxed);
    let report = cancel_unsent(core).await;
    let sending = report.sending.clone();
    core.emitter.emit(Event::Stopping(report));
    if sending.is_empty() {
        return;
    }
    let stopped_waiting = wait_for_answers(core, signals, sending).await;
    let refused = cancel_unsent(core).await;
    if !stopped_waiting && !refused.cancelled.is_empty() {
        core.emitter.emit(Event::Stopping(StopReport {
            cancelled: refused.cancelled,
            ..StopReport::default()
        }));
    }
}

/// Waits until none of `sending` is being sent any more, at most the request timeout; `true` when a second
/// signal cut the wait short.
async fn wait_for_answers(core: &Arc<Core>, signals: &mut StopSignals, sending: Vec<i64>) -> bool {
    let answered = async {
        loop {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let ids = sending.clone();
            let still = core
                .db(move |l| {
                    let jobs = l.jobs_by_id(&ids)?;
                    Ok(jobs.iter().any(|j| j.state == JobState::Submitting))
                })
                .await
                .unwrap_or(false);
            if !still {
                return;
            }
        }
    };
    tokio::select! {
        () = answered => false,
        () = tokio::time::sleep(core.timing.request_timeout) => false,
        () = signals.next() => true,
    }
}

async fn cancel_unsent(core: &Arc<Core>) -> StopReport {
    let created: Vec<i64> = core
        .created
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let driving: Vec<i64> = core
        .driving
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .copied()
        .filter(|id| !created.contains(id))
        .collect();
    let outcomes = core
        .db(move |l| {
            let mut outcomes = l.cancel_jobs(&created)?;
            outcomes.extend(
                l.jobs_by_id(&driving)?
                    .into_iter()
                    .filter(|job| job.state != JobState::Queued && !job.state.is_final())
                    .map(Cancellation::AlreadySent),
            );
            Ok(outcomes)
        })
        .await;
    let mut report = StopReport::default();
    match outcomes {
        Ok(outcomes) => {
            for outcome in outcomes {
                match outcome {
                    Cancellation::Cancelled(job) => {
                        report.cancelled.push(job.id);
                        core.emitter.emit(Event::JobChanged(Box::new(job)));
                    }
                    Cancellation::AlreadySent(job) if job.state == JobState::Submitting => {
                        report.sending.push(job.id);
                    }
                    Cancellation::AlreadySent(job) => report.sent.push(job.id),
                    Cancellation::AlreadyEnded(_) | Cancellation::Missing(_) => {}
                }
            }
        }
        Err(e) => core.emitter.emit(Event::Notice(format!(
            "could not cancel the jobs not yet sent: {e}; they stay queued"
        ))),
    }
    for ids in [&mut report.cancelled, &mut report.sent, &mut report.sending] {
        ids.sort_unstable();
    }
    report
}
