//! The Trash, opened from the gallery: the trashed jobs with Restore, and Empty Trash, which says how much
//! it frees and asks first. The list comes from the engine and is asked again whenever the jobs change.

use egui::RichText;

use crate::domain::prompt::first_line;
use crate::engine::{Command, EngineError};
use crate::library::{JobRecord, TrashListing, TrashSize};
use crate::ui::kit::controls::{Answer, IconButton, confirm};
use crate::ui::kit::icons;
use crate::ui::runtime::pending::{Pending, take_ready};
use crate::ui::runtime::services::Services;
use crate::ui::runtime::toasts::ToastKind;

#[derive(Default)]
pub struct TrashPanel {
    pub open: bool,
    /// The job-list generation the shown contents were asked at.
    asked_at: Option<u64>,
    loading: Option<Pending<Result<TrashListing, EngineError>>>,
    jobs: Vec<JobRecord>,
    size: TrashSize,
    confirm_empty: bool,
    emptying: Option<Pending<Result<TrashSize, EngineError>>>,
}

pub fn show(trash: &mut TrashPanel, services: &mut Services, ui: &mut egui::Ui) {
    receive(trash, services);
    let palette = crate::ui::kit::theme::palette(ui);
    ui.horizontal(|ui| {
        ui.heading("Trash");
        let summary = match trash.jobs.len() {
            0 => "Empty.".to_owned(),
            n => format!(
                "{n} job(s); emptying frees {:.1} MB (files no other job or board uses)",
                trash.size.bytes as f64 / 1e6
            ),
        };
        ui.label(RichText::new(summary).color(palette.weak_text));
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let busy = trash.emptying.is_some();
            if ui
                .add_enabled(
                    !trash.jobs.is_empty() && !busy,
                    IconButton::labelled(icons::DELETE, "Empty Trash…"),
                )
                .clicked()
            {
                trash.confirm_empty = true;
            }
            let all: Vec<i64> = trash.jobs.iter().map(|j| j.id).collect();
            if ui
                .add_enabled(
                    !all.is_empty(),
                    IconButton::labelled(icons::RETRY, "Restore all"),
                )
                .clicked()
                && !services.send(Command::RestoreJobs { job_ids: all })
            {
                services.refused("nothing was restored");
            }
            if busy {
                ui.spinner();
            }
        });
    });
    ui.separator();
    let mut restore = None;
    egui::ScrollArea::vertical()
        .id_salt("trash")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            egui::Grid::new("trash_jobs")
                .num_columns(3)
                .striped(true)
                .spacing([16.0, 6.0])
                .show(ui, |ui| {
                    for job in &trash.jobs {
                        ui.label(RichText::new(format!("#{} · {}", job.id, job.action)).weak());
                        ui.label(first_line(&crate::ui::job::labels::job_title(job), 90));
                        if ui
                            .add(IconButton::labelled(
                                icons::RETRY,
                                &format!("Restore #{}", job.id),
                            ))
                            .clicked()
                        {
                            restore = Some(job.id);
                        }
                        ui.end_row();
                    }
                });
        });
    if let Some(id) = restore
        && !services.send(Command::RestoreJobs { job_ids: vec![id] })
    {
        services.refused("nothing was restored");
    }
    confirm_empty(trash, services, ui.ctx());
}

fn receive(trash: &mut TrashPanel, services: &mut Services) {
    if let Some(answer) = take_ready(&mut trash.loading) {
        match answer {
            Some(Ok(listing)) => (trash.jobs, trash.size) = (listing.jobs, listing.size),
            Some(Err(e)) => services.toasts.push(
                ToastKind::Error,
                format!("Could not read the Trash: {e}"),
                None,
            ),
            None => trash.asked_at = None,
        }
    }
    if let Some(answer) = take_ready(&mut trash.emptying) {
        match answer {
            Some(Ok(freed)) => services.toasts.push(
                ToastKind::Success,
                format!(
                    "Emptied the Trash: {} job(s) deleted, {:.1} MB freed",
                    freed.jobs,
                    freed.bytes as f64 / 1e6
                ),
                None,
            ),
            Some(Err(e)) => services.toasts.push(
                ToastKind::Error,
                format!("Could not empty the Trash: {e}"),
                None,
            ),
            None => {}
        }
        trash.asked_at = None;
    }
    // Jobs moved in or out (here, in the gallery, or by another process) change the job list.
    let generation = services.jobs.generation();
    if trash.loading.is_none() && trash.asked_at != Some(generation) {
        let (reply, answer) = Pending::channel();
        if services.send(Command::LoadTrash { reply }) {
            trash.loading = Some(answer);
            trash.asked_at = Some(generation);
        }
    }
}

fn confirm_empty(trash: &mut TrashPanel, services: &mut Services, ctx: &egui::Context) {
    if !trash.confirm_empty {
        return;
    }
    let text = format!(
        "{} job(s) are deleted for good, with {} image file(s) ({:.1} MB) that no other job or board \
         uses. Boards keep their images.",
        trash.jobs.len(),
        trash.size.files,
        trash.size.bytes as f64 / 1e6
    );
    match confirm(
        ctx,
        "empty_trash",
        "Empty the Trash?",
        &text,
        "Delete for good",
    ) {
        Answer::Open => {}
        Answer::Cancel => trash.confirm_empty = false,
        Answer::Go => {
            let (reply, answer) = Pending::channel();
            if services.send(Command::EmptyTrash { reply }) {
                trash.emptying = Some(answer);
            }
            trash.confirm_empty = false;
        }
    }
}
