//! A designer's verdict on a job, any job (a grid, an upscale, a blend): 0–5 stars and a pick or reject
//! flag. Each change is journaled and bumps `updated_at`, so the window and other processes see it.

use rusqlite::params;

use super::jobs::log_event_in;
use super::now_ms;
use super::{Flag, JobRecord, Library, LibraryError};

/// The most stars a job can have.
pub const MAX_RATING: u8 = 5;

/// A rating as it is written for people: "★★★☆☆".
pub fn stars(rating: u8) -> String {
    let rating = rating.min(MAX_RATING) as usize;
    format!(
        "{}{}",
        "★".repeat(rating),
        "☆".repeat(MAX_RATING as usize - rating)
    )
}

/// A change of a job's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// 0 clears the stars; more than five is five.
    Stars(u8),
    /// Pick, reject, or (`None`) no flag.
    Flag(Option<Flag>),
}

impl Library {
    pub fn mark_job(&self, id: i64, mark: Mark) -> Result<JobRecord, LibraryError> {
        match mark {
            Mark::Stars(stars) => {
                let stars = stars.min(MAX_RATING);
                self.mark(id, "rated", &stars.to_string(), |conn, now| {
                    conn.execute(
                        "UPDATE jobs SET rating = ?2, updated_at = ?3 WHERE id = ?1",
                        params![id, stars, now],
                    )
                })
            }
            Mark::Flag(flag) => {
                let name = flag.map(Flag::as_str);
                self.mark(id, "flagged", name.unwrap_or("none"), |conn, now| {
                    conn.execute(
                        "UPDATE jobs SET flag = ?2, updated_at = ?3 WHERE id = ?1",
                        params![id, name, now],
                    )
                })
            }
        }
    }

    fn mark(
        &self,
        id: i64,
        event: &str,
        detail: &str,
        write: impl FnOnce(&rusqlite::Connection, i64) -> rusqlite::Result<usize>,
    ) -> Result<JobRecord, LibraryError> {
        {
            let mut conn = self.conn();
            let tx = conn.transaction()?;
            if write(&tx, now_ms())? == 0 {
                return Err(LibraryError::NotFound(format!("#{id}")));
            }
            log_event_in(&tx, Some(id), event, detail)?;
            tx.commit()?;
        }
        self.job(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::jobs::tests::new_job;

    #[test]
    fn stars_and_flags_are_kept_journaled_and_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path()).unwrap();
        let job = library.insert_job(&new_job("a fox")).unwrap();
        assert_eq!((job.rating, job.flag), (0, None));

        let rated = library.mark_job(job.id, Mark::Stars(4)).unwrap();
        assert_eq!(rated.rating, 4);
        assert!(rated.updated_at >= job.updated_at);
        assert_eq!(
            library.mark_job(job.id, Mark::Stars(9)).unwrap().rating,
            5,
            "five at most"
        );
        assert_eq!(
            library
                .mark_job(job.id, Mark::Flag(Some(Flag::Reject)))
                .unwrap()
                .flag,
            Some(Flag::Reject)
        );
        let reopened = Library::open(dir.path()).unwrap().job(job.id).unwrap();
        assert_eq!((reopened.rating, reopened.flag), (5, Some(Flag::Reject)));
        assert_eq!(
            library.mark_job(job.id, Mark::Flag(None)).unwrap().flag,
            None
        );

        let events: Vec<(String, String)> = library.events(job.id).unwrap();
        let marks: Vec<&(String, String)> = events
            .iter()
            .filter(|(kind, _)| kind == "rated" || kind == "flagged")
            .collect();
        assert_eq!(marks.len(), 4, "{events:?}");
        assert!(matches!(
            library.mark_job(999, Mark::Stars(3)),
            Err(LibraryError::NotFound(_))
        ));
    }
}
