//! What can be done with the job's image and words: add to a board, export, copy, save, open its folder,
//! copy the prompt or id, move to the Trash.

use crate::library::{ImageFile, JobRecord};
use crate::ui::kit::controls::IconButton;
use crate::ui::kit::icons;
use crate::ui::runtime::intents::Intent;
use crate::ui::runtime::services::Services;

/// The actions on the job's image and words, in three rows.
pub(super) fn show(services: &mut Services, ui: &mut egui::Ui, job: &JobRecord) {
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
                    .format_shortcut(&crate::ui::kit::keys::EXPORT_SHORTCUT)
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
