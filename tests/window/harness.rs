//! What every window journey uses: a window on a fresh library over the embedded simulator, the one wait
//! (`frames_until`: draw frames until a condition holds, or fail after 30 s with what the window shows),
//! and ways to find, type, click, drag and drop as a user would.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{AccessKitNode, NodeT, Queryable};
use moodgrid::engine::{Backend, EngineConfig, Timing};
use moodgrid::secrets::KeyStore;
use moodgrid::settings::Settings;
use moodgrid::sim::SimConfig;
use moodgrid::ui::{Launch, MoodgridApp};

pub type Window = Harness<'static, MoodgridApp>;

pub fn open_with(data: &Path, keys: Arc<KeyStore>, sim: SimConfig) -> Window {
    open_timed(data, keys, sim, Timing::scaled(Duration::from_millis(30)))
}

/// The window with the engine's timing (and the account's in-flight cap) as given.
pub fn open_timed(data: &Path, keys: Arc<KeyStore>, sim: SimConfig, timing: Timing) -> Window {
    open_on(
        data,
        keys,
        Backend::Simulator(Box::new(sim)),
        Settings::default(),
        timing,
    )
}

/// The window on `backend` with `settings`, as `moodgrid` starts it.
pub fn open_on(
    data: &Path,
    keys: Arc<KeyStore>,
    backend: Backend,
    settings: Settings,
    timing: Timing,
) -> Window {
    let launch = Launch {
        engine: EngineConfig {
            data_dir: data.to_owned(),
            backend,
            timing,
            keys,
            stop_on_interrupt: false,
        },
        settings,
        settings_problem: None,
        export_folder: data.join("exports"),
    };
    // Built on the harness's context, as eframe builds it, so the engine's wake-ups reach the harness.
    Harness::builder()
        .with_size([1280.0, 800.0])
        .build_eframe(|creation| MoodgridApp::new(&creation.egui_ctx, launch).unwrap())
}

pub fn mock_keys() -> Arc<KeyStore> {
    Arc::new(KeyStore::in_store(
        keyring_core::mock::Store::new().unwrap(),
    ))
}

pub fn open(data: &Path) -> Window {
    open_with(data, mock_keys(), SimConfig::fast())
}

