//! The gallery: every stored job as a thumbnail, newest first, with kind, state and text filters. Only the
//! visible rows are laid out and only their thumbnails are requested, so 10,000 jobs scroll like 10.
//! Arrow keys move the selection, Enter opens the job.

use std::collections::BTreeSet;

use egui::{Key, RichText, ScrollArea, Sense, vec2};

use super::app::MoodgridApp;
use super::job_list::{GalleryFilter, KINDS, StateFilter};
use super::sources::{SourceInput, SourceTarget, add_sources};
use super::state_text;
use crate::api::wire::{BLEND_MAX_IMAGES, BLEND_MIN_IMAGES};
use crate::domain::prompt::first_line;
use crate::library::JobState;

const TILE: f32 = 168.0;
const THUMB: f32 = 156.0;
const ROW_HEIGHT: f32 = THUMB + 34.0;

#[derive(Default)]
pub struct GalleryState {
    pub filter: GalleryFilter,
    /// Jobs picked with Ctrl+click, to blend or describe together.
    pub marked: BTreeSet<i64>,
    /// The filtered job indices, valid for one generation of the job list and one filter.
    shown: Option<(u64, GalleryFilter, Vec<usize>)>,
    columns: usize,
    /// Scroll offset and viewport height of the last frame, to bring a keyboard selection into view.
    viewport: (f32, f32),
    scroll_to_row: Option<usize>,
}

impl GalleryState {
    /// The indices of the jobs to show, recomputed only when the list or the filter changed.
    fn shown(&mut self, app_jobs: &super::job_list::JobList) -> &[usize] {
        let fresh = self.shown.as_ref().is_some_and(|(generation, filter, _)| {
            *generation == app_jobs.generation() && *filter == self.filter
        });
        if !fresh {
            let indices = app_jobs.filtered(&self.filter);
            self.shown = Some((app_jobs.generation(), self.filter.clone(), indices));
        }
        self.shown
            .as_ref()
            .map_or(&[], |(_, _, indices)| indices.as_slice())
    }
}

pub fn show(app: &mut MoodgridApp, ui: &mut egui::Ui) {
    filter_bar(app, ui);
    ui.separator();
    let shown: Vec<usize> = app.gallery.shown(&app.jobs).to_vec();
    if shown.is_empty() {
        ui.centered_and_justified(|ui| {
            ui.label(if app.jobs.is_empty() {
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
    app.gallery.columns = columns;
    let rows = shown.len().div_ceil(columns);
    let mut area = ScrollArea::vertical()
        .id_salt("gallery")
        .auto_shrink([false, false]);
    if let Some(row) = app.gallery.scroll_to_row.take() {
        let (offset, height) = app.gallery.viewport;
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
                    tile(app, ui, index);
                }
            });
        }
    });
    app.gallery.viewport = (output.state.clamped_offset().y, output.inner_rect.height());
}

fn filter_bar(app: &mut MoodgridApp, ui: &mut egui::Ui) {
    // Wraps: with picks, the actions would run past a narrow window.
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("Filter");
        ui.add(
            egui::TextEdit::singleline(&mut app.gallery.filter.text)
                .hint_text("prompt, action or TTAPI id")
                .desired_width(240.0),
        )
        .labelled_by(label.id);
        let filter = &mut app.gallery.filter;
        egui::ComboBox::from_label("Kind")
            .selected_text(filter.kind.map_or("Any kind", |k| k.as_str()))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut filter.kind, None, "Any kind");
                for kind in KINDS {
                    ui.selectable_value(&mut filter.kind, Some(kind), kind.as_str());
                }
            });
        egui::ComboBox::from_label("State")
            .selected_text(filter.state.label())
            .show_ui(ui, |ui| {
                for state in StateFilter::ALL {
                    ui.selectable_value(&mut filter.state, state, state.label());
                }
            });
        let total = app.jobs.len();
        let shown = app.gallery.shown(&app.jobs).len();
        ui.label(RichText::new(format!("{shown} of {total} jobs")).weak());
        marked_actions(app, ui);
    });
}

/// What can be done with the jobs picked by Ctrl+click: blend them, or describe one.
fn marked_actions(app: &mut MoodgridApp, ui: &mut egui::Ui) {
    let marked = app.gallery.marked.len();
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
    let picked: Vec<i64> = app.gallery.marked.iter().copied().collect();
    let loaded = picked.iter().all(|id| app.jobs.main_image(*id).is_some());
    let waiting = "Reading the picked jobs' images…";
    let can_blend = (BLEND_MIN_IMAGES..=BLEND_MAX_IMAGES).contains(&marked);
    if ui
        .add_enabled(
            can_blend && loaded,
            egui::Button::new(format!("Blend selected ({marked})")),
        )
        .on_disabled_hover_text(if loaded {
            "Pick two to five jobs"
        } else {
            waiting
        })
        .clicked()
    {
        send_marked(app, SourceTarget::Blend);
    }
    if ui
        .add_enabled(
            marked == 1 && loaded,
            egui::Button::new("Describe selected"),
        )
        .on_disabled_hover_text(if loaded { "Pick one job" } else { waiting })
        .clicked()
    {
        send_marked(app, SourceTarget::Describe);
    }
    if ui
        .add_enabled(
            loaded,
            egui::Button::new(format!("Add to board ({marked})")),
        )
        .on_hover_text("Put the picked jobs' images on the current board")
        .on_disabled_hover_text(waiting)
        .clicked()
    {
        let ids: Vec<i64> = std::mem::take(&mut app.gallery.marked)
            .into_iter()
            .collect();
        app.view = super::app::View::Board;
        super::board::add_jobs(app, &ids, None);
    }
    if ui
        .button(format!("Export… ({marked})"))
        .on_hover_text(format!(
            "The picked jobs' images with their prompt, seed and job id ({})",
            ui.ctx().format_shortcut(&super::app::EXPORT_SHORTCUT)
        ))
        .clicked()
    {
        let jobs = app.export_selection();
        super::export::open(app, jobs);
    }
    if ui.small_button("Clear picks").clicked() {
        app.gallery.marked.clear();
    }
}

