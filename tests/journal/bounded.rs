//! Every failure ends, or waits visibly, in bounded time: one row per case, each against the simulator's
//! fault mode for it, through the real binary with `--wait`.

use std::time::{Duration, Instant};

use moodgrid::library::{JobState, Library};
use moodgrid::sim::{BadBody, FaultConfig, InjectedFault, SimConfig, Simulator};

use super::{json_lines, moodgrid};

struct Case {
    name: &'static str,
    faults: FaultConfig,
    exit: i32,
    state: JobState,
    /// Words the one line on stderr (or the job's message) must hold.
    says: &'static str,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "an image over the pixel limit",
            faults: FaultConfig {
                bad_image: Some(BadBody::HugePng),
                ..FaultConfig::default()
            },
            exit: 1,
            state: JobState::Failed,
            says: "20000×20000",
        },
        Case {
            name: "an HTML page served as the image",
            faults: FaultConfig {
                bad_image: Some(BadBody::Html),
                ..FaultConfig::default()
            },
            exit: 1,
            state: JobState::Failed,
            says: "not an image",
        },
        Case {
            name: "a 64 MB fetch answer",
            faults: FaultConfig {
                bad_fetch: Some(BadBody::Oversized),
                ..FaultConfig::default()
            },
            exit: 4,
            state: JobState::Pending,
            says: "could not be read",
        },
        Case {
            name: "an HTML page as the fetch answer",
            faults: FaultConfig {
                bad_fetch: Some(BadBody::Html),
                ..FaultConfig::default()
            },
            exit: 4,
            state: JobState::Pending,
            says: "an HTML page instead of JSON",
        },
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_refused_answer_ends_with_its_reason_in_bounded_time() {
    for case in cases() {
        let sim = Simulator::start(SimConfig {
            faults: case.faults.clone(),
            ..SimConfig::fast()
        })
        .await
        .unwrap();
        let data = tempfile::tempdir().unwrap();
        let started = Instant::now();
        let output = moodgrid(
            &sim,
            data.path(),
            &["imagine", case.name, "--wait", "--json"],
        )
        .await;
        let took = started.elapsed();
        let stderr = String::from_utf8_lossy(&output.stderr);
        let name = case.name;
        assert_eq!(output.status.code(), Some(case.exit), "{name}: {stderr}");
        assert!(took < Duration::from_secs(20), "{name}: took {took:?}");
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{name}: one clear line: {stderr}");
        assert!(lines[0].contains(case.says), "{name}: {stderr}");
        let job = json_lines(&output, case.exit).remove(0);
        assert_eq!(job["state"], case.state.as_str(), "{name}: {job}");
        assert!(job["jobId"].is_string(), "{name}: the TTAPI id is kept");

        // Images refused by the limits: at most three tries of any one image, and none after the end.
        let downloads = || {
            let log = sim.fault_log();
            let mut per_path = std::collections::HashMap::<String, usize>::new();
            for (path, fault) in log {
                if matches!(fault, InjectedFault::BadBody(_)) && path.starts_with("/cdn/") {
                    *per_path.entry(path).or_default() += 1;
                }
            }
            per_path
        };
        let tries = downloads();
        assert!(
            tries.values().all(|n| *n <= 3),
            "{name}: tried too often: {tries:?}"
        );
        if case.state == JobState::Failed {
            assert!(!tries.is_empty(), "{name}");
            let resumed = moodgrid(&sim, data.path(), &["resume", "--wait"]).await;
            assert_eq!(resumed.status.code(), Some(0), "{name}");
            assert!(
                String::from_utf8_lossy(&resumed.stderr).contains("Nothing to resume"),
                "{name}: a failed job is not downloaded again"
            );
            assert_eq!(downloads(), tries, "{name}: no download after the end");
        } else {
            // Stalled, not lost: the job stays for a later resume.
            let library = Library::open(data.path()).unwrap();
            let stored = library.recent_jobs(1).unwrap().remove(0);
            assert!(!stored.state.is_final(), "{name}: {stored:?}");
            assert_eq!(stored.owner, None, "{name}: its claim was released");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_service_is_said_at_once_and_ends_after_the_stated_time() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let data = tempfile::tempdir().unwrap();
    let output = tokio::task::spawn_blocking({
        let data = data.path().to_owned();
        move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_moodgrid"))
                .args(["imagine", "nobody listens", "--wait"])
                .env("TTAPI_API_KEY", super::KEY)
                .env("TTAPI_BASE_URL", format!("http://127.0.0.1:{port}"))
                .env("MOODGRID_DATA_DIR", data)
                .env("MOODGRID_POLL_MS", "20")
                .env_remove("RUST_LOG")
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(4), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(
        lines[0].contains("Could not reach TTAPI")
            && lines[0].contains("Connection refused")
            && lines[0].contains("retrying until"),
        "said first: {stderr}"
    );
    assert!(lines.len() <= 3, "said once, not on every retry: {stderr}");
    let library = Library::open(data.path()).unwrap();
    let job = library.recent_jobs(1).unwrap().remove(0);
    assert_eq!(job.state, JobState::Queued, "kept for a later resume");
}
