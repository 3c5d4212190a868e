//! The jobs picked by Ctrl+click or Shift+click, and what is done with them together: blend, compare,
//! describe, put on a board, export, move to the Trash. A Shift+click range is listed by the library, so it
//! may run past the pages read.

use egui::RichText;

use crate::api::wire::{BLEND_MAX_IMAGES, BLEND_MIN_IMAGES};
use crate::engine::Command;
use crate::library::{Counting, JobRecord, JobState, Listing};
use crate::ui::gallery::state::GalleryState;
use crate::ui::gallery::state::Review;
use crate::ui::kit::controls::IconButton;
use crate::ui::kit::icons;
use crate::ui::runtime::intents::Intent;
use crate::ui::runtime::nav::{Nav, View};
use crate::ui::runtime::pending::{Pending, take_ready};
use crate::ui::runtime::services::Services;
use crate::ui::sources::inputs::{SourceInput, SourceTarget};

/// What Export… acts on: the gallery's picks when it is open and has any, else the selected job.
pub(in crate::ui) fn export_selection(gallery: &GalleryState, nav: &Nav) -> Vec<i64> {
    if nav.view() == View::Gallery && !gallery.marked.is_empty() {
        gallery.marked.iter().rev().copied().collect()
    } else {
        nav.selected().into_iter().collect()
    }
}

/// Said over a button that waits for the picked jobs' image records.
const READING_IMAGES: &str = "Reading the picked jobs' images…";

/// What can be done with the jobs picked by Ctrl+click: blend, compare or describe them, put them on a board,
/// export them or move them to the Trash.
pub(super) fn marked_actions(
    gallery: &mut GalleryState,
    services: &mut Services,
    ui: &mut egui::Ui,
) {
    let marked = gallery.marked.len();
    if marked == 0 {
        ui.label(
            RichText::new("Ctrl+click or Shift+click picks jobs to blend, compare, describe or put on a board")
                .weak()
                .small(),
        );
        return;
    }
    ui.separator();
    // A job that has just finished may not have its image records here yet; they are asked for now.
    let picked: Vec<i64> = gallery.marked.iter().copied().collect();
    let loaded = picked
        .iter()
        .all(|id| services.jobs.main_image(*id).is_some());
    // Counted once: a button that empties the picks leaves the other labels as they were this frame.
    blend_compare_describe(gallery, services, ui, marked, loaded);
    board_export_trash(gallery, services, ui, marked, loaded);
    if ui
        .add(IconButton::new(icons::CLOSE, "Clear picks"))
        .clicked()
    {
        gallery.marked.clear();
    }
}

/// The picks as a blend's or a describe's sources, or side by side in compare.
fn blend_compare_describe(
    gallery: &mut GalleryState,
    services: &mut Services,
    ui: &mut egui::Ui,
    marked: usize,
    loaded: bool,
) {
    let can_blend = (BLEND_MIN_IMAGES..=BLEND_MAX_IMAGES).contains(&marked);
    if ui
        .add_enabled(
            can_blend && loaded,
            IconButton::labelled(icons::BLEND, &format!("Blend selected ({marked})")),
        )
        .on_disabled_hover_text(if loaded {
            "Pick two to five jobs"
        } else {
            READING_IMAGES
        })
        .clicked()
    {
        send_marked(gallery, services, SourceTarget::Blend);
    }
    let comparable =
        (crate::ui::review::compare::FEWEST..=crate::ui::review::compare::MOST).contains(&marked);
    if ui
        .add_enabled(
            comparable,
            IconButton::labelled(icons::COMPARE, &format!("Compare ({marked})")),
        )
        .on_hover_text("Side by side, zoomed and panned together")
        .on_disabled_hover_text("Pick two to four jobs")
        .clicked()
        && let Some(compare) =
            crate::ui::review::compare::Compare::new(gallery.marked.iter().rev().copied().collect())
    {
        gallery.review = Some(Review::Compare(compare));
    }
    if ui
        .add_enabled(
            marked == 1 && loaded,
            IconButton::labelled(icons::DESCRIBE, "Describe selected"),
        )
        .on_disabled_hover_text(if loaded {
            "Pick one job"
        } else {
            READING_IMAGES
        })
        .clicked()
    {
        send_marked(gallery, services, SourceTarget::Describe);
    }
}

