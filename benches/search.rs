//! The library's full-text search at 10,000 and 100,000 jobs: each kind of query the gallery and
//! `moodgrid search` send (a word, a prefix, a phrase, a word with an exclusion, exclusions only, a TTAPI id),
//! timed in the library, at the gallery's limit (20,000 jobs) and the CLI's (20). The jobs are written by the
//! real library code with prompts drawn from a vocabulary, so words match from a few jobs to a third of them.
//! Then the gallery's own reads at each size: a page of 100 jobs for a filter (with the listing's count, or
//! its jobs per day as the tiles ask), at the top and at the bottom of the listing, a new search's first
//! page, and the shapes and models in use. Then 10,000 of them moved
//! to the Trash and emptied. `cargo bench --bench search` prints median and p95 per query, and the Trash's
//! times.

use std::time::{Duration, Instant};

mod common;

use moodgrid::domain::prompt::Orientation;
use moodgrid::domain::search::SearchQuery;
use moodgrid::library::{
    AspectFilter, Counting, JobKind, JobQuery, JobState, JobUpdate, Library, Sort, SortColumn,
};

const SIZES: [usize; 2] = [10_000, 100_000];
const RUNS: usize = 40;
const SUBJECTS: [&str; 12] = [
    "lighthouse",
    "harbour",
    "fox",
    "teapot",
    "bakery",
    "cathedral",
    "orchid",
    "robot",
    "glacier",
    "violin",
    "lantern",
    "meadow",
];
const STYLES: [&str; 6] = [
    "oil painting",
    "film grain",
    "clay render",
    "watercolour wash",
    "studio lighting",
    "ink drawing",
];
const QUERIES: [&str; 6] = [
    "lighthouse",
    "ligh*",
    "\"oil painting\"",
    "fox -watercolour",
    "-lighthouse -harbour",
    "bench-4242",
];

fn prompt(n: usize) -> String {
    format!(
        "a {} at dusk, {}, study {n} --ar 3:2",
        SUBJECTS[n % SUBJECTS.len()],
        STYLES[(n / SUBJECTS.len()) % STYLES.len()]
    )
}

fn write_jobs(library: &Library, from: usize, to: usize) -> Result<(), Box<dyn std::error::Error>> {
    for n in from..to {
        let job = library.insert_job(&common::imagine_job(prompt(n)))?;
        library.update_job(
            job.id,
            &JobUpdate {
                remote_id: Some(format!("bench-{n}")),
                ..JobUpdate::transition(JobState::Queued, JobState::Succeeded)
            },
        )?;
    }
    Ok(())
}

fn millis(samples: &mut [Duration], p: f64) -> f64 {
    samples.sort();
    samples[((samples.len() - 1) as f64 * p) as usize].as_secs_f64() * 1e3
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let library = Library::open(dir.path())?;
    let mut written = 0;
    for size in SIZES {
        let started = Instant::now();
        write_jobs(&library, written, size)?;
        written = size;
        println!(
            "\n{size} jobs (written in {:.1} s)",
            started.elapsed().as_secs_f64()
        );
        for limit in [20_000, 20] {
            for typed in QUERIES {
                let query = SearchQuery::parse(typed);
                let mut samples = Vec::with_capacity(RUNS);
                let mut found = 0;
                for _ in 0..RUNS {
                    let started = Instant::now();
                    found = library.search(&query, &Default::default(), limit)?.len();
                    samples.push(started.elapsed());
                }
                println!(
                    "  limit {limit:>6}  {typed:<24} {found:>6} found   median {:>7.2} ms   p95 {:>7.2} ms",
                    millis(&mut samples, 0.5),
                    millis(&mut samples, 0.95)
                );
            }
        }
        gallery_reads(&library)?;
    }
    // The Trash at the same size: 10,000 of the 100,000 jobs moved there, then emptied (rows, events and
    // the index; these jobs have no image files, so this is the database's share of the work).
    let ids: Vec<i64> = (1..=10_000).collect();
    let started = Instant::now();
    let trashed = library.trash_jobs(&ids)?.trashed.len();
    let moved = started.elapsed();
    let started = Instant::now();
    let emptied = library.empty_trash()?;
    println!(
        "\nTrash: {trashed} jobs moved in {:.0} ms; emptied ({} jobs) in {:.0} ms",
        moved.as_secs_f64() * 1e3,
        emptied.jobs,
        started.elapsed().as_secs_f64() * 1e3
    );
    Ok(())
}

