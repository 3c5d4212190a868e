//! Job rows: what the user asked for, where the remote job stands, and its images.

use rusqlite::{Connection, OptionalExtension, Row, params};
use strum::{EnumString, IntoStaticStr, VariantArray};

use super::params::{JobParams, ParamsError};
use super::{Library, LibraryError, now_ms};
use crate::domain::Mode;

/// The names the library's enums are stored under (`queued`, `split`…): one derive for all of them.
macro_rules! stored_as_snake_case {
    ($($name:ident),*) => {$(
        impl $name {
            pub fn as_str(self) -> &'static str {
                self.into()
            }
        }
    )*};
}

/// Where a job stands from Moodgrid's side. The remote states map onto `Pending`/`Running`; the others
/// are the steps around them that make a job impossible to lose or to submit twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumString, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum JobState {
    /// Written, waiting for a free slot (at most 10 jobs run at once).
    Queued,
    /// The request is being sent. Found at start-up, it means the answer was never seen.
    Submitting,
    /// Sent, but the answer was lost: being looked up in the account's job list, never re-sent.
    Uncertain,
    /// The service never confirmed the submission and has no matching job. Not charged; the user may retry.
    Unconfirmed,
    Pending,
    Running,
    /// Succeeded remotely; its images are being saved.
    Downloading,
    Succeeded,
    Failed,
    /// Refused before it became a job (wrong key, balance, invalid request).
    Rejected,
    /// No result within the job's own timeout plus a margin: TTAPI still said it was running.
    Abandoned,
    /// Taken back by the user before it was sent: never sent, never charged.
    Cancelled,
}

impl JobState {
    /// Nothing more will happen to the job without the user asking.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            JobState::Succeeded
                | JobState::Failed
                | JobState::Rejected
                | JobState::Abandoned
                | JobState::Unconfirmed
                | JobState::Cancelled
        )
    }
}

/// A designer's verdict beside the stars: keep it, or throw it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumString, IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Flag {
    Pick,
    Reject,
}

/// Why a job ended badly, which decides what the user is told to do (and the CLI's exit code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumString, IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum FailureKind {
    /// The service ran the job and it failed (banned prompt, timeout, Midjourney error).
    Job,
    /// The request was invalid.
    Invalid,
    /// Key, balance or account problem.
    Account,
    /// The service could not be reached or did not answer.
    Unavailable,
}

/// Which endpoint a job was submitted to. (Serde: the window remembers a gallery filter by kind.)
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    EnumString,
    IntoStaticStr,
    serde::Serialize,
    serde::Deserialize,
)]
#[strum(serialize_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    Imagine,
    Action,
    Blend,
    Describe,
    Seed,
    Inpaint,
}

/// What an image is to its job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumString, IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum ImageRole {
    /// The 2×2 grid (`cdnImage` of a grid job).
    Grid,
    /// One of the grid's four images (`images[]`), ordinal 1–4.
    Split,
    /// The single image of an upsample or upscale job.
    Upscale,
    /// An input the user gave (blend, describe), ordinal 1–5.
    Source,
    /// The inpaint mask as sent.
    Mask,
}

impl ImageRole {
    /// Results of the job, as opposed to inputs.
    pub fn is_output(self) -> bool {
        matches!(
            self,
            ImageRole::Grid | ImageRole::Split | ImageRole::Upscale
        )
    }
}

stored_as_snake_case!(JobState, FailureKind, JobKind, ImageRole, Flag);

