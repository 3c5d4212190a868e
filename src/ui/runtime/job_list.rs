//! What the window knows about the library: the newest jobs and every unfinished one, the older jobs a view
//! asked for (one opened, compared, culled, a family drawn), the image files of the jobs it has drawn, and
//! the derived lists the views draw from (feed order, lineage, prompt history). The gallery does not read
//! from here: it pages through the library (`gallery::pages`). Plain data, no egui: unit-tested below.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use crate::library::{ImageFile, ImageRole, JobKind, JobRecord, JobState};

/// Jobs whose image records are kept; past it, those drawn longest ago are forgotten (and read again when
/// drawn again), so scrolling the whole gallery does not gather the library's image records here.
const IMAGES_KEPT: usize = 3_000;

#[derive(Default)]
pub struct JobList {
    /// Sorted by id, highest (newest) first.
    jobs: Vec<JobRecord>,
    images: HashMap<i64, Vec<ImageFile>>,
    /// When each job's images were last asked for (a count of asks), to forget the oldest.
    images_used: HashMap<i64, u64>,
    asks: u64,
    /// Jobs whose images a view needs and nobody has asked the engine for yet.
    wanted: Vec<i64>,
    asked: HashSet<i64>,
    /// Jobs a view looked up (`get`) that are not here, to be read from the library; and every job
    /// asked for, so each is asked once. Cells: looking up stays a read.
    missing: RefCell<Vec<i64>>,
    jobs_asked: RefCell<HashSet<i64>>,
    /// Jobs asked for that the library did not have (trashed or deleted meanwhile).
    gone: HashSet<i64>,
    /// Bumped on every change, so derived lists know when to recompute.
    generation: u64,
    /// Bumped when a job record changed (not its images): pages of the library read before are stale.
    records_generation: u64,
    /// Whether the library's jobs have been read once: until then an empty list says nothing.
    loaded: bool,
}

