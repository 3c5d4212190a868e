//! The service takes a submission but the answer never arrives: the job is found again through the
//! account's job list, never sent twice. It is sent again only on proof that the service never got it (the
//! job list read back past a job this library had confirmed before, with nothing like it), never for a
//! blend or describe, and never from Look again. Without proof the user is told what to check.

use std::path::Path;

use moodgrid::library::{JobState, Library};
use moodgrid::sim::{FaultConfig, SimConfig, Simulator};

use super::{earlier_job, file_sizes, moodgrid, one_job};

/// A simulator whose faults hit only `paths`.
async fn faulty(paths: &[&str], faults: FaultConfig) -> Simulator {
    Simulator::start(SimConfig {
        faults: FaultConfig {
            only_paths: paths.iter().map(|p| (*p).to_owned()).collect(),
            ..faults
        },
        ..SimConfig::fast()
    })
    .await
    .unwrap()
}

const IMAGINE: &str = "/midjourney/v1/imagine";
const BLEND: &str = "/midjourney/v1/blend";
const FETCH_LIST: &str = "/midjourney/v1/fetch-list";

fn cut() -> FaultConfig {
    FaultConfig {
        reset_rate: 1.0,
        ..FaultConfig::default()
    }
}

/// How many requests reached `path` (faulted or not).
fn requests(sim: &Simulator, path: &str) -> usize {
    sim.fault_log().iter().filter(|(p, _)| p == path).count()
}

fn events(data: &Path, job: &serde_json::Value) -> Vec<(String, String)> {
    Library::open(data)
        .unwrap()
        .events(job["localId"].as_i64().unwrap())
        .unwrap()
}

