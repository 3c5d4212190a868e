//! The simulator's HTTP surface: one handler per TTAPI endpoint plus the `/cdn/` image host.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use image::RgbaImage;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::render::{self, stable_hash};
use super::state::{AssetRef, Phase, RenderState, Rendered, SimJob};
use super::{BANNED_PROMPT_MESSAGE, Shared, faults};
use crate::api::wire::{
    ActionRequest, BlendRequest, DescribeRequest, FetchListQuery, ImagineRequest, InpaintRequest,
    JobOptions, JobRequest, MAX_TIMEOUT_SECS, PromptCheckRequest, RequestError,
};
use crate::domain::params::{self, Certainty};
use crate::domain::pricing::PriceKey;
use crate::domain::prompt::{aspect_ratio, image_size_for_ratio};
use crate::domain::{Action, Mode, OutputShape, UpscaleKind};
use crate::imaging::{self, ImageError};

const UNAUTHORIZED_MESSAGE: &str = "Wrong TT-API-KEY or email is not activated.";
/// Blend sends up to five base64 images in one body.
const MAX_BODY_BYTES: usize = 128 * 1024 * 1024;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let api = Router::new()
        .route("/midjourney/v1/imagine", post(imagine))
        .route("/midjourney/v1/action", post(action))
        .route("/midjourney/v1/blend", post(blend))
        .route("/midjourney/v1/describe", post(describe))
        .route("/midjourney/v1/inpaint", post(inpaint))
        .route("/midjourney/v1/seed", post(seed))
        .route("/midjourney/v1/fetch", get(fetch).post(fetch))
        .route("/midjourney/v1/promptCheck", post(prompt_check))
        .route("/midjourney/v1/info", get(info))
        .route(
            "/midjourney/v1/fetch-list",
            get(fetch_list).post(fetch_list),
        )
        .route("/midjourney/status", get(service_status))
        .route_layer(middleware::from_fn_with_state(shared.clone(), authenticate));
    Router::new()
        .merge(api)
        .route("/cdn/{*key}", get(cdn))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            shared.clone(),
            faults::inject,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(shared)
}

/// The envelope of a refused request.
pub(crate) fn failed(status: StatusCode, message: &str) -> Response {
    (
        status,
        axum::Json(json!({"status": "FAILED", "message": message, "data": null})),
    )
        .into_response()
}

/// A request the simulator refuses; answered as the FAILED envelope with its status code.
pub(crate) struct Refusal {
    status: StatusCode,
    message: String,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        failed(self.status, &self.message)
    }
}

impl From<RequestError> for Refusal {
    fn from(error: RequestError) -> Refusal {
        bad_request(error.0)
    }
}

type Answer = Result<Response, Refusal>;

fn refuse(status: StatusCode, message: impl Into<String>) -> Refusal {
    Refusal {
        status,
        message: message.into(),
    }
}

fn bad_request(message: impl Into<String>) -> Refusal {
    refuse(StatusCode::BAD_REQUEST, message)
}

fn accepted(job_id: &str) -> Response {
    axum::Json(json!({"status": "SUCCESS", "message": "success", "data": {"jobId": job_id}}))
        .into_response()
}

async fn authenticate(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let given = request
        .headers()
        .get("TT-API-KEY")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .unwrap_or("");
    let allowed = match &shared.config.api_key {
        Some(expected) => given == expected,
        None => !given.is_empty(),
    };
    if allowed {
        next.run(request).await
    } else {
        // The documented 401 body has no `data` key.
        (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"status": "FAILED", "message": UNAUTHORIZED_MESSAGE})),
        )
            .into_response()
    }
}

async fn not_found() -> Response {
    failed(StatusCode::NOT_FOUND, "Not found")
}

fn parse<T: DeserializeOwned + Default>(body: &[u8]) -> Result<T, Refusal> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|e| bad_request(format!("Parameter error: {e}")))
}

// ------------------------------------------------------------------------------------------------------
// Admission: the checks every submission passes, and the job row it creates.

