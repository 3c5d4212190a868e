//! The user's library on disk: one SQLite database (jobs, images, an append-only event log) and the image
//! files it points to, content-addressed under `images/`. Nothing here touches the network.
//!
//! Where a change goes:
//! - the schema: append a migration to `MIGRATIONS` in `schema.rs` (SQL, or Rust to rewrite rows); never
//!   edit a shipped one.
//! - a new job field: `jobs.rs` (`JobRecord`, `JobUpdate`, `JOB_COLUMNS`); which jobs the window holds
//!   or reads: `Library::window_jobs`, `jobs_by_id`, `family_jobs` there.
//! - a new parameter of a kind of job: `params.rs` (`JobParams`; bump `PARAMS_VERSION` and convert old
//!   rows in a migration).
//! - what the gallery lists, filters and sorts: `query.rs` (`JobQuery`, `Sort`, `SortColumn`, `list_jobs`;
//!   a test holds the SQL to the same filter in memory, `JobQuery::admits`); the counts by day:
//!   `Counting::ByDay` (`walk_by_day`, `hits_by_day`). A filter on something new a prompt says needs a
//!   column the prompt-reading triggers fill and the listing indexes hold (migration 9, `docs/library.md`).
//! - full-text search: `search.rs` (`jobs_fts`, migration 5); the language is `domain::search`.
//! - how processes share a library (claims, leases, the in-flight cap, `begin_submission`): `leases.rs`;
//!   the journal's order of sends and finishes: `submissions.rs`; the engine's side: `src/engine/sharing.rs`.
//! - cancelling a queued job: `cancel.rs`; the Trash (what is hidden, what emptying deletes): `trash.rs`.
//! - ratings and flags: `ratings.rs` (`Mark`; the columns came with migration 6).
//! - boards: `boards.rs`; exports: `export.rs` (names: `domain::export_name`; PNG text: `imaging::png_text`).
//! - charges and the spend ledger: `spend.rs` (`recent_charges`, `ledger`); disk use: `usage.rs`; image
//!   files and their thumbnails: `store.rs`.

mod boards;
mod cancel;
mod export;
mod jobs;
mod leases;
mod params;
mod query;
mod ratings;
mod schema;
mod search;
mod spend;
mod store;
mod submissions;
mod trash;
mod usage;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::Connection;

pub use boards::{MAX_BOARD_FILE_BYTES, MAX_BOARD_ITEMS, RenderedBoard, StoredBoard, render_board};
pub use cancel::{CANCELLED, Cancellation};
pub use export::{
    Ancestor, ExportImages, ExportMetadata, ExportOptions, ExportReport, ExportTarget,
    file_stem_for, keyword, png_with_metadata, seed_of,
};
#[cfg(test)]
pub(crate) use jobs::tests::{new_job, sample as sample_job};
pub use jobs::{
    FailureKind, Flag, ImageFile, ImageRecord, ImageRole, JobKind, JobRecord, JobState, JobUpdate,
    NewJob,
};
pub use leases::{Claim, LEASE, Owner};
pub use params::{JobParams, PARAMS_VERSION, ParamsError};
pub use query::{
    AspectFilter, Counting, Counts, Day, FlagFilter, InUse, JobPage, JobQuery, Listing, Sort,
    SortColumn, StateFilter,
};
pub use ratings::{MAX_RATING, Mark, stars};
pub use search::{JobFilter, SearchHit};
pub use store::{ImageStore, StoredImage, THUMBNAIL_SIZES, thumbnail_beside};
pub use submissions::{Accepted, KnownSubmission, SECOND_CHARGE};
pub use trash::{TrashListing, TrashSize, Trashed};
pub use usage::{DiskUsage, disk_usage};

pub const DATABASE_FILE: &str = "moodgrid.sqlite3";

