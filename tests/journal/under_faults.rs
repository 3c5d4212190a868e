//! Money under faults, as a designer's machine meets them: 20 jobs from 5 `moodgrid` processes on one library
//! against the simulator with `--fail-rate 0.3` (one seed here; `cargo bench --bench fault_soak` runs ten and
//! BENCHMARKS.md has the figures). No request is ever charged twice, and a job is lost to `unconfirmed` only
//! for the one reason the rules allow: nothing this library sent before it reached TTAPI, so its absence
//! cannot be proven.

#[path = "../support/fault_soak.rs"]
mod fault_soak;

/// What an `unconfirmed` job of a fresh library says when no earlier job of it reached TTAPI.
const NOTHING_TO_ANCHOR: &str = "shows no job this library sent before this one";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_jobs_from_five_processes_under_thirty_percent_faults_are_each_charged_once() {
    let soak = fault_soak::run(7, 5, 4, false).await;
    assert_eq!(soak.jobs, 20);
    assert!(soak.faults > 50, "faults were injected: {}", soak.faults);
    assert!(
        soak.charged_twice.is_empty(),
        "charged twice: {:?}",
        soak.charged_twice
    );
    for lost in &soak.not_succeeded {
        assert!(
            !lost.contains("(unconfirmed)") || lost.contains(NOTHING_TO_ANCHOR),
            "unconfirmed for another reason than a first send with nothing before it: {lost}"
        );
    }
    // Only the first sends of the run can lack an anchor (two in a row cut: about 3% of runs).
    assert!(
        soak.succeeded >= 15,
        "{} of 20 succeeded in {:?}: {:#?}",
        soak.succeeded,
        soak.took,
        soak.not_succeeded
    );
}
