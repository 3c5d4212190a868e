//! A submission whose answer was lost (a cut connection, a timeout, a crash mid-send): the job is looked up
//! in TTAPI's history rather than sent again, and sent again only on proof that TTAPI never got it.
//!
//! `fetch-list` rows carry no time, so "absent" is proven by order instead. Each status list is read newest
//! first until a row of a job this library saw finish before the job was sent (everything below it is
//! older than the job, whatever time TTAPI sorts by: `library::submissions`), or to the list's end, within
//! [`PAGE_CAP`] pages, without a failed request. Among the rows read there must be one of a job this library
//! sent before this one (an anchor: the history reaches back past the job, and it is this account's), and
//! no row of the job's action that could be it: one with its prompt as TTAPI writes prompts back
//! (`domain::history`) is adopted, and any other unknown row blocks the proof unless it is the row of
//! another job of this library still without its TTAPI id (TTAPI may have translated the prompt; another
//! tool may share the account). The lists are read in the order a job moves through them (queued,
//! running, then the two ends), so a job that moves while they are read is still seen. Nothing is concluded
//! before the send's own request timeout has passed: until then TTAPI may still be making the job.
//!
//! Found: adopted. Proven absent: a prompt job is sent again (each time on fresh proof, at most
//! [`MAX_RESENDS`] times); a blend or describe, which has no prompt to recognise it by, never is, and is
//! adopted only as the one unknown row of its action and mode when no other such job of this library is
//! also unanswered. Anything else ends `unconfirmed`, saying why, for the user to check and decide (Look
//! again, Send anyway). A look the user asks for only looks.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::sleep;

use super::driver::{Stall, account_or_unavailable, end, spawn};
use super::{Core, EngineError};
use crate::api::{ApiError, ErrorKind, FetchListQuery, ListedJob};
use crate::domain::history::{Likeness, compare};
use crate::library::{FailureKind, JobKind, JobRecord, JobState, JobUpdate, KnownSubmission};

/// Pages of 100 rows read per status before a look gives up proving anything.
pub(crate) const PAGE_CAP: u32 = 10;
/// Tries of one request for the account's job list before the look counts as failed.
const LIST_ATTEMPTS: u32 = 6;
/// Automatic re-sends of one job, each on its own proof.
pub(crate) const MAX_RESENDS: usize = 3;
/// The event that records an automatic re-send.
pub(crate) const RESENT: &str = "resent";
/// The event that records a look the user asked for: from then on the job is only looked for, never sent.
const LOOK_AGAIN: &str = "look_again";
/// The order a job moves through TTAPI's statuses (a job seen nowhere while they are read was nowhere).
const STATUSES: [&str; 4] = ["PENDING_QUEUE", "ON_QUEUE", "SUCCESS", "FAILED"];

/// What one look through TTAPI's history found for a job.
#[derive(Debug, Clone, PartialEq)]
enum Look {
    /// Its row: adopt it.
    Found(String),
    /// Proven never received.
    Absent,
    /// Neither, and why: said to the user.
    Unproven(String),
}

/// Said of a job whose submission may or may not have reached TTAPI: never "not charged" without proof.
pub(crate) fn unconfirmed(why: &str) -> String {
    format!("TTAPI may have run this job ({why}); check your TTAPI history before sending it again")
}

