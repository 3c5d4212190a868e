//! The HTTP client for TTAPI's Midjourney endpoints. One instance per (host, key); cheap to clone.

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};
use reqwest::{Method, StatusCode, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::base_url::BaseUrl;
use super::error::{ApiError, NetworkPhase};
use super::guard;
use super::key::ApiKey;
use super::wire::{
    AccountInfo, ActionRequest, BlendRequest, DescribeRequest, Envelope, FetchListQuery,
    ImagineRequest, InpaintRequest, Job, JobData, JobRequest, ListedJob, PromptCheckRequest,
    PromptVerdict, RequestError, ServiceStatus, SubmitData,
};
use crate::domain::JobStatus;

/// TTAPI's header name is case-sensitive per its docs; HTTP/1 sends it as written here.
const KEY_HEADER: &str = "TT-API-KEY";
/// A JSON answer larger than this is not a TTAPI answer.
const MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;
/// Largest image download accepted by default (a 4096² PNG of noise is about 50 MB).
pub const DEFAULT_MAX_DOWNLOAD_BYTES: u64 = 96 * 1024 * 1024;
const EXCERPT_CHARS: usize = 160;
/// How much of an error answer to an image download is read.
const ERROR_BODY_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub connect_timeout: Duration,
    /// For one synchronous call. TTAPI fronts long calls with Cloudflare, which gives up at about 100 s.
    pub request_timeout: Duration,
    pub download_timeout: Duration,
    /// A proxy for every request, in place of the environment's (`HTTPS_PROXY`, `ALL_PROXY`…).
    pub proxy: Option<Url>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(100),
            download_timeout: Duration::from_secs(300),
            proxy: None,
        }
    }
}

#[derive(Clone)]
pub struct TtapiClient {
    /// For the service: carries the key, follows redirects within its origin only.
    http: reqwest::Client,
    /// For images: no key, public https addresses only, every redirect hop checked.
    images: reqwest::Client,
    /// The service is on this machine (the simulator): its images are too.
    local_service: bool,
    /// Downloads go through a proxy, which resolves names itself: `download` checks each host first.
    proxied_downloads: bool,
    base: BaseUrl,
    key: ApiKey,
    options: ClientOptions,
}

