//! What the account says that every panel may read: the prices learned from charges and the service's
//! status, asked again after each job ends and every few minutes. The Account window (`studio::account`)
//! draws it; the prompt bar's estimate and mode picker read it.

use std::time::{Duration, Instant};

use crate::api::{ApiError, ModeHealth, ServiceStatus};
use crate::domain::Mode;
use crate::domain::pricing::{Estimate, PriceBook, PriceKey};
use crate::engine::Command;
use crate::ui::runtime::pending::{Pending, Refreshed, take_ready};

/// How often the service status is asked while the window is open.
const STATUS_EVERY: Duration = Duration::from_secs(180);

/// What every panel may read: learned prices and the service status.
#[derive(Default)]
pub struct AccountData {
    prices: Refreshed<u64, PriceBook>,
    /// Bumped when a job ends: its charge is news for the prices and the balance.
    settled: u64,
    status: Option<ServiceStatus>,
    status_answer: Option<Pending<Result<ServiceStatus, ApiError>>>,
    status_asked: Option<Instant>,
}

impl AccountData {
    pub fn prices(&self) -> &PriceBook {
        self.prices.value()
    }

    pub fn estimate(&self, mode: Mode, action: &str, prompt: &str) -> Estimate {
        self.prices().estimate(&PriceKey::new(mode, action, prompt))
    }

    /// A job ended: prices are read again.
    pub fn job_settled(&mut self) {
        self.settled += 1;
    }

    pub fn settled(&self) -> u64 {
        self.settled
    }

    pub fn health(&self, mode: Mode) -> Option<&ModeHealth> {
        let status = self.status.as_ref()?;
        match mode {
            Mode::Fast => status.fast.as_ref(),
            Mode::Relax => status.relax.as_ref(),
            Mode::Turbo => status.turbo.as_ref(),
        }
    }

    /// Whether the service says the mode is down.
    pub fn is_down(&self, mode: Mode) -> bool {
        self.health(mode).is_some_and(ModeHealth::is_down)
    }
}

impl AccountData {
    /// Takes in what came and asks again what is due: prices after a job ends, the status every few
    /// minutes. `send` hands a command to the engine (`false`: refused, asked again next frame).
    pub(in crate::ui) fn refresh(&mut self, mut send: impl FnMut(Command) -> bool) {
        let settled = self.settled;
        if let Some(e) = self
            .prices
            .update(settled, |reply| send(Command::LoadPrices { reply }))
        {
            tracing::warn!("could not learn prices: {e}");
        }
        match take_ready(&mut self.status_answer) {
            Some(Some(Ok(status))) => self.status = Some(status),
            Some(Some(Err(e))) => tracing::info!("service status unavailable: {e}"),
            _ => {}
        }
        let due = self
            .status_asked
            .is_none_or(|at| at.elapsed() >= STATUS_EVERY);
        if due && self.status_answer.is_none() {
            let (reply, answer) = Pending::channel();
            if send(Command::ServiceStatus { reply }) {
                self.status_answer = Some(answer);
                self.status_asked = Some(Instant::now());
            }
        }
    }
}
