//! The engine's patience: a full queue (HTTP 499) pauses submissions instead of failing them, and a job is
//! given up only once its own timeout plus the margin has passed.

use std::collections::HashSet;
use std::time::Duration;

use moodgrid::domain::Mode;
use moodgrid::engine::{EngineHandle, Event, NewSubmission, Timing};
use moodgrid::library::{FailureKind, JobRecord, JobState, Library};
use moodgrid::sim::{SimConfig, Simulator};

use super::start_engine;

/// Follows events until every job in `open` is final; returns the last record of each.
fn until_final(engine: &mut EngineHandle, mut open: HashSet<i64>) -> Vec<JobRecord> {
    let mut done = Vec::new();
    while !open.is_empty() {
        match engine.recv_blocking().unwrap() {
            Event::JobChanged(job) if job.state.is_final() && open.remove(&job.id) => {
                done.push(*job)
            }
            Event::Stalled {
                job_id, message, ..
            } => panic!("job {job_id} stalled: {message}"),
            _ => {}
        }
    }
    done
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_pauses_submissions_and_every_job_still_runs_once() {
    // The account allows two jobs at a time; the engine is asked for five at once.
    let sim = Simulator::start(SimConfig {
        max_in_progress: 2,
        run_time: Duration::from_millis(300),
        ..SimConfig::fast()
    })
    .await
    .unwrap();
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_owned();
    let base = sim.base_url();
    let jobs = tokio::task::spawn_blocking(move || {
        let mut engine = start_engine(base, &dir, Timing::scaled(Duration::from_millis(30)));
        let open = (0..5)
            .map(|i| {
                let submission = NewSubmission::Imagine {
                    prompt: format!("queue test {i}"),
                    mode: Mode::Fast,
                    timeout: None,
                };
                engine.submit_blocking(submission).unwrap().id
            })
            .collect();
        until_final(&mut engine, open)
    })
    .await
    .unwrap();
    assert!(
        jobs.iter().all(|j| j.state == JobState::Succeeded),
        "{jobs:?}"
    );
    assert_eq!(sim.accepted_submissions(), 5, "each job charged once");
    let library = Library::open(data.path()).unwrap();
    let paused = jobs.iter().any(|j| {
        library
            .events(j.id)
            .unwrap()
            .iter()
            .any(|(_, detail)| detail.contains("queue is full"))
    });
    assert!(paused, "at least one submission met the 499 and waited");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_past_its_timeout_and_margin_is_abandoned_not_polled_forever() {
    let sim = Simulator::start(SimConfig {
        run_time: Duration::from_secs(600),
        ..SimConfig::fast()
    })
    .await
    .unwrap();
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_owned();
    let mut engine = tokio::task::block_in_place(|| {
        start_engine(
            sim.base_url(),
            &dir,
            Timing::scaled(Duration::from_millis(30)),
        )
    });
    let job = tokio::task::block_in_place(|| {
        engine
            .submit_blocking(NewSubmission::Imagine {
                prompt: "a very slow job".into(),
                mode: Mode::Fast,
                timeout: Some(300),
            })
            .unwrap()
    });
    // Wait until it runs, then pretend it was submitted an hour ago (longer than 300 s + the margin).
    let running = tokio::task::block_in_place(|| {
        loop {
            if let Some(Event::JobChanged(j)) = engine.recv_blocking()
                && j.id == job.id
                && j.remote_id.is_some()
            {
                break *j;
            }
        }
    });
    // Stopping the engine joins its thread: not on an async worker.
    tokio::task::block_in_place(|| drop(engine));
    let db =
        rusqlite::Connection::open(data.path().join(moodgrid::library::DATABASE_FILE)).unwrap();
    let an_hour_ago = moodgrid::library::now_ms() - 3_600_000;
    db.execute(
        "UPDATE jobs SET submitted_at = ?1 WHERE id = ?2",
        rusqlite::params![an_hour_ago, running.id],
    )
    .unwrap();
    drop(db);
    let mut engine = tokio::task::block_in_place(|| {
        start_engine(
            sim.base_url(),
            &dir,
            Timing::scaled(Duration::from_millis(30)),
        )
    });
    let resumed = tokio::task::block_in_place(|| engine.resume_blocking().unwrap());
    assert_eq!(resumed.driving.len(), 1);
    let ended =
        tokio::task::block_in_place(|| until_final(&mut engine, HashSet::from([running.id])));
    assert_eq!(ended[0].state, JobState::Abandoned);
    assert_eq!(ended[0].failure_kind, Some(FailureKind::Job));
    assert!(
        ended[0]
            .message
            .as_deref()
            .unwrap()
            .contains("no result from TTAPI within 420 s"),
        "{:?}",
        ended[0].message
    );
    tokio::task::block_in_place(|| drop(engine));
}