#[derive(Debug, Clone, PartialEq)]
pub struct JobRecord {
    pub id: i64,
    pub remote_id: Option<String>,
    /// Which service ran it: a base URL, or `simulator` for the embedded one.
    pub backend: String,
    pub kind: JobKind,
    pub action: String,
    pub prompt: String,
    /// What the job asked, without image payloads (those are `Source`/`Mask` images). An error when the row
    /// was written by a newer Moodgrid or is damaged: the job still shows, it cannot be re-sent.
    pub params: Result<JobParams, ParamsError>,
    pub mode: Option<Mode>,
    pub state: JobState,
    pub remote_status: Option<String>,
    pub progress: Option<u8>,
    pub message: Option<String>,
    pub failure_kind: Option<FailureKind>,
    pub components: Vec<String>,
    pub seed: Option<String>,
    pub quota: Option<f64>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Remote URLs, kept until the files are safely on disk.
    pub image_url: Option<String>,
    pub image_urls: Vec<String>,
    pub parent_id: Option<i64>,
    pub timeout_secs: u32,
    pub submit_attempts: u32,
    pub created_at: i64,
    pub submitted_at: Option<i64>,
    pub updated_at: i64,
    pub finished_at: Option<i64>,
    /// The engine driving the job now (see `library::leases`), and until when its claim holds unless renewed.
    pub owner: Option<String>,
    pub lease_until: Option<i64>,
    /// The embedded simulator instance that runs an offline job; `None` for jobs on a real service.
    pub instance: Option<String>,
    /// 0 (not rated) to 5 stars, and a pick or reject flag (`library::ratings`).
    pub rating: u8,
    pub flag: Option<Flag>,
    /// When it was moved to the Trash (`library::trash`); `None` for a job in the library.
    pub trashed_at: Option<i64>,
    /// Where its last send stands in the library's journal (`library::submissions`).
    pub sent_seq: Option<i64>,
    /// Where, in the same journal, the library learnt that TTAPI had finished it (SUCCESS or FAILED): a job
    /// that finished before job J was sent is older than J in every order TTAPI's history may use.
    pub finished_seq: Option<i64>,
    /// The job whose request was sent a second time and charged again, when this job is that second charge.
    pub duplicate_of: Option<i64>,
    /// `message` is TTAPI's own words (a failed job's reason), not Moodgrid's.
    pub message_by_service: bool,
}

impl JobRecord {
    /// How the job is named to people: its TTAPI id, or `#N` (its local number) before it has one.
    pub fn reference(&self) -> String {
        self.remote_id
            .clone()
            .unwrap_or_else(|| format!("#{}", self.id))
    }

    /// Another engine drives it and its claim has not lapsed.
    pub fn is_driven_by_other(&self, owner: &str, now: i64) -> bool {
        self.owner.as_deref().is_some_and(|o| o != owner)
            && self.lease_until.is_some_and(|until| until > now)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImageRecord {
    pub job_id: i64,
    pub role: ImageRole,
    pub ordinal: u32,
    pub hash: String,
    pub width: u32,
    pub height: u32,
    pub bytes: u64,
    /// Relative to the library root.
    pub path: String,
    pub source_url: Option<String>,
}

impl ImageRecord {
    /// The row for a file the store has just taken.
    pub fn stored(
        job_id: i64,
        role: ImageRole,
        ordinal: u32,
        image: super::StoredImage,
        source_url: Option<String>,
    ) -> ImageRecord {
        ImageRecord {
            job_id,
            role,
            ordinal,
            hash: image.hash,
            width: image.width,
            height: image.height,
            bytes: image.bytes,
            path: image.relative_path,
            source_url,
        }
    }
}

/// An image of a job with its files resolved: the original and its cached thumbnails.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageFile {
    pub record: ImageRecord,
    /// The original, byte for byte as received.
    pub path: std::path::PathBuf,
    /// `(longer side, path)` of each thumbnail, smallest first.
    pub thumbnails: Vec<(u32, std::path::PathBuf)>,
}

/// A job about to be written, before anything is sent.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub backend: String,
    /// Also the job's kind.
    pub params: JobParams,
    pub action: String,
    pub prompt: String,
    pub mode: Option<Mode>,
    pub parent_id: Option<i64>,
    pub timeout_secs: u32,
}

impl NewJob {
    /// The row for `params` on `backend`: the columns people see follow from what was asked, and a
    /// follow-up (an action, a seed, an inpaint) takes its prompt and mode from `parent`.
    pub fn asking(backend: &str, params: JobParams, parent: Option<&JobRecord>) -> NewJob {
        let from_parent = |field: fn(&JobRecord) -> String| parent.map(field).unwrap_or_default();
        let (action, prompt, mode, timeout) = match &params {
            JobParams::Imagine {
                prompt,
                mode,
                timeout,
            } => ("imagine".to_owned(), prompt.clone(), Some(*mode), *timeout),
            JobParams::Action { action, timeout } => (
                action.clone(),
                from_parent(|p| p.prompt.clone()),
                parent.and_then(|p| p.mode),
                *timeout,
            ),
            JobParams::Blend { mode, .. } => ("blend".to_owned(), String::new(), Some(*mode), None),
            JobParams::Describe { .. } => ("describe".to_owned(), String::new(), None, None),
            JobParams::Seed => (
                "seed".to_owned(),
                from_parent(|p| p.prompt.clone()),
                parent.and_then(|p| p.mode),
                None,
            ),
            JobParams::Inpaint { prompt, .. } => (
                "inpaint".to_owned(),
                prompt.clone(),
                parent.and_then(|p| p.mode),
                None,
            ),
        };
        NewJob {
            backend: backend.to_owned(),
            params,
            action,
            prompt,
            mode,
            parent_id: parent.map(|p| p.id),
            timeout_secs: timeout.unwrap_or(mode.unwrap_or_default().default_timeout_secs()),
        }
    }
}

