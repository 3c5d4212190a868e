//! A process that lost its claim never sends. A command is stopped (SIGSTOP, what Ctrl+Z does) between
//! writing `submitting` and sending, for longer than its lease, while another process holds the library:
//! the service receives exactly one submission. A wall-clock step, which no monotonic clock sees, may let
//! both send: then both charges are kept and shown, and both results are saved.

use std::path::Path;
use std::process::Child;
use std::time::{Duration, Instant};

use moodgrid::api::{ApiKey, ClientOptions, ImagineRequest, TtapiClient};
use moodgrid::domain::Mode;
use moodgrid::engine::Timing;
use moodgrid::library::{Accepted, JobRecord, JobState, JobUpdate, LEASE, Library, Owner};
use moodgrid::sim::{SimConfig, Simulator};

use super::{
    KEY, assert_saved, earlier_job, finished, json_lines, moodgrid, signal, spawn_moodgrid,
    start_engine,
};

/// `moodgrid imagine PROMPT --wait --json` on `sim`, paused `pause_ms` between `submitting` and the send,
/// with its intervals (and lease) scaled to `poll_ms`.
fn paused_imagine(
    sim: &Simulator,
    data: &Path,
    prompt: &str,
    pause_ms: u64,
    poll_ms: u64,
) -> Child {
    let (pause, poll) = (pause_ms.to_string(), poll_ms.to_string());
    spawn_moodgrid(
        &sim.base_url().to_string(),
        data,
        &["imagine", prompt, "--wait", "--json"],
        &[
            ("MOODGRID_POLL_MS", &poll),
            ("MOODGRID_TEST_PAUSE_BEFORE_SEND_MS", &pause),
        ],
    )
}

/// Waits (up to 30 s) until a job of the library satisfies `found`; returns it.
async fn until(data: &Path, what: &str, found: impl Fn(&JobRecord) -> bool) -> JobRecord {
    let library = Library::open(data).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(job) = library.recent_jobs(50).unwrap().into_iter().find(&found) {
            return job;
        }
        assert!(Instant::now() < deadline, "never got there: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The job sent with `prompt` (not a second charge of it) in `state`.
fn sent_with(prompt: &str, state: JobState) -> impl Fn(&JobRecord) -> bool + '_ {
    move |job| job.prompt == prompt && job.duplicate_of.is_none() && job.state == state
}

fn submissions_of(sim: &Simulator, prompt: &str) -> usize {
    sim.jobs().iter().filter(|j| j.prompt == prompt).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_stopped_mid_send_past_its_lease_never_sends_after_the_takeover() {
    let sim = Simulator::start(SimConfig::fast()).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_owned();
    earlier_job(&sim, data.path()).await;
    // The window is open on the library: it takes over jobs whose engine went away.
    let window = tokio::task::block_in_place(|| {
        let engine = start_engine(
            sim.base_url(),
            &dir,
            Timing::scaled(Duration::from_millis(40)),
        );
        engine.resume_blocking().unwrap();
        engine
    });
    let prompt = "stopped between the commit and the send";
    let command = paused_imagine(&sim, data.path(), prompt, 3_000, 40);
    let sending = until(data.path(), prompt, sent_with(prompt, JobState::Submitting)).await;
    // Ctrl+Z: the whole process stops, its lease renewals too.
    signal(&command, "-STOP");
    until(data.path(), prompt, sent_with(prompt, JobState::Succeeded)).await;
    assert_eq!(submissions_of(&sim, prompt), 1, "the window sent it, once");
    // `fg`: the command wakes up where it stopped, proves its claim first, and finds it gone.
    signal(&command, "-CONT");
    let output = finished(command).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let printed = json_lines(&output, 0);
    assert_eq!(
        printed[0]["status"], "SUCCESS",
        "it followed the window's job"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        submissions_of(&sim, prompt),
        1,
        "the service received exactly one submission"
    );
    let story = Library::open(data.path())
        .unwrap()
        .events(sending.id)
        .unwrap();
    assert!(
        story.iter().any(|(kind, _)| kind == "takeover"),
        "the window took it over once the lease had lapsed: {story:?}"
    );
    assert!(
        story
            .iter()
            .any(|(kind, detail)| kind == "conflict" && detail.starts_with("not sent")),
        "{story:?}"
    );
    tokio::task::block_in_place(|| drop(window));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_wall_clock_step_both_charges_are_kept_and_both_results_saved() {
    let sim = Simulator::start(SimConfig::fast()).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    earlier_job(&sim, data.path()).await;
    // The command's lease is long (10 s) and its pause shorter than half of it (4 s): by its own monotonic
    // clock it still holds the job when it sends. Meanwhile the wall clock "steps": another process sees the
    // lease lapsed, takes the job over, proves it absent and sends it again.
    let prompt = "sent across a clock step";
    let command = paused_imagine(&sim, data.path(), prompt, 4_000, 200);
    let paused = until(data.path(), prompt, sent_with(prompt, JobState::Submitting)).await;
    let library = Library::open(data.path()).unwrap();
    let other = Owner::new(None, LEASE);
    rusqlite::Connection::open(data.path().join(moodgrid::library::DATABASE_FILE))
        .unwrap()
        .execute("UPDATE jobs SET lease_until = 1 WHERE id = ?1", [paused.id])
        .unwrap();
    library.claim_job(paused.id, &other).unwrap();
    for (from, to) in [
        (JobState::Submitting, JobState::Uncertain),
        (JobState::Uncertain, JobState::Queued),
    ] {
        let update = JobUpdate {
            owner: Some(other.id.clone()),
            ..JobUpdate::transition(from, to)
        };
        library.update_job(paused.id, &update).unwrap();
    }
    let resent = library
        .begin_submission(paused.id, &other, 10, Duration::from_secs(100))
        .unwrap()
        .unwrap();
    let client = TtapiClient::with_options(
        sim.base_url(),
        ApiKey::new(KEY).unwrap(),
        ClientOptions::default(),
    )
    .unwrap();
    let second_send = client
        .imagine(&ImagineRequest::new(prompt, Mode::Fast))
        .await
        .unwrap();
    assert!(matches!(
        library
            .accept_submission(paused.id, &other, resent.sent_seq.unwrap(), &second_send)
            .unwrap(),
        Accepted::Bound(_)
    ));
    library.release_job(paused.id, &other).unwrap();
    // The paused command sends too: a second charge, kept as a job of its own that it drives.
    let second = until(data.path(), "the second charge kept", |job| {
        job.duplicate_of == Some(paused.id)
    })
    .await;
    assert_eq!(
        submissions_of(&sim, prompt),
        2,
        "both charges, both visible"
    );
    // The job the other process sent is finished by whoever resumes the library.
    let resumed = moodgrid(&sim, data.path(), &["resume", "--wait", "--json"]).await;
    assert_eq!(resumed.status.code(), Some(0));
    let output = finished(command).await;
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let original = library.job(paused.id).unwrap();
    let second = library.job(second.id).unwrap();
    assert_saved(&library, [&original, &second]);
    assert_eq!(original.remote_id.as_deref(), Some(second_send.as_str()));
    assert_ne!(second.remote_id, original.remote_id);
    let said = library.events(paused.id).unwrap();
    assert!(
        said.iter().any(|(kind, detail)| kind == "sent_twice"
            && detail.contains(second.remote_id.as_deref().unwrap())),
        "{said:?}"
    );
}
