//! Taking back jobs that were never sent. TTAPI has no cancel, so only a `queued` job can be cancelled: one
//! compare-and-set on its state, whichever process holds it, so a send that began first wins and a cancel
//! that came first is never sent (the sender's `begin_submission` finds it cancelled).

use rusqlite::params;

use super::jobs::{JOB_COLUMNS, JobRecord, JobState, job_from_row, job_in, journal_state_change};
use super::{Library, LibraryError, now_ms};

/// What a cancelled job says.
pub const CANCELLED: &str = "cancelled before it was sent: nothing was charged";

/// What became of one job asked to be cancelled.
#[derive(Debug, Clone, PartialEq)]
pub enum Cancellation {
    /// Never sent: now `cancelled`, final, free.
    Cancelled(JobRecord),
    /// Already sent (or being sent): TTAPI runs it and charges it; it cannot be called back.
    AlreadySent(JobRecord),
    /// It had already ended.
    AlreadyEnded(JobRecord),
    /// No such job.
    Missing(i64),
}

impl Library {
    /// Cancels each of `ids` that is still queued, in one transaction; says what became of each.
    pub fn cancel_jobs(&self, ids: &[i64]) -> Result<Vec<Cancellation>, LibraryError> {
        let now = now_ms();
        let conn = self.conn();
        let tx = super::write_transaction(&conn)?;
        let mut outcomes = Vec::with_capacity(ids.len());
        for &id in ids {
            let changed = tx.execute(
                "UPDATE jobs SET state = 'cancelled', message = ?2, message_by_service = 0, failure_kind = NULL,
                    finished_at = ?3, updated_at = ?3, owner = NULL, lease_until = NULL
                 WHERE id = ?1 AND state = 'queued'",
                params![id, CANCELLED, now],
            )?;
            let job = match job_in(&tx, id) {
                Ok(job) => job,
                Err(LibraryError::NotFound(_)) => {
                    outcomes.push(Cancellation::Missing(id));
                    continue;
                }
                Err(other) => return Err(other),
            };
            outcomes.push(if changed == 1 {
                journal_state_change(&tx, &job, JobState::Queued, Some(CANCELLED))?;
                Cancellation::Cancelled(job)
            } else if job.state.is_final() {
                Cancellation::AlreadyEnded(job)
            } else {
                Cancellation::AlreadySent(job)
            });
        }
        tx.commit()?;
        Ok(outcomes)
    }

    /// Every job waiting to be sent, oldest first (whatever process holds it).
    pub fn queued_jobs(&self) -> Result<Vec<JobRecord>, LibraryError> {
        let conn = self.conn();
        let mut statement = conn.prepare(&format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE state = 'queued' ORDER BY id"
        ))?;
        let jobs = statement
            .query_map([], job_from_row)?
            .collect::<Result<_, _>>()?;
        Ok(jobs)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::library::jobs::tests::new_job;
    use crate::library::{LEASE, Owner};

    #[test]
    fn only_a_job_not_yet_sent_is_cancelled_whoever_holds_it() {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path()).unwrap();
        let cli = Owner::new(None, LEASE);
        let queued = library.create_job(&new_job("a"), Some(&cli), &[]).unwrap();
        let sending = library.create_job(&new_job("b"), Some(&cli), &[]).unwrap();
        library
            .begin_submission(sending.id, &cli, 10, Duration::ZERO)
            .unwrap()
            .unwrap();
        assert_eq!(library.queued_jobs().unwrap().len(), 1);
        // The window cancels the terminal's jobs.
        let outcomes = library.cancel_jobs(&[queued.id, sending.id, 999]).unwrap();
        let Cancellation::Cancelled(cancelled) = &outcomes[0] else {
            panic!("{outcomes:?}")
        };
        assert_eq!(cancelled.state, JobState::Cancelled);
        assert_eq!(cancelled.owner, None, "nobody adopts it");
        assert!(cancelled.state.is_final());
        assert_eq!(cancelled.message.as_deref(), Some(CANCELLED));
        assert!(
            matches!(&outcomes[1], Cancellation::AlreadySent(job) if job.state == JobState::Submitting)
        );
        assert_eq!(outcomes[2], Cancellation::Missing(999));
        // The holder's send that comes after the cancel is refused: it is never sent.
        assert!(matches!(
            library.begin_submission(queued.id, &cli, 10, Duration::ZERO),
            Err(LibraryError::Conflict { .. })
        ));
        // Cancelling again says it had ended.
        assert!(matches!(
            library.cancel_jobs(&[queued.id]).unwrap()[0],
            Cancellation::AlreadyEnded(_)
        ));
        let events = library.events(queued.id).unwrap();
        assert!(
            events
                .iter()
                .any(|(_, d)| d.starts_with("queued → cancelled")),
            "{events:?}"
        );
    }
}
