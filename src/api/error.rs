use std::time::Duration;

use super::wire::RequestError;

/// Where a network failure happened, which decides whether a submission may have reached the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkPhase {
    /// No connection was made: the request certainly did not arrive.
    Connect,
    /// The request was (or may have been) sent, then the answer did not come in time.
    Timeout,
    /// The connection broke while sending or receiving: the request may have been processed.
    Interrupted,
}

/// Everything that can go wrong talking to TTAPI, worded for the person using the app. No variant holds the
/// API key, and response excerpts are scrubbed of it (see `client::excerpt`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    #[error("Not sent: {0}")]
    InvalidRequest(#[from] RequestError),
    #[error(
        "TTAPI rejected the API key (wrong TT-API-KEY, or the account's e-mail is not activated)"
    )]
    Unauthorized,
    #[error("Your TTAPI balance is too low for this job{}", suffix(.message))]
    InsufficientBalance { message: String },
    #[error("This TTAPI account is blocked{}", suffix(.message))]
    Blocked { message: String },
    #[error("TTAPI is rate limiting requests; Moodgrid will retry shortly")]
    RateLimited { retry_after: Option<Duration> },
    #[error("TTAPI's queue is full: too many jobs are running at once{}", suffix(.message))]
    QueueFull { message: String },
    #[error("TTAPI refused the request: {message}")]
    Rejected { status: u16, message: String },
    #[error("TTAPI has no such endpoint or resource (HTTP 404){}", suffix(.message))]
    NotFound { message: String },
    #[error("TTAPI took too long to answer (HTTP 504 gateway timeout)")]
    GatewayTimeout,
    #[error("TTAPI had a server error (HTTP {status}){}", suffix(.message))]
    Server { status: u16, message: String },
    #[error("Could not reach TTAPI: {detail}")]
    Network { phase: NetworkPhase, detail: String },
    #[error("TTAPI sent an answer Moodgrid cannot read (HTTP {status}): {reason}")]
    BadResponse { status: u16, reason: String },
    #[error("The download is larger than the {limit_bytes}-byte limit")]
    TooLarge { limit_bytes: u64 },
    /// An address Moodgrid will not send to or download from (another origin for the key, a private
    /// network for images). Nothing was sent there.
    #[error("Not sent: {0}")]
    NotAllowed(String),
}

impl ApiError {
    /// The HTTP status of an answer saying the address holds nothing (any more): 403, 404 or 410. For an
    /// image download that is a CDN that lost or locked the file, not the account.
    pub fn gone_status(&self) -> Option<u16> {
        match self {
            ApiError::Blocked { .. } => Some(403),
            ApiError::NotFound { .. } => Some(404),
            ApiError::Rejected { status: 410, .. } => Some(410),
            _ => None,
        }
    }
}

fn suffix(message: &str) -> String {
    if message.is_empty() {
        String::new()
    } else {
        format!(": {message}")
    }
}

/// A coarse classification for retry policy and for tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    InvalidRequest,
    Unauthorized,
    InsufficientBalance,
    Blocked,
    RateLimited,
    QueueFull,
    Rejected,
    NotFound,
    GatewayTimeout,
    Server,
    Network,
    BadResponse,
    TooLarge,
    NotAllowed,
}

impl ApiError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            ApiError::InvalidRequest(_) => ErrorKind::InvalidRequest,
            ApiError::Unauthorized => ErrorKind::Unauthorized,
            ApiError::InsufficientBalance { .. } => ErrorKind::InsufficientBalance,
            ApiError::Blocked { .. } => ErrorKind::Blocked,
            ApiError::RateLimited { .. } => ErrorKind::RateLimited,
            ApiError::QueueFull { .. } => ErrorKind::QueueFull,
            ApiError::Rejected { .. } => ErrorKind::Rejected,
            ApiError::NotFound { .. } => ErrorKind::NotFound,
            ApiError::GatewayTimeout => ErrorKind::GatewayTimeout,
            ApiError::Server { .. } => ErrorKind::Server,
            ApiError::Network { .. } => ErrorKind::Network,
            ApiError::BadResponse { .. } => ErrorKind::BadResponse,
            ApiError::TooLarge { .. } => ErrorKind::TooLarge,
            ApiError::NotAllowed(_) => ErrorKind::NotAllowed,
        }
    }

    /// The account must change before anything can succeed (key, balance, ban): a person has to act.
    pub fn is_account_problem(&self) -> bool {
        matches!(
            self.kind(),
            ErrorKind::Unauthorized | ErrorKind::InsufficientBalance | ErrorKind::Blocked
        )
    }

    /// Worth trying the same request again later (after a backoff). Submissions additionally need
    /// [`ApiError::may_have_been_processed`] to be false, or they risk charging twice.
    pub fn is_transient(&self) -> bool {
        matches!(
            self.kind(),
            ErrorKind::RateLimited
                | ErrorKind::QueueFull
                | ErrorKind::GatewayTimeout
                | ErrorKind::Server
                | ErrorKind::Network
                | ErrorKind::BadResponse
        )
    }

    /// How long the service asked to wait before the next request (`Retry-After` of a 429).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ApiError::RateLimited { retry_after } => *retry_after,
            _ => None,
        }
    }

    /// The service may have acted on the request even though no usable answer came back.
    pub fn may_have_been_processed(&self) -> bool {
        match self {
            ApiError::Network { phase, .. } => *phase != NetworkPhase::Connect,
            ApiError::GatewayTimeout | ApiError::BadResponse { .. } => true,
            ApiError::Server { status, .. } => *status != 503,
            _ => false,
        }
    }
}