#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    #[error("the library database failed: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("could not use the library folder {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A user's file that could not be read (the library folder itself is fine).
    #[error("could not read {path}: {source}")]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Image(#[from] crate::imaging::ImageError),
    #[error("could not render the board: {0}")]
    Render(#[from] crate::imaging::board_render::RenderError),
    #[error("board {id} cannot be read: {reason}")]
    BadBoard { id: i64, reason: String },
    #[error("could not export to {path}: {source}")]
    Export {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Template(#[from] crate::domain::export_name::TemplateError),
    /// A guarded update found the job no longer as its writer believed: another process (or an earlier
    /// step) changed it first. Nothing was written.
    #[error("job #{id} is {found}{}, not {expected}", owner.as_deref().map(|o| format!(" (driven by {o})")).unwrap_or_default())]
    Conflict {
        id: i64,
        expected: &'static str,
        found: &'static str,
        owner: Option<String>,
    },
    /// A change of state without the state it replaces: a programming error, refused.
    #[error("job #{0}: a change of state must name the state it replaces")]
    Unguarded(i64),
    #[error("no job matches `{0}`")]
    NotFound(String),
    #[error("`{0}` matches several jobs; give more of the id")]
    Ambiguous(String),
    #[error(
        "the library was written by a newer Moodgrid (schema {found}, this build knows {known})"
    )]
    TooNew { found: i64, known: i64 },
}

/// The library at one folder. Cheap to share behind an `Arc`; the connection is used briefly per call.
pub struct Library {
    root: PathBuf,
    conn: Mutex<Connection>,
    /// What the connection's temporary tables hold (`query::StagedIds`); locked while `conn` is.
    staged: Mutex<query::StagedIds>,
    store: ImageStore,
}

impl Library {
    /// Opens (creating if needed) the library in `root`, migrating the database to this build's schema.
    pub fn open(root: &Path) -> Result<Library, LibraryError> {
        std::fs::create_dir_all(root).map_err(|source| LibraryError::Io {
            path: root.to_owned(),
            source,
        })?;
        let mut conn = Connection::open(root.join(DATABASE_FILE))?;
        // Other processes (a second CLI, the window) may hold the lock for a moment: wait, don't fail.
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Every write transaction takes the write lock at its start (see `write_transaction`): one that
        // reads first and writes later would fail at once when another process wrote in between.
        conn.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
        set_wal(&conn)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // Before migrating: migrations and triggers call the prompt readers.
        query::register_functions(&conn)?;
        search::register_functions(&conn)?;
        rusqlite::vtab::array::load_module(&conn)?;
        schema::migrate(&mut conn)?;
        query::create_staging_tables(&conn)?;
        Ok(Library {
            store: ImageStore::new(root.join("images")),
            root: root.to_owned(),
            conn: Mutex::new(conn),
            staged: Mutex::default(),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn store(&self) -> &ImageStore {
        &self.store
    }

    /// A poisoned lock only means another thread panicked mid-call; SQLite's own transaction kept the data whole.
    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Switches a new database to WAL. Several processes creating the library at the same moment contend for
/// the switch, and SQLite answers "database is locked" at once there rather than calling the busy handler:
/// asked again for as long as `busy_timeout` would wait.
fn set_wal(conn: &Connection) -> Result<(), LibraryError> {
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    loop {
        match conn.pragma_update(None, "journal_mode", "WAL") {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            other => return Ok(other?),
        }
    }
}

/// How long a connection waits for another process's lock before it gives up.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// A transaction that takes the write lock at its start (waiting out `busy_timeout`). A deferred one that
/// reads first and writes later fails at once with "database is locked" when another process wrote in
/// between (SQLite cannot upgrade a stale WAL snapshot), which is exactly when a job is contended.
fn write_transaction(conn: &Connection) -> Result<rusqlite::Transaction<'_>, LibraryError> {
    Ok(rusqlite::Transaction::new_unchecked(
        conn,
        rusqlite::TransactionBehavior::Immediate,
    )?)
}

/// Milliseconds since the Unix epoch, the library's timestamp unit.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_first_opens_at_once_all_succeed() {
        let dir = tempfile::tempdir().unwrap();
        let openers: Vec<_> = (0..8)
            .map(|_| {
                let root = dir.path().to_owned();
                std::thread::spawn(move || Library::open(&root).map(|_| ()))
            })
            .collect();
        for opener in openers {
            opener.join().unwrap().unwrap();
        }
    }
}
