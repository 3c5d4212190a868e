//! One press, one job. A double click, a key held down (Ctrl+Enter repeats), or a button pressed again
//! before the window has redrawn must not start a second paid job. Presses of the same submission within
//! [`SAME_PRESS`] of the previous one count as that one press (a held key keeps extending it). Upscales
//! are guarded further where they are pressed (`Services::press`): one that exists opens instead.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::engine::{DescribeSource, NewSubmission};

/// Presses of the same submission closer together than this are one press.
pub const SAME_PRESS: Duration = Duration::from_secs(1);

#[derive(Default)]
pub struct SubmitGuard {
    /// Each submission's fingerprint and when it was last pressed.
    last: HashMap<String, Instant>,
}

impl SubmitGuard {
    /// Whether this press starts a job (`true`) or repeats the press just made (`false`).
    pub fn admit(&mut self, submission: &NewSubmission, now: Instant) -> bool {
        let key = fingerprint(submission);
        let repeat = self
            .last
            .get(&key)
            .is_some_and(|at| now.saturating_duration_since(*at) < SAME_PRESS);
        self.last
            .retain(|_, at| now.saturating_duration_since(*at) < SAME_PRESS);
        self.last.insert(key, now);
        !repeat
    }
}

/// What makes two submissions the same press: kind, target and content.
fn fingerprint(submission: &NewSubmission) -> String {
    match submission {
        NewSubmission::Imagine { prompt, mode, .. } => {
            format!("imagine|{}|{}", mode.as_str(), prompt.trim())
        }
        NewSubmission::Action { parent, action, .. } => format!("action|{parent}|{action}"),
        NewSubmission::Blend {
            images,
            dimensions,
            mode,
        } => {
            let names: Vec<String> = images
                .iter()
                .map(|i| format!("{}:{}", i.name, i.bytes.len()))
                .collect();
            format!("blend|{dimensions:?}|{}|{}", mode.as_str(), names.join(","))
        }
        NewSubmission::Describe { source } => match source {
            DescribeSource::Image(image) => {
                format!("describe|{}:{}", image.name, image.bytes.len())
            }
            DescribeSource::Url(url) => format!("describe|{url}"),
        },
        NewSubmission::Seed { parent } => format!("seed|{parent}"),
        NewSubmission::Inpaint { parent, mask, .. } => {
            format!("inpaint|{parent}|{}", mask.bytes.len())
        }
        NewSubmission::Retry { job } => format!("retry|{job}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Mode;

    fn imagine(prompt: &str) -> NewSubmission {
        NewSubmission::Imagine {
            prompt: prompt.into(),
            mode: Mode::Fast,
            timeout: None,
        }
    }

    fn variation(parent: i64, n: u8) -> NewSubmission {
        NewSubmission::Action {
            parent,
            action: format!("variation{n}"),
            timeout: None,
        }
    }

    #[test]
    fn a_double_click_or_a_held_key_is_one_press() {
        let mut guard = SubmitGuard::default();
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        assert!(guard.admit(&imagine("a fox"), at(0)));
        // Double click.
        assert!(!guard.admit(&imagine("a fox"), at(180)));
        // Ctrl+Enter held: repeats every 50 ms after the first half second, all one press.
        for t in (500..3000).step_by(50) {
            assert!(!guard.admit(&imagine("a fox "), at(t)), "{t}");
        }
        // Released, then pressed again on purpose.
        assert!(guard.admit(&imagine("a fox"), at(4200)));
        // Another prompt is another press.
        assert!(guard.admit(&imagine("a hare"), at(4250)));
    }

    #[test]
    fn variations_repeat_on_purpose_but_not_within_a_second() {
        let mut guard = SubmitGuard::default();
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        assert!(guard.admit(&variation(7, 2), at(0)));
        assert!(!guard.admit(&variation(7, 2), at(400)));
        assert!(guard.admit(&variation(7, 3), at(450)), "another button");
        assert!(guard.admit(&variation(8, 2), at(460)), "another job");
        assert!(
            guard.admit(&variation(7, 2), at(1500)),
            "pressed again later"
        );
    }
}