/// Looks for the job after each of `reconcile_delays` and once more after `resend_grace`; then adopts it,
/// sends it again on proof, or ends it `unconfirmed` with the reason.
pub(super) async fn reconcile(core: &Arc<Core>, job: JobRecord) -> Result<(), Stall> {
    let job = if job.state == JobState::Submitting {
        let update = JobUpdate {
            message: Some("the answer to the submission was not seen".into()),
            ..JobUpdate::transition(job.state, JobState::Uncertain)
        };
        core.update(&job, update).await?
    } else {
        job
    };
    let id = job.id;
    let history = core.db(move |l| l.events(id)).await?;
    let resends = history.iter().filter(|(kind, _)| kind == RESENT).count();
    let looking_only = history.iter().any(|(kind, _)| kind == LOOK_AGAIN);
    let mut delays = core.timing.reconcile_delays.clone();
    // The last look comes after the grace period, and not before TTAPI can have stopped making the job: the
    // send's request timeout after it left (wall-clock: it may have left in another process).
    let sent_at = job.submitted_at.unwrap_or(job.created_at);
    let request_over = sent_at + core.timing.request_timeout.as_millis() as i64;
    let waited: Duration = delays.iter().sum::<Duration>() + core.timing.resend_grace;
    let until_over =
        Duration::from_millis(u64::try_from(request_over - crate::library::now_ms()).unwrap_or(0));
    delays.push(core.timing.resend_grace + until_over.saturating_sub(waited));
    // What the last look showed: proven absent, or why not.
    let mut absent: Result<(), String> = Err("not looked up yet".into());
    for delay in delays {
        sleep(delay).await;
        absent = match look(core, &job).await {
            Ok(Look::Found(remote_id)) => return adopt(core, &job, remote_id).await,
            Ok(Look::Absent) => Ok(()),
            Ok(Look::Unproven(why)) => Err(why),
            Err(e) if e.is_transient() => Err(unreadable_history(&e)),
            Err(e) => return Err(Stall::new(account_or_unavailable(&e), e.to_string())),
        };
    }
    let message = match absent {
        Ok(()) if has_no_prompt(&job) => format!(
            "TTAPI's history has no {} newer than your last confirmed job, so it most likely never arrived; \
             Moodgrid never sends one again by itself: Send anyway if you want it",
            job.action
        ),
        Ok(()) if looking_only => {
            "TTAPI's history shows it never arrived; Send anyway sends it again".to_owned()
        }
        Ok(()) if resends < MAX_RESENDS => return resend(core, &job, resends).await,
        Ok(()) => format!(
            "it was sent {} times and TTAPI's history never showed it",
            resends + 1
        ),
        Err(why) => unconfirmed(&why),
    };
    end(
        core,
        &job,
        JobState::Unconfirmed,
        FailureKind::Unavailable,
        message,
    )
    .await
}

/// Why the last look proved nothing, in a few words (the error's own text promises retries that end here).
fn unreadable_history(error: &ApiError) -> String {
    let why = match error.kind() {
        ErrorKind::RateLimited => "TTAPI kept asking Moodgrid to slow down".to_owned(),
        ErrorKind::QueueFull | ErrorKind::Server | ErrorKind::GatewayTimeout => {
            "TTAPI kept answering with server errors".to_owned()
        }
        ErrorKind::Network => "the connection to TTAPI kept failing".to_owned(),
        ErrorKind::BadResponse => "TTAPI's answers could not be read".to_owned(),
        _ => error.to_string(),
    };
    format!("TTAPI's job history could not be read: {why}")
}

/// Blend and describe: nothing in a history row says which images it was given.
fn has_no_prompt(job: &JobRecord) -> bool {
    matches!(job.kind, JobKind::Blend | JobKind::Describe)
}

async fn adopt(core: &Core, job: &JobRecord, remote_id: String) -> Result<(), Stall> {
    // A remote id another job of the library took meanwhile is refused by the library (it is unique).
    let update = JobUpdate {
        remote_id: Some(remote_id),
        message: Some("confirmed through the account's job list".into()),
        ..JobUpdate::transition(job.state, JobState::Pending)
    };
    core.update(job, update).await?;
    Ok(())
}

/// Proven never received: back to `queued`, to be sent again, and the job's history says why (in the
/// same write).
async fn resend(core: &Core, job: &JobRecord, resends: usize) -> Result<(), Stall> {
    let note = format!(
        "TTAPI's history reaches back past this job and does not have it: sent again ({} of {MAX_RESENDS})",
        resends + 1
    );
    let update = JobUpdate {
        message: Some("sent again: TTAPI's job history proved the last send never arrived".into()),
        note: Some((RESENT, note)),
        ..JobUpdate::transition(job.state, JobState::Queued)
    };
    core.update(job, update).await?;
    Ok(())
}

