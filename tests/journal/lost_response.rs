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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_submission_the_service_never_got_is_sent_again_once_then_reported_unconfirmed() {
    let sim = Simulator::start(faulty_imagine(FaultConfig {
        reset_rate: 1.0,
        ..FaultConfig::default()
    }))
    .await
    .unwrap();
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
