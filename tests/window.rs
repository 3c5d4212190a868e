//! The window driven headless by accessible label (egui_kittest), through the real engine, against the
//! embedded simulator (and, for Settings, a second simulator that demands a key).

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{AccessKitNode, NodeT, Queryable};
use moodgrid::engine::{Backend, EngineConfig, Timing};
use moodgrid::secrets::KeyStore;
use moodgrid::settings::Settings;
use moodgrid::sim::{SimConfig, Simulator};
use moodgrid::ui::{Launch, MoodgridApp, View};

#[path = "support/png_text.rs"]
mod png_text;

type Window = Harness<'static, MoodgridApp>;

fn open_with(data: &Path, keys: Arc<KeyStore>, sim: SimConfig) -> Window {
    let launch = Launch {
        engine: EngineConfig {
            data_dir: data.to_owned(),
            backend: Backend::Simulator(sim),
            timing: Timing::scaled(Duration::from_millis(30)),
            keys,
            stop_on_interrupt: false,
        },
        settings: Settings::default(),
        settings_problem: None,
        export_folder: data.join("exports"),
    };
    // Built on the harness's context, as eframe builds it, so the engine's wake-ups reach the harness.
    Harness::builder()
        .with_size([1280.0, 800.0])
        .build_eframe(|creation| MoodgridApp::new(&creation.egui_ctx, launch).unwrap())
}

fn mock_keys() -> Arc<KeyStore> {
    Arc::new(KeyStore::in_store(
        keyring_core::mock::Store::new().unwrap(),
    ))
}

fn open(data: &Path) -> Window {
    open_with(data, mock_keys(), SimConfig::fast())
}

/// Draws frames (the engine works in real time meanwhile) until `done` holds, or fails after 30 s.
fn frames_until(harness: &mut Window, what: &str, done: impl Fn(&Window) -> bool) {
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

fn enabled(harness: &Window, label: &str) -> bool {
    harness
        .query_by_label(label)
        .is_some_and(|node| !node.accesskit_node().is_disabled())
}

fn shows(harness: &Window, text: &str) -> bool {
    harness.query_all_by_label_contains(text).next().is_some()
}

/// Matches the text field labelled `label` (the label's own text node has the same name).
fn text_field(label: &str) -> impl Fn(&AccessKitNode<'_>) -> bool + 'static {
    let label = label.to_owned();
    move |node| {
        matches!(
            node.role(),
            Role::TextInput | Role::MultilineTextInput | Role::PasswordInput
        ) && node.label().as_deref() == Some(label.as_str())
    }
}

fn type_into(harness: &mut Window, label: &str, text: &str) {
    harness.get_by(text_field(label)).focus();
    harness.step();
    harness.get_by(text_field(label)).type_text(text);
    harness.step();
}

fn prompt_text(harness: &Window) -> Option<String> {
    harness.get_by_role(Role::MultilineTextInput).value()
}

fn imagine(harness: &mut Window, prompt: &str) {
    type_into(harness, "Prompt", prompt);
    assert!(enabled(harness, "Imagine"));
    harness.get_by_label("Imagine").click();
}

/// A window on a fresh library with one finished imagine grid on view.
fn with_grid(data: &Path, prompt: &str) -> Window {
    let mut harness = open(data);
    frames_until(&mut harness, "the engine", |h| shows(h, "Offline demo"));
    imagine(&mut harness, prompt);
    frames_until(&mut harness, "the grid", |h| enabled(h, "U1"));
    harness
}

#[test]
fn imagine_then_u2_from_the_window() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = open(data.path());
    frames_until(&mut harness, "the offline banner", |h| {
        shows(h, "Offline demo — add your TTAPI key in Settings")
    });
    assert!(!enabled(&harness, "Imagine"), "nothing to imagine yet");

    imagine(&mut harness, "a lighthouse made of glass");
    frames_until(&mut harness, "U1–U4 enabled", |h| {
        ["U1", "U2", "U3", "U4"].iter().all(|b| enabled(h, b))
    });
    assert!(enabled(&harness, "V3") && enabled(&harness, "Reroll"));
    assert_eq!(
        prompt_text(&harness).as_deref(),
        Some("a lighthouse made of glass"),
        "the prompt stays in the box after submitting"
    );
    frames_until(&mut harness, "the finished toast", |h| {
        shows(h, "Done: imagine · a lighthouse made of glass")
    });

    harness.get_by_label("U2").click();
    frames_until(&mut harness, "the upscaled child's buttons", |h| {
        enabled(h, "Upscale (Subtle)")
    });
    assert!(enabled(&harness, "Vary (Strong)") && enabled(&harness, "Zoom Out 2x"));
    assert!(
        harness.query_by_label("U1").is_none(),
        "the child is a single image: no U buttons"
    );
    // Lineage: the child links back to its grid, and the link opens it.
    harness.get_by_label_contains("#1 imagine").click();
    frames_until(&mut harness, "the parent's view", |h| enabled(h, "U4"));
    assert!(shows(&harness, "#2 upsample2"), "the grid lists its child");

    // The seed arrives through a seed job and lands on the grid.
    harness.get_by_label("Get seed").click();
    frames_until(&mut harness, "the seed", |h| enabled(h, "Reuse"));
    harness.get_by_label("Reuse").click();
    harness.run_steps(3);
    let prompt = prompt_text(&harness).unwrap();
    assert!(
        prompt.starts_with("a lighthouse made of glass --seed ") && prompt.len() > 35,
        "{prompt}"
    );

    // Ctrl+Up in the prompt recalls the newest prompt imagined.
    harness.get_by(text_field("Prompt")).focus();
    harness.step();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::ArrowUp);
    harness.run_steps(2);
    assert_eq!(
        prompt_text(&harness).as_deref(),
        Some("a lighthouse made of glass")
    );
}

