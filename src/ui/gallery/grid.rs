//! The gallery: every stored job as a thumbnail, newest first, with kind, state and text filters. Only the
//! visible rows are laid out and only their thumbnails are requested, so 10,000 jobs scroll like 10.
//! Arrow keys move the selection, Enter opens the job.

use std::collections::BTreeSet;

use egui::{Key, RichText, ScrollArea, Sense, vec2};

use crate::api::wire::{BLEND_MAX_IMAGES, BLEND_MIN_IMAGES};
use crate::domain::prompt::{Orientation, PromptParam, first_line};
use crate::domain::search::highlighted_runs;
use crate::engine::{Command, EngineError};
use crate::library::{
    AspectFilter, Counting, FlagFilter, InUse, JobPage, JobQuery, JobRecord, JobState, Listing,
    Sort, StateFilter,
};
use crate::ui::gallery::day_grid::{DayGrid, Section};
use crate::ui::gallery::filter::{Context, GalleryFilter, KINDS, Made, SavedSearch};
use crate::ui::gallery::pages::JobPages;
use crate::ui::gallery::search::{BoardMembers, GallerySearch};
use crate::ui::job::labels::state_text;
use crate::ui::kit::controls::IconButton;
use crate::ui::kit::icons;
use crate::ui::runtime::intents::Intent;
use crate::ui::runtime::nav::{Nav, View};
use crate::ui::runtime::pending::{Pending, Refreshed, take_ready};
use crate::ui::runtime::services::Services;
use crate::ui::sources::inputs::{SourceInput, SourceTarget};

/// How the gallery's tiles look: their width (the size slider) and whether the prompt is written under each.
/// Remembered between runs.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct TileLayout {
    pub size: f32,
    pub captions: bool,
}

impl Default for TileLayout {
    fn default() -> TileLayout {
        TileLayout {
            size: 168.0,
            captions: true,
        }
    }
}

impl TileLayout {
    pub const SIZES: std::ops::RangeInclusive<f32> = 96.0..=360.0;

    fn thumb(self) -> f32 {
        self.size - 12.0
    }

    fn row_height(self) -> f32 {
        self.thumb() + if self.captions { 44.0 } else { 12.0 }
    }

    /// The stored thumbnail that is sharp at this size: 256 px up to that, 512 px above.
    fn thumbnail_side(self) -> u32 {
        if self.thumb() <= 256.0 { 256 } else { 512 }
    }
}

#[derive(Default)]
pub struct GalleryState {
    pub filter: GalleryFilter,
    /// Filters kept under a name, listed beside the gallery.
    pub saved: Vec<SavedSearch>,
    /// The saved search being renamed, and the name as typed so far.
    renaming: Option<(usize, String)>,
    pub tiles: TileLayout,
    /// Shown as a list (a row per job, sortable) instead of tiles.
    pub list: bool,
    pub table: crate::ui::gallery::list_view::JobTable,
    /// Jobs picked with Ctrl+click, to blend or describe together.
    pub marked: BTreeSet<i64>,
    /// The job a Shift+click range starts from, and where it was in the listing when clicked.
    anchor: Option<(i64, usize)>,
    /// What the search field found.
    search: GallerySearch,
    /// Which jobs are on a board, while the filter asks.
    boards: BoardMembers,
    /// The exact shapes and the models the jobs use, for the filter menus, read again when the library's
    /// size changed.
    in_use: Refreshed<Option<usize>, InUse>,
    /// The Trash, shown in the gallery's place while open.
    pub trash: crate::ui::gallery::trash::TrashPanel,
    /// Compare or culling, over the whole window while open.
    pub review: Option<Review>,
    /// The tiles' jobs, read a page at a time.
    grid: JobPages,
    /// A keyboard step that landed on a job whose page is not read yet: selected once it is.
    select_at: Option<usize>,
    /// The jobs of a Shift+click range, or the finished jobs to cull, on their way from the library.
    range: Option<Pending<Result<JobPage, EngineError>>>,
    cull: Option<Pending<Result<Vec<i64>, EngineError>>>,
    columns: usize,
    /// Scroll offset and viewport height of the last frame, to bring a keyboard selection into view.
    viewport: (f32, f32),
    /// A place in the listing to bring into view (a keyboard step).
    scroll_to: Option<usize>,
}

