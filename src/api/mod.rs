//! TTAPI wire types and the HTTP client. No egui, no database: this layer only speaks the contract in
//! `shared/ttapi-midjourney-api.md`.

mod base_url;
mod client;
mod error;
pub mod guard;
mod key;
mod lenient;
pub mod wire;

pub use base_url::{BaseUrl, BaseUrlError, DEFAULT_BASE_URL, KNOWN_HOSTS, is_loopback};
pub use client::{ClientOptions, DEFAULT_MAX_DOWNLOAD_BYTES, TtapiClient};
pub use error::{ApiError, ErrorKind, NetworkPhase};
pub use key::ApiKey;
pub use wire::{
    AccountInfo, ActionRequest, BlendRequest, DescribeRequest, FetchListQuery, ImagineRequest,
    InpaintRequest, Job, JobData, JobOptions, JobRequest, ListedJob, ModeHealth, PromptVerdict,
    RequestError, ServiceStatus,
};