impl std::fmt::Debug for TtapiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TtapiClient")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl TtapiClient {
    pub fn new(base: BaseUrl, key: ApiKey) -> Result<TtapiClient, ApiError> {
        Self::with_options(base, key, ClientOptions::default())
    }

    pub fn with_options(
        base: BaseUrl,
        key: ApiKey,
        options: ClientOptions,
    ) -> Result<TtapiClient, ApiError> {
        let local_service = base.is_loopback();
        let explicit_proxy = options
            .proxy
            .clone()
            .map(reqwest::Proxy::all)
            .transpose()
            .map_err(|e| network_error(&e, None))?;
        let builder = || {
            let builder = reqwest::Client::builder()
                .connect_timeout(options.connect_timeout)
                .user_agent(concat!("moodgrid/", env!("CARGO_PKG_VERSION")));
            // Traffic to this machine never goes through HTTP(S)_PROXY.
            match (&explicit_proxy, local_service) {
                (_, true) => builder.no_proxy(),
                (Some(proxy), false) => builder.proxy(proxy.clone()),
                (None, false) => builder,
            }
        };
        let http = builder()
            .redirect(guard::same_origin_only(base.url()))
            .build()
            .map_err(|e| network_error(&e, None))?;
        let proxied_downloads =
            !local_service && (explicit_proxy.is_some() || proxy_in_environment());
        // Through a proxy a redirect's host must be resolved and checked before it is followed, which a
        // (synchronous) redirect policy cannot do: `download` follows them itself.
        let hops = if proxied_downloads {
            reqwest::redirect::Policy::none()
        } else {
            guard::checked_hops(local_service)
        };
        let mut images = builder().redirect(hops);
        if let Some(resolver) = guard::download_resolver(local_service) {
            images = images.dns_resolver(resolver);
        }
        let images = images.build().map_err(|e| network_error(&e, None))?;
        Ok(TtapiClient {
            http,
            images,
            local_service,
            proxied_downloads,
            base,
            key,
            options,
        })
    }

    pub fn base_url(&self) -> &BaseUrl {
        &self.base
    }

    pub async fn imagine(&self, req: &ImagineRequest) -> Result<String, ApiError> {
        req.validate()?;
        self.submit("/midjourney/v1/imagine", req).await
    }

    /// Starts a child job from one of the parent's `components` (U2, V1, upscale_subtle…).
    pub async fn action(&self, req: &ActionRequest) -> Result<String, ApiError> {
        req.validate()?;
        self.submit("/midjourney/v1/action", req).await
    }

    pub async fn blend(&self, req: &BlendRequest) -> Result<String, ApiError> {
        req.validate()?;
        self.submit("/midjourney/v1/blend", req).await
    }

    pub async fn describe(&self, req: &DescribeRequest) -> Result<String, ApiError> {
        req.validate()?;
        self.submit("/midjourney/v1/describe", req).await
    }

    pub async fn inpaint(&self, req: &InpaintRequest) -> Result<String, ApiError> {
        req.validate()?;
        self.submit("/midjourney/v1/inpaint", req).await
    }

    /// Asks for the seed of a finished job; the seed arrives in `data.seed` of the returned job.
    pub async fn seed(&self, req: &JobRequest) -> Result<String, ApiError> {
        req.validate()?;
        self.submit("/midjourney/v1/seed", req).await
    }

    /// `GET /fetch?jobId=…`: the job's current state. Free of charge; poll it.
    pub async fn fetch(&self, job_id: &str) -> Result<Job, ApiError> {
        if job_id.trim().is_empty() {
            return Err(RequestError("jobId must not be empty".into()).into());
        }
        let url = self.url_with_query("/midjourney/v1/fetch", &[("jobId", job_id)]);
        let (status, body) = self.send(Method::GET, url, None).await?;
        let envelope: Envelope<Value> = parse_envelope(status, &body, self.key.expose())?;
        job_from_envelope(envelope, job_id, status)
    }

    pub async fn prompt_check(&self, prompt: &str) -> Result<PromptVerdict, ApiError> {
        let body = PromptCheckRequest {
            prompt: prompt.to_owned(),
        };
        match self
            .call::<Value>(Method::POST, "/midjourney/v1/promptCheck", Some(&body))
            .await
        {
            Ok(_) => Ok(PromptVerdict::Allowed),
            Err(ApiError::Rejected { message, .. }) => Ok(PromptVerdict::Refused(message)),
            Err(other) => Err(other),
        }
    }

    /// The account's balance and limits; also the cheapest way to check that a key works.
    pub async fn info(&self) -> Result<AccountInfo, ApiError> {
        self.call::<AccountInfo>(Method::GET, "/midjourney/v1/info", None::<&()>)
            .await?
            .ok_or_else(|| missing_data(200))
    }

    /// `GET /fetch-list`: the account's recent jobs, for finding a job whose submit answer was lost.
    pub async fn fetch_list(&self, query: &FetchListQuery) -> Result<Vec<ListedJob>, ApiError> {
        let limit = query.limit.clamp(1, FetchListQuery::MAX_LIMIT).to_string();
        let page = query.page.max(1).to_string();
        let mut params = vec![("page", page.as_str()), ("limit", limit.as_str())];
        if let Some(status) = &query.status {
            params.push(("status", status));
        }
        if let Some(order) = &query.order {
            params.push(("order", order));
        }
        let url = self.url_with_query("/midjourney/v1/fetch-list", &params);
        let (status, body) = self.send(Method::GET, url, None).await?;
        let envelope: Envelope<Value> = parse_envelope(status, &body, self.key.expose())?;
        match envelope.data {
            Some(Value::Array(rows)) => Ok(rows
                .into_iter()
                .filter_map(|row| serde_json::from_value::<ListedJob>(row).ok())
                .collect()),
            Some(Value::Null) | None => Ok(Vec::new()),
            Some(_) => Err(ApiError::BadResponse {
                status: status.as_u16(),
                reason: "fetch-list data is not a list".into(),
            }),
        }
    }

    /// `GET /midjourney/status` (outside `/v1`): per-mode health and average duration.
    pub async fn service_status(&self) -> Result<ServiceStatus, ApiError> {
        self.call::<ServiceStatus>(Method::GET, "/midjourney/status", None::<&()>)
            .await?
            .ok_or_else(|| missing_data(200))
    }

    /// Downloads an image the service produced. The key is NOT sent: image URLs live on a CDN, a different
    /// host. The same https-or-loopback rule as for the API applies, and the body is capped at `max_bytes`.
    pub async fn download(&self, url: &str, max_bytes: u64) -> Result<Bytes, ApiError> {
        let parsed = Url::parse(url).map_err(|_| ApiError::BadResponse {
            status: 200,
            reason: format!("the image address `{}` is not a URL", excerpt(url, "")),
        })?;
        let mut response = self.fetch_image(parsed).await?;
        let status = response.status();
        if !status.is_success() {
            let retry_after = response_headers_retry_after(Some(response.headers()));
            let body = read_prefix(response, ERROR_BODY_BYTES).await;
            return Err(error_for_status(status, retry_after, &body, ""));
        }
        if response.content_length().is_some_and(|len| len > max_bytes) {
            return Err(ApiError::TooLarge {
                limit_bytes: max_bytes,
            });
        }
        let mut buffer = Vec::with_capacity(response.content_length().unwrap_or(0) as usize);
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| network_error(&e, None))?
        {
            if (buffer.len() + chunk.len()) as u64 > max_bytes {
                return Err(ApiError::TooLarge {
                    limit_bytes: max_bytes,
                });
            }
            buffer.extend_from_slice(&chunk);
        }
        Ok(Bytes::from(buffer))
    }

    /// The image's answer, every address on the way checked by the guard (`guard::checked_hops` follows
    /// redirects, or this loop does when a proxy resolves the names).
    async fn fetch_image(&self, mut url: Url) -> Result<reqwest::Response, ApiError> {
        let mut redirects = 0;
        loop {
            guard::check_download(&url, self.local_service)
                .map_err(|refused| ApiError::NotAllowed(refused.0))?;
            if self.proxied_downloads {
                guard::every_address_public(&url)
                    .await
                    .map_err(|refused| ApiError::NotAllowed(refused.0))?;
            }
            let response = self
                .images
                .get(url.clone())
                .timeout(self.options.download_timeout)
                .send()
                .await
                .map_err(|e| network_error(&e, None))?;
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|l| l.to_str().ok());
            let next = match location {
                Some(location) if self.proxied_downloads && response.status().is_redirection() => {
                    url.join(location).map_err(|_| ApiError::BadResponse {
                        status: response.status().as_u16(),
                        reason: format!(
                            "the image redirect `{}` is not a URL",
                            excerpt(location, "")
                        ),
                    })?
                }
                _ => return Ok(response),
            };
            redirects += 1;
            if redirects > guard::MAX_REDIRECTS {
                return Err(ApiError::NotAllowed("too many redirects".into()));
            }
            url = next;
        }
    }

    async fn submit<B: Serialize>(&self, path: &str, body: &B) -> Result<String, ApiError> {
        let data = self
            .call::<SubmitData>(Method::POST, path, Some(body))
            .await?;
        data.and_then(|d| d.job_id)
            .filter(|id| !id.trim().is_empty())
            .ok_or_else(|| ApiError::BadResponse {
                status: 200,
                reason: "the service accepted the request but sent no job id".into(),
            })
    }

    /// One request whose envelope must say SUCCESS; returns its `data`.
    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&impl Serialize>,
    ) -> Result<Option<T>, ApiError> {
        let json = body
            .map(serde_json::to_vec)
            .transpose()
            .map_err(|e| RequestError(format!("could not encode the request: {e}")))?;
        let (status, bytes) = self.send(method, self.base.join(path), json).await?;
        let envelope: Envelope<Value> = parse_envelope(status, &bytes, self.key.expose())?;
        if envelope.status.as_deref() == Some("FAILED") {
            return Err(ApiError::Rejected {
                status: status.as_u16(),
                message: envelope.message.unwrap_or_default(),
            });
        }
        match envelope.data {
            None | Some(Value::Null) => Ok(None),
            Some(data) => {
                serde_json::from_value(data)
                    .map(Some)
                    .map_err(|e| ApiError::BadResponse {
                        status: status.as_u16(),
                        reason: format!("unexpected `data`: {e}"),
                    })
            }
        }
    }

    fn url_with_query(&self, path: &str, params: &[(&str, &str)]) -> Url {
        let mut url = self.base.join(path);
        url.query_pairs_mut().extend_pairs(params);
        url
    }

    /// Sends one request with the key header. Non-2xx answers become errors here, so callers only see bodies
    /// of successful HTTP exchanges.
    async fn send(
        &self,
        method: Method,
        url: Url,
        json: Option<Vec<u8>>,
    ) -> Result<(StatusCode, Bytes), ApiError> {
        let mut key = HeaderValue::from_str(self.key.expose()).map_err(|_| {
            RequestError("the API key contains characters a header cannot carry".into())
        })?;
        key.set_sensitive(true);
        let mut request = self
            .http
            .request(method, url)
            .timeout(self.options.request_timeout)
            .header(KEY_HEADER, key);
        if let Some(json) = json {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(json);
        }
        let response = request.send().await.map_err(|e| network_error(&e, None))?;
        let status = response.status();
        let retry_after = response_headers_retry_after(Some(response.headers()));
        let body = read_capped(response, MAX_RESPONSE_BYTES).await?;
        if status.is_success() {
            Ok((status, body))
        } else {
            Err(error_for_status(
                status,
                retry_after,
                &body,
                self.key.expose(),
            ))
        }
    }
}

