//! The spend ledger at 100,000 priced jobs (every one inside the Account window's 120 days, each with its
//! own prompt, some failed): what the engine does when the Account window opens (`Library::ledger` and
//! `domain::spend::report`), when prices are learned (`Library::recent_charges` and `PriceBook::learn`),
//! and the CSV export. `cargo bench --bench spend` prints the median and worst of a few runs of each.

use std::time::{Duration, Instant};

mod common;

use moodgrid::domain::pricing::{PriceBook, PriceTable};
use moodgrid::domain::spend;
use moodgrid::library::{JobState, JobUpdate, Library};

const JOBS: usize = 100_000;
const RUNS: usize = 5;

fn timed<T>(name: &str, mut work: impl FnMut() -> T) -> T {
    let mut samples: Vec<Duration> = Vec::with_capacity(RUNS);
    let mut last = None;
    for _ in 0..RUNS {
        let started = Instant::now();
        last = Some(work());
        samples.push(started.elapsed());
    }
    samples.sort();
    println!(
        "  {name:<44} median {:>8.1} ms   worst {:>8.1} ms",
        samples[RUNS / 2].as_secs_f64() * 1e3,
        samples[RUNS - 1].as_secs_f64() * 1e3
    );
    last.expect("RUNS > 0")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let library = Library::open(dir.path())?;
    let started = Instant::now();
    for n in 0..JOBS {
        let prompt = format!(
            "a lantern in the rain, study {n} --ar 3:2 --v {}",
            6 + n % 2
        );
        let job = library.insert_job(&common::imagine_job(prompt))?;
        let failed = n % 50 == 0;
        library.update_job(
            job.id,
            &JobUpdate {
                remote_id: Some(format!("spend-{n}")),
                quota: Some(if n % 3 == 0 { 3.0 } else { 2.0 }),
                message: failed.then(|| "[Banned prompt detected] no".to_owned()),
                ..JobUpdate::transition(
                    JobState::Queued,
                    if failed {
                        JobState::Failed
                    } else {
                        JobState::Succeeded
                    },
                )
            },
        )?;
    }
    println!(
        "{JOBS} priced jobs (written in {:.1} s)",
        started.elapsed().as_secs_f64()
    );
    let now = moodgrid::library::now_ms();
    let since = now - 120 * 86_400_000;
    let ledger = timed("Library::ledger (120 days)", || library.ledger(since))?;
    let report = timed("spend::report (chart, spenders, totals)", || {
        spend::report(ledger.clone(), now, 3600)
    });
    timed("Account window's whole answer", || {
        library.ledger(since).map(|l| spend::report(l, now, 3600))
    })?;
    let charges = timed("Library::recent_charges", || library.recent_charges())?;
    timed("PriceBook::learn", || {
        PriceBook::learn(PriceTable::default(), charges.clone())
    });
    let csv = timed("CSV of the ledger", || spend::to_csv(&report.ledger, 3600))?;
    println!(
        "  ({} ledger rows, {} spenders shown, {:.1} MB of CSV, {} quota spent)",
        report.ledger.len(),
        report.spenders.len(),
        csv.len() as f64 / 1e6,
        report.spent
    );
    Ok(())
}