/// The picks onto the current board, exported to files, or into the Trash.
fn board_export_trash(
    gallery: &mut GalleryState,
    services: &mut Services,
    ui: &mut egui::Ui,
    marked: usize,
    loaded: bool,
) {
    if ui
        .add_enabled(
            loaded,
            IconButton::labelled(icons::ADD_TO_BOARD, &format!("Add to board ({marked})")),
        )
        .on_hover_text("Put the picked jobs' images on the current board")
        .on_disabled_hover_text(READING_IMAGES)
        .clicked()
    {
        let ids: Vec<i64> = std::mem::take(&mut gallery.marked).into_iter().collect();
        services.ask(Intent::AddToBoard {
            jobs: ids,
            at: None,
            open: true,
        });
    }
    if ui
        .add(IconButton::labelled(
            icons::EXPORT,
            &format!("Export… ({marked})"),
        ))
        .on_hover_text(format!(
            "The picked jobs' images with their prompt, seed and job id ({})",
            ui.ctx()
                .format_shortcut(&crate::ui::kit::keys::EXPORT_SHORTCUT)
        ))
        .clicked()
    {
        let jobs = export_selection(gallery, &services.nav());
        services.ask(Intent::Export(jobs));
    }
    if ui
        .add(IconButton::labelled(
            icons::DELETE,
            &format!("Move to Trash ({marked})"),
        ))
        .on_hover_text("Del; Ctrl+Z brings them back")
        .clicked()
    {
        let ids: Vec<i64> = std::mem::take(&mut gallery.marked).into_iter().collect();
        services.trash(ids);
    }
}

/// Sends the main image file of each picked job to a panel.
fn send_marked(gallery: &mut GalleryState, services: &mut Services, target: SourceTarget) {
    let ids: Vec<i64> = std::mem::take(&mut gallery.marked).into_iter().collect();
    let mut inputs = Vec::new();
    for id in ids {
        match services.jobs.main_image(id) {
            Some(image) => inputs.push(SourceInput::File(image.path.clone())),
            None => services.toasts.push(
                crate::ui::runtime::toasts::ToastKind::Error,
                format!("Job #{id} has no image to send"),
                Some(id),
            ),
        }
    }
    services.ask(Intent::Sources {
        target,
        inputs,
        replace: false,
    });
}

/// Ctrl+click: picks the job, or unpicks it; only a job with an image can be picked.
pub(super) fn toggle_pick(
    gallery: &mut GalleryState,
    services: &mut Services,
    job: &JobRecord,
    index: usize,
) {
    gallery.picking.anchor = Some((job.id, index));
    let unpicked = gallery.marked.remove(&job.id);
    if !unpicked && job.state == JobState::Succeeded {
        gallery.marked.insert(job.id);
    } else if !unpicked {
        services.toasts.push(
            crate::ui::runtime::toasts::ToastKind::Error,
            format!("Job #{} has no image to pick", job.id),
            Some(job.id),
        );
    }
}

/// Shift+click on the tile at `index`: picks from the last tile clicked (or the selected job) to it.
pub(super) fn pick_up_to(gallery: &mut GalleryState, services: &mut Services, index: usize) {
    // Where the range starts, as the listing now stands (a new job moves everything on by one).
    let from = gallery
        .picking
        .anchor
        .map(|(id, at)| gallery.grid.pages.position(id).unwrap_or(at))
        .or_else(|| {
            services
                .nav()
                .selected()
                .and_then(|id| gallery.grid.pages.position(id))
        })
        .unwrap_or(index);
    pick_range(gallery, services, from, index);
}

/// Picks the jobs with an image from place `from` to place `to` in the listing, both ends included: the
/// library lists them (the range may run past the pages read), and they are picked when it answers.
fn pick_range(gallery: &mut GalleryState, services: &mut Services, from: usize, to: usize) {
    let Some((query, sort)) = gallery.grid.pages.listing().cloned() else {
        return;
    };
    let (reply, answer) = Pending::channel();
    if services.send(Command::ListJobs {
        listing: Listing {
            query,
            sort,
            offset: from.min(to),
            limit: from.abs_diff(to) + 1,
        },
        counting: Counting::Nothing,
        reply,
    }) {
        gallery.picking.range = Some(answer);
    }
}

/// Picks the jobs of a Shift+click range once the library listed them.
pub(super) fn take_range(gallery: &mut GalleryState, services: &mut Services) {
    match take_ready(&mut gallery.picking.range) {
        Some(Some(Ok(page))) => gallery.marked.extend(
            page.jobs
                .iter()
                .filter(|job| job.state == JobState::Succeeded)
                .map(|job| job.id),
        ),
        Some(Some(Err(e))) => services.toasts.push(
            crate::ui::runtime::toasts::ToastKind::Error,
            format!("Could not pick the range: {e}"),
            None,
        ),
        Some(None) | None => {}
    }
}
