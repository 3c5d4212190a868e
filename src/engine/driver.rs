//! One task per job, moving it through its states and persisting every step before taking the next:
//! queued → submitting → pending/running → downloading → succeeded (or failed, rejected, abandoned,
//! unconfirmed). Each step re-reads the job, so a restart resumes exactly where the last write left it.
//! A driver first claims its job in the library (`library::leases`): across every process on the library,
//! one engine drives a job at a time, and every write names the state it replaces.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::{Instant, sleep};

use super::download::download;
use super::prepare::{Outgoing, outgoing};
use super::reconcile::reconcile;
use super::{Core, EngineError, Event};
use crate::api::{ApiError, Job};
use crate::domain::JobStatus;
use crate::library::{
    Accepted, Claim, FailureKind, JobKind, JobRecord, JobState, JobUpdate, LibraryError, now_ms,
};

/// Why a driver stopped without finishing the job: it stays unfinished and resumes later. `lost` means
/// another engine changed the job first: not a failure to report, that engine carries on.
pub(super) struct Stall {
    pub(super) kind: FailureKind,
    pub(super) message: String,
    lost: bool,
}

impl From<LibraryError> for Stall {
    fn from(error: LibraryError) -> Stall {
        Stall {
            kind: FailureKind::Unavailable,
            lost: matches!(error, LibraryError::Conflict { .. }),
            message: error.to_string(),
        }
    }
}

impl Stall {
    pub(super) fn new(kind: FailureKind, message: String) -> Stall {
        Stall {
            kind,
            message,
            lost: false,
        }
    }

    /// Another engine drives the job now (or it was taken back from this one): stop without a word.
    fn elsewhere(message: String) -> Stall {
        Stall {
            kind: FailureKind::Unavailable,
            message,
            lost: true,
        }
    }
}

pub(super) fn account_or_unavailable(error: &ApiError) -> FailureKind {
    if error.is_account_problem() {
        FailureKind::Account
    } else {
        FailureKind::Unavailable
    }
}

/// What a job that an offline engine cannot continue ends with.
pub(crate) const SIMULATOR_CLOSED: &str = "the offline simulator that ran this job has closed";

/// Ends a job that will not succeed, saying why (in Moodgrid's words).
pub(super) async fn end(
    core: &Core,
    job: &JobRecord,
    state: JobState,
    kind: FailureKind,
    message: String,
) -> Result<(), Stall> {
    let update = JobUpdate {
        failure_kind: Some(kind),
        message: Some(message),
        ..JobUpdate::transition(job.state, state)
    };
    core.update(job, update).await?;
    Ok(())
}

/// Starts driving a job unless this engine already does, or another live engine does (then the watcher
/// follows it, and takes it over if that engine goes away).
pub(crate) fn spawn(core: Arc<Core>, job_id: i64) {
    if !core
        .driving
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(job_id)
    {
        // Its driver may be past its last look at the job, about to let go: it drives once more then.
        core.drive_again
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(job_id);
        return;
    }
    tokio::spawn(async move {
        let owner = core.owner.clone();
        let outcome = match core.db(move |l| l.claim_job(job_id, &owner)).await {
            Ok(Claim::Claimed { job, .. }) => drive(&core, job).await,
            Ok(Claim::HeldBy(_) | Claim::Finished(_)) => Ok(()),
            Err(e) => Err(e.into()),
        };
        core.driving
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&job_id);
        let asked_again = core
            .drive_again
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&job_id);
        if asked_again && outcome.is_ok() {
            // A finished job is not claimed again (`Claim::Finished`), so this ends at once when nothing changed.
            spawn(core.clone(), job_id);
        }
        let Err(stall) = outcome else {
            return;
        };
        // The job stays as it is, claimed by nobody: another engine (a window, `resume`) may try it later.
        let owner = core.owner.clone();
        let _ = core.db(move |l| l.release_job(job_id, &owner)).await;
        if stall.lost {
            tracing::info!(job_id, reason = %stall.message, "another engine drives this job now");
            return;
        }
        core.stalled
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(job_id, Instant::now());
        if core.emitter.is_closed() {
            // Nobody listens any more: the process is ending and its last tasks were cut short. The
            // job keeps its state and resumes next time; this is no stall to report.
            return;
        }
        // Info, not warn: the user is told through the event (the CLI's stderr line, the window's notice).
        tracing::info!(job_id, message = %stall.message, "job stalled");
        core.emitter.emit(Event::Stalled {
            job_id,
            kind: stall.kind,
            message: stall.message,
        });
    });
}

