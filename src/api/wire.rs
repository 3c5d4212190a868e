//! TTAPI's JSON shapes, as sent and as received. Requests serialise exactly as the contract shows them;
//! responses accept every documented variant (see `shared/ttapi-midjourney-api.md` §11–12).
//! The simulator deserialises the same request types, so both ends agree by construction.

use serde::{Deserialize, Serialize};

use super::lenient;
use crate::domain::{BlendDimensions, JobStatus, Mode};

pub const MIN_TIMEOUT_SECS: u32 = 300;
pub const MAX_TIMEOUT_SECS: u32 = 1200;
pub const BLEND_MIN_IMAGES: usize = 2;
pub const BLEND_MAX_IMAGES: usize = 5;

/// A request the service would refuse, caught before anything is sent (and by the simulator, identically).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RequestError(pub String);

fn check_non_empty(field: &str, value: &str) -> Result<(), RequestError> {
    if value.trim().is_empty() {
        Err(RequestError(format!("{field} must not be empty")))
    } else {
        Ok(())
    }
}

/// The fields every submission takes: how long the job may run, and where to report its end.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobOptions {
    /// Seconds, 300–1200; TTAPI's examples send it as a number or a string, both are read.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_u32_strict"
    )]
    pub timeout: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hook_url: Option<String>,
}

