//! The native window: eframe's start, the window icon, what is kept between runs, the frame report.

use crate::ui::runtime::frame_report;
use crate::ui::shell::app::MoodgridApp;
use crate::ui::{APP_ID, Launch};

/// The window icon: the same artwork as the installed icons (`assets/icon`).
const ICON_PNG: &[u8] = include_bytes!("../../../assets/icon/moodgrid-256.png");
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