/// What a driver remembers between the steps of one job (the library holds everything that must survive).
#[derive(Default)]
struct Patience {
    /// When a submission first failed without reaching the service, in this run.
    unreachable_since: Option<Instant>,
    failures: u32,
}

async fn drive(core: &Arc<Core>, claimed: JobRecord) -> Result<(), Stall> {
    let job_id = claimed.id;
    // An offline job that was sent belongs to the simulator that ran it; once that is gone (its engine
    // exited or its claim lapsed, which is how this one could claim it), nothing can continue it.
    if claimed.instance != core.owner.instance
        && claimed.state != JobState::Queued
        && !claimed.state.is_final()
    {
        return end(
            core,
            &claimed,
            JobState::Failed,
            FailureKind::Job,
            SIMULATOR_CLOSED.into(),
        )
        .await;
    }
    let mut patience = Patience::default();
    loop {
        let job = core.db(move |l| l.job(job_id)).await?;
        match job.state {
            JobState::Queued => submit(core, job, &mut patience).await?,
            JobState::Submitting | JobState::Uncertain => {
                reconcile(core, job).await?;
                // Sent again (on proof): its patience with an unreachable service starts afresh.
                patience = Patience::default();
            }
            JobState::Pending | JobState::Running => poll(core, job).await?,
            JobState::Downloading => return download(core, job).await,
            _ => return Ok(()),
        }
    }
}

#[derive(Debug, PartialEq)]
enum SubmitFailure {
    /// Certainly not processed: wait and send again.
    Retry(Option<std::time::Duration>),
    /// The account's queue is full: pause all submissions, then send again.
    QueueFull,
    /// May have been processed: never send again, look it up.
    Uncertain,
    /// Refused for good.
    Refused(FailureKind),
}

fn classify(error: &ApiError) -> SubmitFailure {
    match error {
        e if e.is_account_problem() => SubmitFailure::Refused(FailureKind::Account),
        ApiError::InvalidRequest(_) | ApiError::Rejected { .. } | ApiError::TooLarge { .. } => {
            SubmitFailure::Refused(FailureKind::Invalid)
        }
        ApiError::NotFound { .. } | ApiError::NotAllowed(_) => {
            SubmitFailure::Refused(FailureKind::Unavailable)
        }
        ApiError::QueueFull { .. } => SubmitFailure::QueueFull,
        ApiError::RateLimited { retry_after } => SubmitFailure::Retry(*retry_after),
        e if e.may_have_been_processed() => SubmitFailure::Uncertain,
        _ => SubmitFailure::Retry(None),
    }
}

