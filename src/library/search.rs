//! Finding jobs by what was asked: the full-text index over prompts, actions and TTAPI ids (migration 5),
//! queried with Moodgrid's own search language (`domain::search`).

use std::collections::HashMap;

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
        let id = |row: &rusqlite::Row<'_>| row.get::<_, i64>(0);
        let ids: Vec<i64> = match (query.fts(), query.only_excluded()) {
            // The gallery's usual case: leaving out the (few) trashed rows is the cheap test.
            (Some(matching), _) if *filter == JobFilter::default() => conn
                .prepare_cached(
                    "SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH ?1 AND rowid NOT IN \
                     (SELECT id FROM jobs WHERE trashed_at IS NOT NULL) ORDER BY rowid DESC LIMIT ?2",
                )?
                .query_map(params![matching, limit], id)?
                .collect::<Result<_, _>>()?,
            // With a filter, each hit's row is looked up by its key.
            (Some(matching), _) => conn
                .prepare_cached(
                    "SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH ?1 AND EXISTS (SELECT 1 FROM jobs j \
                     WHERE j.id = jobs_fts.rowid AND j.trashed_at IS NULL AND j.rating >= ?3 \
                     AND j.created_at >= ?4) ORDER BY rowid DESC LIMIT ?2",
                )?
                .query_map(params![matching, limit, rating, since], id)?
                .collect::<Result<_, _>>()?,
            (None, Some(excluded)) => conn
                .prepare_cached(
                    "SELECT id FROM jobs WHERE trashed_at IS NULL AND rating >= ?3 AND created_at >= ?4 \
                     AND id NOT IN (SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH ?1) \
                     ORDER BY id DESC LIMIT ?2",
                )?
                .query_map(params![excluded, limit, rating, since], id)?
                .collect::<Result<_, _>>()?,
            (None, None) => conn
                .prepare_cached(
                    "SELECT id FROM jobs WHERE trashed_at IS NULL AND rating >= ?2 AND created_at >= ?3 \
                     ORDER BY id DESC LIMIT ?1",
                )?
                .query_map(params![limit, rating, since], id)?
                .collect::<Result<_, _>>()?,
        };
        let mut highlighted: HashMap<i64, String> = HashMap::new();
        if let Some(matching) = query.fts() {
            let shown = limit.min(HIGHLIGHTED as i64);
            let mut statement = conn.prepare_cached(
                "SELECT rowid, highlight(jobs_fts, 0, ?2, ?3) FROM jobs_fts WHERE jobs_fts MATCH ?1 \
                 AND rowid NOT IN (SELECT id FROM jobs WHERE trashed_at IS NOT NULL) \
                 ORDER BY rowid DESC LIMIT ?4",
            )?;
            let marked = statement.query_map(
                params![
                    matching,
                    MATCH_START.to_string(),
                    MATCH_END.to_string(),
                    shown
                ],
                |row| Ok((row.get::<_, i64>(0)?, row.get::<_, Option<String>>(1)?)),
            )?;
            for row in marked {
                if let (id, Some(text)) = row?
                    && text.contains(MATCH_START)
                {
                    highlighted.insert(id, text);
                }
            }
        }
        Ok(ids
            .into_iter()
            .map(|id| SearchHit {
                id,
                highlighted: highlighted.remove(&id),
            })
            .collect())
    }
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

    #[test]
    fn no_input_makes_the_index_report_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path()).unwrap();
        library.insert_job(&new_job("a quiet harbour")).unwrap();
        let pieces = [
            "\"", "-", "*", "(", ")", ":", "^", "+", "AND", "OR", "NOT", "NEAR", "{", "}", "'",
            "\\", " ", "  ", "fox", "é", "漢字", "\u{E000}", "\0", "-\"", "\"*", "**", ",", ".",
            "NEAR(",
        ];
        let mut rng = fastrand::Rng::with_seed(19);
        for _ in 0..3000 {
            let typed: String = (0..rng.usize(1..8))
                .map(|_| pieces[rng.usize(..pieces.len())])
                .collect();
            assert!(
                library
                    .search(&SearchQuery::parse(&typed), &JobFilter::default(), 5)
                    .is_ok(),
                "{typed:?}"
            );
        }
    }
}
