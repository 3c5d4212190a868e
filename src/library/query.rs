//! Which jobs a view lists, and in what order, as the database answers it: a filter ([`JobQuery`]: kind,
//! state, mode, stars, flag, dates, shape, model, parameters, and the ids a search or the boards gave) that
//! becomes SQL over the listing indexes, a page at a time, in the order the view sorts by. What a prompt
//! says (shape, model, flags used) is read by the Rust prompt readers, registered as SQL functions, and
//! stored beside the job by triggers (migration 9), so every filter is answered from an index alone. The
//! same filter in memory (`JobQuery::admits`, test-only) is what the tests hold the SQL to.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::rc::Rc;
use std::sync::Arc;

use rusqlite::functions::FunctionFlags;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

#[cfg(test)]
use super::Flag;
use super::jobs::{JOB_COLUMNS, job_from_row, states_sql};
use super::{JobKind, JobParams, JobRecord, JobState, Library, LibraryError};
use crate::domain::Mode;
use crate::domain::prompt::{Orientation, PromptParam, aspect_ratio, model_version, reduced_ratio};

/// Which jobs to list. Every part set must hold; the default lists every job not in the Trash.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobQuery {
    pub kind: Option<JobKind>,
    pub state: StateFilter,
    pub mode: Option<Mode>,
    pub min_rating: u8,
    pub flag: FlagFilter,
    /// `created_at` from the first (included) to the second (excluded), Unix ms.
    pub created: Option<(i64, i64)>,
    pub aspect: AspectFilter,
    /// A model as [`model_version`] names it (`--v 7`, `--niji 6`).
    pub version: Option<String>,
    /// Parameters the prompt must have, every one of them.
    pub uses: BTreeSet<PromptParam>,
    /// Only these jobs (a search's hits, the jobs on a board), when set.
    pub only: Option<Arc<HashSet<i64>>>,
    /// None of these jobs (those on a board, for "on no board"), when set.
    pub except: Option<Arc<HashSet<i64>>>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StateFilter {
    #[default]
    All,
    Running,
    Succeeded,
    Failed,
}

impl StateFilter {
    pub const ALL: [StateFilter; 4] = [
        StateFilter::All,
        StateFilter::Running,
        StateFilter::Succeeded,
        StateFilter::Failed,
    ];

    pub fn label(self) -> &'static str {
        match self {
            StateFilter::All => "Any state",
            StateFilter::Running => "Running",
            StateFilter::Succeeded => "Succeeded",
            StateFilter::Failed => "Failed",
        }
    }

    /// As SQL over `jobs.state`; `None` when it keeps every state.
    fn sql(self) -> Option<String> {
        match self {
            StateFilter::All => None,
            _ => Some(format!(
                "state IN ({})",
                states_sql(|state| self.admits(state))
            )),
        }
    }

    fn admits(self, state: JobState) -> bool {
        match self {
            StateFilter::All => true,
            StateFilter::Running => !state.is_final(),
            StateFilter::Succeeded => state == JobState::Succeeded,
            StateFilter::Failed => state.is_final() && state != JobState::Succeeded,
        }
    }
}

/// Which flags the gallery shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagFilter {
    #[default]
    Any,
    Picked,
    Rejected,
    Unflagged,
    /// Everything but the rejects: what culling leaves.
    NotRejected,
}

impl FlagFilter {
    pub const ALL: [FlagFilter; 5] = [
        FlagFilter::Any,
        FlagFilter::Picked,
        FlagFilter::NotRejected,
        FlagFilter::Rejected,
        FlagFilter::Unflagged,
    ];

    pub fn label(self) -> &'static str {
        match self {
            FlagFilter::Any => "Any flag",
            FlagFilter::Picked => "Picked",
            FlagFilter::Rejected => "Rejected",
            FlagFilter::Unflagged => "Unflagged",
            FlagFilter::NotRejected => "Not rejected",
        }
    }

    /// As SQL over `jobs.flag`; `None` when it keeps every flag.
    fn sql(self) -> Option<&'static str> {
        match self {
            FlagFilter::Any => None,
            FlagFilter::Picked => Some("flag = 'pick'"),
            FlagFilter::Rejected => Some("flag = 'reject'"),
            FlagFilter::Unflagged => Some("flag IS NULL"),
            FlagFilter::NotRejected => Some("(flag IS NULL OR flag != 'reject')"),
        }
    }

    #[cfg(test)]
    fn admits(self, flag: Option<Flag>) -> bool {
        match self {
            FlagFilter::Any => true,
            FlagFilter::Picked => flag == Some(Flag::Pick),
            FlagFilter::Rejected => flag == Some(Flag::Reject),
            FlagFilter::Unflagged => flag.is_none(),
            FlagFilter::NotRejected => flag != Some(Flag::Reject),
        }
    }
}

/// A picture's shape: which way it stands, or one exact ratio in lowest terms.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AspectFilter {
    #[default]
    Any,
    Orientation(Orientation),
    Exact(u32, u32),
}

impl AspectFilter {
    pub fn label(self) -> String {
        match self {
            AspectFilter::Any => "Any shape".into(),
            AspectFilter::Orientation(orientation) => orientation.label().into(),
            AspectFilter::Exact(w, h) => format!("{w}:{h}"),
        }
    }

    #[cfg(test)]
    fn admits(self, ratio: Option<(u32, u32)>) -> bool {
        match (self, ratio) {
            (AspectFilter::Any, _) => true,
            (_, None) => false,
            (AspectFilter::Orientation(wanted), Some(ratio)) => Orientation::of(ratio) == wanted,
            (AspectFilter::Exact(w, h), Some(ratio)) => ratio == (w, h),
        }
    }
}