async fn read_capped(mut response: reqwest::Response, cap: usize) -> Result<Bytes, ApiError> {
    let mut buffer = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| network_error(&e, Some(NetworkPhase::Interrupted)))?
    {
        if buffer.len() + chunk.len() > cap {
            return Err(ApiError::BadResponse {
                status: response.status().as_u16(),
                reason: format!("the answer is larger than {cap} bytes"),
            });
        }
        buffer.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(buffer))
}

/// The first `cap` bytes of a body (an error page is read only as far as its message could go).
async fn read_prefix(mut response: reqwest::Response, cap: usize) -> Bytes {
    let mut buffer = Vec::new();
    while buffer.len() < cap {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                buffer.extend_from_slice(&chunk[..chunk.len().min(cap - buffer.len())])
            }
            _ => break,
        }
    }
    Bytes::from(buffer)
}

fn response_headers_retry_after(headers: Option<&HeaderMap>) -> Option<Duration> {
    headers?
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// Whether reqwest will send downloads through a proxy from the environment (it reads the same names).
fn proxy_in_environment() -> bool {
    [
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
        "HTTP_PROXY",
        "http_proxy",
    ]
    .iter()
    .any(|name| std::env::var_os(name).is_some_and(|value| !value.is_empty()))
}

fn missing_data(status: u16) -> ApiError {
    ApiError::BadResponse {
        status,
        reason: "the answer has no `data`".into(),
    }
}

fn network_error(error: &reqwest::Error, phase: Option<NetworkPhase>) -> ApiError {
    // A redirect or an address the guard refused: nothing was sent there.
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(refused) = cause.downcast_ref::<guard::Refused>() {
            return ApiError::NotAllowed(refused.0.clone());
        }
        source = cause.source();
    }
    let phase = phase.unwrap_or(if error.is_connect() {
        NetworkPhase::Connect
    } else if error.is_timeout() {
        NetworkPhase::Timeout
    } else {
        NetworkPhase::Interrupted
    });
    // reqwest's own text is generic ("error sending request for url (…): client error (Connect): …"); the
    // innermost cause says what happened, and the address where.
    let mut innermost = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        innermost = cause.to_string();
        source = cause.source();
    }
    let detail = match error
        .url()
        .and_then(|u| Some((u.host_str()?.to_owned(), u.port_or_known_default()?)))
    {
        Some((host, port)) => format!("{innermost} ({host}:{port})"),
        None => innermost,
    };
    let detail = match phase {
        NetworkPhase::Timeout => format!("no answer in time ({detail})"),
        _ => detail,
    };
    ApiError::Network { phase, detail }
}

