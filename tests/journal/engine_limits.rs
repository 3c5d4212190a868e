//! The engine's patience: a full queue (HTTP 499) pauses submissions instead of failing them, and a job is
//! given up only once its own timeout plus the margin has passed and one more fetch says it still runs.

use std::collections::HashSet;
use std::time::Duration;

use moodgrid::domain::Mode;
use moodgrid::engine::{EngineHandle, Event, NewSubmission, Timing};
use moodgrid::library::{FailureKind, JobRecord, JobState, Library};
use moodgrid::sim::{SimConfig, Simulator};

use super::{sim_running_for, start_engine};

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

/// Submits one job, waits until TTAPI has it, stops the engine, and moves the job's send an hour back
/// (longer than 300 s and the margin): a deadline that passed while nobody could look. Returns the job.
fn sent_an_hour_ago(sim: &Simulator, dir: &std::path::Path, prompt: &str) -> JobRecord {
    let mut engine = start_engine(
        sim.base_url(),
        dir,
        Timing::scaled(Duration::from_millis(30)),
    );
    let job = engine
        .submit_blocking(NewSubmission::Imagine {
            prompt: prompt.into(),
            mode: Mode::Fast,
            timeout: Some(300),
        })
        .unwrap();
    let running = loop {
        if let Some(Event::JobChanged(j)) = engine.recv_blocking()
            && j.id == job.id
            && j.remote_id.is_some()
        {
            break *j;
        }
    };
    drop(engine);
    let db = rusqlite::Connection::open(dir.join(moodgrid::library::DATABASE_FILE)).unwrap();
    let an_hour_ago = moodgrid::library::now_ms() - 3_600_000;
    db.execute(
        "UPDATE jobs SET submitted_at = ?1 WHERE id = ?2",
        rusqlite::params![an_hour_ago, running.id],
    )
    .unwrap();
    running
}