/// The ratio of a job's pictures in lowest terms: a blend's chosen shape, else the prompt's `--ar`, else
/// Midjourney's square; `None` for jobs that make no picture (describe, seed).
#[cfg(test)]
fn job_ratio(job: &JobRecord) -> Option<(u32, u32)> {
    ratio_of(job.kind, &job.prompt, job.params.as_ref().ok())
}

fn ratio_of(kind: JobKind, prompt: &str, params: Option<&JobParams>) -> Option<(u32, u32)> {
    if let Some(JobParams::Blend { dimensions, .. }) = params {
        return Some(reduced_ratio(dimensions.ratio()));
    }
    match kind {
        JobKind::Describe | JobKind::Seed => None,
        _ => Some(reduced_ratio(aspect_ratio(prompt).unwrap_or((1, 1)))),
    }
}

impl JobQuery {
    /// Whether the job is one the query lists, in memory: what the tests hold the SQL to.
    #[cfg(test)]
    pub fn admits(&self, job: &JobRecord) -> bool {
        job.trashed_at.is_none()
            && self.kind.is_none_or(|kind| kind == job.kind)
            && self.state.admits(job.state)
            && self.mode.is_none_or(|mode| job.mode == Some(mode))
            && job.rating >= self.min_rating
            && self.flag.admits(job.flag)
            && self
                .created
                .is_none_or(|(start, end)| (start..end).contains(&job.created_at))
            && self.only.as_ref().is_none_or(|ids| ids.contains(&job.id))
            && self.except.as_ref().is_none_or(|ids| !ids.contains(&job.id))
            // Last: these read the prompt.
            && self.aspect.admits(job_ratio(job))
            && self
                .version
                .as_ref()
                .is_none_or(|wanted| model_version(&job.prompt).as_ref() == Some(wanted))
            && self.uses.iter().all(|param| param.used_in(&job.prompt))
    }

    /// The index to count a listing's jobs from: a search's hits are looked up in the index by number, fewer
    /// entries than the walk of the whole listing would visit; any other listing walks the newest-first
    /// one. Each holds every column a filter reads.
    fn counted_from(&self) -> &'static str {
        if self.only.is_some() {
            "listed_by_id"
        } else {
            "listed_by_made"
        }
    }

    /// The index a page walks: its sort's, or for a search's few hits, the index by number (then sorted).
    /// Many hits walk the sort's index too: they are the newest jobs, so the first pages' walk is short,
    /// where looking up and sorting 20,000 hits costs the same for every page.
    fn paged_from(&self, sort: SortColumn) -> &'static str {
        match &self.only {
            Some(ids) if ids.len() <= FEW_IDS => "listed_by_id",
            _ => sort.index(),
        }
    }

    /// The same test as SQL over `jobs`, with its parameters.
    fn sql(&self) -> (String, Vec<Value>) {
        let mut conditions = vec!["trashed_at IS NULL".to_owned()];
        let mut values: Vec<Value> = Vec::new();
        let mut bind = |conditions: &mut Vec<String>, condition: &str, value: Value| {
            values.push(value);
            conditions.push(condition.replace('?', &format!("?{}", values.len())));
        };
        if let Some(kind) = self.kind {
            bind(
                &mut conditions,
                "kind = ?",
                Value::Text(kind.as_str().into()),
            );
        }
        if let Some(states) = self.state.sql() {
            conditions.push(states);
        }
        if let Some(mode) = self.mode {
            bind(
                &mut conditions,
                "mode = ?",
                Value::Text(mode.as_str().into()),
            );
        }
        if self.min_rating > 0 {
            bind(
                &mut conditions,
                "rating >= ?",
                Value::Integer(self.min_rating.into()),
            );
        }
        if let Some(flag) = self.flag.sql() {
            conditions.push(flag.into());
        }
        if let Some((start, end)) = self.created {
            bind(&mut conditions, "created_at >= ?", Value::Integer(start));
            bind(&mut conditions, "created_at < ?", Value::Integer(end));
        }
        // Looked up in the tables `Library::stage_ids` wrote them to.
        if self.only.is_some() {
            conditions.push(format!("id IN temp.{ONLY_TABLE}"));
        }
        if self.except.is_some() {
            conditions.push(format!("id NOT IN temp.{EXCEPT_TABLE}"));
        }
        // What the prompt says, as the prompt readers stored it (migration 9).
        match self.aspect {
            AspectFilter::Any => {}
            AspectFilter::Orientation(orientation) => bind(
                &mut conditions,
                "orientation = ?",
                Value::Text(orientation_name(orientation).into()),
            ),
            AspectFilter::Exact(w, h) => bind(
                &mut conditions,
                "shape = ?",
                Value::Text(format!("{w}:{h}")),
            ),
        }
        if let Some(version) = &self.version {
            bind(&mut conditions, "model = ?", Value::Text(version.clone()));
        }
        if !self.uses.is_empty() {
            let bits = self.uses.iter().fold(0, |bits, param| bits | param.bit());
            bind(&mut conditions, "uses & ? = ?", Value::Integer(bits));
        }
        (conditions.join(" AND "), values)
    }
}

/// A search's hits up to this many are paged by looking each up, more by walking the sort's index.
const FEW_IDS: usize = 1_000;

/// The temporary tables a listing's id sets are written to (`Library::stage_ids`).
const ONLY_TABLE: &str = "listed_only";
const EXCEPT_TABLE: &str = "listed_except";

/// The id sets last written to the connection's temporary tables. A search's 20,000 hits are written once
/// and then looked up there by every page, count and day heading of that search; bound to each query
/// (`rarray`), SQLite copied them into a lookup table of its own every time (~9 ms a page at 100,000
/// jobs).
#[derive(Default)]
pub(super) struct StagedIds {
    only: Option<Arc<HashSet<i64>>>,
    except: Option<Arc<HashSet<i64>>>,
}

