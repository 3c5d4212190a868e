//! Fault injection: the middleware in front of every route that, by a seeded dice roll, answers with a
//! server error, a rate limit, a cut connection (before or after processing) or extra latency.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

use super::Shared;
use super::routes::failed;
use super::state::InjectedFault;

#[derive(Debug, Clone, PartialEq)]
pub struct FaultConfig {
    /// Share of requests answered 500/502/503 (502 with an HTML page, as a proxy would).
    pub server_error_rate: f64,
    /// Share answered 429.
    pub rate_limit_rate: f64,
    /// Share whose connection is cut before the request is processed.
    pub reset_rate: f64,
    /// Share processed, then cut before the answer is sent (the "lost response" case).
    pub lost_response_rate: f64,
    /// Share delayed by `slow_by` on top of the base latency.
    pub slow_rate: f64,
    pub slow_by: Duration,
    /// Added to every request.
    pub latency: Duration,
    /// Up to this much more, at random, on every request.
    pub latency_jitter: Duration,
    /// Also apply faults to `/cdn/` image downloads.
    pub include_downloads: bool,
    /// Only requests whose path starts with one of these get faults (empty: all paths).
    pub only_paths: Vec<String>,
    /// Share processed at once, but answered only after `slow_by` (a submission in flight for a while).
    pub slow_answer_rate: f64,
    /// What every image download (`/cdn/`) answers instead of the image, when set.
    pub bad_image: Option<BadBody>,
    /// Every image download (`/cdn/`) answered with this status (403, 404, 410: a CDN that lost the file),
    /// when set.
    pub gone_images: Option<u16>,
    /// What every `fetch` answers instead of the job, when set.
    pub bad_fetch: Option<BadBody>,
    /// Every API request is answered `307 Temporary Redirect` to this origin (same path), when set.
    pub redirect_to: Option<String>,
    pub seed: u64,
}

/// A body that Moodgrid must refuse, with a bounded, stated outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadBody {
    /// A valid PNG header claiming 20000×20000 pixels.
    HugePng,
    /// An HTML page (a proxy's or a CDN's error page served with 200).
    Html,
    /// 64 MB of JSON-looking text, more than any answer may be.
    Oversized,
}

impl BadBody {
    fn response(self) -> Response {
        match self {
            BadBody::HugePng => (
                [(header::CONTENT_TYPE, "image/png")],
                huge_png_header(20_000, 20_000),
            )
                .into_response(),
            BadBody::Html => (
                [(header::CONTENT_TYPE, "text/html")],
                "<!DOCTYPE html><html><head><title>Access denied</title></head><body>Access denied</body></html>",
            )
                .into_response(),
            BadBody::Oversized => {
                let chunk = Bytes::from(vec![b' '; 1024 * 1024]);
                let body = futures_util::stream::iter(
                    std::iter::once(Ok::<Bytes, std::io::Error>(Bytes::from_static(b"{\"status\":\"SUCCESS\",\"data\":\"")))
                        .chain(std::iter::repeat_n(chunk, 64).map(Ok)),
                );
                ([(header::CONTENT_TYPE, "application/json")], Body::from_stream(body))
                    .into_response()
            }
        }
    }
}

/// A PNG that says it is `width`×`height` and holds no pixels: signature, IHDR, an empty IDAT and IEND.
/// Any reader learns the size (and should refuse it) before it would allocate the pixels.
fn huge_png_header(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [(b"IHDR", ihdr.as_slice()), (b"IDAT", &[]), (b"IEND", &[])] {
        png.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = png.len();
        png.extend_from_slice(kind);
        png.extend_from_slice(data);
        let crc = crc32fast::hash(&png[start..]);
        png.extend_from_slice(&crc.to_be_bytes());
    }
    png
}

impl Default for FaultConfig {
    fn default() -> Self {
        FaultConfig {
            server_error_rate: 0.0,
            rate_limit_rate: 0.0,
            reset_rate: 0.0,
            lost_response_rate: 0.0,
            slow_rate: 0.0,
            slow_by: Duration::from_secs(2),
            latency: Duration::ZERO,
            latency_jitter: Duration::ZERO,
            include_downloads: true,
            only_paths: Vec::new(),
            slow_answer_rate: 0.0,
            bad_image: None,
            gone_images: None,
            bad_fetch: None,
            redirect_to: None,
            seed: 1,
        }
    }
}

impl FaultConfig {
    /// `rate` of all requests fail, split evenly between server errors, rate limits and cut connections.
    pub fn failing(rate: f64) -> FaultConfig {
        let each = rate.clamp(0.0, 1.0) / 3.0;
        FaultConfig {
            server_error_rate: each,
            rate_limit_rate: each,
            reset_rate: each,
            ..FaultConfig::default()
        }
    }

