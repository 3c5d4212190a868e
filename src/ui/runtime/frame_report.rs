//! `MOODGRID_FRAME_REPORT=1`: the window tells stderr when its first frame was on screen and when the library
//! first showed, dates every frame it draws, and at exit says how much CPU its frames took (eframe's own
//! figure: UI, tessellation and painting). The start-up benchmark reads these lines; the minimised-window
//! test reads the frames (a hidden window must draw none); they also answer "why does it feel slow here?".
//!
//! eframe reports a frame's CPU time during the next frame, so a milestone's moment is the start of the
//! frame that reached it plus that frame's CPU time: when it had been painted.

use std::time::{SystemTime, UNIX_EPOCH};

/// The environment variable that turns the report on.
pub const ENV: &str = "MOODGRID_FRAME_REPORT";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Milestone {
    /// The first frame (the window appears after it has been painted).
    FirstFrame,
    /// The first frame that drew the library's jobs in the feed.
    LibraryShown,
}

impl Milestone {
    fn text(self) -> &'static str {
        match self {
            Milestone::FirstFrame => "first frame painted",
            Milestone::LibraryShown => "library shown",
        }
    }
}

#[derive(Debug, Default)]
pub struct FrameReport {
    /// Milestones the previous frame reached, with its start; dated once its CPU time is known.
    reached: Vec<Milestone>,
    previous_start: Option<SystemTime>,
    library_shown: bool,
    frame_cpu_ms: Vec<f32>,
    /// The app's own part of each frame (`MoodgridApp::show`), without eframe's tessellation and painting.
    ui_ms: Vec<f32>,
}

impl FrameReport {
    /// A report when the environment asks for one.
    pub fn from_env() -> Option<FrameReport> {
        std::env::var_os(ENV)
            .filter(|value| !value.is_empty() && value != "0")
            .map(|_| FrameReport::default())
    }

    /// Called at the start of every frame with eframe's CPU time of the previous frame (None on the first).
    /// Returns the lines to print.
    pub fn frame(&mut self, previous_cpu_seconds: Option<f32>) -> Vec<String> {
        let now = SystemTime::now();
        let mut lines = Vec::new();
        if let (Some(start), Some(cpu)) = (self.previous_start, previous_cpu_seconds) {
            self.frame_cpu_ms.push(cpu * 1000.0);
            let painted = start + std::time::Duration::from_secs_f32(cpu.max(0.0));
            for milestone in self.reached.drain(..) {
                lines.push(format!(
                    "frame report: {} at {:.6} s (unix time)",
                    milestone.text(),
                    unix_seconds(painted)
                ));
            }
        }
        if self.previous_start.is_none() {
            self.reached.push(Milestone::FirstFrame);
        }
        self.previous_start = Some(now);
        lines.push(format!(
            "frame report: frame {} drawn at {:.3} s (unix time)",
            self.ui_ms.len() + 1,
            unix_seconds(now)
        ));
        lines
    }

    /// Called after the app has drawn its frame, with how long that took and whether it drew the library's
    /// jobs. Checked here, not at the next frame's start: an idle window's next frame may come much later
    /// (the first start at 100,000 jobs was dated some 150 ms late, when the feed's images arrived).
    pub fn drawn(&mut self, took: std::time::Duration, shows_library: bool) {
        self.ui_ms.push(took.as_secs_f32() * 1000.0);
        if shows_library && !self.library_shown {
            self.library_shown = true;
            self.reached.push(Milestone::LibraryShown);
        }
    }

    /// The summary printed when the window closes.
    pub fn summary(&self) -> String {
        format!(
            "frame report: {} frames, CPU per frame {}; the app's UI alone {}",
            self.frame_cpu_ms.len(),
            distribution(&self.frame_cpu_ms),
            distribution(&self.ui_ms)
        )
    }
}

fn distribution(samples_ms: &[f32]) -> String {
    let mut sorted = samples_ms.to_vec();
    sorted.sort_by(f32::total_cmp);
    let at = |p: f64| {
        let index = ((sorted.len().saturating_sub(1)) as f64 * p).round() as usize;
        sorted.get(index).copied().unwrap_or(0.0)
    };
    format!(
        "median {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        at(0.5),
        at(0.95),
        at(0.99),
        at(1.0)
    )
}

fn unix_seconds(time: SystemTime) -> f64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0.0, |since| since.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dated(line: &str) -> f64 {
        line.split(" at ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|seconds| seconds.parse().ok())
            .unwrap_or(f64::NAN)
    }

    /// The milestone lines of a frame's report (every frame also has its "frame N drawn" line).
    fn milestones(lines: Vec<String>) -> Vec<String> {
        lines
            .into_iter()
            .filter(|line| !line.contains(" drawn at "))
            .collect()
    }

    #[test]
    fn milestones_are_dated_when_their_frame_has_been_painted() {
        let mut report = FrameReport::default();
        let before = unix_seconds(SystemTime::now());
        let ui = std::time::Duration::from_micros(500);
        assert!(milestones(report.frame(None)).is_empty(), "not painted yet");
        report.drawn(ui, false);
        let lines = milestones(report.frame(Some(0.004)));
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].contains("first frame painted"), "{lines:?}");
        let first = dated(&lines[0]);
        // The line carries microseconds: allow for its rounding.
        assert!(
            first >= before + 0.004 - 1e-5 && first < before + 1.0,
            "{first} vs {before}"
        );
        // The second frame draws the jobs: it is the one dated, even if the next frame comes late.
        report.drawn(ui, true);
        std::thread::sleep(std::time::Duration::from_millis(50));
        let lines = milestones(report.frame(Some(0.010)));
        assert!(lines[0].contains("library shown"), "{lines:?}");
        let shown = dated(&lines[0]);
        assert!(
            shown >= first && shown < first + 0.040,
            "{shown} vs {first}"
        );
        report.drawn(ui, true);
        assert!(
            milestones(report.frame(Some(0.002))).is_empty(),
            "each milestone once"
        );
        let summary = report.summary();
        assert!(
            summary.starts_with("frame report: 3 frames, CPU per frame median 4.00 ms"),
            "{summary}"
        );
        assert!(
            summary.contains("max 10.00 ms; the app's UI alone median 0.50 ms"),
            "{summary}"
        );
    }

    #[test]
    fn every_frame_drawn_is_numbered_and_dated() {
        let mut report = FrameReport::default();
        let before = unix_seconds(SystemTime::now());
        let first = report.frame(None);
        report.drawn(std::time::Duration::from_micros(300), false);
        let second = report.frame(Some(0.001));
        let line = |lines: &[String]| {
            lines
                .iter()
                .find(|l| l.contains(" drawn at "))
                .cloned()
                .unwrap_or_default()
        };
        assert!(
            line(&first).starts_with("frame report: frame 1 drawn at "),
            "{first:?}"
        );
        assert!(
            line(&second).starts_with("frame report: frame 2 drawn at "),
            "{second:?}"
        );
        assert!(dated(&line(&second)) >= before - 0.001, "{second:?}");
    }
}