async fn submit(core: &Arc<Core>, job: JobRecord, patience: &mut Patience) -> Result<(), Stall> {
    stop_sending_if_stopping(core)?;
    let paused = *core.paused_until.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(until) = paused.filter(|u| *u > Instant::now()) {
        tokio::time::sleep_until(until).await;
    }
    let request = {
        let job = job.clone();
        core.db(move |l| Ok(outgoing(l, &job))).await?
    };
    let request = match request {
        Ok(request) => request,
        Err(EngineError::Invalid(message)) => {
            return end(
                core,
                &job,
                JobState::Rejected,
                FailureKind::Invalid,
                message,
            )
            .await;
        }
        Err(other) => return Err(Stall::new(FailureKind::Unavailable, other.to_string())),
    };
    let (job, mut proven_at) = begin_submission(core, &job).await?;
    if cfg!(debug_assertions) && !core.timing.pause_before_send.is_zero() {
        // The test hook: time for a test to stop the process right here (SIGSTOP, as Ctrl+Z does).
        tracing::info!(
            job_id = job.id,
            "test hook: pausing between `submitting` and the send"
        );
        sleep(core.timing.pause_before_send).await;
    }
    // The claim written with `submitting` covers a request that leaves within half a lease of that write,
    // measured on this process's monotonic clock from before the write. A process that was stopped in
    // between (Ctrl+Z, a debugger) proves it still holds the job first, and sends nothing if it does not.
    while proven_at.elapsed() > core.owner.lease / 2 {
        proven_at = Instant::now();
        let (id, owner, cover) = (job.id, core.owner.clone(), core.timing.request_timeout);
        match core.db(move |l| l.confirm_send(id, &owner, cover)).await {
            Ok(()) => {}
            Err(lost @ LibraryError::Conflict { .. }) => {
                return Err(Stall::elsewhere(format!("not sent: {lost}")));
            }
            Err(other) => return Err(other.into()),
        }
    }
    match send(&core.client, &request).await {
        Ok(remote_id) => answered(core, &job, remote_id).await,
        Err(error) => submit_failed(core, &job, error, patience).await,
    }
}

/// TTAPI took the request: its id is the job's, whatever happened meanwhile (`Library::accept_submission`).
/// Nothing it answers is thrown away: a second charge becomes a job of its own, driven from here.
async fn answered(core: &Arc<Core>, job: &JobRecord, remote_id: String) -> Result<(), Stall> {
    let Some(sent_seq) = job.sent_seq else {
        return Err(Stall::new(
            FailureKind::Unavailable,
            "the send was not recorded in the journal".into(),
        ));
    };
    let accepted = keep_answer(core, job.id, sent_seq, &remote_id).await?;
    match accepted {
        Accepted::Bound(job) => {
            core.emitter.emit(Event::JobChanged(Box::new(job)));
            Ok(())
        }
        Accepted::AlreadyKnown(known) if known.id == job.id => Err(Stall::elsewhere(
            "another process found TTAPI's answer first".into(),
        )),
        Accepted::AlreadyKnown(known) => {
            // A job with the same request found this answer in the history and took it: this job looks for
            // that job's own submission instead.
            let update = JobUpdate {
                message: Some(format!(
                    "TTAPI's answer was already taken by #{}, which made the same request",
                    known.id
                )),
                ..JobUpdate::transition(JobState::Submitting, JobState::Uncertain)
            };
            core.update(job, update).await?;
            Ok(())
        }
        Accepted::SentTwice { original, second } => {
            let second_id = second.id;
            core.emitter.emit(Event::JobChanged(original));
            core.emitter.emit(Event::JobChanged(second));
            spawn(core.clone(), second_id);
            Err(Stall::elsewhere(format!(
                "TTAPI charged #{} twice; the second result is #{second_id}",
                job.id
            )))
        }
    }
}

/// Stores TTAPI's answer, trying again a few times if the library fails: it is what was paid for. The
/// id is logged first, so that it is kept somewhere even if the library never takes it.
async fn keep_answer(
    core: &Core,
    job_id: i64,
    sent_seq: i64,
    remote_id: &str,
) -> Result<Accepted, Stall> {
    tracing::info!(job_id, remote_id, "TTAPI answered the submission");
    let mut tries = 0;
    loop {
        let (owner, remote) = (core.owner.clone(), remote_id.to_owned());
        match core
            .db(move |l| l.accept_submission(job_id, &owner, sent_seq, &remote))
            .await
        {
            Ok(accepted) => return Ok(accepted),
            Err(error) if tries < KEEP_ANSWER_TRIES => {
                tries += 1;
                tracing::warn!(job_id, remote_id, %error, "could not store TTAPI's answer; trying again");
                sleep(core.timing.backoff(tries, None)).await;
            }
            Err(error) => {
                tracing::error!(job_id, remote_id, %error, "TTAPI's answer could not be stored");
                return Err(error.into());
            }
        }
    }
}

/// Tries to store TTAPI's answer after the first.
const KEEP_ANSWER_TRIES: u32 = 5;

