//! The details column beside the picture, in the order a user reads it: what the job is (facts, seed,
//! rating, relatives), what went wrong, its progress and Cancel, then what can be done with it.

use egui::RichText;

use crate::domain::{Mode, prompt};
use crate::engine::NewSubmission;
use crate::library::{ImageRole, JobKind, JobRecord, JobState};
use crate::ui::job::labels::state_text;
use crate::ui::job::lineage::Family;
use crate::ui::kit::controls::IconButton;
use crate::ui::kit::icons;
use crate::ui::runtime::intents::{Intent, PromptEdit};
use crate::ui::runtime::services::Services;
use crate::ui::sources::inputs::{SourceInput, SourceTarget};

/// The column for `job`; `family` keeps its family tree from frame to frame.
pub(super) fn show(
    family: &mut Option<Family>,
    services: &mut Services,
    ui: &mut egui::Ui,
    job: &JobRecord,
) {
    ui.add_space(4.0);
    let title = if job.kind == JobKind::Describe {
        "Describe".to_owned()
    } else {
        crate::ui::job::labels::job_title(job)
    };
    ui.add(egui::Label::new(RichText::new(title).strong().size(15.0)).selectable(true));
    ui.add_space(4.0);
    facts(services, ui, job);
    if let Some(message) = job
        .message
        .as_deref()
        .filter(|_| job.state.is_final() && job.state != JobState::Succeeded)
    {
        ui.add_space(6.0);
        crate::ui::job::failure::show(services, ui, job, message);
    }
    if let (JobState::Queued, Some((reason, until))) =
        (job.state, services.status.waiting.get(&job.id))
    {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!(
                "Not sent yet: {reason}. Moodgrid keeps trying until {}.",
                crate::clock::hh_mm(*until)
            ),
        );
    }
    if !job.state.is_final() {
        ui.add(
            egui::ProgressBar::new(f32::from(job.progress.unwrap_or(0)) / 100.0).show_percentage(),
        );
        cancel(services, ui, job);
    }
    if job.kind == JobKind::Describe {
        ui.separator();
        crate::ui::sources::describe::cards(services, ui, job);
    }
    if matches!(job.kind, JobKind::Blend | JobKind::Describe) && job.state.is_final() {
        ui.separator();
        sources_actions(services, ui, job);
    }
    crate::ui::job::buttons::run_again(services, ui, job);
    ui.separator();
    crate::ui::job::buttons::component_buttons(services, ui, job);
    crate::ui::job::buttons::region_actions(services, ui, job);
    ui.separator();
    crate::ui::job::image_actions::show(services, ui, job);
    // Last: what is done with this job comes first, where it belongs in its family after.
    crate::ui::job::lineage::show(family, services, ui, job);
}

fn facts(services: &mut Services, ui: &mut egui::Ui, job: &JobRecord) {
    egui::Grid::new("job_facts")
        .num_columns(2)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            let row = |ui: &mut egui::Ui, name: &str, value: String| {
                ui.label(RichText::new(name).weak());
                ui.add(egui::Label::new(value).selectable(true));
                ui.end_row();
            };
            row(ui, "Job", format!("#{} · {}", job.id, job.action));
            row(ui, "State", state_text(job));
            row(ui, "Mode", job.mode.map_or("—", Mode::as_str).to_owned());
            if let Some((w, h)) = job.width.zip(job.height) {
                row(ui, "Size", format!("{w} × {h} px"));
            }
            if let Some(ratio) = prompt::aspect_ratio(&job.prompt) {
                row(ui, "Aspect", format!("{}:{}", ratio.0, ratio.1));
            }
            if let Some(quota) = job.quota {
                row(ui, "Quota", format!("{quota}"));
            }
            row(
                ui,
                "TTAPI id",
                job.remote_id.clone().unwrap_or_else(|| "—".into()),
            );
            row(ui, "Made on", job.backend.clone());
            charged_twice(services, ui, job);
            ui.label(RichText::new("Seed").weak());
            seed(services, ui, job);
            ui.end_row();
            ui.label(RichText::new("Rating").weak());
            crate::ui::job::verdict::controls(services, ui, job);
            ui.end_row();
            // The parent, one click away at the top; the whole family is at the bottom.
            if let Some(parent) = job.parent_id.and_then(|id| services.jobs.get(id)).cloned() {
                ui.label(RichText::new("Made from").weak());
                if ui
                    .link(format!("#{} {}", parent.id, parent.action))
                    .clicked()
                {
                    services.open_job(parent.id);
                }
                ui.end_row();
            }
        });
}

