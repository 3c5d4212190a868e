//! Versioned migrations, applied in order inside one transaction; `PRAGMA user_version` records the last.

use rusqlite::{Connection, OptionalExtension};

use super::LibraryError;

/// One step of the schema: SQL, or Rust where rows must be rewritten by code.
enum Migration {
    Sql(&'static str),
    Code(fn(&rusqlite::Transaction<'_>) -> rusqlite::Result<()>),
}

const MIGRATIONS: &[Migration] = &[
    // 1: jobs, their images, and the event log.
    Migration::Sql(
        r#"
    CREATE TABLE jobs (
        id              INTEGER PRIMARY KEY,
        remote_id       TEXT UNIQUE,
        backend         TEXT NOT NULL,
        kind            TEXT NOT NULL,
        action          TEXT NOT NULL,
        prompt          TEXT NOT NULL DEFAULT '',
        params          TEXT NOT NULL DEFAULT '{}',
        mode            TEXT,
        state           TEXT NOT NULL,
        remote_status   TEXT,
        progress        INTEGER,
        message         TEXT,
        failure_kind    TEXT,
        components      TEXT NOT NULL DEFAULT '[]',
        seed            TEXT,
        quota           REAL,
        width           INTEGER,
        height          INTEGER,
        image_url       TEXT,
        image_urls      TEXT NOT NULL DEFAULT '[]',
        parent_id       INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
        timeout_secs    INTEGER NOT NULL,
        submit_attempts INTEGER NOT NULL DEFAULT 0,
        created_at      INTEGER NOT NULL,
        submitted_at    INTEGER,
        updated_at      INTEGER NOT NULL,
        finished_at     INTEGER
    );
    CREATE INDEX jobs_by_state ON jobs(state);
    CREATE INDEX jobs_by_created ON jobs(created_at DESC);
    CREATE INDEX jobs_by_parent ON jobs(parent_id);

    CREATE TABLE images (
        id          INTEGER PRIMARY KEY,
        job_id      INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        role        TEXT NOT NULL,
        ordinal     INTEGER NOT NULL DEFAULT 0,
        hash        TEXT NOT NULL,
        width       INTEGER NOT NULL,
        height      INTEGER NOT NULL,
        bytes       INTEGER NOT NULL,
        path        TEXT NOT NULL,
        source_url  TEXT,
        UNIQUE (job_id, role, ordinal)
    );
    CREATE INDEX images_by_hash ON images(hash);

    CREATE TABLE events (
        id      INTEGER PRIMARY KEY,
        job_id  INTEGER REFERENCES jobs(id) ON DELETE CASCADE,
        at      INTEGER NOT NULL,
        kind    TEXT NOT NULL,
        detail  TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX events_by_job ON events(job_id);
    -- The log is append-only: history is never rewritten.
    CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
    "#,
    ),
    // 2: moodboards, each a JSON scene (see `domain::board`), saved whole on every edit.
    Migration::Sql(
        r#"
    CREATE TABLE boards (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL,
        scene       TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL
    );
    "#,
    ),
    // 3: who drives each job. `owner` is the engine driving it and `lease_until` when its claim lapses unless
    // renewed (a dead process's jobs are taken over after that); `instance` is the embedded simulator that
    // ran an offline job (another offline process cannot continue it). `updated_at` is indexed because every
    // engine watches for rows other processes changed.
    Migration::Sql(
        r#"
    ALTER TABLE jobs ADD COLUMN owner TEXT;
    ALTER TABLE jobs ADD COLUMN lease_until INTEGER;
    ALTER TABLE jobs ADD COLUMN instance TEXT;
    CREATE INDEX jobs_by_updated ON jobs(updated_at);
    CREATE INDEX jobs_by_owner ON jobs(owner);
    "#,
    ),
    // 4: `params` becomes one typed, versioned value per kind (`library::params`).
    Migration::Code(super::params::convert_unversioned),
    // 5: full-text search over prompts (a describe job's prompt holds its four answers), actions and TTAPI
    // ids. The index reads its text from `jobs` (external content) and triggers keep it in step with every
    // write, in the writer's own transaction; `rebuild` indexes the jobs already there.
    Migration::Sql(
        r#"
    CREATE VIRTUAL TABLE jobs_fts USING fts5(
        prompt, action, remote_id,
        content = 'jobs', content_rowid = 'id',
        tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER jobs_fts_insert AFTER INSERT ON jobs BEGIN
        INSERT INTO jobs_fts(rowid, prompt, action, remote_id)
        VALUES (new.id, new.prompt, new.action, new.remote_id);
    END;
    CREATE TRIGGER jobs_fts_delete AFTER DELETE ON jobs BEGIN
        INSERT INTO jobs_fts(jobs_fts, rowid, prompt, action, remote_id)
        VALUES ('delete', old.id, old.prompt, old.action, old.remote_id);
    END;
    CREATE TRIGGER jobs_fts_update AFTER UPDATE OF prompt, action, remote_id ON jobs BEGIN
        INSERT INTO jobs_fts(jobs_fts, rowid, prompt, action, remote_id)
        VALUES ('delete', old.id, old.prompt, old.action, old.remote_id);
        INSERT INTO jobs_fts(rowid, prompt, action, remote_id)
        VALUES (new.id, new.prompt, new.action, new.remote_id);
    END;
    INSERT INTO jobs_fts(jobs_fts) VALUES ('rebuild');
    "#,
    ),
    // 6: the designer's verdict on a job: 0–5 stars and a pick/reject flag.
    Migration::Sql(
        r#"
    ALTER TABLE jobs ADD COLUMN rating INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE jobs ADD COLUMN flag TEXT;
    CREATE INDEX jobs_by_rating ON jobs(rating);
    "#,
    ),
    // 7: the Trash. A trashed job is hidden from every view but the Trash until it is restored or the Trash
    // is emptied (`library::trash`).
    Migration::Sql(
        r#"
    ALTER TABLE jobs ADD COLUMN trashed_at INTEGER;
    CREATE INDEX jobs_by_trashed ON jobs(trashed_at);
    "#,
    ),
    // 8: the gallery's listings in each order it sorts by, over the jobs not in the Trash: a page of 100,000
    // jobs is a walk of one of these (`library::query`), not a sort of the library.
    Migration::Sql(
        r#"
    CREATE INDEX listed_by_made ON jobs(created_at, id) WHERE trashed_at IS NULL;
    CREATE INDEX listed_by_prompt ON jobs(prompt COLLATE NOCASE, id) WHERE trashed_at IS NULL;
    CREATE INDEX listed_by_action ON jobs(action, id) WHERE trashed_at IS NULL;
    CREATE INDEX listed_by_mode ON jobs(mode, id) WHERE trashed_at IS NULL;
    CREATE INDEX listed_by_quota ON jobs(quota, id) WHERE trashed_at IS NULL;
    CREATE INDEX listed_by_state ON jobs(state, id) WHERE trashed_at IS NULL;
    CREATE INDEX listed_by_rating ON jobs(rating, id) WHERE trashed_at IS NULL;
    "#,
    ),
    // 9: what the gallery filters by, each in a column of its own and in every listing index after the sort
    // key, so a filtered count, a deep page or the day headings read one index and no row (at 100,000 jobs a
    // row per job walked cost 36-340 ms). What a prompt says (shape, model, flags used) is read by the Rust
    // prompt readers registered as SQL functions (`library::query`), kept in step by triggers in the
    // writer's own transaction, as the search index is. `uses` is a bit per `PromptParam::bit`.
    // `listed_by_id` serves a search's hits, looked up one by one.
    // `trashed_at` ends each index so that it covers the listings' own condition.
    Migration::Sql(
        r#"
    ALTER TABLE jobs ADD COLUMN shape TEXT;
    ALTER TABLE jobs ADD COLUMN orientation TEXT;
    ALTER TABLE jobs ADD COLUMN model TEXT;
    ALTER TABLE jobs ADD COLUMN uses INTEGER NOT NULL DEFAULT 0;
    UPDATE jobs SET shape = mg_ratio(kind, prompt, params), orientation = mg_orientation(kind, prompt, params),
        model = mg_model(prompt), uses = mg_uses(prompt);
    CREATE TRIGGER jobs_prompt_read_insert AFTER INSERT ON jobs BEGIN
        UPDATE jobs SET shape = mg_ratio(new.kind, new.prompt, new.params),
            orientation = mg_orientation(new.kind, new.prompt, new.params),
            model = mg_model(new.prompt), uses = mg_uses(new.prompt)
        WHERE id = new.id;
    END;
    CREATE TRIGGER jobs_prompt_read_update AFTER UPDATE OF kind, prompt, params ON jobs BEGIN
        UPDATE jobs SET shape = mg_ratio(new.kind, new.prompt, new.params),
            orientation = mg_orientation(new.kind, new.prompt, new.params),
            model = mg_model(new.prompt), uses = mg_uses(new.prompt)
        WHERE id = new.id;
    END;
    DROP INDEX listed_by_made;
    DROP INDEX listed_by_prompt;
    DROP INDEX listed_by_action;
    DROP INDEX listed_by_mode;
    DROP INDEX listed_by_quota;
    DROP INDEX listed_by_state;
    DROP INDEX listed_by_rating;
    CREATE INDEX listed_by_made ON jobs(created_at, id,
        kind, state, mode, rating, flag, orientation, shape, model, uses, trashed_at) WHERE trashed_at IS NULL;
    CREATE INDEX listed_by_prompt ON jobs(prompt COLLATE NOCASE, id,
        created_at, kind, state, mode, rating, flag, orientation, shape, model, uses, trashed_at)
        WHERE trashed_at IS NULL;
    CREATE INDEX listed_by_action ON jobs(action, id,
        created_at, kind, state, mode, rating, flag, orientation, shape, model, uses, trashed_at)
        WHERE trashed_at IS NULL;
    CREATE INDEX listed_by_mode ON jobs(mode, id,
        created_at, kind, state, rating, flag, orientation, shape, model, uses, trashed_at) WHERE trashed_at IS NULL;
    CREATE INDEX listed_by_quota ON jobs(quota, id,
        created_at, kind, state, mode, rating, flag, orientation, shape, model, uses, trashed_at)
        WHERE trashed_at IS NULL;
    CREATE INDEX listed_by_state ON jobs(state, id,
        created_at, kind, mode, rating, flag, orientation, shape, model, uses, trashed_at) WHERE trashed_at IS NULL;
    CREATE INDEX listed_by_rating ON jobs(rating, id,
        created_at, kind, state, mode, flag, orientation, shape, model, uses, trashed_at) WHERE trashed_at IS NULL;
    CREATE INDEX listed_by_id ON jobs(id,
        created_at, kind, state, mode, rating, flag, orientation, shape, model, uses, trashed_at) WHERE trashed_at IS NULL;
    "#,
    ),
    // 10: the shapes and models in use (the filter menus), counted by walking each in order: grouped from a
    // listing index, SQLite sorted 100,000 jobs by shape first (28-40 ms; 5 ms this way).
    Migration::Sql(
        r#"
    CREATE INDEX used_shapes ON jobs(shape, trashed_at) WHERE trashed_at IS NULL AND shape IS NOT NULL;
    CREATE INDEX used_models ON jobs(model, trashed_at) WHERE trashed_at IS NULL AND model IS NOT NULL;
    "#,
    ),
    // 11: the journal's order of sends and finishes across every process (`journal_position`, `sent_seq`,
    // `finished_seq`: which rows of TTAPI's history are older than a job, `library::submissions`), a second
    // charge kept as a job of its own (`duplicate_of`), and whose words a job's message is.
    Migration::Sql(
        r#"
    CREATE TABLE journal_position (only INTEGER PRIMARY KEY CHECK (only = 1), position INTEGER NOT NULL);
    INSERT INTO journal_position (only, position) VALUES (1, 0);
    ALTER TABLE jobs ADD COLUMN sent_seq INTEGER;
    ALTER TABLE jobs ADD COLUMN finished_seq INTEGER;
    ALTER TABLE jobs ADD COLUMN duplicate_of INTEGER REFERENCES jobs(id) ON DELETE SET NULL;
    ALTER TABLE jobs ADD COLUMN message_by_service INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX jobs_by_duplicate ON jobs(duplicate_of) WHERE duplicate_of IS NOT NULL;
    UPDATE jobs SET message_by_service = 1
        WHERE state = 'failed' AND failure_kind = 'job' AND message IS NOT NULL
          AND message NOT LIKE 'TTAPI no longer knows this job%'
          AND message NOT LIKE 'TTAPI''s image could not be kept%'
          AND message != 'the offline simulator that ran this job has closed';
    "#,
    ),
    // 12: the jobs earlier versions sent, placed in the journal's order by their times.
    Migration::Code(super::submissions::order_earlier_sends),
    // 13: what emptied jobs cost, kept for the spend history after their rows are gone (`library::trash`).
    Migration::Sql(
        r#"
    CREATE TABLE emptied_charges (
        job_id      INTEGER PRIMARY KEY,
        remote_id   TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        mode        TEXT,
        action      TEXT NOT NULL,
        prompt      TEXT NOT NULL,
        quota       REAL NOT NULL,
        state       TEXT NOT NULL,
        remote_status TEXT,
        message     TEXT,
        emptied_at  INTEGER NOT NULL
    );
    CREATE INDEX emptied_by_created ON emptied_charges(created_at);
    "#,
    ),
    // 14: job ids are never handed out twice (a deleted job's id once went to the next job).
    Migration::Code(jobs_with_autoincrement),
];

/// Rebuilds `jobs` with `AUTOINCREMENT`, as SQLite's "making other kinds of table schema changes" says:
/// the same definition (read back from the schema, so every column added since is kept), the same rows
/// and ids, then every index and trigger of the old table (the full-text index's among them) again.
/// Runs with foreign keys off (`migrate_to`), so dropping the old table cascades to nothing.
fn jobs_with_autoincrement(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    let definition: String = tx.query_row(
        "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'jobs'",
        [],
        |row| row.get(0),
    )?;
    let dependents: Vec<String> = tx
        .prepare(
            "SELECT sql FROM sqlite_schema WHERE tbl_name = 'jobs' \
             AND type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY rowid",
        )?
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    let rebuilt = autoincrement_definition(&definition).ok_or_else(|| {
        rusqlite::Error::ModuleError(format!("unexpected definition of jobs: {definition}"))
    })?;
    tx.execute_batch(&rebuilt)?;
    tx.execute_batch(
        "INSERT INTO jobs_rebuilt SELECT * FROM jobs;
         DROP TABLE jobs;
         ALTER TABLE jobs_rebuilt RENAME TO jobs;",
    )?;
    for sql in dependents {
        tx.execute_batch(&sql)?;
    }
    Ok(())
}

/// `CREATE TABLE jobs (id INTEGER PRIMARY KEY, …)` as `CREATE TABLE jobs_rebuilt (id INTEGER PRIMARY KEY
/// AUTOINCREMENT, …)`.
fn autoincrement_definition(definition: &str) -> Option<String> {
    let rest = definition.strip_prefix("CREATE TABLE jobs")?;
    let key = rest.find("INTEGER PRIMARY KEY")? + "INTEGER PRIMARY KEY".len();
    if rest[key..].trim_start().starts_with("AUTOINCREMENT") {
        return None;
    }
    Some(format!(
        "CREATE TABLE jobs_rebuilt{} AUTOINCREMENT{}",
        &rest[..key],
        &rest[key..]
    ))
}

pub fn migrate(conn: &mut Connection) -> Result<(), LibraryError> {
    migrate_to(conn, MIGRATIONS.len())
}

/// Applies the migrations up to the `last`th.
fn migrate_to(conn: &mut Connection, last: usize) -> Result<(), LibraryError> {
    let known = MIGRATIONS.len() as i64;
    // IMMEDIATE takes the write lock first (waiting out `busy_timeout`), so processes opening a new library
    // at the same moment migrate one after the other, and each reads the version the last one left.
    // Foreign keys are off while tables are rebuilt (SQLite cannot switch them inside a transaction), and
    // checked before the commit.
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    let migrated = migrate_in_transaction(conn, known, last);
    conn.pragma_update(None, "foreign_keys", "ON")?;
    migrated
}

fn migrate_in_transaction(
    conn: &mut Connection,
    known: i64,
    last: usize,
) -> Result<(), LibraryError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let current: i64 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if current > known {
        return Err(LibraryError::TooNew {
            found: current,
            known,
        });
    }
    if current as usize >= last {
        return Ok(());
    }
    for (index, migration) in MIGRATIONS
        .iter()
        .enumerate()
        .take(last)
        .skip(current as usize)
    {
        match migration {
            Migration::Sql(sql) => tx.execute_batch(sql)?,
            Migration::Code(step) => step(&tx)?,
        }
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
    }
    let broken: Option<String> = tx
        .query_row("PRAGMA foreign_key_check", [], |row| row.get(0))
        .optional()?;
    if let Some(table) = broken {
        return Err(LibraryError::Database(rusqlite::Error::ModuleError(
            format!("migrating left a row of {table} pointing at nothing"),
        )));
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrating_twice_is_harmless_and_newer_schemas_are_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::query::register_functions(&conn).unwrap();
        migrate(&mut conn).unwrap();
        migrate(&mut conn).unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
        conn.pragma_update(None, "user_version", 99).unwrap();
        assert!(matches!(
            migrate(&mut conn),
            Err(LibraryError::TooNew { found: 99, .. })
        ));
    }

    #[test]
    fn what_the_prompts_already_stored_say_is_read_into_their_columns() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::query::register_functions(&conn).unwrap();
        migrate_to(&mut conn, 8).unwrap();
        for (kind, prompt) in [
            ("imagine", "a fox --ar 32:18 --niji 6 --tile --sref 1"),
            ("describe", "a fox --v 7"),
            ("imagine", "a hare"),
        ] {
            conn.execute(
                "INSERT INTO jobs (backend, kind, action, prompt, state, timeout_secs, created_at, updated_at) \
                 VALUES ('sim', ?1, ?1, ?2, 'succeeded', 600, 1, 1)",
                [kind, prompt],
            )
            .unwrap();
        }
        migrate(&mut conn).unwrap();
        let read = |id: i64| -> (Option<String>, Option<String>, Option<String>, i64) {
            conn.query_row(
                "SELECT shape, orientation, model, uses FROM jobs WHERE id = ?1",
                [id],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
            )
            .unwrap()
        };
        use crate::domain::prompt::PromptParam;
        let some = |text: &str| Some(text.to_owned());
        assert_eq!(
            read(1),
            (
                some("16:9"),
                some("landscape"),
                some("--niji 6"),
                PromptParam::Tile.bit() | PromptParam::StyleReference.bit()
            )
        );
        assert_eq!(
            read(2),
            (None, None, some("--v 7"), 0),
            "a describe makes no picture"
        );
        assert_eq!(read(3), (some("1:1"), some("square"), None, 0));
        // And a prompt written later is read by the triggers.
        conn.execute(
            "UPDATE jobs SET prompt = 'a hare --ar 2:3 --seed 4' WHERE id = 3",
            [],
        )
        .unwrap();
        assert_eq!(
            read(3),
            (some("2:3"), some("portrait"), None, PromptParam::Seed.bit())
        );
    }

    #[test]
    fn the_event_log_cannot_be_rewritten() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::query::register_functions(&conn).unwrap();
        migrate(&mut conn).unwrap();
        conn.execute("INSERT INTO events (at, kind) VALUES (1, 'x')", [])
            .unwrap();
        let err = conn
            .execute("UPDATE events SET kind = 'y'", [])
            .unwrap_err();
        assert!(err.to_string().contains("append-only"));
    }
}
