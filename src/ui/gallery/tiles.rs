//! The gallery's tiles: the jobs in view as thumbnails under their days' headings, each painted with its
//! caption and whether it is selected or picked, and what a click on one does. Only the visible rows are
//! laid out and only their thumbnails are requested, so 10,000 jobs scroll like 10.

use egui::{RichText, ScrollArea, Sense, vec2};

use crate::domain::prompt::first_line;
use crate::domain::search::highlighted_runs;
use crate::library::{JobQuery, JobRecord, JobState, Sort};
use crate::ui::gallery::day_grid::{DayGrid, Section};
use crate::ui::gallery::state::{GalleryState, TileLayout};
use crate::ui::job::labels::state_text;
use crate::ui::runtime::intents::Intent;
use crate::ui::runtime::services::Services;

impl TileLayout {
    pub(super) const SIZES: std::ops::RangeInclusive<f32> = 96.0..=360.0;

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

/// The tiles of the jobs `query` lists, grouped by day, or why there are none.
pub(super) fn show(
    gallery: &mut GalleryState,
    services: &mut Services,
    ui: &mut egui::Ui,
    query: &JobQuery,
) {
    // Counted by day for the headings: one walk of the listing gives them and its total.
    let by_day = Some(crate::clock::local_offset_seconds());
    gallery
        .grid
        .pages
        .update(services, query, Sort::default(), by_day);
    let Some(total) = total_or_notice(gallery, services, ui) else {
        return;
    };
    let spacing = ui.spacing().item_spacing;
    let tiles = gallery.tiles;
    let columns = ((ui.available_width() + spacing.x) / (tiles.size + spacing.x))
        .floor()
        .max(1.0) as usize;
    gallery.grid.columns = columns;
    let layout = DayGrid::new(
        gallery.grid.pages.days(),
        total,
        columns,
        DAY_HEADING,
        tiles.row_height() + spacing.y,
    );
    let area = scroll_to_step(gallery, &layout);
    let output = area.show_viewport(ui, |ui, viewport| {
        paint_visible(gallery, services, ui, &layout, viewport)
    });
    gallery.grid.viewport = (output.state.clamped_offset().y, output.inner_rect.height());
    gallery.grid.pages.ask_for(services, output.inner);
    crate::ui::gallery::keys::select_when_read(gallery, services);
}

/// How many jobs the listing has; while it is read or when it is empty, a spinner or a line saying why
/// instead, and `None`.
fn total_or_notice(
    gallery: &mut GalleryState,
    services: &mut Services,
    ui: &mut egui::Ui,
) -> Option<usize> {
    match gallery.grid.pages.total() {
        Some(0) => {
            // Asked again when the jobs change, as a page on show would be.
            gallery.grid.pages.ask_for(services, 0..0);
            ui.centered_and_justified(|ui| {
                ui.label(if gallery.grid.pages.everything() == Some(0) {
                    "No jobs yet: type a prompt above and press Imagine."
                } else {
                    "No job matches these filters."
                })
            });
            None
        }
        Some(total) => Some(total),
        None => {
            gallery.grid.pages.ask_for(services, 0..0);
            ui.centered_and_justified(|ui| ui.spinner());
            None
        }
    }
}

/// The tiles' scroll area, scrolled to bring the place a keyboard step landed on into view.
fn scroll_to_step(gallery: &mut GalleryState, layout: &DayGrid) -> ScrollArea {
    let tiles = gallery.tiles;
    let mut area = ScrollArea::vertical()
        .id_salt("gallery")
        .auto_shrink([false, false]);
    if let Some(place) = gallery.steps.scroll_to.take() {
        let (offset, height) = gallery.grid.viewport;
        let top = layout.row_top(place);
        // Below a heading that sticks to the top, not under it.
        let covered = if layout.grouped() { DAY_HEADING } else { 0.0 };
        if top - covered < offset {
            area = area.vertical_scroll_offset((top - covered).max(0.0));
        } else if top + tiles.row_height() > offset + height {
            area = area.vertical_scroll_offset(top + tiles.row_height() - height);
        }
    }
    area
}

/// The rows and day headings in `viewport`; returns the places of the tiles drawn, for their pages to be
/// read.
fn paint_visible(
    gallery: &mut GalleryState,
    services: &mut Services,
    ui: &mut egui::Ui,
    layout: &DayGrid,
    viewport: egui::Rect,
) -> std::ops::Range<usize> {
    let tiles = gallery.tiles;
    ui.set_height(layout.height());
    let origin = ui.max_rect().min;
    let width = ui.max_rect().width();
    let (headings, rows) = layout.visible(viewport.min.y, viewport.max.y);
    let mut drawn: Option<std::ops::Range<usize>> = None;
    for row in rows {
        let rect =
            egui::Rect::from_min_size(origin + vec2(0.0, row.top), vec2(width, tiles.row_height()));
        let builder = egui::UiBuilder::new()
            .max_rect(rect)
            .layout(egui::Layout::left_to_right(egui::Align::Min));
        ui.scope_builder(builder, |ui| {
            for place in row.places.clone() {
                match gallery.grid.pages.at(services, place).cloned() {
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
        let rect =
            egui::Rect::from_min_size(origin + vec2(0.0, section.top), vec2(width, DAY_HEADING));
        day_heading(ui, rect, section, now);
    }
    // The day at the top keeps its heading in view while its rows scroll under it.
    if layout.grouped()
        && let Some(section) = layout.section_at(viewport.min.y)
        && section.top < viewport.min.y
    {
        let rect =
            egui::Rect::from_min_size(origin + vec2(0.0, viewport.min.y), vec2(width, DAY_HEADING));
        ui.painter().rect_filled(rect, 0.0, ui.visuals().panel_fill);
        day_heading(ui, rect, section, now);
    }
    drawn.unwrap_or(0..0)
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
    let selected = services.nav().selected() == Some(job.id);
    let marked = gallery.marked.contains(&job.id);
    paint_tile(
        services,
        ui,
        job,
        (&name, gallery.bar.search.highlighted(job.id)),
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
        crate::ui::gallery::marked::pick_up_to(gallery, services, index);
    } else if response.clicked() && modifiers.command {
        crate::ui::gallery::marked::toggle_pick(gallery, services, job, index);
    } else if response.clicked() {
        gallery.picking.anchor = Some((job.id, index));
        services.ask(Intent::Select(job.id));
    }
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