/// A process stopping on a signal begins no new send: the job stays queued (or is cancelled, if this
/// command made it), for another process or a later resume.
fn stop_sending_if_stopping(core: &Core) -> Result<(), Stall> {
    if core.stopping.load(std::sync::atomic::Ordering::Relaxed) {
        return Err(Stall::elsewhere(
            "not sent: this process is stopping".into(),
        ));
    }
    Ok(())
}

/// Moves the job to `submitting`, written (and synced) before sending: a crash from here on is reconciled,
/// never blindly re-sent. It waits while the account has its cap of jobs in flight, counted over every
/// process on the library. Returns the job and a moment taken just before the write that proved the claim.
async fn begin_submission(core: &Core, job: &JobRecord) -> Result<(JobRecord, Instant), Stall> {
    loop {
        stop_sending_if_stopping(core)?;
        let (id, owner, cap) = (job.id, core.owner.clone(), core.timing.max_in_progress);
        let cover = core.timing.request_timeout;
        let asked = Instant::now();
        match core
            .db(move |l| l.begin_submission(id, &owner, cap, cover))
            .await?
        {
            Some(job) => return Ok((job, asked)),
            None => sleep(core.timing.slot_check).await,
        }
    }
}

/// The request, on its endpoint; the TTAPI job id it was given.
async fn send(client: &crate::api::TtapiClient, request: &Outgoing) -> Result<String, ApiError> {
    match request {
        Outgoing::Imagine(r) => client.imagine(r).await,
        Outgoing::Action(r) => client.action(r).await,
        Outgoing::Blend(r) => client.blend(r).await,
        Outgoing::Describe(r) => client.describe(r).await,
        Outgoing::Seed(r) => client.seed(r).await,
        Outgoing::Inpaint(r) => client.inpaint(r).await,
    }
}

/// A submission the service did not accept: refused for good, perhaps received (looked up, never re-sent),
/// the service's queue full (every submission pauses), or certainly not sent (sent again later).
async fn submit_failed(
    core: &Core,
    job: &JobRecord,
    error: ApiError,
    patience: &mut Patience,
) -> Result<(), Stall> {
    let asked = match classify(&error) {
        SubmitFailure::Refused(kind) => {
            return end(core, job, JobState::Rejected, kind, error.to_string()).await;
        }
        SubmitFailure::Uncertain => {
            let update = JobUpdate {
                message: Some(error.to_string()),
                ..JobUpdate::transition(job.state, JobState::Uncertain)
            };
            core.update(job, update).await?;
            return Ok(());
        }
        SubmitFailure::QueueFull => {
            let wait = core.timing.backoff(job.submit_attempts.min(6), None);
            *core.paused_until.lock().unwrap_or_else(|p| p.into_inner()) =
                Some(Instant::now() + wait);
            let update = JobUpdate {
                message: Some(error.to_string()),
                ..JobUpdate::transition(job.state, JobState::Queued)
            };
            core.update(job, update).await?;
            return Ok(());
        }
        SubmitFailure::Retry(asked) => asked,
    };
    send_again_later(core, job, &error, asked, patience).await
}

/// Certainly not sent: back to `queued`, said, and sent again after a backoff, for a bounded time; then
/// the job stalls (it stays unfinished and resumes later).
async fn send_again_later(
    core: &Core,
    job: &JobRecord,
    error: &ApiError,
    asked: Option<Duration>,
    patience: &mut Patience,
) -> Result<(), Stall> {
    let since = *patience.unreachable_since.get_or_insert_with(Instant::now);
    patience.failures += 1;
    let give_up_at = since + core.timing.unreachable_patience;
    let wait = core.timing.backoff(patience.failures, asked);
    let giving_up = Instant::now() + wait > give_up_at;
    let reason = waiting_reason(error);
    let message = if giving_up {
        reason.clone()
    } else {
        format!(
            "{reason}; sending again in {} s",
            wait.as_secs_f64().ceil() as u64
        )
    };
    let update = JobUpdate {
        message: Some(message.clone()),
        ..JobUpdate::transition(job.state, JobState::Queued)
    };
    core.update(job, update).await?;
    if giving_up {
        return Err(Stall::new(account_or_unavailable(error), message));
    }
    let until_ms = now_ms()
        + give_up_at
            .saturating_duration_since(Instant::now())
            .as_millis() as i64;
    core.emitter.emit(Event::Waiting {
        job_id: job.id,
        reason,
        until_ms,
    });
    sleep(wait).await;
    Ok(())
}

