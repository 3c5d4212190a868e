//! The gallery: every stored job as a thumbnail, newest first, with kind, state and text filters; arrow keys
//! move the selection, Enter opens the job. This file is what the shell calls: the gallery's entry points
//! (its state is `state`). The parts the user works on live beside it: `bar`, `tiles`, `marked`, `keys`,
//! `to_review`.

use crate::library::JobQuery;
use crate::ui::gallery::keys::select_when_read;
use crate::ui::kit::controls::IconButton;
use crate::ui::kit::icons;
use crate::ui::runtime::intents::Intent;
use crate::ui::runtime::services::Services;

// The shell reaches these by their old place, `gallery::grid`.
pub(in crate::ui) use crate::ui::gallery::keys::handle_keys;
pub(in crate::ui) use crate::ui::gallery::marked::export_selection;
pub(in crate::ui) use crate::ui::gallery::state::{GalleryState, TileLayout};
pub(in crate::ui) use crate::ui::gallery::to_review::{review_keys, show_review};

pub fn show(gallery: &mut GalleryState, services: &mut Services, ui: &mut egui::Ui) {
    if gallery.trash.open {
        if ui
            .add(IconButton::labelled(icons::GALLERY, "Back to the gallery"))
            .clicked()
        {
            gallery.trash.open = false;
        }
        crate::ui::gallery::trash::show(&mut gallery.trash, services, ui);
        return;
    }
    if !gallery.saved.is_empty() {
        egui::Panel::left("saved_searches")
            .resizable(false)
            .exact_size(190.0)
            .show(ui, |ui| {
                crate::ui::gallery::bar::saved_searches(gallery, ui)
            });
    }
    crate::ui::gallery::bar::filter_bar(gallery, services, ui);
    let frame = ui.ctx().cumulative_frame_nr();
    gallery.bar.ask_library(&gallery.filter, frame, services);
    ui.separator();
    crate::ui::gallery::marked::take_range(gallery, services);
    crate::ui::gallery::to_review::take_cull(gallery, services);
    let query = gallery.query();
    if gallery.list {
        show_list(gallery, services, ui, &query);
    } else {
        crate::ui::gallery::tiles::show(gallery, services, ui, &query);
    }
}

/// The jobs as a sortable list, a row per job.
fn show_list(
    gallery: &mut GalleryState,
    services: &mut Services,
    ui: &mut egui::Ui,
    query: &JobQuery,
) {
    let scroll_to = gallery.steps.scroll_to.take();
    match crate::ui::gallery::list_view::show(&mut gallery.table, services, ui, query, scroll_to) {
        Some(crate::ui::gallery::list_view::RowClick::Open(id)) => services.open_job(id),
        Some(crate::ui::gallery::list_view::RowClick::Select(id)) => {
            services.ask(Intent::Select(id))
        }
        None => {}
    }
    select_when_read(gallery, services);
}

#[cfg(test)]
mod tests {
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    use super::*;
    use crate::ui::runtime::testing::ready_services;
    use crate::ui::runtime::testing::{finished_job, frames_until};

    /// Finished jobs put in the library before the engine starts.
    fn finished_jobs(data: &std::path::Path, prompts: &[&str]) -> Vec<i64> {
        prompts
            .iter()
            .map(|prompt| finished_job(data, prompt).id)
            .collect()
    }

    /// The gallery drawn alone over `Services` on an offline engine: Ctrl+click picks tiles, the picks'
    /// actions follow the count, and Compare opens compare over the picks.
    #[test]
    fn ctrl_clicking_tiles_picks_them_and_offers_compare_over_the_picks() {
        let data = tempfile::tempdir().unwrap();
        let ids = finished_jobs(data.path(), &["a harbour at dawn", "a harbour at dusk"]);
        let services = ready_services(data.path());
        let mut harness = Harness::builder()
            .with_size(egui::vec2(1200.0, 800.0))
            .with_context_setup(icons::install)
            .build_ui_state(
                |ui, state: &mut (GalleryState, Services)| show(&mut state.0, &mut state.1, ui),
                (GalleryState::default(), services),
            );
        let tile = |id: i64| format!("Job #{id}: a harbour");
        frames_until(&mut harness, "both tiles", |h| {
            ids.iter()
                .all(|id| h.query_by_label_contains(&tile(*id)).is_some())
        });
        assert!(
            harness.query_by_label_contains("Compare (").is_none(),
            "no picks, no picks' actions"
        );

        for id in &ids {
            harness
                .get_by_label_contains(&tile(*id))
                .click_modifiers(egui::Modifiers::COMMAND);
            harness.step();
        }
        harness.step();
        assert_eq!(
            harness.state().0.marked.iter().copied().collect::<Vec<_>>(),
            ids
        );
        assert!(harness.query_by_label("Move to Trash (2)").is_some());
        harness.get_by_label("Compare (2)").click();
        harness.step();
        assert!(matches!(
            harness.state().0.review,
            Some(crate::ui::gallery::state::Review::Compare(_))
        ));
    }
}