/// Jobs in the library, read from disk (what was really written, whatever the window shows).
fn stored_jobs(data: &Path) -> Vec<moodgrid::library::JobRecord> {
    moodgrid::library::Library::open(data)
        .unwrap()
        .recent_jobs(100)
        .unwrap()
}

#[test]
fn a_double_click_a_held_key_or_a_second_upscale_start_no_second_job() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = open(data.path());
    frames_until(&mut harness, "the engine", |h| shows(h, "Offline demo"));
    // Imagine double-clicked: two clicks in two frames.
    type_into(&mut harness, "Prompt", "a kite over dunes");
    harness.get_by_label("Imagine").click();
    harness.step();
    harness.get_by_label("Imagine").click();
    harness.step();
    // Ctrl+Enter held down: the first press and its repeats.
    harness.get_by(text_field("Prompt")).focus();
    harness.step();
    for _ in 0..5 {
        harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
        harness.step();
    }
    frames_until(&mut harness, "the grid", |h| enabled(h, "U1"));
    assert_eq!(
        stored_jobs(data.path()).len(),
        1,
        "one job for all those presses"
    );

    // U2, then U2 again later: the second opens the first upscale instead of paying for it twice.
    harness.get_by_label("U2").click();
    frames_until(&mut harness, "the upscale", |h| {
        enabled(h, "Upscale (Subtle)")
    });
    harness.get_by_label_contains("#1 imagine").click();
    frames_until(&mut harness, "the grid again", |h| enabled(h, "U2"));
    std::thread::sleep(std::time::Duration::from_millis(1100));
    harness.get_by_label("U2").click();
    frames_until(&mut harness, "the existing upscale opened", |h| {
        shows(h, "U2 of this image already exists") && enabled(h, "Run again")
    });
    assert_eq!(stored_jobs(data.path()).len(), 2);
    // Run again is the explicit way to pay for it twice.
    harness.get_by_label("Run again").click();
    frames_until(&mut harness, "the second upscale", |_| {
        stored_jobs(data.path()).len() == 3
    });
    let upscales = stored_jobs(data.path())
        .into_iter()
        .filter(|j| j.action == "upsample2")
        .count();
    assert_eq!(upscales, 2);
}

#[test]
fn a_refused_prompt_is_explained_and_retried_and_the_gallery_finds_jobs() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = open(data.path());
    frames_until(&mut harness, "the engine", |h| shows(h, "Offline demo"));

    type_into(&mut harness, "Prompt", "a bannedword poster");
    harness.get_by_label("Check").click();
    frames_until(&mut harness, "the prompt check", |h| {
        shows(h, "TTAPI would refuse this prompt")
    });
    harness.get_by_label("Imagine anyway").click();
    frames_until(&mut harness, "the failure", |h| {
        shows(h, "Midjourney's moderator refused the prompt")
    });
    assert!(shows(&harness, "TTAPI said: [Banned prompt detected]"));
    harness.get_by_label("Retry").click();
    frames_until(&mut harness, "the retried job", |h| {
        shows(h, "#2 · imagine")
    });

    harness.get_by_label("Gallery").click();
    frames_until(&mut harness, "the gallery", |h| shows(h, "2 of 2 jobs"));
    // The retry is selected; Right steps to the older job and Enter opens it.
    harness.key_press(egui::Key::ArrowRight);
    harness.step();
    harness.key_press(egui::Key::Enter);
    frames_until(&mut harness, "job #1 in the job view", |h| {
        shows(h, "#1 · imagine")
    });

    harness.get_by_label("Gallery").click();
    harness.step();
    type_into(&mut harness, "Filter", "lighthouse");
    frames_until(&mut harness, "the text filter", |h| {
        shows(h, "0 of 2 jobs") && shows(h, "No job matches these filters.")
    });
}

/// The Settings window relayouts when the engine's answers arrive, so its buttons are pressed through
/// their accessibility action rather than at a screen position that may have just moved.
#[test]
fn settings_store_a_key_in_the_keyring_and_connect_with_it() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    const KEY: &str = "sk-window-test-0123456789";
    let service = runtime
        .block_on(Simulator::start(SimConfig {
            api_key: Some(KEY.into()),
            ..SimConfig::fast()
        }))
        .unwrap();
    let host = service.base_url().to_string();
    let data = tempfile::tempdir().unwrap();
    let store = keyring_core::mock::Store::new().unwrap();
    let keys = Arc::new(KeyStore::in_store(store.clone()));
    let mut harness = open_with(data.path(), keys, SimConfig::fast());
    frames_until(&mut harness, "the banner", |h| shows(h, "Offline demo"));

    harness.get_by_label("Settings").click_accesskit();
    frames_until(&mut harness, "the key status", |h| {
        shows(h, "No key stored")
    });
    harness.get_by_label("Custom").click_accesskit();
    harness.step();
    type_into(&mut harness, "Host", &host);
    harness.get_by_label("Apply host").click_accesskit();
    type_into(&mut harness, "API key", KEY);
    // Key operations wait for the restarted engine.
    frames_until(&mut harness, "the restart on the new host", |h| {
        enabled(h, "Save key")
    });
    assert!(
        !shows(&harness, KEY),
        "the key field is masked: the key is not shown"
    );
    harness.get_by_label("Save key").click_accesskit();
    frames_until(&mut harness, "the connection with the stored key", |h| {
        shows(h, &format!("Connected to {host}")) && shows(h, "Balance:")
    });
    assert!(!shows(&harness, "Offline demo"));
    assert!(shows(&harness, "Stored in the OS keyring: ••••••••6789"));
    assert_eq!(
        KeyStore::in_store(store.clone())
            .load()
            .unwrap()
            .unwrap()
            .expose(),
        KEY
    );
    assert_eq!(Settings::load(data.path()).unwrap().base_url, host);

    // Jobs now go to the keyed service.
    harness.key_press(egui::Key::Escape);
    harness.step();
    imagine(&mut harness, "a keyed request");
    frames_until(&mut harness, "the job on the service", |h| enabled(h, "U1"));
    assert_eq!(service.accepted_submissions(), 1);

    // The key is nowhere in the data directory: not in settings, not in the journal.
    for entry in walkdir::WalkDir::new(data.path()) {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        let bytes = std::fs::read(entry.path()).unwrap();
        assert!(
            !bytes.windows(KEY.len()).any(|w| w == KEY.as_bytes()),
            "{} contains the key",
            entry.path().display()
        );
    }

    harness.get_by_label("Settings").click_accesskit();
    frames_until(&mut harness, "Remove key enabled", |h| {
        enabled(h, "Remove key")
    });
    harness.get_by_label("Remove key").click_accesskit();
    frames_until(&mut harness, "the offline banner again", |h| {
        shows(h, "Offline demo")
    });
    assert_eq!(KeyStore::in_store(store).load().unwrap(), None);
}

