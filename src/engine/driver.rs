//! One task per job, moving it through its states and persisting every step before taking the next:
//! queued → submitting → pending/running → downloading → succeeded (or failed, rejected, abandoned,
//! unconfirmed). Each step re-reads the job, so a restart resumes exactly where the last write left it.
//! A driver first claims its job in the library (`library::leases`): across every process on the library,
//! one engine drives a job at a time, and every write names the state it replaces.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::{Instant, sleep};

use super::prepare::{Outgoing, outgoing};
use super::{Core, EngineError, Event};
use crate::api::{ApiError, DEFAULT_MAX_DOWNLOAD_BYTES, FetchListQuery, Job, ListedJob};
use crate::domain::JobStatus;
use crate::library::{
    Claim, FailureKind, ImageRecord, ImageRole, JobKind, JobRecord, JobState, JobUpdate,
    LibraryError, now_ms,
};

/// Why a driver stopped without finishing the job: it stays unfinished and resumes later. `lost` means
/// another engine changed the job first: not a failure to report, that engine carries on.
struct Stall {
    kind: FailureKind,
    message: String,
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
    fn new(kind: FailureKind, message: String) -> Stall {
        Stall {
            kind,
            message,
            lost: false,
        }
    }
}

fn account_or_unavailable(error: &ApiError) -> FailureKind {
    if error.is_account_problem() {
        FailureKind::Account
    } else {
        FailureKind::Unavailable
    }
}

/// What a job that an offline engine cannot continue ends with.
pub(crate) const SIMULATOR_CLOSED: &str = "the offline simulator that ran this job has closed";

/// Ends a job that will not succeed, saying why.
async fn end(
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
        core.emitter
            .emit(Event::Stalled {
                job_id,
                kind: stall.kind,
                message: stall.message,
            })
            .await;
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
            JobState::Submitting | JobState::Uncertain => reconcile(core, job).await?,
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
    let job = begin_submission(core, &job).await?;
    match send(&core.client, &request).await {
        Ok(remote_id) => {
            let update = JobUpdate {
                remote_id: Some(remote_id),
                remote_status: Some("PENDING_QUEUE".into()),
                progress: Some(0),
                ..JobUpdate::transition(job.state, JobState::Pending)
            };
            core.update(&job, update).await?;
            Ok(())
        }
        Err(error) => submit_failed(core, &job, error, patience).await,
    }
}

