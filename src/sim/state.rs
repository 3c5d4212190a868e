//! The simulator's jobs and accounts, and how a job's state follows from the clock. Nothing here does IO;
//! the routes lock [`SimState`] briefly and never across an await.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde_json::{Value, json};

use crate::domain::{Action, Mode, OutputShape};

/// What a finished render left behind.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// Asset key of `cdnImage` (None for seed jobs).
    pub main: Option<AssetRef>,
    /// The four split images of a grid, tl/tr/bl/br.
    pub quadrants: Option<[AssetRef; 4]>,
    /// Describe's prompts, replacing the job's prompt in `data.prompt`.
    pub prompt: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetRef {
    pub key: String,
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, Clone)]
pub enum RenderState {
    Pending,
    Ready(Rendered),
    Failed(String),
}

#[derive(Debug, Clone)]
pub struct SimJob {
    pub id: String,
    /// `imagine`, `upsample2`, `blend`, `describe`, `seed`, `inpaint`…
    pub action: String,
    pub prompt: String,
    pub mode: Mode,
    pub submitted_at: Instant,
    pub queued_for: Duration,
    pub runs_for: Duration,
    /// Set when the job is decided to fail (banned prompt, timeout) regardless of rendering.
    pub doomed: Option<String>,
    pub quota: f64,
    pub refunded: bool,
    pub hook_url: Option<String>,
    pub render: RenderState,
    /// The job's Midjourney seed, revealed in `data.seed` once a seed job for it has finished.
    pub seed: u64,
    pub seed_revealed: bool,
    /// For seed jobs: whose seed they reveal.
    pub reveals_seed_of: Option<String>,
    pub shape: Option<OutputShape>,
    /// When the render finished (`render` became `Ready`).
    pub rendered_at: Option<Instant>,
    /// When a fetch first answered SUCCESS for this job (the client learnt it was done).
    pub success_reported_at: Option<Instant>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    Queued,
    Running(u8),
    Succeeded,
    Failed(String),
}

impl Phase {
    pub fn is_in_progress(&self) -> bool {
        matches!(self, Phase::Queued | Phase::Running(_))
    }

    pub fn wire(&self) -> &'static str {
        match self {
            Phase::Queued => "PENDING_QUEUE",
            Phase::Running(_) => "ON_QUEUE",
            Phase::Succeeded => "SUCCESS",
            Phase::Failed(_) => "FAILED",
        }
    }

    /// The numeric status `fetch-list` reports (undocumented upstream; 2 = finished is what was observed).
    pub fn list_code(&self) -> u8 {
        match self {
            Phase::Queued => 0,
            Phase::Running(_) => 1,
            Phase::Succeeded => 2,
            Phase::Failed(_) => 3,
        }
    }
}

impl SimJob {
    /// The moment the job became SUCCESS: its run time over and its render ready, whichever came last.
    pub fn succeeded_at(&self) -> Option<Instant> {
        if self.doomed.is_some() || !matches!(self.render, RenderState::Ready(_)) {
            return None;
        }
        let ran = self.submitted_at + self.queued_for + self.runs_for;
        Some(self.rendered_at.map_or(ran, |rendered| rendered.max(ran)))
    }

    /// When the job ended, SUCCESS or FAILED (the later of its run time and its render): what the history
    /// of finished jobs sorts by.
    pub fn finished_at(&self) -> Instant {
        let ran = self.submitted_at + self.queued_for + self.runs_for;
        self.rendered_at.map_or(ran, |rendered| rendered.max(ran))
    }

    pub fn phase(&self, now: Instant) -> Phase {
        let elapsed = now.saturating_duration_since(self.submitted_at);
        if elapsed < self.queued_for {
            return Phase::Queued;
        }
        let running = elapsed - self.queued_for;
        if running < self.runs_for {
            let pct = (running.as_secs_f64() / self.runs_for.as_secs_f64() * 100.0) as u8;
            return Phase::Running(pct.min(99));
        }
        if let Some(reason) = &self.doomed {
            return Phase::Failed(reason.clone());
        }
        match &self.render {
            RenderState::Pending => Phase::Running(99),
            RenderState::Ready(_) => Phase::Succeeded,
            RenderState::Failed(reason) => Phase::Failed(reason.clone()),
        }
    }

