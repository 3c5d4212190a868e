//! The window driven headless by accessible label (egui_kittest), against the embedded simulator through
//! the real engine: type a prompt, imagine, wait, see the U buttons, press U2, see the upscale buttons.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use moodgrid::engine::{Backend, EngineConfig, EngineHandle, Timing};
use moodgrid::sim::SimConfig;
use moodgrid::ui::MoodgridApp;

fn open(data: &std::path::Path) -> Harness<'static, MoodgridApp> {
    let config = EngineConfig {
        data_dir: data.to_owned(),
        backend: Backend::Simulator(SimConfig::fast()),
        timing: Timing::scaled(Duration::from_millis(30)),
    };
    let engine = EngineHandle::start(config, Arc::new(|| {})).unwrap();
    let app = MoodgridApp::new(&egui::Context::default(), engine).unwrap();
    Harness::builder()
        .with_size([1280.0, 800.0])
        .build_ui_state(|ui, app: &mut MoodgridApp| app.show(ui), app)
}

/// Draws frames (the engine works in real time meanwhile) until `done` holds, or fails after 30 s.
fn frames_until(
    harness: &mut Harness<'static, MoodgridApp>,
    what: &str,
    done: impl Fn(&Harness<'static, MoodgridApp>) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        harness.step();
        if done(harness) {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn enabled(harness: &Harness<'static, MoodgridApp>, label: &str) -> bool {
    harness
        .query_by_label(label)
        .is_some_and(|node| !node.accesskit_node().is_disabled())
}

#[test]
fn imagine_then_u2_from_the_window() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = open(data.path());
    frames_until(&mut harness, "the offline banner", |h| {
        h.query_by_label_contains("Offline demo").is_some()
    });
    assert!(!enabled(&harness, "Imagine"), "nothing to imagine yet");

    harness.get_by_role(Role::MultilineTextInput).focus();
    harness.step();
    harness
        .get_by_role(Role::MultilineTextInput)
        .type_text("a lighthouse made of glass");
    harness.step();
    assert!(enabled(&harness, "Imagine"));
    harness.get_by_label("Imagine").click();

    frames_until(&mut harness, "U1–U4 enabled", |h| {
        ["U1", "U2", "U3", "U4"].iter().all(|b| enabled(h, b))
    });
    assert!(enabled(&harness, "V3") && enabled(&harness, "Reroll"));
    assert_eq!(
        harness
            .get_by_role(Role::MultilineTextInput)
            .value()
            .as_deref(),
        Some("a lighthouse made of glass"),
        "the prompt stays in the box after submitting"
    );

    harness.get_by_label("U2").click();
    frames_until(&mut harness, "the upscaled child's buttons", |h| {
        enabled(h, "Upscale (Subtle)")
    });
    assert!(enabled(&harness, "Vary (Strong)") && enabled(&harness, "Zoom Out 2x"));
    assert!(
        harness.query_by_label("U1").is_none(),
        "the child is a single image: no U buttons"
    );
}
