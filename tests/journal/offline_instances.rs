//! Offline jobs belong to the embedded simulator that ran them. A second offline process follows such a
//! job while its process lives (its own simulator does not know the job, which must not fail it), and once
//! that process is gone, ends it with the reason.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use moodgrid::library::{JobState, Library};

use super::{finished, json_lines};

fn offline(data: &std::path::Path, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_moodgrid"))
        .arg("--offline")
        .args(args)
        .env("MOODGRID_DATA_DIR", data)
        .env("MOODGRID_POLL_MS", "40")
        .env_remove("TTAPI_API_KEY")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits until a job newer than `after` has been accepted by its simulator.
async fn until_running(data: &std::path::Path, after: i64) -> i64 {
    let library = Library::open(data).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(job) = library.recent_jobs(1).unwrap().first()
            && job.id > after
            && job.remote_id.is_some()
        {
            return job.id;
        }
        assert!(Instant::now() < deadline, "no job was accepted");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_offline_process_follows_a_live_instance_and_ends_a_dead_ones_job() {
    let data = tempfile::tempdir().unwrap();

    let first = offline(
        data.path(),
        &["imagine", "offline, still running", "--wait"],
    );
    let job = until_running(data.path(), 0).await;
    let follower = finished(offline(data.path(), &["resume", "--wait", "--json"])).await;
    let stderr = String::from_utf8_lossy(&follower.stderr);
    assert_eq!(follower.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("Following 1 job(s)"), "{stderr}");
    assert_eq!(json_lines(&follower, 0)[0]["status"], "SUCCESS");
    assert!(finished(first).await.status.success());

    let mut second = offline(data.path(), &["imagine", "offline, owner killed", "--wait"]);
    until_running(data.path(), job).await;
    second.kill().unwrap();
    second.wait().unwrap();
    let ender = finished(offline(data.path(), &["resume", "--wait", "--json"])).await;
    let stderr = String::from_utf8_lossy(&ender.stderr);
    assert_eq!(ender.status.code(), Some(1), "{stderr}");
    let ended = json_lines(&ender, 1).remove(0);
    assert_eq!(ended["state"], "failed", "{ended}");
    assert_eq!(
        ended["message"],
        "the offline simulator that ran this job has closed"
    );
    let library = Library::open(data.path()).unwrap();
    assert_eq!(library.job(job).unwrap().state, JobState::Succeeded);
}