/// A host outside TTAPI gets the key only after the user says so, once; Cancel changes nothing.
#[test]
fn a_custom_host_outside_ttapi_needs_consent_before_the_key_goes_there() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = open(data.path());
    frames_until(&mut harness, "the banner", |h| shows(h, "Offline demo"));
    harness.get_by_label("Settings").click_accesskit();
    frames_until(&mut harness, "the settings", |h| shows(h, "No key stored"));
    harness.get_by_label("Custom").click_accesskit();
    harness.step();
    type_into(&mut harness, "Host", "https://proxy.example.com");
    harness.get_by_label("Apply host").click_accesskit();
    frames_until(&mut harness, "the question", |h| {
        shows(h, "https://proxy.example.com is not one of TTAPI's hosts")
    });
    harness.get_by_label("Cancel").click_accesskit();
    frames_until(&mut harness, "the question gone", |h| {
        !shows(h, "Trust this host and connect")
    });
    let settings = Settings::load(data.path()).unwrap();
    assert_eq!(settings.base_url, moodgrid::api::DEFAULT_BASE_URL);
    assert!(settings.trusted_hosts.is_empty());

    harness.get_by_label("Apply host").click_accesskit();
    frames_until(&mut harness, "the question again", |h| {
        shows(h, "Trust this host and connect")
    });
    harness
        .get_by_label("Trust this host and connect")
        .click_accesskit();
    frames_until(&mut harness, "the consent saved", |_| {
        Settings::load(data.path()).is_ok_and(|s| s.base_url == "https://proxy.example.com")
    });
    assert_eq!(
        Settings::load(data.path()).unwrap().trusted_hosts,
        ["https://proxy.example.com"]
    );
}

#[test]
fn cjk_prompts_render_with_a_system_fallback_font() {
    const PROMPT: &str = "夜の東京 네온 霓虹灯";
    let has_glyphs = |h: &Window| {
        h.ctx
            .fonts_mut(|f| f.has_glyphs(&egui::FontId::proportional(14.0), PROMPT))
    };
    let data = tempfile::tempdir().unwrap();
    let mut harness = open(data.path());
    frames_until(&mut harness, "the engine", |h| shows(h, "Offline demo"));
    frames_until(
        &mut harness,
        "a CJK fallback font (install fonts-noto-cjk)",
        has_glyphs,
    );
    imagine(&mut harness, PROMPT);
    frames_until(&mut harness, "the job", |h| enabled(h, "U1"));
    assert!(shows(&harness, PROMPT));
}

#[test]
fn the_feed_shows_a_grid_as_soon_as_it_is_saved_while_the_splits_follow() {
    // Every image download takes 700 ms: the grid has a lane of its own, the four splits follow one by one.
    let slow_downloads = SimConfig {
        faults: moodgrid::sim::FaultConfig {
            latency: Duration::from_millis(700),
            only_paths: vec!["/cdn/".into()],
            ..Default::default()
        },
        ..SimConfig::fast()
    };
    const PROMPT: &str = "a slow harbour at dawn";
    let feed_grid = |h: &Window| {
        h.query_all_by_label(PROMPT)
            .any(|node| node.accesskit_node().role() == Role::Image && node.rect().max.x < 400.0)
    };
    let data = tempfile::tempdir().unwrap();
    let mut harness = open_with(data.path(), mock_keys(), slow_downloads);
    frames_until(&mut harness, "the engine", |h| shows(h, "Offline demo"));
    imagine(&mut harness, PROMPT);
    frames_until(&mut harness, "the grid in the feed", feed_grid);
    assert!(
        shows(&harness, "saving images"),
        "the grid is drawn while the split images are still being saved"
    );
    assert!(
        !enabled(&harness, "U1"),
        "and the job is not done before they are"
    );
    frames_until(&mut harness, "the job done", |h| enabled(h, "U1"));
    assert!(
        feed_grid(&harness),
        "the grid stays drawn when the job succeeds"
    );
}