/// Why a job is waiting to be sent again, in the user's words.
fn waiting_reason(error: &ApiError) -> String {
    match error {
        ApiError::RateLimited { retry_after } => match retry_after {
            Some(asked) => format!(
                "TTAPI asked Moodgrid to wait {} s before sending (HTTP 429)",
                asked.min(&super::MAX_RETRY_AFTER).as_secs()
            ),
            None => "TTAPI asked Moodgrid to slow down (HTTP 429)".into(),
        },
        other => other.to_string(),
    }
}

async fn poll(core: &Arc<Core>, mut job: JobRecord) -> Result<(), Stall> {
    let Some(remote_id) = job.remote_id.clone() else {
        core.update(&job, JobUpdate::transition(job.state, JobState::Uncertain))
            .await?;
        return Ok(());
    };
    let started = job.submitted_at.unwrap_or(job.created_at);
    // Wall-clock time: a deadline that passed while this process could not look (a sleeping laptop, a
    // stopped process, no network) is noticed at once, and the fetch below still comes first.
    let deadline = started + core.timing.give_up_after(job.timeout_secs).as_millis() as i64;
    let mut failures = 0u32;
    // Answers that cannot be read (not JSON, HTML, too large): how many in a row, since when.
    let mut unreadable: Option<(u32, Instant)> = None;
    loop {
        let remote = match core.client.fetch(&remote_id).await {
            Ok(remote) => remote,
            Err(error @ ApiError::BadResponse { .. }) => {
                let (count, since) = unreadable.get_or_insert((0, Instant::now()));
                *count += 1;
                if *count >= core.timing.unreadable_polls
                    && since.elapsed() >= core.timing.unreadable_patience
                {
                    let message = format!(
                        "TTAPI's answers about this job could not be read {count} times in a row over {:.1} s \
                         ({error}); the job continues on the next resume",
                        since.elapsed().as_secs_f64()
                    );
                    return Err(Stall::new(FailureKind::Unavailable, message));
                }
                sleep(core.timing.poll_after(job.mode, job.progress)).await;
                continue;
            }
            Err(error) if error.is_transient() => {
                failures += 1;
                if now_ms() > deadline && failures >= UNREACHABLE_PAST_DEADLINE {
                    // Never abandoned unseen: the job waits, unfinished, for a later look.
                    let message = format!(
                        "TTAPI could not be asked how this job ended ({error}); Moodgrid asks again on the next \
                         resume"
                    );
                    return Err(Stall::new(account_or_unavailable(&error), message));
                }
                sleep(core.timing.backoff(failures, error.retry_after())).await;
                continue;
            }
            Err(error @ (ApiError::Rejected { .. } | ApiError::NotFound { .. })) => {
                let message = if job.instance.is_some() {
                    SIMULATOR_CLOSED.to_owned()
                } else {
                    format!("TTAPI no longer knows this job: {error}")
                };
                return end(core, &job, JobState::Failed, FailureKind::Job, message).await;
            }
            Err(error) => {
                return Err(Stall::new(
                    account_or_unavailable(&error),
                    error.to_string(),
                ));
            }
        };
        failures = 0;
        unreadable = None;
        match remote.status {
            JobStatus::Success => return succeeded(core, &job, &remote).await,
            JobStatus::Failed => {
                let by_service = !remote.message.is_empty();
                let message = if by_service {
                    remote.message.clone()
                } else {
                    "TTAPI reported the job as failed, without a reason".to_owned()
                };
                // The quota TTAPI froze for it, which the ledger shows as refunded.
                let update = JobUpdate {
                    failure_kind: Some(FailureKind::Job),
                    message: Some(message),
                    message_by_service: by_service,
                    finished_remotely: true,
                    remote_status: Some("FAILED".into()),
                    quota: remote.data.quota,
                    ..JobUpdate::transition(job.state, JobState::Failed)
                };
                core.update(&job, update).await?;
                return Ok(());
            }
            _ => {
                job = record_progress(core, job, &remote).await?;
                if now_ms() > deadline {
                    let message = given_up(core, &job, now_ms() - started);
                    return end(
                        core,
                        &job,
                        JobState::Abandoned,
                        FailureKind::Unavailable,
                        message,
                    )
                    .await;
                }
                sleep(core.timing.poll_after(job.mode, job.progress)).await;
            }
        }
    }
}