/// A change to a job row; `None` fields are left as they are.
#[derive(Debug, Clone, Default)]
pub struct JobUpdate {
    pub state: Option<JobState>,
    /// The state the writer believes the job is in. A change of state needs it and applies only if the row
    /// is still in that state (and still held by `owner`, when given): a lost race is an error, never a
    /// silent overwrite.
    pub from: Option<JobState>,
    /// The engine that believes it drives the job.
    pub owner: Option<String>,
    pub remote_id: Option<String>,
    pub remote_status: Option<String>,
    pub progress: Option<u8>,
    pub message: Option<String>,
    pub failure_kind: Option<FailureKind>,
    pub components: Option<Vec<String>>,
    pub seed: Option<String>,
    pub quota: Option<f64>,
    pub size: Option<(u32, u32)>,
    pub image_url: Option<String>,
    pub image_urls: Option<Vec<String>>,
    pub submitted: bool,
    pub count_attempt: bool,
    pub prompt: Option<String>,
    /// `message` is TTAPI's text (a FAILED job's reason); any other message is Moodgrid's own.
    pub message_by_service: bool,
    /// TTAPI says the job has finished (SUCCESS or FAILED): its place in the journal is taken.
    pub finished_remotely: bool,
    /// An event journaled with the change, in the same transaction, only if the change applies:
    /// `(kind, detail)`.
    pub note: Option<(&'static str, String)>,
}

impl JobUpdate {
    /// A change of state from `from` to `to`.
    pub fn transition(from: JobState, to: JobState) -> JobUpdate {
        JobUpdate {
            state: Some(to),
            from: Some(from),
            ..JobUpdate::default()
        }
    }
}

pub(super) const JOB_COLUMNS: &str = "id, remote_id, backend, kind, action, prompt, params, mode, state, remote_status, progress, \
    message, failure_kind, components, seed, quota, width, height, image_url, image_urls, parent_id, timeout_secs, \
    submit_attempts, created_at, submitted_at, updated_at, finished_at, owner, lease_until, instance, rating, flag, trashed_at, \
    sent_seq, finished_seq, duplicate_of, message_by_service";

fn conversion_error(index: usize, message: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, message.into())
}

fn json_list(text: String) -> Vec<String> {
    serde_json::from_str(&text).unwrap_or_default()
}

/// The states `keep` holds to as an SQL list (`'queued', 'submitting', …`).
pub(super) fn states_sql(keep: impl Fn(JobState) -> bool) -> String {
    let names: Vec<String> = JobState::VARIANTS
        .iter()
        .filter(|state| keep(**state))
        .map(|state| format!("'{}'", state.as_str()))
        .collect();
    names.join(", ")
}

fn unfinished_states() -> String {
    states_sql(|state| !state.is_final())
}

pub(super) fn job_from_row(row: &Row<'_>) -> rusqlite::Result<JobRecord> {
    let kind: String = row.get(3)?;
    let state: String = row.get(8)?;
    let mode: Option<String> = row.get(7)?;
    let params: String = row.get(6)?;
    Ok(JobRecord {
        id: row.get(0)?,
        remote_id: row.get(1)?,
        backend: row.get(2)?,
        kind: kind
            .parse()
            .map_err(|_| conversion_error(3, format!("unknown job kind `{kind}`")))?,
        action: row.get(4)?,
        prompt: row.get(5)?,
        params: JobParams::from_stored(&params),
        mode: mode.and_then(|m| m.parse().ok()),
        state: state
            .parse()
            .map_err(|_| conversion_error(8, format!("unknown job state `{state}`")))?,
        remote_status: row.get(9)?,
        progress: row
            .get::<_, Option<i64>>(10)?
            .map(|p| p.clamp(0, 100) as u8),
        message: row.get(11)?,
        failure_kind: row
            .get::<_, Option<String>>(12)?
            .as_deref()
            .and_then(|k| k.parse().ok()),
        components: json_list(row.get(13)?),
        seed: row.get(14)?,
        quota: row.get(15)?,
        width: row.get(16)?,
        height: row.get(17)?,
        image_url: row.get(18)?,
        image_urls: json_list(row.get(19)?),
        parent_id: row.get(20)?,
        timeout_secs: row.get(21)?,
        submit_attempts: row.get(22)?,
        created_at: row.get(23)?,
        submitted_at: row.get(24)?,
        updated_at: row.get(25)?,
        finished_at: row.get(26)?,
        owner: row.get(27)?,
        lease_until: row.get(28)?,
        instance: row.get(29)?,
        rating: row.get::<_, i64>(30)?.clamp(0, 5) as u8,
        flag: row
            .get::<_, Option<String>>(31)?
            .as_deref()
            .and_then(|f| f.parse().ok()),
        trashed_at: row.get(32)?,
        sent_seq: row.get(33)?,
        finished_seq: row.get(34)?,
        duplicate_of: row.get(35)?,
        message_by_service: row.get(36)?,
    })
}

