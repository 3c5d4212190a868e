//! The gallery: every stored job as a thumbnail, newest first, with kind, state and text filters. Only the
//! visible rows are laid out and only their thumbnails are requested, so 10,000 jobs scroll like 10.
//! Arrow keys move the selection, Enter opens the job.

use std::collections::BTreeSet;

use egui::{Key, RichText, ScrollArea, Sense, vec2};

use super::controls::IconButton;
use super::gallery_search::GallerySearch;
use super::icons;
use super::job_list::{FlagFilter, GalleryFilter, KINDS, MadeSince, StateFilter};
use super::services::{Intent, Nav, Services, View};
use super::sources::{SourceInput, SourceTarget};
use super::state_text;
use crate::api::wire::{BLEND_MAX_IMAGES, BLEND_MIN_IMAGES};
use crate::domain::prompt::first_line;
use crate::domain::search::highlighted_runs;
use crate::library::{JobRecord, JobState};

const TILE: f32 = 168.0;
const THUMB: f32 = 156.0;
const ROW_HEIGHT: f32 = THUMB + 44.0;

#[derive(Default)]
pub struct GalleryState {
    pub filter: GalleryFilter,
    /// Jobs picked with Ctrl+click, to blend or describe together.
    pub marked: BTreeSet<i64>,
    /// What the search field found.
    search: GallerySearch,
    /// The Trash, shown in the gallery's place while open.
    pub trash: super::trash::TrashPanel,
    /// The filtered job indices, valid for one generation of the job list, one filter and one answer of
    /// the search.
    shown: Option<(u64, GalleryFilter, u64, Vec<usize>)>,
    columns: usize,
    /// Scroll offset and viewport height of the last frame, to bring a keyboard selection into view.
    viewport: (f32, f32),
    scroll_to_row: Option<usize>,
}

impl GalleryState {
    /// The indices of the jobs to show, recomputed only when the list or the filter changed.
    fn shown(&mut self, app_jobs: &super::job_list::JobList) -> &[usize] {
        let fresh = self
            .shown
            .as_ref()
            .is_some_and(|(generation, filter, searched, _)| {
                *generation == app_jobs.generation()
                    && *filter == self.filter
                    && *searched == self.search.generation()
            });
        if !fresh {
            let indices = app_jobs.filtered(&self.filter, self.search.found());
            self.shown = Some((
                app_jobs.generation(),
                self.filter.clone(),
                self.search.generation(),
                indices,
            ));
        }
        self.shown
            .as_ref()
            .map_or(&[], |(_, _, _, indices)| indices.as_slice())
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
        super::trash::show(&mut gallery.trash, services, ui);
        return;
    }
    filter_bar(gallery, services, ui);
    gallery.search.update(&gallery.filter.text, services);
    ui.separator();
    let shown: Vec<usize> = gallery.shown(&services.jobs).to_vec();
    if shown.is_empty() {
        ui.centered_and_justified(|ui| {
            ui.label(if services.jobs.is_empty() {
                "No jobs yet: type a prompt above and press Imagine."
            } else {
                "No job matches these filters."
            })
        });
        return;
    }
    let spacing = ui.spacing().item_spacing;
    let columns = ((ui.available_width() + spacing.x) / (TILE + spacing.x))
        .floor()
        .max(1.0) as usize;
    gallery.columns = columns;
    let rows = shown.len().div_ceil(columns);
    let mut area = ScrollArea::vertical()
        .id_salt("gallery")
        .auto_shrink([false, false]);
    if let Some(row) = gallery.scroll_to_row.take() {
        let (offset, height) = gallery.viewport;
        let top = row as f32 * (ROW_HEIGHT + spacing.y);
        if top < offset {
            area = area.vertical_scroll_offset(top);
        } else if top + ROW_HEIGHT > offset + height {
            area = area.vertical_scroll_offset(top + ROW_HEIGHT - height);
        }
    }
    let output = area.show_rows(ui, ROW_HEIGHT, rows, |ui, visible| {
        for row in visible {
            ui.horizontal(|ui| {
                for &index in shown.iter().skip(row * columns).take(columns) {
                    tile(gallery, services, ui, index);
                }
            });
        }
    });
    gallery.viewport = (output.state.clamped_offset().y, output.inner_rect.height());
}

