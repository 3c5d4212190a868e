//! Ten jobs against a slow simulator, every process killed with SIGKILL mid-poll, then `resume --wait`:
//! all ten end SUCCESS with their images, and none was submitted twice.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use moodgrid::sim::{SimConfig, Simulator};

use super::{KEY, file_sizes, json_lines, moodgrid};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_poll_then_resumed_every_job_finishes_once() {
    let slow = SimConfig {
        run_time: Duration::from_secs(6),
        ..SimConfig::fast()
    };
    let sim = Simulator::start(slow).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let logs = tempfile::tempdir().unwrap();
    let log_of = |i: usize| logs.path().join(format!("job-{i}.stderr"));
    let mut children: Vec<_> = (0..10)
        .map(|i| {
            Command::new(env!("CARGO_BIN_EXE_moodgrid"))
                .args([
                    "imagine",
                    &format!("crash test job {i:02}"),
                    "--wait",
                    "--json",
                ])
                .env("TTAPI_API_KEY", KEY)
                .env("TTAPI_BASE_URL", sim.base_url().to_string())
                .env("MOODGRID_DATA_DIR", data.path())
                .env("MOODGRID_POLL_MS", "40")
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(log_of(i)).unwrap())
                .spawn()
                .unwrap()
        })
        .collect();
    // Wait until the service has all ten, and they are being polled; then pull the plug on every process.
    let deadline = Instant::now() + Duration::from_secs(30);
    while sim.accepted_submissions() < 10 {
        if Instant::now() >= deadline {
            // What the processes said, to tell a slow machine from a refused start.
            let said: Vec<String> = (0..10)
                .map(|i| {
                    format!(
                        "{i}: {}",
                        std::fs::read_to_string(log_of(i)).unwrap_or_default()
                    )
                })
                .collect();
            panic!(
                "only {} submissions arrived; the processes said:\n{}",
                sim.accepted_submissions(),
                said.join("\n")
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(
        sim.jobs().iter().all(|j| j.status != "SUCCESS"),
        "killed before any finished"
    );
    for child in &mut children {
        child.kill().unwrap();
        child.wait().unwrap();
    }

    let resumed = moodgrid(&sim, data.path(), &["resume", "--wait", "--json"]).await;
    assert_eq!(
        resumed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    let jobs = json_lines(&resumed, 0);
    assert_eq!(jobs.len(), 10);
    for job in &jobs {
        assert_eq!(job["status"], "SUCCESS", "{job}");
        let sizes = file_sizes(job);
        assert_eq!(sizes.len(), 5);
        assert_eq!(sizes[0], (2048, 2048));
    }
    assert_eq!(sim.accepted_submissions(), 10, "no job was submitted twice");
    let mut local: Vec<String> = jobs
        .iter()
        .map(|j| j["jobId"].as_str().unwrap().to_owned())
        .collect();
    let mut remote: Vec<String> = sim.jobs().into_iter().map(|j| j.id).collect();
    local.sort();
    remote.sort();
    assert_eq!(
        local, remote,
        "each local job is bound to its own remote job"
    );
}
