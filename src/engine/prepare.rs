//! From what the user asked to a stored job (validated, written before anything is sent), and from a
//! stored job back to the request to send, so a job queued before a crash is sent the same way after it.

use std::sync::Arc;

use image::{Rgba, RgbaImage};

use super::{Core, EngineError};
use crate::api::wire::{
    ActionRequest, BLEND_MAX_IMAGES, BLEND_MIN_IMAGES, BlendRequest, DescribeRequest,
    ImagineRequest, InpaintRequest, JobOptions, JobRequest,
};
use crate::domain::mask::MaskOp;
use crate::domain::{BlendDimensions, Mode};
use crate::imaging;
use crate::library::{
    ImageRole, JobKind, JobParams, JobRecord, JobState, Library, LibraryError, NewJob, Owner,
    StoredImage,
};

/// An image the user gave, with a name to quote in messages.
#[derive(Debug, Clone)]
pub struct SourceImage {
    pub name: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone)]
pub enum DescribeSource {
    Image(SourceImage),
    Url(String),
}

/// A job the user asks for. Parents are local job ids.
#[derive(Debug, Clone)]
pub enum NewSubmission {
    Imagine {
        prompt: String,
        mode: Mode,
        timeout: Option<u32>,
    },
    Action {
        parent: i64,
        action: String,
        timeout: Option<u32>,
    },
    Blend {
        images: Vec<SourceImage>,
        dimensions: BlendDimensions,
        mode: Mode,
    },
    Describe {
        source: DescribeSource,
    },
    Seed {
        parent: i64,
    },
    /// `mask_png`: any image of the parent's exact size; it is thresholded to black/white (white = repaint).
    Inpaint {
        parent: i64,
        mask: SourceImage,
        prompt: Option<String>,
        /// The editor's operations that made the mask, kept with the job so it can be reopened.
        strokes: Option<Vec<MaskOp>>,
    },
    /// A new job asking exactly what a finished job asked (same inputs, same parent): Retry, Blend again.
    Retry {
        job: i64,
    },
}

/// The request to send for a stored job.
pub(crate) enum Outgoing {
    Imagine(ImagineRequest),
    Action(ActionRequest),
    Blend(BlendRequest),
    Describe(DescribeRequest),
    Seed(JobRequest),
    Inpaint(InpaintRequest),
}

fn invalid(message: impl Into<String>) -> EngineError {
    EngineError::Invalid(message.into())
}

/// A job's options as sent: its timeout, and no webhook (Moodgrid polls).
fn job_options(timeout: Option<u32>) -> JobOptions {
    JobOptions {
        timeout,
        hook_url: None,
    }
}

fn options(timeout: Option<u32>) -> Result<JobOptions, EngineError> {
    let options = job_options(timeout);
    options.validate().map_err(|e| invalid(e.0))?;
    Ok(options)
}

/// The imagine request for a prompt, mode and timeout: validated at creation, sent by `outgoing`.
fn imagine_request(prompt: String, mode: Mode, timeout: Option<u32>) -> ImagineRequest {
    ImagineRequest {
        prompt,
        mode: Some(mode),
        options: job_options(timeout),
        get_u_images: false,
    }
}

/// A parent that can be acted on: finished here, with a remote id, on this backend.
fn usable_parent(library: &Library, backend: &str, parent: i64) -> Result<JobRecord, EngineError> {
    let job = library.job(parent)?;
    let reference = job.reference();
    if job.state != JobState::Succeeded {
        return Err(invalid(format!(
            "job {reference} has not succeeded yet (it is {}); wait until it has",
            job.state.as_str()
        )));
    }
    if job.backend != backend {
        return Err(invalid(format!(
            "job {reference} was made on {}, not on {backend}",
            job.backend
        )));
    }
    if job.remote_id.is_none() {
        return Err(invalid(format!("job {reference} has no TTAPI id")));
    }
    Ok(job)
}

/// Validates `submission`, stores its inputs and writes the job row (state `queued`). Nothing is sent.
pub(crate) async fn create(
    core: &Arc<Core>,
    submission: NewSubmission,
) -> Result<JobRecord, EngineError> {
    if core.stopping.load(std::sync::atomic::Ordering::Relaxed) {
        return Err(EngineError::Stopped);
    }
    let backend = core.backend.clone();
    let library = core.library.clone();
    let owner = core.owner.clone();
    let job = tokio::task::spawn_blocking(move || {
        create_blocking(&library, &backend, &owner, submission)
    })
    .await
    .map_err(|e| invalid(format!("could not prepare the job: {e}")))??;
    core.created
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(job.id);
    core.emitter
        .emit(super::Event::JobChanged(Box::new(job.clone())));
    Ok(job)
}