    /// The follow-up actions this job offers once it has succeeded.
    pub fn components(&self) -> Vec<String> {
        match (self.shape, &self.render) {
            (Some(OutputShape::Grid), _) => Action::grid_components(),
            (Some(OutputShape::Single), RenderState::Ready(Rendered { main: Some(m), .. })) => {
                Action::single_components(m.width == m.height)
            }
            _ => Vec::new(),
        }
    }

    /// The fetch answer (and webhook body) for this job, shaped like TTAPI's current reference.
    pub fn to_fetch_json(&self, now: Instant, cdn_base: &str) -> Value {
        let phase = self.phase(now);
        let rendered = match (&phase, &self.render) {
            (Phase::Succeeded, RenderState::Ready(r)) => Some(r),
            _ => None,
        };
        let url = |a: &AssetRef| format!("{cdn_base}/cdn/{}", a.key);
        let main = rendered.and_then(|r| r.main.as_ref());
        let progress = match &phase {
            Phase::Queued => Some("0".to_owned()),
            Phase::Running(p) => Some(p.to_string()),
            Phase::Succeeded => Some("100".to_owned()),
            Phase::Failed(_) => None,
        };
        let message = match &phase {
            Phase::Failed(reason) => reason.clone(),
            _ => String::new(),
        };
        let components =
            (phase == Phase::Succeeded && self.shape.is_some()).then(|| self.components());
        let prompt = rendered
            .and_then(|r| r.prompt.clone())
            .unwrap_or_else(|| self.prompt.clone());
        json!({
            "status": phase.wire(),
            "message": message,
            "jobId": self.id,
            "data": {
                "action": self.action,
                "jobId": self.id,
                "progress": progress,
                "prompt": prompt,
                "quota": format_quota(self.quota),
                "discordImage": main.map(url),
                "cdnImage": main.map(url),
                "width": main.map(|m| m.width),
                "height": main.map(|m| m.height),
                "hookUrl": self.hook_url,
                "components": components,
                "seed": self.seed_revealed.then(|| self.seed.to_string()),
                "images": rendered.and_then(|r| r.quadrants.as_ref()).map(|q| q.iter().map(url).collect::<Vec<_>>()),
            }
        })
    }

    /// The job as a `fetch-list` row. The prompt comes back as the contract's own example shows it, with an
    /// en dash for `--v` (`–v 6`): a client must recognise its job anyway.
    pub fn to_list_json(&self, now: Instant, cdn_base: &str) -> Value {
        let fetched = self.to_fetch_json(now, cdn_base);
        let data = &fetched["data"];
        let prompt = data["prompt"]
            .as_str()
            .map(|prompt| Value::from(prompt.replace("--v ", "–v ")))
            .unwrap_or(Value::Null);
        json!({
            "job_id": self.id,
            "model": self.mode.as_str(),
            "action": self.action,
            "quota": self.quota,
            "status": self.phase(now).list_code(),
            "progress": data["progress"],
            "prompt": prompt,
            "discord_image": data["discordImage"],
            "cdn_image": data["cdnImage"],
        })
    }
}

fn format_quota(quota: f64) -> String {
    if quota.fract() == 0.0 {
        format!("{}", quota as i64)
    } else {
        format!("{quota}")
    }
}

/// What the fault layer did to one request, in arrival order, so tests can match each client result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InjectedFault {
    None,
    ServerError(u16),
    RateLimited,
    /// The connection was cut before the request was processed.
    Reset,
    /// The request was processed, then the connection was cut before the answer arrived.
    LostResponse,
    Slow(Duration),
    /// Processed at once, answered after the delay.
    SlowAnswer(Duration),
    /// Answered with a body Moodgrid must refuse (see `FaultConfig::bad_image`, `bad_fetch`).
    BadBody(super::faults::BadBody),
}