struct NewJob {
    action: String,
    prompt: String,
    mode: Mode,
    options: JobOptions,
    shape: Option<OutputShape>,
    /// Fraction of the configured duration (seed and describe are quicker than renders).
    duration_scale: f64,
    reveals_seed_of: Option<String>,
    doomed: Option<String>,
}

impl NewJob {
    fn new(action: &str, prompt: &str, mode: Mode, shape: Option<OutputShape>) -> NewJob {
        NewJob {
            action: action.to_owned(),
            prompt: prompt.to_owned(),
            mode,
            options: JobOptions::default(),
            shape,
            duration_scale: 1.0,
            reveals_seed_of: None,
            doomed: None,
        }
    }
}

/// Creates the job if the account may run it: 400 when its mode is down, 499 past the in-progress cap,
/// 402 without balance. It costs what the simulator's price table says.
fn admit(shared: &Shared, new: NewJob) -> Result<SimJob, Refusal> {
    let config = &shared.config;
    if config.modes_down.contains(&new.mode) {
        // What TTAPI answers when no account can take the mode (contract §8.1, client C4).
        return Err(bad_request(format!(
            "No available accounts for {} mode",
            new.mode
        )));
    }
    let now = Instant::now();
    let mut state = shared.state();
    state.settle(now);
    if state.in_progress(now) >= config.max_in_progress {
        return Err(refuse(
            StatusCode::from_u16(499).unwrap_or(StatusCode::TOO_MANY_REQUESTS),
            format!(
                "Queue exhausted: at most {} jobs may be in progress at once",
                config.max_in_progress
            ),
        ));
    }
    let quota = config
        .prices
        .price(&PriceKey::new(new.mode, &new.action, &new.prompt));
    if state.balance < quota {
        return Err(refuse(
            StatusCode::PAYMENT_REQUIRED,
            "Insufficient balance, please top up",
        ));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let (queued_for, runs_for) = config.durations(new.mode);
    let (queued_for, mut runs_for) = (
        queued_for.mul_f64(new.duration_scale),
        runs_for.mul_f64(new.duration_scale),
    );
    let timeout = Duration::from_secs(u64::from(new.options.timeout.unwrap_or(MAX_TIMEOUT_SECS)));
    let mut doomed = new.doomed;
    // Midjourney refuses a parameter a documented rule forbids, as a failed job (contract §8.2).
    let prompted = new.action == "imagine" || new.action == "inpaint";
    if let Some(invalid) = params::check(&new.prompt)
        .into_iter()
        .find(|w| prompted && doomed.is_none() && w.certainty() == Certainty::Confirmed)
    {
        doomed = Some(format!("[Invalid parameter] {}", invalid.message));
    }
    let lower = new.prompt.to_lowercase();
    if config
        .banned_words
        .iter()
        .any(|w| !w.is_empty() && lower.contains(&w.to_lowercase()))
    {
        doomed = Some(BANNED_PROMPT_MESSAGE.to_owned());
    }
    if queued_for + runs_for > timeout {
        runs_for = timeout.saturating_sub(queued_for);
        doomed = Some("Job Timeout".to_owned());
    }
    let seed = stable_hash(&[
        &config.seed.to_le_bytes(),
        id.as_bytes(),
        new.prompt.as_bytes(),
    ]) & 0xffff_ffff;
    let job = SimJob {
        id: id.clone(),
        action: new.action,
        prompt: new.prompt,
        mode: new.mode,
        submitted_at: now,
        queued_for,
        runs_for,
        doomed,
        quota,
        refunded: false,
        hook_url: new.options.hook_url.filter(|h| !h.is_empty()),
        render: RenderState::Pending,
        seed,
        seed_revealed: false,
        reveals_seed_of: new.reveals_seed_of,
        shape: new.shape,
        rendered_at: None,
        success_reported_at: None,
    };
    state.balance -= quota;
    state.accepted_submissions += 1;
    state.add_job(job.clone());
    Ok(job)
}

/// What a render produces before it is stored: encoded PNGs with their sizes.
struct Output {
    main: Option<(Bytes, u32, u32)>,
    quadrants: Option<[(Bytes, u32, u32); 4]>,
    prompt: Option<String>,
}

fn encoded(img: &RgbaImage) -> Result<(Bytes, u32, u32), ImageError> {
    Ok((Bytes::from(render::png(img)?), img.width(), img.height()))
}

fn grid_output(quadrants: [RgbaImage; 4]) -> Result<Output, ImageError> {
    let grid = render::grid(&quadrants);
    let [a, b, c, d] = &quadrants;
    Ok(Output {
        main: Some(encoded(&grid)?),
        quadrants: Some([encoded(a)?, encoded(b)?, encoded(c)?, encoded(d)?]),
        prompt: None,
    })
}

fn single_output(img: &RgbaImage) -> Result<Output, ImageError> {
    Ok(Output {
        main: Some(encoded(img)?),
        quadrants: None,
        prompt: None,
    })
}

/// Renders off the async threads and stores the result; the job reports SUCCESS only after this.
fn spawn_render<F>(shared: Arc<Shared>, job_id: String, work: F)
where
    F: FnOnce() -> Result<Output, ImageError> + Send + 'static,
{
    tokio::spawn(async move {
        let result = tokio::task::spawn_blocking(work)
            .await
            .unwrap_or_else(|e| Err(ImageError::Encode(format!("render task failed: {e}"))));
        store_render(&shared, &job_id, result);
    });
}

fn store_render(shared: &Shared, job_id: &str, result: Result<Output, ImageError>) {
    let mut state = shared.state();
    let render = match result {
        Ok(output) => {
            let mut store = |name: &str, (bytes, width, height): (Bytes, u32, u32)| {
                let key = format!("{job_id}/{name}.png");
                state.keep_asset(key.clone(), bytes);
                AssetRef { key, width, height }
            };
            let main = output.main.map(|m| {
                store(
                    if output.quadrants.is_some() {
                        "grid"
                    } else {
                        "image"
                    },
                    m,
                )
            });
            let quadrants = output.quadrants.map(|[a, b, c, d]| {
                [
                    store("tl", a),
                    store("tr", b),
                    store("bl", c),
                    store("br", d),
                ]
            });
            RenderState::Ready(Rendered {
                main,
                quadrants,
                prompt: output.prompt,
            })
        }
        Err(error) => {
            RenderState::Failed(format!("[Internal error] Something went wrong: {error}"))
        }
    };
    if let Some(job) = state.jobs.get_mut(job_id) {
        job.render = render;
        job.rendered_at = Some(Instant::now());
    }
}

/// A finished job to build on, or the 400 that explains why it cannot be used.
fn finished_job(shared: &Shared, job_id: &str) -> Result<SimJob, Refusal> {
    let now = Instant::now();
    let mut state = shared.state();
    state.settle(now);
    let job = state
        .jobs
        .get(job_id)
        .ok_or_else(|| bad_request(format!("Job {job_id} not found")))?;
    match job.phase(now) {
        Phase::Succeeded => Ok(job.clone()),
        phase => Err(bad_request(format!(
            "Job {job_id} has not succeeded (it is {}); wait for SUCCESS before using it",
            phase.wire()
        ))),
    }
}

fn asset(shared: &Shared, asset: &AssetRef) -> Result<Bytes, Refusal> {
    shared
        .state()
        .assets
        .get(&asset.key)
        .cloned()
        .ok_or_else(|| {
            refuse(
                StatusCode::BAD_REQUEST,
                "the job's image has expired from the simulator's memory; start from a newer job",
            )
        })
}

fn rendered(job: &SimJob) -> Option<&Rendered> {
    match &job.render {
        RenderState::Ready(r) => Some(r),
        _ => None,
    }
}

fn decode(bytes: &[u8]) -> Result<RgbaImage, ImageError> {
    imaging::decode_rgba(bytes)
}

// ------------------------------------------------------------------------------------------------------
// Submissions

/// Runs CPU work (decoding, checking pixels) off the async threads.
async fn blocking<T, F>(work: F) -> Result<T, Refusal>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, Refusal> + Send + 'static,
{
    tokio::task::spawn_blocking(work).await.map_err(|e| {
        refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("worker failed: {e}"),
        )
    })?
}

