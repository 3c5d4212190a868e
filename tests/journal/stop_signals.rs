//! Stopping a command that made a batch: Ctrl+C, SIGTERM and SIGHUP (a closed terminal) cancel the batch's
//! jobs not yet sent, say what was cancelled, what TTAPI already has and what was on its way, and release
//! the rest for another process. A cancelled job is final and free: nobody adopts it. `moodgrid cancel`
//! does the same by hand, for any process's queued jobs.

use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use moodgrid::engine::Timing;
use moodgrid::library::{JobState, Library};
use moodgrid::sim::Simulator;

use super::{
    busy_elsewhere, finished, moodgrid, signal, sim_answering_imagine_late, sim_running_for,
    spawn_moodgrid, start_engine,
};

fn spawn(sim: &Simulator, data: &Path, args: &[&str]) -> Child {
    spawn_moodgrid(&sim.base_url().to_string(), data, args, &[])
}

/// The batch's jobs (the kites), as the library has them.
fn kites(library: &Library) -> Vec<moodgrid::library::JobRecord> {
    library
        .recent_jobs(100)
        .unwrap()
        .into_iter()
        .filter(|job| job.prompt.contains("kite"))
        .collect()
}

/// Waits (up to 30 s) until the batch's jobs satisfy `ready`.
async fn until_jobs(data: &Path, ready: impl Fn(&[moodgrid::library::JobRecord]) -> bool) {
    let library = Library::open(data).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let jobs = kites(&library);
        if ready(&jobs) {
            return;
        }
        assert!(Instant::now() < deadline, "never ready: {jobs:#?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A batch of three kites while nine of the account's ten places are taken elsewhere: one is sent, two
/// wait in `queued` for a place (sending nothing, so nothing races the test).
async fn one_sent_two_waiting(sim: &Simulator, data: &Path) -> Child {
    busy_elsewhere(&sim.base_url().to_string(), data, 9);
    let command = spawn(
        sim,
        data,
        &["imagine", "a {red, blue, green} kite", "--yes", "--wait"],
    );
    until_jobs(data, |jobs| {
        jobs.len() == 3
            && count(jobs, JobState::Running) + count(jobs, JobState::Pending) == 1
            && count(jobs, JobState::Queued) == 2
    })
    .await;
    command
}

fn count(jobs: &[moodgrid::library::JobRecord], state: JobState) -> usize {
    jobs.iter().filter(|j| j.state == state).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_sigterm_and_sighup_cancel_the_batchs_unsent_jobs_and_say_what_runs_on() {
    for name in ["-INT", "-TERM", "-HUP"] {
        let sim = sim_running_for(Duration::from_secs(3)).await;
        let data = tempfile::tempdir().unwrap();
        let command = one_sent_two_waiting(&sim, data.path()).await;
        signal(&command, name);
        let output = finished(command).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(130), "{name}: {stderr}");
        assert!(
            stderr.contains("stopping: cancelled 2 job(s) not yet sent")
                && stderr.contains("never sent, nothing charged")
                && stderr.contains("1 job(s) already sent run on at TTAPI")
                && stderr.contains("moodgrid resume --wait"),
            "{name}: {stderr}"
        );
        let library = Library::open(data.path()).unwrap();
        let jobs = kites(&library);
        assert_eq!(count(&jobs, JobState::Cancelled), 2, "{name}: {jobs:#?}");
        for job in &jobs {
            assert_eq!(job.owner, None, "{name}: every claim released: {job:?}");
        }
        assert_eq!(sim.accepted_submissions(), 1, "{name}");
        if name == "-INT" {
            // A window open on the library takes over the job that runs on, and never the cancelled ones.
            let dir = data.path().to_owned();
            let mut window = tokio::task::block_in_place(|| {
                let engine = start_engine(
                    sim.base_url(),
                    &dir,
                    Timing::scaled(Duration::from_millis(40)),
                );
                let resumed = engine.resume_blocking().unwrap();
                assert_eq!(resumed.driving.len(), 1);
                engine
            });
            until_jobs(data.path(), |jobs| count(jobs, JobState::Succeeded) == 1).await;
            tokio::time::sleep(Duration::from_millis(500)).await;
            let jobs = kites(&library);
            assert_eq!(count(&jobs, JobState::Cancelled), 2, "{jobs:#?}");
            assert_eq!(
                sim.accepted_submissions(),
                1,
                "the cancelled jobs were never sent"
            );
            tokio::task::block_in_place(|| {
                while window.recv_timeout(Duration::from_millis(10)).is_some() {}
                drop(window)
            });
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_ctrl_c_quits_at_once_while_a_request_is_on_its_way() {
    // The service takes its time to answer the submission: the command is mid-send when stopped.
    let sim = sim_answering_imagine_late().await;
    let data = tempfile::tempdir().unwrap();
    let mut command = spawn(&sim, data.path(), &["imagine", "a slow answer", "--wait"]);
    let deadline = Instant::now() + Duration::from_secs(20);
    while sim.accepted_submissions() == 0 {
        assert!(Instant::now() < deadline, "the submission never arrived");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    signal(&command, "-INT");
    let stderr = command.stderr.take().unwrap();
    let pid = command.id().to_string();
    let (said, quit_after) = tokio::task::spawn_blocking(move || {
        use std::io::BufRead as _;
        let mut said = String::new();
        let mut asked_again = None;
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            if line.contains("Ctrl+C again quits at once") {
                asked_again = Some(Instant::now());
                Command::new("kill").args(["-INT", &pid]).status().unwrap();
            }
            said.push_str(&line);
            said.push('\n');
        }
        (said, asked_again.map(|at| at.elapsed()))
    })
    .await
    .unwrap();
    let status = command.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{said}");
    assert!(said.contains("was being sent: counted as sent"), "{said}");
    let quit_after = quit_after.expect("the command said it was waiting for the answer");
    assert!(
        quit_after < Duration::from_secs(3),
        "the second Ctrl+C quit at once, not after the request's timeout: {quit_after:?}"
    );
    let job = Library::open(data.path())
        .unwrap()
        .recent_jobs(1)
        .unwrap()
        .remove(0);
    assert_eq!(
        job.state,
        JobState::Submitting,
        "kept, to be looked up, never sent again"
    );
    assert_eq!(job.owner, None, "released for another process to reconcile");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_takes_back_what_was_not_sent_and_says_what_was() {
    let sim = sim_running_for(Duration::from_secs(2)).await;
    let data = tempfile::tempdir().unwrap();
    let batch = one_sent_two_waiting(&sim, data.path()).await;
    let library = Library::open(data.path()).unwrap();
    let jobs = kites(&library);
    let running = jobs.iter().find(|j| j.state != JobState::Queued).unwrap();
    let queued: Vec<i64> = jobs
        .iter()
        .filter(|j| j.state == JobState::Queued)
        .map(|j| j.id)
        .collect();
    // From another terminal: one by name, then the one that was already sent (refused, said).
    let one = moodgrid(&sim, data.path(), &["cancel", &format!("#{}", queued[0])]).await;
    assert_eq!(one.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&one.stderr).contains("cancelled: never sent, nothing charged")
    );
    let sent = moodgrid(&sim, data.path(), &["cancel", &format!("#{}", running.id)]).await;
    assert_eq!(sent.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&sent.stderr).contains("TTAPI has no cancel"),
        "{}",
        String::from_utf8_lossy(&sent.stderr)
    );
    let rest = moodgrid(&sim, data.path(), &["cancel", "--queued"]).await;
    assert_eq!(rest.status.code(), Some(0));
    // The batch's command sees its jobs end: two cancelled (exit 0: cancelling is not a failure), one done.
    let output = finished(batch).await;
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let jobs = kites(&library);
    assert_eq!(count(&jobs, JobState::Cancelled), 2);
    assert_eq!(count(&jobs, JobState::Succeeded), 1);
    assert_eq!(sim.accepted_submissions(), 1);
    // A cancelled job is final: it can go to the Trash.
    let trashed = moodgrid(&sim, data.path(), &["trash", &format!("#{}", queued[0])]).await;
    assert_eq!(
        trashed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&trashed.stderr)
    );
}