/// Fetches that fail in a row past a job's deadline before the job waits for a later resume.
const UNREACHABLE_PAST_DEADLINE: u32 = 5;

/// What an abandoned job says: what Moodgrid saw and did, never words TTAPI did not say.
fn given_up(core: &Core, job: &JobRecord, waited_ms: i64) -> String {
    let standing = match job.state {
        JobState::Running => format!("running ({}%)", job.progress.unwrap_or(0)),
        _ => "waiting in its queue".to_owned(),
    };
    format!(
        "Moodgrid stopped waiting: {} s after the job was sent (its {} s timeout and a {} s margin), TTAPI still \
         had it {standing}. TTAPI may still finish it; fetching it again then saves its images",
        waited_ms / 1000,
        (f64::from(job.timeout_secs) * core.timing.timeout_scale).round(),
        (core.timing.timeout_margin.as_secs_f64() * core.timing.timeout_scale).round(),
    )
}

/// The service says the job succeeded: what it made is recorded and its images are next (`downloading`).
/// A seed job also gives its parent the seed; a describe job's prompts take the place of its prompt.
async fn succeeded(core: &Core, job: &JobRecord, remote: &Job) -> Result<(), Stall> {
    let data = &remote.data;
    let update = JobUpdate {
        remote_status: Some("SUCCESS".into()),
        progress: Some(100),
        components: Some(data.components.clone()),
        seed: data.seed.clone(),
        quota: data.quota,
        size: data.width.zip(data.height),
        image_url: remote.image_url().map(str::to_owned),
        image_urls: Some(data.images.clone()),
        finished_remotely: true,
        prompt: (job.kind == JobKind::Describe)
            .then(|| data.prompt.clone())
            .flatten(),
        ..JobUpdate::transition(job.state, JobState::Downloading)
    };
    core.update(job, update).await?;
    if let (JobKind::Seed, Some(seed), Some(parent)) = (job.kind, data.seed.clone(), job.parent_id)
    {
        core.annotate(
            parent,
            JobUpdate {
                seed: Some(seed),
                ..JobUpdate::default()
            },
        )
        .await?;
    }
    Ok(())
}

/// Stores where a running job stands, writing only when something changed.
async fn record_progress(
    core: &Core,
    job: JobRecord,
    remote: &Job,
) -> Result<JobRecord, LibraryError> {
    let state = if remote.status == JobStatus::PendingQueue {
        JobState::Pending
    } else {
        JobState::Running
    };
    let progress = remote.data.progress.or(job.progress);
    let wire = remote.status.as_wire();
    if state == job.state && progress == job.progress && job.remote_status.as_deref() == Some(wire)
    {
        return Ok(job);
    }
    core.update(
        &job,
        JobUpdate {
            remote_status: Some(wire.to_owned()),
            progress,
            // Frozen while it runs: the ledger counts it before TTAPI settles it.
            quota: remote.data.quota,
            ..JobUpdate::transition(job.state, state)
        },
    )
    .await
}