fn create_blocking(
    library: &Library,
    backend: &str,
    owner: &Owner,
    submission: NewSubmission,
) -> Result<JobRecord, EngineError> {
    let mut inputs = Inputs::new();
    let (params, parent) = match submission {
        NewSubmission::Retry { job } => return retry(library, backend, owner, job),
        NewSubmission::Imagine {
            prompt,
            mode,
            timeout,
        } => (imagine(prompt, mode, timeout)?, None),
        NewSubmission::Action {
            parent,
            action,
            timeout,
        } => {
            let parent = usable_parent(library, backend, parent)?;
            (offered_action(&parent, action, timeout)?, Some(parent))
        }
        NewSubmission::Blend {
            images,
            dimensions,
            mode,
        } => (blend(images, dimensions, mode, &mut inputs)?, None),
        NewSubmission::Describe { source } => (describe(source, &mut inputs)?, None),
        NewSubmission::Seed { parent } => (
            JobParams::Seed,
            Some(usable_parent(library, backend, parent)?),
        ),
        NewSubmission::Inpaint {
            parent,
            mask,
            prompt,
            strokes,
        } => {
            let parent = usable_parent(library, backend, parent)?;
            let params = inpaint(&parent, mask, prompt, strokes, &mut inputs)?;
            (params, Some(parent))
        }
    };
    let job = NewJob::asking(backend, params, parent.as_ref());
    // Inputs are stored before the row so that a job never points at a missing file.
    let stored: Vec<_> = inputs
        .iter()
        .map(|(role, ordinal, bytes)| library.store().put(bytes).map(|s| (*role, *ordinal, s)))
        .collect::<Result<_, LibraryError>>()?;
    let created = library.create_job(&job, Some(owner), &stored)?;
    for ((_, _, bytes), (_, _, image)) in inputs.iter().zip(&stored) {
        library.store().keep(image, bytes)?;
    }
    Ok(created)
}

/// The images a submission brings, in the order they are sent: role, ordinal and bytes.
type Inputs = Vec<(ImageRole, u32, Vec<u8>)>;

fn imagine(prompt: String, mode: Mode, timeout: Option<u32>) -> Result<JobParams, EngineError> {
    let prompt = prompt.trim().to_owned();
    imagine_request(prompt.clone(), mode, timeout)
        .validate()
        .map_err(|e| invalid(e.0))?;
    Ok(JobParams::Imagine {
        prompt,
        mode,
        timeout,
    })
}

/// A button of the parent, if the parent offers it.
fn offered_action(
    parent: &JobRecord,
    action: String,
    timeout: Option<u32>,
) -> Result<JobParams, EngineError> {
    if !parent.components.contains(&action) {
        let offers = if parent.components.is_empty() {
            "none".to_owned()
        } else {
            parent.components.join(", ")
        };
        return Err(invalid(format!(
            "job {} does not offer `{action}` (it offers: {offers})",
            parent.reference()
        )));
    }
    let timeout = options(timeout)?.timeout;
    Ok(JobParams::Action { action, timeout })
}

fn blend(
    images: Vec<SourceImage>,
    dimensions: BlendDimensions,
    mode: Mode,
    inputs: &mut Inputs,
) -> Result<JobParams, EngineError> {
    if !(BLEND_MIN_IMAGES..=BLEND_MAX_IMAGES).contains(&images.len()) {
        return Err(invalid(format!(
            "blend takes {BLEND_MIN_IMAGES} to {BLEND_MAX_IMAGES} images, not {}",
            images.len()
        )));
    }
    for (i, image) in images.into_iter().enumerate() {
        inputs.push((ImageRole::Source, i as u32 + 1, upload_bytes(&image)?));
    }
    check_request_size(inputs)?;
    Ok(JobParams::Blend { dimensions, mode })
}

fn describe(source: DescribeSource, inputs: &mut Inputs) -> Result<JobParams, EngineError> {
    let url = match source {
        DescribeSource::Image(image) => {
            inputs.push((ImageRole::Source, 1, upload_bytes(&image)?));
            check_request_size(inputs)?;
            None
        }
        DescribeSource::Url(url) => {
            let parsed = reqwest::Url::parse(url.trim())
                .map_err(|_| invalid(format!("`{url}` is not a URL")))?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return Err(invalid(format!("`{url}` is not an http(s) address")));
            }
            Some(parsed.to_string())
        }
    };
    Ok(JobParams::Describe { url })
}

/// The parent's image repainted where `mask` is white; the prompt is the parent's unless another is given.
fn inpaint(
    parent: &JobRecord,
    mask: SourceImage,
    prompt: Option<String>,
    strokes: Option<Vec<MaskOp>>,
    inputs: &mut Inputs,
) -> Result<JobParams, EngineError> {
    let size = parent
        .width
        .zip(parent.height)
        .ok_or_else(|| invalid("the job has no image to repaint"))?;
    inputs.push((ImageRole::Mask, 0, black_and_white_mask(&mask, size)?));
    let prompt = prompt
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| parent.prompt.clone());
    Ok(JobParams::Inpaint {
        prompt,
        mask_ops: strokes,
    })
}