async fn imagine(State(shared): State<Arc<Shared>>, body: Bytes) -> Answer {
    let request: ImagineRequest = parse(&body)?;
    request.validate()?;
    let mut new = NewJob::new(
        "imagine",
        &request.prompt,
        request.mode.unwrap_or_default(),
        Some(OutputShape::Grid),
    );
    new.options = request.options;
    let job = admit(&shared, new)?;
    if job.doomed.is_none() {
        let size = image_size_for_ratio(aspect_ratio(&job.prompt).unwrap_or((1, 1)));
        let (prompt, seed) = (job.prompt.clone(), job.seed);
        spawn_render(shared.clone(), job.id.clone(), move || {
            grid_output(render::imagine_grid(&prompt, seed, size))
        });
    }
    Ok(accepted(&job.id))
}

async fn action(State(shared): State<Arc<Shared>>, body: Bytes) -> Answer {
    let request: ActionRequest = parse(&body)?;
    request.validate()?;
    let parent = finished_job(&shared, &request.job_id)?;
    let offered = parent.components();
    if !offered.contains(&request.action) {
        let offers = if offered.is_empty() {
            "none".to_owned()
        } else {
            offered.join(", ")
        };
        return Err(bad_request(format!(
            "Action `{}` is not available on job {} (it offers: {offers})",
            request.action, parent.id
        )));
    }
    let action = Action::parse(&request.action);
    let output = rendered(&parent);
    let source_ref = match &action {
        Action::Upsample(n) | Action::Variation(n) => output
            .and_then(|o| o.quadrants.as_ref())
            .map(|q| q[usize::from(*n) - 1].clone()),
        // A reroll paints anew at the size of the grid's images.
        Action::Reroll => output
            .and_then(|o| o.quadrants.as_ref())
            .map(|q| q[0].clone()),
        _ => output.and_then(|o| o.main.clone()),
    };
    let source_ref = source_ref.ok_or_else(|| {
        refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the parent job has no image for this action",
        )
    })?;
    let source = asset(&shared, &source_ref)?;
    let mut new = NewJob::new(
        &request.action,
        &parent.prompt,
        parent.mode,
        action.output(),
    );
    new.options = request.options;
    let job = admit(&shared, new)?;
    if job.doomed.is_none() {
        let (prompt, seed) = (job.prompt.clone(), job.seed);
        spawn_render(shared.clone(), job.id.clone(), move || {
            render_action(&action, source, &source_ref, &prompt, seed)
        });
    }
    Ok(accepted(&job.id))
}