/// Parses a successful exchange's body into an envelope, recognising HTML pages and garbage.
fn parse_envelope(status: StatusCode, body: &[u8], key: &str) -> Result<Envelope<Value>, ApiError> {
    let unreadable = |why: &str| ApiError::BadResponse {
        status: status.as_u16(),
        reason: describe_unreadable(body, key, why),
    };
    // Serde would also read a struct from a JSON array; TTAPI only ever answers with an object.
    match serde_json::from_slice::<Value>(body) {
        Ok(value @ Value::Object(_)) => {
            serde_json::from_value::<Envelope<Value>>(value).map_err(|e| unreadable(&e.to_string()))
        }
        Ok(_) => Err(unreadable("not a JSON object")),
        Err(e) => Err(unreadable(&e.to_string())),
    }
}

fn describe_unreadable(body: &[u8], key: &str, json_error: &str) -> String {
    let text = String::from_utf8_lossy(body);
    if text.trim().is_empty() {
        return "the answer is empty".into();
    }
    if let Some(title) = html_title(&text) {
        return format!(
            "an HTML page instead of JSON (\"{}\")",
            excerpt(&title, key)
        );
    }
    format!(
        "not the JSON TTAPI sends ({json_error}); it begins \"{}\"",
        excerpt(&text, key)
    )
}