impl JobOptions {
    pub fn validate(&self) -> Result<(), RequestError> {
        match self.timeout {
            Some(t) if !(MIN_TIMEOUT_SECS..=MAX_TIMEOUT_SECS).contains(&t) => {
                Err(RequestError(format!(
                    "timeout must be between {MIN_TIMEOUT_SECS} and {MAX_TIMEOUT_SECS} seconds, not {t}"
                )))
            }
            _ => Ok(()),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImagineRequest {
    #[serde(default)]
    pub prompt: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
    #[serde(flatten)]
    pub options: JobOptions,
    #[serde(
        default,
        rename = "getUImages",
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub get_u_images: bool,
}

impl ImagineRequest {
    pub fn new(prompt: impl Into<String>, mode: Mode) -> Self {
        ImagineRequest {
            prompt: prompt.into(),
            mode: Some(mode),
            ..Default::default()
        }
    }

    pub fn validate(&self) -> Result<(), RequestError> {
        check_non_empty("prompt", &self.prompt)?;
        self.options.validate()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionRequest {
    #[serde(default, alias = "job_id")]
    pub job_id: String,
    #[serde(default)]
    pub action: String,
    #[serde(flatten)]
    pub options: JobOptions,
}

impl ActionRequest {
    pub fn new(job_id: impl Into<String>, action: impl Into<String>) -> Self {
        ActionRequest {
            job_id: job_id.into(),
            action: action.into(),
            ..Default::default()
        }
    }

    pub fn validate(&self) -> Result<(), RequestError> {
        check_non_empty("jobId", &self.job_id)?;
        check_non_empty("action", &self.action)?;
        self.options.validate()
    }
}

/// `POST /seed` and, with a different meaning, the body form of `POST /fetch`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobRequest {
    #[serde(default, alias = "job_id")]
    pub job_id: String,
    #[serde(flatten)]
    pub options: JobOptions,
}

impl JobRequest {
    pub fn new(job_id: impl Into<String>) -> Self {
        JobRequest {
            job_id: job_id.into(),
            ..Default::default()
        }
    }

    pub fn validate(&self) -> Result<(), RequestError> {
        check_non_empty("jobId", &self.job_id)?;
        self.options.validate()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlendRequest {
    /// Data URIs (`data:image/png;base64,…`).
    #[serde(default)]
    pub img_base64_array: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<BlendDimensions>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
    #[serde(flatten)]
    pub options: JobOptions,
}

impl BlendRequest {
    pub fn validate(&self) -> Result<(), RequestError> {
        let n = self.img_base64_array.len();
        if !(BLEND_MIN_IMAGES..=BLEND_MAX_IMAGES).contains(&n) {
            return Err(RequestError(format!(
                "blend takes {BLEND_MIN_IMAGES} to {BLEND_MAX_IMAGES} images, not {n}"
            )));
        }
        for (i, image) in self.img_base64_array.iter().enumerate() {
            check_non_empty(&format!("imgBase64Array[{i}]"), image)?;
        }
        self.options.validate()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeRequest {
    /// A data URI; wins over `url` when both are given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base64: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(flatten)]
    pub options: JobOptions,
}

impl DescribeRequest {
    pub fn validate(&self) -> Result<(), RequestError> {
        let given = |s: &Option<String>| s.as_deref().is_some_and(|s| !s.trim().is_empty());
        if !given(&self.base64) && !given(&self.url) {
            return Err(RequestError(
                "describe needs an image: give base64 or url".into(),
            ));
        }
        self.options.validate()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InpaintRequest {
    #[serde(default, alias = "job_id")]
    pub job_id: String,
    /// Raw base64 of a black/white PNG, white = repaint, without a `data:` prefix.
    #[serde(default)]
    pub mask: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    #[serde(flatten)]
    pub options: JobOptions,
}

impl InpaintRequest {
    pub fn validate(&self) -> Result<(), RequestError> {
        check_non_empty("jobId", &self.job_id)?;
        check_non_empty("mask", &self.mask)?;
        if self.mask.trim_start().starts_with("data:") {
            return Err(RequestError(
                "mask must be raw base64 without a data: prefix".into(),
            ));
        }
        self.options.validate()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PromptCheckRequest {
    #[serde(default)]
    pub prompt: String,
}

/// Query of `GET /fetch-list`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FetchListQuery {
    #[serde(default = "FetchListQuery::first_page")]
    pub page: u32,
    #[serde(default = "FetchListQuery::default_limit")]
    pub limit: u32,
    /// A job status (`SUCCESS`, `ON_QUEUE`…); the service's default is finished jobs only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `asc` or `desc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
}

impl FetchListQuery {
    pub const MAX_LIMIT: u32 = 100;

    fn first_page() -> u32 {
        1
    }

    fn default_limit() -> u32 {
        10
    }
}

impl Default for FetchListQuery {
    fn default() -> Self {
        FetchListQuery {
            page: 1,
            limit: 10,
            status: None,
            order: None,
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// Responses

/// The envelope every synchronous answer comes in: `{status, message, data}` (plus `jobId` on fetch).
#[derive(Debug, Clone, Deserialize)]
pub struct Envelope<T> {
    #[serde(default, deserialize_with = "lenient::opt_string_or_number")]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string_or_number")]
    pub message: Option<String>,
    #[serde(default)]
    pub data: Option<T>,
    #[serde(default, rename = "jobId", alias = "job_id")]
    pub job_id: Option<String>,
}

/// `data` of a submit answer: the new job's id under either spelling.
#[derive(Debug, Clone, Deserialize)]
pub struct SubmitData {
    #[serde(default, rename = "jobId", alias = "job_id")]
    pub job_id: Option<String>,
}

/// `data` of a job (fetch answer and webhook body). Every field is optional because `data` may be partial.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobData {
    /// The action that created the job (`imagine`, `upsample2`…); older payloads spell it `actions`.
    #[serde(default, alias = "actions")]
    pub action: Option<String>,
    #[serde(default, alias = "job_id")]
    pub job_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_progress")]
    pub progress: Option<u8>,
    #[serde(default)]
    pub prompt: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_f64")]
    pub quota: Option<f64>,
    #[serde(default)]
    pub discord_image: Option<String>,
    #[serde(default)]
    pub cdn_image: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_u32")]
    pub width: Option<u32>,
    #[serde(default, deserialize_with = "lenient::opt_u32")]
    pub height: Option<u32>,
    #[serde(default)]
    pub hook_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::string_list")]
    pub components: Vec<String>,
    #[serde(default, deserialize_with = "lenient::opt_string_or_number")]
    pub seed: Option<String>,
    #[serde(default, deserialize_with = "lenient::string_list")]
    pub images: Vec<String>,
}

/// A job as fetched, normalised: the envelope's status and message with the (possibly partial) data.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: String,
    pub status: JobStatus,
    /// The failure reason on FAILED; usually empty otherwise.
    pub message: String,
    pub data: JobData,
}

impl Job {
    /// The URL of the job's main image: TTAPI's own copy first, the (expiring) Discord link as a fallback.
    pub fn image_url(&self) -> Option<&str> {
        self.data
            .cdn_image
            .as_deref()
            .or(self.data.discord_image.as_deref())
            .filter(|u| !u.is_empty())
    }
}

/// `data` of `GET /info`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct AccountInfo {
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub email_verified_at: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_f64")]
    pub balance: Option<f64>,
    #[serde(default, deserialize_with = "lenient::opt_f64")]
    pub freeze_balance: Option<f64>,
    #[serde(default, deserialize_with = "lenient::opt_u32")]
    pub max_queue: Option<u32>,
    #[serde(default)]
    pub created_at: Option<String>,
}

/// One row of `GET /fetch-list` (snake_case, numeric status and quota on the wire).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct ListedJob {
    #[serde(default, alias = "jobId")]
    pub job_id: Option<String>,
    /// The mode, which this endpoint calls `model`.
    #[serde(default, alias = "mode")]
    pub model: Option<String>,
    #[serde(default, alias = "actions")]
    pub action: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_f64")]
    pub quota: Option<f64>,
    /// Numeric here (meaning undocumented) but a string elsewhere; kept as text.
    #[serde(default, deserialize_with = "lenient::opt_string_or_number")]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_progress")]
    pub progress: Option<u8>,
    #[serde(default)]
    pub prompt: Option<String>,
    #[serde(default, alias = "discordImage")]
    pub discord_image: Option<String>,
    #[serde(default, alias = "cdnImage")]
    pub cdn_image: Option<String>,
}

/// What `POST /promptCheck` said about a prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptVerdict {
    Allowed,
    Refused(String),
}

/// One mode's line of `GET /midjourney/status`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModeHealth {
    #[serde(default, deserialize_with = "lenient::opt_u32")]
    pub status: Option<u32>,
    #[serde(default)]
    pub running_message: Option<String>,
    /// Average seconds a job of this mode takes.
    #[serde(default, deserialize_with = "lenient::opt_f64")]
    pub average_execute: Option<f64>,
}

impl ModeHealth {
    /// TTAPI reports a healthy mode as status 200 (contract §5.9).
    pub fn is_down(&self) -> bool {
        self.status.is_some_and(|status| status != 200)
    }

    /// "down: Endpoints unavailable", "about 46 s a job", or "up".
    pub fn summary(&self) -> String {
        if self.is_down() {
            return format!(
                "down: {}",
                self.running_message.as_deref().unwrap_or("unavailable")
            );
        }
        match self.typical_time() {
            Some(time) => format!("about {time} a job"),
            None => "up".to_owned(),
        }
    }

    /// A job's average time: "46 s", "2.4 s" (whole seconds once they are many).
    pub fn typical_time(&self) -> Option<String> {
        let s = self.average_execute?;
        Some(if s >= 10.0 {
            format!("{s:.0} s")
        } else {
            format!("{s:.1} s")
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct ServiceStatus {
    #[serde(default)]
    pub fast: Option<ModeHealth>,
    #[serde(default)]
    pub relax: Option<ModeHealth>,
    #[serde(default)]
    pub turbo: Option<ModeHealth>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_modes_health_reads_as_its_time_or_why_it_is_down() {
        let health = |status, message: &str, average| ModeHealth {
            status,
            running_message: Some(message.to_owned()),
            average_execute: average,
        };
        let cases = [
            (
                health(Some(200), "Endpoints running", Some(46.42)),
                "about 46 s a job",
                false,
            ),
            (
                health(Some(200), "Endpoints running", Some(2.44)),
                "about 2.4 s a job",
                false,
            ),
            (health(None, "", None), "up", false),
            (
                health(Some(503), "Endpoints unavailable", Some(0.0)),
                "down: Endpoints unavailable",
                true,
            ),
        ];
        for (health, said, down) in cases {
            assert_eq!(health.summary(), said);
            assert_eq!(health.is_down(), down);
        }
    }
}