fn render_action(
    action: &Action,
    source: Bytes,
    source_ref: &AssetRef,
    prompt: &str,
    seed: u64,
) -> Result<Output, ImageError> {
    match action {
        // U1–U4 hand back the quadrant itself, byte for byte, as Midjourney does.
        Action::Upsample(_) => Ok(Output {
            main: Some((source, source_ref.width, source_ref.height)),
            quadrants: None,
            prompt: None,
        }),
        Action::Reroll => grid_output(render::imagine_grid(
            prompt,
            seed,
            (source_ref.width, source_ref.height),
        )),
        Action::Variation(_) => grid_output(render::variations(&decode(&source)?, 0.5, seed)),
        Action::HighVariation => grid_output(render::variations(&decode(&source)?, 0.9, seed)),
        Action::LowVariation => grid_output(render::variations(&decode(&source)?, 0.25, seed)),
        Action::Upscale(kind) | Action::RedoUpscale(kind) => single_output(&render::upscale(
            &decode(&source)?,
            kind.factor(),
            *kind == UpscaleKind::Creative,
            seed,
        )),
        Action::ZoomOut2 => grid_output(render::zoom_out(&decode(&source)?, 2.0, seed)),
        Action::ZoomOut1_5 => grid_output(render::zoom_out(&decode(&source)?, 1.5, seed)),
        Action::Pan(direction) => grid_output(render::pan(&decode(&source)?, *direction, seed)),
        Action::MakeSquare => grid_output(render::make_square(&decode(&source)?, seed)),
        Action::Other(name) => Err(ImageError::Encode(format!(
            "the simulator cannot render `{name}`"
        ))),
    }
}

