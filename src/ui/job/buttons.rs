//! What follows from a job: its component buttons in Midjourney's rows (disabled, saying why, until it
//! succeeded here), an upscale run again, and "Vary region" into the mask editor.

use egui::{RichText, Vec2, vec2};

use crate::domain::Action;
use crate::domain::action::PanDirection;
use crate::domain::buttons::{ButtonRow, button_rows};
use crate::library::{ImageRole, JobKind, JobParams, JobRecord, JobState};
use crate::ui::kit::controls::IconButton;
use crate::ui::kit::icons;
use crate::ui::runtime::intents::Intent;
use crate::ui::runtime::services::Services;

/// An upscale is not repeated by its button (that opens this job); here it can be, on purpose.
pub(super) fn run_again(services: &mut Services, ui: &mut egui::Ui, job: &JobRecord) {
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
pub(super) fn component_buttons(services: &mut Services, ui: &mut egui::Ui, job: &JobRecord) {
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
pub(in crate::ui) fn can_vary_region(services: &mut Services, job: i64) -> bool {
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
pub(super) fn region_actions(services: &mut Services, ui: &mut egui::Ui, job: &JobRecord) {
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
