//! The service takes a submission but the answer never arrives: the job is found again through the
//! account's job list, never sent twice. If the service never had it, the user is told so.

use moodgrid::sim::{FaultConfig, SimConfig, Simulator};

use super::{file_sizes, moodgrid, one_job};

fn faulty_imagine(faults: FaultConfig) -> SimConfig {
    SimConfig {
        faults: FaultConfig {
            only_paths: vec!["/midjourney/v1/imagine".into()],
            ..faults
        },
        ..SimConfig::fast()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_is_reconciled_through_the_job_list() {
    let sim = Simulator::start(faulty_imagine(FaultConfig {
        lost_response_rate: 1.0,
        ..FaultConfig::default()
    }))
    .await
    .unwrap();
    let data = tempfile::tempdir().unwrap();
    let job = one_job(
        &moodgrid(
            &sim,
            data.path(),
            &["imagine", "an answer lost in transit", "--wait", "--json"],
        )
        .await,
        0,
    );
    let remote = sim.jobs();
    assert_eq!(remote.len(), 1, "exactly one job exists on the service");
    assert_eq!(sim.accepted_submissions(), 1);
    assert_eq!(job["jobId"].as_str(), Some(remote[0].id.as_str()));
    assert_eq!(job["status"], "SUCCESS");
    assert_eq!(file_sizes(&job).len(), 5);
    let library = moodgrid::library::Library::open(data.path()).unwrap();
    let events = library.events(job["localId"].as_i64().unwrap()).unwrap();
    let story: Vec<&str> = events.iter().map(|(_, d)| d.as_str()).collect();
    assert!(
        story
            .iter()
            .any(|d| d.starts_with("submitting → uncertain")),
        "{story:?}"
    );
    assert!(
        story
            .iter()
            .any(|d| d.contains("confirmed through the account's job list")),
        "{story:?}"
    );
}

/// A simulator that cuts every imagine on the wire before it is processed.
async fn cutting_every_imagine() -> Simulator {
    Simulator::start(faulty_imagine(FaultConfig {
        reset_rate: 1.0,
        ..FaultConfig::default()
    }))
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_submission_the_service_never_got_is_sent_again_once_then_reported_unconfirmed() {
    let sim = cutting_every_imagine().await;
    let data = tempfile::tempdir().unwrap();
    let output = moodgrid(
        &sim,
        data.path(),
        &["imagine", "a request cut on the wire", "--wait", "--json"],
    )
    .await;
    let job = one_job(&output, 4);
    assert_eq!(job["state"], "unconfirmed");
    // Never "not charged" without proof: the user is told to check.
    assert_eq!(
        job["message"],
        "TTAPI may have run this job; check your history before sending it again"
    );
    assert_eq!(sim.accepted_submissions(), 0);
    let imagine_requests = sim
        .fault_log()
        .iter()
        .filter(|(path, _)| path == "/midjourney/v1/imagine")
        .count();
    assert_eq!(
        imagine_requests, 2,
        "sent again once, after the job list still lacked it; never a third time"
    );
    let library = moodgrid::library::Library::open(data.path()).unwrap();
    let events = library.events(job["localId"].as_i64().unwrap()).unwrap();
    assert_eq!(
        events.iter().filter(|(kind, _)| kind == "resent").count(),
        1,
        "the job's history records the re-send: {events:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn look_again_searches_once_more_and_never_sends_a_third_time() {
    let sim = cutting_every_imagine().await;
    let data = tempfile::tempdir().unwrap();
    let (base, dir) = (sim.base_url(), data.path().to_owned());
    let (first, second) = tokio::task::spawn_blocking(move || {
        let mut engine = super::start_engine(
            base,
            &dir,
            moodgrid::engine::Timing::scaled(std::time::Duration::from_millis(20)),
        );
        let until_final = |engine: &mut moodgrid::engine::EngineHandle, id: i64| {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
            loop {
                assert!(
                    std::time::Instant::now() < deadline,
                    "job #{id} never ended"
                );
                match engine.recv_timeout(std::time::Duration::from_secs(1)) {
                    Some(moodgrid::engine::Event::JobChanged(job))
                        if job.id == id && job.state.is_final() =>
                    {
                        return *job;
                    }
                    Some(moodgrid::engine::Event::Stalled { message, .. }) => {
                        panic!("job #{id} stalled: {message}")
                    }
                    _ => {}
                }
            }
        };
        let job = engine
            .submit_blocking(moodgrid::engine::NewSubmission::Imagine {
                prompt: "cut twice".into(),
                mode: moodgrid::domain::Mode::Fast,
                timeout: None,
            })
            .unwrap();
        let first = until_final(&mut engine, job.id);
        let (reply, answer) = tokio::sync::oneshot::channel();
        engine
            .send_blocking(moodgrid::engine::Command::LookAgain {
                job_id: job.id,
                reply,
            })
            .unwrap();
        assert_eq!(
            answer.blocking_recv().unwrap().unwrap().state,
            moodgrid::library::JobState::Uncertain
        );
        (first, until_final(&mut engine, job.id))
    })
    .await
    .unwrap();
    assert_eq!(first.state, moodgrid::library::JobState::Unconfirmed);
    assert_eq!(second.state, moodgrid::library::JobState::Unconfirmed);
    let imagine_requests = sim
        .fault_log()
        .iter()
        .filter(|(path, _)| path == "/midjourney/v1/imagine")
        .count();
    assert_eq!(imagine_requests, 2, "looking again sends nothing");
    let library = moodgrid::library::Library::open(data.path()).unwrap();
    let events = library.events(first.id).unwrap();
    assert!(
        events
            .iter()
            .any(|(_, detail)| detail.starts_with("unconfirmed → uncertain")),
        "{events:?}"
    );
}