async fn blend(State(shared): State<Arc<Shared>>, body: Bytes) -> Answer {
    let request: BlendRequest = parse(&body)?;
    request.validate()?;
    let inputs = request.img_base64_array.clone();
    let images = blocking(move || {
        inputs
            .iter()
            .enumerate()
            .map(|(i, uri)| {
                imaging::from_base64_or_data_uri(uri)
                    .and_then(|bytes| decode(&bytes))
                    .map_err(|e| {
                        bad_request(format!("imgBase64Array[{i}] is not a usable image: {e}"))
                    })
            })
            .collect::<Result<Vec<_>, Refusal>>()
    })
    .await?;
    let dimensions = request.dimensions.unwrap_or_default();
    let mut new = NewJob::new(
        "blend",
        "",
        request.mode.unwrap_or_default(),
        Some(OutputShape::Grid),
    );
    new.options = request.options;
    let job = admit(&shared, new)?;
    let seed = job.seed;
    spawn_render(shared.clone(), job.id.clone(), move || {
        grid_output(render::blend(&images, dimensions, seed))
    });
    Ok(accepted(&job.id))
}

async fn describe(State(shared): State<Arc<Shared>>, body: Bytes) -> Answer {
    let request: DescribeRequest = parse(&body)?;
    request.validate()?;
    let mut doomed = None;
    // base64 wins when both are given, as documented.
    let bytes = match (
        request.base64.as_deref().filter(|s| !s.trim().is_empty()),
        request.url.as_deref(),
    ) {
        (Some(text), _) => Some(Bytes::from(
            imaging::from_base64_or_data_uri(text)
                .map_err(|e| bad_request(format!("base64 is not an image: {e}")))?,
        )),
        (None, Some(url)) => {
            let own = url
                .strip_prefix(&format!("{}/cdn/", shared.origin))
                .and_then(|key| shared.state().assets.get(key).cloned());
            if own.is_none() {
                // This machine reaches no other host; the real service would fetch the link.
                doomed = Some(format!(
                    "[Invalid link!] The simulator can only describe its own images, not {url}"
                ));
            }
            own
        }
        (None, None) => None,
    };
    let image = match bytes.clone() {
        Some(bytes) => Some(
            blocking(move || {
                decode(&bytes)
                    .map_err(|e| bad_request(format!("the image cannot be described: {e}")))
            })
            .await?,
        ),
        None => None,
    };
    let mut new = NewJob::new("describe", "", Mode::Fast, None);
    new.options = request.options;
    new.duration_scale = 0.5;
    new.doomed = doomed;
    let job = admit(&shared, new)?;
    if let (Some(image), Some(original)) = (image, bytes) {
        spawn_render(shared.clone(), job.id.clone(), move || {
            Ok(Output {
                main: Some((original, image.width(), image.height())),
                quadrants: None,
                prompt: Some(render::describe(&image)),
            })
        });
    }
    Ok(accepted(&job.id))
}

