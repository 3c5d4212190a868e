//! TTAPI wire types and the HTTP client. No egui, no database: this layer only speaks the contract in
//! `shared/ttapi-midjourney-api.md`.
//!
//! Where a change goes:
//! - a new spelling of a field TTAPI sends: `wire.rs`, with a helper in `lenient.rs` if it needs one.
//! - checking a request before it is sent: the request's `validate()` in `wire.rs`; the simulator runs the
//!   same one and answers 400 with the same words.
//! - how an HTTP status or body becomes an error: `error_for_status` and `parse_envelope` in `client.rs`;
//!   the errors, and which are the account's (`ApiError::is_account_problem`): `error.rs`.
//! - another API host: `KNOWN_HOSTS` in `base_url.rs`.
//! - where requests may go (redirects, download addresses, proxies): `guard.rs`. Consent for a custom host
//!   is `trusted_hosts` in `src/settings.rs`, checked before any request with the key by
//!   `engine::backend::key_may_go_to` (at engine start and restart through `with_consent`; Check key
//!   through `engine::commands::check_account`); a new way to send the key goes through it.
//! - the key itself (`ApiKey`, never printed): `key.rs`.

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
