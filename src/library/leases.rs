//! Which engine drives which job, across every process that opens the library (windows, CLI commands,
//! `resume`). A claim is a compare-and-set on the job row: an owner id and a lease expiry, renewed while the
//! engine lives, ended at once on a clean exit, and taken over by another engine only once it has lapsed.

use std::time::Duration;

use rusqlite::{Connection, params};

use super::jobs::{ImageRecord, ImageRole, JobRecord, JobState, NewJob, job_in, log_event_in};
use super::{Library, LibraryError, StoredImage, now_ms};
use crate::domain::Mode;

/// How long a claim holds without renewal: a process that died is taken over this long after its last
/// renewal. A living engine renews every third of it.
pub const LEASE: Duration = Duration::from_secs(30);

/// One engine, as the library knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    /// Unique per engine start: the process id (for people reading the database) and a random part.
    pub id: String,
    /// The embedded simulator this engine runs, when it is offline: only it can continue the jobs it ran.
    pub instance: Option<String>,
    /// How long this engine's claims hold without renewal ([`LEASE`]; shorter in tests).
    pub lease: Duration,
}

impl Owner {
    pub fn new(instance: Option<String>, lease: Duration) -> Owner {
        let random = uuid::Uuid::new_v4().simple().to_string();
        Owner {
            id: format!("pid{}-{}", std::process::id(), &random[..8]),
            instance,
            lease,
        }
    }

    /// How often this engine renews its claims: three chances before one lapses.
    pub fn renewal(&self) -> Duration {
        self.lease / 3
    }

    pub(super) fn lease_end(&self, now: i64) -> i64 {
        now + self.lease.as_millis() as i64
    }

    /// A lease that also covers a request of at most `request` from `now`: nobody takes the job over while
    /// its request may still be on its way.
    fn lease_covering(&self, now: i64, request: Duration) -> i64 {
        self.lease_end(now) + request.as_millis() as i64
    }
}

/// The outcome of trying to claim a job.
#[derive(Debug, Clone, PartialEq)]
pub enum Claim {
    /// This engine drives it now. `took_over` names the engine whose lapsed claim it replaced.
    Claimed {
        job: JobRecord,
        took_over: Option<String>,
    },
    /// Another engine's claim is live: follow the job, do not drive it.
    HeldBy(JobRecord),
    /// Nothing more will happen to it.
    Finished(JobRecord),
}

const IN_FLIGHT_STATES: &str = "'submitting','uncertain','pending','running'";

/// On release: the lease of a job being sent stays (it covers its request), any other goes.
const KEEP_REQUEST_COVER: &str = "CASE WHEN state = 'submitting' THEN lease_until ELSE NULL END";

fn final_states() -> String {
    use strum::VariantArray as _;
    JobState::VARIANTS
        .iter()
        .filter(|s| s.is_final())
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(",")
}