/// Moves the job to `submitting`, written (and synced) before sending: a crash from here on is reconciled,
/// never blindly re-sent. It waits while the account has its cap of jobs in flight, counted over every
/// process on the library.
async fn begin_submission(core: &Core, job: &JobRecord) -> Result<JobRecord, Stall> {
    loop {
        let (id, owner, cap) = (job.id, core.owner.clone(), core.timing.max_in_progress);
        match core
            .db(move |l| l.begin_submission(id, &owner, cap))
            .await?
        {
            Some(job) => return Ok(job),
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
    core.emitter
        .emit(Event::Waiting {
            job_id: job.id,
            reason,
            until_ms,
        })
        .await;
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

/// The answer to a submission was lost: look for the job in the account's history rather than sending it
/// again blindly (which could charge twice). Found → adopted. Still missing after a grace period → sent
/// again, once, and the job's history says so. Missing after that → `unconfirmed`, for the user to decide.
async fn reconcile(core: &Arc<Core>, job: JobRecord) -> Result<(), Stall> {
    let job = if job.state == JobState::Submitting {
        let update = JobUpdate {
            message: Some("the answer to the submission was not seen".into()),
            ..JobUpdate::transition(job.state, JobState::Uncertain)
        };
        core.update(&job, update).await?
    } else {
        job
    };
    let id = job.id;
    let resent = core
        .db(move |l| Ok(l.events(id)?.iter().any(|(kind, _)| kind == RESENT)))
        .await?;
    let mut looks = core.timing.reconcile_delays.clone();
    if !resent {
        looks.push(core.timing.resend_grace);
    }
    // Only a look that worked and found nothing, after the grace period, allows a re-send.
    let mut missing_after_grace = false;
    for delay in looks {
        sleep(delay).await;
        missing_after_grace = false;
        match find_in_history(core, &job).await {
            Ok(Some(remote_id)) => {
                let update = JobUpdate {
                    remote_id: Some(remote_id),
                    message: Some("confirmed through the account's job list".into()),
                    ..JobUpdate::transition(job.state, JobState::Pending)
                };
                core.update(&job, update).await?;
                return Ok(());
            }
            Ok(None) => missing_after_grace = true,
            Err(e) if e.is_transient() => {}
            Err(e) => return Err(Stall::new(account_or_unavailable(&e), e.to_string())),
        }
    }
    if !resent && missing_after_grace {
        let looked =
            core.timing.reconcile_delays.iter().sum::<Duration>() + core.timing.resend_grace;
        let note = format!(
            "not in TTAPI's job list {} s after it was sent, so it never started: sent again (once)",
            looked.as_secs()
        );
        core.db(move |l| l.log_event(Some(id), RESENT, &note))
            .await?;
        let update = JobUpdate {
            message: Some("sent again: TTAPI's job list never showed the first submission".into()),
            ..JobUpdate::transition(job.state, JobState::Queued)
        };
        core.update(&job, update).await?;
        return Ok(());
    }
    end(
        core,
        &job,
        JobState::Unconfirmed,
        FailureKind::Unavailable,
        UNCONFIRMED.into(),
    )
    .await
}

/// One page of the account's job list, asked again after a transient failure (a look is several requests,
/// and one failed request must not make the whole look fail), a bounded number of times.
async fn list_patiently(
    core: &Arc<Core>,
    query: &FetchListQuery,
) -> Result<Vec<ListedJob>, ApiError> {
    let mut failures = 0;
    loop {
        match core.client.fetch_list(query).await {
            Err(e) if e.is_transient() && failures < LIST_ATTEMPTS => {
                failures += 1;
                sleep(core.timing.backoff(failures, e.retry_after())).await;
            }
            answer => return answer,
        }
    }
}

/// Tries of one request for the account's job list before the look counts as failed.
const LIST_ATTEMPTS: u32 = 6;

/// The event that records the one automatic re-send of a job whose submission was lost.
const RESENT: &str = "resent";

/// Said of a job whose submission may or may not have reached TTAPI: never "not charged" without proof.
pub(crate) const UNCONFIRMED: &str =
    "TTAPI may have run this job; check your history before sending it again";

/// The newest job in the account's history that matches this one and no local job has claimed. Blend and
/// describe have no prompt to compare, so for them only rows of the same action and mode count that are
/// newer than every row this library sent before the job (fetch-list has no timestamps), and only while
/// the job is within its own timeout.
async fn find_in_history(core: &Arc<Core>, job: &JobRecord) -> Result<Option<String>, ApiError> {
    let wanted_prompt = job.prompt.trim().to_owned();
    let promptless = wanted_prompt.is_empty();
    let sent_at = job.submitted_at.unwrap_or(job.created_at);
    if promptless && now_ms() > sent_at + i64::from(job.timeout_secs) * 1000 {
        return Ok(None);
    }
    let wanted_mode = job.mode.map(|m| m.as_str());
    for status in ["PENDING_QUEUE", "ON_QUEUE", "SUCCESS", "FAILED"] {
        let query = FetchListQuery {
            limit: FetchListQuery::MAX_LIMIT,
            status: Some(status.into()),
            order: Some("desc".into()),
            ..FetchListQuery::default()
        };
        for row in list_patiently(core, &query).await? {
            let Some(remote_id) = row.job_id.clone() else {
                continue;
            };
            let candidate = remote_id.clone();
            let known = core
                .db(move |l| l.job_by_remote_id(&candidate))
                .await
                .map_err(|e| ApiError::BadResponse {
                    status: 200,
                    reason: e.to_string(),
                })?;
            if let Some(known) = known {
                if promptless && known.submitted_at.is_some_and(|at| at < sent_at) {
                    // Newest first: everything from here on was sent before this job.
                    break;
                }
                continue;
            }
            if matches_job(&row, &job.action, &wanted_prompt, wanted_mode) {
                return Ok(Some(remote_id));
            }
        }
    }
    Ok(None)
}

fn matches_job(row: &ListedJob, action: &str, prompt: &str, mode: Option<&str>) -> bool {
    if row.action.as_deref() != Some(action) {
        return false;
    }
    if prompt.is_empty() {
        // No prompt to compare: the mode must agree where both are known.
        return match (row.model.as_deref(), mode) {
            (Some(row_mode), Some(mode)) => row_mode.eq_ignore_ascii_case(mode),
            _ => true,
        };
    }
    // Exact: a prefix match would take job 10 for job 1. A prompt TTAPI rewrote (translation) is not found,
    // and the job ends `unconfirmed` for the user to check: never charged twice.
    row.prompt.as_deref().unwrap_or("").trim() == prompt
}

async fn poll(core: &Arc<Core>, mut job: JobRecord) -> Result<(), Stall> {
    let Some(remote_id) = job.remote_id.clone() else {
        core.update(&job, JobUpdate::transition(job.state, JobState::Uncertain))
            .await?;
        return Ok(());
    };
    let started = job.submitted_at.unwrap_or(job.created_at);
    let deadline = started
        + i64::from(job.timeout_secs) * 1000
        + core.timing.timeout_margin.as_millis() as i64;
    let mut failures = 0u32;
    // Answers that cannot be read (not JSON, HTML, too large): how many in a row, since when.
    let mut unreadable: Option<(u32, Instant)> = None;
    loop {
        if now_ms() > deadline {
            let message = format!(
                "no result from TTAPI within {} s (the job's timeout plus a margin)",
                (deadline - started) / 1000
            );
            return end(core, &job, JobState::Abandoned, FailureKind::Job, message).await;
        }
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
                let message = if remote.message.is_empty() {
                    "TTAPI reported the job as failed, without a reason".to_owned()
                } else {
                    remote.message.clone()
                };
                // The quota TTAPI froze for it, which the ledger shows as refunded.
                let update = JobUpdate {
                    failure_kind: Some(FailureKind::Job),
                    message: Some(message),
                    quota: remote.data.quota,
                    ..JobUpdate::transition(job.state, JobState::Failed)
                };
                core.update(&job, update).await?;
                return Ok(());
            }
            _ => {
                job = record_progress(core, job, &remote).await?;
                sleep(core.timing.poll_after(job.mode, job.progress)).await;
            }
        }
    }
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

/// Puts an `unconfirmed` job back into reconciliation (the user asked to look again) and drives it.
pub(crate) async fn look_again(core: &Arc<Core>, job_id: i64) -> Result<JobRecord, EngineError> {
    let update = JobUpdate {
        message: Some("looking in the account's job list again".into()),
        ..JobUpdate::transition(JobState::Unconfirmed, JobState::Uncertain)
    };
    let record = core.store_update(job_id, update).await?;
    spawn(core.clone(), job_id);
    Ok(record)
}

/// Asks the service once where a job stands and records it; a job that has ended remotely gets a driver to
/// finish it (download, final state).
pub(crate) async fn refresh(core: &Arc<Core>, job_id: i64) -> Result<JobRecord, EngineError> {
    let job = core.db(move |l| l.job(job_id)).await?;
    let Some(remote_id) = job.remote_id.clone().filter(|_| !job.state.is_final()) else {
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
    if remote.status.is_terminal() {
        let update = JobUpdate {
            remote_status: Some(remote.status.as_wire().to_owned()),
            progress: remote.data.progress,
            ..JobUpdate::default()
        };
        let record = core.annotate(job_id, update).await?;
        spawn(core.clone(), job_id);
        Ok(record)
    } else {
        let update = JobUpdate {
            remote_status: Some(remote.status.as_wire().to_owned()),
            progress: remote.data.progress,
            ..JobUpdate::default()
        };
        Ok(core.annotate(job_id, update).await?)
    }
}

/// Saves every image of a succeeded job (content-addressed, with thumbnails); only then is it `succeeded`.
async fn download(core: &Arc<Core>, job: JobRecord) -> Result<(), Stall> {
    let job_id = job.id;
    let existing = core.db(move |l| l.images(job_id)).await?;
    let mut wanted: Vec<(ImageRole, u32, String)> = Vec::new();
    if !job.image_urls.is_empty() {
        wanted.extend(job.image_url.clone().map(|u| (ImageRole::Grid, 0, u)));
        wanted.extend(
            job.image_urls
                .iter()
                .enumerate()
                .map(|(i, u)| (ImageRole::Split, i as u32 + 1, u.clone())),
        );
    } else if let Some(url) = job.image_url.clone() {
        // Describe answers with the image it described; the user's own copy is already stored.
        let role = if job.kind == JobKind::Describe {
            ImageRole::Source
        } else {
            ImageRole::Upscale
        };
        wanted.push((role, u32::from(role == ImageRole::Source), url));
    }
    let mut missing = wanted.into_iter().filter(|(role, ordinal, _)| {
        !existing
            .iter()
            .any(|i| i.role == *role && i.ordinal == *ordinal)
    });
    // Two lanes: the main image (what the feed and gallery draw) on its own, so it is shown as soon as
    // it is saved, while the split images follow one by one beside it.
    let main: Vec<_> = missing.next().into_iter().collect();
    let rest: Vec<_> = missing.collect();
    let saved = tokio::try_join!(
        save_in_turn(core, job_id, main),
        save_in_turn(core, job_id, rest)
    );
    match saved {
        Ok(_) => {
            core.update(&job, JobUpdate::transition(job.state, JobState::Succeeded))
                .await?;
            Ok(())
        }
        // Images Moodgrid will never accept: the job ends, keeping its TTAPI id, and no resume tries again.
        Err(stall) if stall.kind == FailureKind::Job => {
            end(
                core,
                &job,
                JobState::Failed,
                FailureKind::Job,
                stall.message,
            )
            .await
        }
        Err(stall) => Err(stall),
    }
}

/// Saves `images` one after the other.
async fn save_in_turn(
    core: &Arc<Core>,
    job_id: i64,
    images: Vec<(ImageRole, u32, String)>,
) -> Result<(), Stall> {
    for (role, ordinal, url) in images {
        save_image(core, job_id, role, ordinal, url).await?;
    }
    Ok(())
}

/// Downloads and stores one image. A network failure is tried again up to `download_attempts` times and
/// then leaves the job for a later resume; an image refused by Moodgrid's limits (too large, too many
/// pixels, not an image, damaged) is tried `image_attempts` times, then fails the job (kind `Job`).
async fn save_image(
    core: &Arc<Core>,
    job_id: i64,
    role: ImageRole,
    ordinal: u32,
    url: String,
) -> Result<(), Stall> {
    let mut last_error = String::new();
    let mut refusals = 0;
    for attempt in 0..core.timing.download_attempts {
        if attempt > 0 {
            sleep(core.timing.backoff(attempt, None)).await;
        }
        let bytes = match core.client.download(&url, DEFAULT_MAX_DOWNLOAD_BYTES).await {
            Ok(bytes) => Ok(bytes),
            Err(error) if error.is_transient() => {
                last_error = error.to_string();
                continue;
            }
            Err(error @ (ApiError::TooLarge { .. } | ApiError::NotAllowed(_))) => {
                Err(error.to_string())
            }
            Err(error) => {
                return Err(Stall::new(
                    FailureKind::Unavailable,
                    format!("could not download {url}: {error}"),
                ));
            }
        };
        let refused = match bytes {
            Ok(bytes) => {
                let source_url = url.clone();
                let stored = core
                    .db(move |l| {
                        let image = l.store().put(&bytes)?;
                        l.add_image(&ImageRecord::stored(
                            job_id,
                            role,
                            ordinal,
                            image,
                            Some(source_url),
                        ))?;
                        l.image_files(job_id)
                    })
                    .await;
                match stored {
                    Ok(files) => {
                        core.emitter.emit(Event::ImageSaved { job_id, files }).await;
                        return Ok(());
                    }
                    Err(LibraryError::Image(e)) => e.to_string(),
                    Err(other) => return Err(other.into()),
                }
            }
            Err(refused) => refused,
        };
        // A damaged transfer reads as a damaged image, so it is fetched again, a few times.
        refusals += 1;
        last_error = refused;
        if refusals >= core.timing.image_attempts {
            return Err(Stall::new(
                FailureKind::Job,
                format!(
                    "TTAPI's image could not be kept after {refusals} tries: {last_error} ({url})"
                ),
            ));
        }
    }
    Err(Stall::new(
        FailureKind::Unavailable,
        format!("could not download {url}: {last_error}"),
    ))
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};
    use std::sync::Mutex;
    use std::sync::atomic::AtomicBool;

    use tokio::sync::mpsc;

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
    ) -> (Arc<Core>, mpsc::Receiver<Event>) {
        let (events, received) = mpsc::channel(256);
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
            emitter: Emitter {
                events,
                waker: Arc::new(|| {}),
            },
            paused_until: Mutex::new(None),
            driving: Mutex::new(HashSet::new()),
            drive_again: Mutex::new(HashSet::new()),
            stalled: Mutex::new(HashMap::new()),
            adopting: AtomicBool::new(false),
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
        let (core, mut events) = core_on(&sim, Library::open(dir.path()).unwrap(), "k").await;
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
        // The listeners saw it move through its states, ending where the library ends. The
        // library is written before the event goes out, so the last event may still be on its way.
        let mut states = Vec::new();
        while states.last() != Some(&JobState::Succeeded) {
            match tokio::time::timeout(Duration::from_secs(5), events.recv()).await {
                Ok(Some(Event::JobChanged(changed))) => states.push(changed.state),
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => break,
            }
        }
        assert_eq!(states.first(), Some(&JobState::Queued), "{states:?}");
        assert_eq!(states.last(), Some(&JobState::Succeeded), "{states:?}");
        for passed in [JobState::Pending, JobState::Running, JobState::Downloading] {
            assert!(states.contains(&passed), "{passed:?} in {states:?}");
        }
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
