//! The jobs a gallery view lists, read from the library a page at a time (`Command::ListJobs`), sorted and
//! filtered by the database. Only the pages around what is on screen are kept, so the gallery's tiles and
//! its list hold a few hundred jobs whatever the library's size.

use std::collections::HashMap;

use crate::engine::{Command, EngineError};
use crate::library::{Counting, Counts, Day, JobPage, JobQuery, JobRecord, Listing, Sort};
use crate::ui::runtime::pending::{Pending, take_ready};
use crate::ui::runtime::services::Services;
use crate::ui::runtime::toasts::ToastKind;

/// Jobs read at once: a few screens of tiles or rows.
pub const PAGE: usize = 100;
/// Pages kept beyond those on screen, on each side, so a scroll back does not show blanks.
const PAGES_AROUND: usize = 2;

#[derive(Default)]
pub struct JobPages {
    /// The query and sort the pages were read for; another drops them.
    read_for: Option<(JobQuery, Sort)>,
    /// Pages by number, with the job-list generation they were read at: older ones stay on show while
    /// they are read again, so a running job's progress does not blank the view.
    pages: HashMap<usize, (u64, Vec<JobRecord>)>,
    counts: Option<Counts>,
    /// The job-list generation the counts were taken at.
    counted_at: Option<u64>,
    /// The day headings' offset from UTC (seconds east) when the view counts its jobs by day.
    by_day: Option<i64>,
    waiting: Option<Pending<Result<JobPage, EngineError>>>,
}

impl JobPages {
    /// Takes the answer that came, after dropping every page when the query or sort changed (an answer
    /// asked for the old list goes with them). `by_day`: count the jobs on each day too, a day at so many
    /// seconds east of UTC.
    pub fn update(
        &mut self,
        services: &mut Services,
        query: &JobQuery,
        sort: Sort,
        by_day: Option<i64>,
    ) {
        if self.by_day != by_day {
            self.by_day = by_day;
            self.counted_at = None;
        }
        if self
            .read_for
            .as_ref()
            .is_none_or(|(read_query, read_sort)| read_query != query || *read_sort != sort)
        {
            self.read_for = Some((query.clone(), sort));
            self.pages.clear();
            self.counts = None;
            self.counted_at = None;
            self.waiting = None;
        }
        match take_ready(&mut self.waiting) {
            Some(Some(Ok(page))) => {
                let generation = services.jobs.records_generation();
                if let Some(counts) = page.counts {
                    self.counts = Some(counts);
                    self.counted_at = Some(generation);
                }
                self.pages
                    .insert(page.offset / PAGE, (generation, page.jobs));
            }
            Some(Some(Err(e))) => services.toasts.push(
                ToastKind::Error,
                format!("Could not list the jobs: {e}"),
                None,
            ),
            Some(None) | None => {}
        }
    }

    /// The query and sort the pages are read for.
    pub fn listing(&self) -> Option<&(JobQuery, Sort)> {
        self.read_for.as_ref()
    }

    /// How many jobs the view lists, once the first page has said.
    pub fn total(&self) -> Option<usize> {
        self.counts.as_ref().map(|counts| counts.total)
    }

    /// How many jobs the library lists at all (not in the Trash), once a page has said.
    pub fn everything(&self) -> Option<usize> {
        self.counts.as_ref().map(|counts| counts.everything)
    }

    /// How many of the listed jobs each day has, newest first, when counted by day (empty until then).
    pub fn days(&self) -> &[Day] {
        self.counts.as_ref().map_or(&[], |counts| &counts.days)
    }

    /// The job at a place in the listing, as last read (the job list's own record when it has a newer
    /// one); `None` until its page is read.
    pub fn at<'a>(&'a self, services: &'a Services, index: usize) -> Option<&'a JobRecord> {
        let (_, jobs) = self.pages.get(&(index / PAGE))?;
        let job = jobs.get(index % PAGE)?;
        Some(services.jobs.peek(job.id).unwrap_or(job))
    }

    /// Where a job is in the listing, if its page is read.
    pub fn position(&self, id: i64) -> Option<usize> {
        self.pages.iter().find_map(|(page, (_, jobs))| {
            let at = jobs.iter().position(|job| job.id == id)?;
            Some(page * PAGE + at)
        })
    }

    /// Asks for the first page among those holding `indices` that is missing or older than the job
    /// list, and forgets pages far from all of them.
    pub fn ask_for(&mut self, services: &mut Services, indices: std::ops::Range<usize>) {
        let wanted = if indices.is_empty() {
            // Nothing drawn yet (no total): the first page says how many there are.
            0..1
        } else {
            indices.start / PAGE..(indices.end - 1) / PAGE + 1
        };
        self.pages.retain(|page, _| {
            *page + PAGES_AROUND >= wanted.start && *page < wanted.end + PAGES_AROUND
        });
        if self.waiting.is_some() {
            return;
        }
        let Some((query, sort)) = self.read_for.clone() else {
            return;
        };
        let generation = services.jobs.records_generation();
        let Some(page) = wanted.clone().find(|page| {
            self.pages
                .get(page)
                .is_none_or(|(read_at, _)| *read_at != generation)
        }) else {
            return;
        };
        let (reply, answer) = Pending::channel();
        if services.send(Command::ListJobs {
            listing: Listing {
                query,
                sort,
                offset: page * PAGE,
                limit: PAGE,
            },
            counting: match (self.counted_at == Some(generation), self.by_day) {
                (true, _) => Counting::Nothing,
                (false, None) => Counting::Jobs,
                (false, Some(utc_offset_s)) => Counting::ByDay { utc_offset_s },
            },
            reply,
        }) {
            self.waiting = Some(answer);
        }
    }
}