#[derive(Debug, Default)]
pub struct SimState {
    pub jobs: HashMap<String, SimJob>,
    /// Job ids in submission order.
    pub order: std::collections::VecDeque<String>,
    /// Rendered images by key; the oldest are dropped past [`ASSET_BUDGET_BYTES`] (see `keep_asset`).
    pub assets: HashMap<String, Bytes>,
    /// Asset keys, oldest first, and their total size.
    pub asset_order: std::collections::VecDeque<String>,
    pub asset_bytes: usize,
    pub balance: f64,
    pub accepted_submissions: u64,
    pub fault_log: Vec<(String, InjectedFault)>,
}

/// Rendered images kept in memory. Past this, the oldest go, as a CDN's links expire: a long offline
/// session stays bounded (the app has saved them long before), and an action on such an old image fails
/// with a message instead.
pub const ASSET_BUDGET_BYTES: usize = 512 * 1024 * 1024;

/// Jobs remembered; past this the oldest are forgotten (fetching one says it is unknown), so a long
/// offline session stays bounded. The app has finished with a job long before 50,000 newer ones exist.
pub const MAX_JOBS: usize = 50_000;

/// Fault decisions kept for `Simulator::fault_log`; the oldest go first past this (bounded memory).
const FAULT_LOG_LIMIT: usize = 100_000;

impl SimState {
    /// Records a newly accepted job, forgetting the oldest beyond [`MAX_JOBS`].
    pub fn add_job(&mut self, job: SimJob) {
        self.order.push_back(job.id.clone());
        self.jobs.insert(job.id.clone(), job);
        while self.order.len() > MAX_JOBS {
            if let Some(oldest) = self.order.pop_front() {
                self.jobs.remove(&oldest);
            }
        }
    }

    /// Keeps a rendered image, dropping the oldest ones beyond the budget.
    pub fn keep_asset(&mut self, key: String, bytes: Bytes) {
        self.asset_bytes += bytes.len();
        if let Some(old) = self.assets.insert(key.clone(), bytes) {
            self.asset_bytes -= old.len();
        } else {
            self.asset_order.push_back(key);
        }
        while self.asset_bytes > ASSET_BUDGET_BYTES {
            let Some(oldest) = self.asset_order.pop_front() else {
                break;
            };
            if let Some(dropped) = self.assets.remove(&oldest) {
                self.asset_bytes -= dropped.len();
            }
        }
    }

    pub fn log_fault(&mut self, path: String, fault: InjectedFault) {
        if self.fault_log.len() >= FAULT_LOG_LIMIT {
            self.fault_log.drain(..FAULT_LOG_LIMIT / 2);
        }
        self.fault_log.push((path, fault));
    }

    /// Applies what time has decided since the last look: refunds for failed jobs, seeds revealed.
    pub fn settle(&mut self, now: Instant) {
        let mut reveal = Vec::new();
        let mut refund = 0.0;
        for job in self.jobs.values_mut() {
            match job.phase(now) {
                Phase::Failed(_) if !job.refunded => {
                    job.refunded = true;
                    refund += job.quota;
                }
                Phase::Succeeded => {
                    if let Some(target) = &job.reveals_seed_of {
                        job.seed_revealed = true;
                        reveal.push(target.clone());
                    }
                }
                _ => {}
            }
        }
        self.balance += refund;
        for id in reveal {
            if let Some(job) = self.jobs.get_mut(&id) {
                job.seed_revealed = true;
            }
        }
    }

    pub fn in_progress(&self, now: Instant) -> usize {
        self.jobs
            .values()
            .filter(|j| j.phase(now).is_in_progress())
            .count()
    }