/// Copies a finished job's request into a new queued job (a retry after a failure, or a blend run again);
/// its input files are shared, not copied (the store is content-addressed).
fn retry(
    library: &Library,
    backend: &str,
    owner: &Owner,
    id: i64,
) -> Result<JobRecord, EngineError> {
    let failed = library.job(id)?;
    if !failed.state.is_final() {
        return Err(invalid(format!(
            "job #{id} is still {}; it can be run again once it has finished",
            failed.state.as_str()
        )));
    }
    if let Some(parent) = failed.parent_id {
        usable_parent(library, backend, parent)?;
    }
    let inputs: Vec<_> = library
        .images(id)?
        .into_iter()
        .filter(|i| !i.role.is_output())
        .map(|i| {
            let image = StoredImage {
                hash: i.hash,
                width: i.width,
                height: i.height,
                bytes: i.bytes,
                relative_path: i.path,
            };
            (i.role, i.ordinal, image)
        })
        .collect();
    let params = failed
        .params
        .clone()
        .map_err(|e| invalid(format!("job #{id} cannot be run again: {e}")))?;
    let new = NewJob {
        backend: backend.to_owned(),
        params,
        action: failed.action.clone(),
        // A describe job's prompt is its answer, not its input.
        prompt: if failed.kind == JobKind::Describe {
            String::new()
        } else {
            failed.prompt.clone()
        },
        mode: failed.mode,
        parent_id: failed.parent_id,
        timeout_secs: failed.timeout_secs,
    };
    Ok(library.create_job(&new, Some(owner), &inputs)?)
}

/// A user's image, ready to send, with its pixel size and what was done to it to fit.
#[derive(Debug, Clone)]
pub struct PreparedSource {
    pub image: SourceImage,
    pub width: u32,
    pub height: u32,
    pub note: Option<String>,
}

/// Checks and prepares image bytes (from a file, a drop or the clipboard) under `name`. CPU work: call it
/// off the UI thread.
pub fn prepare_source(name: String, bytes: &[u8]) -> Result<PreparedSource, EngineError> {
    let upload = imaging::prepare_upload(bytes).map_err(|e| invalid(format!("{name}: {e}")))?;
    Ok(PreparedSource {
        image: SourceImage {
            name,
            bytes: upload.bytes,
        },
        width: upload.width,
        height: upload.height,
        note: upload.note,
    })
}

/// Reads and prepares an image file, refusing files too large to consider before reading them. Disk and
/// CPU work: call it off the UI thread.
pub fn read_source_file(path: &std::path::Path) -> Result<PreparedSource, EngineError> {
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let bytes = crate::files::read_limited(path, imaging::MAX_SOURCE_FILE_BYTES, "an image")
        .map_err(invalid)?;
    prepare_source(name, &bytes)
}

/// The bytes to send for a user's image (downscaled if it is too large), or why it cannot be sent,
/// naming the file. Callers that want to tell the user about downscaling call
/// [`imaging::prepare_upload`] first; on its output this is a check that changes nothing.
fn upload_bytes(image: &SourceImage) -> Result<Vec<u8>, EngineError> {
    imaging::prepare_upload(&image.bytes)
        .map(|upload| upload.bytes)
        .map_err(|e| invalid(format!("{}: {e}", image.name)))
}

/// Refuses a request whose images together are too large, before anything is written or sent.
fn check_request_size(inputs: &Inputs) -> Result<(), EngineError> {
    // Base64 grows the bytes by a third, plus the data-URI prefix.
    imaging::check_request_size(inputs.iter().map(|(_, _, bytes)| bytes.len() * 4 / 3 + 32))
        .map_err(invalid)
}

/// The mask as TTAPI wants it: a PNG of exactly `size`, pure black and white (white = repaint). Grey or
/// coloured masks are thresholded at half brightness.
pub fn black_and_white_mask(mask: &SourceImage, size: (u32, u32)) -> Result<Vec<u8>, EngineError> {
    let image =
        imaging::decode_rgba(&mask.bytes).map_err(|e| invalid(format!("{}: {e}", mask.name)))?;
    if image.dimensions() != size {
        return Err(invalid(format!(
            "{} is {}×{} but the image is {}×{}; the mask must be exactly the image's size",
            mask.name,
            image.width(),
            image.height(),
            size.0,
            size.1
        )));
    }
    let thresholded = RgbaImage::from_fn(size.0, size.1, |x, y| {
        if imaging::is_repaint_pixel(image.get_pixel(x, y)) {
            Rgba([255, 255, 255, 255])
        } else {
            Rgba([0, 0, 0, 255])
        }
    });
    if !thresholded.pixels().any(|p| p[0] == 255) {
        return Err(invalid(format!(
            "{} has no white area: nothing would be repainted",
            mask.name
        )));
    }
    Ok(imaging::encode_png(&thresholded)?)
}

