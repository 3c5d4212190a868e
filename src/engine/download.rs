//! A succeeded job's images saved before it counts as succeeded: every image content-addressed with its
//! thumbnails, the main one on a lane of its own so the feed draws the grid while the splits follow.

use std::sync::Arc;

use tokio::time::sleep;

use super::Core;
use super::Event;
use super::driver::{Stall, end};
use crate::api::{ApiError, DEFAULT_MAX_DOWNLOAD_BYTES};
use crate::library::{
    FailureKind, ImageRecord, ImageRole, JobKind, JobRecord, JobState, JobUpdate, LibraryError,
};

/// Tries of an image whose address answers 403, 404 or 410, spread over `Timing::gone_patience`.
const GONE_TRIES: u32 = 4;

/// How a job whose result image is gone from TTAPI's CDN begins its message; the window offers Download
/// again on it (`driver::refresh` fetches the job afresh).
pub const IMAGE_GONE: &str = "TTAPI's image is gone";

/// Whether a failed job's message says its image was gone from TTAPI's CDN.
pub fn image_was_gone(job: &JobRecord) -> bool {
    job.state == JobState::Failed
        && !job.message_by_service
        && job
            .message
            .as_deref()
            .is_some_and(|m| m.starts_with(IMAGE_GONE))
}

/// Saves every image of a succeeded job (content-addressed, with thumbnails); only then is it `succeeded`.
pub(super) async fn download(core: &Arc<Core>, job: JobRecord) -> Result<(), Stall> {
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
    let mut gone = 0;
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
            // The CDN may not have the file yet, or has lost it for good: a few tries over a minute, then
            // the job ends, keeping its TTAPI id, so no resume downloads it forever; Download again asks
            // TTAPI afresh.
            Err(error) if error.gone_status().is_some() => {
                gone += 1;
                let status = error.gone_status().unwrap_or_default();
                if gone >= GONE_TRIES {
                    return Err(Stall::new(
                        FailureKind::Job,
                        format!("{} (HTTP {status}): {url}", IMAGE_GONE),
                    ));
                }
                last_error = error.to_string();
                sleep(core.timing.gone_patience / (GONE_TRIES - 1)).await;
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
                            image.clone(),
                            Some(source_url),
                        ))?;
                        l.store().keep(&image, &bytes)?;
                        l.image_files(job_id)
                    })
                    .await;
                match stored {
                    Ok(files) => {
                        core.emitter.emit(Event::ImageSaved { job_id, files });
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
