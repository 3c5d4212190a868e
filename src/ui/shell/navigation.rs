//! Where the user goes: the top bar with the view tabs, then where jobs go (or the offline banner, which
//! opens Settings), Settings and the Help menu.

use egui::RichText;

use crate::ui::kit::controls::{IconButton, decoration, icon_menu};
use crate::ui::kit::icons;
use crate::ui::runtime::intents::Intent;
use crate::ui::runtime::nav::View;
use crate::ui::runtime::services::Services;
use crate::ui::shell::shortcuts::{SETTINGS_SHORTCUT, VIEW_SHORTCUTS};

/// `mask_open`: a mask editor is open, so its tab is offered.
pub fn show(services: &mut Services, mask_open: bool, ui: &mut egui::Ui) {
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        ui.label(RichText::new("Moodgrid").strong().size(16.0));
        ui.add_space(12.0);
        tabs(services, mask_open, ui);
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            help_menu(services, ui);
            let settings = ui
                .add(IconButton::new(icons::SETTINGS, "Settings"))
                .on_hover_text(ui.ctx().format_shortcut(&SETTINGS_SHORTCUT));
            if settings.clicked() {
                services.ask(Intent::ToggleSettings);
            }
            if ui
                .add(IconButton::new(icons::ACCOUNT, "Account"))
                .on_hover_text("Balance, service status and what jobs have cost")
                .clicked()
            {
                services.ask(Intent::ToggleAccount);
            }
            ui.add_space(8.0);
            connection(services, ui);
        });
    });
}

/// The views, each a tab with its icon; the open one stays pressed.
fn tabs(services: &mut Services, mask_open: bool, ui: &mut egui::Ui) {
    let current = services.nav().view();
    let mut chosen = None;
    let mut tab = |ui: &mut egui::Ui, view: View, icon, name, hint: &str| {
        let shortcut = VIEW_SHORTCUTS
            .iter()
            .find(|(_, v)| *v == view)
            .map(|(shortcut, _)| format!(" ({})", ui.ctx().format_shortcut(shortcut)))
            .unwrap_or_default();
        let response = ui
            .add(IconButton::labelled(icon, name).selected(current == view))
            .on_hover_text(format!("{hint}{shortcut}"));
        if response.clicked() {
            chosen = Some(view);
        }
        response
    };
    tab(
        ui,
        View::Job,
        icons::JOB,
        "Job",
        "The selected job (Esc goes back to the gallery)",
    );
    tab(
        ui,
        View::Gallery,
        icons::GALLERY,
        "Gallery",
        "Every job in the library (Enter opens the selected one)",
    );
    tab(
        ui,
        View::Blend,
        icons::BLEND,
        "Blend",
        "Blend two to five images of yours",
    );
    tab(
        ui,
        View::Describe,
        icons::DESCRIBE,
        "Describe",
        "Four prompts for an image of yours",
    );
    let boards = tab(
        ui,
        View::Board,
        icons::BOARDS,
        "Boards",
        "Moodboards of your images and notes",
    );
    if mask_open {
        tab(ui, View::Mask, icons::MASK, "Mask", "The open mask editor");
    }
    // Dragging jobs over the tab opens the board, so they can be dropped on it.
    if boards
        .dnd_hover_payload::<crate::ui::board::panel::DraggedJobs>()
        .is_some()
    {
        chosen = Some(View::Board);
    }
    if let Some(view) = chosen {
        services.ask(Intent::Show(view));
    }
}

/// Where jobs go: the service, the offline simulator (a warning that opens Settings), or still connecting.
fn connection(services: &mut Services, ui: &mut egui::Ui) {
    let palette = crate::ui::kit::theme::palette(ui);
    if !services.status.ready {
        ui.label(RichText::new("Connecting…").color(palette.weak_text));
        ui.spinner();
    } else if let Some(reason) = services.status.offline.clone() {
        // Right to left: the words, then the icon before them. The long form where there is room.
        let words = if ui.available_width() > 420.0 {
            if crate::engine::is_untrusted_host(&reason) {
                "Offline demo — the host is not trusted with your key: see Settings"
            } else {
                "Offline demo — add your TTAPI key in Settings"
            }
        } else {
            "Offline demo"
        };
        let banner = egui::Button::new(RichText::new(words).color(palette.warning)).frame(false);
        let response = ui.add(banner);
        decoration(ui, icons::OFFLINE, palette.warning);
        if response
            .on_hover_text(format!(
                "{reason}. Jobs run on the built-in simulator; add your TTAPI key in Settings to use Midjourney."
            ))
            .clicked()
        {
            services.ask(Intent::OpenSettings);
        }
    } else {
        ui.label(
            RichText::new(format!("Connected to {}", services.status.backend))
                .color(palette.weak_text),
        );
        decoration(ui, icons::ONLINE, palette.success);
    }
}

fn help_menu(services: &mut Services, ui: &mut egui::Ui) {
    icon_menu(ui, icons::HELP, "Help", |ui| {
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
}

#[cfg(test)]
mod tests {
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    use super::*;
    use crate::ui::runtime::testing::ready_services;

    /// The navigation row drawn alone, over `Services` on an offline engine: what a panel touches is its
    /// arguments, so a test needs nothing else.
    #[test]
    fn the_offline_banner_asks_for_settings_and_a_tab_asks_for_its_view() {
        let data = tempfile::tempdir().unwrap();
        let mut services = ready_services(data.path());
        services.status.offline = Some("started offline".into());
        let mut harness = Harness::builder()
            .with_context_setup(icons::install)
            .build_ui_state(
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
        assert!(
            matches!(
                harness.state_mut().take_intents()[..],
                [Intent::Show(View::Gallery)]
            ),
            "a tab asks the shell for its view"
        );
        assert_eq!(
            harness.state().nav().view(),
            View::Job,
            "the view changes only as the shell carries the Intent out"
        );
    }
}