impl JobList {
    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }

    /// Whether the jobs the window starts with have arrived (a cold library can take seconds to read).
    pub fn loaded(&self) -> bool {
        self.loaded
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn records_generation(&self) -> u64 {
        self.records_generation
    }

    pub fn at(&self, index: usize) -> &JobRecord {
        &self.jobs[index]
    }

    fn position(&self, id: i64) -> Result<usize, usize> {
        self.jobs.binary_search_by(|j| id.cmp(&j.id))
    }

    /// The job, if it is here; one that is not is read from the library (`take_missing`) and is here on
    /// a later frame, unless it is [`gone`](Self::gone).
    pub fn get(&self, id: i64) -> Option<&JobRecord> {
        let found = self.peek(id);
        if found.is_none() && self.jobs_asked.borrow_mut().insert(id) {
            self.missing.borrow_mut().push(id);
        }
        found
    }

    /// The job if it is here, without asking for it (a fresher copy of a job a page already shows).
    pub fn peek(&self, id: i64) -> Option<&JobRecord> {
        self.position(id).ok().map(|i| &self.jobs[i])
    }

    /// Whether the job was asked for and the library did not have it.
    pub fn gone(&self, id: i64) -> bool {
        self.gone.contains(&id)
    }

    /// The jobs looked up since the last call that are not here; the caller sends one engine command.
    pub fn take_missing(&mut self) -> Vec<i64> {
        std::mem::take(self.missing.get_mut())
    }

    /// The engine could not take the request: every job not here is asked for again when looked up.
    pub fn unask_jobs(&mut self) {
        self.jobs_asked.get_mut().clear();
    }

    /// Jobs read on request: `asked` are the ids asked for, `jobs` what the library had of them (or a
    /// family). Stored without the state-change bookkeeping of `upsert`: nothing changed, they were read.
    pub fn add_read(&mut self, asked: &[i64], jobs: Vec<JobRecord>) {
        let found: HashSet<i64> = jobs.iter().map(|job| job.id).collect();
        self.gone
            .extend(asked.iter().filter(|id| !found.contains(id)));
        for job in jobs {
            match self.position(job.id) {
                Ok(i) => self.jobs[i] = job,
                Err(i) => self.jobs.insert(i, job),
            }
        }
        self.records_generation += 1;
        self.generation += 1;
    }

    /// Replaces everything with a fresh read of the library (after the engine (re)started).
    pub fn replace_all(&mut self, mut jobs: Vec<JobRecord>) {
        jobs.sort_by_key(|j| std::cmp::Reverse(j.id));
        self.jobs = jobs;
        self.images.clear();
        self.images_used.clear();
        self.asked.clear();
        self.wanted.clear();
        self.missing.get_mut().clear();
        self.jobs_asked.get_mut().clear();
        self.gone.clear();
        self.records_generation += 1;
        self.generation += 1;
        self.loaded = true;
    }

    /// Stores a job's new record; returns its previous state (`None` for a job not seen before).
    pub fn upsert(&mut self, job: JobRecord) -> Option<JobState> {
        self.records_generation += 1;
        self.generation += 1;
        let (id, succeeded) = (job.id, job.state == JobState::Succeeded);
        let previous = match self.position(job.id) {
            Ok(i) => Some(std::mem::replace(&mut self.jobs[i], job).state),
            Err(i) => {
                self.jobs.insert(i, job);
                None
            }
        };
        if succeeded && previous != Some(JobState::Succeeded) {
            // Its last results have just been saved.
            self.refresh_images(id);
        }
        previous
    }

    /// Takes a job out (moved to the Trash).
    pub fn remove(&mut self, id: i64) {
        if let Ok(index) = self.position(id) {
            self.jobs.remove(index);
            self.records_generation += 1;
            self.generation += 1;
        }
    }

    /// Reads the job's files again. What is drawn stays until the answer arrives, so a grid shown while
    /// the splits were downloading does not blink when the job succeeds.
    fn refresh_images(&mut self, id: i64) {
        if !self.images.contains_key(&id) {
            // Not read yet (or the read is on its way): the next draw asks.
            self.asked.remove(&id);
        } else if !self.wanted.contains(&id) {
            self.wanted.push(id);
        }
    }

    pub fn running(&self) -> usize {
        self.jobs.iter().filter(|j| !j.state.is_final()).count()
    }

    /// The jobs waiting to be sent (every unfinished job is in the list).
    pub fn queued(&self) -> Vec<i64> {
        self.jobs
            .iter()
            .filter(|j| j.state == JobState::Queued)
            .map(|j| j.id)
            .collect()
    }

    /// The second charges of job `id` (TTAPI ran its request twice), oldest first.
    pub fn second_charges(&self, id: i64) -> Vec<&JobRecord> {
        let mut found: Vec<&JobRecord> = self
            .jobs
            .iter()
            .filter(|j| j.duplicate_of == Some(id))
            .collect();
        found.sort_by_key(|j| j.id);
        found
    }

    /// The jobs made from `id`, oldest first.
    pub fn children(&self, id: i64) -> Vec<&JobRecord> {
        let mut children: Vec<&JobRecord> = self
            .jobs
            .iter()
            .filter(|j| j.parent_id == Some(id))
            .collect();
        children.reverse();
        children
    }

    /// The whole family of a job: from its oldest ancestor here, every descendant depth-first, oldest child
    /// first, as (depth, id). One pass over the list, so the job view asks it once per change, not per frame.
    pub fn family(&self, id: i64) -> Vec<(usize, i64)> {
        let mut root = id;
        let mut seen = HashSet::from([id]);
        while let Some(parent) = self.peek(root).and_then(|job| job.parent_id) {
            // A parent outside the list (trashed) ends the walk; a loop in damaged rows would too.
            if self.peek(parent).is_none() || !seen.insert(parent) {
                break;
            }
            root = parent;
        }
        let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
        for job in &self.jobs {
            if let Some(parent) = job.parent_id {
                children.entry(parent).or_default().push(job.id);
            }
        }
        let mut family = Vec::new();
        let mut stack = vec![(0, root)];
        let mut visited = HashSet::new();
        while let Some((depth, node)) = stack.pop() {
            if !visited.insert(node) {
                continue;
            }
            family.push((depth, node));
            // The list is newest first: pushed as they come, the oldest child is taken first.
            for &child in children.get(&node).into_iter().flatten() {
                stack.push((depth + 1, child));
            }
        }
        family
    }

    /// The feed: unfinished jobs first, then the newest `finished_limit` finished ones; indices into the list.
    pub fn feed(&self, finished_limit: usize) -> Vec<usize> {
        let running = (0..self.jobs.len()).filter(|&i| !self.jobs[i].state.is_final());
        let finished = (0..self.jobs.len())
            .filter(|&i| self.jobs[i].state.is_final())
            .take(finished_limit);
        running.chain(finished).collect()
    }

    /// The newest `limit` jobs of a kind.
    pub fn recent_of_kind(&self, kind: JobKind, limit: usize) -> Vec<&JobRecord> {
        self.jobs
            .iter()
            .filter(|j| j.kind == kind)
            .take(limit)
            .collect()
    }

    /// Distinct imagine prompts, newest first.
    pub fn prompt_history(&self, limit: usize) -> Vec<String> {
        let mut seen = HashSet::new();
        self.jobs
            .iter()
            .filter(|j| j.kind == JobKind::Imagine && !j.prompt.trim().is_empty())
            .filter(|j| seen.insert(j.prompt.trim()))
            .take(limit)
            .map(|j| j.prompt.trim().to_owned())
            .collect()
    }

    /// The image files of a finished (or downloading) job here, or `None` until the engine has answered
    /// (the first call asks).
    pub fn images(&mut self, job_id: i64) -> Option<&[ImageFile]> {
        let has_files = self.get(job_id).is_some_and(has_files);
        self.images_if(job_id, has_files)
    }

    /// The same for a job as a page of the gallery read it, which need not be here.
    pub fn images_of(&mut self, job: &JobRecord) -> Option<&[ImageFile]> {
        let fresher = self.peek(job.id).unwrap_or(job);
        let has_files = has_files(fresher);
        self.images_if(job.id, has_files)
    }

    fn images_if(&mut self, job_id: i64, has_files: bool) -> Option<&[ImageFile]> {
        if has_files {
            self.asks += 1;
            self.images_used.insert(job_id, self.asks);
        }
        if !self.images.contains_key(&job_id) && has_files && self.asked.insert(job_id) {
            self.wanted.push(job_id);
        }
        self.images.get(&job_id).map(Vec::as_slice)
    }

    /// The main image of a job: its grid or single result, else its first input.
    pub fn main_image(&mut self, job_id: i64) -> Option<&ImageFile> {
        main_of(self.images(job_id)?)
    }

    /// The same for a job as a page of the gallery read it.
    pub fn main_image_of(&mut self, job: &JobRecord) -> Option<&ImageFile> {
        main_of(self.images_of(job)?)
    }

    /// The jobs whose images were asked for since the last call; the caller sends one engine command.
    pub fn take_wanted(&mut self) -> Vec<i64> {
        std::mem::take(&mut self.wanted)
    }

    /// The engine could not take the request: ask again on a later frame.
    pub fn unask(&mut self, job_ids: &[i64]) {
        for id in job_ids {
            self.asked.remove(id);
        }
    }

    pub fn set_images(&mut self, job_id: i64, files: Vec<ImageFile>) {
        self.images.insert(job_id, files);
        if self.images.len() > IMAGES_KEPT {
            self.forget_oldest_images();
        }
        self.generation += 1;
    }

    /// Forgets the image records of the quarter of the jobs drawn longest ago.
    fn forget_oldest_images(&mut self) {
        let mut used: Vec<(u64, i64)> = self
            .images
            .keys()
            .map(|id| (self.images_used.get(id).copied().unwrap_or(0), *id))
            .collect();
        used.sort_unstable();
        for (_, id) in used.into_iter().take(IMAGES_KEPT / 4) {
            self.images.remove(&id);
            self.images_used.remove(&id);
            self.asked.remove(&id);
        }
    }
}

