//! The gallery's way into a closer look and back: which one is open over the window (compare, opened from the
//! picks' actions, or culling, over the picks or every finished job on show) and when it closes. `review`
//! draws them.

use crate::engine::Command;
use crate::library::{Listing, Sort, StateFilter};
use crate::ui::gallery::state::{GalleryState, Review};
use crate::ui::runtime::pending::{Pending, take_ready};
use crate::ui::runtime::services::Services;

/// Draws compare or culling, and closes it when asked.
pub(in crate::ui) fn show_review(
    gallery: &mut GalleryState,
    services: &mut Services,
    ui: &mut egui::Ui,
) {
    let close = match &mut gallery.review {
        Some(Review::Compare(compare)) => {
            crate::ui::review::compare::show(compare, services, ui)
                == crate::ui::review::compare::Outcome::Close
        }
        Some(Review::Culling(culling)) => crate::ui::review::culling::show(culling, services, ui),
        None => false,
    };
    if close {
        gallery.review = None;
    }
}

/// Compare's or culling's keys, while one is open.
pub(in crate::ui) fn review_keys(
    gallery: &mut GalleryState,
    services: &mut Services,
    ctx: &egui::Context,
) {
    let close = match &mut gallery.review {
        Some(Review::Compare(compare)) => {
            crate::ui::review::compare::handle_keys(compare, services, ctx)
                == crate::ui::review::compare::Outcome::Close
        }
        Some(Review::Culling(culling)) => {
            crate::ui::review::culling::handle_keys(culling, services, ctx)
        }
        None => false,
    };
    if close {
        gallery.review = None;
    }
}

/// The most jobs one culling run steps through.
const CULL_MOST: usize = 10_000;

/// Culls the picks, or without picks every finished job on show, newest first (asked of the library).
pub(super) fn start_culling(gallery: &mut GalleryState, services: &mut Services) {
    if !gallery.marked.is_empty() {
        let jobs = gallery.marked.iter().rev().copied().collect();
        gallery.review = crate::ui::review::culling::Culling::new(jobs).map(Review::Culling);
        return;
    }
    let mut query = gallery.query();
    query.state = match query.state {
        StateFilter::All | StateFilter::Succeeded => StateFilter::Succeeded,
        StateFilter::Running | StateFilter::Failed => {
            nothing_to_cull(services);
            return;
        }
    };
    let (reply, answer) = Pending::channel();
    if services.send(Command::ListJobIds {
        listing: Listing {
            query,
            sort: Sort::default(),
            offset: 0,
            limit: CULL_MOST,
        },
        reply,
    }) {
        gallery.cull = Some(answer);
    }
}

fn nothing_to_cull(services: &mut Services) {
    services.toasts.push(
        crate::ui::runtime::toasts::ToastKind::Info,
        "Nothing to cull: no finished job is on show",
        None,
    );
}

/// Opens culling over the finished jobs once the library listed them.
pub(super) fn take_cull(gallery: &mut GalleryState, services: &mut Services) {
    match take_ready(&mut gallery.cull) {
        Some(Some(Ok(ids))) => match crate::ui::review::culling::Culling::new(ids) {
            Some(culling) => gallery.review = Some(Review::Culling(culling)),
            None => nothing_to_cull(services),
        },
        Some(Some(Err(e))) => services.toasts.push(
            crate::ui::runtime::toasts::ToastKind::Error,
            format!("Could not list the jobs to cull: {e}"),
            None,
        ),
        Some(None) | None => {}
    }
}
