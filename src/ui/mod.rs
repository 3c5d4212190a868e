//! The window: a thin eframe shell over [`app::MoodgridApp`], which draws with egui and talks to the
//! engine only through commands and events. Nothing here waits on the network, the disk or a decoder.

mod app;
mod textures;

pub use app::MoodgridApp;
pub use textures::TextureCache;

use crate::engine::{EngineConfig, EngineHandle};

/// Opens the window and runs until it is closed.
pub fn run(config: EngineConfig) -> Result<(), eframe::Error> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Moodgrid")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([720.0, 480.0]),
        ..Default::default()
    };
    eframe::run_native(
        "Moodgrid",
        options,
        Box::new(move |creation| {
            let ctx = creation.egui_ctx.clone();
            let repaint = ctx.clone();
            // Bursts of engine events share one frame.
            let waker = std::sync::Arc::new(move || {
                repaint.request_repaint_after(std::time::Duration::from_millis(10))
            });
            let engine = EngineHandle::start(config, waker)?;
            Ok(Box::new(MoodgridApp::new(&ctx, engine)?))
        }),
    )
}

impl eframe::App for MoodgridApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }
}
