//! Several real `moodgrid` processes on one library against one simulator: every job is sent exactly once
//! (counted in the simulator's own record), finishes, and has its images stored once. Jobs queued while
//! the service was down are left queued by a crash (SIGKILL); the owner killed mid-submission is taken
//! over after its claim lapses, reconciled, never sent twice.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

use moodgrid::library::{ImageRole, JobState, Library};
use moodgrid::sim::{FaultConfig, SimConfig, Simulator};

use super::{json_lines, sim_answering_imagine_late};

/// A `moodgrid` process on `base` and `data`, its output piped.
fn spawn(base: &str, data: &Path, args: &[&str]) -> Child {
    super::spawn_moodgrid(base, data, args, &[])
}

async fn wait_all(children: Vec<Child>) -> Vec<Output> {
    tokio::task::spawn_blocking(move || {
        children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect()
    })
    .await
    .unwrap()
}

/// A port on 127.0.0.1 with nothing listening (yet).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Makes `count` jobs with the service down: each command says at once that it cannot reach the service
/// and until when it retries, then crashes (SIGKILL), leaving its job queued under a claim that lapses.
async fn queue_while_down(base: &str, data: &Path, count: usize) -> Vec<String> {
    let prompts: Vec<String> = (0..count)
        .map(|i| format!("shared library job {i}"))
        .collect();
    for prompt in &prompts {
        let mut child = spawn(base, data, &["imagine", prompt, "--wait"]);
        // Killed once the command has said it is waiting (it says so at once), then the rest read.
        let (code, stderr) = tokio::task::spawn_blocking(move || {
            use std::io::BufRead as _;
            let mut said = String::new();
            let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
            while let Some(Ok(line)) = lines.next() {
                if line.contains("retrying until") {
                    Command::new("kill")
                        .args(["-KILL", &child.id().to_string()])
                        .status()
                        .unwrap();
                }
                said.push_str(&line);
                said.push('\n');
            }
            (child.wait().unwrap().code(), said)
        })
        .await
        .unwrap();
        assert_eq!(code, None, "killed: {stderr}");
        assert!(
            stderr.contains("Could not reach TTAPI")
                && stderr.contains("retrying until")
                && stderr.contains("Ctrl+C cancels it"),
            "the wait is said at once: {stderr}"
        );
    }
    let library = Library::open(data).unwrap();
    for job in library.recent_jobs(100).unwrap() {
        assert_eq!(job.state, JobState::Queued, "{job:?}");
        assert!(
            job.owner.is_some(),
            "a killed process cannot release its claim"
        );
    }
    prompts
}

/// Every prompt was sent exactly once, every job succeeded with its five images stored.
fn assert_each_sent_once(sim: &Simulator, data: &Path, prompts: &[String]) {
    let mut sent: HashMap<String, usize> = HashMap::new();
    for job in sim.jobs() {
        *sent.entry(job.prompt).or_default() += 1;
    }
    for prompt in prompts {
        assert_eq!(sent.get(prompt), Some(&1), "{prompt}: {sent:?}");
    }
    assert_eq!(sim.accepted_submissions(), prompts.len() as u64);
    let library = Library::open(data).unwrap();
    for job in library.recent_jobs(100).unwrap() {
        assert_eq!(job.state, JobState::Succeeded, "{job:?}");
        let images = library.images(job.id).unwrap();
        assert_eq!(images.len(), 5, "{images:?}");
        assert_eq!(images[0].role, ImageRole::Grid);
        for image in images {
            assert!(library.root().join(&image.path).is_file());
        }
        let remote = job.remote_id.clone().unwrap();
        assert!(sim.jobs().iter().any(|j| j.id == remote));
    }
}

async fn resume_together(processes: usize, faults: FaultConfig) {
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let data = tempfile::tempdir().unwrap();
    let prompts = queue_while_down(&base, data.path(), 6).await;
    let sim = Simulator::start_on(
        SimConfig {
            faults,
            ..SimConfig::fast()
        },
        port,
    )
    .await
    .unwrap();
    let resumers: Vec<Child> = (0..processes)
        .map(|_| spawn(&base, data.path(), &["resume", "--wait", "--json"]))
        .collect();
    let outputs = wait_all(resumers).await;
    for output in &outputs {
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{stderr}");
        for job in json_lines(output, 0) {
            assert_eq!(job["status"], "SUCCESS", "{job}");
        }
    }
    assert_each_sent_once(&sim, data.path(), &prompts);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_resumes_at_once_send_each_queued_job_once() {
    resume_together(2, FaultConfig::default()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_resumes_under_faults_send_each_queued_job_once() {
    // Refusals that certainly did not arrive (429) and answers lost after the job was made: the first are
    // sent again, the second found in the job list. Fetches and downloads are left alone.
    let faults = FaultConfig {
        rate_limit_rate: 0.2,
        lost_response_rate: 0.2,
        only_paths: vec!["/midjourney/v1/imagine".into()],
        seed: 17,
        ..FaultConfig::default()
    };
    resume_together(4, faults).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_killed_mid_submission_is_taken_over_and_reconciled_not_resent() {
    // The service makes the job at once but answers only after 30 s: the owner is killed in between.
    let sim = sim_answering_imagine_late().await;
    let base = sim.base_url().to_string();
    let data = tempfile::tempdir().unwrap();
    let mut owner = spawn(
        &base,
        data.path(),
        &["imagine", "killed while sending", "--wait"],
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while sim.accepted_submissions() == 0 {
        assert!(Instant::now() < deadline, "the submission never arrived");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    owner.kill().unwrap();
    owner.wait().unwrap();
    let library = Library::open(data.path()).unwrap();
    let orphan = library.recent_jobs(1).unwrap().remove(0);
    assert_eq!(orphan.state, JobState::Submitting);
    assert!(
        orphan.owner.is_some(),
        "a killed process cannot release its claim"
    );

    let started = Instant::now();
    let output = wait_all(vec![spawn(
        &base,
        data.path(),
        &["resume", "--wait", "--json"],
    )])
    .await
    .remove(0);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("Following 1 job(s) another Moodgrid process is driving"),
        "the dead owner's claim still looked live: {stderr}"
    );
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "taken over only once the claim lapsed"
    );
    let job = json_lines(&output, 0).remove(0);
    assert_eq!(job["status"], "SUCCESS", "{job}");
    assert_eq!(sim.accepted_submissions(), 1, "never sent a second time");
    let imagine_requests = sim
        .fault_log()
        .iter()
        .filter(|(path, _)| path == "/midjourney/v1/imagine")
        .count();
    assert_eq!(imagine_requests, 1);
    let story: Vec<String> = library
        .events(orphan.id)
        .unwrap()
        .into_iter()
        .map(|(kind, detail)| format!("{kind}: {detail}"))
        .collect();
    assert!(
        story.iter().any(|e| e.starts_with("takeover:")),
        "{story:?}"
    );
    assert!(
        story
            .iter()
            .any(|e| e.contains("confirmed through the account's job list")),
        "{story:?}"
    );
}