#[test]
fn f1_and_the_help_menu_list_the_shortcuts_and_the_open_view_comes_back_next_time() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = with_grid(data.path(), "a remembered harbour");

    harness.key_press(egui::Key::F1);
    harness.run_steps(2);
    assert!(shows(&harness, "Keyboard shortcuts"));
    assert!(shows(&harness, "Ctrl+Z"), "combinations written for Linux");
    assert!(shows(&harness, "older prompt from the history"));
    harness.key_press(egui::Key::Escape);
    harness.run_steps(2);
    assert!(
        !shows(&harness, "older prompt from the history"),
        "Esc closes it"
    );
    harness.get_by_label("Help").click();
    harness.run_steps(2);
    assert!(
        enabled(&harness, "Open log folder"),
        "Help → Open log folder, with the platform state folder"
    );
    // Esc closes the menu and leaves the job view open.
    harness.key_press(egui::Key::Escape);
    harness.run_steps(2);
    assert!(harness.query_by_label("Open log folder").is_none());
    assert_eq!(harness.state().remembered().view, View::Job);
    harness.get_by_label("Help").click();
    harness.run_steps(2);
    // The menu item's label also carries its key, F1.
    harness
        .query_by_label_contains("Keyboard shortcuts")
        .unwrap()
        .click();
    harness.run_steps(2);
    assert!(
        shows(&harness, "older prompt from the history"),
        "Help → Keyboard shortcuts"
    );

    // What eframe keeps at exit: the open view and job; a fresh window on the same library restores them.
    harness.get_by_label("Gallery").click();
    harness.run_steps(2);
    let remembered = harness.state().remembered();
    assert_eq!(remembered.view, View::Gallery);
    assert!(remembered.selected.is_some());
    drop(harness);
    let mut again = open(data.path());
    again.state_mut().restore(remembered);
    frames_until(&mut again, "the gallery with the job", |h| {
        shows(h, "1 of 1 jobs")
    });
    assert_eq!(again.state().remembered(), remembered);
}

/// A file dropped on the window, as eframe hands it over.
#[derive(Debug)]
struct Dropped(std::path::PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

fn drop_files(harness: &mut Window, paths: &[std::path::PathBuf]) {
    for path in paths {
        harness
            .input_mut()
            .dropped_files
            .push(Arc::new(Dropped(path.clone())));
    }
    harness.step();
}

fn picture(dir: &Path, name: &str, rgb: [u8; 3]) -> std::path::PathBuf {
    let path = dir.join(name);
    image::RgbaImage::from_fn(320, 200, |x, y| {
        image::Rgba([rgb[0], rgb[1].wrapping_add((x + y) as u8), rgb[2], 255])
    })
    .save(&path)
    .unwrap();
    path
}

#[test]
fn two_dropped_files_blend_and_a_bad_one_blocks_nothing() {
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let mut harness = open(data.path());
    frames_until(&mut harness, "the engine", |h| shows(h, "Offline demo"));
    harness.get_by_label("Blend").click();
    harness.step();
    let notes = files.path().join("notes.png");
    std::fs::write(&notes, "this is text, not a picture").unwrap();
    drop_files(
        &mut harness,
        &[
            picture(files.path(), "red.png", [220, 40, 40]),
            notes,
            picture(files.path(), "blue.png", [30, 60, 220]),
        ],
    );
    frames_until(&mut harness, "two checked slots and one refused", |h| {
        enabled(h, "Blend 2 images") && shows(h, "notes.png: not an image")
    });
    assert!(shows(&harness, "320 × 200 px"));
    harness.get_by_label("Landscape").click();
    harness.step();
    harness.get_by_label("Blend 2 images").click();
    frames_until(&mut harness, "the blend's grid", |h| {
        enabled(h, "U1") && shows(h, "· blend")
    });

    // The blend kept its inputs: they go back to the panel, in order, ready to blend again.
    frames_until(&mut harness, "the blend's stored sources", |h| {
        enabled(h, "Edit in Blend")
    });
    harness.get_by_label("Edit in Blend").click();
    frames_until(&mut harness, "the stored sources back in the panel", |h| {
        enabled(h, "Blend 2 images")
    });
    assert_eq!(
        harness.query_all_by_label_contains("320 × 200 px").count(),
        2
    );

    // Jobs picked with Ctrl+click in the gallery go to the Blend panel as its sources.
    harness.get_by_label("Clear").click();
    harness.step();
    imagine(&mut harness, "a second picture");
    frames_until(&mut harness, "the second job", |h| {
        enabled(h, "U1") && shows(h, "#2 · imagine")
    });
    harness.get_by_label("Gallery").click();
    harness.step();
    for tile in ["Job #1: blend", "Job #2: a second picture"] {
        harness
            .get_by_label(tile)
            .click_modifiers(egui::Modifiers::COMMAND);
        harness.step();
    }
    frames_until(&mut harness, "the picked jobs' images", |h| {
        enabled(h, "Blend selected (2)")
    });
    harness.get_by_label("Blend selected (2)").click();
    frames_until(&mut harness, "the picked jobs as blend sources", |h| {
        enabled(h, "Blend 2 images")
    });
}

#[test]
fn a_described_image_gives_four_prompts_and_use_prompt_fills_the_bar() {
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let mut harness = open(data.path());
    frames_until(&mut harness, "the engine", |h| shows(h, "Offline demo"));
    harness.get_by_label("Describe").click();
    harness.step();
    drop_files(
        &mut harness,
        &[picture(files.path(), "moss.png", [40, 160, 60])],
    );
    frames_until(&mut harness, "the checked image", |h| {
        enabled(h, "Describe image")
    });
    harness.get_by_label("Describe image").click();
    frames_until(&mut harness, "four prompt cards", |h| {
        h.query_all_by_label("Use prompt").count() == 4
    });
    harness
        .query_all_by_label("Use prompt")
        .nth(2)
        .unwrap()
        .click();
    harness.run_steps(2);
    let prompt = prompt_text(&harness).unwrap();
    assert!(
        prompt.starts_with("dreamy ") && prompt.contains("--ar") && !prompt.contains('\u{20E3}'),
        "the third prompt, without its number: {prompt}"
    );
}

fn pointer(harness: &mut Window, event: egui::Event) {
    harness.input_mut().events.push(event);
    harness.step();
}

fn button(pos: egui::Pos2, pressed: bool) -> egui::Event {
    egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed,
        modifiers: egui::Modifiers::default(),
    }
}