/// A closer look at some jobs, over the whole window.
pub enum Review {
    Compare(crate::ui::review::compare::Compare),
    Culling(crate::ui::review::culling::Culling),
}

/// Draws compare or culling, and closes it when asked.
pub fn show_review(gallery: &mut GalleryState, services: &mut Services, ui: &mut egui::Ui) {
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
pub fn review_keys(gallery: &mut GalleryState, services: &mut Services, ctx: &egui::Context) {
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
fn start_culling(gallery: &mut GalleryState, services: &mut Services) {
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
        crate::ui::shell::toasts::ToastKind::Info,
        "Nothing to cull: no finished job is on show",
        None,
    );
}

impl GalleryState {
    /// What the gallery lists: its filter, with what the search found and which jobs are on boards. The
    /// clock is read to the minute, so "Last 7 days" does not make a new query every frame.
    fn query(&self) -> JobQuery {
        let now = crate::library::now_ms();
        self.filter.query(Context {
            now: now - now % 60_000,
            found: self.search.found(),
            on_board: self.boards.known(),
        })
    }

    /// The pages of the view on show, tiles or list.
    fn pages(&self) -> &JobPages {
        if self.list {
            &self.table.pages
        } else {
            &self.grid
        }
    }

    /// Takes the answers to a Shift+click range and to culling, when they came.
    fn take_answers(&mut self, services: &mut Services) {
        match take_ready(&mut self.range) {
            Some(Some(Ok(page))) => self.marked.extend(
                page.jobs
                    .iter()
                    .filter(|job| job.state == JobState::Succeeded)
                    .map(|job| job.id),
            ),
            Some(Some(Err(e))) => services.toasts.push(
                crate::ui::shell::toasts::ToastKind::Error,
                format!("Could not pick the range: {e}"),
                None,
            ),
            Some(None) | None => {}
        }
        match take_ready(&mut self.cull) {
            Some(Some(Ok(ids))) => match crate::ui::review::culling::Culling::new(ids) {
                Some(culling) => self.review = Some(Review::Culling(culling)),
                None => nothing_to_cull(services),
            },
            Some(Some(Err(e))) => services.toasts.push(
                crate::ui::shell::toasts::ToastKind::Error,
                format!("Could not list the jobs to cull: {e}"),
                None,
            ),
            Some(None) | None => {}
        }
    }
}

/// What Export… acts on: the gallery's picks when it is open and has any, else the selected job.
pub fn export_selection(gallery: &GalleryState, nav: &Nav) -> Vec<i64> {
    if nav.view == View::Gallery && !gallery.marked.is_empty() {
        gallery.marked.iter().rev().copied().collect()
    } else {
        nav.selected.into_iter().collect()
    }
}

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
            .show(ui, |ui| saved_searches(gallery, ui));
    }
    filter_bar(gallery, services, ui);
    gallery.search.update(&gallery.filter.text, services);
    let frame = ui.ctx().cumulative_frame_nr();
    gallery
        .boards
        .update(gallery.filter.on_board.is_some(), frame, services);
    ui.separator();
    gallery.take_answers(services);
    let query = gallery.query();
    if gallery.list {
        let scroll_to = gallery.scroll_to.take();
        match crate::ui::gallery::list_view::show(
            &mut gallery.table,
            services,
            ui,
            &query,
            scroll_to,
        ) {
            Some(crate::ui::gallery::list_view::RowClick::Open(id)) => services.open_job(id),
            Some(crate::ui::gallery::list_view::RowClick::Select(id)) => {
                services.ask(Intent::Select(id))
            }
            None => {}
        }
        select_when_read(gallery, services);
        return;
    }
    // Counted by day for the headings: one walk of the listing gives them and its total.
    let by_day = Some(crate::clock::local_offset_seconds());
    gallery
        .grid
        .update(services, &query, Sort::default(), by_day);
    let total = match gallery.grid.total() {
        Some(0) => {
            // Asked again when the jobs change, as a page on show would be.
            gallery.grid.ask_for(services, 0..0);
            ui.centered_and_justified(|ui| {
                ui.label(if gallery.grid.everything() == Some(0) {
                    "No jobs yet: type a prompt above and press Imagine."
                } else {
                    "No job matches these filters."
                })
            });
            return;
        }
        Some(total) => total,
        None => {
            gallery.grid.ask_for(services, 0..0);
            ui.centered_and_justified(|ui| ui.spinner());
            return;
        }
    };
    let spacing = ui.spacing().item_spacing;
    let tiles = gallery.tiles;
    let columns = ((ui.available_width() + spacing.x) / (tiles.size + spacing.x))
        .floor()
        .max(1.0) as usize;
    gallery.columns = columns;
    let layout = DayGrid::new(
        gallery.grid.days(),
        total,
        columns,
        DAY_HEADING,
        tiles.row_height() + spacing.y,
    );
    let mut area = ScrollArea::vertical()
        .id_salt("gallery")
        .auto_shrink([false, false]);
    if let Some(place) = gallery.scroll_to.take() {
        let (offset, height) = gallery.viewport;
        let top = layout.row_top(place);
        // Below a heading that sticks to the top, not under it.
        let covered = if layout.grouped() { DAY_HEADING } else { 0.0 };
        if top - covered < offset {
            area = area.vertical_scroll_offset((top - covered).max(0.0));
        } else if top + tiles.row_height() > offset + height {
            area = area.vertical_scroll_offset(top + tiles.row_height() - height);
        }
    }
    let output = area.show_viewport(ui, |ui, viewport| {
        ui.set_height(layout.height());
        let origin = ui.max_rect().min;
        let width = ui.max_rect().width();
        let (headings, rows) = layout.visible(viewport.min.y, viewport.max.y);
        let mut drawn: Option<std::ops::Range<usize>> = None;
        for row in rows {
            let rect = egui::Rect::from_min_size(
                origin + vec2(0.0, row.top),
                vec2(width, tiles.row_height()),
            );
            let builder = egui::UiBuilder::new()
                .max_rect(rect)
                .layout(egui::Layout::left_to_right(egui::Align::Min));
            ui.scope_builder(builder, |ui| {
                for place in row.places.clone() {
                    match gallery.grid.at(services, place).cloned() {
                        Some(job) => tile(gallery, services, ui, &job, place),
                        None => placeholder(ui, tiles),
                    }
                }
            });
            drawn = Some(drawn.map_or(row.places.clone(), |seen| {
                seen.start.min(row.places.start)..seen.end.max(row.places.end)
            }));
        }
        let now = crate::library::now_ms();
        for section in headings {
            let rect = egui::Rect::from_min_size(
                origin + vec2(0.0, section.top),
                vec2(width, DAY_HEADING),
            );
            day_heading(ui, rect, section, now);
        }
        // The day at the top keeps its heading in view while its rows scroll under it.
        if layout.grouped()
            && let Some(section) = layout.section_at(viewport.min.y)
            && section.top < viewport.min.y
        {
            let rect = egui::Rect::from_min_size(
                origin + vec2(0.0, viewport.min.y),
                vec2(width, DAY_HEADING),
            );
            ui.painter().rect_filled(rect, 0.0, ui.visuals().panel_fill);
            day_heading(ui, rect, section, now);
        }
        drawn.unwrap_or(0..0)
    });
    gallery.viewport = (output.state.clamped_offset().y, output.inner_rect.height());
    gallery.grid.ask_for(services, output.inner);
    select_when_read(gallery, services);
}