fn filter_bar(gallery: &mut GalleryState, services: &mut Services, ui: &mut egui::Ui) {
    // Wraps: with picks, the actions would run past a narrow window.
    ui.horizontal_wrapped(|ui| {
        super::controls::decoration(ui, icons::SEARCH, super::theme::palette(ui).weak_text);
        let label = ui.label("Filter");
        ui.add(
            egui::TextEdit::singleline(&mut gallery.filter.text)
                .hint_text("words, ligh*, \"a phrase\", -not")
                .desired_width(240.0),
        )
        .labelled_by(label.id);
        let filter = &mut gallery.filter;
        let kind = filter.kind.map_or("Any kind", |k| k.as_str());
        super::controls::labelled_combo(ui, "Kind", kind, |ui| {
            ui.selectable_value(&mut filter.kind, None, "Any kind");
            for kind in KINDS {
                ui.selectable_value(&mut filter.kind, Some(kind), kind.as_str());
            }
        });
        super::controls::labelled_combo(ui, "State", filter.state.label(), |ui| {
            for state in StateFilter::ALL {
                ui.selectable_value(&mut filter.state, state, state.label());
            }
        });
        let rating = match filter.min_rating {
            0 => "Any rating".to_owned(),
            n => format!("{} or more", crate::library::stars(n)),
        };
        super::controls::labelled_combo(ui, "Rating", rating, |ui| {
            ui.selectable_value(&mut filter.min_rating, 0, "Any rating");
            for stars in 1..=crate::library::MAX_RATING {
                let text = format!("{} or more", crate::library::stars(stars));
                ui.selectable_value(&mut filter.min_rating, stars, text);
            }
        });
        let made = filter.made_since.map_or("Any time", MadeSince::label);
        super::controls::labelled_combo(ui, "Made", made, |ui| {
            ui.selectable_value(&mut filter.made_since, None, "Any time");
            for preset in MadeSince::ALL {
                ui.selectable_value(&mut filter.made_since, Some(preset), preset.label());
            }
        });
        super::controls::labelled_combo(ui, "Flag", filter.flag.label(), |ui| {
            for flag in FlagFilter::ALL {
                ui.selectable_value(&mut filter.flag, flag, flag.label());
            }
        });
        if ui
            .add(IconButton::new(icons::DELETE, "Trash"))
            .on_hover_text("Jobs moved to the Trash: restore them, or empty it")
            .clicked()
        {
            gallery.trash.open = true;
        }
        let total = services.jobs.len();
        let shown = gallery.shown(&services.jobs).len();
        ui.label(RichText::new(format!("{shown} of {total} jobs")).weak());
        marked_actions(gallery, services, ui);
    });
}

/// What can be done with the jobs picked by Ctrl+click: blend them, or describe one.
fn marked_actions(gallery: &mut GalleryState, services: &mut Services, ui: &mut egui::Ui) {
    let marked = gallery.marked.len();
    if marked == 0 {
        ui.label(
            RichText::new("Ctrl+click picks jobs to blend, describe or put on a board")
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
            ui.ctx().format_shortcut(&super::shortcuts::EXPORT_SHORTCUT)
        ))
        .clicked()
    {
        let jobs = export_selection(gallery, &services.nav);
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
                super::toasts::ToastKind::Error,
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

fn tile(gallery: &mut GalleryState, services: &mut Services, ui: &mut egui::Ui, index: usize) {
    let job = services.jobs.at(index).clone();
    let name = format!(
        "Job #{}: {}",
        job.id,
        first_line(&super::job_title(&job), 40)
    );
    let (rect, response) = ui.allocate_exact_size(vec2(TILE, ROW_HEIGHT), Sense::click_and_drag());
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &name));
    if !ui.is_rect_visible(rect) {
        return;
    }
    let selected = services.nav.selected == Some(job.id);
    let marked = gallery.marked.contains(&job.id);
    paint_tile(
        services,
        ui,
        &job,
        (&name, gallery.search.highlighted(job.id)),
        rect,
        (selected, marked, response.hovered()),
    );
    if job.state == JobState::Succeeded {
        // A picked tile carries every pick along; others go alone.
        let carried = if marked {
            gallery.marked.iter().copied().collect()
        } else {
            vec![job.id]
        };
        super::board::drag_source(ui, &response, carried);
    }
    let response = response.on_hover_text(super::job_title(&job));
    tile_clicked(gallery, services, ui, &job, &response);
}