    fn roll(&self, rng: &mut fastrand::Rng) -> InjectedFault {
        let r = rng.f64();
        let mut edge = 0.0;
        let mut hit = |rate: f64| {
            edge += rate;
            r < edge
        };
        if hit(self.server_error_rate) {
            InjectedFault::ServerError([500, 502, 503][rng.usize(0..3)])
        } else if hit(self.rate_limit_rate) {
            InjectedFault::RateLimited
        } else if hit(self.reset_rate) {
            InjectedFault::Reset
        } else if hit(self.lost_response_rate) {
            InjectedFault::LostResponse
        } else if hit(self.slow_rate) {
            InjectedFault::Slow(self.slow_by)
        } else if hit(self.slow_answer_rate) {
            InjectedFault::SlowAnswer(self.slow_by)
        } else {
            InjectedFault::None
        }
    }
}

/// The largest request body the fault layer reads to decide (a blend of five 4 MB images, in base64).
const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

pub(crate) async fn inject(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let config = shared.faults();
    let path = request.uri().path().to_owned();
    let bad_body = if path.starts_with("/cdn/") {
        config.bad_image
    } else if path == "/midjourney/v1/fetch" {
        config.bad_fetch
    } else {
        None
    };
    if let Some(origin) = config
        .redirect_to
        .as_deref()
        .filter(|_| !path.starts_with("/cdn/"))
    {
        let target = format!("{origin}{}", request.uri());
        return (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, target)]).into_response();
    }
    if let Some(status) = config
        .gone_images
        .filter(|_| path.starts_with("/cdn/"))
        .and_then(|code| StatusCode::from_u16(code).ok())
    {
        return (status, "this image is gone").into_response();
    }
    if let Some(bad) = bad_body {
        shared.state().log_fault(path, InjectedFault::BadBody(bad));
        return bad.response();
    }
    let spared = (path.starts_with("/cdn/") && !config.include_downloads)
        || (!config.only_paths.is_empty()
            && !config
                .only_paths
                .iter()
                .any(|p| path.starts_with(p.as_str())));
    if spared {
        return next.run(request).await;
    }
    // The dice for a request come from what it is (method, path, query, body) and how many times the same
    // request came before, not from arrival order: each job meets the same faults however requests from
    // many jobs interleave, so a run replays exactly from its seed.
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return failed(StatusCode::PAYLOAD_TOO_LARGE, "request body too large");
    };
    let identity = {
        let mut hasher = std::hash::DefaultHasher::new();
        std::hash::Hash::hash(
            &(parts.method.as_str(), parts.uri.to_string(), &body[..]),
            &mut hasher,
        );
        std::hash::Hasher::finish(&hasher)
    };
    let occurrence = shared.fault_occurrence(identity);
    let mut rng = fastrand::Rng::with_seed(config.seed ^ identity ^ occurrence.rotate_left(32));
    let fault = config.roll(&mut rng);
    let jitter = config.latency_jitter.mul_f64(rng.f64());
    let request = Request::from_parts(parts, Body::from(body));
    shared.state().log_fault(path, fault.clone());
    let delay = config.latency + jitter;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    match fault {
        InjectedFault::None => next.run(request).await,
        InjectedFault::Slow(extra) => {
            tokio::time::sleep(extra).await;
            next.run(request).await
        }
        InjectedFault::SlowAnswer(extra) => {
            let answer = next.run(request).await;
            tokio::time::sleep(extra).await;
            answer
        }
        InjectedFault::BadBody(bad) => bad.response(),
        InjectedFault::ServerError(502) => (
            StatusCode::BAD_GATEWAY,
            [(header::CONTENT_TYPE, "text/html")],
            "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>cloudflare</body></html>",
        )
            .into_response(),
        InjectedFault::ServerError(code) => failed(
            StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            "TTAPI service exception, please try again later",
        ),
        InjectedFault::RateLimited => {
            let mut response = failed(StatusCode::TOO_MANY_REQUESTS, "Too many requests, please slow down");
            response.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
            response
        }
        InjectedFault::Reset => cut_connection(),
        InjectedFault::LostResponse => {
            // Processed in full (the job exists and is charged), then the answer is lost on the way.
            let _processed = next.run(request).await;
            cut_connection()
        }
    }
}

/// A response whose body fails at once: hyper aborts the connection mid-answer, which the client sees as
/// a broken connection after sending, exactly like a reset or a dropped proxy link.
fn cut_connection() -> Response {
    let failing = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "simulated connection reset",
        ))
    });
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from_stream(failing))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}