/// Creates a connection's tables for [`StagedIds`]; they live as long as the connection.
pub(super) fn create_staging_tables(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(&format!(
        "PRAGMA temp_store = MEMORY;
         CREATE TEMP TABLE IF NOT EXISTS {ONLY_TABLE}(id INTEGER PRIMARY KEY);
         CREATE TEMP TABLE IF NOT EXISTS {EXCEPT_TABLE}(id INTEGER PRIMARY KEY);"
    ))
}

/// A column the list view sorts by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortColumn {
    #[default]
    Made,
    Prompt,
    Action,
    Mode,
    Quota,
    State,
    Rating,
}

impl SortColumn {
    pub const ALL: [SortColumn; 7] = [
        SortColumn::Made,
        SortColumn::Prompt,
        SortColumn::Action,
        SortColumn::Mode,
        SortColumn::Quota,
        SortColumn::State,
        SortColumn::Rating,
    ];

    fn sql(self) -> &'static str {
        match self {
            // The day headings group by it; a job another process wrote late still sits in its day.
            SortColumn::Made => "created_at",
            SortColumn::Prompt => "prompt COLLATE NOCASE",
            SortColumn::Action => "action",
            SortColumn::Mode => "mode",
            SortColumn::Quota => "quota",
            SortColumn::State => "state",
            SortColumn::Rating => "rating",
        }
    }

    /// The index over the listed jobs in this order (migration 8): a page is read by walking it, not by
    /// sorting the library.
    fn index(self) -> &'static str {
        match self {
            SortColumn::Made => "listed_by_made",
            SortColumn::Prompt => "listed_by_prompt",
            SortColumn::Action => "listed_by_action",
            SortColumn::Mode => "listed_by_mode",
            SortColumn::Quota => "listed_by_quota",
            SortColumn::State => "listed_by_state",
            SortColumn::Rating => "listed_by_rating",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sort {
    pub column: SortColumn,
    pub descending: bool,
}

impl Default for Sort {
    /// Newest first, as the gallery shows them.
    fn default() -> Sort {
        Sort {
            column: SortColumn::Made,
            descending: true,
        }
    }
}

/// A stretch of a listing: which jobs, in what order, from where, how many.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing {
    pub query: JobQuery,
    pub sort: Sort,
    pub offset: usize,
    pub limit: usize,
}

/// One page of a listing, and when counted, how many jobs the whole listing has and how many the library
/// lists at all.
#[derive(Debug, Clone, Default)]
pub struct JobPage {
    pub counts: Option<Counts>,
    pub offset: usize,
    pub jobs: Vec<JobRecord>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// The jobs the listing has.
    pub total: usize,
    /// Every job not in the Trash ("12 of 40,000 jobs").
    pub everything: usize,
    /// The listing's jobs on each day, newest first, when counted [`Counting::ByDay`].
    pub days: Vec<Day>,
}

/// What a page's answer counts besides its jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counting {
    /// Nothing: the counts change with the jobs, not with the page.
    Nothing,
    /// The listing's jobs and the library's.
    Jobs,
    /// The same, and the listing's jobs on each day (the gallery's day headings), a day at `utc_offset_s`
    /// seconds east of UTC: one walk of the listing gives both.
    ByDay { utc_offset_s: i64 },
}

impl Library {
    /// The jobs the query lists, sorted, from `offset`, at most `limit` of them; and how many there are.
    pub fn list_jobs(
        &self,
        query: &JobQuery,
        sort: Sort,
        offset: usize,
        limit: usize,
    ) -> Result<JobPage, LibraryError> {
        let listing = Listing {
            query: query.clone(),
            sort,
            offset,
            limit,
        };
        self.list_page(&listing, Counting::Jobs)
    }

