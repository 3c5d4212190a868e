//! One task per job, moving it through its states and persisting every step before taking the next:
//! queued → submitting → pending/running → downloading → succeeded (or failed, rejected, abandoned,
//! unconfirmed). Each step re-reads the job, so a restart resumes exactly where the last write left it.

use std::sync::Arc;

use tokio::sync::OwnedSemaphorePermit;
use tokio::time::{Instant, sleep};

use super::prepare::{Outgoing, outgoing};
use super::{Core, EngineError, Event, SIMULATOR_BACKEND};
use crate::api::{ApiError, DEFAULT_MAX_DOWNLOAD_BYTES, ErrorKind, FetchListQuery, Job};
use crate::domain::JobStatus;
use crate::library::{
    FailureKind, ImageRecord, ImageRole, JobKind, JobRecord, JobState, JobUpdate, LibraryError,
    now_ms,
};

/// Why a driver stopped without finishing the job: it stays unfinished and resumes later.
struct Stall {
    kind: FailureKind,
    message: String,
}

impl From<LibraryError> for Stall {
    fn from(error: LibraryError) -> Stall {
        Stall {
            kind: FailureKind::Unavailable,
            message: error.to_string(),
        }
    }
}

fn account_or_unavailable(error: &ApiError) -> FailureKind {
    match error.kind() {
        ErrorKind::Unauthorized | ErrorKind::InsufficientBalance | ErrorKind::Blocked => {
            FailureKind::Account
        }
        _ => FailureKind::Unavailable,
    }
}

/// Ends a job that will not succeed, saying why.
async fn end(
    core: &Core,
    job_id: i64,
    state: JobState,
    kind: FailureKind,
    message: String,
) -> Result<(), Stall> {
    let update = JobUpdate {
        failure_kind: Some(kind),
        message: Some(message),
        ..JobUpdate::state(state)
    };
    core.update(job_id, update).await?;
    Ok(())
}

/// Starts driving a job unless it already has a driver.
pub(crate) fn spawn(core: Arc<Core>, job_id: i64) {
    if !core
        .driving
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(job_id)
    {
        return;
    }
    tokio::spawn(async move {
        let outcome = drive(&core, job_id).await;
        core.driving
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&job_id);
        if let Err(stall) = outcome {
            if core.emitter.is_closed() {
                // Nobody listens any more: the process is ending and its last tasks were cut short. The
                // job keeps its state and resumes next time; this is no stall to report.
                return;
            }
            tracing::warn!(job_id, message = %stall.message, "job stalled");
            core.emitter
                .emit(Event::Stalled {
                    job_id,
                    kind: stall.kind,
                    message: stall.message,
                })
                .await;
        }
    });
}

async fn drive(core: &Arc<Core>, job_id: i64) -> Result<(), Stall> {
    let mut slot: Option<OwnedSemaphorePermit> = None;
    loop {
        let job = core.db(move |l| l.job(job_id)).await?;
        // A job holds one of the account's in-progress slots from submission until the service is done.
        if job.state == JobState::Queued || job.state.occupies_slot() {
            if slot.is_none() {
                slot = core.slots.clone().acquire_owned().await.ok();
            }
        } else {
            slot = None;
        }
        match job.state {
            JobState::Queued => submit(core, job).await?,
            JobState::Submitting | JobState::Uncertain => reconcile(core, job).await?,
            JobState::Pending | JobState::Running => poll(core, job).await?,
            JobState::Downloading => return download(core, job).await,
            _ => return Ok(()),
        }
    }
}

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
        ApiError::InvalidRequest(_) | ApiError::Rejected { .. } | ApiError::TooLarge { .. } => {
            SubmitFailure::Refused(FailureKind::Invalid)
        }
        ApiError::Unauthorized
        | ApiError::InsufficientBalance { .. }
        | ApiError::Blocked { .. } => SubmitFailure::Refused(FailureKind::Account),
        ApiError::NotFound { .. } => SubmitFailure::Refused(FailureKind::Unavailable),
        ApiError::QueueFull { .. } => SubmitFailure::QueueFull,
        ApiError::RateLimited { retry_after } => SubmitFailure::Retry(*retry_after),
        e if e.may_have_been_processed() => SubmitFailure::Uncertain,
        _ => SubmitFailure::Retry(None),
    }
}

/// Consecutive certain-not-sent failures after which the job waits for a later resume.
const SUBMIT_ATTEMPTS_BEFORE_STALL: u32 = 8;

