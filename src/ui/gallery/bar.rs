//! The gallery's filter bar: the filters used every day, More filters for the rest, the active filters as
//! chips, the saved searches beside the gallery, and the view's own switches (tiles or list, size, prompts).

use egui::{Key, RichText};

use crate::domain::prompt::{Orientation, PromptParam};
use crate::engine::Command;
use crate::library::{AspectFilter, FlagFilter, InUse, StateFilter};
use crate::ui::gallery::filter::{GalleryFilter, KINDS, Made, SavedSearch};
use crate::ui::gallery::state::TileLayout;
use crate::ui::gallery::state::{BarState, GalleryState};
use crate::ui::kit::controls::IconButton;
use crate::ui::kit::icons;
use crate::ui::runtime::services::Services;

impl BarState {
    /// Takes in the answers to the search and to which jobs are on boards, and asks again what `filter`
    /// needs; `frame` tells a gallery just reopened.
    pub(super) fn ask_library(
        &mut self,
        filter: &GalleryFilter,
        frame: u64,
        services: &mut Services,
    ) {
        self.search.update(&filter.text, services);
        self.boards
            .update(filter.on_board.is_some(), frame, services);
    }
}

/// The filters, Cull and Trash, how many jobs are shown and how; under them the chips and the picks' actions.
pub(super) fn filter_bar(gallery: &mut GalleryState, services: &mut Services, ui: &mut egui::Ui) {
    // Wraps: a narrow window puts the later filters on a second line.
    ui.horizontal_wrapped(|ui| {
        everyday_filters(ui, &mut gallery.filter);
        more_filters(gallery, services, ui);
        cull_trash_and_count(gallery, services, ui);
        ui.separator();
        view_switches(gallery, ui);
    });
    ui.horizontal_wrapped(|ui| {
        chips(gallery, ui);
        crate::ui::gallery::marked::marked_actions(gallery, services, ui);
    });
}

/// The text, kind, state, rating, flag and date filters, always in view.
fn everyday_filters(ui: &mut egui::Ui, filter: &mut GalleryFilter) {
    crate::ui::kit::controls::decoration(
        ui,
        icons::SEARCH,
        crate::ui::kit::theme::palette(ui).weak_text,
    );
    let label = ui.label("Filter");
    ui.add(
        egui::TextEdit::singleline(&mut filter.text)
            .hint_text("words, ligh*, \"a phrase\", -not")
            .desired_width(220.0),
    )
    .labelled_by(label.id);
    let kind = filter.kind.map_or("Any kind", |k| k.as_str());
    crate::ui::kit::controls::labelled_combo(ui, "Kind", kind, |ui| {
        ui.selectable_value(&mut filter.kind, None, "Any kind");
        for kind in KINDS {
            ui.selectable_value(&mut filter.kind, Some(kind), kind.as_str());
        }
    });
    crate::ui::kit::controls::labelled_combo(ui, "State", filter.state.label(), |ui| {
        for state in StateFilter::ALL {
            ui.selectable_value(&mut filter.state, state, state.label());
        }
    });
    let rating = match filter.min_rating {
        0 => "Any rating".to_owned(),
        n => format!("{} or more", crate::library::stars(n)),
    };
    crate::ui::kit::controls::labelled_combo(ui, "Rating", rating, |ui| {
        ui.selectable_value(&mut filter.min_rating, 0, "Any rating");
        for stars in 1..=crate::library::MAX_RATING {
            let text = format!("{} or more", crate::library::stars(stars));
            ui.selectable_value(&mut filter.min_rating, stars, text);
        }
    });
    crate::ui::kit::controls::labelled_combo(ui, "Flag", filter.flag.label(), |ui| {
        for flag in FlagFilter::ALL {
            ui.selectable_value(&mut filter.flag, flag, flag.label());
        }
    });
    made_filter(ui, &mut filter.made);
}

/// Cull and Trash, then how many of the library's jobs the filters let through.
fn cull_trash_and_count(gallery: &mut GalleryState, services: &mut Services, ui: &mut egui::Ui) {
    if ui
        .add(IconButton::new(icons::CULL, "Cull"))
        .on_hover_text(
            "Step through the picks (or every finished job shown) full-window, rating as you go",
        )
        .clicked()
    {
        crate::ui::gallery::to_review::start_culling(gallery, services);
    }
    if ui
        .add(IconButton::new(icons::DELETE, "Trash"))
        .on_hover_text("Jobs moved to the Trash: restore them, or empty it")
        .clicked()
    {
        gallery.trash.open = true;
    }
    let pages = gallery.pages();
    if let (Some(shown), Some(total)) = (pages.total(), pages.everything()) {
        ui.label(RichText::new(format!("{shown} of {total} jobs")).weak());
    }
}