/// What one read of the history gathered.
#[derive(Default)]
struct Reading {
    /// A row of a job this library sent before this one was seen.
    anchored: bool,
    /// Statuses whose list was not read back far enough.
    unsettled: Vec<&'static str>,
    same: Vec<String>,
    /// Prompts of rows that may be this job: like it, or unknown and of its action.
    like: Vec<(Likeness, String)>,
    /// Blend or describe: rows of its action and mode no job of this library has.
    candidates: Vec<String>,
    /// Another job of this library of the same action (and mode) is also without its TTAPI id.
    others_unanswered: bool,
}

/// One look through every status list (see the module's comment).
async fn look(core: &Arc<Core>, job: &JobRecord) -> Result<Look, ApiError> {
    let Some(sent) = job.sent_seq else {
        return Ok(Look::Unproven(
            "it was sent by a Moodgrid that did not record the order of its sends".into(),
        ));
    };
    let id = job.id;
    let others: Vec<JobRecord> = core
        .db(move |l| l.unanswered_sends())
        .await
        .map_err(|e| ApiError::BadResponse {
            status: 200,
            reason: e.to_string(),
        })?
        .into_iter()
        .filter(|other| other.id != id && other.action == job.action)
        .collect();
    let mut reading = Reading {
        others_unanswered: others.iter().any(|other| other.mode == job.mode),
        ..Reading::default()
    };
    for status in STATUSES {
        if !read_status(core, job, &others, sent, status, &mut reading).await? {
            reading.unsettled.push(status);
        }
    }
    Ok(decide(job, reading))
}

/// Reads one status list newest first; whether it was read back far enough.
async fn read_status(
    core: &Arc<Core>,
    job: &JobRecord,
    others: &[JobRecord],
    sent: i64,
    status: &'static str,
    reading: &mut Reading,
) -> Result<bool, ApiError> {
    for page in 1..=PAGE_CAP {
        let query = FetchListQuery {
            page,
            limit: FetchListQuery::MAX_LIMIT,
            status: Some(status.into()),
            order: Some("desc".into()),
        };
        let rows = list_patiently(core, &query).await?;
        let ids: Vec<String> = rows.iter().filter_map(|r| r.job_id.clone()).collect();
        let known = core
            .db(move |l| l.known_submissions(&ids))
            .await
            .map_err(|e| ApiError::BadResponse {
                status: 200,
                reason: e.to_string(),
            })?;
        for row in &rows {
            let Some(remote_id) = row.job_id.as_deref() else {
                continue;
            };
            match known.get(remote_id) {
                Some(known) if settles(known, sent, &mut reading.anchored) => return Ok(true),
                Some(_) => {}
                None => weigh(job, others, row, remote_id, reading),
            }
        }
        if rows.len() < FetchListQuery::MAX_LIMIT as usize {
            return Ok(true);
        }
    }
    Ok(false)
}

/// A row of this library's own job: notes an anchor (sent before the job), and says whether the rows below
/// it are all older than the job (it had finished before the job was sent).
fn settles(known: &KnownSubmission, sent: i64, anchored: &mut bool) -> bool {
    if known.sent_seq.is_some_and(|at| at < sent) {
        *anchored = true;
    }
    known.finished_seq.is_some_and(|at| at < sent)
}

/// A row no job of this library has a TTAPI id for: is it this job, another job of the library still
/// without its id, or something Moodgrid cannot account for?
fn weigh(
    job: &JobRecord,
    others: &[JobRecord],
    row: &ListedJob,
    remote_id: &str,
    reading: &mut Reading,
) {
    if row.action.as_deref() != Some(job.action.as_str()) {
        return;
    }
    let mode_differs = match (row.model.as_deref(), job.mode) {
        (Some(row_mode), Some(mode)) => !row_mode.eq_ignore_ascii_case(mode.as_str()),
        _ => false,
    };
    if mode_differs {
        return;
    }
    if has_no_prompt(job) {
        reading.candidates.push(remote_id.to_owned());
        return;
    }
    let likeness = compare(&job.prompt, row.prompt.as_deref());
    if likeness == Likeness::Same {
        reading.same.push(remote_id.to_owned());
        return;
    }
    let accounted_for = others
        .iter()
        .any(|other| compare(&other.prompt, row.prompt.as_deref()) == Likeness::Same);
    if !accounted_for {
        let prompt = row.prompt.clone().unwrap_or_else(|| "no prompt".into());
        reading.like.push((likeness, prompt));
    }
}

