//! The Trash: jobs moved out of sight without losing anything, until the user empties it. A trashed job is
//! hidden from the lists and searches; restoring it brings it back as it was. Emptying deletes the jobs'
//! rows, then only the image files nothing else refers to: content addressing makes a file shared by
//! another job (the same picture stored twice) or placed on a board a reference that keeps it. Boards keep
//! their images; an item whose job is gone just loses its link to it.

use std::collections::HashSet;

use rusqlite::params;

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
            let state: Option<String> = tx
                .query_row(
                    "SELECT state FROM jobs WHERE id = ?1 AND trashed_at IS NULL",
                    [id],
                    |row| row.get(0),
                )
                .ok();
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
        Ok(self.measure(&self.emptying()?))
    }

    /// The trashed jobs and what emptying would free.
    pub fn trash_listing(&self) -> Result<TrashListing, LibraryError> {
        Ok(TrashListing {
            jobs: self.trashed_jobs()?,
            size: self.trash_size()?,
        })
    }

    /// Deletes the trashed jobs and every image file only they referred to. Files go after the rows are
    /// committed: a crash in between leaves unreferenced files, never rows pointing at nothing.
    pub fn empty_trash(&self) -> Result<TrashSize, LibraryError> {
        let emptying = self.emptying()?;
        let size = self.measure(&emptying);
        let Emptying { jobs, files: freed } = emptying;
        if jobs.is_empty() {
            return Ok(size);
        }
        let gone: HashSet<i64> = jobs.iter().copied().collect();
        for stored in self.boards()? {
            let mut board = stored.board;
            if board.unlink_jobs(&gone) {
                self.save_board(stored.id, &board)?;
            }
        }
        {
            let mut conn = self.conn();
            let tx = conn.transaction()?;
            for id in &jobs {
                tx.execute("DELETE FROM jobs WHERE id = ?1", [id])?;
            }
            log_event_in(
                &tx,
                None,
                "trash emptied",
                &format!("{} jobs, {} files", jobs.len(), freed.len()),
            )?;
            tx.commit()?;
        }
        for (hash, path) in &freed {
            let _ = std::fs::remove_file(self.root().join(path));
            for side in THUMBNAIL_SIZES {
                let _ = std::fs::remove_file(self.store().thumbnail_path(hash, side));
            }
        }
        Ok(size)
    }

    /// The trashed jobs, and the files that no job outside the Trash and no board refers to.
    fn emptying(&self) -> Result<Emptying, LibraryError> {
        let on_boards: HashSet<String> = self
            .boards()?
            .iter()
            .flat_map(|stored| stored.board.items().iter())
            .filter_map(|item| match &item.content {
                Content::Image { hash, .. } => Some(hash.clone()),
                Content::Note { .. } => None,
            })
            .collect();
        let conn = self.conn();
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
}