    /// A page of a listing; counted only when asked, since the counts change with the jobs, not with the
    /// page.
    pub fn list_page(
        &self,
        listing: &Listing,
        counting: Counting,
    ) -> Result<JobPage, LibraryError> {
        let conn = self.conn();
        self.stage_ids(&conn, &listing.query)?;
        let ids = page_ids(&conn, listing)?;
        let counts = match counting {
            Counting::Nothing => None,
            Counting::Jobs => {
                let everything = count_everything(&conn)?;
                let total = if listing.query == JobQuery::default() {
                    everything
                } else {
                    count(&conn, &listing.query)?
                };
                Some(Counts {
                    total,
                    everything,
                    days: Vec::new(),
                })
            }
            Counting::ByDay { utc_offset_s } => {
                let days = days(&conn, &listing.query, utc_offset_s)?;
                Some(Counts {
                    total: days.iter().map(|day| day.jobs).sum(),
                    everything: count_everything(&conn)?,
                    days,
                })
            }
        };
        // The rows of the page's ids, put back in the listing's order.
        let mut statement = conn.prepare_cached(&format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE id IN rarray(?1)"
        ))?;
        let bound: Vec<Value> = ids.iter().map(|id| Value::Integer(*id)).collect();
        let mut rows: std::collections::HashMap<i64, JobRecord> = statement
            .query_map([Rc::new(bound)], job_from_row)?
            .map(|row| row.map(|job| (job.id, job)))
            .collect::<Result<_, _>>()?;
        let jobs = ids.iter().filter_map(|id| rows.remove(id)).collect();
        Ok(JobPage {
            counts,
            offset: listing.offset,
            jobs,
        })
    }

    /// The ids of the jobs `list_jobs` would hand out, without reading the jobs: a walk of the sort's
    /// index over the listed jobs, which reads no row.
    pub fn list_job_ids(&self, listing: &Listing) -> Result<Vec<i64>, LibraryError> {
        let conn = self.conn();
        self.stage_ids(&conn, &listing.query)?;
        page_ids(&conn, listing)
    }

    /// How many jobs the query lists on each day, newest day first, alone (the window asks for them with
    /// a page, `Counting::ByDay`). A day is `YYYY-MM-DD` at `utc_offset_s` seconds east of UTC.
    #[cfg(test)]
    pub fn days(&self, query: &JobQuery, utc_offset_s: i64) -> Result<Vec<Day>, LibraryError> {
        let conn = self.conn();
        self.stage_ids(&conn, query)?;
        days(&conn, query, utc_offset_s)
    }

    /// Writes the query's id sets to the temporary tables its SQL reads, unless they hold them already.
    fn stage_ids(&self, conn: &Connection, query: &JobQuery) -> Result<(), LibraryError> {
        let mut staged = self
            .staged
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let StagedIds { only, except } = &mut *staged;
        for (table, wanted, held) in [
            (ONLY_TABLE, &query.only, only),
            (EXCEPT_TABLE, &query.except, except),
        ] {
            let Some(wanted) = wanted else { continue };
            if held
                .as_ref()
                .is_some_and(|held| Arc::ptr_eq(held, wanted) || held == wanted)
            {
                continue;
            }
            // Forgotten first: a failure below leaves the table to be written again.
            *held = None;
            conn.execute(&format!("DELETE FROM temp.{table}"), [])?;
            // In order: a B-tree is written fastest by appending.
            let mut ids: Vec<i64> = wanted.iter().copied().collect();
            ids.sort_unstable();
            let ids: Vec<Value> = ids.into_iter().map(Value::Integer).collect();
            conn.execute(
                &format!("INSERT INTO temp.{table} SELECT value FROM rarray(?1)"),
                [Rc::new(ids)],
            )?;
            *held = Some(wanted.clone());
        }
        Ok(())
    }

    /// The exact shapes and the models the library's jobs use, most used first (the filter menus).
    pub fn in_use(&self) -> Result<InUse, LibraryError> {
        let conn = self.conn();
        let most_used_first = |column: &str, index: &str| -> Result<Vec<String>, LibraryError> {
            let mut statement = conn.prepare_cached(&most_used_sql(column, index))?;
            let values = statement
                .query_map([], |row| row.get(0))?
                .collect::<Result<_, _>>()?;
            Ok(values)
        };
        let shapes = most_used_first("shape", "used_shapes")?
            .iter()
            .filter_map(|ratio| {
                let (w, h) = ratio.split_once(':')?;
                Some((w.parse().ok()?, h.parse().ok()?))
            })
            .collect();
        let models = most_used_first("model", "used_models")?;
        Ok(InUse { shapes, models })
    }
}

/// The jobs a listing has on one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day {
    /// `YYYY-MM-DD`.
    pub day: String,
    pub jobs: usize,
}

/// The exact shapes and the models in use, most used first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InUse {
    pub shapes: Vec<(u32, u32)>,
    pub models: Vec<String>,
}

/// The ids of a listing's page, walking the sort's index over the listed jobs (named: SQLite would otherwise
/// take the Trash's index for `trashed_at IS NULL`, which every listed job matches, and sort them all).
/// Every filter reads a column that index holds, so no row is read. Ties (equal ratings, equal modes) are
/// broken by number in the same direction, so pages never overlap and one index serves both directions.
fn ids_sql(listing: &Listing) -> (String, Vec<Value>) {
    let Listing {
        sort,
        offset,
        limit,
        ..
    } = *listing;
    let (condition, mut values) = listing.query.sql();
    let direction = if sort.descending { "DESC" } else { "ASC" };
    for bound in [limit, offset] {
        values.push(Value::Integer(i64::try_from(bound).unwrap_or(i64::MAX)));
    }
    let (limit_at, offset_at) = (values.len() - 1, values.len());
    let sql = format!(
        "SELECT id FROM jobs INDEXED BY {} WHERE {condition} \
         ORDER BY {} {direction}, id {direction} LIMIT ?{limit_at} OFFSET ?{offset_at}",
        listing.query.paged_from(sort.column),
        sort.column.sql()
    );
    (sql, values)
}

/// A column's values among the listed jobs, most used first, walking its own index (migration 10) in the
/// column's order: no job is sorted, only the values.
fn most_used_sql(column: &str, index: &str) -> String {
    format!(
        "SELECT {column} FROM jobs INDEXED BY {index} WHERE trashed_at IS NULL AND {column} IS NOT NULL \
         GROUP BY {column} ORDER BY count(*) DESC, {column}"
    )
}

/// How many jobs the query lists.
fn count_sql(query: &JobQuery) -> (String, Vec<Value>) {
    counting_sql(query, "count(*)")
}

/// When each of a search's hits was made, in no order: their day headings count them.
fn hit_times_sql(query: &JobQuery) -> (String, Vec<Value>) {
    counting_sql(query, "created_at")
}

/// The two steps of a walk of the listing by day, newest first, with their parameters after the query's:
/// the newest listed job made before `?before`, and how many listed jobs were made from `?start` to
/// `?before` (the first binds the query's values and `before`; the second those and `start`).
fn day_walk_sql(query: &JobQuery) -> ([String; 2], Vec<Value>) {
    let (condition, values) = query.sql();
    let (before, start) = (values.len() + 1, values.len() + 2);
    let newest = format!(
        "SELECT created_at FROM jobs INDEXED BY listed_by_made WHERE {condition} \
         AND created_at < ?{before} ORDER BY created_at DESC LIMIT 1"
    );
    let count = format!(
        "SELECT count(*) FROM jobs INDEXED BY listed_by_made WHERE {condition} \
         AND created_at >= ?{start} AND created_at < ?{before}"
    );
    ([newest, count], values)
}

/// `SELECT what` over every job the query lists, from the index it is counted from.
fn counting_sql(query: &JobQuery, what: &str) -> (String, Vec<Value>) {
    let (condition, values) = query.sql();
    let sql = format!(
        "SELECT {what} FROM jobs INDEXED BY {} WHERE {condition}",
        query.counted_from()
    );
    (sql, values)
}

