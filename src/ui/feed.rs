//! The live feed on the left: running jobs on top with their progress, then the newest finished ones with
//! their grid. Only the visible rows are laid out.

use egui::{RichText, ScrollArea};

use super::services::Services;
use super::state_text;
use crate::domain::prompt::first_line;
use crate::library::JobRecord;
use crate::library::JobState;

const ROW_HEIGHT: f32 = 64.0;
const THUMB: f32 = 56.0;
/// Finished jobs shown under the running ones; the gallery has them all.
const FINISHED_SHOWN: usize = 300;

pub fn show(services: &mut Services, ui: &mut egui::Ui) {
    ui.heading("Feed");
    if services.jobs.is_empty() {
        if services.jobs.loaded() {
            ui.label("Nothing yet: type a prompt above.");
        } else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Opening the library…");
            });
        }
        return;
    }
    let order = services.jobs.feed(FINISHED_SHOWN);
    ScrollArea::vertical()
        .id_salt("feed")
        .auto_shrink([false, false])
        .show_rows(ui, ROW_HEIGHT, order.len(), |ui, rows| {
            for index in rows {
                let job = services.jobs.at(order[index]).clone();
                if row(services, ui, &job).clicked() {
                    services.open_job(job.id);
                }
            }
        });
}

fn row(services: &mut Services, ui: &mut egui::Ui, job: &JobRecord) -> egui::Response {
    let selected = services.nav.selected == Some(job.id);
    let thumb = super::thumbnail(services, job.id, 256);
    let response = ui
        .horizontal(|ui| {
            ui.set_height(ROW_HEIGHT - 4.0);
            // A press on the title starts a drag of the row (to a board), not a text selection.
            ui.style_mut().interaction.selectable_labels = false;
            // The whole row is the click target and carries the selection frame.
            ui.set_min_width(ui.available_width());
            let shown = super::fade_in(ui, egui::Id::unique(("feed_row", job.id)), thumb.is_some());
            match thumb {
                Some((texture, aspect)) => {
                    ui.add(
                        egui::Image::new(&texture)
                            .fit_to_exact_size(super::fit(aspect, THUMB))
                            .tint(egui::Color32::WHITE.gamma_multiply(shown))
                            .alt_text(first_line(&super::job_title(job), 40)),
                    );
                }
                None => {
                    let (rect, _) =
                        ui.allocate_exact_size(egui::vec2(THUMB, THUMB), egui::Sense::hover());
                    if job.state.is_final() {
                        super::controls::paint_icon(
                            ui.painter(),
                            rect.center(),
                            super::state_icon(job),
                            22.0,
                            super::theme::palette(ui).weak_text,
                        );
                    } else {
                        super::controls::paint_progress(ui, ui.painter(), rect, job.progress, "");
                    }
                }
            }
            ui.vertical(|ui| {
                let title = first_line(&super::job_title(job), 48);
                ui.add(egui::Label::new(RichText::new(title).strong()).truncate());
                ui.label(RichText::new(format!("{} · {}", job.action, state_text(job))).small());
                if let (JobState::Queued, Some((reason, until))) =
                    (job.state, services.waiting.get(&job.id))
                {
                    // The same words the CLI prints: why it is not sent, and until when it is tried again.
                    ui.add(
                        egui::Label::new(
                            RichText::new(format!(
                                "retrying until {}: {reason}",
                                crate::clock::hh_mm(*until)
                            ))
                            .small()
                            .color(ui.visuals().warn_fg_color),
                        )
                        .truncate(),
                    );
                }
            });
        })
        .response
        .interact(egui::Sense::click_and_drag());
    if job.state == JobState::Succeeded {
        super::board::drag_source(ui, &response, vec![job.id]);
    }
    if selected {
        ui.painter().rect_stroke(
            response.rect,
            4.0,
            egui::Stroke::new(1.5, super::theme::palette(ui).accent),
            egui::StrokeKind::Inside,
        );
    }
    response
}