impl Library {
    /// Writes a new job in state `queued`, claimed by `owner` when given, with its "created" event and its
    /// input images, as one transaction: a job is never half written.
    pub fn create_job(
        &self,
        new: &NewJob,
        owner: Option<&Owner>,
        inputs: &[(ImageRole, u32, StoredImage)],
    ) -> Result<JobRecord, LibraryError> {
        let now = now_ms();
        let conn = self.conn();
        let tx = super::write_transaction(&conn)?;
        tx.execute(
            "INSERT INTO jobs (backend, kind, action, prompt, params, mode, state, parent_id, timeout_secs,
                               created_at, updated_at, owner, lease_until, instance)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11, ?12, ?13)",
            params![
                new.backend,
                new.params.kind().as_str(),
                new.action,
                new.prompt,
                new.params.to_stored(),
                new.mode.map(Mode::as_str),
                JobState::Queued.as_str(),
                new.parent_id,
                new.timeout_secs,
                now,
                owner.map(|o| &o.id),
                owner.map(|o| o.lease_end(now)),
                owner.and_then(|o| o.instance.as_ref()),
            ],
        )?;
        let id = tx.last_insert_rowid();
        log_event_in(&tx, Some(id), "created", &new.action)?;
        for (role, ordinal, image) in inputs {
            let record = ImageRecord::stored(id, *role, *ordinal, image.clone(), None);
            super::jobs::add_image_in(&tx, &record)?;
        }
        let job = job_in(&tx, id)?;
        tx.commit()?;
        Ok(job)
    }

    /// Claims a job for `owner` unless another engine's claim is still live. A queued job (never sent) moves
    /// to `owner`'s simulator instance; a sent one keeps the instance that ran it.
    pub fn claim_job(&self, id: i64, owner: &Owner) -> Result<Claim, LibraryError> {
        let now = now_ms();
        let conn = self.conn();
        let tx = super::write_transaction(&conn)?;
        let before = job_in(&tx, id)?;
        if before.state.is_final() {
            return Ok(Claim::Finished(before));
        }
        let changed = tx.execute(
            &format!(
                "UPDATE jobs SET owner = ?2, lease_until = ?3,
                    instance = CASE WHEN state = 'queued' THEN ?4 ELSE instance END
                 WHERE id = ?1 AND state NOT IN ({})
                   AND (owner = ?2 OR lease_until IS NULL OR lease_until <= ?5)",
                final_states()
            ),
            params![id, owner.id, owner.lease_end(now), owner.instance, now],
        )?;
        let job = job_in(&tx, id)?;
        if changed == 0 {
            return Ok(if job.state.is_final() {
                Claim::Finished(job)
            } else {
                Claim::HeldBy(job)
            });
        }
        let took_over = before.owner.filter(|o| *o != owner.id);
        if let Some(previous) = &took_over {
            log_event_in(
                &tx,
                Some(id),
                "takeover",
                &format!(
                    "{} took over from {previous}, whose claim had lapsed",
                    owner.id
                ),
            )?;
            tracing::info!(job_id = id, from = %previous, to = %owner.id, "job taken over");
        }
        tx.commit()?;
        Ok(Claim::Claimed { job, took_over })
    }

    /// Takes up an abandoned job again for `owner`, back to `running`: TTAPI finished it after Moodgrid had
    /// stopped waiting (its driver fetches it once more and saves what it made).
    pub fn reopen_abandoned(&self, id: i64, owner: &Owner) -> Result<JobRecord, LibraryError> {
        self.reopen(
            id,
            owner,
            JobState::Abandoned,
            "TTAPI finished it after Moodgrid had stopped waiting",
        )
    }

    /// Takes up a job that ended `from` (abandoned, or failed because its image was gone) again, claimed by
    /// `owner`, once TTAPI's fresh answer says it finished: the driver saves its images from that answer.
    pub fn reopen(
        &self,
        id: i64,
        owner: &Owner,
        from: JobState,
        message: &str,
    ) -> Result<JobRecord, LibraryError> {
        let now = now_ms();
        let conn = self.conn();
        let tx = super::write_transaction(&conn)?;
        let changed = tx.execute(
            "UPDATE jobs SET state = 'running', finished_at = NULL, failure_kind = NULL, message = ?2,
                message_by_service = 0, owner = ?3, lease_until = ?4, updated_at = ?5
             WHERE id = ?1 AND state = ?6",
            params![id, message, owner.id, owner.lease_end(now), now, from.as_str()],
        )?;
        let job = job_in(&tx, id)?;
        if changed == 0 {
            return Err(LibraryError::Conflict {
                id,
                expected: from.as_str(),
                found: job.state.as_str(),
                owner: job.owner,
            });
        }
        super::jobs::journal_state_change(&tx, &job, from, Some(message))?;
        tx.commit()?;
        Ok(job)
    }

    /// Extends every claim of `owner` (never shortening one that covers a request in flight); returns how
    /// many it holds.
    pub fn renew_leases(&self, owner: &Owner) -> Result<usize, LibraryError> {
        Ok(self.conn().execute(
            "UPDATE jobs SET lease_until = MAX(COALESCE(lease_until, 0), ?2) WHERE owner = ?1",
            params![owner.id, owner.lease_end(now_ms())],
        )?)
    }

    /// Proves, right before a request leaves, that `owner` still holds the `submitting` job, and extends its
    /// claim to cover the request (`request`, the client's timeout). [`LibraryError::Conflict`]: another
    /// process took the job over; the request must not be sent.
    pub fn confirm_send(
        &self,
        id: i64,
        owner: &Owner,
        request: Duration,
    ) -> Result<(), LibraryError> {
        let now = now_ms();
        let conn = self.conn();
        let changed = conn.execute(
            "UPDATE jobs SET lease_until = MAX(COALESCE(lease_until, 0), ?3)
             WHERE id = ?1 AND owner = ?2 AND state = 'submitting'",
            params![id, owner.id, owner.lease_covering(now, request)],
        )?;
        if changed == 1 {
            return Ok(());
        }
        let job = job_in(&conn, id)?;
        let conflict = LibraryError::Conflict {
            id,
            expected: JobState::Submitting.as_str(),
            found: job.state.as_str(),
            owner: job.owner.clone(),
        };
        log_event_in(
            &conn,
            Some(id),
            "conflict",
            &format!("not sent: {conflict}"),
        )?;
        tracing::warn!(job_id = id, %conflict, "request not sent: the claim was lost");
        Err(conflict)
    }

    /// Gives up one claim (the job stays as it is, for another engine or a later resume). A job being sent
    /// keeps the cover of its request (see [`Library::release_leases`]).
    pub fn release_job(&self, id: i64, owner: &Owner) -> Result<(), LibraryError> {
        self.conn().execute(
            &format!("UPDATE jobs SET owner = NULL, lease_until = {KEEP_REQUEST_COVER} WHERE id = ?1 AND owner = ?2"),
            params![id, owner.id],
        )?;
        Ok(())
    }

    /// Gives up every claim of `owner` (a clean exit), so nobody waits for them to lapse, except the cover of
    /// a request that may still be on its way: a `submitting` job keeps its `lease_until` (ownerless), and is
    /// taken over once TTAPI can no longer be processing it.
    pub fn release_leases(&self, owner: &Owner) -> Result<usize, LibraryError> {
        Ok(self.conn().execute(
            &format!(
                "UPDATE jobs SET owner = NULL, lease_until = {KEEP_REQUEST_COVER} WHERE owner = ?1"
            ),
            params![owner.id],
        )?)
    }

    /// Moves `owner`'s queued job to `submitting` if the account has fewer than `cap` jobs in flight, counted
    /// over every live engine on this library (the same backend and simulator instance). Written with
    /// `synchronous = FULL`, so the record is on disk before the request leaves. The send takes its place in
    /// the journal's order (`sent_seq`), and the claim is extended to cover a request of at most `request`.
    /// `Ok(None)`: the cap is reached, try again later. [`LibraryError::Conflict`]: the job is no longer
    /// queued or no longer ours.
    pub fn begin_submission(
        &self,
        id: i64,
        owner: &Owner,
        cap: usize,
        request: Duration,
    ) -> Result<Option<JobRecord>, LibraryError> {
        let now = now_ms();
        let conn = self.conn();
        let synced = Synced::new(&conn)?;
        let tx = super::write_transaction(&conn)?;
        let changed = tx.execute(
            &format!(
                "UPDATE jobs SET state = 'submitting', submitted_at = ?3, submit_attempts = submit_attempts + 1,
                    updated_at = ?3, lease_until = ?4
                 WHERE id = ?1 AND state = 'queued' AND owner = ?2
                   AND (SELECT COUNT(*) FROM jobs AS other
                        WHERE other.backend = jobs.backend AND other.instance IS jobs.instance
                          AND other.state IN ({IN_FLIGHT_STATES})
                          AND other.owner IS NOT NULL AND other.lease_until > ?3) < ?5"
            ),
            params![id, owner.id, now, owner.lease_covering(now, request), i64::try_from(cap).unwrap_or(i64::MAX)],
        )?;
        if changed == 1 {
            let position = super::submissions::next_position(&tx)?;
            tx.execute(
                "UPDATE jobs SET sent_seq = ?2 WHERE id = ?1",
                params![id, position],
            )?;
        }
        let job = job_in(&tx, id)?;
        if changed == 0 {
            if job.state == JobState::Queued && job.owner.as_deref() == Some(owner.id.as_str()) {
                return Ok(None);
            }
            let conflict = LibraryError::Conflict {
                id,
                expected: JobState::Queued.as_str(),
                found: job.state.as_str(),
                owner: job.owner.clone(),
            };
            tracing::warn!(job_id = id, %conflict, "submission not started");
            return Err(conflict);
        }
        log_event_in(&tx, Some(id), "state", "queued → submitting")?;
        tx.commit()?;
        drop(synced);
        tracing::info!(job_id = id, from = "queued", to = "submitting", "job");
        Ok(Some(job))
    }

    /// Jobs of `backend` in flight under a live claim, across every process.
    pub fn jobs_in_flight(&self, backend: &str) -> Result<usize, LibraryError> {
        let count: i64 = self.conn().query_row(
            &format!(
                "SELECT COUNT(*) FROM jobs WHERE backend = ?1 AND state IN ({IN_FLIGHT_STATES})
                   AND owner IS NOT NULL AND lease_until > ?2"
            ),
            params![backend, now_ms()],
            |r| r.get(0),
        )?;
        Ok(count as usize)
    }

    /// Up to `limit` jobs whose last write comes after `after` = (`updated_at`, id), oldest change first:
    /// how an engine follows what other processes do to the library. Paged by the pair, because one write
    /// (a bulk trash) gives thousands of jobs the same `updated_at`, and a page by time alone would never
    /// get past them.
    pub fn jobs_changed_after(
        &self,
        after: (i64, i64),
        limit: usize,
    ) -> Result<Vec<JobRecord>, LibraryError> {
        let conn = self.conn();
        let mut statement = conn.prepare_cached(&format!(
            "SELECT {} FROM jobs WHERE (updated_at, id) > (?1, ?2) ORDER BY updated_at, id LIMIT ?3",
            super::jobs::JOB_COLUMNS
        ))?;
        let jobs = statement
            .query_map(
                params![after.0, after.1, limit as i64],
                super::jobs::job_from_row,
            )?
            .collect::<Result<_, _>>()?;
        Ok(jobs)
    }

    /// SQLite's counter of commits by other connections: unchanged means nothing to look at.
    pub fn data_version(&self) -> Result<i64, LibraryError> {
        Ok(self
            .conn()
            .pragma_query_value(None, "data_version", |r| r.get(0))?)
    }
}

