use std::time::Duration;

use crate::domain::Mode;

/// How often and how patiently the engine talks to the service.
#[derive(Debug, Clone)]
pub struct Timing {
    /// Between two fetches of a running fast job; relax waits twice as long, the last stretch half.
    pub poll_interval: Duration,
    pub max_poll_interval: Duration,
    /// First wait after a transient error; doubles per failure (with jitter) up to `retry_max`.
    pub retry_base: Duration,
    pub retry_max: Duration,
    /// Waits before each look in the account's job list for a submission whose answer was lost.
    pub reconcile_delays: Vec<Duration>,
    /// Added to a job's own timeout before it is given up.
    pub timeout_margin: Duration,
    /// Jobs in progress at once (TTAPI's default account limit).
    pub max_in_progress: usize,
    /// Tries per image download before the job is left for a later resume.
    pub download_attempts: u32,
    /// Tries per image that arrives but is refused by Moodgrid's limits (too many pixels, not an image,
    /// damaged) before the job fails with the reason.
    pub image_attempts: u32,
    /// A result image whose address answers 403, 404 or 410 is tried `GONE_TRIES` times over this long
    /// before the job fails with "TTAPI's image is gone" (a CDN may lag behind the job's SUCCESS).
    pub gone_patience: Duration,
    /// How often a queued job looks for a free place under the account's in-flight cap.
    pub slot_check: Duration,
    /// How long a submission that cannot reach the service (refused connection, 429, 503) is tried again,
    /// visibly, before the job waits for a later resume.
    pub unreachable_patience: Duration,
    /// Unreadable answers to fetch (HTML, not JSON, too large) end in a stall after this many in a row…
    pub unreadable_polls: u32,
    /// …spread over at least this long.
    pub unreadable_patience: Duration,
    /// After the reconcile looks found nothing, one more look this much later; if the job is still not in
    /// the account's list, it is sent again, once.
    pub resend_grace: Duration,
    /// How long this engine's job claims hold without renewal (`library::LEASE`): another process takes a
    /// job over this long after its engine died.
    pub lease: Duration,
    /// The longest one request to the service may take (the client gives up then). A job's claim covers its
    /// submission for this long, so no other process takes it over while the request may be on its way.
    pub request_timeout: Duration,
    /// Multiplies every job's timeout and `timeout_margin` (`MOODGRID_TIMEOUT_SCALE`): tests let a job run
    /// past its deadline in seconds, not minutes.
    pub timeout_scale: f64,
    /// A test hook (`MOODGRID_TEST_PAUSE_BEFORE_SEND_MS`, obeyed by debug builds only): a pause between
    /// writing `submitting` and sending, long enough for a test to stop the process there. Zero in use.
    pub pause_before_send: Duration,
}

/// The longest `Retry-After` Moodgrid honours; a service asking for more is asked again after this.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

impl Default for Timing {
    fn default() -> Self {
        Timing {
            poll_interval: Duration::from_secs(3),
            max_poll_interval: Duration::from_secs(15),
            retry_base: Duration::from_secs(1),
            retry_max: Duration::from_secs(60),
            reconcile_delays: vec![
                Duration::from_secs(2),
                Duration::from_secs(5),
                Duration::from_secs(10),
            ],
            timeout_margin: Duration::from_secs(120),
            max_in_progress: 10,
            download_attempts: 8,
            image_attempts: 3,
            gone_patience: Duration::from_secs(60),
            slot_check: Duration::from_secs(1),
            unreachable_patience: Duration::from_secs(600),
            unreadable_polls: 5,
            unreadable_patience: Duration::from_secs(60),
            resend_grace: Duration::from_secs(20),
            lease: crate::library::LEASE,
            request_timeout: crate::api::ClientOptions::default().request_timeout,
            timeout_scale: 1.0,
            pause_before_send: Duration::ZERO,
        }
    }
}

impl Timing {
    /// Everything scaled to a base interval: what tests and `MOODGRID_POLL_MS` use.
    pub fn scaled(poll: Duration) -> Timing {
        Timing {
            poll_interval: poll,
            max_poll_interval: poll * 5,
            retry_base: poll,
            retry_max: poll * 20,
            reconcile_delays: vec![poll * 2, poll * 5, poll * 10],
            slot_check: poll,
            unreachable_patience: poll * 200,
            unreadable_patience: poll * 20,
            gone_patience: poll * 20,
            resend_grace: poll * 10,
            // Never below 2 s: a busy machine must still renew in time.
            lease: (poll * 50).max(Duration::from_secs(2)),
            // A takeover of a job being sent waits this long past the lease: short in tests, never so short
            // that a debug build's blend upload is cut.
            request_timeout: (poll * 100).max(Duration::from_secs(3)),
            ..Timing::default()
        }
    }