fn decide(job: &JobRecord, reading: Reading) -> Look {
    if let Some(found) = reading.same.into_iter().next() {
        return Look::Found(found);
    }
    let proof = if !reading.unsettled.is_empty() {
        Err(format!(
            "TTAPI's history was read {PAGE_CAP} pages deep ({}) without reaching a job sent before this one",
            reading.unsettled.join(", ")
        ))
    } else if !reading.anchored {
        Err("TTAPI's history shows no job this library sent before this one, so it cannot show that this \
             one is missing"
            .to_owned())
    } else {
        Ok(())
    };
    let like = reading
        .like
        .iter()
        .find(|(likeness, _)| *likeness == Likeness::Like)
        .or(reading.like.first());
    if let Some((likeness, prompt)) = like {
        let prompt = crate::domain::prompt::first_line(prompt, 80);
        return Look::Unproven(match likeness {
            Likeness::Like => format!(
                "TTAPI's history has a job Moodgrid cannot tell apart from it: \"{prompt}\""
            ),
            _ => format!(
                "TTAPI's history has {} {} no job of this library accounts for, perhaps this one \
                 translated: \"{prompt}\"",
                article(&job.action),
                job.action
            ),
        });
    }
    match (proof, reading.candidates.as_slice()) {
        (Err(why), _) => Look::Unproven(why),
        (Ok(()), _) if reading.others_unanswered && has_no_prompt(job) => Look::Unproven(format!(
            "another {} of this library is also waiting for TTAPI's answer, and nothing tells the two apart",
            job.action
        )),
        (Ok(()), []) => Look::Absent,
        (Ok(()), [only]) => Look::Found(only.clone()),
        (Ok(()), several) => Look::Unproven(format!(
            "{} {} jobs in TTAPI's history could be this one",
            several.len(),
            job.action
        )),
    }
}

/// "a" or "an" before an action's name.
fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// One page of the account's job list, asked again after a transient failure (a look is several requests,
/// and one failed request must not make the whole look fail), a bounded number of times.
async fn list_patiently(
    core: &Arc<Core>,
    query: &FetchListQuery,
) -> Result<Vec<ListedJob>, ApiError> {
    let mut failures = 0;
    loop {
        match core.client.fetch_list(query).await {
            Err(e) if e.is_transient() && failures < LIST_ATTEMPTS => {
                failures += 1;
                sleep(core.timing.backoff(failures, e.retry_after())).await;
            }
            answer => return answer,
        }
    }
}