/// Asks the service once where a job stands and records it; a job that has ended remotely gets a driver to
/// finish it (download, final state). An abandoned job that TTAPI did finish after all is taken up again:
/// its images are saved, as if Moodgrid had waited.
pub(crate) async fn refresh(core: &Arc<Core>, job_id: i64) -> Result<JobRecord, EngineError> {
    let job = core.db(move |l| l.job(job_id)).await?;
    // Ended, but TTAPI may have what it lacked: an answer after Moodgrid stopped waiting, or a fresh
    // address for an image the CDN had lost (Download again).
    let reopening = match job.state {
        JobState::Abandoned => Some((
            JobState::Abandoned,
            "TTAPI finished it after Moodgrid had stopped waiting",
        )),
        _ if super::download::image_was_gone(&job) => Some((
            JobState::Failed,
            "Downloading again from TTAPI's fresh answer",
        )),
        _ => None,
    };
    let Some(remote_id) = job
        .remote_id
        .clone()
        .filter(|_| !job.state.is_final() || reopening.is_some())
    else {
        if !job.state.is_final() {
            spawn(core.clone(), job_id);
        }
        return Ok(job);
    };
    let remote = core
        .client
        .fetch(&remote_id)
        .await
        .map_err(EngineError::Api)?;
    let update = JobUpdate {
        remote_status: Some(remote.status.as_wire().to_owned()),
        progress: remote.data.progress,
        ..JobUpdate::default()
    };
    let mut record = core.annotate(job_id, update).await?;
    if remote.status.is_terminal() {
        if let Some((from, message)) = reopening {
            let owner = core.owner.clone();
            record = core
                .db(move |l| l.reopen(job_id, &owner, from, message))
                .await?;
            core.emitter
                .emit(Event::JobChanged(Box::new(record.clone())));
        }
        spawn(core.clone(), job_id);
    }
    Ok(record)
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};
    use std::sync::Mutex;
    use std::sync::atomic::AtomicBool;

    use super::*;
    use crate::api::{ApiKey, ClientOptions, NetworkPhase, TtapiClient};
    use crate::domain::Mode;
    use crate::engine::{Emitter, NewSubmission, Timing, prepare};
    use crate::library::{ImageRole, Library, Owner};
    use crate::sim::{SimConfig, Simulator};

    #[test]
    fn each_failure_to_submit_is_retried_looked_up_or_ended_as_its_cause_allows() {
        let network = |phase| ApiError::Network {
            phase,
            detail: "x".into(),
        };
        let cases = [
            (
                ApiError::Unauthorized,
                SubmitFailure::Refused(FailureKind::Account),
            ),
            (
                ApiError::InsufficientBalance {
                    message: String::new(),
                },
                SubmitFailure::Refused(FailureKind::Account),
            ),
            (
                ApiError::Rejected {
                    status: 400,
                    message: "bad".into(),
                },
                SubmitFailure::Refused(FailureKind::Invalid),
            ),
            (
                ApiError::NotAllowed("private".into()),
                SubmitFailure::Refused(FailureKind::Unavailable),
            ),
            (
                ApiError::QueueFull {
                    message: String::new(),
                },
                SubmitFailure::QueueFull,
            ),
            (
                ApiError::RateLimited {
                    retry_after: Some(Duration::from_secs(7)),
                },
                SubmitFailure::Retry(Some(Duration::from_secs(7))),
            ),
            // Never reached the service: sent again. May have reached it: looked up, never re-sent.
            (network(NetworkPhase::Connect), SubmitFailure::Retry(None)),
            (network(NetworkPhase::Timeout), SubmitFailure::Uncertain),
            (network(NetworkPhase::Interrupted), SubmitFailure::Uncertain),
            (ApiError::GatewayTimeout, SubmitFailure::Uncertain),
        ];
        for (error, want) in cases {
            assert_eq!(classify(&error), want, "{error:?}");
        }
    }

    /// A core on the simulator (as a service, with `key`), and the events it emits.
    async fn core_on(
        sim: &Simulator,
        library: Library,
        key: &str,
    ) -> (Arc<Core>, Arc<super::super::outbox::Outbox>) {
        let (emitter, received) = Emitter::for_tests();
        let timing = Timing::scaled(Duration::from_millis(20));
        let client = TtapiClient::with_options(
            sim.base_url(),
            ApiKey::new(key).unwrap(),
            ClientOptions::default(),
        )
        .unwrap();
        let core = Arc::new(Core {
            library: Arc::new(library),
            client,
            backend: sim.base_url().to_string(),
            owner: Owner::new(None, timing.lease),
            timing,
            emitter,
            paused_until: Mutex::new(None),
            driving: Mutex::new(HashSet::new()),
            drive_again: Mutex::new(HashSet::new()),
            stalled: Mutex::new(HashMap::new()),
            adopting: AtomicBool::new(false),
            created: Mutex::new(Vec::new()),
            stopping: AtomicBool::new(false),
            keys: Arc::new(crate::secrets::KeyStore::in_store(
                keyring_core::mock::Store::new().unwrap(),
            )),
        });
        (core, received)
    }

    /// Drives the job and waits until it has finished (or 20 s have passed).
    async fn driven(core: &Arc<Core>, id: i64) -> JobRecord {
        spawn(core.clone(), id);
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let job = core.library.job(id).unwrap();
            if job.state.is_final() || Instant::now() > deadline {
                return job;
            }
            sleep(Duration::from_millis(20)).await;
        }
    }

    fn imagine(prompt: &str) -> NewSubmission {
        NewSubmission::Imagine {
            prompt: prompt.into(),
            mode: Mode::Fast,
            timeout: None,
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_queued_job_is_sent_once_followed_to_the_end_and_its_images_saved() {
        let sim = Simulator::start(SimConfig::fast()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (core, events) = core_on(&sim, Library::open(dir.path()).unwrap(), "k").await;
        let job = prepare::create(&core, imagine("a quiet harbour"))
            .await
            .unwrap();
        assert_eq!(job.state, JobState::Queued);
        let done = driven(&core, job.id).await;
        assert_eq!(done.state, JobState::Succeeded, "{:?}", done.message);
        assert_eq!(sim.accepted_submissions(), 1);
        assert_eq!(
            sim.jobs()[0].id,
            done.remote_id.clone().unwrap(),
            "bound to the job the service made"
        );
        let roles: Vec<ImageRole> = core
            .library
            .images(job.id)
            .unwrap()
            .into_iter()
            .map(|i| i.role)
            .collect();
        assert_eq!(roles.iter().filter(|r| **r == ImageRole::Grid).count(), 1);
        assert_eq!(roles.iter().filter(|r| **r == ImageRole::Split).count(), 4);
        assert_eq!(done.owner, None, "a finished job is nobody's");
        // The journal holds every step; the listener, which read nothing meanwhile, is told where the job
        // ended (a job's newer record replaces an older one nobody read).
        let path: Vec<String> = core
            .library
            .events(job.id)
            .unwrap()
            .into_iter()
            .filter(|(kind, _)| kind == "state")
            .map(|(_, detail)| detail.split(':').next().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(
            path,
            [
                "queued → submitting",
                "submitting → pending",
                "pending → running",
                "running → downloading",
                "downloading → succeeded"
            ],
            "{path:?}"
        );
        // (The last record is published just after the write the library shows: wait for it.)
        let until = std::time::Instant::now() + Duration::from_secs(5);
        let mut told = Vec::new();
        while told.last() != Some(&JobState::Succeeded) {
            match events.recv_until(Some(until)) {
                Some(Event::JobChanged(changed)) => told.push(changed.state),
                Some(_) => {}
                None => break,
            }
        }
        assert_eq!(told.last(), Some(&JobState::Succeeded), "{told:?}");
        assert!(
            told.len() <= 2,
            "the steps nobody read were not kept: {told:?}"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_refused_key_ends_the_job_rejected_as_an_account_problem_without_sending_again() {
        let sim = Simulator::start(SimConfig {
            api_key: Some("the-right-key".into()),
            ..SimConfig::fast()
        })
        .await
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (core, _events) =
            core_on(&sim, Library::open(dir.path()).unwrap(), "a-wrong-key").await;
        let job = prepare::create(&core, imagine("a lighthouse"))
            .await
            .unwrap();
        let done = driven(&core, job.id).await;
        assert_eq!(
            (done.state, done.failure_kind),
            (JobState::Rejected, Some(FailureKind::Account))
        );
        assert_eq!(done.submit_attempts, 1, "asked once, not again");
        assert_eq!(sim.accepted_submissions(), 0);
    }
}