#[test]
fn a_region_painted_in_the_mask_editor_is_exactly_what_gets_repainted() {
    use moodgrid::library::{ImageRole, Library};
    let data = tempfile::tempdir().unwrap();
    let mut harness = with_grid(data.path(), "a quiet harbour");
    harness.get_by_label("U1").click();
    frames_until(&mut harness, "the upscaled image", |h| {
        enabled(h, "Vary region")
    });
    harness.get_by_label("Vary region").click();
    frames_until(&mut harness, "the editor", |h| shows(h, "Mask canvas"));
    harness.get_by_label("Rectangle").click();
    harness.step();

    // Where the image sits on the canvas: fitted and centred, as the editor draws it.
    let library = Library::open(data.path()).unwrap();
    let upscale = library.job(2).unwrap();
    let (w, h) = (
        upscale.width.unwrap() as f32,
        upscale.height.unwrap() as f32,
    );
    let canvas = harness.get_by_label("Mask canvas").rect();
    let zoom = (canvas.width() / w).min(canvas.height() / h);
    let origin = canvas.min + (canvas.size() - egui::vec2(w, h) * zoom) / 2.0;
    let screen = |x: f32, y: f32| origin + egui::vec2(x, y) * zoom;
    let (from, to) = ((0.25 * w, 0.30 * h), (0.60 * w, 0.70 * h));

    pointer(
        &mut harness,
        egui::Event::PointerMoved(screen(from.0, from.1)),
    );
    pointer(&mut harness, button(screen(from.0, from.1), true));
    for step in 1..=4 {
        let t = step as f32 / 4.0;
        let at = screen(from.0 + (to.0 - from.0) * t, from.1 + (to.1 - from.1) * t);
        pointer(&mut harness, egui::Event::PointerMoved(at));
    }
    pointer(&mut harness, button(screen(to.0, to.1), false));
    harness.step();
    assert!(
        enabled(&harness, "Submit region"),
        "a painted mask can be submitted"
    );
    harness.get_by_label("Submit region").click();
    frames_until(&mut harness, "the inpainted grid", |h| {
        shows(h, "#3 · inpaint") && enabled(h, "U1")
    });

    // What was sent: a mask of the image's exact size, white exactly where the rectangle was dragged.
    let files = library.image_files(3).unwrap();
    let mask_file = files
        .iter()
        .find(|f| f.record.role == ImageRole::Mask)
        .unwrap();
    let mask = image::open(&mask_file.path).unwrap().to_luma8();
    assert_eq!(mask.dimensions(), (w as u32, h as u32));
    let white: Vec<(u32, u32)> = mask
        .enumerate_pixels()
        .filter(|(_, _, p)| p[0] == 255)
        .map(|(x, y, _)| (x, y))
        .collect();
    let (min_x, max_x) = (
        white.iter().map(|p| p.0).min().unwrap(),
        white.iter().map(|p| p.0).max().unwrap(),
    );
    let (min_y, max_y) = (
        white.iter().map(|p| p.1).min().unwrap(),
        white.iter().map(|p| p.1).max().unwrap(),
    );
    let near = |a: u32, b: f32| (a as f32 - b).abs() <= 2.0;
    assert!(
        near(min_x, from.0)
            && near(max_x + 1, to.0)
            && near(min_y, from.1)
            && near(max_y + 1, to.1),
        "white {min_x}..={max_x} × {min_y}..={max_y}, dragged {from:?} → {to:?}"
    );
    assert_eq!(
        white.len() as u32,
        (max_x - min_x + 1) * (max_y - min_y + 1),
        "a solid rectangle"
    );

    // What came back: outside the region every pixel is the original's; inside, it was repainted.
    let original = image::open(&library.image_files(2).unwrap()[0].path)
        .unwrap()
        .to_rgba8();
    let split = files
        .iter()
        .find(|f| f.record.role == ImageRole::Split)
        .unwrap();
    let repainted = image::open(&split.path).unwrap().to_rgba8();
    assert_eq!(repainted.dimensions(), original.dimensions());
    let mut changed_inside = 0;
    for (x, y, p) in repainted.enumerate_pixels() {
        if mask.get_pixel(x, y)[0] == 255 {
            changed_inside += usize::from(p != original.get_pixel(x, y));
        } else {
            assert_eq!(
                p,
                original.get_pixel(x, y),
                "({x}, {y}) is outside the mask"
            );
        }
    }
    assert!(changed_inside > white.len() / 2, "the region was repainted");
}

