//! A window's engine and a CLI command on the same library at once: the engine shows the CLI's job live
//! (its progress, read from the journal) without driving it, and takes it over when the CLI dies.

use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use moodgrid::engine::{Event, Timing};
use moodgrid::library::JobState;
use moodgrid::sim::{SimConfig, Simulator};

use super::{KEY, start_engine};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_window_follows_a_cli_job_live_and_takes_it_over_when_the_cli_dies() {
    let sim = Simulator::start(SimConfig {
        run_time: Duration::from_secs(3),
        ..SimConfig::fast()
    })
    .await
    .unwrap();
    let data = tempfile::tempdir().unwrap();
    let cli = |prompt: &str| {
        Command::new(env!("CARGO_BIN_EXE_moodgrid"))
            .args(["imagine", prompt, "--wait", "--json"])
            .env("TTAPI_API_KEY", KEY)
            .env("TTAPI_BASE_URL", sim.base_url().to_string())
            .env("MOODGRID_DATA_DIR", data.path())
            .env("MOODGRID_POLL_MS", "40")
            .env_remove("RUST_LOG")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let (base, dir) = (sim.base_url(), data.path().to_owned());
    let mut window = tokio::task::spawn_blocking(move || {
        let engine = start_engine(base, &dir, Timing::scaled(Duration::from_millis(30)));
        // What the window does once its engine is ready.
        engine.resume_blocking().unwrap();
        engine
    })
    .await
    .unwrap();

    // 1. The CLI drives its job; the window's engine reports it, progress included, and never sends it.
    let mut followed_cli = cli("driven by the terminal");
    let seen = tokio::task::spawn_blocking(move || {
        let mut seen = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Some(Event::JobChanged(job)) = window.recv_timeout(Duration::from_secs(1)) {
                let done = job.state == JobState::Succeeded;
                seen.push(*job);
                if done {
                    break;
                }
            }
        }
        (window, seen)
    });
    let (mut window, seen) = seen.await.unwrap();
    assert!(followed_cli.wait().unwrap().success());
    let progress: HashSet<u8> = seen
        .iter()
        .filter(|j| j.state == JobState::Running)
        .filter_map(|j| j.progress)
        .collect();
    assert!(
        progress.len() >= 2,
        "the window saw the job move: {progress:?}"
    );
    assert!(
        seen.iter().all(|j| j.prompt == "driven by the terminal"),
        "{seen:?}"
    );
    assert_eq!(sim.accepted_submissions(), 1);

    // 2. The CLI dies mid-job: once its claim lapses, the window's engine finishes the job.
    let mut killed_cli = cli("orphaned by the terminal");
    let deadline = Instant::now() + Duration::from_secs(20);
    while sim
        .jobs()
        .iter()
        .all(|j| j.prompt != "orphaned by the terminal")
    {
        assert!(Instant::now() < deadline, "the CLI never submitted");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    killed_cli.kill().unwrap();
    killed_cli.wait().unwrap();
    let finished = tokio::task::spawn_blocking(move || {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            assert!(Instant::now() < deadline, "the window never took it over");
            if let Some(Event::JobChanged(job)) = window.recv_timeout(Duration::from_secs(1))
                && job.prompt == "orphaned by the terminal"
                && job.state.is_final()
            {
                drop(window);
                return *job;
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(finished.state, JobState::Succeeded, "{finished:?}");
    assert_eq!(sim.accepted_submissions(), 2, "each job sent once");
    let library = moodgrid::library::Library::open(data.path()).unwrap();
    assert_eq!(library.images(finished.id).unwrap().len(), 5);
    assert!(
        library
            .events(finished.id)
            .unwrap()
            .iter()
            .any(|(kind, _)| kind == "takeover")
    );
}