    pub fn frozen_quota(&self, now: Instant) -> f64 {
        self.jobs
            .values()
            .filter(|j| j.phase(now).is_in_progress())
            .map(|j| j.quota)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_jobs_are_forgotten_past_the_limit() {
        let mut state = SimState::default();
        for n in 0..MAX_JOBS + 5 {
            state.add_job(SimJob {
                id: format!("job-{n}"),
                ..job(0, 10)
            });
        }
        assert_eq!((state.jobs.len(), state.order.len()), (MAX_JOBS, MAX_JOBS));
        assert!(!state.jobs.contains_key("job-4"));
        assert!(state.jobs.contains_key("job-5"));
    }

    #[test]
    fn rendered_images_stay_within_the_memory_budget_oldest_dropped_first() {
        let mut state = SimState::default();
        let image = Bytes::from(vec![7u8; 64 * 1024 * 1024]);
        for n in 0..12 {
            state.keep_asset(format!("job-{n}/grid.png"), image.clone());
        }
        assert!(state.asset_bytes <= ASSET_BUDGET_BYTES);
        assert_eq!(state.assets.len(), ASSET_BUDGET_BYTES / image.len());
        assert!(!state.assets.contains_key("job-0/grid.png"));
        assert!(state.assets.contains_key("job-11/grid.png"));
    }

    fn job(queued: u64, runs: u64) -> SimJob {
        SimJob {
            id: "j".into(),
            action: "imagine".into(),
            prompt: "p".into(),
            mode: Mode::Fast,
            submitted_at: Instant::now(),
            queued_for: Duration::from_millis(queued),
            runs_for: Duration::from_millis(runs),
            doomed: None,
            quota: 2.0,
            refunded: false,
            hook_url: None,
            render: RenderState::Pending,
            seed: 42,
            seed_revealed: false,
            reveals_seed_of: None,
            shape: Some(OutputShape::Grid),
            rendered_at: None,
            success_reported_at: None,
        }
    }

    #[test]
    fn a_job_moves_through_queue_running_and_waits_for_its_render() {
        let j = job(100, 1000);
        let at = |ms| j.submitted_at + Duration::from_millis(ms);
        assert_eq!(j.phase(at(50)), Phase::Queued);
        assert_eq!(j.phase(at(600)), Phase::Running(50));
        assert_eq!(
            j.phase(at(5000)),
            Phase::Running(99),
            "not done until rendered"
        );
        let mut done = j.clone();
        done.render = RenderState::Ready(Rendered {
            main: None,
            quadrants: None,
            prompt: None,
        });
        assert_eq!(done.phase(at(5000)), Phase::Succeeded);
        assert_eq!(
            done.succeeded_at(),
            Some(at(1100)),
            "run time over, render long ready"
        );
        done.rendered_at = Some(at(3000));
        assert_eq!(done.succeeded_at(), Some(at(3000)), "a late render decides");
        assert_eq!(j.succeeded_at(), None, "not rendered yet");
        let mut doomed = j.clone();
        doomed.doomed = Some("Job Timeout".into());
        assert_eq!(doomed.phase(at(5000)), Phase::Failed("Job Timeout".into()));
        assert_eq!(doomed.succeeded_at(), None);
    }

    #[test]
    fn fetch_json_has_string_progress_and_nulls_until_done() {
        let j = job(0, 1000);
        let v = j.to_fetch_json(j.submitted_at + Duration::from_millis(250), "http://h");
        assert_eq!(v["status"], "ON_QUEUE");
        assert_eq!(v["data"]["progress"], "25");
        assert_eq!(v["data"]["quota"], "2");
        assert!(v["data"]["cdnImage"].is_null() && v["data"]["components"].is_null());
    }

    #[test]
    fn failed_jobs_are_refunded_once() {
        let mut state = SimState {
            balance: 10.0,
            ..Default::default()
        };
        let mut j = job(0, 0);
        j.doomed = Some("[Banned prompt detected]".into());
        state.jobs.insert(j.id.clone(), j);
        let later = Instant::now() + Duration::from_millis(5);
        state.settle(later);
        state.settle(later);
        assert_eq!(state.balance, 12.0);
    }
}