    /// `fallback`, or [`Timing::scaled`] to `MOODGRID_POLL_MS` when the environment sets it, with job
    /// timeouts scaled by `MOODGRID_TIMEOUT_SCALE` (tests, diagnostics) and the test hook
    /// `MOODGRID_TEST_PAUSE_BEFORE_SEND_MS`.
    pub fn from_env_or(fallback: Timing) -> Timing {
        let number = |name: &str| {
            std::env::var(name)
                .ok()
                .and_then(|value| value.trim().parse::<f64>().ok())
                .filter(|value| value.is_finite() && *value > 0.0)
        };
        let mut timing = match number("MOODGRID_POLL_MS") {
            Some(ms) => Timing::scaled(Duration::from_secs_f64(ms / 1000.0)),
            None => fallback,
        };
        if let Some(scale) = number("MOODGRID_TIMEOUT_SCALE") {
            // Within reason: a scale that overflows a duration would make every deadline panic.
            timing.timeout_scale = scale.clamp(1e-4, 1e3);
        }
        if let Some(ms) = number("MOODGRID_TEST_PAUSE_BEFORE_SEND_MS") {
            timing.pause_before_send = Duration::from_secs_f64(ms / 1000.0);
        }
        timing
    }

    /// How long after it was sent a job that TTAPI still runs is given up: its own timeout plus the margin,
    /// both scaled by `timeout_scale`.
    pub fn give_up_after(&self, job_timeout_secs: u32) -> Duration {
        (Duration::from_secs(u64::from(job_timeout_secs)) + self.timeout_margin)
            .mul_f64(self.timeout_scale)
    }

    /// For the embedded simulator: asking it costs nothing, so progress can be followed closely.
    pub fn local() -> Timing {
        Timing {
            lease: crate::library::LEASE,
            ..Timing::scaled(Duration::from_millis(500))
        }
    }

    /// The wait before the next fetch of a job in `mode` at `progress`.
    pub fn poll_after(&self, mode: Option<Mode>, progress: Option<u8>) -> Duration {
        let mut wait = self.poll_interval;
        if mode == Some(Mode::Relax) {
            wait *= 2;
        }
        if progress.is_some_and(|p| p >= 60) {
            wait /= 2;
        }
        wait.clamp(self.poll_interval / 2, self.max_poll_interval)
    }

    /// Exponential backoff with jitter for the `failures`-th consecutive transient error, never shorter
    /// than what the service asked for (`Retry-After`).
    pub fn backoff(&self, failures: u32, asked: Option<Duration>) -> Duration {
        let exponential = self
            .retry_base
            .saturating_mul(1u32 << failures.min(16))
            .min(self.retry_max);
        let jittered = exponential.mul_f64(0.5 + 0.5 * fastrand::f64());
        jittered.max(asked.unwrap_or_default().min(MAX_RETRY_AFTER))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polling_is_slower_in_relax_and_faster_near_the_end() {
        let t = Timing::default();
        assert_eq!(
            t.poll_after(Some(Mode::Fast), Some(10)),
            Duration::from_secs(3)
        );
        assert_eq!(
            t.poll_after(Some(Mode::Relax), Some(10)),
            Duration::from_secs(6)
        );
        assert_eq!(
            t.poll_after(Some(Mode::Fast), Some(80)),
            Duration::from_millis(1500)
        );
    }

    #[test]
    fn a_jobs_deadline_is_its_timeout_and_the_margin_scaled_together() {
        let t = Timing::default();
        assert_eq!(t.give_up_after(300), Duration::from_secs(420));
        let quick = Timing {
            timeout_scale: 0.01,
            ..Timing::default()
        };
        assert_eq!(quick.give_up_after(300), Duration::from_millis(4200));
    }

    #[test]
    fn backoff_grows_is_capped_and_respects_retry_after() {
        let t = Timing::default();
        for failures in 0..30 {
            let wait = t.backoff(failures, None);
            let ceiling = t
                .retry_base
                .saturating_mul(1u32 << failures.min(16))
                .min(t.retry_max);
            assert!(
                wait <= ceiling && wait >= ceiling / 2,
                "{failures}: {wait:?}"
            );
        }
        assert!(t.backoff(0, Some(Duration::from_secs(7))) >= Duration::from_secs(7));
        // A service asking for an hour is asked again after five minutes.
        assert_eq!(
            t.backoff(0, Some(Duration::from_secs(3600))),
            MAX_RETRY_AFTER
        );
    }
}