/// Sends the main image file of each picked job to a panel.
fn send_marked(app: &mut MoodgridApp, target: SourceTarget) {
    let ids: Vec<i64> = std::mem::take(&mut app.gallery.marked)
        .into_iter()
        .collect();
    let mut inputs = Vec::new();
    for id in ids {
        match app.jobs.main_image(id) {
            Some(image) => inputs.push(SourceInput::File(image.path.clone())),
            None => app.toasts.push(
                super::toasts::ToastKind::Error,
                format!("Job #{id} has no image to send"),
                Some(id),
            ),
        }
    }
    add_sources(app, target, inputs);
}

fn tile(app: &mut MoodgridApp, ui: &mut egui::Ui, index: usize) {
    let job = app.jobs.at(index).clone();
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
    let selected = app.selected == Some(job.id);
    let marked = app.gallery.marked.contains(&job.id);
    let visuals = ui.visuals();
    let fill = if selected {
        visuals.selection.bg_fill.gamma_multiply(0.4)
    } else if response.hovered() {
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
    match super::thumbnail(app, job.id, 256) {
        Some((texture, aspect)) => {
            let size = super::fit(aspect, THUMB);
            egui::Image::new(&texture)
                .alt_text(name.clone())
                .paint_at(ui, egui::Rect::from_center_size(image_area.center(), size));
        }
        None => {
            painter.text(
                image_area.center(),
                egui::Align2::CENTER_CENTER,
                super::state_icon(&job),
                egui::FontId::proportional(22.0),
                ui.visuals().weak_text_color(),
            );
        }
    }
    let caption = if job.state == JobState::Succeeded {
        format!("#{} {}", job.id, job.action)
    } else {
        format!("#{} {}", job.id, state_text(&job))
    };
    let color = if job.state.is_final() && job.state != JobState::Succeeded {
        ui.visuals().error_fg_color
    } else {
        ui.visuals().text_color()
    };
    painter.text(
        egui::pos2(rect.left() + 8.0, rect.bottom() - 22.0),
        egui::Align2::LEFT_TOP,
        caption,
        egui::FontId::proportional(12.0),
        color,
    );
    if selected || marked {
        let stroke = if marked {
            egui::Stroke::new(3.0, ui.visuals().hyperlink_color)
        } else {
            ui.visuals().selection.stroke
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
    if job.state == JobState::Succeeded {
        // A picked tile carries every pick along; others go alone.
        let carried = if marked {
            app.gallery.marked.iter().copied().collect()
        } else {
            vec![job.id]
        };
        super::board::drag_source(ui, &response, carried);
    }
    let response = response.on_hover_text(super::job_title(&job));
    let ctrl = ui.input(|i| i.modifiers.command);
    if response.double_clicked() {
        app.open_job(job.id);
    } else if response.clicked() && ctrl {
        let unpicked = app.gallery.marked.remove(&job.id);
        if !unpicked && job.state == JobState::Succeeded {
            app.gallery.marked.insert(job.id);
        } else if !unpicked {
            app.toasts.push(
                super::toasts::ToastKind::Error,
                format!("Job #{} has no image to pick", job.id),
                Some(job.id),
            );
        }
    } else if response.clicked() {
        app.selected = Some(job.id);
    }
}

/// Arrow keys step through the filtered jobs (Up/Down by a row), Home/End jump, Enter opens the job.
pub fn handle_keys(app: &mut MoodgridApp, ctx: &egui::Context) {
    let columns = app.gallery.columns.max(1) as isize;
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
        && let Some(id) = app.selected
    {
        app.open_job(id);
        return;
    }
    let Some(step) = step else { return };
    let shown = app.gallery.shown(&app.jobs);
    if shown.is_empty() {
        return;
    }
    let current = app
        .selected
        .and_then(|id| shown.iter().position(|&i| app.jobs.at(i).id == id));
    let next = match current {
        Some(at) => (at as isize)
            .saturating_add(step)
            .clamp(0, shown.len() as isize - 1) as usize,
        None => 0,
    };
    let id = app.jobs.at(shown[next]).id;
    app.selected = Some(id);
    app.gallery.scroll_to_row = Some(next / columns as usize);
}
