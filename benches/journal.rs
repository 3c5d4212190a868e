//! What the synced `submitting` record costs per submission: `Library::begin_submission` (queued →
//! submitting under `synchronous = FULL`, so the record is on disk before the request leaves) against the
//! same kind of guarded state change at the library's usual `synchronous = NORMAL` (`update_job`). Both on
//! a library in a temporary folder of the disk the tests use. Prints its figures:
//! `cargo bench --bench journal` (set `TMPDIR` to measure another disk).

use std::time::{Duration, Instant};

use moodgrid::domain::Mode;
use moodgrid::library::{JobParams, JobState, JobUpdate, LEASE, Library, NewJob, Owner};

const JOBS: usize = 300;

fn new_job(n: usize) -> NewJob {
    NewJob {
        backend: "bench".into(),
        params: JobParams::Imagine {
            prompt: format!("journal bench {n}"),
            mode: Mode::Fast,
            timeout: None,
        },
        action: "imagine".into(),
        prompt: format!("journal bench {n}"),
        mode: None,
        parent_id: None,
        timeout_secs: 300,
    }
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() - 1) as f64 * p) as usize]
}

fn report(name: &str, mut samples: Vec<Duration>) {
    let median = percentile(&mut samples, 0.5);
    let p95 = percentile(&mut samples, 0.95);
    println!(
        "{name:<44} median {:>7.3} ms   p95 {:>7.3} ms",
        median.as_secs_f64() * 1e3,
        p95.as_secs_f64() * 1e3
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let library = Library::open(dir.path())?;
    // Several engines may hold claims; one is enough to measure the write.
    let owner = Owner::new(None, LEASE);
    let mut synced = Vec::with_capacity(JOBS);
    let mut normal = Vec::with_capacity(JOBS);
    for n in 0..JOBS {
        let job = library.create_job(&new_job(n), Some(&owner), &[])?;
        let started = Instant::now();
        let submitting = library
            .begin_submission(job.id, &owner, usize::MAX, std::time::Duration::ZERO)?
            .ok_or("the cap refused a submission")?;
        synced.push(started.elapsed());
        let update = JobUpdate {
            owner: Some(owner.id.clone()),
            remote_id: Some(format!("bench-{n}")),
            ..JobUpdate::transition(submitting.state, JobState::Pending)
        };
        let started = Instant::now();
        library.update_job(job.id, &update)?;
        normal.push(started.elapsed());
    }
    println!("{JOBS} submissions, library in {}", dir.path().display());
    report("queued → submitting, synchronous=FULL", synced);
    report("submitting → pending, synchronous=NORMAL", normal);
    Ok(())
}