/// `synchronous = FULL` for as long as it lives: the next commit is on disk (WAL synced) before it returns.
/// The rest of the library runs at NORMAL, where a power cut may lose the last commits but never corrupts.
struct Synced<'a>(&'a Connection);

impl<'a> Synced<'a> {
    fn new(conn: &'a Connection) -> Result<Synced<'a>, LibraryError> {
        conn.pragma_update(None, "synchronous", "FULL")?;
        Ok(Synced(conn))
    }
}

impl Drop for Synced<'_> {
    fn drop(&mut self) {
        if let Err(e) = self.0.pragma_update(None, "synchronous", "NORMAL") {
            tracing::warn!(error = %e, "could not return the library to synchronous=NORMAL");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::JobUpdate;
    use crate::library::jobs::tests::new_job;

    #[test]
    fn a_live_claim_is_respected_and_a_lapsed_one_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path()).unwrap();
        let (a, b) = (Owner::new(None, LEASE), Owner::new(None, LEASE));
        let job = library.create_job(&new_job("x"), Some(&a), &[]).unwrap();
        assert_eq!(job.owner.as_deref(), Some(a.id.as_str()));
        assert!(matches!(
            library.claim_job(job.id, &b).unwrap(),
            Claim::HeldBy(_)
        ));
        // Renewing is what a living owner does; it keeps the claim.
        assert_eq!(library.renew_leases(&a).unwrap(), 1);
        assert!(matches!(
            library.claim_job(job.id, &b).unwrap(),
            Claim::HeldBy(_)
        ));
        // The owner died: its lease lapses.
        library
            .conn()
            .execute("UPDATE jobs SET lease_until = 1 WHERE id = ?1", [job.id])
            .unwrap();
        match library.claim_job(job.id, &b).unwrap() {
            Claim::Claimed { job, took_over } => {
                assert_eq!(took_over.as_deref(), Some(a.id.as_str()));
                assert_eq!(job.owner.as_deref(), Some(b.id.as_str()));
            }
            other => panic!("{other:?}"),
        }
        let events = library.events(job.id).unwrap();
        assert!(
            events.iter().any(|(kind, _)| kind == "takeover"),
            "{events:?}"
        );
        // The old owner wakes up: its guarded writes are refused, not applied.
        let stale = JobUpdate {
            owner: Some(a.id.clone()),
            ..JobUpdate::transition(JobState::Queued, JobState::Pending)
        };
        assert!(matches!(
            library.update_job(job.id, &stale),
            Err(LibraryError::Conflict { .. })
        ));
        assert_eq!(library.job(job.id).unwrap().state, JobState::Queued);
    }