/// Tiles or list; for tiles, their size and whether prompts are written under them.
fn view_switches(gallery: &mut GalleryState, ui: &mut egui::Ui) {
    crate::ui::kit::controls::segmented(
        ui,
        "Tiles, or a sortable list",
        &mut gallery.list,
        &[(false, "Tiles"), (true, "List")],
    );
    if !gallery.list {
        let label = ui.label("Size");
        ui.add(
            egui::Slider::new(&mut gallery.tiles.size, TileLayout::SIZES)
                .show_value(false)
                .trailing_fill(true),
        )
        .labelled_by(label.id)
        .on_hover_text("How large the tiles are");
        ui.checkbox(&mut gallery.tiles.captions, "Prompts")
            .on_hover_text("Write each job's prompt under its tile");
    }
}

/// When the jobs were made: a preset, or a custom range between two dates picked on a calendar.
fn made_filter(ui: &mut egui::Ui, made: &mut Option<Made>) {
    let custom = matches!(made, Some(Made::Between { .. }));
    let shown = match made {
        None => "Any time".to_owned(),
        Some(Made::Between { .. }) => "Custom range".to_owned(),
        Some(preset) => preset.label(),
    };
    crate::ui::kit::controls::labelled_combo(ui, "Made", shown, |ui| {
        ui.selectable_value(made, None, "Any time");
        for preset in Made::PRESETS {
            ui.selectable_value(made, Some(preset), preset.label());
        }
        if ui.selectable_label(custom, "Custom range…").clicked() && !custom {
            *made = Some(Made::today_range(crate::library::now_ms()));
        }
    });
    if let Some(Made::Between { from, to }) = made {
        let label = ui.label("from");
        ui.add(
            egui_extras::DatePickerButton::new(from)
                .id_salt("made_from")
                .calendar_week(false)
                .show_icon(false)
                .highlight_weekends(false),
        )
        .labelled_by(label.id);
        let label = ui.label("to");
        ui.add(
            egui_extras::DatePickerButton::new(to)
                .id_salt("made_to")
                .calendar_week(false)
                .show_icon(false)
                .highlight_weekends(false),
        )
        .labelled_by(label.id);
    }
}

/// The filters used less often, in one panel: mode, shape, model, parameters, boards.
fn more_filters(gallery: &mut GalleryState, services: &mut Services, ui: &mut egui::Ui) {
    let everything = gallery.pages().everything();
    if everything.is_some() {
        gallery
            .bar
            .in_use
            .update(everything, |reply| services.send(Command::InUse { reply }));
    }
    let InUse { shapes, models } = gallery.bar.in_use.value().clone();
    let filter = &mut gallery.filter;
    let active = usize::from(filter.mode.is_some())
        + usize::from(filter.aspect != AspectFilter::Any)
        + usize::from(filter.version.is_some())
        + filter.uses.len()
        + usize::from(filter.on_board.is_some());
    let label = match active {
        0 => "More filters".to_owned(),
        n => format!("More filters ({n})"),
    };
    crate::ui::kit::controls::choices_menu(
        ui,
        icons::MORE_FILTERS,
        ("More filters", &label),
        |ui| {
            ui.set_max_width(360.0);
            egui::Grid::new("more_filters")
                .num_columns(2)
                .spacing([12.0, 8.0])
                .show(ui, |ui| {
                    ui.label("Mode");
                    ui.horizontal_wrapped(|ui| {
                        ui.selectable_value(&mut filter.mode, None, "Any");
                        for mode in crate::domain::Mode::ALL {
                            ui.selectable_value(&mut filter.mode, Some(mode), mode.as_str());
                        }
                    });
                    ui.end_row();
                    ui.label("Shape");
                    ui.horizontal_wrapped(|ui| {
                        ui.selectable_value(&mut filter.aspect, AspectFilter::Any, "Any");
                        for orientation in Orientation::ALL {
                            let value = AspectFilter::Orientation(orientation);
                            ui.selectable_value(&mut filter.aspect, value, orientation.label());
                        }
                    });
                    ui.end_row();
                    ui.label("Exact ratio");
                    ui.horizontal_wrapped(|ui| {
                        for (w, h) in shapes.iter().take(12) {
                            let value = AspectFilter::Exact(*w, *h);
                            ui.selectable_value(&mut filter.aspect, value, value.label());
                        }
                    });
                    ui.end_row();
                    ui.label("Model");
                    ui.horizontal_wrapped(|ui| {
                        ui.selectable_value(&mut filter.version, None, "Any");
                        for model in &models {
                            ui.selectable_value(&mut filter.version, Some(model.clone()), model);
                        }
                    });
                    ui.end_row();
                    ui.label("Uses");
                    ui.vertical(|ui| {
                        for param in PromptParam::ALL {
                            let mut used = filter.uses.contains(&param);
                            let text = format!("{} ({})", param.label(), param.flag());
                            if ui.checkbox(&mut used, text).changed() {
                                if used {
                                    filter.uses.insert(param);
                                } else {
                                    filter.uses.remove(&param);
                                }
                            }
                        }
                    });
                    ui.end_row();
                    ui.label("Boards");
                    ui.horizontal_wrapped(|ui| {
                        ui.selectable_value(&mut filter.on_board, None, "Any");
                        ui.selectable_value(&mut filter.on_board, Some(true), "On a board");
                        ui.selectable_value(&mut filter.on_board, Some(false), "On no board");
                    });
                    ui.end_row();
                });
        },
    );
}