/// Looks for an `unconfirmed` job in the account's history again (the user asked): found, it continues as
/// usual; else it is `unconfirmed` again. It is never sent from here.
pub(crate) async fn look_again(core: &Arc<Core>, job_id: i64) -> Result<JobRecord, EngineError> {
    let update = JobUpdate {
        message: Some("looking in the account's job list again".into()),
        note: Some((LOOK_AGAIN, "asked to look again".into())),
        ..JobUpdate::transition(JobState::Unconfirmed, JobState::Uncertain)
    };
    let record = core.store_update(job_id, update).await?;
    spawn(core.clone(), job_id);
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::sample_job;

    fn row(id: &str, action: &str, prompt: Option<&str>) -> ListedJob {
        serde_json::from_value(serde_json::json!({
            "job_id": id, "action": action, "model": "fast", "prompt": prompt
        }))
        .unwrap()
    }

    fn imagine(id: i64, prompt: &str) -> JobRecord {
        sample_job(id, JobKind::Imagine, JobState::Uncertain, prompt)
    }

    /// What a look decides from `rows` (all above any stop point), with `others` unanswered in the library.
    fn read(job: &JobRecord, others: &[JobRecord], rows: &[ListedJob], anchored: bool) -> Look {
        let mut reading = Reading {
            anchored,
            others_unanswered: others.iter().any(|o| o.action == job.action),
            ..Reading::default()
        };
        for row in rows {
            weigh(
                job,
                others,
                row,
                row.job_id.as_deref().unwrap(),
                &mut reading,
            );
        }
        decide(job, reading)
    }

    #[test]
    fn absence_needs_an_anchor_and_no_row_of_the_action_left_unaccounted_for() {
        let job = imagine(1, "a fox --v 6");
        let others = [row("b", "upsample1", Some("a fox --v 6"))];
        assert_eq!(read(&job, &[], &others, true), Look::Absent);
        assert!(matches!(
            read(&job, &[], &others, false),
            Look::Unproven(why) if why.contains("no job this library sent")
        ));
        let with_it = [row("c", "imagine", Some("a fox –v 6"))];
        assert_eq!(read(&job, &[], &with_it, false), Look::Found("c".into()));
        let like_it = [row("d", "imagine", Some("a fox --v 6.1"))];
        assert!(matches!(
            read(&job, &[], &like_it, true),
            Look::Unproven(why) if why.contains("cannot tell apart")
        ));
    }

    #[test]
    fn a_prompt_ttapi_may_have_translated_blocks_the_proof_unless_another_lost_job_explains_it() {
        // Sent in French; TTAPI translates by default, and lists it in English.
        let job = imagine(1, "un renard dans la neige --ar 1:1");
        let translated = [row("e", "imagine", Some("a fox in the snow --ar 1:1"))];
        assert!(matches!(
            read(&job, &[], &translated, true),
            Look::Unproven(why) if why.contains("no job of this library accounts for")
        ));
        // The row is another job of this library whose own answer was lost: no doubt about this one.
        let other = imagine(2, "a fox in the snow --ar 1:1");
        assert_eq!(
            read(&job, std::slice::from_ref(&other), &translated, true),
            Look::Absent
        );
    }

    #[test]
    fn a_blend_is_adopted_only_as_the_one_candidate_when_no_other_blend_waits() {
        let blend = sample_job(1, JobKind::Blend, JobState::Uncertain, "");
        let one = [row("x", "blend", None), row("y", "imagine", Some("z"))];
        assert_eq!(read(&blend, &[], &one, true), Look::Found("x".into()));
        assert!(matches!(read(&blend, &[], &one, false), Look::Unproven(_)));
        let two = [row("x", "blend", None), row("w", "blend", None)];
        assert!(matches!(
            read(&blend, &[], &two, true),
            Look::Unproven(why) if why.starts_with("2 blend")
        ));
        assert_eq!(read(&blend, &[], &[], true), Look::Absent);
        // Two blends lost their answers together: the one row could be either's.
        let other = sample_job(2, JobKind::Blend, JobState::Uncertain, "");
        assert!(matches!(
            read(&blend, std::slice::from_ref(&other), &one, true),
            Look::Unproven(why) if why.contains("another blend of this library")
        ));
    }

    #[test]
    fn a_known_row_anchors_and_settles_only_when_it_finished_before_the_send() {
        let mut anchored = false;
        let finished_before = KnownSubmission {
            job_id: 2,
            sent_seq: Some(3),
            finished_seq: Some(4),
        };
        assert!(settles(&finished_before, 10, &mut anchored));
        assert!(anchored);
        // Sent before, finished after (or not yet): the job's own row may sort below it.
        let mut anchored = false;
        let running_together = KnownSubmission {
            finished_seq: Some(12),
            ..finished_before
        };
        assert!(!settles(&running_together, 10, &mut anchored));
        assert!(anchored, "still a row this library sent before the job");
        let unfinished = KnownSubmission {
            finished_seq: None,
            ..finished_before
        };
        assert!(!settles(&unfinished, 10, &mut anchored));
        let later = KnownSubmission {
            job_id: 3,
            sent_seq: Some(11),
            finished_seq: Some(13),
        };
        let mut anchored = false;
        assert!(!settles(&later, 10, &mut anchored));
        assert!(!anchored);
    }
}