/// The `<title>` of an HTML page (what proxies and Cloudflare send on errors), or `None` if not HTML.
fn html_title(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let head = lower.trim_start();
    if !(head.starts_with("<!doctype html") || head.starts_with("<html") || lower.contains("<body"))
    {
        return None;
    }
    let start = lower.find("<title>").map(|i| i + "<title>".len());
    let title = start
        .and_then(|s| {
            lower[s..]
                .find("</title>")
                .map(|len| text[s..s + len].trim().to_owned())
        })
        .filter(|t| !t.is_empty());
    Some(title.unwrap_or_else(|| "untitled page".into()))
}

/// A short, single-line, key-free piece of a response for error text.
pub(crate) fn excerpt(text: &str, key: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let scrubbed = if key.is_empty() {
        flat
    } else {
        flat.replace(key, "***")
    };
    let mut out: String = scrubbed.chars().take(EXCERPT_CHARS).collect();
    if scrubbed.chars().count() > EXCERPT_CHARS {
        out.push('…');
    }
    out
}

/// The message of a non-2xx answer: the envelope's `message` if it is JSON, else a description of the body.
fn error_message(body: &[u8], key: &str) -> String {
    match serde_json::from_slice::<Envelope<Value>>(body) {
        Ok(envelope) => excerpt(&envelope.message.unwrap_or_default(), key),
        Err(e) if !body.is_empty() => describe_unreadable(body, key, &e.to_string()),
        Err(_) => String::new(),
    }
}

fn error_for_status(
    status: StatusCode,
    retry_after: Option<Duration>,
    body: &[u8],
    key: &str,
) -> ApiError {
    let message = error_message(body, key);
    match status.as_u16() {
        401 => ApiError::Unauthorized,
        402 => ApiError::InsufficientBalance { message },
        403 => ApiError::Blocked { message },
        404 => ApiError::NotFound { message },
        429 => ApiError::RateLimited { retry_after },
        499 => ApiError::QueueFull { message },
        504 => ApiError::GatewayTimeout,
        code @ 500..=599 => ApiError::Server {
            status: code,
            message,
        },
        code => ApiError::Rejected {
            status: code,
            message: if message.is_empty() {
                format!("HTTP {code} without a message")
            } else {
                message
            },
        },
    }
}

