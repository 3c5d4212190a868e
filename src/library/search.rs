//! Finding jobs by what was asked: the full-text index over prompts, actions and TTAPI ids (migration 5),
//! queried with Moodgrid's own search language (`domain::search`).

use std::sync::atomic::{AtomicI64, Ordering};

use rusqlite::functions::FunctionFlags;
use rusqlite::params;

use super::{Library, LibraryError};
use crate::domain::search::{MATCH_END, MATCH_START, SearchQuery};

/// One job a search found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHit {
    pub id: i64,
    /// The prompt with each match between `MATCH_START` and `MATCH_END`; `None` when nothing was matched
    /// in it (a search by exclusion only, or a match in the action or id).
    pub highlighted: Option<String>,
}

/// How many of the newest hits come with their prompt highlighted: the screens a user sees first.
/// Highlighting is most of a search's cost (about nine tenths at 20,000 hits), so the rest go without.
pub const HIGHLIGHTED: usize = 500;

/// What a search keeps besides its words: at least so many stars, made since a moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobFilter {
    pub min_rating: u8,
    /// Unix milliseconds; `None` for any time.
    pub since: Option<i64>,
}

impl Library {
    /// The newest `limit` jobs the query finds among those the filter keeps (every job for an empty query
    /// and filter), newest first; the first [`HIGHLIGHTED`] with their prompt's matches marked.
    pub fn search(
        &self,
        query: &SearchQuery,
        filter: &JobFilter,
        limit: usize,
    ) -> Result<Vec<SearchHit>, LibraryError> {
        let conn = self.conn();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let (rating, since) = (filter.min_rating, filter.since.unwrap_or(i64::MIN));
        let (start, end) = (MATCH_START.to_string(), MATCH_END.to_string());
        let shown = limit.min(HIGHLIGHTED as i64);
        let found = |row: &rusqlite::Row<'_>| -> rusqlite::Result<SearchHit> {
            let highlighted: Option<String> = row.get(1)?;
            Ok(SearchHit {
                id: row.get(0)?,
                highlighted: highlighted.filter(|text| text.contains(MATCH_START)),
            })
        };
        let unmarked = |row: &rusqlite::Row<'_>| -> rusqlite::Result<SearchHit> {
            Ok(SearchHit {
                id: row.get(0)?,
                highlighted: None,
            })
        };
        // The newest hits are highlighted by the query that finds them (`mg_first`): FTS5 gathers a
        // prefix's terms once per query, and a second query for the highlights cost as much again.
        let hits = match (query.fts(), query.only_excluded()) {
            // The gallery's usual case: leaving out the (few) trashed rows is the cheap test.
            (Some(matching), _) if *filter == JobFilter::default() => conn
                .prepare_cached(
                    "SELECT rowid, CASE WHEN mg_first(?3) THEN highlight(jobs_fts, 0, ?4, ?5) END \
                     FROM jobs_fts WHERE jobs_fts MATCH ?1 AND rowid NOT IN \
                     (SELECT id FROM jobs WHERE trashed_at IS NOT NULL) ORDER BY rowid DESC LIMIT ?2",
                )?
                .query_map(params![matching, limit, shown, start, end], found)?
                .collect::<Result<_, _>>()?,
            // With a filter, each hit's row is looked up by its key.
            (Some(matching), _) => conn
                .prepare_cached(
                    "SELECT rowid, CASE WHEN mg_first(?5) THEN highlight(jobs_fts, 0, ?6, ?7) END \
                     FROM jobs_fts WHERE jobs_fts MATCH ?1 AND EXISTS (SELECT 1 FROM jobs j \
                     WHERE j.id = jobs_fts.rowid AND j.trashed_at IS NULL AND j.rating >= ?3 \
                     AND j.created_at >= ?4) ORDER BY rowid DESC LIMIT ?2",
                )?
                .query_map(
                    params![matching, limit, rating, since, shown, start, end],
                    found,
                )?
                .collect::<Result<_, _>>()?,
            // The index by number holds every column asked, so no job's row is read (the Trash's index
            // and each row: 20.6 ms at 100,000 jobs; 8.7 ms this way).
            (None, Some(excluded)) => conn
                .prepare_cached(
                    "SELECT id FROM jobs INDEXED BY listed_by_id \
                     WHERE trashed_at IS NULL AND rating >= ?3 AND created_at >= ?4 \
                     AND id NOT IN (SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH ?1) \
                     ORDER BY id DESC LIMIT ?2",
                )?
                .query_map(params![excluded, limit, rating, since], unmarked)?
                .collect::<Result<_, _>>()?,
            (None, None) => conn
                .prepare_cached(
                    "SELECT id FROM jobs INDEXED BY listed_by_id \
                     WHERE trashed_at IS NULL AND rating >= ?2 AND created_at >= ?3 \
                     ORDER BY id DESC LIMIT ?1",
                )?
                .query_map(params![limit, rating, since], unmarked)?
                .collect::<Result<_, _>>()?,
        };
        Ok(hits)
    }
}

