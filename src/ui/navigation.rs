//! Where the user goes: the row above the prompt with the connection (or the offline banner, which opens
//! Settings), the view tabs, Settings and the Help menu.

use egui::{Color32, RichText};

use super::app::SETTINGS_SHORTCUT;
use super::services::{Intent, Services, View};

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
                    .color(Color32::from_rgb(230, 180, 80)),
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
