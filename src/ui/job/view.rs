//! The job view: the full image with zoom and pan, and beside it everything about the job (prompt, mode,
//! seed, quota, size, lineage), its component buttons in Midjourney's rows, and what can be done with the
//! image (copy, save, open its folder).

use egui::{Align, Layout, Rect, RichText, Scene, Vec2, vec2};

use crate::domain::Action;
use crate::domain::action::PanDirection;
use crate::domain::buttons::{ButtonRow, button_rows};
use crate::domain::failure::explain_failure;
use crate::domain::{Mode, prompt};
use crate::engine::{Command, NewSubmission};
use crate::library::{ImageFile, ImageRole, JobKind, JobParams, JobRecord, JobState};
use crate::ui::job::labels::state_text;
use crate::ui::kit::controls::IconButton;
use crate::ui::kit::icons;
use crate::ui::runtime::intents::{Intent, PromptEdit};
use crate::ui::runtime::services::Services;
use crate::ui::sources::inputs::{SourceInput, SourceTarget};

pub(in crate::ui) const ZOOM_RANGE: std::ops::RangeInclusive<f32> = 0.02..=16.0;

#[derive(Default)]
pub struct JobViewState {
    /// The part of the image in view (image pixels); `None` fits the whole image.
    view: Option<Rect>,
    /// The image the view is of; another one (a new job, or a grid replacing a blend's input) refits.
    showing: Option<std::path::PathBuf>,
    /// The size of the image area last frame, for "100%".
    area: Vec2,
    /// The open job's family tree, for one generation of the job list.
    family: Option<Family>,
}

struct Family {
    generation: u64,
    job: i64,
    /// (depth, id), depth first from the oldest ancestor.
    members: Vec<(usize, i64)>,
}

pub fn show(job_view: &mut JobViewState, services: &mut Services, ui: &mut egui::Ui) {
    let Some(job) = services
        .nav()
        .selected
        .and_then(|id| services.jobs.get(id))
        .cloned()
    else {
        match services.nav().selected {
            // An older job, being read from the library.
            Some(id) if !services.jobs.gone(id) => {
                ui.centered_and_justified(|ui| ui.spinner());
            }
            _ => nothing_open(services, ui),
        }
        return;
    };
    egui::Panel::right("job_details")
        .default_size(340.0)
        .min_size(280.0)
        .resizable(true)
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("job_details")
                .auto_shrink([false, false])
                .show(ui, |ui| details(job_view, services, ui, &job));
        });
    image_area(job_view, services, ui, &job);
}

/// Prompts a first-time user can start from (each fills the prompt bar).
const EXAMPLE_PROMPTS: [&str; 3] = [
    "a lighthouse on a cliff at dusk, warm window light, long exposure --ar 3:2",
    "isometric cutaway of a tiny bakery, soft pastel colours, clay render",
    "portrait of a fox in a knitted scarf, studio lighting, 85mm --ar 2:3",
];