async fn inpaint(State(shared): State<Arc<Shared>>, body: Bytes) -> Answer {
    let request: InpaintRequest = parse(&body)?;
    request.validate()?;
    let parent = finished_job(&shared, &request.job_id)?;
    let main = rendered(&parent)
        .and_then(|r| r.main.clone())
        .ok_or_else(|| bad_request(format!("Job {} has no image to repaint", parent.id)))?;
    let mask_bytes = imaging::from_base64_or_data_uri(&request.mask)
        .map_err(|e| bad_request(format!("mask is not base64: {e}")))?;
    if imaging::sniff_format(&mask_bytes) != Some(image::ImageFormat::Png) {
        return Err(bad_request(
            "mask must be a PNG image (black and white, white = repaint)",
        ));
    }
    let source = asset(&shared, &main)?;
    let (source, mask) = blocking(move || {
        let mask =
            decode(&mask_bytes).map_err(|e| bad_request(format!("mask cannot be read: {e}")))?;
        if mask.dimensions() != (main.width, main.height) {
            return Err(bad_request(format!(
                "mask is {}×{} but the job's image is {}×{}; they must match exactly",
                mask.width(),
                mask.height(),
                main.width,
                main.height
            )));
        }
        if !mask.pixels().any(imaging::is_repaint_pixel) {
            return Err(bad_request("mask has no white region: nothing to repaint"));
        }
        let source = decode(&source).map_err(|e| {
            refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("the job's image cannot be read: {e}"),
            )
        })?;
        Ok((source, mask))
    })
    .await?;
    let prompt = request
        .prompt
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| parent.prompt.clone());
    let mut new = NewJob::new("inpaint", &prompt, parent.mode, Some(OutputShape::Grid));
    new.options = request.options;
    let job = admit(&shared, new)?;
    if job.doomed.is_none() {
        let seed = job.seed;
        spawn_render(shared.clone(), job.id.clone(), move || {
            grid_output(render::inpaint(&source, &mask, &prompt, seed))
        });
    }
    Ok(accepted(&job.id))
}

async fn seed(State(shared): State<Arc<Shared>>, body: Bytes) -> Answer {
    let request: JobRequest = parse(&body)?;
    request.validate()?;
    let parent = finished_job(&shared, &request.job_id)?;
    let mut new = NewJob::new("seed", &parent.prompt, parent.mode, None);
    new.options = request.options;
    new.duration_scale = 0.25;
    new.reveals_seed_of = Some(parent.id.clone());
    let job = admit(&shared, new)?;
    // The seed job reports its parent's seed, not one of its own.
    let mut state = shared.state();
    if let Some(created) = state.jobs.get_mut(&job.id) {
        created.seed = parent.seed;
        created.render = RenderState::Ready(Rendered {
            main: None,
            quadrants: None,
            prompt: None,
        });
    }
    Ok(accepted(&job.id))
}

// ------------------------------------------------------------------------------------------------------
// Queries

