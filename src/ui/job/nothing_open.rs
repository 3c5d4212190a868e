//! The job view with no job open: in an empty library, prompts to start from and what the offline demo
//! is; else where the jobs are.

use egui::RichText;

use crate::ui::kit::controls::IconButton;
use crate::ui::kit::icons;
use crate::ui::runtime::intents::{Intent, PromptEdit};
use crate::ui::runtime::services::Services;

/// Prompts a first-time user can start from (each fills the prompt bar).
const EXAMPLE_PROMPTS: [&str; 3] = [
    "a lighthouse on a cliff at dusk, warm window light, long exposure --ar 3:2",
    "isometric cutaway of a tiny bakery, soft pastel colours, clay render",
    "portrait of a fox in a knitted scarf, studio lighting, 85mm --ar 2:3",
];

/// No job open: with an empty library, what to try first (and what the offline demo is); else where jobs are.
pub(super) fn show(services: &mut Services, ui: &mut egui::Ui) {
    let palette = crate::ui::kit::theme::palette(ui);
    ui.vertical_centered(|ui| {
        ui.add_space(ui.available_height() * 0.25);
        if !services.jobs.loaded() {
            // Not "start with a prompt" to someone whose library of thousands is still being read.
            ui.spinner();
            return;
        }
        if !services.jobs.is_empty() {
            ui.label(
                RichText::new("Select a job in the feed or the gallery, or imagine something new.")
                    .color(palette.weak_text),
            );
            return;
        }
        ui.label(
            icons::IMAGINE
                .rich_text()
                .size(40.0)
                .color(palette.accent),
        );
        ui.heading("Start with a prompt");
        ui.label(
            RichText::new("Type one in the bar above, or try one of these:").color(palette.weak_text),
        );
        ui.add_space(8.0);
        for example in EXAMPLE_PROMPTS {
            if ui
                .add(IconButton::labelled(icons::PROMPT, example))
                .on_hover_text("Put it in the prompt bar")
                .clicked()
            {
                services.ask(Intent::Prompt(PromptEdit::Replace(example.to_owned())));
            }
        }
        if services.status.offline.is_some() {
            ui.add_space(12.0);
            ui.set_max_width(520.0);
            ui.label(
                RichText::new(
                    "Offline demo: jobs run on a simulator built into Moodgrid. It paints abstract pictures \
                     and charges nothing. Add your TTAPI key in Settings to use Midjourney.",
                )
                .color(palette.weak_text),
            );
        }
    });
}
