//! The journal of what was sent to TTAPI and what it answered, across every process on the library.
//!
//! - **One order for sends and finishes.** Each send (`begin_submission`) and each finish (the library
//!   learning that TTAPI ended a job, SUCCESS or FAILED) takes the next `journal_position`, in the writer's
//!   own transaction; SQLite serialises writers, so the order is the library's, whatever the wall clocks
//!   say. A job `K` that had finished before job `J` was sent (`K.finished_seq < J.sent_seq`) was made,
//!   last changed and ended before `J` existed at TTAPI: in TTAPI's history, newest first by whatever time
//!   it sorts on, every row below `K`'s is older than `J`. That is how a lost answer is proven absent
//!   (`engine::reconcile`).
//! - **No answer is thrown away.** TTAPI may answer a send after another process took the job over (a
//!   paused process, a clock step). The answer becomes the job's id if the job still has none from that send;
//!   else it was a second charge, kept as a job of its own (`duplicate_of`) so both results are saved.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, params};

use super::jobs::{JOB_COLUMNS, JobRecord, JobState, job_from_row, job_in, log_event_in};
use super::leases::Owner;
use super::{Library, LibraryError, now_ms};

/// Takes the next place in the journal's order (in the caller's write transaction).
pub(super) fn next_position(conn: &rusqlite::Connection) -> Result<i64, LibraryError> {
    Ok(conn.query_row(
        "UPDATE journal_position SET position = position + 1 RETURNING position",
        [],
        |row| row.get(0),
    )?)
}

/// Migration 12: the jobs earlier versions sent, placed in the journal's order by their times. A finish is
/// placed at the job's end or last write (it was learnt no later), a send at its `submitted_at` (the
/// request left no earlier): each as late or as early as makes fewer rows count as older than a job, never
/// more.
pub(super) fn order_earlier_sends(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    // (time, 0 = sent / 1 = finished, job id): at the same millisecond a send comes first, so a finish of
    // that moment is never taken as older than the send.
    let mut moments: Vec<(i64, u8, i64)> = Vec::new();
    {
        let mut statement = tx.prepare(
            "SELECT id, submitted_at, IFNULL(remote_status IN ('SUCCESS', 'FAILED'), 0), \
             COALESCE(finished_at, updated_at) \
             FROM jobs WHERE submitted_at IS NOT NULL OR remote_status IN ('SUCCESS', 'FAILED')",
        )?;
        let rows = statement.query_map([], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, Option<i64>>(1)?,
                row.get::<_, bool>(2)?,
                row.get::<_, i64>(3)?,
            ))
        })?;
        for row in rows {
            let (id, sent_at, finished, last_write) = row?;
            if let Some(sent_at) = sent_at {
                moments.push((sent_at, 0, id));
            }
            if finished {
                moments.push((last_write, 1, id));
            }
        }
    }
    moments.sort_unstable();
    let mut set_sent = tx.prepare("UPDATE jobs SET sent_seq = ?2 WHERE id = ?1")?;
    let mut set_finished = tx.prepare("UPDATE jobs SET finished_seq = ?2 WHERE id = ?1")?;
    for (position, (_, what, id)) in (1_i64..).zip(&moments) {
        if *what == 0 {
            set_sent.execute(params![id, position])?;
        } else {
            set_finished.execute(params![id, position])?;
        }
    }
    tx.execute(
        "UPDATE journal_position SET position = ?1",
        [moments.len() as i64],
    )?;
    Ok(())
}

/// A job of this library known by its TTAPI id, and where it stands in the journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownSubmission {
    pub job_id: i64,
    pub sent_seq: Option<i64>,
    pub finished_seq: Option<i64>,
}

