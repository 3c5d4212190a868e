//! The Trash: jobs moved out of sight without losing anything, until the user empties it. A trashed job is
//! hidden from the lists and searches; restoring it brings it back as it was. Emptying deletes the jobs'
//! rows, then only the image files nothing else refers to: content addressing makes a file shared by
//! another job (the same picture stored twice) or placed on a board a reference that keeps it. Boards keep
//! their images; an item whose job is gone just loses its link to it.

use std::collections::HashSet;

use rusqlite::{Connection, OptionalExtension, params};

use super::boards::{boards_in, save_board_in};
use super::jobs::{JOB_COLUMNS, job_from_row, log_event_in};
use super::{JobRecord, JobState, Library, LibraryError, THUMBNAIL_SIZES, now_ms};
use crate::domain::board::Content;

/// What moving jobs to the Trash did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trashed {
    pub trashed: Vec<i64>,
    /// Still running (or not yet sent): a job in motion cannot be trashed.
    pub running: Vec<i64>,
}

/// The Trash as the window shows it.
#[derive(Debug, Clone, Default)]
pub struct TrashListing {
    pub jobs: Vec<JobRecord>,
    pub size: TrashSize,
}

/// What emptying would delete: the trashed jobs, and (hash, path) of each file only they use.
struct Emptying {
    jobs: Vec<i64>,
    files: Vec<(String, String)>,
}

/// What emptying the Trash frees, or freed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TrashSize {
    pub jobs: usize,
    /// Image files (originals) no remaining job or board refers to, and their bytes with thumbnails.
    pub files: usize,
    pub bytes: u64,
}

impl Library {
    /// Moves finished jobs to the Trash; running ones are left where they are and named.
    pub fn trash_jobs(&self, ids: &[i64]) -> Result<Trashed, LibraryError> {
        let mut outcome = Trashed::default();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let now = now_ms();
        for &id in ids {
            // Not there (or trashed already) is skipped; a database error is an error.
            let state: Option<String> = tx
                .query_row(
                    "SELECT state FROM jobs WHERE id = ?1 AND trashed_at IS NULL",
                    [id],
                    |row| row.get(0),
                )
                .optional()?;
            let Some(state) = state else {
                continue;
            };
            let finished = state.parse::<JobState>().is_ok_and(JobState::is_final);
            if !finished {
                outcome.running.push(id);
                continue;
            }
            tx.execute(
                "UPDATE jobs SET trashed_at = ?2, updated_at = ?2 WHERE id = ?1",
                params![id, now],
            )?;
            log_event_in(&tx, Some(id), "trashed", "")?;
            outcome.trashed.push(id);
        }
        tx.commit()?;
        Ok(outcome)
    }

    /// Brings jobs back from the Trash, as they were. The ids restored.
    pub fn restore_jobs(&self, ids: &[i64]) -> Result<Vec<i64>, LibraryError> {
        let mut restored = Vec::new();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for &id in ids {
            let changed = tx.execute(
                "UPDATE jobs SET trashed_at = NULL, updated_at = ?2 \
                 WHERE id = ?1 AND trashed_at IS NOT NULL",
                params![id, now_ms()],
            )?;
            if changed > 0 {
                log_event_in(&tx, Some(id), "restored", "")?;
                restored.push(id);
            }
        }
        tx.commit()?;
        Ok(restored)
    }