async fn submit(core: &Arc<Core>, job: JobRecord) -> Result<(), Stall> {
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
                job.id,
                JobState::Rejected,
                FailureKind::Invalid,
                message,
            )
            .await;
        }
        Err(other) => {
            return Err(Stall {
                kind: FailureKind::Unavailable,
                message: other.to_string(),
            });
        }
    };
    // Written before sending: a crash from here on is reconciled, never blindly re-sent.
    let job = core
        .update(
            job.id,
            JobUpdate {
                submitted: true,
                count_attempt: true,
                ..JobUpdate::state(JobState::Submitting)
            },
        )
        .await?;
    let client = &core.client;
    let result = match &request {
        Outgoing::Imagine(r) => client.imagine(r).await,
        Outgoing::Action(r) => client.action(r).await,
        Outgoing::Blend(r) => client.blend(r).await,
        Outgoing::Describe(r) => client.describe(r).await,
        Outgoing::Seed(r) => client.seed(r).await,
        Outgoing::Inpaint(r) => client.inpaint(r).await,
    };
    let error = match result {
        Ok(remote_id) => {
            let update = JobUpdate {
                remote_id: Some(remote_id),
                remote_status: Some("PENDING_QUEUE".into()),
                progress: Some(0),
                ..JobUpdate::state(JobState::Pending)
            };
            core.update(job.id, update).await?;
            return Ok(());
        }
        Err(error) => error,
    };
    // Where the job goes next, and for a certain-not-sent failure, how long to wait before sending again.
    let (next, retry_after) = match classify(&error) {
        SubmitFailure::Refused(kind) => {
            return end(core, job.id, JobState::Rejected, kind, error.to_string()).await;
        }
        SubmitFailure::Uncertain => (JobState::Uncertain, None),
        SubmitFailure::QueueFull => {
            let wait = core.timing.backoff(job.submit_attempts.min(6), None);
            *core.paused_until.lock().unwrap_or_else(|p| p.into_inner()) =
                Some(Instant::now() + wait);
            (JobState::Queued, None)
        }
        SubmitFailure::Retry(asked) => (JobState::Queued, Some(asked)),
    };
    core.update(
        job.id,
        JobUpdate {
            message: Some(error.to_string()),
            ..JobUpdate::state(next)
        },
    )
    .await?;
    if let Some(asked) = retry_after {
        if job.submit_attempts >= SUBMIT_ATTEMPTS_BEFORE_STALL {
            return Err(Stall {
                kind: account_or_unavailable(&error),
                message: error.to_string(),
            });
        }
        sleep(core.timing.backoff(job.submit_attempts, asked)).await;
    }
    Ok(())
}

/// The answer to a submission was lost: look for the job in the account's history instead of sending it
/// again (which would charge twice). Found → adopted; never found → `unconfirmed`, for the user to decide.
async fn reconcile(core: &Arc<Core>, job: JobRecord) -> Result<(), Stall> {
    if job.state == JobState::Submitting {
        core.update(
            job.id,
            JobUpdate {
                message: Some("the answer to the submission was not seen".into()),
                ..JobUpdate::state(JobState::Uncertain)
            },
        )
        .await?;
    }
    for delay in core.timing.reconcile_delays.clone() {
        sleep(delay).await;
        match find_in_history(core, &job).await {
            Ok(Some(remote_id)) => {
                let update = JobUpdate {
                    remote_id: Some(remote_id),
                    message: Some("confirmed through the account's job list".into()),
                    ..JobUpdate::state(JobState::Pending)
                };
                core.update(job.id, update).await?;
                return Ok(());
            }
            Ok(None) => {}
            Err(e) if e.is_transient() => {}
            Err(e) => {
                return Err(Stall {
                    kind: account_or_unavailable(&e),
                    message: e.to_string(),
                });
            }
        }
    }
    let message = "TTAPI never confirmed this submission and its job list has no matching job, so it was not \
                   charged; submit it again if you still want it";
    end(
        core,
        job.id,
        JobState::Unconfirmed,
        FailureKind::Unavailable,
        message.into(),
    )
    .await
}

/// The newest job in the account's history that matches this one and no local job has claimed.
async fn find_in_history(core: &Arc<Core>, job: &JobRecord) -> Result<Option<String>, ApiError> {
    let wanted_prompt = job.prompt.trim().to_owned();
    for status in ["PENDING_QUEUE", "ON_QUEUE", "SUCCESS", "FAILED"] {
        let query = FetchListQuery {
            limit: FetchListQuery::MAX_LIMIT,
            status: Some(status.into()),
            order: Some("desc".into()),
            ..FetchListQuery::default()
        };
        for row in core.client.fetch_list(&query).await? {
            let Some(remote_id) = row.job_id.clone() else {
                continue;
            };
            let same_action = row.action.as_deref() == Some(job.action.as_str());
            let row_prompt = row.prompt.as_deref().unwrap_or("").trim();
            // Exact: a prefix match would take job 10 for job 1. A prompt TTAPI rewrote (translation) is
            // not found, and the job ends `unconfirmed` for the user to check: safe, never charged twice.
            let same_prompt = wanted_prompt.is_empty() || row_prompt == wanted_prompt;
            if same_action && same_prompt {
                let candidate = remote_id.clone();
                let known = core
                    .db(move |l| l.is_known_remote_id(&candidate))
                    .await
                    .unwrap_or(true);
                if !known {
                    return Ok(Some(remote_id));
                }
            }
        }
    }
    Ok(None)
}

