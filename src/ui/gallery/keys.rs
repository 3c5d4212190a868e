//! Stepping through the gallery from the keyboard, over tiles or the list: arrows, Home/End, Enter. A step
//! may land on a job whose page is not read yet; it is selected once it is.

use egui::Key;

use crate::ui::gallery::state::GalleryState;
use crate::ui::runtime::intents::Intent;
use crate::ui::runtime::services::Services;

/// Arrow keys step through the filtered jobs (Up/Down by a row of tiles or of the list, Left/Right by a
/// tile), Home/End jump, Enter opens the job.
pub(in crate::ui) fn handle_keys(
    gallery: &mut GalleryState,
    services: &mut Services,
    ctx: &egui::Context,
) {
    let columns = if gallery.list {
        1
    } else {
        gallery.grid.columns.max(1) as isize
    };
    let sideways = if gallery.list { 0 } else { 1 };
    let steps = [
        (Key::ArrowLeft, -sideways),
        (Key::ArrowRight, sideways),
        (Key::ArrowUp, -columns),
        (Key::ArrowDown, columns),
        (Key::Home, isize::MIN / 2),
        (Key::End, isize::MAX / 2),
    ];
    let step = steps
        .iter()
        .find(|(key, _)| ctx.input(|i| i.key_pressed(*key)))
        .map(|(_, step)| *step);
    if ctx.input(|i| i.key_pressed(Key::Enter))
        && let Some(id) = services.nav().selected()
    {
        services.open_job(id);
        return;
    }
    let Some(step) = step.filter(|step| *step != 0) else {
        return;
    };
    let total = gallery.pages().total().unwrap_or(0);
    if total == 0 {
        return;
    }
    let current = gallery.steps.select_at.or_else(|| {
        services
            .nav()
            .selected()
            .and_then(|id| gallery.pages().position(id))
    });
    let next = match current {
        Some(at) => (at as isize)
            .saturating_add(step)
            .clamp(0, total as isize - 1) as usize,
        None => 0,
    };
    // Selected when its page is read, at once when it is already here.
    gallery.steps.select_at = Some(next);
    gallery.steps.scroll_to = Some(next);
}

/// Selects the job a keyboard step landed on once its page is read.
pub(super) fn select_when_read(gallery: &mut GalleryState, services: &mut Services) {
    if let Some(place) = gallery.steps.select_at
        && let Some(job) = gallery.pages().at(services, place)
    {
        services.ask(Intent::Select(job.id));
        gallery.steps.select_at = None;
    }
}