fn drag(harness: &mut Window, from: egui::Pos2, to: egui::Pos2, modifiers: egui::Modifiers) {
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

fn item_rect(harness: &Window, job: i64) -> egui::Rect {
    harness
        .get_by_label(&format!("Board image: job #{job}"))
        .rect()
}

#[test]
fn a_board_takes_gallery_images_moves_arranges_and_blends_two_of_them() {
    use moodgrid::library::{ImageRole, Library};
    let data = tempfile::tempdir().unwrap();
    let mut harness = open(data.path());
    frames_until(&mut harness, "the engine", |h| shows(h, "Offline demo"));
    imagine(&mut harness, "a board of harbours");
    frames_until(&mut harness, "the grid's image", |h| {
        enabled(h, "U1") && enabled(h, "Add to board")
    });
    harness.get_by_label("Add to board").click();
    harness.step();
    for (button, job) in [("U1", 2), ("U2", 3)] {
        harness.get_by_label(button).click();
        frames_until(&mut harness, "the upscale", |h| {
            enabled(h, "Vary region")
                && enabled(h, "Add to board")
                && shows(h, &format!("#{job} · upsample"))
        });
        harness.get_by_label("Add to board").click();
        harness.step();
        harness.get_by_label_contains("#1 imagine").click();
        frames_until(&mut harness, "the grid again", |h| enabled(h, "U2"));
    }
    harness.get_by_label("Boards").click();
    frames_until(&mut harness, "three images on the board", |h| {
        (1..=3).all(|job| shows(h, &format!("Board image: job #{job}")))
    });

    // New arrivals are selected together; a click picks the second image alone, then it moves 150 px
    // to the right.
    let before = item_rect(&harness, 2);
    harness.get_by_label("Board image: job #2").click();
    harness.step();
    let first = item_rect(&harness, 1);
    drag(
        &mut harness,
        before.center(),
        before.center() + egui::vec2(150.0, 0.0),
        egui::Modifiers::NONE,
    );
    let after = item_rect(&harness, 2);
    assert!(
        (after.center().x - before.center().x - 150.0).abs() < 2.0,
        "{before:?} → {after:?}"
    );
    assert_eq!(
        item_rect(&harness, 1),
        first,
        "only the selected image moved"
    );

    // Select all with a marquee from corner to corner, then arrange them as a grid.
    let canvas = harness.get_by_label("Board canvas").rect();
    drag(
        &mut harness,
        canvas.min + egui::vec2(3.0, 3.0),
        canvas.max - egui::vec2(3.0, 3.0),
        egui::Modifiers::NONE,
    );
    assert!(
        enabled(&harness, "Arrange grid"),
        "the marquee selected the items"
    );
    harness.get_by_label("Arrange grid").click();
    harness.run_steps(2);
    let rects: Vec<egui::Rect> = (1..=3).map(|job| item_rect(&harness, job)).collect();
    let mut rows: Vec<f32> = rects.iter().map(|r| r.top()).collect();
    rows.sort_by(f32::total_cmp);
    rows.dedup_by(|a, b| (*a - *b).abs() < 2.0);
    let distinct_rows = rows.len();
    assert_eq!(
        distinct_rows, 2,
        "three items in a two-column grid: {rects:?}"
    );

    // Select the grid and the second upscale, and blend them.
    harness.get_by_label("Board image: job #1").click();
    harness.step();
    harness
        .get_by_label("Board image: job #3")
        .click_modifiers(egui::Modifiers::SHIFT);
    harness.step();
    harness.get_by_label("Blend (2)").click();
    frames_until(&mut harness, "the two images as blend sources", |h| {
        enabled(h, "Blend 2 images")
    });
    harness.get_by_label("Blend 2 images").click();
    frames_until(&mut harness, "the blend's grid", |h| {
        enabled(h, "U1") && shows(h, "· blend")
    });

    let library = Library::open(data.path()).unwrap();
    let blend = library.recent_jobs(1).unwrap().remove(0);
    let mut sizes: Vec<(u32, u32)> = library
        .images(blend.id)
        .unwrap()
        .iter()
        .filter(|i| i.role == ImageRole::Source)
        .map(|i| (i.width, i.height))
        .collect();
    sizes.sort();
    assert_eq!(
        sizes,
        [(1024, 1024), (2048, 2048)],
        "the grid and the second upscale"
    );
    // The board was saved as it was edited.
    let boards = library.boards().unwrap();
    assert_eq!(boards.len(), 1);
    assert_eq!(boards[0].board.items().len(), 3);
}

fn rect_of(harness: &Window, label: &str) -> egui::Rect {
    harness.get_by_label(label).rect()
}

fn near(a: f32, b: f32) -> bool {
    (a - b).abs() <= 2.0
}

/// Draws frames until the saved board satisfies `done` (saves are asynchronous), or fails after 30 s.
fn saved_board_until(
    harness: &mut Window,
    data: &Path,
    what: &str,
    done: impl Fn(&[moodgrid::library::StoredBoard]) -> bool,
) -> Vec<moodgrid::library::StoredBoard> {
    let library = moodgrid::library::Library::open(data).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        harness.step();
        let boards = library.boards().unwrap();
        if done(&boards) {
            return boards;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; saved: {:?}",
            boards
                .iter()
                .map(|b| (&b.board.name, b.board.items().len()))
                .collect::<Vec<_>>()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_board_takes_a_feed_drag_and_a_dropped_file_and_scales_crops_rotates_notes_and_renames() {
    use moodgrid::domain::board::Content;
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let mut harness = with_grid(data.path(), "harbour lights in fog");
    harness.get_by_label("Boards").click();
    frames_until(&mut harness, "the empty boards view", |h| {
        shows(h, "No board yet")
    });

    // Drag the job from the feed onto the (still missing) board: a board is made and the image lands.
    let central = harness
        .query_all_by_label_contains("No board yet")
        .next()
        .unwrap()
        .rect();
    // The feed row's title (the prompt also shows in the prompt bar, above the feed).
    let row = harness
        .query_all_by_label_contains("harbour lights in fog")
        .map(|n| n.rect())
        .find(|r| r.max.x <= central.min.x && r.min.y > 80.0)
        .unwrap();
    let target = central.center();
    drag(&mut harness, row.center(), target, egui::Modifiers::NONE);
    frames_until(&mut harness, "the dragged job on a new board", |h| {
        shows(h, "Board image: job #1")
    });

    // Drop a 320×200 file and a text file named like a picture on the canvas.
    let canvas = rect_of(&harness, "Board canvas");
    let photo = picture(files.path(), "photo.png", [200, 90, 60]);
    let fake = files.path().join("notes.png");
    std::fs::write(&fake, "not a picture").unwrap();
    pointer(&mut harness, egui::Event::PointerMoved(canvas.center()));
    drop_files(&mut harness, &[photo, fake]);
    frames_until(&mut harness, "the dropped file on the board", |h| {
        shows(h, "Board image: your file") && shows(h, "notes.png: not an image")
    });
    harness.run_steps(2);
    let dropped = rect_of(&harness, "Board image: your file");
    assert!(
        near(dropped.center().x, canvas.center().x) && near(dropped.center().y, canvas.center().y)
    );
    assert!(
        (dropped.width() / dropped.height() - 1.6).abs() < 0.03,
        "a 320×200 file keeps its shape: {dropped:?}"
    );

    // The new item is selected: its bottom-right handle scales it about the top-left corner.
    let pull = egui::vec2(80.0, 50.0);
    drag(
        &mut harness,
        dropped.max,
        dropped.max + pull,
        egui::Modifiers::NONE,
    );
    let scaled = rect_of(&harness, "Board image: your file");
    assert!(
        near(scaled.min.x, dropped.min.x) && near(scaled.min.y, dropped.min.y),
        "{dropped:?} → {scaled:?}"
    );
    assert!(
        near(scaled.width(), dropped.width() + pull.x)
            && near(scaled.height(), dropped.height() + pull.y),
        "{dropped:?} → {scaled:?}"
    );

    // Crop: the right edge's handle pulled to the middle keeps the left half where it was.
    harness.get_by_label("Crop").click();
    harness.step();
    let right_edge = egui::pos2(scaled.max.x, scaled.center().y);
    drag(
        &mut harness,
        right_edge,
        scaled.center(),
        egui::Modifiers::NONE,
    );
    harness.key_press(egui::Key::Enter);
    harness.step();
    let cropped = rect_of(&harness, "Board image: your file");
    assert!(
        near(cropped.min.x, scaled.min.x) && near(cropped.width(), scaled.width() / 2.0),
        "{scaled:?} → {cropped:?}"
    );
    assert!(near(cropped.height(), scaled.height()));

    // Rotate: the round handle above the top edge, dragged level with the centre to the right, is a
    // quarter turn clockwise.
    let handle = egui::pos2(cropped.center().x, cropped.min.y - 26.0);
    drag(
        &mut harness,
        handle,
        cropped.center() + egui::vec2(120.0, 0.0),
        egui::Modifiers::NONE,
    );
    let turned = rect_of(&harness, "Board image: your file");
    assert!(
        near(turned.width(), cropped.height()) && near(turned.height(), cropped.width()),
        "{cropped:?} → {turned:?}"
    );
    assert!(
        near(turned.center().x, cropped.center().x) && near(turned.center().y, cropped.center().y)
    );

    // A note, typed straight away, kept when the pointer clicks elsewhere; undo and redo take it back and
    // forth.
    harness.get_by_label("Add note").click();
    harness.step();
    harness
        .input_mut()
        .events
        .push(egui::Event::Text("warm light, cold sea".into()));
    harness.step();
    pointer(
        &mut harness,
        egui::Event::PointerMoved(canvas.min + egui::vec2(4.0, 4.0)),
    );
    pointer(
        &mut harness,
        button(canvas.min + egui::vec2(4.0, 4.0), true),
    );
    pointer(
        &mut harness,
        button(canvas.min + egui::vec2(4.0, 4.0), false),
    );
    frames_until(&mut harness, "the note", |h| {
        shows(h, "Board note: warm light, cold sea")
    });
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    harness.step();
    assert!(
        !shows(&harness, "Board note: warm light"),
        "undo empties the note again"
    );
    harness.key_press_modifiers(
        egui::Modifiers::COMMAND | egui::Modifiers::SHIFT,
        egui::Key::Z,
    );
    harness.step();
    assert!(
        shows(&harness, "Board note: warm light, cold sea"),
        "redo brings the text back"
    );

    // The generated image can be an image prompt: its web address goes in front of the prompt.
    // (Its corner: the dropped file lies over its middle.)
    let grid = rect_of(&harness, "Board image: job #1");
    pointer(
        &mut harness,
        egui::Event::PointerMoved(grid.min + egui::vec2(6.0, 6.0)),
    );
    pointer(&mut harness, button(grid.min + egui::vec2(6.0, 6.0), true));
    pointer(&mut harness, button(grid.min + egui::vec2(6.0, 6.0), false));
    frames_until(&mut harness, "the grid selected", |h| {
        enabled(h, "Use as image prompt")
    });
    harness.get_by_label("Use as image prompt").click();
    // The prompt bar is drawn before the board, so the new text shows a frame later.
    harness.run_steps(2);
    let prompt = prompt_text(&harness).unwrap_or_default();
    assert!(
        prompt.starts_with("http://127.0.0.1:") && prompt.ends_with(" harbour lights in fog"),
        "{prompt}"
    );

    // Rename, then check what was saved.
    harness.get_by_label("Rename…").click();
    // A frame to show the name field, one for it to take the focus.
    harness.run_steps(3);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness
        .input_mut()
        .events
        .push(egui::Event::Text("Harbours".into()));
    harness.step();
    harness.key_press(egui::Key::Enter);
    harness.step();
    let boards = saved_board_until(&mut harness, data.path(), "the renamed board", |b| {
        b.len() == 1 && b[0].board.name == "Harbours"
    });
    let items = boards[0].board.items();
    assert_eq!(items.len(), 3, "job image, dropped file, note");
    let file = items
        .iter()
        .find(|i| matches!(i.content, Content::Image { job: None, .. }))
        .unwrap();
    assert!(
        (file.rotation - std::f32::consts::FRAC_PI_2).abs() < 0.02,
        "{file:?}"
    );
    assert!(
        (file.crop.right - 0.5).abs() < 0.02 && file.crop.left == 0.0,
        "{file:?}"
    );
    assert!(items.iter().any(
        |i| matches!(&i.content, Content::Note { text, .. } if text == "warm light, cold sea")
    ));

    // Deleting the board asks first, and leaves the images in the library.
    harness.get_by_label("Delete board…").click();
    frames_until(&mut harness, "the question", |h| enabled(h, "Delete board"));
    harness.get_by_label("Delete board").click();
    saved_board_until(&mut harness, data.path(), "the board deleted", |b| {
        b.is_empty()
    });
    frames_until(&mut harness, "the empty boards view", |h| {
        shows(h, "No board yet")
    });
}

#[test]
fn export_writes_the_open_job_and_the_gallery_picks_with_their_facts() {
    use moodgrid::library::keyword;
    let data = tempfile::tempdir().unwrap();
    let exports = data.path().join("exports");
    let mut harness = with_grid(data.path(), "a glass harbour at dawn");
    harness.get_by_label("U2").click();
    frames_until(&mut harness, "the upscale", |h| {
        enabled(h, "Upscale (Subtle)")
    });

    // The open job, from its view: a template typed in, one PNG in the export folder.
    harness.get_by_label("Export…").click();
    frames_until(&mut harness, "the dialog", |h| shows(h, "Export 1 job"));
    // Esc closes the dialog, not the job view under it.
    harness.key_press(egui::Key::Escape);
    harness.run_steps(2);
    assert!(!shows(&harness, "Export 1 job"));
    assert_eq!(harness.state().remembered().view, View::Job);
    harness.get_by_label("Export…").click();
    frames_until(&mut harness, "the dialog again", |h| {
        shows(h, "Export 1 job")
    });
    assert!(shows(&harness, "1 job has no seed yet."));
    type_into(&mut harness, "File names", "{colour}");
    assert!(shows(&harness, "`{colour}` is not a placeholder"));
    assert!(
        !enabled(&harness, "Export to folder"),
        "a bad template exports nothing"
    );
    harness.get_by_label("Reset").click();
    harness.step();
    harness.get_by_label_contains("{action}").click();
    harness.run_steps(2);
    assert!(
        shows(
            &harness,
            "e.g. a-glass-harbour-at-dawn-2-upscaleupsample2.png"
        ),
        "the example name follows the template"
    );
    // Get seeds asks once (a spinner meanwhile); the line goes once the seed is known.
    harness.get_by_label("Get seeds").click();
    harness.run_steps(2);
    assert!(harness.query_by_label("Get seeds").is_none(), "asked once");
    frames_until(&mut harness, "the seed", |h| !shows(h, "no seed yet"));
    harness.get_by_label("Export to folder").click();
    frames_until(&mut harness, "the export toast", |h| {
        shows(h, "Exported 1 image to")
    });
    assert!(!shows(&harness, "Export 1 job"), "the dialog closed");
    let written = exports.join("a-glass-harbour-at-dawn-2-upscaleupsample2.png");
    let texts = png_text::png_texts(&std::fs::read(&written).unwrap());
    assert_eq!(texts[keyword::PROMPT], "a glass harbour at dawn");
    assert_eq!(texts[keyword::ACTION], "upsample2");
    assert_eq!(texts[keyword::MOODGRID_JOB], "2");
    assert!(
        texts[keyword::SEED].parse::<u32>().is_ok(),
        "the seed asked for is in the file"
    );
    assert!(!texts[keyword::JOB_ID].is_empty());
    let lineage: serde_json::Value = serde_json::from_str(&texts[keyword::LINEAGE]).unwrap();
    assert_eq!(lineage[0]["moodgrid_job"], 1);
    assert_eq!(lineage[0]["action"], "imagine");

    // Both jobs picked in the gallery, every image, one zip (Ctrl+E opens the dialog).
    harness.get_by_label("Gallery").click();
    harness.step();
    for tile in [
        "Job #1: a glass harbour at dawn",
        "Job #2: a glass harbour at dawn",
    ] {
        harness
            .get_by_label(tile)
            .click_modifiers(egui::Modifiers::COMMAND);
        harness.step();
    }
    assert!(enabled(&harness, "Export… (2)"));
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::E);
    frames_until(&mut harness, "the dialog for two", |h| {
        shows(h, "Export 2 jobs")
    });
    harness.get_by_label("Main and split images").click();
    harness.step();
    harness.get_by_label("Export as zip").click();
    frames_until(&mut harness, "the zip toast", |h| {
        shows(h, "Exported 6 images to")
    });
    let zip_file = std::fs::read_dir(&exports)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "zip"))
        .expect("a zip in the export folder");
    let archive = zip::ZipArchive::new(std::fs::File::open(&zip_file).unwrap()).unwrap();
    let names: Vec<String> = archive
        .file_names()
        .map(|n| n.unwrap().into_owned())
        .collect();
    assert_eq!(names.len(), 6, "{names:?}");
    assert!(names.iter().all(|n| n.ends_with(".png")), "{names:?}");
    // The choices are kept for the next export (and, through eframe's storage, the next run).
    let prefs = harness.state().export_prefs();
    assert!(prefs.all_images);
    assert_eq!(prefs.template, "{prompt}-{job}-{image}{action}");
}