/// A tile as drawn: its thumbnail (or an icon while it loads), its caption, and how it is selected or picked.
fn paint_tile(
    services: &mut Services,
    ui: &egui::Ui,
    job: &JobRecord,
    (name, highlighted): (&str, Option<&str>),
    rect: egui::Rect,
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
        rect.min + vec2((TILE - THUMB) / 2.0, 6.0),
        vec2(THUMB, THUMB),
    );
    let thumbnail = super::thumbnail(services, job.id, 256);
    let shown = super::fade_in(
        ui,
        egui::Id::unique(("gallery_tile", job.id)),
        thumbnail.is_some(),
    );
    match thumbnail {
        Some((texture, aspect)) => {
            let size = super::fit(aspect, THUMB);
            egui::Image::new(&texture)
                .alt_text(name)
                .tint(egui::Color32::WHITE.gamma_multiply(shown))
                .paint_at(ui, egui::Rect::from_center_size(image_area.center(), size));
        }
        None if job.state.is_final() => {
            super::controls::paint_icon(
                &painter,
                image_area.center(),
                super::state_icon(job),
                28.0,
                ui.visuals().weak_text_color(),
            );
        }
        None => super::controls::paint_progress(
            ui,
            &painter,
            image_area,
            job.progress,
            &state_text(job),
        ),
    }
    paint_caption(ui, &painter, job, highlighted, rect);
    if selected || marked {
        let stroke = if marked {
            egui::Stroke::new(3.0, ui.visuals().hyperlink_color)
        } else {
            egui::Stroke::new(1.5, super::theme::palette(ui).accent)
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
    let palette = super::theme::palette(ui);
    let text_width = TILE - 16.0;
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
        first_line(&super::job_title(job), 60)
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
    if job.rating > 0 {
        detail.push_str(&format!(" · {}", "★".repeat(usize::from(job.rating))));
    }
    match job.flag {
        Some(crate::library::Flag::Pick) => detail.push_str(" · picked"),
        Some(crate::library::Flag::Reject) => detail.push_str(" · rejected"),
        None => {}
    }
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

/// Double click opens the job, Ctrl+click picks it (or unpicks it), a click selects it.
fn tile_clicked(
    gallery: &mut GalleryState,
    services: &mut Services,
    ui: &egui::Ui,
    job: &JobRecord,
    response: &egui::Response,
) {
    let ctrl = ui.input(|i| i.modifiers.command);
    if response.double_clicked() {
        services.open_job(job.id);
    } else if response.clicked() && ctrl {
        let unpicked = gallery.marked.remove(&job.id);
        if !unpicked && job.state == JobState::Succeeded {
            gallery.marked.insert(job.id);
        } else if !unpicked {
            services.toasts.push(
                super::toasts::ToastKind::Error,
                format!("Job #{} has no image to pick", job.id),
                Some(job.id),
            );
        }
    } else if response.clicked() {
        services.nav.selected = Some(job.id);
    }
}

/// Arrow keys step through the filtered jobs (Up/Down by a row), Home/End jump, Enter opens the job.
pub fn handle_keys(gallery: &mut GalleryState, services: &mut Services, ctx: &egui::Context) {
    let columns = gallery.columns.max(1) as isize;
    let steps = [
        (Key::ArrowLeft, -1),
        (Key::ArrowRight, 1),
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
        && let Some(id) = services.nav.selected
    {
        services.open_job(id);
        return;
    }
    let Some(step) = step else { return };
    let shown = gallery.shown(&services.jobs);
    if shown.is_empty() {
        return;
    }
    let current = services
        .nav
        .selected
        .and_then(|id| shown.iter().position(|&i| services.jobs.at(i).id == id));
    let next = match current {
        Some(at) => (at as isize)
            .saturating_add(step)
            .clamp(0, shown.len() as isize - 1) as usize,
        None => 0,
    };
    let id = services.jobs.at(shown[next]).id;
    services.nav.selected = Some(id);
    gallery.scroll_to_row = Some(next / columns as usize);
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