fn has_files(job: &JobRecord) -> bool {
    matches!(job.state, JobState::Succeeded | JobState::Downloading) || has_inputs(job.kind)
}

fn main_of(images: &[ImageFile]) -> Option<&ImageFile> {
    images
        .iter()
        .find(|i| matches!(i.record.role, ImageRole::Grid | ImageRole::Upscale))
        .or(images.first())
}

/// Jobs whose input files (blend and describe sources, inpaint masks) exist before they succeed.
fn has_inputs(kind: JobKind) -> bool {
    matches!(kind, JobKind::Blend | JobKind::Describe | JobKind::Inpaint)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn job(id: i64, kind: JobKind, state: JobState, prompt: &str) -> JobRecord {
        crate::library::sample_job(id, kind, state, prompt)
    }

    fn list() -> JobList {
        let mut list = JobList::default();
        list.replace_all(vec![
            job(1, JobKind::Imagine, JobState::Succeeded, "a red fox"),
            job(3, JobKind::Imagine, JobState::Failed, "bannedword cat"),
            job(2, JobKind::Action, JobState::Succeeded, "a red fox"),
            job(4, JobKind::Imagine, JobState::Running, "Blue Whale"),
        ]);
        list
    }

    /// "Nothing yet" and the first-run examples wait for the library's answer: a cold library of
    /// 100,000 jobs took 2 s to read its newest jobs while the machine was busy.
    #[test]
    fn an_empty_list_means_an_empty_library_only_once_the_library_answered() {
        let mut list = JobList::default();
        assert!(list.is_empty() && !list.loaded());
        list.replace_all(Vec::new());
        assert!(list.is_empty() && list.loaded());
    }

    #[test]
    fn jobs_are_kept_newest_first_and_updates_report_the_previous_state() {
        let mut list = list();
        let ids: Vec<i64> = list.jobs.iter().map(|j| j.id).collect();
        assert_eq!(ids, [4, 3, 2, 1]);
        assert_eq!(
            list.upsert(job(4, JobKind::Imagine, JobState::Succeeded, "Blue Whale")),
            Some(JobState::Running)
        );
        assert_eq!(
            list.upsert(job(5, JobKind::Imagine, JobState::Queued, "new")),
            None
        );
        assert_eq!(list.at(0).id, 5);
        assert_eq!(list.get(4).map(|j| j.state), Some(JobState::Succeeded));
        assert_eq!(list.running(), 1);
    }

    #[test]
    fn the_feed_puts_unfinished_jobs_first_then_the_newest_finished() {
        let list = list();
        let feed: Vec<i64> = list.feed(2).iter().map(|&i| list.at(i).id).collect();
        assert_eq!(feed, [4, 3, 2]);
    }

    #[test]
    fn a_job_not_here_is_asked_for_once_and_known_gone_when_the_library_lacks_it() {
        let mut list = list();
        assert!(list.get(9).is_none() && list.get(9).is_none() && list.get(8).is_none());
        assert!(list.peek(7).is_none(), "peeking asks for nothing");
        assert_eq!(list.take_missing(), [9, 8], "each asked once");
        assert!(list.take_missing().is_empty());
        list.add_read(
            &[9, 8],
            vec![job(9, JobKind::Imagine, JobState::Succeeded, "old")],
        );
        assert_eq!(list.get(9).map(|j| j.prompt.as_str()), Some("old"));
        assert!(!list.gone(9) && list.gone(8), "8 was trashed meanwhile");
        let ids: Vec<i64> = list.jobs.iter().map(|j| j.id).collect();
        assert_eq!(ids, [9, 4, 3, 2, 1], "still newest first");
    }

    #[test]
    fn image_records_of_jobs_drawn_longest_ago_are_forgotten_past_the_cap() {
        let mut list = JobList::default();
        let finished = |id| job(id, JobKind::Imagine, JobState::Succeeded, "");
        for id in 0..IMAGES_KEPT as i64 + 1 {
            assert!(
                list.images_of(&finished(id)).is_none(),
                "asked, not read yet"
            );
        }
        assert_eq!(list.take_wanted().len(), IMAGES_KEPT + 1);
        // Job 0 is drawn again before the answers come: it is the most recently used.
        let _ = list.images_of(&finished(0));
        for id in 0..IMAGES_KEPT as i64 + 1 {
            list.set_images(id, Vec::new());
        }
        assert!(list.images.len() <= IMAGES_KEPT);
        assert!(list.images_of(&finished(0)).is_some(), "kept: drawn last");
        assert!(
            list.images_of(&finished(1)).is_none(),
            "forgotten: drawn first"
        );
        assert_eq!(list.take_wanted(), [1], "and asked for again");
    }

    #[test]
    fn lineage_and_history_come_from_the_list() {
        let mut list = list();
        let mut child = job(7, JobKind::Action, JobState::Succeeded, "a red fox");
        child.parent_id = Some(1);
        list.upsert(child);
        let mut older_child = job(6, JobKind::Action, JobState::Succeeded, "a red fox");
        older_child.parent_id = Some(1);
        list.upsert(older_child);
        let children: Vec<i64> = list.children(1).iter().map(|j| j.id).collect();
        assert_eq!(children, [6, 7]);
        let mut grandchild = job(8, JobKind::Action, JobState::Succeeded, "a red fox");
        grandchild.parent_id = Some(6);
        list.upsert(grandchild);
        let tree = [(0, 1), (1, 6), (2, 8), (1, 7)];
        assert_eq!(
            list.family(8),
            tree,
            "from the root, depth first, oldest first"
        );
        assert_eq!(list.family(1), tree);
        assert_eq!(list.family(2), [(0, 2)], "a job alone is its own family");
        assert_eq!(
            list.prompt_history(10),
            ["Blue Whale", "bannedword cat", "a red fox"]
        );
    }

    #[test]
    fn images_are_asked_for_once_and_again_after_the_job_succeeds() {
        let mut list = list();
        assert!(list.images(1).is_none());
        assert!(list.images(1).is_none());
        assert!(
            list.images(4).is_none(),
            "a running imagine has no images yet"
        );
        assert_eq!(list.take_wanted(), [1]);
        assert!(list.take_wanted().is_empty());
        list.set_images(1, Vec::new());
        assert_eq!(list.images(1).map(<[_]>::len), Some(0));
        list.upsert(job(4, JobKind::Imagine, JobState::Succeeded, "Blue Whale"));
        assert!(list.images(4).is_none());
        assert_eq!(list.take_wanted(), [4]);
        list.unask(&[4]);
        assert!(list.images(4).is_none());
        assert_eq!(list.take_wanted(), [4], "a refused request is asked again");
    }

    #[test]
    fn a_downloading_job_shows_its_saved_images_without_blinking_when_it_succeeds() {
        let mut list = list();
        list.upsert(job(
            4,
            JobKind::Imagine,
            JobState::Downloading,
            "Blue Whale",
        ));
        assert!(list.images(4).is_none());
        assert_eq!(list.take_wanted(), [4], "its saved images are asked for");
        list.set_images(4, Vec::new());
        list.upsert(job(4, JobKind::Imagine, JobState::Succeeded, "Blue Whale"));
        assert!(list.images(4).is_some(), "no blink when it succeeds");
        assert_eq!(list.take_wanted(), [4], "and read once more");
        list.upsert(job(5, JobKind::Imagine, JobState::Succeeded, "never drawn"));
        assert!(
            list.take_wanted().is_empty(),
            "a job nobody drew is not read"
        );
    }
}