    /// The jobs in the Trash, the most recently trashed first.
    pub fn trashed_jobs(&self) -> Result<Vec<JobRecord>, LibraryError> {
        let conn = self.conn();
        let mut statement = conn.prepare(&format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE trashed_at IS NOT NULL ORDER BY trashed_at DESC, id DESC"
        ))?;
        let jobs = statement
            .query_map([], job_from_row)?
            .collect::<Result<_, _>>()?;
        Ok(jobs)
    }

    /// What emptying the Trash would free now.
    pub fn trash_size(&self) -> Result<TrashSize, LibraryError> {
        let emptying = emptying_in(&self.conn())?;
        Ok(self.measure(&emptying))
    }

    /// The trashed jobs and what emptying would free.
    pub fn trash_listing(&self) -> Result<TrashListing, LibraryError> {
        Ok(TrashListing {
            jobs: self.trashed_jobs()?,
            size: self.trash_size()?,
        })
    }

    /// Deletes the jobs still in the Trash and every image file only they referred to.
    ///
    /// One write transaction chooses the jobs, unlinks them from boards, keeps what they cost in the ledger
    /// (`emptied_charges`) and deletes exactly the rows still trashed: a job restored meanwhile, by this
    /// process or another, stays whole. Files go after that commit, each only if, under the write lock,
    /// no row and no board refers to it any more (see [`Library::remove_unreferenced`]); a crash in between
    /// leaves unreferenced files, never rows pointing at nothing.
    pub fn empty_trash(&self) -> Result<TrashSize, LibraryError> {
        let (size, candidates) = {
            let mut conn = self.conn();
            let tx = conn.transaction()?;
            let emptying = emptying_in(&tx)?;
            let size = self.measure(&emptying);
            if emptying.jobs.is_empty() {
                return Ok(size);
            }
            let gone: HashSet<i64> = emptying.jobs.iter().copied().collect();
            for stored in boards_in(&tx)? {
                let mut board = stored.board;
                if board.unlink_jobs(&gone) {
                    save_board_in(&tx, stored.id, &board)?;
                }
            }
            tx.execute(
                "INSERT OR REPLACE INTO emptied_charges \
                 (job_id, remote_id, created_at, mode, action, prompt, quota, state, remote_status, \
                  message, emptied_at) \
                 SELECT id, remote_id, created_at, mode, action, prompt, quota, state, remote_status, \
                 message, ?1 \
                 FROM jobs WHERE trashed_at IS NOT NULL AND quota IS NOT NULL AND remote_id IS NOT NULL",
                [now_ms()],
            )?;
            let deleted = tx.execute("DELETE FROM jobs WHERE trashed_at IS NOT NULL", [])?;
            log_event_in(
                &tx,
                None,
                "trash emptied",
                &format!("{deleted} jobs, {} files", emptying.files.len()),
            )?;
            tx.commit()?;
            (size, emptying.files)
        };
        self.remove_unreferenced(&candidates)?;
        Ok(size)
    }

    /// Removes each (hash, path) file, with its thumbnails, that no image row and no board refers to. The
    /// check and the removal happen under the write lock: a process storing the same bytes either committed
    /// its row before (the file stays) or commits after the removal, and then finds the file gone and
    /// writes it again ([`Library::keep_stored`]). The number of files removed.
    pub(super) fn remove_unreferenced(
        &self,
        files: &[(String, String)],
    ) -> Result<usize, LibraryError> {
        if files.is_empty() {
            return Ok(0);
        }
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let on_boards = hashes_on_boards(&tx)?;
        let mut removed = 0;
        {
            let mut used = tx.prepare_cached("SELECT 1 FROM images WHERE hash = ?1 LIMIT 1")?;
            for (hash, path) in files {
                if on_boards.contains(hash) || used.exists([hash])? {
                    continue;
                }
                let _ = std::fs::remove_file(self.root().join(path));
                for side in THUMBNAIL_SIZES {
                    let _ = std::fs::remove_file(self.store().thumbnail_path(hash, side));
                }
                removed += 1;
            }
        }
        // Nothing was written: ending the transaction only lets the next writer in.
        tx.commit()?;
        Ok(removed)
    }

    fn measure(&self, emptying: &Emptying) -> TrashSize {
        let freed = &emptying.files;
        let size_of = |path: &std::path::Path| std::fs::metadata(path).map_or(0, |m| m.len());
        let bytes = freed
            .iter()
            .map(|(hash, path)| {
                size_of(&self.root().join(path))
                    + THUMBNAIL_SIZES
                        .iter()
                        .map(|&side| size_of(&self.store().thumbnail_path(hash, side)))
                        .sum::<u64>()
            })
            .sum();
        TrashSize {
            jobs: emptying.jobs.len(),
            files: freed.len(),
            bytes,
        }
    }
}

/// The hashes of every image placed on a board.
fn hashes_on_boards(conn: &Connection) -> Result<HashSet<String>, LibraryError> {
    Ok(boards_in(conn)?
        .iter()
        .flat_map(|stored| stored.board.items().iter())
        .filter_map(|item| match &item.content {
            Content::Image { hash, .. } => Some(hash.clone()),
            Content::Note { .. } => None,
        })
        .collect())
}

