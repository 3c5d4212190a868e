//! The gallery's search: what is typed in its field is asked of the library's full-text index on the engine
//! (never on the UI thread), again when the text or the job list changes, one question at a time. The last
//! answer stays on show until the next arrives.

use std::collections::{HashMap, HashSet};

use super::pending::{Pending, take_ready};
use super::services::Services;
use super::toasts::ToastKind;
use crate::engine::{Command, EngineError};
use crate::library::SearchHit;

/// More than a gallery can usefully show; the newest are kept.
const MOST_FOUND: usize = 20_000;

#[derive(Default)]
pub struct GallerySearch {
    /// The text and job-list generation of the question last asked.
    asked: Option<(String, u64)>,
    waiting: Option<Pending<Result<Vec<SearchHit>, EngineError>>>,
    found: Option<Found>,
    /// Bumped whenever `found` changes, so the gallery knows to filter again.
    generation: u64,
}

struct Found {
    ids: HashSet<i64>,
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
            if self.found.take().is_some() {
                self.generation += 1;
            }
            self.asked = None;
            return;
        }
        let question = (text.to_owned(), services.jobs.generation());
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
        let ids = hits.iter().map(|hit| hit.id).collect();
        let highlighted = hits
            .into_iter()
            .filter_map(|hit| Some((hit.id, hit.highlighted?)))
            .collect();
        self.found = Some(Found { ids, highlighted });
        self.generation += 1;
    }

    /// The jobs found, while a search is on.
    pub fn found(&self) -> Option<&HashSet<i64>> {
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

    pub fn generation(&self) -> u64 {
        self.generation
    }
}
