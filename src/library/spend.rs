//! What TTAPI charged: the jobs it priced (their `quota` from the fetch payload), settled into a ledger by
//! `domain::spend`, and the charges the estimates learn from (`domain::pricing`). Trashed and emptied jobs
//! count: the money was spent all the same.

use rusqlite::params;

use super::{JobState, Library, LibraryError};
use crate::domain::Mode;
use crate::domain::failure::is_refusal;
use crate::domain::pricing::{Charge, PriceKey, PricedKind, model_key};
use crate::domain::spend::{Ending, LedgerEntry, PricedJob, settle};

/// Charges read to learn prices from, newest first: enough for every combination's newest 50.
const CHARGES_LEARNED_FROM: i64 = 5_000;

impl Library {
    /// The ledger of jobs made since `since_ms` that TTAPI priced, oldest first.
    pub fn ledger(&self, since_ms: i64) -> Result<Vec<LedgerEntry>, LibraryError> {
        let conn = self.conn();
        let mut statement = conn.prepare_cached(
            // Emptied jobs' rows are gone; what they cost stays in `emptied_charges`.
            "SELECT id, remote_id, created_at, mode, action, prompt, quota, state, message, \
             remote_status FROM jobs \
             WHERE created_at >= ?1 AND quota IS NOT NULL AND remote_id IS NOT NULL \
             UNION ALL \
             SELECT job_id, remote_id, created_at, mode, action, prompt, quota, state, message, \
             remote_status FROM emptied_charges WHERE created_at >= ?1 \
             ORDER BY 3, 1",
        )?;
        let jobs = statement
            .query_map(params![since_ms], |row| {
                let state: String = row.get(7)?;
                let message: Option<String> = row.get(8)?;
                let remote_status: Option<String> = row.get(9)?;
                let ending = match state.parse::<JobState>() {
                    Ok(JobState::Succeeded | JobState::Downloading) => Ending::Succeeded,
                    // TTAPI finished it and charged, whatever became of its images here.
                    _ if remote_status.as_deref() == Some("SUCCESS") => Ending::Succeeded,
                    Ok(JobState::Failed | JobState::Abandoned) => {
                        if message.as_deref().is_some_and(is_refusal) {
                            Ending::Refused
                        } else {
                            Ending::Failed
                        }
                    }
                    _ => Ending::Running,
                };
                let action: String = row.get(4)?;
                let prompt: String = row.get(5)?;
                Ok(PricedJob {
                    job_id: row.get(0)?,
                    reference: row.get(1)?,
                    made_at_ms: row.get(2)?,
                    mode: mode_of(row.get(3)?),
                    kind: PricedKind::of_action(&action),
                    model: model_key(&prompt),
                    prompt,
                    quota: row.get(6)?,
                    ending,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(settle(jobs))
    }

    /// What TTAPI charged for succeeded jobs, newest first: what the estimates learn from.
    pub fn recent_charges(&self) -> Result<Vec<Charge>, LibraryError> {
        let conn = self.conn();
        let mut statement = conn.prepare_cached(
            // Newest first down `jobs_by_created` until enough are found; by `jobs_by_state` SQLite
            // sorted every succeeded job first (138 ms at 100,000 jobs).
            "SELECT mode, action, prompt, quota FROM jobs INDEXED BY jobs_by_created \
             WHERE quota IS NOT NULL AND state = 'succeeded' AND remote_id IS NOT NULL \
             ORDER BY created_at DESC, id DESC LIMIT ?1",
        )?;
        let charges = statement
            .query_map(params![CHARGES_LEARNED_FROM], |row| {
                let action: String = row.get(1)?;
                let prompt: String = row.get(2)?;
                Ok(Charge {
                    key: PriceKey::new(mode_of(row.get(0)?), &action, &prompt),
                    quota: row.get(3)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(charges)
    }
}

/// A job's stored mode; TTAPI's default (fast) when none was stored.
fn mode_of(stored: Option<String>) -> Mode {
    stored.and_then(|m| m.parse().ok()).unwrap_or_default()
}
