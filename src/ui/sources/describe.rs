//! The Describe panel: one image (picked, dropped, pasted, or a URL) in, four prompts out, each as a card
//! with Use prompt, Imagine and Copy. The cards also show in the job view of any describe job.

use crate::ui::kit::controls::IconButton;
use crate::ui::kit::icons;
use egui::RichText;

use crate::domain::prompt::describe_prompts;
use crate::engine::{DescribeSource, NewSubmission};
use crate::library::{JobKind, JobRecord, JobState};
use crate::ui::runtime::intents::{Intent, PromptEdit};
use crate::ui::runtime::services::Services;
use crate::ui::sources::inputs::{CardAction, SourceSlot, SourceTarget, card, drop_zone};

#[derive(Default)]
pub struct DescribePanel {
    pub slot: Option<SourceSlot>,
    pub url: String,
}

pub fn show(describe: &mut DescribePanel, services: &mut Services, ui: &mut egui::Ui) {
    ui.heading("Describe");
    ui.label(
        RichText::new(
            "Four prompts that Midjourney would write for an image. Choose a file, drop one on the window, \
             paste one (Ctrl+V), or give the address of an image on the web.",
        )
        .weak(),
    );
    ui.add_space(6.0);
    ui.horizontal(|ui| {
        if ui
            .add(IconButton::labelled(icons::ADD_IMAGES, "Choose image…"))
            .clicked()
        {
            services
                .chores
                .pick_images(SourceTarget::Describe, "Image to describe");
        }
    });
    ui.add_space(6.0);
    let mut remove = false;
    match &describe.slot {
        Some(slot) => {
            if let CardAction::Remove = card(ui, slot, (false, false)) {
                remove = true;
            }
        }
        None => drop_zone(ui, "Drop an image here"),
    }
    if remove {
        describe.slot = None;
    }
    ui.add_space(6.0);
    let source = describe
        .slot
        .as_ref()
        .and_then(|s| s.ready())
        .map(|s| s.image.clone());
    let mut submit = None;
    ui.horizontal(|ui| {
        if ui
            .add_enabled(
                services.status.ready && source.is_some(),
                IconButton::labelled(icons::DESCRIBE, "Describe image").primary(),
            )
            .clicked()
        {
            submit = source.clone().map(DescribeSource::Image);
        }
    });
    ui.horizontal(|ui| {
        let label = ui.label("Image URL");
        ui.add(
            egui::TextEdit::singleline(&mut describe.url)
                .hint_text("https://…")
                .desired_width(360.0),
        )
        .labelled_by(label.id);
        let url = describe.url.trim().to_owned();
        if ui
            .add_enabled(
                services.status.ready && !url.is_empty(),
                egui::Button::new("Describe URL"),
            )
            .clicked()
        {
            submit = Some(DescribeSource::Url(url));
        }
    });
    if let Some(source) = submit {
        services.submit(NewSubmission::Describe { source });
    }
    ui.separator();
    // The newest describe jobs, so the results of this panel stay in view.
    let recent: Vec<JobRecord> = services
        .jobs
        .recent_of_kind(JobKind::Describe, 3)
        .into_iter()
        .cloned()
        .collect();
    egui::ScrollArea::vertical()
        .id_salt("describe_results")
        .show(ui, |ui| {
            for job in recent {
                ui.label(
                    RichText::new(format!(
                        "#{} · {}",
                        job.id,
                        crate::ui::job::labels::state_text(&job)
                    ))
                    .weak(),
                );
                cards(services, ui, &job);
                ui.add_space(8.0);
            }
        });
}

/// The prompts of a describe job as cards, or its progress while it runs.
pub fn cards(services: &mut Services, ui: &mut egui::Ui, job: &JobRecord) {
    if job.state != JobState::Succeeded {
        if !job.state.is_final() {
            ui.add(
                egui::ProgressBar::new(f32::from(job.progress.unwrap_or(0)) / 100.0)
                    .desired_width(240.0),
            );
        }
        return;
    }
    let prompts = describe_prompts(&job.prompt);
    for prompt in prompts {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.add(egui::Label::new(&prompt).selectable(true));
            ui.horizontal(|ui| {
                if ui
                    .add(IconButton::labelled(icons::PROMPT, "Use prompt"))
                    .on_hover_text("Put it in the prompt bar")
                    .clicked()
                {
                    services.ask(Intent::Prompt(PromptEdit::Replace(prompt.clone())));
                }
                if ui
                    .add_enabled(
                        services.status.ready,
                        IconButton::labelled(icons::IMAGINE, "Imagine"),
                    )
                    .on_hover_text("Imagine it now")
                    .clicked()
                {
                    services.ask(Intent::ImagineNow(prompt.clone()));
                }
                if ui.add(IconButton::new(icons::COPY, "Copy")).clicked() {
                    ui.ctx().copy_text(prompt.clone());
                }
            });
        });
    }
}

#[cfg(test)]
mod tests {
    use egui::accesskit::Role;
    use egui_kittest::Harness;
    use egui_kittest::kittest::{NodeT, Queryable};

    use super::*;
    use crate::library::{JobParams, Library};
    use crate::ui::runtime::testing::frames_until;
    use crate::ui::runtime::testing::ready_services;

    /// The Describe panel drawn alone over a ready engine: an image's web address, sent by "Describe URL",
    /// becomes a describe job of that address, and the panel stays (its answer shows here).
    #[test]
    fn describe_url_sends_a_describe_job_of_the_address() {
        let data = tempfile::tempdir().unwrap();
        let services = ready_services(data.path());
        let mut harness = Harness::builder()
            .with_context_setup(crate::ui::kit::icons::install)
            .build_ui_state(
                |ui, (describe, services): &mut (DescribePanel, Services)| {
                    services.receive();
                    show(describe, services, ui);
                },
                (DescribePanel::default(), services),
            );
        harness.run();
        assert!(
            harness
                .get_by_label("Describe URL")
                .accesskit_node()
                .is_disabled(),
            "no address yet"
        );
        let field = |node: &egui_kittest::kittest::AccessKitNode<'_>| {
            node.role() == Role::TextInput && node.label().as_deref() == Some("Image URL")
        };
        harness.get_by(field).focus();
        harness.step();
        harness
            .get_by(field)
            .type_text("https://example.com/harbour.png");
        harness.step();
        harness.get_by_label("Describe URL").click();
        let stored = |data: &std::path::Path| Library::open(data).unwrap().recent_jobs(10).unwrap();
        frames_until(&mut harness, "the describe job", |_| {
            !stored(data.path()).is_empty()
        });
        // The submission's answer, read on a later frame, is what would open a job.
        frames_until(&mut harness, "the engine's answer", |h| {
            h.state().1.is_settled()
        });

        let jobs = stored(data.path());
        assert_eq!(jobs.len(), 1);
        assert_eq!(jobs[0].kind, JobKind::Describe);
        assert_eq!(
            jobs[0].params,
            Ok(JobParams::Describe {
                url: Some("https://example.com/harbour.png".into())
            })
        );
        assert!(
            !harness
                .state_mut()
                .1
                .take_intents()
                .iter()
                .any(|i| matches!(i, crate::ui::runtime::intents::Intent::OpenJob(_))),
            "a describe is not opened: its answer shows in this panel"
        );
    }
}