/// Draws frames (the engine works in real time meanwhile) until `done` holds, or fails after 30 s.
pub fn frames_until(harness: &mut Window, what: &str, mut done: impl FnMut(&Window) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        harness.step();
        if done(harness) {
            return;
        }
        if Instant::now() >= deadline {
            let labels: Vec<String> = harness
                .query_all_by(|n| n.label().is_some_and(|l| !l.is_empty()) || n.value().is_some())
                .filter_map(|n| n.accesskit_node().label().or(n.accesskit_node().value()))
                .collect();
            panic!("timed out waiting for {what}; the window shows: {labels:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Draws frames for `time` (the engine keeps working meanwhile).
pub fn frames_for(harness: &mut Window, time: Duration) {
    let until = Instant::now() + time;
    frames_until(harness, "time to pass", |_| Instant::now() >= until);
}

pub fn enabled(harness: &Window, label: &str) -> bool {
    harness
        .query_by_label(label)
        .is_some_and(|node| !node.accesskit_node().is_disabled())
}

pub fn shows(harness: &Window, text: &str) -> bool {
    harness.query_all_by_label_contains(text).next().is_some()
}

/// Matches the text field labelled `label` (the label's own text node has the same name).
pub fn text_field(label: &str) -> impl Fn(&AccessKitNode<'_>) -> bool + 'static {
    let label = label.to_owned();
    move |node| {
        matches!(
            node.role(),
            Role::TextInput | Role::MultilineTextInput | Role::PasswordInput
        ) && node.label().as_deref() == Some(label.as_str())
    }
}

pub fn type_into(harness: &mut Window, label: &str, text: &str) {
    harness.get_by(text_field(label)).focus();
    harness.step();
    harness.get_by(text_field(label)).type_text(text);
    harness.step();
}

pub fn prompt_text(harness: &Window) -> Option<String> {
    harness.get_by_role(Role::MultilineTextInput).value()
}

pub fn imagine(harness: &mut Window, prompt: &str) {
    type_into(harness, "Prompt", prompt);
    assert!(enabled(harness, "Imagine"));
    harness.get_by_label("Imagine").click_accesskit();
}

/// Replaces whatever the prompt holds with `prompt` and imagines it.
pub fn imagine_anew(harness: &mut Window, prompt: &str) {
    harness.get_by(text_field("Prompt")).focus();
    harness.step();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.step();
    harness.get_by(text_field("Prompt")).type_text(prompt);
    harness.step();
    harness.get_by_label("Imagine").click_accesskit();
    harness.step();
}

/// A window on a fresh library with one finished imagine grid on view.
pub fn with_grid(data: &Path, prompt: &str) -> Window {
    let mut harness = open(data);
    frames_until(&mut harness, "the engine", |h| shows(h, "Offline demo"));
    imagine(&mut harness, prompt);
    frames_until(&mut harness, "the grid", |h| enabled(h, "U1"));
    harness
}

/// Jobs in the library, read from disk (what was really written, whatever the window shows).
pub fn stored_jobs(data: &Path) -> Vec<moodgrid::library::JobRecord> {
    moodgrid::library::Library::open(data)
        .unwrap()
        .recent_jobs(100)
        .unwrap()
}

/// A file dropped on the window, as eframe hands it over.
#[derive(Debug)]
pub struct Dropped(pub std::path::PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

pub fn drop_files(harness: &mut Window, paths: &[std::path::PathBuf]) {
    for path in paths {
        harness
            .input_mut()
            .dropped_files
            .push(Arc::new(Dropped(path.clone())));
    }
    harness.step();
}

pub fn picture(dir: &Path, name: &str, rgb: [u8; 3]) -> std::path::PathBuf {
    let path = dir.join(name);
    image::RgbaImage::from_fn(320, 200, |x, y| {
        image::Rgba([rgb[0], rgb[1].wrapping_add((x + y) as u8), rgb[2], 255])
    })
    .save(&path)
    .unwrap();
    path
}

pub fn pointer(harness: &mut Window, event: egui::Event) {
    harness.input_mut().events.push(event);
    harness.step();
}

pub fn button(pos: egui::Pos2, pressed: bool) -> egui::Event {
    egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed,
        modifiers: egui::Modifiers::default(),
    }
}

pub fn drag(harness: &mut Window, from: egui::Pos2, to: egui::Pos2, modifiers: egui::Modifiers) {
    pointer(harness, egui::Event::PointerMoved(from));
    harness.input_mut().events.push(egui::Event::PointerButton {
        pos: from,
        button: egui::PointerButton::Primary,
        pressed: true,
        modifiers,
    });
    harness.step();
    for step in 1..=4 {
        let t = step as f32 / 4.0;
        pointer(harness, egui::Event::PointerMoved(from + (to - from) * t));
    }
    harness.input_mut().events.push(egui::Event::PointerButton {
        pos: to,
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers,
    });
    harness.step();
    harness.step();
}

/// Clicks the middle of a labelled widget with the pointer, as a hand would (a popup that closes on a click
/// outside it needs the pointer to be inside).
pub fn click_with_pointer(harness: &mut Window, label: &str) {
    let at = rect_of(harness, label).center();
    pointer(harness, egui::Event::PointerMoved(at));
    pointer(harness, button(at, true));
    pointer(harness, button(at, false));
}

/// A click on a gallery tile (by its job number) with modifier keys held, as a hand would.
pub fn click_tile(harness: &mut Window, job: i64, modifiers: egui::Modifiers) {
    let at = harness
        .get_by_label_contains(&format!("Job #{job}:"))
        .rect()
        .center();
    pointer(harness, egui::Event::PointerMoved(at));
    pointer(harness, egui::Event::ModifiersChanged(modifiers));
    for pressed in [true, false] {
        pointer(
            harness,
            egui::Event::PointerButton {
                pos: at,
                button: egui::PointerButton::Primary,
                pressed,
                modifiers,
            },
        );
    }
    pointer(
        harness,
        egui::Event::ModifiersChanged(egui::Modifiers::NONE),
    );
}

pub fn item_rect(harness: &Window, job: i64) -> egui::Rect {
    harness
        .get_by_label(&format!("Board image: job #{job}"))
        .rect()
}

pub fn rect_of(harness: &Window, label: &str) -> egui::Rect {
    harness.get_by_label(label).rect()
}

pub fn near(a: f32, b: f32) -> bool {
    (a - b).abs() <= 2.0
}

/// Draws frames until the window has nothing on its way (the engine answered everything asked, every job it
/// knows has ended) and two frames in a row lay out the same controls at the same places: what a step that
/// reads positions, or checks that something did *not* happen, needs first.
pub fn settle(harness: &mut Window) {
    let layout = |h: &Window| -> Vec<(String, [i32; 4])> {
        h.query_all_by(|n| n.label().is_some_and(|l| !l.is_empty()))
            .map(|n| {
                let r = n.rect();
                (
                    n.accesskit_node().label().unwrap_or_default(),
                    [r.min.x, r.min.y, r.max.x, r.max.y].map(|v| v.round() as i32),
                )
            })
            .collect()
    };
    let mut last = Vec::new();
    frames_until(harness, "the window to settle", |h| {
        let now = layout(h);
        let same = now == last;
        last = now;
        same && h.state().is_settled()
    });
}