/// Selects the job a keyboard step landed on once its page is read.
fn select_when_read(gallery: &mut GalleryState, services: &mut Services) {
    if let Some(place) = gallery.select_at
        && let Some(job) = gallery.pages().at(services, place)
    {
        services.ask(Intent::Select(job.id));
        gallery.select_at = None;
    }
}

/// Height of a day's heading over its tiles.
const DAY_HEADING: f32 = 30.0;

/// "Today · 12 jobs", over a day's tiles (and stuck to the top while they scroll under it).
fn day_heading(ui: &mut egui::Ui, rect: egui::Rect, section: &Section, now: i64) {
    let jobs = match section.jobs {
        1 => "1 job".to_owned(),
        n => format!("{n} jobs"),
    };
    let text = format!("{} · {jobs}", crate::clock::day_heading(&section.day, now));
    // At the left edge, where the eye starts a row (`put` would centre it).
    let line = egui::UiBuilder::new()
        .max_rect(rect)
        .layout(egui::Layout::left_to_right(egui::Align::Center));
    ui.scope_builder(line, |ui| ui.label(RichText::new(text).strong()));
}

/// A tile whose job's page is still being read.
fn placeholder(ui: &mut egui::Ui, tiles: TileLayout) {
    let (rect, _) = ui.allocate_exact_size(vec2(tiles.size, tiles.row_height()), Sense::hover());
    let side = tiles.thumb();
    let square = egui::Rect::from_min_size(rect.min, vec2(side, side));
    ui.painter()
        .rect_filled(square, 6.0, ui.visuals().faint_bg_color);
}