/// Waits (up to 30 s) until the simulator itself says every job it has succeeded (its painting takes a
/// while under load).
fn until_succeeded_at_the_service(sim: &Simulator) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !sim.jobs().iter().all(|j| j.status == "SUCCESS") {
        assert!(
            std::time::Instant::now() < deadline,
            "the service never finished"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Resumes the library and follows `job` to its end.
fn resumed_until_final(sim: &Simulator, dir: &std::path::Path, job: i64) -> JobRecord {
    let mut engine = start_engine(
        sim.base_url(),
        dir,
        Timing::scaled(Duration::from_millis(30)),
    );
    let resumed = engine.resume_blocking().unwrap();
    assert_eq!(resumed.driving.len(), 1);
    until_final(&mut engine, HashSet::from([job])).remove(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_past_its_timeout_and_margin_is_abandoned_not_polled_forever() {
    let sim = sim_running_for(Duration::from_secs(600)).await;
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_owned();
    let ended = tokio::task::block_in_place(|| {
        let running = sent_an_hour_ago(&sim, &dir, "a very slow job");
        resumed_until_final(&sim, &dir, running.id)
    });
    assert_eq!(ended.state, JobState::Abandoned);
    // Moodgrid gave up, not TTAPI: it says what it saw, in its own words.
    assert_eq!(ended.failure_kind, Some(FailureKind::Unavailable));
    assert!(!ended.message_by_service);
    let message = ended.message.clone().unwrap();
    assert!(
        message.starts_with("Moodgrid stopped waiting: ")
            && message.contains("its 300 s timeout and a 120 s margin")
            && message.contains("TTAPI still had it running ("),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadline_that_passed_unseen_is_fetched_once_more_and_a_finished_job_saved() {
    // The job finishes at TTAPI while no Moodgrid runs; when one resumes, the deadline has long passed.
    let sim = sim_running_for(Duration::from_millis(600)).await;
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_owned();
    let ended = tokio::task::block_in_place(|| {
        let running = sent_an_hour_ago(&sim, &dir, "finished while nobody looked");
        until_succeeded_at_the_service(&sim);
        resumed_until_final(&sim, &dir, running.id)
    });
    assert_eq!(ended.state, JobState::Succeeded, "{:?}", ended.message);
    assert_eq!(sim.accepted_submissions(), 1);
    let library = Library::open(data.path()).unwrap();
    assert_eq!(library.images(ended.id).unwrap().len(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_abandoned_job_that_ttapi_finished_after_all_is_saved_by_fetch() {
    let sim = sim_running_for(Duration::from_secs(6)).await;
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_owned();
    let saved = tokio::task::block_in_place(|| {
        let running = sent_an_hour_ago(&sim, &dir, "finished after Moodgrid gave up");
        let ended = resumed_until_final(&sim, &dir, running.id);
        assert_eq!(ended.state, JobState::Abandoned, "{:?}", ended.message);
        until_succeeded_at_the_service(&sim);
        let mut engine = start_engine(
            sim.base_url(),
            &dir,
            Timing::scaled(Duration::from_millis(30)),
        );
        let fetched = engine.fetch_blocking(running.id).unwrap();
        assert_eq!(fetched.state, JobState::Running, "taken up again");
        until_final(&mut engine, HashSet::from([running.id])).remove(0)
    });
    assert_eq!(saved.state, JobState::Succeeded, "{:?}", saved.message);
    assert_eq!(sim.accepted_submissions(), 1, "fetched, never sent again");
    let library = Library::open(data.path()).unwrap();
    assert_eq!(library.images(saved.id).unwrap().len(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_image_gone_from_the_cdn_ends_the_job_once_and_download_again_saves_it() {
    use moodgrid::sim::FaultConfig;
    // TTAPI finished the job, but its CDN answers 404 for the grid.
    let sim = Simulator::start(SimConfig {
        faults: FaultConfig {
            gone_images: Some(404),
            ..FaultConfig::default()
        },
        ..SimConfig::fast()
    })
    .await
    .unwrap();
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_owned();
    let timing = Timing::scaled(Duration::from_millis(30));
    let (failed, resumed, saved) = tokio::task::block_in_place(|| {
        let mut engine = start_engine(sim.base_url(), &dir, timing.clone());
        let job = engine
            .submit_blocking(NewSubmission::Imagine {
                prompt: "a fox whose grid the CDN lost".into(),
                mode: Mode::Fast,
                timeout: None,
            })
            .unwrap();
        let failed = until_final(&mut engine, HashSet::from([job.id])).remove(0);
        // Ended, it is no job for a resume: nothing downloads it again and again.
        let resumed = engine.resume_blocking().unwrap();
        // The CDN has the file again (or TTAPI's fresh answer points elsewhere): Download again.
        sim.set_faults(FaultConfig::default());
        let asked = engine.fetch_blocking(job.id).unwrap();
        assert_eq!(asked.state, JobState::Running, "taken up again");
        let saved = until_final(&mut engine, HashSet::from([job.id])).remove(0);
        (failed, resumed, saved)
    });
    assert_eq!(failed.state, JobState::Failed);
    assert_eq!(failed.failure_kind, Some(FailureKind::Job));
    let message = failed.message.clone().unwrap_or_default();
    assert!(
        message.starts_with("TTAPI's image is gone (HTTP 404)"),
        "{message}"
    );
    assert!(!failed.message_by_service, "Moodgrid's words, not TTAPI's");
    assert!(failed.remote_id.is_some(), "its TTAPI id is kept");
    assert!(
        resumed.driving.is_empty() && resumed.following.is_empty(),
        "{resumed:?}"
    );
    let library = Library::open(data.path()).unwrap();
    let spent: Vec<f64> = library
        .ledger(0)
        .unwrap()
        .iter()
        .map(|e| e.spent())
        .collect();
    assert_eq!(spent, [2.0], "TTAPI charged it: not counted as refunded");
    assert_eq!(saved.state, JobState::Succeeded, "{:?}", saved.message);
    assert_eq!(library.images(saved.id).unwrap().len(), 5);
    assert_eq!(sim.accepted_submissions(), 1, "fetched, never sent again");
}