/// The ids of a listing's page; its id sets staged.
fn page_ids(conn: &Connection, listing: &Listing) -> Result<Vec<i64>, LibraryError> {
    let (sql, values) = ids_sql(listing);
    let mut statement = conn.prepare_cached(&sql)?;
    let ids = statement
        .query_map(rusqlite::params_from_iter(values.iter()), |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(ids)
}

/// How many jobs the query lists; its id sets staged.
fn count(conn: &Connection, query: &JobQuery) -> Result<usize, LibraryError> {
    let (sql, values) = count_sql(query);
    let mut statement = conn.prepare_cached(&sql)?;
    let count: i64 =
        statement.query_row(rusqlite::params_from_iter(values.iter()), |row| row.get(0))?;
    Ok(usize::try_from(count).unwrap_or(0))
}

/// Every job not in the Trash: the table's size less the Trash's, both of which SQLite knows without
/// visiting each job (a walk of the listing index took 4-6 ms at 100,000 jobs).
fn count_everything(conn: &Connection) -> Result<usize, LibraryError> {
    let mut statement = conn.prepare_cached(
        "SELECT (SELECT count(*) FROM jobs) - (SELECT count(*) FROM jobs WHERE trashed_at IS NOT NULL)",
    )?;
    let count: i64 = statement.query_row([], |row| row.get(0))?;
    Ok(usize::try_from(count).unwrap_or(0))
}

/// How many jobs the query lists on each day, newest day first; its id sets staged.
fn days(conn: &Connection, query: &JobQuery, utc_offset_s: i64) -> Result<Vec<Day>, LibraryError> {
    let days = if query.only.is_some() {
        hits_by_day(conn, query, utc_offset_s)?
    } else {
        walk_by_day(conn, query, utc_offset_s)?
    };
    Ok(days
        .into_iter()
        .filter_map(|(day, jobs)| {
            let date = jiff::civil::date(1970, 1, 1)
                .checked_add(jiff::Span::new().try_days(day).ok()?)
                .ok()?;
            Some(Day {
                day: date.to_string(),
                jobs,
            })
        })
        .collect())
}

/// The day (days since 1970-01-01) a moment in Unix ms falls on, `utc_offset_s` seconds east of UTC.
fn local_day(created_at: i64, utc_offset_s: i64) -> i64 {
    (created_at.div_euclid(1000) + utc_offset_s).div_euclid(86_400)
}

/// A listing's jobs per day, newest first, a day at a time down the newest-first index: the newest listed
/// job names a day and SQLite counts that day's listed jobs. No job is handed out one by one (stepping
/// 100,000 rows out of SQLite cost ~10 ms of the day headings' 13 at 100,000 jobs).
fn walk_by_day(
    conn: &Connection,
    query: &JobQuery,
    utc_offset_s: i64,
) -> Result<Vec<(i64, usize)>, LibraryError> {
    let ([newest_sql, count_sql], values) = day_walk_sql(query);
    let mut newest = conn.prepare_cached(&newest_sql)?;
    let mut count = conn.prepare_cached(&count_sql)?;
    let mut days = Vec::new();
    let mut before = i64::MAX;
    loop {
        let before_value = Value::Integer(before);
        let bound = values.iter().chain([&before_value]);
        let Some(made): Option<i64> = newest
            .query_row(rusqlite::params_from_iter(bound), |row| row.get(0))
            .optional()?
        else {
            break;
        };
        let day = local_day(made, utc_offset_s);
        let start = day
            .saturating_mul(86_400)
            .saturating_sub(utc_offset_s)
            .saturating_mul(1000);
        let start_value = Value::Integer(start);
        let bound = values.iter().chain([&before_value, &start_value]);
        let jobs: i64 = count.query_row(rusqlite::params_from_iter(bound), |row| row.get(0))?;
        days.push((day, usize::try_from(jobs).unwrap_or(0)));
        before = start;
    }
    Ok(days)
}

/// A search's hits per day, newest first: each looked up by number and grouped here.
fn hits_by_day(
    conn: &Connection,
    query: &JobQuery,
    utc_offset_s: i64,
) -> Result<Vec<(i64, usize)>, LibraryError> {
    let (sql, values) = hit_times_sql(query);
    let mut statement = conn.prepare_cached(&sql)?;
    let mut rows = statement.query(rusqlite::params_from_iter(values.iter()))?;
    let mut days: BTreeMap<i64, usize> = BTreeMap::new();
    while let Some(row) = rows.next()? {
        *days
            .entry(local_day(row.get(0)?, utc_offset_s))
            .or_default() += 1;
    }
    Ok(days.into_iter().rev().collect())
}

fn orientation_name(orientation: Orientation) -> &'static str {
    match orientation {
        Orientation::Portrait => "portrait",
        Orientation::Square => "square",
        Orientation::Landscape => "landscape",
    }
}