/// What became of TTAPI's answer to a send ([`Library::accept_submission`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Accepted {
    /// The job has the TTAPI id now and `owner` drives it: it was still its own, or it was taken back from
    /// a process that had taken it over and not yet found it.
    Bound(JobRecord),
    /// Another job of the library already had this TTAPI id (a takeover found it in the history).
    AlreadyKnown(JobRecord),
    /// The job had been sent again meanwhile, or has another TTAPI id: TTAPI charged twice. The answer is
    /// `second`, a job of its own (`duplicate_of` the original) that `owner` drives, so both results are kept.
    SentTwice {
        original: Box<JobRecord>,
        second: Box<JobRecord>,
    },
}

/// What a second charge's job says of itself.
pub const SECOND_CHARGE: &str =
    "TTAPI ran this request a second time and charged it again; this is the second result, kept";

impl Library {
    /// The jobs of this library among TTAPI's `remote_ids`, by id.
    pub fn known_submissions(
        &self,
        remote_ids: &[String],
    ) -> Result<HashMap<String, KnownSubmission>, LibraryError> {
        let conn = self.conn();
        let mut statement = conn.prepare_cached(
            "SELECT remote_id, id, sent_seq, finished_seq FROM jobs \
             WHERE remote_id IN (SELECT value FROM json_each(?1))",
        )?;
        let ids = serde_json::to_string(remote_ids).unwrap_or_default();
        let known = statement
            .query_map([ids], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    KnownSubmission {
                        job_id: row.get(1)?,
                        sent_seq: row.get(2)?,
                        finished_seq: row.get(3)?,
                    },
                ))
            })?
            .collect::<Result<_, _>>()?;
        Ok(known)
    }

    /// Jobs of this library that were sent and have no TTAPI id, nothing having proven them never received
    /// (being sent, looked up, unconfirmed): their rows, if TTAPI has them, are in its history unknown here.
    pub fn unanswered_sends(&self) -> Result<Vec<JobRecord>, LibraryError> {
        let conn = self.conn();
        let mut statement = conn.prepare_cached(&format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE state IN ('submitting', 'uncertain', 'unconfirmed') \
             AND remote_id IS NULL AND sent_seq IS NOT NULL"
        ))?;
        let jobs = statement
            .query_map([], job_from_row)?
            .collect::<Result<_, _>>()?;
        Ok(jobs)
    }

    /// Records TTAPI's answer `remote_id` to the send of job `id` that `owner` began at journal position
    /// `sent_seq`, whatever happened to the job since. Nothing TTAPI answers is thrown away.
    pub fn accept_submission(
        &self,
        id: i64,
        owner: &Owner,
        sent_seq: i64,
        remote_id: &str,
    ) -> Result<Accepted, LibraryError> {
        let now = now_ms();
        let conn = self.conn();
        let tx = super::write_transaction(&conn)?;
        let before = job_in(&tx, id)?;
        let known = tx
            .query_row(
                &format!("SELECT {JOB_COLUMNS} FROM jobs WHERE remote_id = ?1"),
                [remote_id],
                job_from_row,
            )
            .optional()?;
        if let Some(known) = known {
            if known.id != id {
                log_event_in(
                    &tx,
                    Some(id),
                    "answer",
                    &format!(
                        "TTAPI answered this job's send with {remote_id}, which #{} had already found",
                        known.id
                    ),
                )?;
            }
            tx.commit()?;
            return Ok(Accepted::AlreadyKnown(known));
        }
        let took_back = before.state != JobState::Submitting
            || before.owner.as_deref() != Some(owner.id.as_str());
        let message = took_back.then(|| {
            "TTAPI's answer to this job's send arrived after another process had taken the job over"
                .to_owned()
        });
        // The job's own id when nothing was charged for it since this send: still this send's (even if it
        // was then given up, or cancelled while waiting to be sent again), or refused when sent again.
        let bound = tx.execute(
            "UPDATE jobs SET state = 'pending', remote_id = ?3, remote_status = 'PENDING_QUEUE', progress = 0,
                message = COALESCE(?4, message), message_by_service = 0, failure_kind = NULL, finished_at = NULL,
                owner = ?5, lease_until = ?6, updated_at = ?7
             WHERE id = ?1 AND remote_id IS NULL
               AND ((sent_seq = ?2 AND state IN ('submitting', 'uncertain', 'unconfirmed', 'queued', 'cancelled'))
                    OR state = 'rejected')",
            params![
                id,
                sent_seq,
                remote_id,
                message,
                owner.id,
                owner.lease_end(now),
                now
            ],
        )?;
        if bound == 1 {
            let after = job_in(&tx, id)?;
            super::jobs::journal_state_change(&tx, &after, before.state, message.as_deref())?;
            if let Some(previous) = before.owner.filter(|o| *o != owner.id) {
                log_event_in(
                    &tx,
                    Some(id),
                    "takeover",
                    &format!(
                        "{} took the job back from {previous}: it holds TTAPI's answer",
                        owner.id
                    ),
                )?;
            }
            tx.commit()?;
            return Ok(Accepted::Bound(after));
        }
        let second_id = second_charge(&tx, &before, owner, sent_seq, remote_id, now)?;
        let said = match before.remote_id.as_deref() {
            Some(first) => format!(
                "TTAPI charged this request twice: ids {first} and {remote_id}; the second result is #{second_id}"
            ),
            None => format!(
                "TTAPI ran an earlier send of this request ({remote_id}) after it had been sent again; that \
                 result is #{second_id}"
            ),
        };
        log_event_in(&tx, Some(id), "sent_twice", &said)?;
        log_event_in(
            &tx,
            Some(second_id),
            "created",
            &format!("the second charge of #{id}: TTAPI id {remote_id}"),
        )?;
        let second = job_in(&tx, second_id)?;
        let original = job_in(&tx, id)?;
        tx.commit()?;
        tracing::warn!(
            job_id = id,
            second = second_id,
            remote_id,
            "TTAPI charged a request twice"
        );
        Ok(Accepted::SentTwice {
            original: Box::new(original),
            second: Box::new(second),
        })
    }
}