/// The trashed jobs, and the files that no job outside the Trash and no board refers to, as `conn` sees
/// them.
fn emptying_in(conn: &Connection) -> Result<Emptying, LibraryError> {
    let on_boards = hashes_on_boards(conn)?;
    let jobs: Vec<i64> = conn
        .prepare("SELECT id FROM jobs WHERE trashed_at IS NOT NULL")?
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    let candidates: Vec<(String, String)> = conn
        .prepare(
            "SELECT DISTINCT i.hash, i.path FROM images i JOIN jobs j ON j.id = i.job_id \
             WHERE j.trashed_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM images k \
             JOIN jobs o ON o.id = k.job_id WHERE k.hash = i.hash AND o.trashed_at IS NULL)",
        )?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut seen = HashSet::new();
    let files = candidates
        .into_iter()
        .filter(|(hash, _)| !on_boards.contains(hash) && seen.insert(hash.clone()))
        .collect();
    Ok(Emptying { jobs, files })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::board::{Board, V2};
    use crate::domain::search::SearchQuery;
    use crate::library::jobs::tests::new_job;
    use crate::library::{ImageRecord, ImageRole, JobUpdate, StoredImage};

    fn picture(library: &Library, shade: u8) -> StoredImage {
        let pixels = image::RgbaImage::from_pixel(16, 16, image::Rgba([shade, 90, 160, 255]));
        let png = crate::imaging::encode_png(&pixels).unwrap();
        library.store().put(&png).unwrap()
    }

    fn finished_with(library: &Library, prompt: &str, picture: &StoredImage) -> i64 {
        let job = library.insert_job(&new_job(prompt)).unwrap();
        library
            .update_job(
                job.id,
                &JobUpdate::transition(JobState::Queued, JobState::Succeeded),
            )
            .unwrap();
        let record = ImageRecord::stored(job.id, ImageRole::Grid, 0, picture.clone(), None);
        library.add_image(&record).unwrap();
        job.id
    }

    #[test]
    fn the_trash_hides_restores_and_empties_only_what_nothing_else_refers_to() {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path()).unwrap();
        let (shared, own, on_board) = (
            picture(&library, 10),
            picture(&library, 20),
            picture(&library, 30),
        );
        let a = finished_with(&library, "a harbour", &shared);
        let b = finished_with(&library, "a second harbour, same picture", &shared);
        let c = finished_with(&library, "a fox", &on_board);
        let d = finished_with(&library, "a teapot", &own);
        let running = library.insert_job(&new_job("still running")).unwrap().id;
        let mut board = Board::new("Moods");
        board.add(
            Content::Image {
                hash: on_board.hash.clone(),
                file: on_board.relative_path.clone(),
                job: Some(c),
                width: 16,
                height: 16,
            },
            V2 { x: 0.0, y: 0.0 },
        );
        let board_id = library.create_board(&board).unwrap();

        let outcome = library.trash_jobs(&[a, c, d, running]).unwrap();
        assert_eq!(outcome.trashed, [a, c, d]);
        assert_eq!(outcome.running, [running], "a job in motion stays");
        let listed: Vec<i64> = library
            .recent_jobs(10)
            .unwrap()
            .iter()
            .map(|j| j.id)
            .collect();
        assert_eq!(listed, [running, b], "trashed jobs leave the lists");
        let found = library
            .search(&SearchQuery::parse("harbour"), &Default::default(), 10)
            .unwrap();
        assert_eq!(found.iter().map(|h| h.id).collect::<Vec<_>>(), [b]);
        let in_trash: Vec<i64> = library
            .trashed_jobs()
            .unwrap()
            .iter()
            .map(|j| j.id)
            .collect();
        assert_eq!(in_trash.len(), 3);

        assert_eq!(library.restore_jobs(&[d]).unwrap(), [d]);
        assert!(library.job(d).unwrap().trashed_at.is_none());
        library.trash_jobs(&[d]).unwrap();

        // Only the teapot's picture is freed: b still uses the shared one, the board shows the fox's.
        let size = library.trash_size().unwrap();
        assert_eq!((size.jobs, size.files), (3, 1));
        assert!(size.bytes > own.bytes, "the file and its thumbnails");
        let emptied = library.empty_trash().unwrap();
        assert_eq!(emptied, size);
        assert!(library.trashed_jobs().unwrap().is_empty());
        assert!(matches!(library.job(a), Err(LibraryError::NotFound(_))));
        let exists = |image: &StoredImage| dir.path().join(&image.relative_path).exists();
        assert!(!exists(&own) && exists(&shared) && exists(&on_board));
        assert!(
            !library
                .store()
                .thumbnail_path(&own.hash, THUMBNAIL_SIZES[0])
                .exists()
        );
        let kept = library.boards().unwrap();
        let item = &kept
            .iter()
            .find(|s| s.id == board_id)
            .unwrap()
            .board
            .items()[0];
        assert!(
            matches!(&item.content, Content::Image { job: None, hash, .. } if *hash == on_board.hash),
            "the board keeps the image, without the link to the emptied job"
        );
        assert_eq!(library.empty_trash().unwrap(), TrashSize::default());
    }

    /// A second connection, as another process has: it holds the write lock from `BEGIN IMMEDIATE` until
    /// `COMMIT`, whatever this library's calls do meanwhile.
    fn another_process(dir: &std::path::Path) -> Connection {
        let conn = Connection::open(dir.join(crate::library::DATABASE_FILE)).unwrap();
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .unwrap();
        conn
    }

    /// Runs `empty` on its own thread while `other` holds the write lock with `change` made and not yet
    /// committed, then commits it: the moment another process restores a job or saves a board.
    fn empty_while_another_process_writes(
        library: &std::sync::Arc<Library>,
        other: &Connection,
        change: &str,
    ) -> TrashSize {
        other.execute_batch("BEGIN IMMEDIATE").unwrap();
        other.execute_batch(change).unwrap();
        let emptying = {
            let library = library.clone();
            std::thread::spawn(move || library.empty_trash().unwrap())
        };
        // Long enough for an empty that chooses its rows outside its write transaction to have chosen.
        std::thread::sleep(std::time::Duration::from_millis(300));
        other.execute_batch("COMMIT").unwrap();
        emptying.join().unwrap()
    }

    #[test]
    fn a_job_restored_by_another_process_while_the_trash_empties_stays_whole() {
        let dir = tempfile::tempdir().unwrap();
        let library = std::sync::Arc::new(Library::open(dir.path()).unwrap());
        let own = picture(&library, 40);
        let kept = finished_with(&library, "restored just in time", &own);
        let gone = finished_with(&library, "emptied", &picture(&library, 50));
        library.trash_jobs(&[kept, gone]).unwrap();
        let other = another_process(dir.path());
        let restore = format!("UPDATE jobs SET trashed_at = NULL WHERE id = {kept}");
        let emptied = empty_while_another_process_writes(&library, &other, &restore);
        assert_eq!(emptied.jobs, 1, "only the job still in the Trash");
        assert!(library.job(kept).is_ok(), "the restored job is kept");
        assert_eq!(library.images(kept).unwrap().len(), 1);
        assert!(
            dir.path().join(&own.relative_path).exists(),
            "and its picture"
        );
        assert!(matches!(library.job(gone), Err(LibraryError::NotFound(_))));
    }

    #[test]
    fn a_board_saved_by_another_process_while_the_trash_empties_is_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let library = std::sync::Arc::new(Library::open(dir.path()).unwrap());
        let fox = picture(&library, 60);
        let job = finished_with(&library, "a fox", &fox);
        let mut board = Board::new("Moods");
        board.add(
            Content::Image {
                hash: fox.hash.clone(),
                file: fox.relative_path.clone(),
                job: Some(job),
                width: 16,
                height: 16,
            },
            V2 { x: 0.0, y: 0.0 },
        );
        let board_id = library.create_board(&board).unwrap();
        library.trash_jobs(&[job]).unwrap();
        let other = another_process(dir.path());
        let rename = format!(
            "UPDATE boards SET name = 'Renamed elsewhere', \
             scene = json_set(scene, '$.name', 'Renamed elsewhere') WHERE id = {board_id}"
        );
        empty_while_another_process_writes(&library, &other, &rename);
        let saved = library
            .boards()
            .unwrap()
            .into_iter()
            .find(|b| b.id == board_id)
            .unwrap();
        assert_eq!(saved.board.name, "Renamed elsewhere", "the other save kept");
        assert!(
            matches!(
                &saved.board.items()[0].content,
                Content::Image { job: None, .. }
            ),
            "and the emptied job unlinked from it"
        );
        assert!(dir.path().join(&fox.relative_path).exists(), "on a board");
    }

    #[test]
    fn bytes_stored_again_while_the_trash_empties_are_written_back_once_their_row_commits() {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path()).unwrap();
        let pixels = image::RgbaImage::from_pixel(16, 16, image::Rgba([70, 90, 160, 255]));
        let png = crate::imaging::encode_png(&pixels).unwrap();
        let old = library.store().put(&png).unwrap();
        let trashed = finished_with(&library, "trashed", &old);
        library.trash_jobs(&[trashed]).unwrap();
        // A new blend's source has the same bytes: the store finds the file and skips writing it ...
        let again = library.store().put(&png).unwrap();
        assert_eq!(again, old);
        // ... Empty Trash runs before the blend's row commits, and removes the file nobody refers to ...
        assert_eq!(library.empty_trash().unwrap().files, 1);
        assert!(!dir.path().join(&old.relative_path).exists());
        let blend = library
            .create_job(
                &new_job("a blend"),
                None,
                &[(ImageRole::Source, 0, again.clone())],
            )
            .unwrap();
        // ... and once the row is in, the store looks again and writes the file back.
        library.store().keep(&again, &png).unwrap();
        assert!(dir.path().join(&again.relative_path).exists());
        for side in THUMBNAIL_SIZES {
            assert!(library.store().thumbnail_path(&again.hash, side).exists());
        }
        assert_eq!(library.images(blend.id).unwrap()[0].hash, again.hash);
        // Files a committed row uses are never removed, even when asked to.
        let asked = [(again.hash.clone(), again.relative_path.clone())];
        assert_eq!(library.remove_unreferenced(&asked).unwrap(), 0);
        assert!(dir.path().join(&again.relative_path).exists());
    }

    #[test]
    fn what_emptied_jobs_cost_stays_in_the_ledger_and_their_ids_are_never_given_again() {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path()).unwrap();
        let first = finished_with(&library, "kept", &picture(&library, 80));
        let last = finished_with(&library, "charged then emptied", &picture(&library, 90));
        for (id, quota) in [(first, 2.0), (last, 3.0)] {
            library
                .update_job(
                    id,
                    &JobUpdate {
                        remote_id: Some(format!("remote-{id}")),
                        quota: Some(quota),
                        ..JobUpdate::default()
                    },
                )
                .unwrap();
        }
        let before: Vec<(i64, f64)> = library
            .ledger(0)
            .unwrap()
            .iter()
            .map(|e| (e.job.job_id, e.spent()))
            .collect();
        assert_eq!(before, [(first, 2.0), (last, 3.0)]);
        library.trash_jobs(&[last]).unwrap();
        library.empty_trash().unwrap();
        let after: Vec<(i64, f64, String)> = library
            .ledger(0)
            .unwrap()
            .iter()
            .map(|e| (e.job.job_id, e.spent(), e.job.prompt.clone()))
            .collect();
        assert_eq!(
            after,
            [
                (first, 2.0, "kept".to_owned()),
                (last, 3.0, "charged then emptied".to_owned())
            ]
        );
        let next = library.insert_job(&new_job("made after")).unwrap();
        assert!(next.id > last, "#{} was handed out again", next.id);
    }

    #[test]
    fn writers_in_several_processes_never_meet_a_locked_database() {
        let dir = tempfile::tempdir().unwrap();
        let setup = Library::open(dir.path()).unwrap();
        let picture = picture(&setup, 100);
        let jobs: Vec<i64> = (0..4)
            .map(|n| finished_with(&setup, &format!("job {n}"), &picture))
            .collect();
        // Each thread is a process of its own (its own connection); each read-then-write transaction
        // races the others' commits.
        let writers: Vec<_> = jobs
            .into_iter()
            .map(|id| {
                let root = dir.path().to_owned();
                std::thread::spawn(move || {
                    let library = Library::open(&root).unwrap();
                    for _ in 0..150 {
                        assert_eq!(library.trash_jobs(&[id])?.trashed, [id]);
                        assert_eq!(library.restore_jobs(&[id])?, [id]);
                    }
                    Ok::<_, LibraryError>(())
                })
            })
            .collect();
        for writer in writers {
            writer.join().unwrap().unwrap();
        }
    }
}