pub(super) fn job_in(conn: &Connection, id: i64) -> Result<JobRecord, LibraryError> {
    conn.query_row(
        &format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?1"),
        [id],
        job_from_row,
    )
    .optional()?
    .ok_or_else(|| LibraryError::NotFound(format!("#{id}")))
}

pub(super) fn log_event_in(
    conn: &Connection,
    job_id: Option<i64>,
    kind: &str,
    detail: &str,
) -> Result<(), LibraryError> {
    conn.execute(
        "INSERT INTO events (job_id, at, kind, detail) VALUES (?1, ?2, ?3, ?4)",
        params![job_id, now_ms(), kind, detail],
    )?;
    Ok(())
}

/// Journals a change of state (the job's history) and logs it in the same words (the window's log file,
/// Help → Open log folder: enough to follow a job in a bug report). No prompt text (the user's work); keys
/// never reach a job row.
pub(super) fn journal_state_change(
    conn: &Connection,
    after: &JobRecord,
    from: JobState,
    message: Option<&str>,
) -> Result<(), LibraryError> {
    let to = after.state;
    let detail = match message {
        Some(message) => format!("{} → {}: {message}", from.as_str(), to.as_str()),
        None => format!("{} → {}", from.as_str(), to.as_str()),
    };
    log_event_in(conn, Some(after.id), "state", &detail)?;
    tracing::info!(
        job_id = after.id,
        from = from.as_str(),
        to = to.as_str(),
        remote_id = after.remote_id.as_deref(),
        message,
        "job"
    );
    Ok(())
}

pub(super) fn add_image_in(conn: &Connection, image: &ImageRecord) -> Result<(), LibraryError> {
    conn.execute(
            "INSERT INTO images (job_id, role, ordinal, hash, width, height, bytes, path, source_url)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (job_id, role, ordinal) DO UPDATE SET hash = excluded.hash, width = excluded.width,
                height = excluded.height, bytes = excluded.bytes, path = excluded.path, source_url = excluded.source_url",
            params![
                image.job_id,
                image.role.as_str(),
                image.ordinal,
                image.hash,
                image.width,
                image.height,
                image.bytes as i64,
                image.path,
                image.source_url
            ],
        )?;
    Ok(())
}

fn image_from_row(row: &Row<'_>) -> rusqlite::Result<ImageRecord> {
    let role: String = row.get(1)?;
    Ok(ImageRecord {
        job_id: row.get(0)?,
        role: role
            .parse()
            .map_err(|_| conversion_error(1, format!("unknown image role `{role}`")))?,
        ordinal: row.get(2)?,
        hash: row.get(3)?,
        width: row.get(4)?,
        height: row.get(5)?,
        bytes: row.get::<_, i64>(6)?.max(0) as u64,
        path: row.get(7)?,
        source_url: row.get(8)?,
    })
}

impl Library {
    /// Writes a new job in state `Queued`, claimed by nobody, and logs it.
    pub fn insert_job(&self, new: &NewJob) -> Result<JobRecord, LibraryError> {
        self.create_job(new, None, &[])
    }

    pub fn job(&self, id: i64) -> Result<JobRecord, LibraryError> {
        job_in(&self.conn(), id)
    }