/// The active filters as chips, each removed by a click; then clearing them all, or saving them.
fn chips(gallery: &mut GalleryState, ui: &mut egui::Ui) {
    let chips = gallery.filter.chips();
    if chips.is_empty() {
        return;
    }
    for (part, text) in &chips {
        if crate::ui::kit::controls::chip(ui, text).clicked() {
            gallery.filter.clear(*part);
        }
    }
    if ui.button("Clear all").clicked() {
        gallery.filter = GalleryFilter::default();
    }
    let already = gallery
        .saved
        .iter()
        .any(|saved| saved.filter == gallery.filter);
    if ui
        .add_enabled(
            !already,
            IconButton::labelled(icons::SAVE_SEARCH, "Save search"),
        )
        .on_hover_text("Keep these filters in the list beside the gallery")
        .on_disabled_hover_text("These filters are saved already")
        .clicked()
    {
        gallery.saved.push(SavedSearch {
            name: gallery.filter.summary(),
            filter: gallery.filter.clone(),
        });
    }
    ui.separator();
}

/// The saved searches, beside the gallery: a click applies one; right click renames or removes it.
pub(super) fn saved_searches(gallery: &mut GalleryState, ui: &mut egui::Ui) {
    ui.horizontal(|ui| {
        crate::ui::kit::controls::decoration(
            ui,
            icons::SAVED_SEARCH,
            crate::ui::kit::theme::palette(ui).weak_text,
        );
        ui.strong("Saved searches");
    });
    ui.add_space(4.0);
    let mut removed = None;
    for index in 0..gallery.saved.len() {
        if let Some((renaming, name)) = &mut gallery.bar.renaming
            && *renaming == index
        {
            let field = ui.add(egui::TextEdit::singleline(name).desired_width(f32::INFINITY));
            field.request_focus();
            if field.lost_focus() {
                let name = name.trim().to_owned();
                if !name.is_empty() && !ui.input(|i| i.key_pressed(Key::Escape)) {
                    gallery.saved[index].name = name;
                }
                gallery.bar.renaming = None;
            }
            continue;
        }
        let saved = &gallery.saved[index];
        let current = saved.filter == gallery.filter;
        let response = ui
            .add(egui::Button::selectable(current, &saved.name).truncate())
            .on_hover_text(saved.filter.summary());
        if response.clicked() {
            gallery.filter = saved.filter.clone();
        }
        response.context_menu(|ui| {
            if ui.button("Rename…").clicked() {
                gallery.bar.renaming = Some((index, gallery.saved[index].name.clone()));
            }
            if ui.button("Remove").clicked() {
                removed = Some(index);
            }
        });
    }
    if let Some(index) = removed {
        gallery.saved.remove(index);
    }
}