/// A first job that succeeds through an endpoint the faults spare: an anchor in the account's history.
async fn anchored_by_blend(sim: &Simulator, data: &Path) {
    let dir = data.join("sources");
    std::fs::create_dir_all(&dir).unwrap();
    let mut files = Vec::new();
    for (n, shade) in [(1, 60), (2, 200)] {
        let path = dir.join(format!("{n}.png"));
        let image = image::RgbaImage::from_pixel(32, 32, image::Rgba([shade, 90, 140, 255]));
        std::fs::write(&path, moodgrid::imaging::encode_png(&image).unwrap()).unwrap();
        files.push(path.display().to_string());
    }
    let mut args = vec!["blend"];
    args.extend(files.iter().map(String::as_str));
    args.extend(["--wait", "--json"]);
    let blend = one_job(&moodgrid(sim, data, &args).await, 0);
    assert_eq!(blend["status"], "SUCCESS");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_is_reconciled_through_the_job_list() {
    let sim = faulty(
        &[IMAGINE],
        FaultConfig {
            lost_response_rate: 1.0,
            ..FaultConfig::default()
        },
    )
    .await;
    let data = tempfile::tempdir().unwrap();
    // The job list writes `--v 6` back as `–v 6`, as TTAPI's own example does: still this job.
    let job = one_job(
        &moodgrid(
            &sim,
            data.path(),
            &[
                "imagine",
                "an answer lost in transit --v 6",
                "--wait",
                "--json",
            ],
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
    let story: Vec<String> = events(data.path(), &job)
        .into_iter()
        .map(|(_, d)| d)
        .collect();
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
async fn a_first_job_with_nothing_to_anchor_it_is_never_sent_again() {
    let sim = faulty(&[IMAGINE], cut()).await;
    let data = tempfile::tempdir().unwrap();
    let output = moodgrid(
        &sim,
        data.path(),
        &["imagine", "a request cut on the wire", "--wait", "--json"],
    )
    .await;
    let job = one_job(&output, 4);
    assert_eq!(job["state"], "unconfirmed");
    // Never "not charged" without proof: the user is told why it is not known, and what to check.
    let message = job["message"].as_str().unwrap();
    assert!(
        message.starts_with("TTAPI may have run this job (")
            && message.contains("no job this library sent before this one")
            && message.ends_with("check your TTAPI history before sending it again"),
        "{message}"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("moodgrid retry") && stderr.contains("moodgrid look-again"),
        "the CLI says what the user can do: {stderr}"
    );
    assert_eq!(sim.accepted_submissions(), 0);
    assert_eq!(requests(&sim, IMAGINE), 1, "sent once, never again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_proven_absent_is_sent_again_on_each_proof_at_most_three_times() {
    let sim = faulty(&[IMAGINE], cut()).await;
    let data = tempfile::tempdir().unwrap();
    anchored_by_blend(&sim, data.path()).await;
    let job = one_job(
        &moodgrid(
            &sim,
            data.path(),
            &["imagine", "cut every time", "--wait", "--json"],
        )
        .await,
        4,
    );
    assert_eq!(job["state"], "unconfirmed");
    assert_eq!(
        job["message"],
        "it was sent 4 times and TTAPI's history never showed it"
    );
    assert_eq!(requests(&sim, IMAGINE), 4);
    assert_eq!(sim.accepted_submissions(), 1, "only the blend was made");
    let resent: Vec<String> = events(data.path(), &job)
        .into_iter()
        .filter(|(kind, _)| kind == "resent")
        .map(|(_, d)| d)
        .collect();
    assert_eq!(resent.len(), 3, "{resent:?}");
    assert!(resent[0].contains("reaches back past this job and does not have it"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_history_never_leads_to_a_second_send_and_look_again_only_looks() {
    // The answer is lost and every look at the job list fails: nothing proves the job missing.
    let sim = faulty(&[], FaultConfig::default()).await;
    let data = tempfile::tempdir().unwrap();
    anchored_by_blend(&sim, data.path()).await;
    sim.set_faults(FaultConfig {
        only_paths: vec![IMAGINE.into(), FETCH_LIST.into()],
        ..cut()
    });
    let job = one_job(
        &moodgrid(
            &sim,
            data.path(),
            &["imagine", "looked up in vain", "--wait", "--json"],
        )
        .await,
        4,
    );
    assert_eq!(job["state"], "unconfirmed");
    assert!(
        job["message"]
            .as_str()
            .unwrap()
            .contains("TTAPI's job history could not be read"),
        "{job}"
    );
    assert_eq!(
        requests(&sim, IMAGINE),
        1,
        "a failed look is no proof: never sent again"
    );
    // The job list answers again, and it proves the job missing: Look again still sends nothing.
    sim.set_faults(FaultConfig {
        only_paths: vec![IMAGINE.into()],
        ..cut()
    });
    let reference = format!("#{}", job["localId"]);
    let looked = one_job(
        &moodgrid(
            &sim,
            data.path(),
            &["look-again", &reference, "--wait", "--json"],
        )
        .await,
        4,
    );
    assert_eq!(looked["state"], "unconfirmed");
    assert_eq!(
        looked["message"],
        "TTAPI's history shows it never arrived; Send anyway sends it again"
    );
    assert_eq!(requests(&sim, IMAGINE), 1, "looking again sends nothing");
    let story = events(data.path(), &job);
    assert!(
        story.iter().any(|(kind, _)| kind == "look_again")
            && story
                .iter()
                .any(|(_, detail)| detail.starts_with("unconfirmed → uncertain")),
        "{story:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blend_whose_answer_was_lost_is_adopted_as_the_one_blend_newer_than_the_anchor() {
    let sim = faulty(
        &[BLEND],
        FaultConfig {
            lost_response_rate: 1.0,
            ..FaultConfig::default()
        },
    )
    .await;
    let data = tempfile::tempdir().unwrap();
    earlier_job(&sim, data.path()).await;
    anchored_by_blend(&sim, data.path()).await;
    assert_eq!(requests(&sim, BLEND), 1);
    assert_eq!(sim.accepted_submissions(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blend_never_received_is_never_sent_again_by_itself() {
    let sim = faulty(&[BLEND], cut()).await;
    let data = tempfile::tempdir().unwrap();
    earlier_job(&sim, data.path()).await;
    let dir = data.path().join("sources");
    std::fs::create_dir_all(&dir).unwrap();
    let image = image::RgbaImage::from_pixel(32, 32, image::Rgba([10, 90, 140, 255]));
    let path = dir.join("one.png");
    std::fs::write(&path, moodgrid::imaging::encode_png(&image).unwrap()).unwrap();
    let path = path.display().to_string();
    let blend = one_job(
        &moodgrid(
            &sim,
            data.path(),
            &["blend", &path, &path, "--wait", "--json"],
        )
        .await,
        4,
    );
    assert_eq!(blend["state"], "unconfirmed");
    assert!(
        blend["message"]
            .as_str()
            .unwrap()
            .starts_with("TTAPI's history has no blend newer than your last confirmed job"),
        "{blend}"
    );
    assert_eq!(
        requests(&sim, BLEND),
        1,
        "a blend is never sent again by itself"
    );
    let library = Library::open(data.path()).unwrap();
    let stored = library.job(blend["localId"].as_i64().unwrap()).unwrap();
    assert_eq!(stored.state, JobState::Unconfirmed);
}