/// The reads behind the gallery's tiles and list (`Library::list_jobs`: the listing's count, the library's
/// size and 100 jobs), for the filters a designer sets, at the top of the listing and at its bottom; and the
/// filter menus' shapes and models (`Library::in_use`).
fn gallery_reads(library: &Library) -> Result<(), Box<dyn std::error::Error>> {
    let found = library.search(&SearchQuery::parse("ligh*"), &Default::default(), 20_000)?;
    let found: std::collections::HashSet<i64> = found.iter().map(|hit| hit.id).collect();
    let one = library.search(
        &SearchQuery::parse("study 4242"),
        &Default::default(),
        20_000,
    )?;
    let one: std::collections::HashSet<i64> = one.iter().map(|hit| hit.id).collect();
    let queries = [
        ("every job", JobQuery::default()),
        (
            "4 stars or more",
            JobQuery {
                min_rating: 4,
                ..JobQuery::default()
            },
        ),
        (
            "imagine, succeeded",
            JobQuery {
                kind: Some(JobKind::Imagine),
                state: moodgrid::library::StateFilter::Succeeded,
                ..JobQuery::default()
            },
        ),
        (
            "landscape (prompt read)",
            JobQuery {
                aspect: AspectFilter::Orientation(Orientation::Landscape),
                ..JobQuery::default()
            },
        ),
        (
            "found by `ligh*`",
            JobQuery {
                only: Some(std::sync::Arc::new(found)),
                ..JobQuery::default()
            },
        ),
        (
            "found by `study 4242`",
            JobQuery {
                only: Some(std::sync::Arc::new(one)),
                ..JobQuery::default()
            },
        ),
    ];
    let sorts = [
        ("newest first", Sort::default()),
        (
            "by prompt",
            Sort {
                column: SortColumn::Prompt,
                descending: false,
            },
        ),
    ];
    for (name, query) in &queries {
        // The tiles' first answer: their first page, the listing's total and its jobs per day (the day
        // headings), from one walk.
        let listing = moodgrid::library::Listing {
            query: query.clone(),
            sort: Sort::default(),
            offset: 0,
            limit: 100,
        };
        let by_day = Counting::ByDay { utc_offset_s: 3600 };
        let mut samples = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            let started = Instant::now();
            std::hint::black_box(library.list_page(&listing, by_day)?);
            samples.push(started.elapsed());
        }
        println!(
            "  tiles        {name:<24} newest first top+days          median {:>7.2} ms   p95 {:>7.2} ms",
            millis(&mut samples, 0.5),
            millis(&mut samples, 0.95)
        );
        if let Some(only) = &query.only {
            // A new search: its hits written to the lookup table before the first page (two sets in
            // turn, so that each run writes).
            let other: std::collections::HashSet<i64> = only.iter().skip(1).copied().collect();
            let sets = [only.clone(), std::sync::Arc::new(other)];
            let mut samples = Vec::with_capacity(RUNS);
            for run in 0..RUNS {
                let listing = moodgrid::library::Listing {
                    query: JobQuery {
                        only: Some(sets[run % 2].clone()),
                        ..query.clone()
                    },
                    ..listing.clone()
                };
                let started = Instant::now();
                std::hint::black_box(library.list_page(&listing, Counting::Nothing)?);
                samples.push(started.elapsed());
            }
            println!(
                "  new search   {name:<24} newest first top              median {:>7.2} ms   p95 {:>7.2} ms",
                millis(&mut samples, 0.5),
                millis(&mut samples, 0.95)
            );
        }
        for (sort_name, sort) in sorts {
            let total = library
                .list_jobs(query, sort, 0, 1)?
                .counts
                .map_or(0, |counts| counts.total);
            let bottom = total.saturating_sub(100);
            for (place, offset, counting) in [
                ("top", 0, Counting::Nothing),
                ("top+count", 0, Counting::Jobs),
                ("bottom", bottom, Counting::Nothing),
            ] {
                let mut samples = Vec::with_capacity(RUNS);
                for _ in 0..RUNS {
                    let started = Instant::now();
                    let listing = moodgrid::library::Listing {
                        query: query.clone(),
                        sort,
                        offset,
                        limit: 100,
                    };
                    std::hint::black_box(library.list_page(&listing, counting)?);
                    samples.push(started.elapsed());
                }
                println!(
                    "  page of 100  {name:<24} {sort_name:<12} {place:<9} {total:>6} listed   median {:>7.2} ms   p95 {:>7.2} ms",
                    millis(&mut samples, 0.5),
                    millis(&mut samples, 0.95)
                );
            }
        }
    }
    let mut samples = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        std::hint::black_box(library.in_use()?);
        samples.push(started.elapsed());
    }
    println!(
        "  shapes and models in use                              median {:>7.2} ms   p95 {:>7.2} ms",
        millis(&mut samples, 0.5),
        millis(&mut samples, 0.95)
    );
    Ok(())
}