    /// A job by its remote id or a unique prefix of it (as users copy ids), or `#N` for a local id.
    pub fn find_job(&self, reference: &str) -> Result<JobRecord, LibraryError> {
        let reference = reference.trim();
        if let Some(local) = reference
            .strip_prefix('#')
            .and_then(|n| n.parse::<i64>().ok())
        {
            return self.job(local);
        }
        if reference.is_empty() {
            return Err(LibraryError::NotFound(reference.to_owned()));
        }
        let escaped = reference
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let conn = self.conn();
        let mut statement = conn.prepare(&format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE remote_id LIKE ?1 || '%' ESCAPE '\\' ORDER BY remote_id = ?2 DESC LIMIT 2"
        ))?;
        let found: Vec<JobRecord> = statement
            .query_map(params![escaped, reference], job_from_row)?
            .collect::<Result<_, _>>()?;
        match found.as_slice() {
            [] => Err(LibraryError::NotFound(reference.to_owned())),
            [only] => Ok(only.clone()),
            [first, ..] if first.remote_id.as_deref() == Some(reference) => Ok(first.clone()),
            _ => Err(LibraryError::Ambiguous(reference.to_owned())),
        }
    }

    /// Newest first.
    pub fn recent_jobs(&self, limit: usize) -> Result<Vec<JobRecord>, LibraryError> {
        let conn = self.conn();
        let mut statement = conn.prepare(&format!(
            // `+`: not by the Trash's index, which every job outside the Trash matches (288 ms at 100,000).
            "SELECT {JOB_COLUMNS} FROM jobs WHERE +trashed_at IS NULL \
             ORDER BY created_at DESC, id DESC LIMIT ?1"
        ))?;
        let jobs = statement
            .query_map([limit as i64], job_from_row)?
            .collect::<Result<_, _>>()?;
        Ok(jobs)
    }

    /// What the window starts with: the newest `newest` jobs and every unfinished one, newest first. The
    /// rest of the library is read a page (`list_jobs`) or a job (`jobs_by_id`) at a time.
    pub fn window_jobs(&self, newest: usize) -> Result<Vec<JobRecord>, LibraryError> {
        let conn = self.conn();
        let mut statement = conn.prepare(&format!(
            // The newest by walking the listing index by number, the unfinished by their state's index;
            // `+` keeps SQLite off the Trash's index, which every job outside the Trash matches (at 100,000
            // jobs it read them all: 85 ms, where this is 19).
            "SELECT {JOB_COLUMNS} FROM jobs WHERE +trashed_at IS NULL AND \
             (id IN (SELECT id FROM jobs INDEXED BY listed_by_id WHERE trashed_at IS NULL \
                     ORDER BY id DESC LIMIT ?1) \
              OR state IN ({})) \
             ORDER BY id DESC",
            unfinished_states()
        ))?;
        let jobs = statement
            .query_map([i64::try_from(newest).unwrap_or(i64::MAX)], job_from_row)?
            .collect::<Result<_, _>>()?;
        Ok(jobs)
    }

    /// The jobs with these ids that are not in the Trash, in no particular order.
    pub fn jobs_by_id(&self, ids: &[i64]) -> Result<Vec<JobRecord>, LibraryError> {
        let conn = self.conn();
        let mut statement = conn.prepare_cached(&format!(
            "SELECT {JOB_COLUMNS} FROM jobs \
             WHERE id IN (SELECT value FROM json_each(?1)) AND trashed_at IS NULL"
        ))?;
        let ids = serde_json::to_string(ids).unwrap_or_default();
        let jobs = statement
            .query_map([ids], job_from_row)?
            .collect::<Result<_, _>>()?;
        Ok(jobs)
    }

    /// A job's whole family not in the Trash: from its oldest ancestor, every descendant.
    pub fn family_jobs(&self, id: i64) -> Result<Vec<JobRecord>, LibraryError> {
        let conn = self.conn();
        // `UNION` (not `UNION ALL`) ends a loop in damaged rows.
        let mut statement = conn.prepare_cached(&format!(
            "WITH RECURSIVE up(id, parent_id) AS ( \
                 SELECT id, parent_id FROM jobs WHERE id = ?1 \
                 UNION SELECT jobs.id, jobs.parent_id FROM jobs JOIN up ON jobs.id = up.parent_id \
                 WHERE jobs.trashed_at IS NULL), \
             root(id) AS (SELECT id FROM up WHERE parent_id IS NULL OR parent_id NOT IN (SELECT id FROM up)), \
             down(id) AS ( \
                 SELECT id FROM root \
                 UNION SELECT jobs.id FROM jobs JOIN down ON jobs.parent_id = down.id \
                 WHERE jobs.trashed_at IS NULL) \
             SELECT {JOB_COLUMNS} FROM jobs WHERE id IN (SELECT id FROM down) AND trashed_at IS NULL"
        ))?;
        let jobs = statement
            .query_map([id], job_from_row)?
            .collect::<Result<_, _>>()?;
        Ok(jobs)
    }

    /// Jobs of this backend that something still has to happen to, oldest first.
    pub fn unfinished_jobs(&self, backend: &str) -> Result<Vec<JobRecord>, LibraryError> {
        let conn = self.conn();
        let mut statement = conn.prepare(&format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE backend = ?1 AND state IN ({}) ORDER BY id",
            unfinished_states()
        ))?;
        let jobs = statement
            .query_map([backend], job_from_row)?
            .collect::<Result<_, _>>()?;
        Ok(jobs)
    }

    /// Unfinished jobs that belong to another backend (e.g. an earlier offline session).
    pub fn unfinished_elsewhere(&self, backend: &str) -> Result<Vec<JobRecord>, LibraryError> {
        let conn = self.conn();
        // By the state's index: this read every job of the library (38-165 ms at 100,000, at each start).
        let mut statement = conn.prepare(&format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE backend != ?1 AND state IN ({}) ORDER BY id",
            unfinished_states()
        ))?;
        let jobs = statement
            .query_map([backend], job_from_row)?
            .collect::<Result<_, _>>()?;
        Ok(jobs)
    }

    /// The local job that TTAPI knows as `remote_id`, if any.
    pub fn job_by_remote_id(&self, remote_id: &str) -> Result<Option<JobRecord>, LibraryError> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {JOB_COLUMNS} FROM jobs WHERE remote_id = ?1"),
                [remote_id],
                job_from_row,
            )
            .optional()?)
    }

    /// Applies an update, stamps `updated_at` (and `finished_at` on a final state, which also ends any claim
    /// on the job), logs state changes. With `from` (and `owner`), it applies only if the row still matches:
    /// otherwise nothing is written and [`LibraryError::Conflict`] says what the row holds now.
    pub fn update_job(&self, id: i64, update: &JobUpdate) -> Result<JobRecord, LibraryError> {
        if update.state.is_some() && update.from.is_none() {
            return Err(LibraryError::Unguarded(id));
        }
        let now = now_ms();
        let conn = self.conn();
        let tx = super::write_transaction(&conn)?;
        let changed = tx.execute(
            "UPDATE jobs SET
                state = COALESCE(?2, state),
                remote_id = COALESCE(?3, remote_id),
                remote_status = COALESCE(?4, remote_status),
                progress = COALESCE(?5, progress),
                message = COALESCE(?6, message),
                failure_kind = COALESCE(?7, failure_kind),
                components = COALESCE(?8, components),
                seed = COALESCE(?9, seed),
                quota = COALESCE(?10, quota),
                width = COALESCE(?11, width),
                height = COALESCE(?12, height),
                image_url = COALESCE(?13, image_url),
                image_urls = COALESCE(?14, image_urls),
                submitted_at = CASE WHEN ?15 THEN ?16 ELSE submitted_at END,
                submit_attempts = submit_attempts + ?17,
                prompt = COALESCE(?18, prompt),
                updated_at = ?16,
                finished_at = CASE WHEN ?19 THEN COALESCE(finished_at, ?16) ELSE finished_at END,
                owner = CASE WHEN ?19 THEN NULL ELSE owner END,
                lease_until = CASE WHEN ?19 THEN NULL ELSE lease_until END,
                message_by_service = CASE WHEN ?6 IS NULL THEN message_by_service ELSE ?22 END
             WHERE id = ?1 AND (?20 IS NULL OR state = ?20) AND (?21 IS NULL OR owner = ?21)",
            params![
                id,
                update.state.map(JobState::as_str),
                update.remote_id,
                update.remote_status,
                update.progress,
                update.message,
                update.failure_kind.map(FailureKind::as_str),
                update
                    .components
                    .as_ref()
                    .map(|c| serde_json::to_string(c).unwrap_or_default()),
                update.seed,
                update.quota,
                update.size.map(|s| s.0),
                update.size.map(|s| s.1),
                update.image_url,
                update
                    .image_urls
                    .as_ref()
                    .map(|c| serde_json::to_string(c).unwrap_or_default()),
                update.submitted,
                now,
                u32::from(update.count_attempt),
                update.prompt,
                update.state.is_some_and(JobState::is_final),
                update.from.map(JobState::as_str),
                update.owner,
                update.message_by_service,
            ],
        )?;
        if changed > 0 && update.finished_remotely {
            // The moment the library learnt TTAPI had finished it, in the journal's order.
            let position = super::submissions::next_position(&tx)?;
            tx.execute(
                "UPDATE jobs SET finished_seq = ?2 WHERE id = ?1 AND finished_seq IS NULL",
                params![id, position],
            )?;
        }
        if let Some((kind, detail)) = update.note.as_ref().filter(|_| changed > 0) {
            log_event_in(&tx, Some(id), kind, detail)?;
        }
        let after = job_in(&tx, id)?;
        if changed == 0 {
            let conflict = LibraryError::Conflict {
                id,
                expected: update.from.map_or("any", JobState::as_str),
                found: after.state.as_str(),
                owner: after.owner.clone(),
            };
            // Journaled too: a lost race is part of the job's history, never a silent overwrite.
            log_event_in(&tx, Some(id), "conflict", &conflict.to_string())?;
            tx.commit()?;
            tracing::warn!(job_id = id, %conflict, "job update refused");
            return Err(conflict);
        }
        if let Some(from) = update
            .from
            .filter(|f| update.state.is_some_and(|t| t != *f))
        {
            journal_state_change(&tx, &after, from, update.message.as_deref())?;
        }
        tx.commit()?;
        Ok(after)
    }

    pub fn log_event(
        &self,
        job_id: Option<i64>,
        kind: &str,
        detail: &str,
    ) -> Result<(), LibraryError> {
        log_event_in(&self.conn(), job_id, kind, detail)
    }

    pub fn events(&self, job_id: i64) -> Result<Vec<(String, String)>, LibraryError> {
        let conn = self.conn();
        let mut statement =
            conn.prepare("SELECT kind, detail FROM events WHERE job_id = ?1 ORDER BY id")?;
        let rows = statement
            .query_map([job_id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    pub fn add_image(&self, image: &ImageRecord) -> Result<(), LibraryError> {
        add_image_in(&self.conn(), image)
    }

    /// A job's images with absolute paths, in the order of [`Library::images`].
    pub fn image_files(&self, job_id: i64) -> Result<Vec<ImageFile>, LibraryError> {
        Ok(self
            .images(job_id)?
            .into_iter()
            .map(|record| ImageFile {
                path: self.root().join(&record.path),
                thumbnails: super::THUMBNAIL_SIZES
                    .iter()
                    .map(|size| (*size, self.store().thumbnail_path(&record.hash, *size)))
                    .collect(),
                record,
            })
            .collect())
    }

    /// A job's images: grid first, then splits 1–4, then singles, sources and masks.
    pub fn images(&self, job_id: i64) -> Result<Vec<ImageRecord>, LibraryError> {
        let conn = self.conn();
        let mut statement = conn.prepare(
            "SELECT job_id, role, ordinal, hash, width, height, bytes, path, source_url FROM images WHERE job_id = ?1
             ORDER BY CASE role WHEN 'grid' THEN 0 WHEN 'split' THEN 1 WHEN 'upscale' THEN 2 WHEN 'source' THEN 3 ELSE 4 END, ordinal",
        )?;
        let images = statement
            .query_map([job_id], image_from_row)?
            .collect::<Result<_, _>>()?;
        Ok(images)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A job record as the library would hand it out, without a library: for tests of what reads records.
    pub(crate) fn sample(id: i64, kind: JobKind, state: JobState, prompt: &str) -> JobRecord {
        JobRecord {
            id,
            remote_id: Some(format!("remote-{id}")),
            backend: "simulator".into(),
            kind,
            action: kind.as_str().into(),
            prompt: prompt.into(),
            params: Err(ParamsError::Unreadable("not needed here".into())),
            mode: Some(Mode::Fast),
            state,
            remote_status: None,
            progress: None,
            message: None,
            failure_kind: None,
            components: Vec::new(),
            seed: None,
            quota: None,
            width: None,
            height: None,
            image_url: None,
            image_urls: Vec::new(),
            parent_id: None,
            timeout_secs: 300,
            submit_attempts: 0,
            created_at: id,
            submitted_at: None,
            updated_at: id,
            finished_at: None,
            owner: None,
            lease_until: None,
            instance: None,
            rating: 0,
            flag: None,
            trashed_at: None,
            sent_seq: None,
            finished_seq: None,
            duplicate_of: None,
            message_by_service: false,
        }
    }

    /// An imagine job of the backend `test`, for the unit tests of the library and the window.
    pub(crate) fn new_job(prompt: &str) -> NewJob {
        NewJob {
            backend: "test".into(),
            params: JobParams::Imagine {
                prompt: prompt.into(),
                mode: Mode::Fast,
                timeout: None,
            },
            action: "imagine".into(),
            prompt: prompt.into(),
            mode: Some(Mode::Fast),
            parent_id: None,
            timeout_secs: 300,
        }
    }

    #[test]
    fn a_job_is_written_queued_then_updated_and_its_history_logged() {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path()).unwrap();
        let job = library.insert_job(&new_job("a cat")).unwrap();
        assert_eq!(
            (
                job.state,
                job.remote_id.as_deref(),
                job.params.as_ref().map(JobParams::kind)
            ),
            (JobState::Queued, None, Ok(JobKind::Imagine))
        );
        let update = JobUpdate {
            remote_id: Some("abc-123".into()),
            submitted: true,
            count_attempt: true,
            ..JobUpdate::transition(JobState::Queued, JobState::Pending)
        };
        let job = library.update_job(job.id, &update).unwrap();
        assert_eq!(job.remote_id.as_deref(), Some("abc-123"));
        assert_eq!(job.submit_attempts, 1);
        assert!(job.submitted_at.is_some() && job.finished_at.is_none());
        let job = library
            .update_job(
                job.id,
                &JobUpdate {
                    components: Some(vec!["upsample1".into()]),
                    ..JobUpdate::transition(JobState::Pending, JobState::Succeeded)
                },
            )
            .unwrap();
        assert_eq!(job.components, ["upsample1"]);
        assert!(job.finished_at.is_some());
        let events = library.events(job.id).unwrap();
        assert_eq!(
            events.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
            ["created", "state", "state"]
        );
        assert_eq!(events[2].1, "pending → succeeded");
        // Reopening finds everything again.
        drop(library);
        let library = Library::open(dir.path()).unwrap();
        assert_eq!(library.job(job.id).unwrap(), job);
    }

    #[test]
    fn jobs_are_found_by_id_prefix_unless_ambiguous() {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path()).unwrap();
        for remote in ["abc-111", "abc-222", "abd-333", "x_y%z"] {
            let job = library.insert_job(&new_job(remote)).unwrap();
            library
                .update_job(
                    job.id,
                    &JobUpdate {
                        remote_id: Some(remote.into()),
                        ..JobUpdate::default()
                    },
                )
                .unwrap();
        }
        assert_eq!(
            library.find_job("abc-2").unwrap().remote_id.as_deref(),
            Some("abc-222")
        );
        assert_eq!(
            library.find_job("abd").unwrap().remote_id.as_deref(),
            Some("abd-333")
        );
        assert!(matches!(
            library.find_job("abc"),
            Err(LibraryError::Ambiguous(_))
        ));
        assert!(matches!(
            library.find_job("zzz"),
            Err(LibraryError::NotFound(_))
        ));
        assert!(
            matches!(library.find_job("x%"), Err(LibraryError::NotFound(_))),
            "LIKE wildcards are literal"
        );
        assert_eq!(
            library.find_job("x_y").unwrap().remote_id.as_deref(),
            Some("x_y%z")
        );
        assert_eq!(
            library.find_job("#1").unwrap().remote_id.as_deref(),
            Some("abc-111")
        );
    }

    #[test]
    fn unfinished_jobs_are_those_of_this_backend_still_in_motion() {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path()).unwrap();
        let running = library.insert_job(&new_job("a")).unwrap();
        library
            .update_job(
                running.id,
                &JobUpdate::transition(JobState::Queued, JobState::Running),
            )
            .unwrap();
        let done = library.insert_job(&new_job("b")).unwrap();
        library
            .update_job(
                done.id,
                &JobUpdate::transition(JobState::Queued, JobState::Succeeded),
            )
            .unwrap();
        let mut elsewhere = new_job("c");
        elsewhere.backend = "simulator".into();
        library.insert_job(&elsewhere).unwrap();
        let unfinished: Vec<i64> = library
            .unfinished_jobs("test")
            .unwrap()
            .iter()
            .map(|j| j.id)
            .collect();
        assert_eq!(unfinished, [running.id]);
        assert_eq!(library.unfinished_elsewhere("test").unwrap().len(), 1);
    }
}