/// Makes the prompt readers known to SQL on a connection: `mg_ratio(kind, prompt, params)` ("16:9" or
/// NULL), `mg_orientation(kind, prompt, params)`, `mg_model(prompt)`, `mg_uses(prompt)` (the
/// [`PromptParam::bit`]s). Migration 9's triggers call them on every write of a job's prompt, so every
/// connection that writes jobs registers them first (the `sqlite3` shell can read a library, not write jobs).
pub(super) fn register_functions(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    let ratio = |ctx: &rusqlite::functions::Context<'_>| -> rusqlite::Result<Option<(u32, u32)>> {
        let kind: JobKind = match ctx.get::<String>(0)?.parse() {
            Ok(kind) => kind,
            Err(_) => return Ok(None),
        };
        let prompt: String = ctx.get(1)?;
        // Only a blend's shape is in its parameters; nothing else pays for reading them.
        let params = (kind == JobKind::Blend)
            .then(|| ctx.get::<String>(2).ok())
            .flatten()
            .and_then(|text| JobParams::from_stored(&text).ok());
        Ok(ratio_of(kind, &prompt, params.as_ref()))
    };
    conn.create_scalar_function("mg_ratio", 3, flags, move |ctx| {
        Ok(ratio(ctx)?.map(|(w, h)| format!("{w}:{h}")))
    })?;
    conn.create_scalar_function("mg_orientation", 3, flags, move |ctx| {
        Ok(ratio(ctx)?.map(|ratio| orientation_name(Orientation::of(ratio))))
    })?;
    conn.create_scalar_function("mg_model", 1, flags, |ctx| {
        Ok(model_version(&ctx.get::<String>(0)?))
    })?;
    conn.create_scalar_function("mg_uses", 1, flags, |ctx| {
        Ok(PromptParam::bits_used_in(&ctx.get::<String>(0)?))
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::BlendDimensions;
    use crate::library::NewJob;
    use crate::library::jobs::tests::new_job;

    /// A library of varied jobs: every kind of prompt, state, mode, rating, flag and age the filters tell
    /// apart, some in the Trash.
    fn varied_library(rng: &mut fastrand::Rng) -> (tempfile::TempDir, Library, Vec<JobRecord>) {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path()).unwrap();
        let words = [
            "--ar 16:9",
            "--ar 32:18",
            "--ar 2:3",
            "--ar 1:1",
            "--v 7",
            "--v 6.1",
            "--niji 6",
            "--sref 12",
            "--cref x",
            "--oref y",
            "--tile",
            "--seed 5",
            "fox",
            "harbour",
        ];
        let states = [
            "succeeded",
            "failed",
            "running",
            "queued",
            "rejected",
            "unconfirmed",
        ];
        for n in 0..120 {
            let prompt: Vec<&str> = (0..rng.usize(0..4))
                .map(|_| words[rng.usize(..words.len())])
                .collect();
            let prompt = format!("job {n} {}", prompt.join(" "));
            let new = if rng.u8(..6) == 0 {
                let dimensions = [
                    BlendDimensions::Portrait,
                    BlendDimensions::Square,
                    BlendDimensions::Landscape,
                ][rng.usize(..3)];
                NewJob {
                    params: JobParams::Blend {
                        dimensions,
                        mode: Mode::Fast,
                    },
                    action: "blend".into(),
                    prompt: String::new(),
                    ..new_job("")
                }
            } else {
                new_job(&prompt)
            };
            let id = library.insert_job(&new).unwrap().id;
            let conn = library.conn();
            let kind = ["imagine", "action", "describe", "seed", "inpaint"][rng.usize(..5)];
            let kind = if new.action == "blend" { "blend" } else { kind };
            let flag = [None, Some("pick"), Some("reject")][rng.usize(..3)];
            let mode = [None, Some("fast"), Some("relax"), Some("turbo")][rng.usize(..4)];
            let trashed = (rng.u8(..10) == 0).then_some(1_i64);
            conn.execute(
                "UPDATE jobs SET kind = ?2, state = ?3, mode = ?4, rating = ?5, flag = ?6, quota = ?7, \
                 created_at = ?8, trashed_at = ?9 WHERE id = ?1",
                rusqlite::params![
                    id,
                    kind,
                    states[rng.usize(..states.len())],
                    mode,
                    rng.u8(0..=5),
                    flag,
                    f64::from(rng.u8(0..4)),
                    // About three and a half days, so the jobs fall on several.
                    rng.i64(0..10_000) * 30_000,
                    trashed
                ],
            )
            .unwrap();
        }
        let all = {
            let conn = library.conn();
            let mut statement = conn
                .prepare(&format!(
                    "SELECT {JOB_COLUMNS} FROM jobs ORDER BY created_at DESC, id DESC"
                ))
                .unwrap();
            statement
                .query_map([], job_from_row)
                .unwrap()
                .collect::<Result<Vec<_>, _>>()
                .unwrap()
        };
        (dir, library, all)
    }

    fn random_query(rng: &mut fastrand::Rng) -> JobQuery {
        let mut query = JobQuery::default();
        let sometimes = |rng: &mut fastrand::Rng| rng.u8(..3) == 0;
        if sometimes(rng) {
            query.kind =
                Some([JobKind::Imagine, JobKind::Blend, JobKind::Describe][rng.usize(..3)]);
        }
        if sometimes(rng) {
            query.state = StateFilter::ALL[rng.usize(..StateFilter::ALL.len())];
        }
        if sometimes(rng) {
            query.mode = Some(Mode::ALL[rng.usize(..3)]);
        }
        if sometimes(rng) {
            query.min_rating = rng.u8(0..=5);
        }
        if sometimes(rng) {
            query.flag = FlagFilter::ALL[rng.usize(..FlagFilter::ALL.len())];
        }
        if sometimes(rng) {
            let start = rng.i64(0..10_000) * 30_000;
            query.created = Some((start, start + rng.i64(0..5_000) * 30_000));
        }
        if sometimes(rng) {
            query.aspect = match rng.u8(..4) {
                0 => AspectFilter::Exact(16, 9),
                1 => AspectFilter::Exact(2, 3),
                n => AspectFilter::Orientation(Orientation::ALL[usize::from(n) % 3]),
            };
        }
        if sometimes(rng) {
            query.version = Some(["--v 7", "--v 6.1", "--niji 6"][rng.usize(..3)].into());
        }
        if sometimes(rng) {
            query
                .uses
                .insert(PromptParam::ALL[rng.usize(..PromptParam::ALL.len())]);
        }
        if sometimes(rng) {
            let some: HashSet<i64> = (0..40).map(|_| rng.i64(1..=120)).collect();
            // And half the time, ids of no job (a search's hit trashed since).
            let gone = rng.bool().then_some(1000..3000);
            query.only = Some(Arc::new(
                some.into_iter().chain(gone.into_iter().flatten()).collect(),
            ));
        }
        if sometimes(rng) {
            query.except = Some(Arc::new((0..40).map(|_| rng.i64(1..=120)).collect()));
        }
        query
    }

    #[test]
    fn the_database_and_the_window_keep_the_same_jobs_for_every_filter() {
        let mut rng = fastrand::Rng::with_seed(20);
        let (_dir, library, all) = varied_library(&mut rng);
        let mut nonempty = 0;
        for _ in 0..400 {
            let query = random_query(&mut rng);
            let in_memory: Vec<i64> = all
                .iter()
                .filter(|job| query.admits(job))
                .map(|job| job.id)
                .collect();
            let page = library.list_jobs(&query, Sort::default(), 0, 1000).unwrap();
            let listed: Vec<i64> = page.jobs.iter().map(|job| job.id).collect();
            assert_eq!(listed, in_memory, "{query:?}");
            assert_eq!(page.counts.map(|c| c.total), Some(in_memory.len()));
            nonempty += usize::from(!listed.is_empty());
        }
        assert!(nonempty > 100, "the queries found something: {nonempty}");
    }

    #[test]
    fn ids_and_the_shapes_and_models_in_use_agree_with_the_jobs() {
        let mut rng = fastrand::Rng::with_seed(22);
        let (_dir, library, all) = varied_library(&mut rng);
        for _ in 0..50 {
            let query = random_query(&mut rng);
            let sort = Sort {
                column: SortColumn::Rating,
                descending: rng.bool(),
            };
            let page = library.list_jobs(&query, sort, 3, 40).unwrap();
            let ids: Vec<i64> = page.jobs.iter().map(|job| job.id).collect();
            let listing = Listing {
                query: query.clone(),
                sort,
                offset: 3,
                limit: 40,
            };
            assert_eq!(library.list_job_ids(&listing).unwrap(), ids);
            // The days, an hour east of UTC, in the listing's order, as many jobs as it has.
            let mut days: Vec<Day> = Vec::new();
            for job in all.iter().filter(|job| query.admits(job)) {
                let seconds = job.created_at.div_euclid(1000) + 3600;
                let day = jiff::Timestamp::from_second(seconds)
                    .unwrap()
                    .to_zoned(jiff::tz::TimeZone::UTC)
                    .date()
                    .to_string();
                match days.last_mut() {
                    Some(last) if last.day == day => last.jobs += 1,
                    _ => days.push(Day { day, jobs: 1 }),
                }
            }
            assert_eq!(library.days(&query, 3600).unwrap(), days, "{query:?}");
            // The gallery takes its total from the same walk.
            let counts = library
                .list_page(&listing, Counting::ByDay { utc_offset_s: 3600 })
                .unwrap()
                .counts
                .unwrap();
            assert_eq!(counts.days, days);
            assert_eq!(counts.total, days.iter().map(|day| day.jobs).sum::<usize>());
            assert_eq!(
                counts.everything,
                all.iter().filter(|job| job.trashed_at.is_none()).count()
            );
        }
        let listed: Vec<&JobRecord> = all.iter().filter(|j| j.trashed_at.is_none()).collect();
        let in_use = library.in_use().unwrap();
        let ratios: HashSet<(u32, u32)> = listed.iter().filter_map(|j| job_ratio(j)).collect();
        let models: HashSet<String> = listed
            .iter()
            .filter_map(|j| model_version(&j.prompt))
            .collect();
        assert_eq!(
            in_use.shapes.iter().copied().collect::<HashSet<_>>(),
            ratios
        );
        assert_eq!(
            in_use.models.iter().cloned().collect::<HashSet<_>>(),
            models
        );
        let count = |ratio: (u32, u32)| {
            listed
                .iter()
                .filter(|j| job_ratio(j) == Some(ratio))
                .count()
        };
        assert!(
            in_use
                .shapes
                .windows(2)
                .all(|pair| count(pair[0]) >= count(pair[1])),
            "most used first: {:?}",
            in_use.shapes
        );
    }

    /// At 100,000 jobs a row read per job walked is what made a filtered count or a deep page cost 36-340 ms:
    /// every filter, in every order, must be answered by its listing index alone, and a search's hits counted
    /// by looking each up in the index by number.
    #[test]
    fn every_filter_in_every_order_reads_one_index_and_no_row() {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path()).unwrap();
        let query = JobQuery {
            kind: Some(JobKind::Imagine),
            state: StateFilter::Succeeded,
            mode: Some(Mode::Fast),
            min_rating: 3,
            flag: FlagFilter::NotRejected,
            created: Some((1, 2)),
            aspect: AspectFilter::Orientation(Orientation::Landscape),
            version: Some("--v 7".into()),
            uses: PromptParam::ALL.into_iter().collect(),
            only: None,
            except: Some(Arc::new(HashSet::from([3]))),
        };
        let exact = JobQuery {
            aspect: AspectFilter::Exact(16, 9),
            ..query.clone()
        };
        let found = JobQuery {
            only: Some(Arc::new((1..=5000).collect())),
            ..query.clone()
        };
        let plan = |(sql, values): (String, Vec<Value>)| -> String {
            let conn = library.conn();
            let mut statement = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let steps: Vec<String> = statement
                .query_map(rusqlite::params_from_iter(values.iter()), |row| row.get(3))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            steps.join("\n")
        };
        let reads_only = |plan: String, index: &str, sorted: bool| {
            assert!(
                plan.contains(&format!("USING COVERING INDEX {index}")),
                "{index}:\n{plan}"
            );
            assert!(
                !plan
                    .lines()
                    .any(|step| step.contains("jobs") && !step.contains("COVERING")),
                "no row read:\n{plan}"
            );
            assert_eq!(
                plan.contains("TEMP B-TREE FOR ORDER BY"),
                sorted,
                "sorted only when looked up by number:\n{plan}"
            );
        };
        let columns = SortColumn::ALL;
        for query in [&query, &exact, &found, &JobQuery::default()] {
            for column in columns {
                let listing = Listing {
                    query: query.clone(),
                    sort: Sort {
                        column,
                        descending: true,
                    },
                    offset: 5000,
                    limit: 100,
                };
                reads_only(plan(ids_sql(&listing)), column.index(), false);
            }
        }
        for query in [&query, &exact, &JobQuery::default()] {
            reads_only(plan(count_sql(query)), "listed_by_made", false);
            let ([newest, count], values) = day_walk_sql(query);
            let with = |extra: &[i64]| -> Vec<Value> {
                let extra = extra.iter().map(|bound| Value::Integer(*bound));
                values.iter().cloned().chain(extra).collect()
            };
            reads_only(plan((newest, with(&[2]))), "listed_by_made", false);
            reads_only(plan((count, with(&[2, 1]))), "listed_by_made", false);
        }
        reads_only(plan(count_sql(&found)), "listed_by_id", false);
        reads_only(plan(hit_times_sql(&found)), "listed_by_id", false);
        for (column, index) in [("shape", "used_shapes"), ("model", "used_models")] {
            let plan = plan((most_used_sql(column, index), Vec::new()));
            assert!(plan.contains(&format!("COVERING INDEX {index}")), "{plan}");
            assert!(
                !plan.contains("GROUP BY"),
                "grouped in the index's order:\n{plan}"
            );
        }
        // A few hits are looked up and sorted, whatever the order.
        let few = JobQuery {
            only: Some(Arc::new((1..=FEW_IDS as i64).collect())),
            ..query.clone()
        };
        for column in columns {
            let listing = Listing {
                query: few.clone(),
                sort: Sort {
                    column,
                    descending: false,
                },
                offset: 0,
                limit: 100,
            };
            let plan = plan(ids_sql(&listing));
            assert!(plan.contains("INDEX listed_by_id (id=?"), "{plan}");
        }
    }

    #[test]
    fn the_window_starts_with_the_newest_and_the_unfinished_and_reads_the_rest_on_request() {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path()).unwrap();
        let mut ids = Vec::new();
        for n in 0..8 {
            let parent_id = match n {
                // 0 ← 2 ← 5, 0 ← 3; 1 ← 4; the rest alone.
                2 | 3 => Some(ids[0]),
                4 => Some(ids[1]),
                5 => Some(ids[2]),
                _ => None,
            };
            let new = NewJob {
                parent_id,
                ..new_job(&format!("job {n}"))
            };
            ids.push(library.insert_job(&new).unwrap().id);
        }
        let conn = library.conn();
        conn.execute("UPDATE jobs SET state = 'succeeded'", [])
            .unwrap();
        conn.execute("UPDATE jobs SET state = 'running' WHERE id = ?1", [ids[1]])
            .unwrap();
        conn.execute("UPDATE jobs SET trashed_at = 1 WHERE id = ?1", [ids[7]])
            .unwrap();
        drop(conn);
        let read = |jobs: Vec<JobRecord>| {
            let mut ids: Vec<i64> = jobs.iter().map(|job| job.id).collect();
            ids.sort_unstable();
            ids
        };
        assert_eq!(
            read(library.window_jobs(2).unwrap()),
            [ids[1], ids[5], ids[6]],
            "the newest two not in the Trash, and the running one"
        );
        assert_eq!(
            read(library.jobs_by_id(&[ids[0], ids[7], 999]).unwrap()),
            [ids[0]],
            "trashed and unknown jobs are not read"
        );
        let family = [ids[0], ids[2], ids[3], ids[5]];
        for member in family {
            assert_eq!(read(library.family_jobs(member).unwrap()), family);
        }
        assert_eq!(read(library.family_jobs(ids[4]).unwrap()), [ids[1], ids[4]]);
        assert_eq!(read(library.family_jobs(ids[6]).unwrap()), [ids[6]]);
    }

    #[test]
    fn pages_follow_the_sort_without_gaps_or_repeats() {
        let mut rng = fastrand::Rng::with_seed(21);
        let (_dir, library, all) = varied_library(&mut rng);
        let listed = all.iter().filter(|job| job.trashed_at.is_none()).count();
        for column in SortColumn::ALL {
            for descending in [true, false] {
                let sort = Sort { column, descending };
                let mut seen = Vec::new();
                let mut offset = 0;
                loop {
                    let page = library
                        .list_jobs(&JobQuery::default(), sort, offset, 25)
                        .unwrap();
                    assert_eq!(page.counts.map(|c| c.total), Some(listed));
                    if page.jobs.is_empty() {
                        break;
                    }
                    offset += page.jobs.len();
                    seen.extend(page.jobs);
                }
                let ids: HashSet<i64> = seen.iter().map(|job| job.id).collect();
                assert_eq!((seen.len(), ids.len()), (listed, listed), "{sort:?}");
                if column == SortColumn::Rating {
                    let ratings: Vec<u8> = seen.iter().map(|job| job.rating).collect();
                    let mut sorted = ratings.clone();
                    sorted.sort_unstable();
                    if descending {
                        sorted.reverse();
                    }
                    assert_eq!(ratings, sorted);
                }
                if column == SortColumn::Prompt && !descending {
                    let prompts: Vec<String> =
                        seen.iter().map(|job| job.prompt.to_lowercase()).collect();
                    assert!(prompts.windows(2).all(|pair| pair[0] <= pair[1]));
                }
            }
        }
    }
}
