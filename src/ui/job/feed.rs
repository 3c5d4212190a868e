//! The live feed on the left: running jobs on top with their progress, then the newest finished ones with
//! their grid. Only the visible rows are laid out. A job not yet sent has a Cancel button on its row, and
//! the heading offers to cancel every one.

use egui::{RichText, ScrollArea};

use crate::domain::prompt::first_line;
use crate::library::JobRecord;
use crate::library::JobState;
use crate::ui::job::labels::state_text;
use crate::ui::kit::controls::IconButton;
use crate::ui::kit::icons;
use crate::ui::runtime::services::Services;

const ROW_HEIGHT: f32 = 64.0;
const THUMB: f32 = 56.0;
/// Finished jobs shown under the running ones; the gallery has them all.
const FINISHED_SHOWN: usize = 300;

pub fn show(services: &mut Services, ui: &mut egui::Ui) {
    ui.horizontal(|ui| {
        ui.heading("Feed");
        let queued = services.jobs.queued().len();
        if queued > 0 {
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui
                    .add_enabled(
                        services.status.ready,
                        IconButton::labelled(icons::CANCEL, &format!("Cancel all queued ({queued})")),
                    )
                    .on_hover_text(
                        "Take back every job not yet sent, from this window or a terminal: never sent, \
                         nothing charged. Jobs already sent run on.",
                    )
                    .clicked()
                {
                    services.cancel(None);
                }
            });
        }
    });
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
    let selected = services.nav().selected() == Some(job.id);
    let thumb = crate::ui::runtime::thumbnails::thumbnail(services, job.id, 256);
    // The row is the click and drag target, claimed before its contents so that a button drawn on it
    // (Cancel) gets its own clicks.
    // Its id comes from the job, not from its place: a job arriving above it moves the row, and a press
    // and its release must still meet the same row.
    let (rect, _) = ui.allocate_exact_size(
        egui::vec2(ui.available_width(), ROW_HEIGHT - 4.0),
        egui::Sense::hover(),
    );
    let response = ui.interact(
        rect,
        egui::Id::unique(("feed_row_click", job.id)),
        egui::Sense::click_and_drag(),
    );
    let mut row = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(rect)
            .layout(egui::Layout::left_to_right(egui::Align::Center)),
    );
    let ui = &mut row;
    // A press on the title starts a drag of the row (to a board), not a text selection.
    ui.style_mut().interaction.selectable_labels = false;
    let shown =
        crate::ui::kit::fade_in(ui, egui::Id::unique(("feed_row", job.id)), thumb.is_some());
    match thumb {
        Some((texture, aspect)) => {
            ui.add(
                egui::Image::new(&texture)
                    .fit_to_exact_size(crate::ui::kit::fit(aspect, THUMB))
                    .tint(egui::Color32::WHITE.gamma_multiply(shown))
                    .alt_text(first_line(&crate::ui::job::labels::job_title(job), 40)),
            );
        }
        None => {
            let (rect, _) = ui.allocate_exact_size(egui::vec2(THUMB, THUMB), egui::Sense::hover());
            if job.state.is_final() {
                crate::ui::kit::controls::paint_icon(
                    ui.painter(),
                    rect.center(),
                    crate::ui::job::labels::state_icon(job),
                    22.0,
                    crate::ui::kit::theme::palette(ui).weak_text,
                );
            } else {
                crate::ui::kit::controls::paint_progress(ui, ui.painter(), rect, job.progress, "");
            }
        }
    }
    if job.state == JobState::Queued {
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui
                .add_enabled(
                    services.status.ready,
                    IconButton::new(icons::CANCEL, &format!("Cancel #{}", job.id)),
                )
                .on_hover_text("Not sent yet: take it back (never sent, nothing charged). Del")
                .clicked()
            {
                services.cancel(Some(vec![job.id]));
            }
            text(services, ui, job);
        });
    } else {
        text(services, ui, job);
    }
    if job.state == JobState::Succeeded {
        crate::ui::board::panel::drag_source(ui, &response, vec![job.id]);
    }
    if selected {
        ui.painter().rect_stroke(
            response.rect,
            4.0,
            egui::Stroke::new(1.5, crate::ui::kit::theme::palette(ui).accent),
            egui::StrokeKind::Inside,
        );
    }
    response
}

/// The row's title, action and state, and why a job waits to be sent.
fn text(services: &Services, ui: &mut egui::Ui, job: &JobRecord) {
    ui.with_layout(egui::Layout::top_down(egui::Align::Min), |ui| {
        let title = first_line(&crate::ui::job::labels::job_title(job), 48);
        ui.add(egui::Label::new(RichText::new(title).strong()).truncate());
        ui.label(RichText::new(format!("{} · {}", job.action, state_text(job))).small());
        if let (JobState::Queued, Some((reason, until))) =
            (job.state, services.status.waiting.get(&job.id))
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
}