fn job_from_envelope(
    envelope: Envelope<Value>,
    requested_id: &str,
    status: StatusCode,
) -> Result<Job, ApiError> {
    let data: JobData = match envelope.data {
        None | Some(Value::Null) => JobData::default(),
        Some(value) => serde_json::from_value(value).map_err(|e| ApiError::BadResponse {
            status: status.as_u16(),
            reason: format!("unexpected job `data`: {e}"),
        })?,
    };
    let Some(raw_status) = envelope.status.filter(|s| !s.is_empty()) else {
        return Err(ApiError::BadResponse {
            status: status.as_u16(),
            reason: "the job has no status".into(),
        });
    };
    let id = data
        .job_id
        .clone()
        .or(envelope.job_id)
        .filter(|id| !id.is_empty())
        .unwrap_or_else(|| requested_id.to_owned());
    Ok(Job {
        id,
        status: JobStatus::from_wire(&raw_status),
        message: envelope.message.unwrap_or_default(),
        data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::error::ErrorKind;

    const KEY: &str = "sk-live-abcdef";

    #[test]
    fn non_2xx_answers_map_to_what_the_user_needs_to_know() {
        let json = |m: &str| format!(r#"{{"status":"FAILED","message":"{m}","data":null}}"#);
        let html = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>cloudflare</body></html>";
        let cases: Vec<(u16, String, ErrorKind, &str)> = vec![
            (
                400,
                json("Parameter error"),
                ErrorKind::Rejected,
                "Parameter error",
            ),
            (
                401,
                r#"{"status":"FAILED","message":"Wrong TT-API-KEY or email is not activated."}"#
                    .into(),
                ErrorKind::Unauthorized,
                "rejected the API key",
            ),
            (
                402,
                json("insufficient balance"),
                ErrorKind::InsufficientBalance,
                "balance",
            ),
            (
                403,
                json("account disabled"),
                ErrorKind::Blocked,
                "account disabled",
            ),
            (404, String::new(), ErrorKind::NotFound, "404"),
            (
                429,
                json("Too many requests"),
                ErrorKind::RateLimited,
                "rate limiting",
            ),
            (
                499,
                json("queue exhausted"),
                ErrorKind::QueueFull,
                "queue exhausted",
            ),
            (
                500,
                json("service exception"),
                ErrorKind::Server,
                "service exception",
            ),
            (502, html.into(), ErrorKind::Server, "502 Bad Gateway"),
            (
                503,
                "upstream connect error".into(),
                ErrorKind::Server,
                "upstream connect error",
            ),
            (504, html.into(), ErrorKind::GatewayTimeout, "504"),
            (418, String::new(), ErrorKind::Rejected, "HTTP 418"),
        ];
        for (code, body, kind, says) in cases {
            let err = error_for_status(
                StatusCode::from_u16(code).unwrap(),
                None,
                body.as_bytes(),
                KEY,
            );
            assert_eq!(err.kind(), kind, "HTTP {code}");
            assert!(err.to_string().contains(says), "HTTP {code}: {err}");
        }
    }

    #[test]
    fn unreadable_bodies_are_described_not_swallowed() {
        let cases: [(&[u8], &str); 5] = [
            (b"", "empty"),
            (
                b"<html><head><title>Just a moment...</title></head><body></body></html>",
                "HTML page instead of JSON (\"Just a moment...\")",
            ),
            (b"{\"status\": \"SUCC", "not the JSON"),
            (b"\xff\xfe\x00garbage", "not the JSON"),
            (b"<body>no title</body>", "untitled page"),
        ];
        for (body, says) in cases {
            let err = parse_envelope(StatusCode::OK, body, KEY).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::BadResponse);
            assert!(err.to_string().contains(says), "{err}");
        }
    }

    #[test]
    fn the_key_is_scrubbed_from_echoed_bodies() {
        let body = format!(r#"{{"status":"FAILED","message":"bad key {KEY} given"}}"#);
        let err = error_for_status(StatusCode::BAD_REQUEST, None, body.as_bytes(), KEY);
        assert!(!err.to_string().contains(KEY), "{err}");
        let err =
            parse_envelope(StatusCode::OK, format!("oops {KEY}").as_bytes(), KEY).unwrap_err();
        assert!(!err.to_string().contains(KEY), "{err}");
    }

    #[test]
    fn long_excerpts_are_cut_to_one_line() {
        let text = "word\n".repeat(200);
        let cut = excerpt(&text, "");
        assert!(!cut.contains('\n'));
        assert!(cut.ends_with('…'));
        assert_eq!(cut.chars().count(), EXCERPT_CHARS + 1);
    }

    #[test]
    fn job_ids_come_from_data_then_envelope_then_request() {
        let env = |body: &str| serde_json::from_str::<Envelope<Value>>(body).unwrap();
        let job = job_from_envelope(
            env(r#"{"status":"ON_QUEUE","data":{"progress":"50"}}"#),
            "asked",
            StatusCode::OK,
        )
        .unwrap();
        assert_eq!(
            (job.id.as_str(), job.status.clone(), job.data.progress),
            ("asked", JobStatus::OnQueue, Some(50))
        );
        let job = job_from_envelope(
            env(r#"{"status":"SUCCESS","jobId":"top","data":null}"#),
            "asked",
            StatusCode::OK,
        )
        .unwrap();
        assert_eq!(job.id, "top");
        let err =
            job_from_envelope(env(r#"{"message":"x"}"#), "asked", StatusCode::OK).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadResponse);
    }

    /// A proxy that answers every connection with 502 and counts them.
    async fn counting_proxy() -> (Url, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
        use tokio::io::AsyncWriteExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = Url::parse(&format!("http://{}", listener.local_addr().unwrap())).unwrap();
        let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = count.clone();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let _ = stream
                    .write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n")
                    .await;
            }
        });
        (url, count)
    }

    #[tokio::test]
    async fn through_a_proxy_a_download_host_is_resolved_and_checked_before_the_proxy_sees_it() {
        let (proxy, connections) = counting_proxy().await;
        let options = ClientOptions {
            proxy: Some(proxy),
            ..ClientOptions::default()
        };
        let client =
            TtapiClient::with_options(BaseUrl::official(), ApiKey::new(KEY).unwrap(), options)
                .unwrap();
        let seen = || connections.load(std::sync::atomic::Ordering::SeqCst);

        // `.invalid` never resolves (RFC 6761): a name Moodgrid cannot check is not handed to the proxy.
        let unchecked = client
            .download("https://images.invalid/a.png", 1024)
            .await
            .unwrap_err();
        assert!(
            matches!(&unchecked, ApiError::NotAllowed(m) if m.contains("images.invalid through the proxy")),
            "{unchecked}"
        );
        let nat64 = client
            .download("https://[64:ff9b::a00:1]/a.png", 1024)
            .await
            .unwrap_err();
        assert!(matches!(nat64, ApiError::NotAllowed(_)), "{nat64}");
        assert_eq!(seen(), 0, "nothing reached the proxy");

        // A public address does go through it: the proxy is really in the way.
        let public = client
            .download("https://93.184.216.34/a.png", 1024)
            .await
            .unwrap_err();
        assert!(!matches!(public, ApiError::NotAllowed(_)), "{public}");
        assert_eq!(seen(), 1);
    }
}

/// Random and mangled answers must give a job or a clear error, never a panic.
#[cfg(test)]
mod fuzz {
    use super::*;
    use crate::api::ErrorKind;
    use serde_json::json;

    fn random_value(rng: &mut fastrand::Rng, depth: u32) -> Value {
        match rng.u8(0..if depth > 3 { 5 } else { 7 }) {
            0 => Value::Null,
            1 => Value::Bool(rng.bool()),
            2 => json!(rng.i64(-1_000_000..1_000_000)),
            3 => json!(rng.f64() * 1e6),
            4 => {
                let pool = [
                    "",
                    "SUCCESS",
                    "FAILED",
                    "ON_QUEUE",
                    "100",
                    "50%",
                    "imagine",
                    "upsample9",
                    "\u{0}",
                    "🦊",
                ];
                Value::String(pool[rng.usize(..pool.len())].to_owned())
            }
            5 => Value::Array(
                (0..rng.usize(0..5))
                    .map(|_| random_value(rng, depth + 1))
                    .collect(),
            ),
            _ => {
                let keys = [
                    "status",
                    "message",
                    "data",
                    "jobId",
                    "job_id",
                    "progress",
                    "components",
                    "images",
                    "width",
                    "seed",
                    "quota",
                    "action",
                    "actions",
                    "cdnImage",
                ];
                Value::Object(
                    (0..rng.usize(0..8))
                        .map(|_| {
                            (
                                keys[rng.usize(..keys.len())].to_owned(),
                                random_value(rng, depth + 1),
                            )
                        })
                        .collect(),
                )
            }
        }
    }

    #[test]
    fn random_json_and_mangled_bytes_never_panic() {
        let mut rng = fastrand::Rng::with_seed(2026);
        for _ in 0..5_000 {
            let value = random_value(&mut rng, 0);
            let mut body = serde_json::to_vec(&value).unwrap();
            if rng.bool() && !body.is_empty() {
                // Cut or corrupt it as a broken proxy would.
                let at = rng.usize(..body.len());
                if rng.bool() {
                    body.truncate(at)
                } else {
                    body[at] = rng.u8(..)
                }
            }
            match parse_envelope(StatusCode::OK, &body, "k") {
                Ok(envelope) => {
                    if let Err(e) = job_from_envelope(envelope, "asked", StatusCode::OK) {
                        assert_eq!(e.kind(), ErrorKind::BadResponse);
                    }
                }
                Err(e) => assert_eq!(e.kind(), ErrorKind::BadResponse),
            }
            let status = StatusCode::from_u16(rng.u16(400..600)).unwrap();
            let err = error_for_status(status, None, &body, "k");
            assert!(!err.to_string().is_empty());
        }
    }
}