/// Writes the job that keeps a second charge: the original's request, TTAPI's id, driven by `owner`, with the
/// original's input images. Returns its id.
fn second_charge(
    tx: &rusqlite::Transaction<'_>,
    original: &JobRecord,
    owner: &Owner,
    sent_seq: i64,
    remote_id: &str,
    now: i64,
) -> Result<i64, LibraryError> {
    tx.execute(
        "INSERT INTO jobs (backend, kind, action, prompt, params, mode, state, parent_id, timeout_secs,
                           created_at, updated_at, submitted_at, submit_attempts, owner, lease_until, instance,
                           remote_id, remote_status, progress, sent_seq, duplicate_of, message)
         SELECT backend, kind, action, prompt, params, mode, 'pending', parent_id, timeout_secs,
                ?2, ?2, submitted_at, 1, ?3, ?4, instance, ?5, 'PENDING_QUEUE', 0, ?6, id, ?7
         FROM jobs WHERE id = ?1",
        params![
            original.id,
            now,
            owner.id,
            owner.lease_end(now),
            remote_id,
            sent_seq,
            SECOND_CHARGE
        ],
    )?;
    let second = tx.last_insert_rowid();
    tx.execute(
        "INSERT INTO images (job_id, role, ordinal, hash, width, height, bytes, path, source_url)
         SELECT ?2, role, ordinal, hash, width, height, bytes, path, source_url FROM images
         WHERE job_id = ?1 AND role IN ('source', 'mask')",
        params![original.id, second],
    )?;
    Ok(second)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::library::jobs::tests::new_job;
    use crate::library::{Claim, JobUpdate, LEASE};

    fn library() -> (tempfile::TempDir, Library) {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path()).unwrap();
        (dir, library)
    }

    /// A job `owner` made and began to send; its journal position.
    fn sending(library: &Library, owner: &Owner, prompt: &str) -> (JobRecord, i64) {
        let job = library
            .create_job(&new_job(prompt), Some(owner), &[])
            .unwrap();
        let job = library
            .begin_submission(job.id, owner, 10, Duration::ZERO)
            .unwrap()
            .unwrap();
        let sent = job.sent_seq.unwrap();
        (job, sent)
    }

    /// The other process's lease on `id` lapses (it was stopped), so a takeover may happen.
    fn lapse(library: &Library, id: i64) {
        library
            .conn()
            .execute("UPDATE jobs SET lease_until = 1 WHERE id = ?1", [id])
            .unwrap();
    }

    #[test]
    fn sends_and_finishes_take_places_in_one_order() {
        let (_dir, library) = library();
        let owner = Owner::new(None, LEASE);
        let (first, first_sent) = sending(&library, &owner, "first");
        let answered = library
            .accept_submission(first.id, &owner, first_sent, "remote-1")
            .unwrap();
        let Accepted::Bound(first) = answered else {
            panic!("{answered:?}")
        };
        assert_eq!(first.state, JobState::Pending);
        assert_eq!(first.remote_id.as_deref(), Some("remote-1"));
        assert_eq!(first.finished_seq, None, "answered is not finished");
        let finished = library
            .update_job(
                first.id,
                &JobUpdate {
                    owner: Some(owner.id.clone()),
                    finished_remotely: true,
                    ..JobUpdate::transition(JobState::Pending, JobState::Downloading)
                },
            )
            .unwrap();
        let (_, second_sent) = sending(&library, &owner, "second");
        assert!(first_sent < finished.finished_seq.unwrap());
        assert!(
            finished.finished_seq.unwrap() < second_sent,
            "the first had finished before the second left"
        );
        let known = library
            .known_submissions(&["remote-1".into(), "nobody's".into()])
            .unwrap();
        assert_eq!(known.len(), 1);
        assert_eq!(known["remote-1"].finished_seq, finished.finished_seq);
    }

    #[test]
    fn an_answer_after_a_takeover_becomes_the_jobs_id_when_the_job_has_none() {
        let (_dir, library) = library();
        let (stopped, window) = (Owner::new(None, LEASE), Owner::new(None, LEASE));
        let (job, sent) = sending(&library, &stopped, "a fox");
        lapse(&library, job.id);
        assert!(matches!(
            library.claim_job(job.id, &window).unwrap(),
            Claim::Claimed { .. }
        ));
        library
            .update_job(
                job.id,
                &JobUpdate {
                    owner: Some(window.id.clone()),
                    ..JobUpdate::transition(JobState::Submitting, JobState::Uncertain)
                },
            )
            .unwrap();
        // The stopped process wakes up with TTAPI's answer: it is the job's, and the window's look stops.
        let Accepted::Bound(job) = library
            .accept_submission(job.id, &stopped, sent, "remote-late")
            .unwrap()
        else {
            panic!()
        };
        assert_eq!(
            (job.state, job.owner.as_deref()),
            (JobState::Pending, Some(stopped.id.as_str()))
        );
        let stale = JobUpdate {
            owner: Some(window.id.clone()),
            ..JobUpdate::transition(JobState::Uncertain, JobState::Queued)
        };
        assert!(matches!(
            library.update_job(job.id, &stale),
            Err(LibraryError::Conflict { .. })
        ));
    }

    #[test]
    fn an_answer_to_a_send_made_again_is_a_second_charge_kept_as_its_own_job() {
        let (_dir, library) = library();
        let (stopped, window) = (Owner::new(None, LEASE), Owner::new(None, LEASE));
        let png = crate::imaging::encode_png(&image::RgbaImage::new(4, 4)).unwrap();
        let source = library.store().put(&png).unwrap();
        let job = library
            .create_job(
                &new_job("a fox"),
                Some(&stopped),
                &[(crate::library::ImageRole::Source, 1, source)],
            )
            .unwrap();
        let first = library
            .begin_submission(job.id, &stopped, 10, Duration::ZERO)
            .unwrap()
            .unwrap();
        // Taken over, proven absent and sent again (a wall-clock step made the first look lapsed).
        lapse(&library, job.id);
        library.claim_job(job.id, &window).unwrap();
        for (from, to) in [
            (JobState::Submitting, JobState::Uncertain),
            (JobState::Uncertain, JobState::Queued),
        ] {
            let update = JobUpdate {
                owner: Some(window.id.clone()),
                ..JobUpdate::transition(from, to)
            };
            library.update_job(job.id, &update).unwrap();
        }
        let again = library
            .begin_submission(job.id, &window, 10, Duration::ZERO)
            .unwrap()
            .unwrap();
        assert!(again.sent_seq > first.sent_seq);
        let answered = library
            .accept_submission(job.id, &window, again.sent_seq.unwrap(), "remote-2")
            .unwrap();
        assert!(matches!(answered, Accepted::Bound(_)));
        // The first send's answer arrives late: both were charged; both are kept.
        let Accepted::SentTwice { original, second } = library
            .accept_submission(job.id, &stopped, first.sent_seq.unwrap(), "remote-1")
            .unwrap()
        else {
            panic!()
        };
        assert_eq!(original.remote_id.as_deref(), Some("remote-2"));
        assert_eq!(
            (
                second.remote_id.as_deref(),
                second.state,
                second.duplicate_of,
                second.owner.as_deref()
            ),
            (
                Some("remote-1"),
                JobState::Pending,
                Some(job.id),
                Some(stopped.id.as_str())
            )
        );
        assert_eq!((second.prompt.as_str(), second.kind), ("a fox", job.kind));
        assert_eq!(
            library.images(second.id).unwrap().len(),
            1,
            "its input images come along"
        );
        let said: Vec<String> = library
            .events(job.id)
            .unwrap()
            .into_iter()
            .filter(|(kind, _)| kind == "sent_twice")
            .map(|(_, detail)| detail)
            .collect();
        assert_eq!(said.len(), 1);
        assert!(said[0].contains("remote-2 and remote-1"), "{said:?}");
        // The same answer again changes nothing.
        assert!(matches!(
            library
                .accept_submission(job.id, &stopped, first.sent_seq.unwrap(), "remote-1")
                .unwrap(),
            Accepted::AlreadyKnown(known) if known.id == second.id
        ));
    }

    #[test]
    fn jobs_sent_by_earlier_versions_are_ordered_by_their_times_never_earlier_than_they_were() {
        let (_dir, library) = library();
        let conn = library.conn();
        for (id, submitted, remote, finished) in [
            (1, Some(100), Some("r1"), Some(300)),
            (2, Some(200), None::<&str>, None::<i64>),
            (3, Some(300), Some("r3"), Some(900)),
        ] {
            conn.execute(
                "INSERT INTO jobs (id, backend, kind, action, state, timeout_secs, created_at, updated_at,
                                   submitted_at, remote_id, finished_at, remote_status)
                 VALUES (?1, 't', 'imagine', 'imagine', 'succeeded', 300, 1, 1000, ?2, ?3, ?4,
                         CASE WHEN ?3 IS NULL THEN NULL ELSE 'SUCCESS' END)",
                rusqlite::params![id, submitted, remote, finished],
            )
            .unwrap();
        }
        drop(conn);
        let mut conn = library.conn();
        let tx = conn.transaction().unwrap();
        order_earlier_sends(&tx).unwrap();
        tx.commit().unwrap();
        drop(conn);
        let seq = |id| {
            let job = library.job(id).unwrap();
            (job.sent_seq, job.finished_seq)
        };
        // Sends at 100, 200, 300; finishes placed at the end (300, 900): job 1's finish ties with job 3's
        // send and is placed after it, so job 1 does not count as finished before job 3 left.
        assert_eq!(seq(1), (Some(1), Some(4)));
        assert_eq!(seq(2), (Some(2), None));
        assert_eq!(seq(3), (Some(3), Some(5)));
        let owner = Owner::new(None, LEASE);
        let (_, next) = sending(&library, &owner, "after the upgrade");
        assert_eq!(next, 6, "new positions follow the old ones");
    }
}