/// The request for a stored job, reading its input files back.
pub(crate) fn outgoing(library: &Library, job: &JobRecord) -> Result<Outgoing, EngineError> {
    let params = job.params.clone().map_err(|e| invalid(e.to_string()))?;
    let parent_remote = || -> Result<String, EngineError> {
        let parent = job
            .parent_id
            .ok_or_else(|| invalid("the job has lost its parent"))?;
        library
            .job(parent)?
            .remote_id
            .ok_or_else(|| invalid("the parent job has no TTAPI id"))
    };
    let read = |role: ImageRole| -> Result<Vec<Vec<u8>>, EngineError> {
        library
            .images(job.id)?
            .into_iter()
            .filter(|i| i.role == role)
            .map(|i| {
                let path = library.root().join(&i.path);
                std::fs::read(&path).map_err(|source| LibraryError::Io { path, source }.into())
            })
            .collect()
    };
    Ok(match params {
        JobParams::Imagine {
            prompt,
            mode,
            timeout,
        } => Outgoing::Imagine(imagine_request(prompt, mode, timeout)),
        JobParams::Action { action, timeout } => Outgoing::Action(ActionRequest {
            job_id: parent_remote()?,
            action,
            options: job_options(timeout),
        }),
        JobParams::Blend { dimensions, mode } => Outgoing::Blend(BlendRequest {
            img_base64_array: read(ImageRole::Source)?
                .iter()
                .map(|bytes| imaging::to_data_uri(bytes))
                .collect::<Result<_, _>>()?,
            dimensions: Some(dimensions),
            mode: Some(mode),
            options: JobOptions::default(),
        }),
        JobParams::Describe { url } => {
            let base64 = read(ImageRole::Source)?
                .first()
                .map(|b| imaging::to_data_uri(b))
                .transpose()?;
            Outgoing::Describe(DescribeRequest {
                base64,
                url,
                options: JobOptions::default(),
            })
        }
        JobParams::Seed => Outgoing::Seed(JobRequest::new(parent_remote()?)),
        JobParams::Inpaint { prompt, .. } => {
            let mask = read(ImageRole::Mask)?
                .into_iter()
                .next()
                .ok_or_else(|| invalid("the job's mask is missing"))?;
            Outgoing::Inpaint(InpaintRequest {
                job_id: parent_remote()?,
                mask: imaging::to_base64(&mask),
                prompt: Some(prompt),
                options: JobOptions::default(),
            })
        }
    })
}

impl From<imaging::ImageError> for EngineError {
    fn from(error: imaging::ImageError) -> EngineError {
        EngineError::Invalid(error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(img: &RgbaImage) -> SourceImage {
        SourceImage {
            name: "mask.png".into(),
            bytes: imaging::encode_png(img).unwrap(),
        }
    }

    #[test]
    fn masks_are_thresholded_to_pure_black_and_white_at_the_exact_size() {
        let grey = RgbaImage::from_fn(8, 4, |x, _| {
            if x < 3 {
                Rgba([200, 200, 200, 255])
            } else {
                Rgba([90, 90, 90, 255])
            }
        });
        let png = black_and_white_mask(&source(&grey), (8, 4)).unwrap();
        let mask = imaging::decode_rgba(&png).unwrap();
        for (x, _, p) in mask.enumerate_pixels() {
            let want = if x < 3 { 255 } else { 0 };
            assert_eq!(p.0, [want, want, want, 255]);
        }
    }

    #[test]
    fn masks_of_the_wrong_size_or_without_white_are_refused() {
        let white = RgbaImage::from_pixel(8, 4, Rgba([255, 255, 255, 255]));
        let err = black_and_white_mask(&source(&white), (16, 8))
            .unwrap_err()
            .to_string();
        assert!(err.contains("is 8×4 but the image is 16×8"), "{err}");
        let black = RgbaImage::from_pixel(8, 4, Rgba([0, 0, 0, 255]));
        let err = black_and_white_mask(&source(&black), (8, 4))
            .unwrap_err()
            .to_string();
        assert!(err.contains("no white area"), "{err}");
        let not_image = SourceImage {
            name: "notes.png".into(),
            bytes: b"hello".to_vec(),
        };
        let err = black_and_white_mask(&not_image, (8, 4))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("notes.png: not an image"), "{err}");
    }
}
