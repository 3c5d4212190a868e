//! The window: a thin eframe shell ([`MoodgridApp`] in `app`) over panels that own their state and share
//! `services` (the engine link, the job list, textures, chores, toasts, where the user is). Panels ask one
//! another for things through `services::Intent`s, which the shell carries out. Nothing on the UI thread
//! waits on the network, the disk or a decoder.
//!
//! Panels: `navigation` (tabs, Help, Settings, banner), `prompt_bar`, `feed`, `gallery` (with its filter
//! `gallery_filter`, `gallery_search`, its list view `job_table`, and what it opens: the `trash`, `compare` and `culling`, which share
//! `image_pane`), `job_view` (with `verdict`: stars and flags), `blend`,
//! `describe`, `mask_editor`, `board` (with `board_canvas` and `board_state`), `export`, `settings`,
//! `shortcuts`. Beside them: `sources` (the user's images on their way into a job), `job_list` (the jobs the
//! panels draw from), `textures` (the image cache), `chores` (off-thread one-offs), `toasts`, `fonts`,
//! `pending`, `submit_guard`, `frame_report`. The look: `theme` (colours, type, spacing), `icons`, and
//! `controls` (icon buttons, the segmented choice, labelled drop-downs, chips).

mod account;
mod app;
mod blend;
mod board;
mod board_canvas;
mod board_state;
mod chores;
mod compare;
mod controls;
mod culling;
mod day_grid;
mod describe;
mod export;
mod feed;
mod fonts;
mod frame_report;
mod gallery;
mod gallery_filter;
mod gallery_search;
mod icons;
mod image_pane;
mod job_list;
mod job_pages;
mod job_table;
mod job_view;
mod mask_editor;
mod navigation;
mod pending;
mod prompt_bar;
mod prompt_studio;
mod services;
mod settings;
mod shortcuts;
mod sources;
mod submit_guard;
mod system_theme;
mod textures;
pub mod theme;
mod toasts;
mod trash;
mod verdict;

pub use app::{MoodgridApp, Remembered};
pub use export::ExportPrefs;
pub use gallery_search::MOST_FOUND as SEARCH_MOST_FOUND;
pub use services::View;
pub use textures::{DEFAULT_BUDGET_BYTES as TEXTURE_BUDGET_BYTES, TextureCache};

use crate::engine::EngineConfig;
use crate::library::{JobRecord, JobState};
use crate::settings::Settings;

/// What the window starts with.
pub struct Launch {
    pub engine: EngineConfig,
    pub settings: Settings,
    /// Why the saved settings could not be read (the defaults apply); shown once.
    pub settings_problem: Option<String>,
    /// Where exports go until the user picks another folder.
    pub export_folder: std::path::PathBuf,
}

/// The application id: the name of the `.desktop` entry and the icon, and the window's Wayland app id and X11
/// class, so a desktop matches the window to its entry. eframe keeps the window's state under it too.
pub const APP_ID: &str = "io.github.moodgrid.Moodgrid";
/// The window icon: the same artwork as the installed icons (`assets/icon`).
const ICON_PNG: &[u8] = include_bytes!("../../assets/icon/moodgrid-256.png");
/// Where the open view and job are kept in eframe's storage.
const REMEMBERED_KEY: &str = "moodgrid-window";
/// Where the export choices (template, images, folder) are kept.
const EXPORT_KEY: &str = "moodgrid-export";

/// Opens the window and runs until it is closed.
pub fn run(launch: Launch) -> Result<(), eframe::Error> {
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("Moodgrid")
        .with_app_id(APP_ID)
        .with_inner_size([1280.0, 800.0])
        .with_min_inner_size([720.0, 480.0]);
    match eframe::icon_data::from_png_bytes(ICON_PNG) {
        Ok(icon) => viewport = viewport.with_icon(std::sync::Arc::new(icon)),
        Err(error) => tracing::warn!(%error, "the window icon could not be read"),
    }
    let options = eframe::NativeOptions {
        viewport,
        // Size, position and egui's panel state come back on the next start; so do the view and job.
        persist_window: true,
        ..Default::default()
    };
    let report = frame_report::FrameReport::from_env();
    eframe::run_native(
        "Moodgrid",
        options,
        Box::new(move |creation| {
            let mut app = MoodgridApp::new(&creation.egui_ctx, launch)?;
            if let Some(remembered) = creation
                .storage
                .and_then(|storage| eframe::get_value(storage, REMEMBERED_KEY))
            {
                app.restore(remembered);
            }
            if let Some(prefs) = creation
                .storage
                .and_then(|storage| eframe::get_value(storage, EXPORT_KEY))
            {
                app.export.prefs = prefs;
            }
            Ok(Box::new(Shell { app, report }))
        }),
    )
}

/// The app alone, as the headless tests and benchmarks drive it (egui_kittest's eframe harness).
impl eframe::App for MoodgridApp {
    fn logic(&mut self, _ctx: &egui::Context, _frame: &mut eframe::Frame) {
        MoodgridApp::logic(self);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }
}

/// What the window runs: the app, and the frame report when `MOODGRID_FRAME_REPORT` asks for one.
struct Shell {
    app: MoodgridApp,
    report: Option<frame_report::FrameReport>,
}