    #[test]
    fn a_change_of_state_from_another_state_is_refused_even_for_the_owner() {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path()).unwrap();
        let owner = Owner::new(None, LEASE);
        let job = library
            .create_job(&new_job("x"), Some(&owner), &[])
            .unwrap();
        // The right owner, the wrong `from`: the job is queued, not running.
        let wrong_from = JobUpdate {
            owner: Some(owner.id.clone()),
            ..JobUpdate::transition(JobState::Running, JobState::Succeeded)
        };
        assert!(matches!(
            library.update_job(job.id, &wrong_from),
            Err(LibraryError::Conflict { .. })
        ));
        assert_eq!(library.job(job.id).unwrap().state, JobState::Queued);
    }

    #[test]
    fn a_send_holds_its_claim_for_the_whole_request_and_renewals_never_shorten_it() {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path()).unwrap();
        let (sender, other) = (
            Owner::new(None, Duration::from_secs(2)),
            Owner::new(None, LEASE),
        );
        let job = library
            .create_job(&new_job("x"), Some(&sender), &[])
            .unwrap();
        let request = Duration::from_secs(100);
        let sent = library
            .begin_submission(job.id, &sender, 10, request)
            .unwrap()
            .unwrap();
        let covered = sent.lease_until.unwrap() - now_ms();
        assert!(covered > 100_000, "{covered} ms");
        library.renew_leases(&sender).unwrap();
        assert!(library.job(job.id).unwrap().lease_until >= sent.lease_until);
        assert!(matches!(
            library.claim_job(job.id, &other).unwrap(),
            Claim::HeldBy(_)
        ));
        library.confirm_send(job.id, &sender, request).unwrap();
        // The sender was stopped past its lease and the job was taken over: it must not send.
        library
            .conn()
            .execute("UPDATE jobs SET lease_until = 1 WHERE id = ?1", [job.id])
            .unwrap();
        assert!(matches!(
            library.claim_job(job.id, &other).unwrap(),
            Claim::Claimed { .. }
        ));
        assert!(matches!(
            library.confirm_send(job.id, &sender, request),
            Err(LibraryError::Conflict { .. })
        ));
        let events = library.events(job.id).unwrap();
        assert!(
            events
                .iter()
                .any(|(kind, detail)| kind == "conflict" && detail.starts_with("not sent")),
            "{events:?}"
        );
    }

    #[test]
    fn a_clean_exit_releases_claims_at_once_but_a_send_keeps_its_requests_cover() {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path()).unwrap();
        let (a, b) = (Owner::new(None, LEASE), Owner::new(None, LEASE));
        let job = library.create_job(&new_job("x"), Some(&a), &[]).unwrap();
        let sending = library.create_job(&new_job("y"), Some(&a), &[]).unwrap();
        library
            .begin_submission(sending.id, &a, 10, Duration::from_secs(100))
            .unwrap()
            .unwrap();
        assert_eq!(library.release_leases(&a).unwrap(), 2);
        assert!(matches!(
            library.claim_job(job.id, &b).unwrap(),
            Claim::Claimed {
                took_over: None,
                ..
            }
        ));
        // The exit may have cut the request, not TTAPI's work on it: nobody takes it before it has lapsed.
        let held = library.job(sending.id).unwrap();
        assert_eq!(held.owner, None);
        assert!(
            held.lease_until
                .is_some_and(|until| until > now_ms() + 100_000)
        );
        assert!(matches!(
            library.claim_job(sending.id, &b).unwrap(),
            Claim::HeldBy(_)
        ));
        library
            .conn()
            .execute(
                "UPDATE jobs SET lease_until = 1 WHERE id = ?1",
                [sending.id],
            )
            .unwrap();
        assert!(matches!(
            library.claim_job(sending.id, &b).unwrap(),
            Claim::Claimed { .. }
        ));
    }

    #[test]
    fn the_in_flight_cap_counts_every_live_engine() {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path()).unwrap();
        let (a, b) = (Owner::new(None, LEASE), Owner::new(None, LEASE));
        let first = library.create_job(&new_job("1"), Some(&a), &[]).unwrap();
        let second = library.create_job(&new_job("2"), Some(&b), &[]).unwrap();
        let started = library
            .begin_submission(first.id, &a, 1, Duration::ZERO)
            .unwrap()
            .unwrap();
        assert_eq!(started.state, JobState::Submitting);
        assert_eq!(started.submit_attempts, 1);
        assert_eq!(
            library
                .begin_submission(second.id, &b, 1, Duration::ZERO)
                .unwrap(),
            None,
            "another process's job in flight fills the cap of 1"
        );
        assert_eq!(library.jobs_in_flight("test").unwrap(), 1);
        // Sending twice is refused: the job is no longer queued.
        assert!(matches!(
            library.begin_submission(first.id, &a, 10, Duration::ZERO),
            Err(LibraryError::Conflict { .. })
        ));
        // Once the first has ended, the second may go.
        library
            .update_job(
                first.id,
                &JobUpdate {
                    owner: Some(a.id.clone()),
                    ..JobUpdate::transition(JobState::Submitting, JobState::Failed)
                },
            )
            .unwrap();
        assert!(
            library
                .begin_submission(second.id, &b, 1, Duration::ZERO)
                .unwrap()
                .is_some()
        );
        let ended = library.job(first.id).unwrap();
        assert_eq!((ended.owner, ended.lease_until), (None, None));
    }

    #[test]
    fn a_job_is_created_whole_with_its_inputs_and_event() {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path()).unwrap();
        let png = crate::imaging::encode_png(&image::RgbaImage::new(8, 8)).unwrap();
        let stored = library.store().put(&png).unwrap();
        let owner = Owner::new(Some("sim-1".into()), LEASE);
        let job = library
            .create_job(
                &new_job("x"),
                Some(&owner),
                &[(ImageRole::Source, 1, stored)],
            )
            .unwrap();
        assert_eq!(job.instance.as_deref(), Some("sim-1"));
        assert_eq!(library.images(job.id).unwrap().len(), 1);
        assert_eq!(library.events(job.id).unwrap()[0].0, "created");
        assert!(
            library
                .jobs_changed_after((job.updated_at - 1, i64::MIN), 10)
                .unwrap()
                .iter()
                .any(|j| j.id == job.id)
        );
    }

    #[test]
    fn the_change_feed_gets_past_a_thousand_jobs_written_in_one_moment() {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path()).unwrap();
        let ids: Vec<i64> = (0..2_500)
            .map(|n| {
                library
                    .insert_job(&new_job(&format!("job {n}")))
                    .unwrap()
                    .id
            })
            .collect();
        // One bulk write: every job gets the same `updated_at`, as a trash of 2,500 jobs does.
        library
            .conn()
            .execute("UPDATE jobs SET updated_at = 1000", [])
            .unwrap();
        let mut after = (999, i64::MIN);
        let mut seen = Vec::new();
        loop {
            let page = library.jobs_changed_after(after, 1_000).unwrap();
            let Some(last) = page.last() else { break };
            after = (last.updated_at, last.id);
            seen.extend(page.iter().map(|j| j.id));
        }
        assert_eq!(
            seen, ids,
            "every job once, in order, past the shared moment"
        );
    }
}
