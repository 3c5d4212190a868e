//! A job that ended without its images: TTAPI's words, Moodgrid's explanation, and the way out that fits
//! (Retry, Look again or Send anyway, a free fetch, or Send it after a cancel).

use egui::RichText;

use crate::domain::failure::explain_failure;
use crate::engine::NewSubmission;
use crate::library::{JobRecord, JobState};
use crate::ui::kit::controls::IconButton;
use crate::ui::kit::icons;
use crate::ui::runtime::services::Services;

pub(super) fn show(services: &mut Services, ui: &mut egui::Ui, job: &JobRecord, message: &str) {
    if job.state == JobState::Cancelled {
        cancelled(services, ui, job);
        return;
    }
    egui::Frame::group(ui.style())
        .stroke(egui::Stroke::new(1.0, ui.visuals().error_fg_color))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            if let Some(plain) = explain_failure(message) {
                ui.colored_label(ui.visuals().error_fg_color, plain);
            }
            // TTAPI's own words are quoted as its; Moodgrid's own (a timeout it gave up on, a job it could
            // not confirm) are said as they are.
            let said = if job.message_by_service {
                format!("TTAPI said: {message}")
            } else {
                message.to_owned()
            };
            ui.add(egui::Label::new(RichText::new(said).small()).selectable(true));
            match job.state {
                JobState::Unconfirmed => unconfirmed(services, ui, job),
                JobState::Abandoned => fetch_or_retry(services, ui, job, FETCH_ABANDONED),
                _ if crate::engine::image_was_gone(job) => {
                    fetch_or_retry(services, ui, job, DOWNLOAD_AGAIN)
                }
                _ => {
                    if ui
                        .add(IconButton::labelled(icons::RETRY, "Retry"))
                        .on_hover_text("Submit the same request again as a new job")
                        .clicked()
                    {
                        services.submit(NewSubmission::Retry { job: job.id });
                    }
                }
            }
        });
}

/// No proof either way: what to check, then look in the account's history again, or send it knowingly.
fn unconfirmed(services: &mut Services, ui: &mut egui::Ui, job: &JobRecord) {
    let sent = job
        .submitted_at
        .map_or_else(|| "when it was sent".to_owned(), crate::clock::hh_mm);
    ui.label(format!(
        "Check your TTAPI dashboard's job history for this {} made around {sent}. If it is there, Look \
         again picks it up; if not, Send anyway.",
        job.action
    ));
    ui.horizontal(|ui| {
        if ui
            .add_enabled(services.status.ready, egui::Button::new("Look again"))
            .on_hover_text("Search TTAPI's job list for this submission once more; never sends")
            .clicked()
        {
            services.look_again(job.id);
        }
        if ui
            .add_enabled(services.status.ready, egui::Button::new("Send anyway"))
            .on_hover_text(
                "Submit it again as a new job; if TTAPI did run the first, you pay twice",
            )
            .clicked()
        {
            services.submit(NewSubmission::Retry { job: job.id });
        }
    });
}

/// An ended job TTAPI may still hold the result of (Moodgrid stopped waiting, or its CDN lost the image):
/// a free fetch, with `label` and `hover`, beside the charged Retry.
fn fetch_or_retry(
    services: &mut Services,
    ui: &mut egui::Ui,
    job: &JobRecord,
    (label, hover): (&str, &str),
) {
    ui.horizontal(|ui| {
        if ui
            .add_enabled(
                services.status.ready && job.remote_id.is_some(),
                egui::Button::new(label),
            )
            .on_hover_text(hover)
            .clicked()
        {
            services.fetch(job.id);
        }
        if ui
            .add(IconButton::labelled(icons::RETRY, "Retry"))
            .on_hover_text("Submit the same request again as a new job (charged again)")
            .clicked()
        {
            services.submit(NewSubmission::Retry { job: job.id });
        }
    });
}

/// Moodgrid stopped waiting; TTAPI may still finish it.
const FETCH_ABANDONED: (&str, &str) = (
    "Fetch again",
    "Ask TTAPI where this job stands; if it finished, its images are saved",
);
/// TTAPI made it and charged for it, but its CDN had lost the image: ask TTAPI afresh, for free.
const DOWNLOAD_AGAIN: (&str, &str) = (
    "Download again",
    "Fetch the job from TTAPI again (free) and save its images from the fresh answer",
);

/// Taken back before it was sent: nothing to fix, only to send after all.
fn cancelled(services: &mut Services, ui: &mut egui::Ui, job: &JobRecord) {
    ui.horizontal(|ui| {
        ui.label(
            RichText::new("Cancelled before it was sent: nothing was charged.")
                .color(crate::ui::kit::theme::palette(ui).weak_text),
        );
        if ui
            .add_enabled(
                services.status.ready,
                IconButton::labelled(icons::RETRY, "Send it"),
            )
            .on_hover_text("Submit the same request after all, as a new job")
            .clicked()
        {
            services.submit(NewSubmission::Retry { job: job.id });
        }
    });
}