/// `GET ?jobId=` or `POST {"jobId":…}`; the query wins when both are present.
async fn fetch(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Answer {
    let job_id = match query.get("jobId").or_else(|| query.get("job_id")) {
        Some(id) => id.clone(),
        None => parse::<JobRequest>(&body)?.job_id,
    };
    let job_id = job_id.trim();
    if job_id.is_empty() {
        return Err(bad_request("jobId must not be empty"));
    }
    let now = Instant::now();
    let mut state = shared.state();
    state.settle(now);
    let job = state
        .jobs
        .get_mut(job_id)
        .ok_or_else(|| bad_request(format!("Job {job_id} not found")))?;
    if job.success_reported_at.is_none() && job.phase(now) == Phase::Succeeded {
        job.success_reported_at = Some(now);
    }
    Ok(axum::Json(job.to_fetch_json(now, &shared.origin)).into_response())
}

async fn fetch_list(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<FetchListQuery>,
    body: Bytes,
) -> Answer {
    let query = if body.iter().all(u8::is_ascii_whitespace) {
        query
    } else {
        parse::<FetchListQuery>(&body)?
    };
    let wanted = query
        .status
        .as_deref()
        .unwrap_or("SUCCESS")
        .to_ascii_uppercase();
    if !["PENDING_QUEUE", "ON_QUEUE", "SUCCESS", "FAILED"].contains(&wanted.as_str()) {
        return Err(bad_request(format!(
            "status must be PENDING_QUEUE, ON_QUEUE, SUCCESS or FAILED, not {wanted}"
        )));
    }
    let ascending = query
        .order
        .as_deref()
        .is_some_and(|o| o.eq_ignore_ascii_case("asc"));
    let limit = query.limit.clamp(1, FetchListQuery::MAX_LIMIT) as usize;
    let skip = (query.page.max(1) as usize - 1) * limit;
    let now = Instant::now();
    let mut state = shared.state();
    state.settle(now);
    let matching = |id: &&String| {
        state
            .jobs
            .get(*id)
            .is_some_and(|j| j.phase(now).wire() == wanted)
    };
    // Unfinished jobs by when they were made; finished ones by when they finished (the contract does not say
    // which time TTAPI sorts by: this is the order in which a client can least assume made-before means
    // listed-below).
    let mut ids: Vec<&String> = state.order.iter().filter(matching).collect();
    if matches!(wanted.as_str(), "SUCCESS" | "FAILED") {
        ids.sort_by_key(|id| state.jobs.get(*id).map(SimJob::finished_at));
    }
    if !ascending {
        ids.reverse();
    }
    let ids: Vec<&String> = ids.into_iter().skip(skip).take(limit).collect();
    let rows: Vec<Value> = ids
        .iter()
        .filter_map(|id| state.jobs.get(*id))
        .map(|j| j.to_list_json(now, &shared.origin))
        .collect();
    Ok(
        axum::Json(json!({"status": "SUCCESS", "message": "success", "data": rows}))
            .into_response(),
    )
}

async fn prompt_check(State(shared): State<Arc<Shared>>, body: Bytes) -> Answer {
    let request: PromptCheckRequest = parse(&body)?;
    if request.prompt.trim().is_empty() {
        return Err(bad_request("prompt must not be empty"));
    }
    let lower = request.prompt.to_lowercase();
    if let Some(word) = shared
        .config
        .banned_words
        .iter()
        .find(|w| !w.is_empty() && lower.contains(&w.to_lowercase()))
    {
        return Err(bad_request(format!("banned prompt words: [{word}]")));
    }
    // TTAPI's own checker rejects an --ar that is not W:H, quoting the prompt from the flag on.
    if let Some(at) = request
        .prompt
        .find("--ar")
        .or_else(|| request.prompt.find("--aspect"))
        && aspect_ratio(&request.prompt).is_none()
    {
        return Err(bad_request(format!(
            "Invalid params [{}]",
            &request.prompt[at..]
        )));
    }
    Ok(axum::Json(json!({"status": "SUCCESS", "message": "success", "data": "Prompt verification successful."}))
        .into_response())
}

async fn info(State(shared): State<Arc<Shared>>) -> Response {
    let now = Instant::now();
    let mut state = shared.state();
    state.settle(now);
    axum::Json(json!({
        "status": "SUCCESS",
        "message": "success",
        "data": {
            "email": "offline@moodgrid.invalid",
            "email_verified_at": "2026-01-01 00:00:00",
            "balance": state.balance,
            "freeze_balance": state.frozen_quota(now),
            "max_queue": shared.config.max_in_progress,
            "created_at": "2026-01-01 00:00:00",
        }
    }))
    .into_response()
}

async fn service_status(State(shared): State<Arc<Shared>>) -> Response {
    let health = |mode: Mode| {
        let (queue, run) = shared.config.durations(mode);
        if shared.config.modes_down.contains(&mode) {
            json!({"status": 503, "runningMessage": "Endpoints unavailable", "averageExecute": 0})
        } else {
            json!({"status": 200, "runningMessage": "Endpoints running", "averageExecute": (queue + run).as_secs_f64()})
        }
    };
    axum::Json(json!({
        "status": "SUCCESS",
        "message": "success",
        "data": {"fast": health(Mode::Fast), "relax": health(Mode::Relax), "turbo": health(Mode::Turbo)}
    }))
    .into_response()
}

async fn cdn(State(shared): State<Arc<Shared>>, Path(key): Path<String>) -> Response {
    match shared.state().assets.get(&key).cloned() {
        Some(bytes) => {
            let mime = imaging::mime_type(&bytes).unwrap_or("application/octet-stream");
            let mut response = bytes.into_response();
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
            response
        }
        None => (StatusCode::NOT_FOUND, "no such image").into_response(),
    }
}
