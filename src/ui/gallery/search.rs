//! The gallery's questions to the library, asked on the engine (never on the UI thread), one at a time,
//! the last answer kept on show until the next arrives: what is typed in the search field, put to the
//! full-text index again when the text or the job list changes; and which jobs are on a board, for the
//! "on a board" filter, asked again when the jobs change or the gallery is opened after another view.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::engine::{Command, EngineError};
use crate::library::SearchHit;
use crate::ui::runtime::pending::{Pending, take_ready};
use crate::ui::runtime::services::Services;
use crate::ui::runtime::toasts::ToastKind;

/// More than a gallery can usefully show; the newest are kept.
pub const MOST_FOUND: usize = 20_000;

#[derive(Default)]
pub struct GallerySearch {
    /// The text and job-list generation of the question last asked.
    asked: Option<(String, u64)>,
    waiting: Option<Pending<Result<Vec<SearchHit>, EngineError>>>,
    found: Option<Found>,
}

struct Found {
    ids: Arc<HashSet<i64>>,
    /// Prompts with their matches marked (`domain::search::MATCH_START`/`MATCH_END`).
    highlighted: HashMap<i64, String>,
}

impl GallerySearch {
    /// Takes in an answer that has arrived, and asks again if the text or the jobs changed since.
    pub fn update(&mut self, text: &str, services: &mut Services) {
        if let Some(answer) = take_ready(&mut self.waiting) {
            match answer {
                Some(Ok(hits)) => self.show(hits),
                Some(Err(e)) => {
                    services
                        .toasts
                        .push(ToastKind::Error, format!("Search failed: {e}"), None);
                }
                // The engine restarted: ask again.
                None => self.asked = None,
            }
        }
        let text = text.trim();
        if text.is_empty() {
            self.found = None;
            self.asked = None;
            return;
        }
        let question = (text.to_owned(), services.jobs.records_generation());
        if self.waiting.is_some() || self.asked.as_ref() == Some(&question) {
            return;
        }
        let (reply, answer) = Pending::channel();
        if services.send(Command::SearchJobs {
            query: question.0.clone(),
            limit: MOST_FOUND,
            reply,
        }) {
            self.waiting = Some(answer);
            self.asked = Some(question);
        }
    }

    fn show(&mut self, hits: Vec<SearchHit>) {
        let ids = Arc::new(hits.iter().map(|hit| hit.id).collect());
        let highlighted = hits
            .into_iter()
            .filter_map(|hit| Some((hit.id, hit.highlighted?)))
            .collect();
        self.found = Some(Found { ids, highlighted });
    }

    /// The jobs found, while a search is on.
    pub fn found(&self) -> Option<&Arc<HashSet<i64>>> {
        self.found.as_ref().map(|found| &found.ids)
    }

    /// A found job's prompt with its matches marked.
    pub fn highlighted(&self, job: i64) -> Option<&str> {
        self.found
            .as_ref()?
            .highlighted
            .get(&job)
            .map(String::as_str)
    }
}

/// Which jobs have an image on some board, while the gallery filters by it.
#[derive(Default)]
pub struct BoardMembers {
    /// The job-list generation of the question last asked.
    asked: Option<u64>,
    waiting: Option<Pending<Result<HashSet<i64>, EngineError>>>,
    known: Option<Arc<HashSet<i64>>>,
    /// The frame the gallery last asked on: a gap means another view (a board) was open meanwhile.
    last_frame: u64,
}

impl BoardMembers {
    /// Takes in an answer, and asks again when the jobs changed or the gallery was just reopened.
    pub fn update(&mut self, wanted: bool, frame: u64, services: &mut Services) {
        if let Some(answer) = take_ready(&mut self.waiting) {
            match answer {
                Some(Ok(ids)) => self.known = Some(Arc::new(ids)),
                Some(Err(e)) => {
                    services.toasts.push(
                        ToastKind::Error,
                        format!("Could not read which jobs are on boards: {e}"),
                        None,
                    );
                }
                None => self.asked = None,
            }
        }
        if frame > self.last_frame + 1 {
            self.asked = None;
        }
        self.last_frame = frame;
        let generation = services.jobs.records_generation();
        if !wanted || self.waiting.is_some() || self.asked == Some(generation) {
            return;
        }
        let (reply, answer) = Pending::channel();
        if services.send(Command::JobsOnBoards { reply }) {
            self.waiting = Some(answer);
            self.asked = Some(generation);
        }
    }

    pub fn known(&self) -> Option<&Arc<HashSet<i64>>> {
        self.known.as_ref()
    }
}