/// Makes `mg_first(n)` known to SQL on a connection: true for the first `n` rows of one run of a statement
/// that asks, false after. The count is kept as SQLite's auxiliary data on the (bound, so constant)
/// argument, which SQLite drops when the statement is reset; should it drop it sooner, a few more rows are
/// highlighted, no fewer.
pub(super) fn register_functions(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function("mg_first", 1, FunctionFlags::SQLITE_UTF8, |ctx| {
        let first: i64 = ctx.get(0)?;
        let asked = ctx.get_or_create_aux(0, |_| Ok::<_, rusqlite::Error>(AtomicI64::new(0)))?;
        Ok(asked.fetch_add(1, Ordering::Relaxed) < first)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::jobs::tests::new_job;
    use crate::library::{JobState, JobUpdate};

    fn found(library: &Library, typed: &str) -> Vec<i64> {
        let hits = library
            .search(&SearchQuery::parse(typed), &JobFilter::default(), 100)
            .unwrap();
        hits.iter().map(|h| h.id).collect()
    }

    #[test]
    fn words_prefixes_phrases_exclusions_ids_and_actions_find_their_jobs_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path()).unwrap();
        for prompt in [
            "a lighthouse at dusk, oil painting",   // 1
            "portrait of a fox, oil on canvas",     // 2
            "lightning over a painting of the sea", // 3
            "Café on a rainy street --ar 3:2",      // 4
        ] {
            library.insert_job(&new_job(prompt)).unwrap();
        }
        assert_eq!(found(&library, "lighthouse"), [1]);
        assert_eq!(found(&library, "LIGHT*"), [3, 1], "prefixes, any case");
        assert_eq!(found(&library, "\"oil painting\""), [1]);
        assert_eq!(found(&library, "oil painting"), [1], "every word, anywhere");
        assert_eq!(found(&library, "oil -portrait"), [1]);
        assert_eq!(found(&library, "-oil -light*"), [4], "only exclusions");
        assert_eq!(found(&library, "cafe"), [4], "accents folded");
        assert_eq!(
            found(&library, ""),
            [4, 3, 2, 1],
            "nothing typed: every job"
        );
        assert_eq!(
            found(&library, "imagine"),
            [4, 3, 2, 1],
            "the action is indexed"
        );
        assert!(found(&library, "whale").is_empty());

        // Stars and a date narrow any search, an empty one too.
        library.mark_job(1, crate::library::Mark::Stars(3)).unwrap();
        let kept = |typed: &str, filter: JobFilter| -> Vec<i64> {
            let hits = library
                .search(&SearchQuery::parse(typed), &filter, 100)
                .unwrap();
            hits.iter().map(|h| h.id).collect()
        };
        let three_stars = JobFilter {
            min_rating: 3,
            since: None,
        };
        assert_eq!(kept("", three_stars), [1]);
        assert_eq!(kept("light*", three_stars), [1]);
        assert_eq!(kept("-oil", three_stars), Vec::<i64>::new());
        let future = JobFilter {
            min_rating: 0,
            since: Some(crate::library::now_ms() + 60_000),
        };
        assert!(kept("", future).is_empty() && kept("light*", future).is_empty());
        let past = JobFilter {
            min_rating: 0,
            since: Some(0),
        };
        assert_eq!(kept("light*", past), [3, 1]);

        // The TTAPI id arrives later, by an update: the index follows it.
        let update = JobUpdate {
            remote_id: Some("6de785ce-60fe-4104-8521-c5bd03b4f50b".into()),
            submitted: true,
            count_attempt: true,
            ..JobUpdate::transition(JobState::Queued, JobState::Pending)
        };
        library.update_job(2, &update).unwrap();
        assert_eq!(found(&library, "6de785ce"), [2]);
        assert_eq!(found(&library, "6de785ce-60fe-4104-8521-c5bd03b4f50b"), [2]);

        let hit = &library
            .search(&SearchQuery::parse("fox"), &JobFilter::default(), 10)
            .unwrap()[0];
        assert_eq!(
            hit.highlighted.as_deref(),
            Some(format!("portrait of a {MATCH_START}fox{MATCH_END}, oil on canvas").as_str())
        );
    }

    /// Only the newest hits are highlighted, by the query that finds them; every run of the (cached)
    /// statement starts its count again, with or without a filter.
    #[test]
    fn the_newest_hits_come_highlighted_in_every_search() {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path()).unwrap();
        for n in 0..HIGHLIGHTED + 5 {
            library
                .insert_job(&new_job(&format!("a fox, study {n}")))
                .unwrap();
        }
        let since_ever = JobFilter {
            min_rating: 0,
            since: Some(0),
        };
        for filter in [JobFilter::default(), since_ever, JobFilter::default()] {
            let hits = library
                .search(&SearchQuery::parse("fo*"), &filter, 1000)
                .unwrap();
            assert_eq!(hits.len(), HIGHLIGHTED + 5);
            let marked: Vec<bool> = hits.iter().map(|hit| hit.highlighted.is_some()).collect();
            assert!(marked[..HIGHLIGHTED].iter().all(|&m| m), "{filter:?}");
            assert!(!marked[HIGHLIGHTED..].iter().any(|&m| m), "{filter:?}");
            assert_eq!(
                hits[0].highlighted.as_deref(),
                Some(format!("a {MATCH_START}fox{MATCH_END}, study {}", HIGHLIGHTED + 4).as_str())
            );
        }
    }

    /// Whatever is typed, the index answers (no FTS5 syntax error reaches the user) and the answer is
    /// right: none of the pieces is a word of the one job (`a quiet harbour`, an imagine), so a query that
    /// wants any word finds nothing, and one that only excludes words, or has none, finds the job.
    #[test]
    fn any_typed_text_is_answered_without_an_error_and_finds_what_it_asks() {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path()).unwrap();
        library.insert_job(&new_job("a quiet harbour")).unwrap();
        let pieces = [
            "\"", "-", "*", "(", ")", ":", "^", "+", "AND", "OR", "NOT", "NEAR", "{", "}", "'",
            "\\", " ", "  ", "fox", "é", "漢字", "\u{E000}", "\0", "-\"", "\"*", "**", ",", ".",
            "NEAR(",
        ];
        let mut rng = fastrand::Rng::with_seed(19);
        let (mut wanting, mut not_wanting) = (0, 0);
        for _ in 0..3000 {
            let typed: String = (0..rng.usize(1..8))
                .map(|_| pieces[rng.usize(..pieces.len())])
                .collect();
            let query = SearchQuery::parse(&typed);
            let hits: Vec<i64> = library
                .search(&query, &JobFilter::default(), 5)
                .unwrap_or_else(|e| panic!("{typed:?}: {e}"))
                .iter()
                .map(|hit| hit.id)
                .collect();
            if query.fts().is_some() {
                wanting += 1;
                assert!(hits.is_empty(), "{typed:?} wants a word: {hits:?}");
            } else {
                not_wanting += 1;
                assert_eq!(hits, [1], "{typed:?} wants no word");
            }
        }
        assert!(
            wanting > 100 && not_wanting > 100,
            "{wanting} / {not_wanting}"
        );
    }
}
