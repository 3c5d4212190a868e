//! What panel tests share: a panel drawn alone over a real engine gets its answers on later frames, so a
//! test draws frames until what it waits for has happened; and jobs put in the library before the engine
//! starts, as another process would.

use std::time::{Duration, Instant};

use egui_kittest::Harness;

use crate::library::{JobRecord, JobState, JobUpdate, Library};
use crate::ui::runtime::services::Services;

/// Draws frames (the engine works meanwhile) until `done` holds of the harness (its widgets or its state,
/// `harness.state()`); panics naming `what` after 30 s.
pub(in crate::ui) fn frames_until<State>(
    harness: &mut Harness<'_, State>,
    what: &str,
    done: impl Fn(&Harness<'_, State>) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done(harness) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        harness.step();
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// `Services` over an engine on the embedded simulator, already taken as ready: a panel drawn alone
/// enables what waits for the engine without waiting for its first frames.
pub(in crate::ui) fn ready_services(data: &std::path::Path) -> Services {
    let mut services = Services::for_tests(data);
    services.status.ready = true;
    services
}

/// A finished imagine of `prompt`, written to the library at `data`.
pub(in crate::ui) fn finished_job(data: &std::path::Path, prompt: &str) -> JobRecord {
    let library = Library::open(data).expect("the test library opens");
    let job = library
        .insert_job(&crate::library::new_job(prompt))
        .expect("the job is written");
    library
        .update_job(
            job.id,
            &JobUpdate::transition(JobState::Queued, JobState::Succeeded),
        )
        .expect("the job finishes")
}
