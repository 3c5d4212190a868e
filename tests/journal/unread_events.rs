//! A window that is minimised reads no events (eframe stops drawing it): the engine must not wait for it.
//! Jobs are sent, polled, downloaded and saved while nobody reads, for longer than their own timeout.

use std::time::{Duration, Instant};

use moodgrid::domain::Mode;
use moodgrid::engine::{Event, NewSubmission, Timing};
use moodgrid::library::{JobState, Library};

use super::{assert_saved, sim_running_for, start_engine};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_engine_nobody_reads_from_finishes_every_job_with_its_images_and_one_submission() {
    let sim = sim_running_for(Duration::from_millis(1_000)).await;
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_owned();
    // Each job is given up 12 s after it was sent (its 300 s timeout and the 120 s margin, scaled); it
    // runs 1 s at the service, polled every 10 ms: some 400 changes in all, more than the 256 events the
    // engine once queued before it waited for a reader. Nobody reads for 14 s.
    let timing = Timing {
        timeout_scale: 12.0 / 420.0,
        ..Timing::scaled(Duration::from_millis(10))
    };
    let deadline = timing.give_up_after(300);
    let unread_for = Duration::from_secs(14);
    assert!(unread_for > deadline);
    let prompts: Vec<String> = (0..4).map(|n| format!("nobody is looking {n}")).collect();
    let (mut engine, ids) = tokio::task::block_in_place(|| {
        let engine = start_engine(sim.base_url(), &dir, timing);
        let ids: Vec<i64> = prompts
            .iter()
            .map(|prompt| {
                engine
                    .submit_blocking(NewSubmission::Imagine {
                        prompt: prompt.clone(),
                        mode: Mode::Fast,
                        timeout: None,
                    })
                    .unwrap()
                    .id
            })
            .collect();
        (engine, ids)
    });
    // The window is minimised: its events pile up unread. What counts is what the library holds.
    let library = Library::open(data.path()).unwrap();
    let started = Instant::now();
    loop {
        let jobs = library.jobs_by_id(&ids).unwrap();
        if jobs.iter().all(|j| j.state.is_final()) || started.elapsed() > unread_for {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(unread_for.saturating_sub(started.elapsed())).await;
    assert_saved(&library, &library.jobs_by_id(&ids).unwrap());
    assert_eq!(sim.accepted_submissions(), 4, "each job sent once");
    // Shown again, the window learns where each job ended: its newest record, not every step.
    let told = tokio::task::block_in_place(|| {
        let mut told = std::collections::HashMap::new();
        while let Some(event) = engine.recv_timeout(Duration::from_millis(200)) {
            if let Event::JobChanged(job) = event {
                told.insert(job.id, job.state);
            }
        }
        told
    });
    for id in &ids {
        assert_eq!(told.get(id), Some(&JobState::Succeeded), "#{id}: {told:?}");
    }
    tokio::task::block_in_place(|| drop(engine));
}