/// No job open: with an empty library, what to try first (and what the offline demo is); else where jobs are.
fn nothing_open(services: &mut Services, ui: &mut egui::Ui) {
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

fn details(
    job_view: &mut JobViewState,
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
        failure(services, ui, job, message);
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
    run_again(services, ui, job);
    ui.separator();
    buttons(services, ui, job);
    region_actions(services, ui, job);
    ui.separator();
    image_actions(services, ui, job);
    // Last: what is done with this job comes first, where it belongs in its family after.
    lineage(job_view, services, ui, job);
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

fn failure(services: &mut Services, ui: &mut egui::Ui, job: &JobRecord, message: &str) {
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

/// An upscale is not repeated by its button (that opens this job); here it can be, on purpose.
fn run_again(services: &mut Services, ui: &mut egui::Ui, job: &JobRecord) {
    let Some(parent) = job.parent_id else {
        return;
    };
    if job.state == JobState::Succeeded
        && crate::domain::Action::parse(&job.action).is_upscale()
        && ui
            .add_enabled(
                services.status.ready,
                IconButton::labelled(icons::RETRY, "Run again"),
            )
            .on_hover_text("Upscale the same image again, as a new job (charged again)")
            .clicked()
    {
        services.run_action(parent, job.action.clone());
    }
}

/// One button per component string, in Midjourney's rows; disabled with the reason until the job succeeded.
fn buttons(services: &mut Services, ui: &mut egui::Ui, job: &JobRecord) {
    let rows = button_rows(&job.components);
    if rows.is_empty() {
        if job.state == JobState::Succeeded {
            ui.label(RichText::new("This job offers no follow-ups.").weak());
        }
        return;
    }
    let disabled_reason = match job.state {
        JobState::Succeeded if job.backend != services.status.backend && services.status.ready => {
            Some(format!(
                "Made on {}; Moodgrid is now connected to {}",
                job.backend, services.status.backend
            ))
        }
        JobState::Succeeded => None,
        state if state.is_final() => Some(format!(
            "This job {}; it has no follow-ups.",
            state.as_str()
        )),
        _ => Some("Available once the job has succeeded.".to_owned()),
    };
    let mut pressed = None;
    egui::Grid::new("job_buttons")
        .num_columns(2)
        .spacing([10.0, 6.0])
        .show(ui, |ui| {
            for (row, actions) in rows {
                ui.horizontal(|ui| {
                    ui.set_min_height(COMPACT_KEY.y);
                    ui.label(RichText::new(row_caption(row)).weak().small());
                });
                ui.horizontal_wrapped(|ui| {
                    ui.spacing_mut().item_spacing.x = 4.0;
                    for action in actions {
                        let name = action.label();
                        if matches!(action, Action::Reroll) {
                            ui.add_space(8.0);
                        }
                        let enabled = disabled_reason.is_none();
                        let button = match action {
                            // U1–U4 and V1–V4 are a compact row of equal keys, as Midjourney shows them.
                            Action::Upsample(_) | Action::Variation(_) => ui.add_enabled(
                                enabled,
                                egui::Button::new(RichText::new(name).strong())
                                    .min_size(COMPACT_KEY),
                            ),
                            Action::Pan(direction) => ui.add_enabled(
                                enabled,
                                IconButton::new(pan_icon(direction), &name).framed(),
                            ),
                            _ => ui.add_enabled(enabled, egui::Button::new(name)),
                        };
                        let button = match &disabled_reason {
                            Some(reason) => button.on_disabled_hover_text(reason),
                            None => {
                                let wire = action.wire_name();
                                let mode = job.mode.unwrap_or_default();
                                let estimate =
                                    services.status.account.estimate(mode, &wire, &job.prompt);
                                let kind = crate::domain::pricing::PricedKind::of_action(&wire);
                                button.on_hover_text(format!(
                                    "{wire}\n≈ {} quota ({})",
                                    crate::domain::pricing::format_quota(estimate.quota),
                                    estimate.basis_text(kind)
                                ))
                            }
                        };
                        if button.clicked() {
                            pressed = Some(action.wire_name());
                        }
                    }
                });
                ui.end_row();
            }
        });
    if let Some(action) = pressed {
        services.press(job.id, action);
    }
}

fn pan_icon(direction: PanDirection) -> icons::Icon {
    match direction {
        PanDirection::Left => icons::PAN_LEFT,
        PanDirection::Right => icons::PAN_RIGHT,
        PanDirection::Up => icons::PAN_UP,
        PanDirection::Down => icons::PAN_DOWN,
    }
}

/// The size of a U or V key.
const COMPACT_KEY: Vec2 = vec2(40.0, 28.0);

/// What a row of buttons does, as Midjourney names the groups.
fn row_caption(row: ButtonRow) -> &'static str {
    match row {
        ButtonRow::Upsample | ButtonRow::Upscale => "Upscale",
        ButtonRow::Variation | ButtonRow::Vary => "Vary",
        ButtonRow::Zoom => "Zoom",
        ButtonRow::Pan => "Pan",
        ButtonRow::Other => "More",
    }
}

/// Whether the job is a finished upscale made where Moodgrid is connected now: one inpaint can start from it.
pub fn can_vary_region(services: &mut Services, job: i64) -> bool {
    let finished_here = services
        .jobs
        .get(job)
        .is_some_and(|r| r.state == JobState::Succeeded && r.backend == services.status.backend);
    finished_here
        && services
            .jobs
            .main_image(job)
            .is_some_and(|i| i.record.role == ImageRole::Upscale)
}

/// "Vary region" on a single upscaled image opens the mask editor; an inpaint job can reopen its mask.
fn region_actions(services: &mut Services, ui: &mut egui::Ui, job: &JobRecord) {
    if can_vary_region(services, job.id)
        && ui
            .add(IconButton::labelled(icons::MASK, "Vary region"))
            .on_hover_text("Paint a mask and repaint only that region (inpaint) (M)")
            .clicked()
    {
        services.ask(Intent::EditMask {
            job: job.id,
            ops: Vec::new(),
        });
    }
    if job.kind == JobKind::Inpaint
        && job.state.is_final()
        && let Some(parent) = job.parent_id
        && ui
            .button("Edit mask again")
            .on_hover_text("Reopen the mask this job was made with")
            .clicked()
    {
        let ops = match &job.params {
            Ok(JobParams::Inpaint {
                mask_ops: Some(ops),
                ..
            }) => ops.clone(),
            _ => Vec::new(),
        };
        services.ask(Intent::EditMask { job: parent, ops });
    }
}

fn image_actions(services: &mut Services, ui: &mut egui::Ui, job: &JobRecord) {
    let main: Option<ImageFile> = services.jobs.main_image(job.id).cloned();
    let has_image = main.is_some();
    ui.horizontal_wrapped(|ui| {
        if ui
            .add_enabled(
                has_image,
                IconButton::labelled(icons::ADD_TO_BOARD, "Add to board"),
            )
            .on_hover_text("Put this image on the current moodboard")
            .clicked()
        {
            services.ask(Intent::AddToBoard {
                jobs: vec![job.id],
                at: None,
                open: false,
            });
        }
        if ui
            .add_enabled(has_image, IconButton::labelled(icons::EXPORT, "Export…"))
            .on_hover_text(format!(
                "The original files with the prompt, seed, job id and lineage written in ({})",
                ui.ctx()
                    .format_shortcut(&crate::ui::shell::shortcuts::EXPORT_SHORTCUT)
            ))
            .clicked()
        {
            services.ask(Intent::Export(vec![job.id]));
        }
    });
    ui.horizontal_wrapped(|ui| {
        let Some(file) = &main else {
            return;
        };
        if ui
            .add(IconButton::labelled(icons::COPY, "Copy image"))
            .clicked()
        {
            services.chores.copy_image(file.path.clone());
        }
        if ui
            .add(IconButton::labelled(icons::SAVE, "Save as…"))
            .clicked()
        {
            services
                .chores
                .save_as(file.path.clone(), suggested_name(job));
        }
        if ui
            .add(IconButton::labelled(icons::OPEN_FOLDER, "Open folder"))
            .on_hover_text("Show the original file in the file manager")
            .clicked()
            && let Some(folder) = file.path.parent()
        {
            services.chores.open_folder(folder.to_owned());
        }
    });
    ui.horizontal_wrapped(|ui| {
        if ui
            .add_enabled(
                !job.prompt.is_empty(),
                IconButton::labelled(icons::PROMPT, "Copy prompt"),
            )
            .clicked()
        {
            ui.ctx().copy_text(job.prompt.clone());
        }
        if ui
            .add(IconButton::labelled(icons::JOB_ID, "Copy job id"))
            .on_hover_text(job.reference())
            .clicked()
        {
            ui.ctx().copy_text(job.reference());
        }
        if ui
            .add_enabled(
                job.state.is_final(),
                IconButton::labelled(icons::DELETE, "Move to Trash"),
            )
            .on_hover_text("Del; Ctrl+Z brings it back, the gallery's Trash too")
            .on_disabled_hover_text("A running job cannot be moved to the Trash")
            .clicked()
        {
            services.trash(vec![job.id]);
        }
    });
}

/// A file name from the job: its TTAPI id (or local number) and the first words of its prompt.
fn suggested_name(job: &JobRecord) -> String {
    let words: String = job
        .prompt
        .split_whitespace()
        .take_while(|w| !w.starts_with("--"))
        .take(6)
        .collect::<Vec<_>>()
        .join("-")
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '-')
        .collect();
    let id = job.remote_id.clone().unwrap_or_else(|| job.id.to_string());
    if words.is_empty() {
        format!("moodgrid-{id}")
    } else {
        format!("{words}-{id}")
    }
}

/// The job's whole family as a tree (imagine → U2 → Vary (Strong) → Pan left…) with thumbnails, the
/// current job marked; a click opens another member.
fn lineage(
    job_view: &mut JobViewState,
    services: &mut Services,
    ui: &mut egui::Ui,
    job: &JobRecord,
) {
    let generation = services.jobs.records_generation();
    let same_job = job_view.family.as_ref().is_some_and(|f| f.job == job.id);
    if !same_job {
        // The window holds the newest jobs; an older family is read whole (drawn as it arrives).
        if !services.send(Command::ReadFamily { id: job.id }) {
            services.refused("the job's older relatives were not read");
        }
    }
    let fresh = same_job
        && job_view
            .family
            .as_ref()
            .is_some_and(|f| f.generation == generation);
    if !fresh {
        job_view.family = Some(Family {
            generation,
            job: job.id,
            members: services.jobs.family(job.id),
        });
    }
    let family = job_view
        .family
        .as_ref()
        .map(|f| f.members.clone())
        .unwrap_or_default();
    if family.len() < 2 {
        return;
    }
    let palette = crate::ui::kit::theme::palette(ui);
    ui.add_space(4.0);
    ui.label(RichText::new("Family").weak());
    let mut open = None;
    for (depth, id) in family {
        let Some(member) = services.jobs.get(id).cloned() else {
            continue;
        };
        ui.horizontal(|ui| {
            ui.add_space(depth as f32 * 14.0);
            let side = 28.0;
            match crate::ui::runtime::thumbnails::thumbnail(services, id, 256) {
                Some((texture, aspect)) => {
                    // Beside its link, which names it: no alt text to read twice.
                    ui.add(
                        egui::Image::new(&texture)
                            .fit_to_exact_size(crate::ui::kit::fit(aspect, side)),
                    );
                }
                None => {
                    ui.allocate_exact_size(vec2(side, side), egui::Sense::hover());
                }
            }
            if id == job.id {
                ui.label(
                    RichText::new(format!("{} (this job)", link_text(&member)))
                        .strong()
                        .color(palette.accent),
                );
            } else if ui.link(link_text(&member)).clicked() {
                open = Some(id);
            }
        });
    }
    if let Some(id) = open {
        services.open_job(id);
    }
}

fn link_text(job: &JobRecord) -> String {
    format!("#{} {} · {}", job.id, job.action, state_text(job))
}

fn image_area(
    job_view: &mut JobViewState,
    services: &mut Services,
    ui: &mut egui::Ui,
    job: &JobRecord,
) {
    let Some(file) = services.jobs.main_image(job.id).cloned() else {
        if job.state.is_final() {
            ui.centered_and_justified(|ui| {
                if job.state == JobState::Succeeded {
                    ui.spinner();
                } else {
                    ui.label("This job has no image.");
                }
            });
        } else {
            // Where the grid will be: its progress, large.
            let area = Rect::from_center_size(
                ui.max_rect().center(),
                Vec2::splat(ui.available_size().min_elem().min(360.0)),
            );
            crate::ui::kit::controls::paint_progress(
                ui,
                ui.painter(),
                area,
                job.progress,
                &state_text(job),
            );
        }
        return;
    };
    if job_view.showing.as_ref() != Some(&file.path) {
        job_view.showing = Some(file.path.clone());
        job_view.view = None;
    }
    let size = vec2(file.record.width as f32, file.record.height as f32).max(Vec2::splat(1.0));
    let whole = Rect::from_min_size(egui::Pos2::ZERO, size);
    // The full image when it is decoded; the 512 px thumbnail stands in meanwhile.
    let texture = services.textures.get(&file.path).or_else(|| {
        let thumbnail = file.thumbnails.last()?.1.clone();
        services.textures.get(&thumbnail)
    });
    let shown = crate::ui::kit::fade_in(
        ui,
        egui::Id::unique(("job_image", job.id)),
        texture.is_some(),
    );
    let mut view = job_view.view.unwrap_or(whole);
    let area = job_view.area;
    ui.horizontal(|ui| {
        if ui
            .add(IconButton::new(icons::FIT, "Fit"))
            .on_hover_text("Show the whole image")
            .clicked()
        {
            view = whole;
        }
        if ui
            .button("100%")
            .on_hover_text("One image pixel per screen pixel")
            .clicked()
        {
            view = Rect::from_center_size(view.center(), area);
        }
        let zoom = if view.width() > 0.0 && view.height() > 0.0 {
            (area.x / view.width()).min(area.y / view.height())
        } else {
            1.0
        };
        ui.label(RichText::new(format!("{:.0}%", zoom * 100.0)).weak());
        ui.label(
            RichText::new("Wheel zooms at the pointer, drag pans")
                .weak()
                .small(),
        );
    });
    job_view.area = ui.available_size();
    ui.with_layout(Layout::top_down(Align::Center), |ui| {
        Scene::new()
            .zoom_range(ZOOM_RANGE)
            .max_inner_size(size)
            .scroll_zooms(true)
            .show(ui, &mut view, |ui| match &texture {
                Some(texture) => {
                    ui.add(
                        egui::Image::new(texture)
                            .fit_to_exact_size(size)
                            .tint(egui::Color32::WHITE.gamma_multiply(shown))
                            .alt_text(job.prompt.clone()),
                    );
                }
                None => {
                    ui.allocate_exact_size(size, egui::Sense::hover());
                }
            });
    });
    job_view.view = Some(view);
}