fn filter_bar(gallery: &mut GalleryState, services: &mut Services, ui: &mut egui::Ui) {
    // Wraps: a narrow window puts the later filters on a second line.
    ui.horizontal_wrapped(|ui| {
        crate::ui::kit::controls::decoration(ui, icons::SEARCH, crate::ui::kit::theme::palette(ui).weak_text);
        let label = ui.label("Filter");
        ui.add(
            egui::TextEdit::singleline(&mut gallery.filter.text)
                .hint_text("words, ligh*, \"a phrase\", -not")
                .desired_width(220.0),
        )
        .labelled_by(label.id);
        let filter = &mut gallery.filter;
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
        made_filter(ui, &mut gallery.filter.made);
        more_filters(gallery, services, ui);
        if ui
            .add(IconButton::new(icons::CULL, "Cull"))
            .on_hover_text(
                "Step through the picks (or every finished job shown) full-window, rating as you go",
            )
            .clicked()
        {
            start_culling(gallery, services);
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
        ui.separator();
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
    });
    ui.horizontal_wrapped(|ui| {
        chips(gallery, ui);
        marked_actions(gallery, services, ui);
    });
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
            .in_use
            .update(everything, |reply| services.send(Command::InUse { reply }));
    }
    let InUse { shapes, models } = gallery.in_use.value().clone();
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
fn saved_searches(gallery: &mut GalleryState, ui: &mut egui::Ui) {
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
        if let Some((renaming, name)) = &mut gallery.renaming
            && *renaming == index
        {
            let field = ui.add(egui::TextEdit::singleline(name).desired_width(f32::INFINITY));
            field.request_focus();
            if field.lost_focus() {
                let name = name.trim().to_owned();
                if !name.is_empty() && !ui.input(|i| i.key_pressed(Key::Escape)) {
                    gallery.saved[index].name = name;
                }
                gallery.renaming = None;
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
                gallery.renaming = Some((index, gallery.saved[index].name.clone()));
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

/// What can be done with the jobs picked by Ctrl+click: blend them, or describe one.
fn marked_actions(gallery: &mut GalleryState, services: &mut Services, ui: &mut egui::Ui) {
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
    let waiting = "Reading the picked jobs' images…";
    let can_blend = (BLEND_MIN_IMAGES..=BLEND_MAX_IMAGES).contains(&marked);
    if ui
        .add_enabled(
            can_blend && loaded,
            IconButton::labelled(icons::BLEND, &format!("Blend selected ({marked})")),
        )
        .on_disabled_hover_text(if loaded {
            "Pick two to five jobs"
        } else {
            waiting
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
        .on_disabled_hover_text(if loaded { "Pick one job" } else { waiting })
        .clicked()
    {
        send_marked(gallery, services, SourceTarget::Describe);
    }
    if ui
        .add_enabled(
            loaded,
            IconButton::labelled(icons::ADD_TO_BOARD, &format!("Add to board ({marked})")),
        )
        .on_hover_text("Put the picked jobs' images on the current board")
        .on_disabled_hover_text(waiting)
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
                .format_shortcut(&crate::ui::shell::shortcuts::EXPORT_SHORTCUT)
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
    if ui
        .add(IconButton::new(icons::CLOSE, "Clear picks"))
        .clicked()
    {
        gallery.marked.clear();
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
                crate::ui::shell::toasts::ToastKind::Error,
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

/// A job's tile; `index` is its place in the listing.
fn tile(
    gallery: &mut GalleryState,
    services: &mut Services,
    ui: &mut egui::Ui,
    job: &JobRecord,
    index: usize,
) {
    let name = format!(
        "Job #{}: {}",
        job.id,
        first_line(&crate::ui::job::labels::job_title(job), 40)
    );
    let tiles = gallery.tiles;
    // The id comes from the job, not its place, so a press and its release meet the same tile while new
    // jobs move it.
    let (rect, _) = ui.allocate_exact_size(vec2(tiles.size, tiles.row_height()), Sense::hover());
    let response = ui.interact(
        rect,
        egui::Id::unique(("gallery_tile", job.id)),
        Sense::click_and_drag(),
    );
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &name));
    if !ui.is_rect_visible(rect) {
        return;
    }
    let selected = services.nav().selected == Some(job.id);
    let marked = gallery.marked.contains(&job.id);
    paint_tile(
        services,
        ui,
        job,
        (&name, gallery.search.highlighted(job.id)),
        (rect, tiles),
        (selected, marked, response.hovered()),
    );
    if job.state == JobState::Succeeded {
        // A picked tile carries every pick along; others go alone.
        let carried = if marked {
            gallery.marked.iter().copied().collect()
        } else {
            vec![job.id]
        };
        crate::ui::board::panel::drag_source(ui, &response, carried);
    }
    let response = response.on_hover_ui(|ui| hover_card(ui, job));
    tile_clicked(gallery, services, ui, (job, index), &response);
}

/// What hovering a tile tells: the whole prompt, then the job's number, action, stars and flag.
fn hover_card(ui: &mut egui::Ui, job: &JobRecord) {
    ui.set_max_width(360.0);
    ui.label(crate::ui::job::labels::job_title(job));
    let detail = format!("#{} · {}{}", job.id, job.action, verdict_text(job));
    ui.label(RichText::new(detail).weak());
}

/// The stars and flag after a job's other details: " · ★★★ · picked", or nothing.
fn verdict_text(job: &JobRecord) -> String {
    let mut text = String::new();
    if job.rating > 0 {
        text.push_str(&format!(" · {}", "★".repeat(usize::from(job.rating))));
    }
    match job.flag {
        Some(crate::library::Flag::Pick) => text.push_str(" · picked"),
        Some(crate::library::Flag::Reject) => text.push_str(" · rejected"),
        None => {}
    }
    text
}

/// A tile as drawn: its thumbnail (or an icon while it loads), its caption, and how it is selected or picked.
fn paint_tile(
    services: &mut Services,
    ui: &egui::Ui,
    job: &JobRecord,
    (name, highlighted): (&str, Option<&str>),
    (rect, tiles): (egui::Rect, TileLayout),
    (selected, marked, hovered): (bool, bool, bool),
) {
    let visuals = ui.visuals();
    let fill = if selected {
        visuals.selection.bg_fill.gamma_multiply(0.4)
    } else if hovered {
        visuals.widgets.hovered.weak_bg_fill
    } else {
        visuals.faint_bg_color
    };
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 6.0, fill);
    let image_area = egui::Rect::from_min_size(
        rect.min + vec2((tiles.size - tiles.thumb()) / 2.0, 6.0),
        vec2(tiles.thumb(), tiles.thumb()),
    );
    let thumbnail =
        crate::ui::runtime::thumbnails::thumbnail_of(services, job, tiles.thumbnail_side());
    let shown = crate::ui::kit::fade_in(
        ui,
        egui::Id::unique(("gallery_tile", job.id)),
        thumbnail.is_some(),
    );
    match thumbnail {
        Some((texture, aspect)) => {
            let size = crate::ui::kit::fit(aspect, tiles.thumb());
            egui::Image::new(&texture)
                .alt_text(name)
                .tint(egui::Color32::WHITE.gamma_multiply(shown))
                .paint_at(ui, egui::Rect::from_center_size(image_area.center(), size));
        }
        None if job.state.is_final() => {
            crate::ui::kit::controls::paint_icon(
                &painter,
                image_area.center(),
                crate::ui::job::labels::state_icon(job),
                28.0,
                ui.visuals().weak_text_color(),
            );
        }
        None => crate::ui::kit::controls::paint_progress(
            ui,
            &painter,
            image_area,
            job.progress,
            &state_text(job),
        ),
    }
    if tiles.captions {
        paint_caption(ui, &painter, job, highlighted, rect);
    }
    if selected || marked {
        let stroke = if marked {
            egui::Stroke::new(3.0, ui.visuals().hyperlink_color)
        } else {
            egui::Stroke::new(1.5, crate::ui::kit::theme::palette(ui).accent)
        };
        painter.rect_stroke(rect, 6.0, stroke, egui::StrokeKind::Inside);
    }
    if marked {
        painter.text(
            rect.right_top() + vec2(-10.0, 8.0),
            egui::Align2::RIGHT_TOP,
            "picked",
            egui::FontId::proportional(11.0),
            ui.visuals().hyperlink_color,
        );
    }
}

/// The tile's two lines under the picture: the prompt (or what went wrong), then its number and action
/// or state; each cut to the tile's width.
fn paint_caption(
    ui: &egui::Ui,
    painter: &egui::Painter,
    job: &JobRecord,
    highlighted: Option<&str>,
    rect: egui::Rect,
) {
    let palette = crate::ui::kit::theme::palette(ui);
    let text_width = rect.width() - 16.0;
    let line = |runs: &[(&str, egui::Color32)], size: f32| {
        let mut layout = egui::text::LayoutJob {
            wrap: egui::text::TextWrapping::truncate_at_width(text_width),
            ..Default::default()
        };
        for (text, color) in runs {
            let format = egui::TextFormat::simple(egui::FontId::proportional(size), *color);
            layout.append(text, 0.0, format);
        }
        ui.fonts_mut(|fonts| fonts.layout_job(layout))
    };
    let failed = job.state.is_final() && job.state != JobState::Succeeded;
    let title = if failed {
        format!("#{} {}", job.id, state_text(job))
    } else {
        first_line(&crate::ui::job::labels::job_title(job), 60)
    };
    // A search's matches in the accent, on the prompt's first line.
    let marked = highlighted
        .filter(|_| !failed)
        .map(|marked| near_first_match(marked.lines().next().unwrap_or("")));
    let runs: Vec<(&str, egui::Color32)> = match &marked {
        Some(marked) => highlighted_runs(marked)
            .into_iter()
            .map(|(text, matched)| {
                (
                    text,
                    if matched {
                        palette.accent
                    } else {
                        palette.text
                    },
                )
            })
            .collect(),
        None => vec![(&title, if failed { palette.error } else { palette.text })],
    };
    painter.galley(
        egui::pos2(rect.left() + 8.0, rect.bottom() - 30.0),
        line(&runs, 12.5),
        palette.text,
    );
    let mut detail = if job.state.is_final() {
        format!("#{} · {}", job.id, job.action)
    } else {
        format!("#{} · {}", job.id, state_text(job))
    };
    detail.push_str(&verdict_text(job));
    painter.galley(
        egui::pos2(rect.left() + 8.0, rect.bottom() - 15.0),
        line(&[(&detail, palette.weak_text)], 11.0),
        palette.weak_text,
    );
}

/// Marked text from a little before its first match, so a match late in a long prompt still shows on a
/// tile's one line: "a lighthouse at dusk, oil painting" becomes "…dusk, oil painting" for "paint*".
fn near_first_match(marked: &str) -> std::borrow::Cow<'_, str> {
    const LEAD: usize = 10;
    let Some(at) = marked.find(crate::domain::search::MATCH_START) else {
        return marked.into();
    };
    let before = &marked[..at];
    if before.chars().count() <= LEAD {
        return marked.into();
    }
    // Back from the match by the lead, then on to where a word starts.
    let lead_start = before
        .char_indices()
        .rev()
        .nth(LEAD - 1)
        .map_or(0, |(i, _)| i);
    let at_word_start = before[..lead_start].ends_with(' ');
    let start = match before[lead_start..].find(' ') {
        Some(space) if !at_word_start => lead_start + space + 1,
        _ => lead_start,
    };
    format!("…{}", &marked[start..]).into()
}

/// Double click opens the job, Ctrl+click picks it (or unpicks it), Shift+click picks every job from the
/// last one clicked to this one, a click selects it.
fn tile_clicked(
    gallery: &mut GalleryState,
    services: &mut Services,
    ui: &egui::Ui,
    (job, index): (&JobRecord, usize),
    response: &egui::Response,
) {
    let modifiers = ui.input(|i| i.modifiers);
    if response.double_clicked() {
        services.open_job(job.id);
    } else if response.clicked() && modifiers.shift {
        // Where the range starts, as the listing now stands (a new job moves everything on by one).
        let from = gallery
            .anchor
            .map(|(id, at)| gallery.grid.position(id).unwrap_or(at))
            .or_else(|| {
                services
                    .nav()
                    .selected
                    .and_then(|id| gallery.grid.position(id))
            })
            .unwrap_or(index);
        pick_range(gallery, services, from, index);
    } else if response.clicked() && modifiers.command {
        gallery.anchor = Some((job.id, index));
        let unpicked = gallery.marked.remove(&job.id);
        if !unpicked && job.state == JobState::Succeeded {
            gallery.marked.insert(job.id);
        } else if !unpicked {
            services.toasts.push(
                crate::ui::shell::toasts::ToastKind::Error,
                format!("Job #{} has no image to pick", job.id),
                Some(job.id),
            );
        }
    } else if response.clicked() {
        gallery.anchor = Some((job.id, index));
        services.ask(Intent::Select(job.id));
    }
}

/// Picks the jobs with an image from place `from` to place `to` in the listing, both ends included: the
/// library lists them (the range may run past the pages read), and they are picked when it answers.
fn pick_range(gallery: &mut GalleryState, services: &mut Services, from: usize, to: usize) {
    let Some((query, sort)) = gallery.grid.listing().cloned() else {
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
        gallery.range = Some(answer);
    }
}

/// Arrow keys step through the filtered jobs (Up/Down by a row of tiles or of the list, Left/Right by a
/// tile), Home/End jump, Enter opens the job.
pub fn handle_keys(gallery: &mut GalleryState, services: &mut Services, ctx: &egui::Context) {
    let columns = if gallery.list {
        1
    } else {
        gallery.columns.max(1) as isize
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
        && let Some(id) = services.nav().selected
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
    let current = gallery.select_at.or_else(|| {
        services
            .nav()
            .selected
            .and_then(|id| gallery.pages().position(id))
    });
    let next = match current {
        Some(at) => (at as isize)
            .saturating_add(step)
            .clamp(0, total as isize - 1) as usize,
        None => 0,
    };
    // Selected when its page is read, at once when it is already here.
    gallery.select_at = Some(next);
    gallery.scroll_to = Some(next);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::search::{MATCH_END, MATCH_START};

    #[test]
    fn a_late_match_is_brought_into_the_caption_from_a_word_boundary() {
        let marked = format!("a lighthouse at dusk, oil {MATCH_START}painting{MATCH_END}");
        assert_eq!(
            near_first_match(&marked),
            format!("…dusk, oil {MATCH_START}painting{MATCH_END}")
        );
        let early = format!("a {MATCH_START}fox{MATCH_END} in a scarf");
        assert_eq!(near_first_match(&early), early);
        assert_eq!(near_first_match("no match"), "no match");
    }
}
