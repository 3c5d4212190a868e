//! Where the user goes: the row above the prompt with the connection (or the offline banner, which opens
//! Settings), the view tabs, Settings and the Help menu.

use egui::RichText;

use super::services::{Intent, Services, View};
use super::shortcuts::SETTINGS_SHORTCUT;

/// `mask_open`: a mask editor is open, so its tab is offered.
pub fn show(services: &mut Services, mask_open: bool, ui: &mut egui::Ui) {
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        if !services.ready {
            ui.spinner();
            ui.label(RichText::new("Connecting…").weak());
        } else if let Some(reason) = services.offline.clone() {
            let banner = egui::Button::new(
                RichText::new("Offline demo — add your TTAPI key in Settings to use Midjourney")
                    .color(super::theme::palette(ui).warning),
            )
            .frame(false);
            if ui
                .add(banner)
                .on_hover_text(format!("{reason}. Jobs run on the built-in simulator."))
                .clicked()
            {
                services.ask(Intent::OpenSettings);
            }
        } else {
            ui.label(RichText::new(format!("Connected to {}", services.backend)).weak());
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            ui.menu_button("Help", |ui| {
                if ui
                    .add(egui::Button::new("Keyboard shortcuts").shortcut_text("F1"))
                    .clicked()
                {
                    services.ask(Intent::ShowShortcuts);
                }
                match crate::logs::dir() {
                    Some(dir) => {
                        if ui
                            .button("Open log folder")
                            .on_hover_text(dir.display().to_string())
                            .clicked()
                        {
                            services.chores.open_folder(dir);
                        }
                    }
                    None => {
                        ui.add_enabled(false, egui::Button::new("Open log folder"))
                            .on_disabled_hover_text("No home folder: the log goes to stderr only");
                    }
                }
            });
            let settings = ui
                .button("Settings")
                .on_hover_text(ui.ctx().format_shortcut(&SETTINGS_SHORTCUT));
            if settings.clicked() {
                services.ask(Intent::ToggleSettings);
            }
            ui.separator();
            if mask_open {
                ui.selectable_value(&mut services.nav.view, View::Mask, "Mask")
                    .on_hover_text("The open mask editor");
            }
            let boards = ui
                .selectable_value(&mut services.nav.view, View::Board, "Boards")
                .on_hover_text("Moodboards of your images and notes");
            // Dragging jobs over the tab opens the board, so they can be dropped on it.
            if boards
                .dnd_hover_payload::<super::board::DraggedJobs>()
                .is_some()
            {
                services.nav.view = View::Board;
            }
            ui.selectable_value(&mut services.nav.view, View::Describe, "Describe")
                .on_hover_text("Four prompts for an image of yours");
            ui.selectable_value(&mut services.nav.view, View::Blend, "Blend")
                .on_hover_text("Blend two to five images of yours");
            ui.selectable_value(&mut services.nav.view, View::Gallery, "Gallery")
                .on_hover_text("Every job in the library (Enter opens the selected one)");
            ui.selectable_value(&mut services.nav.view, View::Job, "Job")
                .on_hover_text("The selected job (Esc goes back to the gallery)");
        });
    });
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    use super::*;
    use crate::engine::{Backend, EngineConfig, EngineHandle, Timing, Waker};
    use crate::secrets::KeyStore;
    use crate::settings::Settings;
    use crate::sim::SimConfig;
    use crate::ui::textures::TextureCache;

    /// The navigation row drawn alone, over `Services` on an offline engine: what a panel touches is its
    /// arguments, so a test needs nothing else.
    #[test]
    fn the_offline_banner_asks_for_settings_and_a_tab_changes_the_view() {
        let data = tempfile::tempdir().unwrap();
        let config = EngineConfig {
            data_dir: data.path().to_owned(),
            backend: Backend::Simulator(SimConfig::fast()),
            timing: Timing::scaled(std::time::Duration::from_millis(30)),
            keys: Arc::new(KeyStore::in_store(
                keyring_core::mock::Store::new().unwrap(),
            )),
            stop_on_interrupt: false,
        };
        let waker: Waker = Arc::new(|| {});
        let engine = EngineHandle::start(config.clone(), waker.clone()).unwrap();
        let textures = TextureCache::new(1 << 20, || {}).unwrap();
        let mut services = Services::new(engine, config, waker, textures, Settings::default());
        services.ready = true;
        services.offline = Some("started offline".into());
        let mut harness = Harness::new_ui_state(
            |ui, services: &mut Services| show(services, false, ui),
            services,
        );
        harness.run();
        assert!(
            harness.query_by_label("Mask").is_none(),
            "no Mask tab without an open editor"
        );
        harness.get_by_label_contains("Offline demo").click();
        harness.run();
        assert!(matches!(
            harness.state_mut().take_intents()[..],
            [Intent::OpenSettings]
        ));
        harness.get_by_label("Gallery").click();
        harness.run();
        assert_eq!(harness.state().nav.view, View::Gallery);
        assert!(harness.state_mut().take_intents().is_empty());
    }
}