/// The seed with Copy and Reuse, or a button that asks the service for it.
fn seed(services: &mut Services, ui: &mut egui::Ui, job: &JobRecord) {
    ui.horizontal(|ui| {
        if let Some(seed) = &job.seed {
            ui.add(egui::Label::new(seed).selectable(true));
            if ui
                .small_button("Copy")
                .on_hover_text("Copy the seed")
                .clicked()
            {
                ui.ctx().copy_text(seed.clone());
            }
            if ui
                .small_button("Reuse")
                .on_hover_text("Add --seed to the prompt bar")
                .clicked()
            {
                services.ask(Intent::Prompt(PromptEdit::Seed(seed.clone())));
            }
            return;
        }
        let asking = services
            .jobs
            .children(job.id)
            .iter()
            .any(|c| c.kind == JobKind::Seed && !c.state.is_final());
        if asking {
            ui.spinner();
            ui.label("asking…");
        } else {
            let can = job.state == JobState::Succeeded && job.kind != JobKind::Seed;
            let button = ui
                .add_enabled(can, egui::Button::new("Get seed").small())
                .on_hover_text("Ask TTAPI for this job's seed")
                .on_disabled_hover_text("Only a finished job has a seed");
            if button.clicked() {
                services.submit(NewSubmission::Seed { parent: job.id });
            }
        }
    });
}

/// A blend or describe keeps its input images: run it again, or take them back to its panel to change.
fn sources_actions(services: &mut Services, ui: &mut egui::Ui, job: &JobRecord) {
    let (again, panel, target) = match job.kind {
        JobKind::Blend => ("Blend again", "Edit in Blend", SourceTarget::Blend),
        _ => ("Describe again", "Edit in Describe", SourceTarget::Describe),
    };
    let inputs: Vec<std::path::PathBuf> = services
        .jobs
        .images(job.id)
        .unwrap_or_default()
        .iter()
        .filter(|i| i.record.role == ImageRole::Source)
        .map(|i| i.path.clone())
        .collect();
    ui.horizontal(|ui| {
        if job.state == JobState::Succeeded
            && ui
                .add_enabled(services.status.ready, egui::Button::new(again))
                .on_hover_text("The same images and settings, as a new job")
                .clicked()
        {
            services.submit(NewSubmission::Retry { job: job.id });
        }
        if ui
            .add_enabled(!inputs.is_empty(), egui::Button::new(panel))
            .on_hover_text("Put this job's images back in the panel")
            .clicked()
        {
            services.ask(Intent::Sources {
                target,
                inputs: inputs.into_iter().map(SourceInput::File).collect(),
                replace: true,
            });
        }
    });
}

/// Cancel for a job not yet sent; for one already sent, the same button disabled, saying why.
fn cancel(services: &mut Services, ui: &mut egui::Ui, job: &JobRecord) {
    let queued = job.state == JobState::Queued;
    let button = ui
        .add_enabled(
            queued && services.status.ready,
            IconButton::labelled(icons::CANCEL, "Cancel"),
        )
        .on_hover_text("Not sent yet: take it back. It is never sent and nothing is charged (Del)")
        .on_disabled_hover_text(
            "Already sent: TTAPI has no cancel, so the job runs to its end and is charged",
        );
    if button.clicked() {
        services.cancel(Some(vec![job.id]));
    }
}

/// TTAPI ran this job's request twice (a process was stopped mid-send and another took over): both
/// charges and both results, each a click away.
fn charged_twice(services: &mut Services, ui: &mut egui::Ui, job: &JobRecord) {
    let mut others: Vec<(i64, String)> = services
        .jobs
        .second_charges(job.id)
        .into_iter()
        .map(|j| (j.id, j.reference()))
        .collect();
    if let Some(original) = job.duplicate_of {
        let reference = services
            .jobs
            .get(original)
            .map_or_else(|| format!("#{original}"), JobRecord::reference);
        others.insert(0, (original, reference));
    }
    if others.is_empty() {
        return;
    }
    ui.label(RichText::new("Sent twice").color(ui.visuals().warn_fg_color))
        .on_hover_text(
            "TTAPI ran this request twice and charged both; Moodgrid keeps both results",
        );
    ui.horizontal_wrapped(|ui| {
        for (id, reference) in others {
            if ui
                .link(format!("#{id} ({reference})"))
                .on_hover_text("The other charge of the same request")
                .clicked()
            {
                services.open_job(id);
            }
        }
    });
    ui.end_row();
}