async fn poll(core: &Arc<Core>, mut job: JobRecord) -> Result<(), Stall> {
    let Some(remote_id) = job.remote_id.clone() else {
        core.update(job.id, JobUpdate::state(JobState::Uncertain))
            .await?;
        return Ok(());
    };
    let started = job.submitted_at.unwrap_or(job.created_at);
    let deadline = started
        + i64::from(job.timeout_secs) * 1000
        + core.timing.timeout_margin.as_millis() as i64;
    let mut failures = 0u32;
    loop {
        if now_ms() > deadline {
            let message = format!(
                "no result from TTAPI within {} s (the job's timeout plus a margin)",
                (deadline - started) / 1000
            );
            return end(core, job.id, JobState::Abandoned, FailureKind::Job, message).await;
        }
        let remote = match core.client.fetch(&remote_id).await {
            Ok(remote) => remote,
            Err(error) if error.is_transient() => {
                failures += 1;
                let asked = match &error {
                    ApiError::RateLimited { retry_after } => *retry_after,
                    _ => None,
                };
                sleep(core.timing.backoff(failures, asked)).await;
                continue;
            }
            Err(error @ (ApiError::Rejected { .. } | ApiError::NotFound { .. })) => {
                let message = if job.backend == SIMULATOR_BACKEND {
                    "the offline simulator that ran this job was stopped before it finished"
                        .to_owned()
                } else {
                    format!("TTAPI no longer knows this job: {error}")
                };
                return end(core, job.id, JobState::Failed, FailureKind::Job, message).await;
            }
            Err(error) => {
                return Err(Stall {
                    kind: account_or_unavailable(&error),
                    message: error.to_string(),
                });
            }
        };
        failures = 0;
        let data = &remote.data;
        match remote.status {
            JobStatus::Success => {
                let update = JobUpdate {
                    remote_status: Some("SUCCESS".into()),
                    progress: Some(100),
                    components: Some(data.components.clone()),
                    seed: data.seed.clone(),
                    quota: data.quota,
                    size: data.width.zip(data.height),
                    image_url: remote.image_url().map(str::to_owned),
                    image_urls: Some(data.images.clone()),
                    // Describe answers with its prompts in place of the prompt.
                    prompt: (job.kind == JobKind::Describe)
                        .then(|| data.prompt.clone())
                        .flatten(),
                    ..JobUpdate::state(JobState::Downloading)
                };
                core.update(job.id, update).await?;
                if let (JobKind::Seed, Some(seed), Some(parent)) =
                    (job.kind, data.seed.clone(), job.parent_id)
                {
                    core.update(
                        parent,
                        JobUpdate {
                            seed: Some(seed),
                            ..JobUpdate::default()
                        },
                    )
                    .await?;
                }
                return Ok(());
            }
            JobStatus::Failed => {
                let message = if remote.message.is_empty() {
                    "TTAPI reported the job as failed, without a reason".to_owned()
                } else {
                    remote.message.clone()
                };
                return end(core, job.id, JobState::Failed, FailureKind::Job, message).await;
            }
            _ => {
                job = record_progress(core, job, &remote).await?;
                sleep(core.timing.poll_after(job.mode, job.progress)).await;
            }
        }
    }
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
        job.id,
        JobUpdate {
            remote_status: Some(wire.to_owned()),
            progress,
            ..JobUpdate::state(state)
        },
    )
    .await
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
        let record = core.update(job_id, update).await?;
        spawn(core.clone(), job_id);
        Ok(record)
    } else {
        Ok(record_progress(core, job, &remote).await?)
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
    tokio::try_join!(
        save_in_turn(core, job_id, main),
        save_in_turn(core, job_id, rest)
    )?;
    core.update(job.id, JobUpdate::state(JobState::Succeeded))
        .await?;
    Ok(())
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

async fn save_image(
    core: &Arc<Core>,
    job_id: i64,
    role: ImageRole,
    ordinal: u32,
    url: String,
) -> Result<(), Stall> {
    let mut last_error = String::new();
    for attempt in 0..core.timing.download_attempts {
        if attempt > 0 {
            sleep(core.timing.backoff(attempt, None)).await;
        }
        let bytes = match core.client.download(&url, DEFAULT_MAX_DOWNLOAD_BYTES).await {
            Ok(bytes) => bytes,
            Err(error) if error.is_transient() => {
                last_error = error.to_string();
                continue;
            }
            Err(error) => {
                return Err(Stall {
                    kind: FailureKind::Unavailable,
                    message: format!("could not download {url}: {error}"),
                });
            }
        };
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
            // A damaged transfer reads as a damaged image: fetch it again.
            Err(LibraryError::Image(e)) => {
                last_error = format!("the downloaded image is unreadable: {e}")
            }
            Err(other) => return Err(other.into()),
        }
    }
    Err(Stall {
        kind: FailureKind::Unavailable,
        message: format!("could not download {url}: {last_error}"),
    })
}
