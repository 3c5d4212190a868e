//! What panel tests share: a panel drawn alone over a real engine gets its answers on later frames, so a
//! test draws frames until what it waits for has happened.

use std::time::{Duration, Instant};

use egui_kittest::Harness;

/// Draws frames (the engine works meanwhile) until `done` holds of the harness's state; panics naming
/// `what` after 30 s.
pub(in crate::ui) fn frames_until<State>(
    harness: &mut Harness<'_, State>,
    what: &str,
    done: impl Fn(&State) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done(harness.state()) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        harness.step();
        std::thread::sleep(Duration::from_millis(10));
    }
}