impl eframe::App for Shell {
    /// Also while the window is minimised: the engine's events are taken in even when nothing is drawn.
    fn logic(&mut self, _ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.app.logic();
    }

    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        if let Some(report) = &mut self.report {
            // Printed, not logged: the report is asked for, and RUST_LOG may be quiet.
            for line in report.frame(frame.info().cpu_usage) {
                eprintln!("{line}");
            }
            let started = std::time::Instant::now();
            self.app.show(ui);
            report.drawn(started.elapsed(), self.app.shows_library());
        } else {
            self.app.show(ui);
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, REMEMBERED_KEY, &self.app.remembered());
        eframe::set_value(storage, EXPORT_KEY, &self.app.export.prefs);
    }

    fn on_exit(&mut self) {
        if let Some(report) = &self.report {
            eprintln!("{}", report.summary());
        }
    }
}

/// A dialog window (Settings, the shortcuts list): centred under the prompt bar, closed by its ✕ or by Esc.
/// Returns whether it stays open.
fn dialog(
    ctx: &egui::Context,
    title: &str,
    width: f32,
    resizable: bool,
    add_contents: impl FnOnce(&mut egui::Ui),
) -> bool {
    let mut open = true;
    egui::Window::new(title)
        .open(&mut open)
        .collapsible(false)
        .resizable(resizable)
        .default_width(width)
        .pivot(egui::Align2::CENTER_TOP)
        .default_pos(ctx.content_rect().center_top() + egui::vec2(0.0, 90.0))
        .show(ctx, add_contents);
    open && !ctx.input(|i| i.key_pressed(egui::Key::Escape))
}

/// What a job is called on screen: its prompt; for a describe job its first answer; else its action.
fn job_title(job: &JobRecord) -> String {
    if job.kind == crate::library::JobKind::Describe {
        let first = crate::domain::prompt::describe_prompts(&job.prompt)
            .into_iter()
            .next()
            .unwrap_or_default();
        return format!("Describe: {first}");
    }
    if job.prompt.is_empty() {
        job.action.clone()
    } else {
        job.prompt.clone()
    }
}

fn state_text(job: &JobRecord) -> String {
    match job.state {
        JobState::Queued => "queued here".into(),
        JobState::Pending => "waiting at TTAPI".into(),
        JobState::Running => format!("running {}%", job.progress.unwrap_or(0)),
        JobState::Downloading => "saving images".into(),
        JobState::Uncertain => "looking in TTAPI's history".into(),
        JobState::Submitting => "sending".into(),
        other => other.as_str().into(),
    }
}

/// What a job without a picture shows in its place.
fn state_icon(job: &JobRecord) -> icons::Icon {
    match job.state {
        JobState::Succeeded => icons::SUCCEEDED,
        JobState::Failed | JobState::Rejected | JobState::Abandoned | JobState::Unconfirmed => {
            icons::FAILED
        }
        JobState::Cancelled => icons::CANCEL,
        _ => icons::WAITING,
    }
}

/// How far an image has faded in (0 to 1): pictures that arrive while the user looks ease in over a
/// quarter second; one already loaded when first drawn (scrolling back to it) shows at once.
fn fade_in(ui: &egui::Ui, id: egui::Id, loaded: bool) -> f32 {
    ui.ctx().animate_bool_with_time(id, loaded, 0.25)
}

/// The size of an image of `aspect` (width / height) fitted in a `side`×`side` square.
fn fit(aspect: f32, side: f32) -> egui::Vec2 {
    if aspect >= 1.0 {
        egui::vec2(side, side / aspect)
    } else {
        egui::vec2(side * aspect, side)
    }
}

/// The thumbnail texture (`size` 256 or 512) of a job's main image and that image's aspect ratio, or
/// `None` while it loads.
fn thumbnail(
    services: &mut services::Services,
    job_id: i64,
    size: u32,
) -> Option<(egui::TextureHandle, f32)> {
    let main = services.jobs.main_image(job_id);
    thumbnail_texture(main, &mut services.textures, size)
}

/// The same for a job as a page of the gallery read it, which the job list need not hold.
fn thumbnail_of(
    services: &mut services::Services,
    job: &crate::library::JobRecord,
    size: u32,
) -> Option<(egui::TextureHandle, f32)> {
    let main = services.jobs.main_image_of(job);
    thumbnail_texture(main, &mut services.textures, size)
}

/// A main image's thumbnail texture of a size, and the picture's aspect ratio.
fn thumbnail_texture(
    main: Option<&crate::library::ImageFile>,
    textures: &mut textures::TextureCache,
    size: u32,
) -> Option<(egui::TextureHandle, f32)> {
    let main = main?;
    let path = &main.thumbnails.iter().find(|(side, _)| *side == size)?.1;
    let aspect = main.record.width as f32 / main.record.height.max(1) as f32;
    textures.get(path).map(|texture| (texture, aspect))
}

/// What an undo/redo shortcut asked for, in every editor alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum History {
    Undo,
    Redo,
}

pub(crate) const UNDO: egui::KeyboardShortcut =
    egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::Z);
pub(crate) const REDO: egui::KeyboardShortcut = egui::KeyboardShortcut::new(
    egui::Modifiers::COMMAND.plus(egui::Modifiers::SHIFT),
    egui::Key::Z,
);
const REDO_ALT: egui::KeyboardShortcut =
    egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::Y);

/// Takes Ctrl+Z (undo), Ctrl+Shift+Z or Ctrl+Y (redo) from this frame's input. Redo is matched first:
/// Ctrl+Shift+Z would also match a plain Ctrl+Z shortcut.
pub(crate) fn history_keys(input: &mut egui::InputState) -> Option<History> {
    if input.consume_shortcut(&REDO) || input.consume_shortcut(&REDO_ALT) {
        Some(History::Redo)
    } else if input.consume_shortcut(&UNDO) {
        Some(History::Undo)
    } else {
        None
    }
}
