//! The inpaint mask editor ("Vary region"): the image at any zoom, the mask as a tinted overlay, brush,
//! eraser, rectangle and lasso tools, fill, clear, invert, undo and redo, import and export, and Submit.
//! The mask itself (operations, raster, history) is `domain::mask::Mask`; this module only turns pointer
//! and keys into its operations and draws it. Encoding and file dialogs run as chores.

use std::path::PathBuf;

use crate::ui::kit::controls::IconButton;
use crate::ui::kit::icons;
use egui::{Color32, Key, PointerButton, Pos2, Rect, RichText, Sense, Vec2, vec2};

use crate::domain::mask::{Dirty, Mask, MaskOp, Paint, Point};
use crate::library::JobRecord;
use crate::ui::runtime::services::Services;
use crate::ui::shell::toasts::ToastKind;

const MIN_RADIUS: f32 = 1.0;
const MAX_RADIUS: f32 = 400.0;
const OVERLAY: [u8; 3] = [255, 40, 110];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Brush,
    Eraser,
    Rect,
    Lasso,
}

/// A gesture in progress.
enum Live {
    Stroke(Vec<Point>),
    Rect(Point, Point),
    Lasso(Vec<Point>),
}

pub struct MaskEditor {
    /// The job whose image is repainted.
    pub parent: i64,
    image: PathBuf,
    /// Shown until the original is decoded.
    stand_in: Option<PathBuf>,
    mask: Mask,
    pub prompt: String,
    tool: Tool,
    radius: f32,
    hardness: f32,
    opacity: f32,
    show_mask: bool,
    /// Screen pixels per image pixel; `None` fits the image on the next frame.
    zoom: Option<f32>,
    /// Where the image's top-left corner is, relative to the canvas.
    offset: Vec2,
    overlay: Option<egui::TextureHandle>,
    /// Pixels of the overlay texture that no longer match the mask.
    stale: Option<Dirty>,
    live: Option<Live>,
}

impl MaskEditor {
    /// An editor on `job`'s image (`image` the original file), starting from `ops` when reopened.
    pub fn open(
        job: &JobRecord,
        image: PathBuf,
        stand_in: Option<PathBuf>,
        size: (u32, u32),
        ops: Vec<MaskOp>,
    ) -> MaskEditor {
        let mask = Mask::from_ops(size.0, size.1, ops);
        MaskEditor {
            parent: job.id,
            image,
            stand_in,
            stale: Some(whole(&mask)),
            mask,
            prompt: job.prompt.clone(),
            tool: Tool::Brush,
            radius: 48.0,
            hardness: 0.8,
            opacity: 0.55,
            show_mask: true,
            zoom: None,
            offset: Vec2::ZERO,
            overlay: None,
            live: None,
        }
    }

    pub fn size(&self) -> (u32, u32) {
        self.mask.size()
    }

    /// Starts again from imported mask pixels (one brightness byte per pixel).
    pub fn import(&mut self, luma: &[u8]) {
        self.mask.import(luma);
        self.stale = Some(whole(&self.mask));
    }

    fn apply(&mut self, op: MaskOp) {
        let dirty = self.mask.apply(op);
        self.mark(dirty);
    }

    fn mark(&mut self, dirty: Dirty) {
        self.stale = Some(match self.stale {
            Some(s) => Dirty {
                x0: s.x0.min(dirty.x0),
                y0: s.y0.min(dirty.y0),
                x1: s.x1.max(dirty.x1),
                y1: s.y1.max(dirty.y1),
            },
            None => dirty,
        });
    }

    fn undo(&mut self) {
        if self.mask.undo() {
            self.stale = Some(whole(&self.mask));
        }
    }

    fn redo(&mut self) {
        if self.mask.redo() {
            self.stale = Some(whole(&self.mask));
        }
    }

    /// Brings the overlay texture up to date with the mask, uploading only what changed.
    fn sync_overlay(&mut self, ctx: &egui::Context) {
        let Some(dirty) = self.stale.take() else {
            return;
        };
        if dirty.x1 <= dirty.x0 || dirty.y1 <= dirty.y0 {
            return;
        }
        let (w, _) = self.mask.size();
        let coverage = self.mask.coverage();
        let region = |d: Dirty| {
            let pixels = (d.y0..d.y1)
                .flat_map(|y| (d.x0..d.x1).map(move |x| (x, y)))
                .map(|(x, y)| {
                    let c = coverage[(y * w + x) as usize];
                    Color32::from_rgba_unmultiplied(OVERLAY[0], OVERLAY[1], OVERLAY[2], c)
                })
                .collect();
            egui::ColorImage::new([(d.x1 - d.x0) as usize, (d.y1 - d.y0) as usize], pixels)
        };
        let options = egui::TextureOptions::NEAREST;
        match &mut self.overlay {
            Some(texture) => texture.set_partial(
                [dirty.x0 as usize, dirty.y0 as usize],
                region(dirty),
                options,
            ),
            None => {
                self.overlay =
                    Some(ctx.load_texture("mask-overlay", region(whole(&self.mask)), options));
            }
        }
    }
}

fn whole(mask: &Mask) -> Dirty {
    let (w, h) = mask.size();
    Dirty {
        x0: 0,
        y0: 0,
        x1: w,
        y1: h,
    }
}

/// An editor on job `job_id`'s main image with `ops` already painted, or `None` (told) while the image
/// is still loading.
pub fn open_on_job(services: &mut Services, job_id: i64, ops: Vec<MaskOp>) -> Option<MaskEditor> {
    let job = services.jobs.get(job_id).cloned()?;
    let Some(image) = services.jobs.main_image(job_id).cloned() else {
        services.toasts.push(
            ToastKind::Error,
            "The image is still loading; try again.",
            Some(job_id),
        );
        return None;
    };
    let size = (image.record.width, image.record.height);
    let stand_in = image.thumbnails.last().map(|(_, path)| path.clone());
    Some(MaskEditor::open(
        &job,
        image.path.clone(),
        stand_in,
        size,
        ops,
    ))
}

pub fn show(mask_editor: &mut Option<MaskEditor>, services: &mut Services, ui: &mut egui::Ui) {
    let ctx = ui.ctx().clone();
    let Some(editor) = mask_editor.as_mut() else {
        ui.centered_and_justified(|ui| ui.label("Open an upscaled image and press “Vary region”."));
        return;
    };
    editor.sync_overlay(&ctx);
    let mut close = false;
    let mut submit = false;
    let mut export = false;
    let mut import = false;
    egui::Panel::left("mask_tools")
        .default_size(250.0)
        .resizable(false)
        .show(ui, |ui| {
            toolbar(
                editor,
                ui,
                &mut submit,
                &mut export,
                &mut import,
                &mut close,
            );
        });
    keys(editor, &ctx);
    canvas(mask_editor, services, ui);
    let Some(editor) = mask_editor.as_ref() else {
        return;
    };
    if editor.stale.is_some() {
        // The mask changed after this frame's overlay upload: show it now, not at the next input.
        ctx.request_repaint();
    }
    let (parent, size) = (editor.parent, editor.size());
    if submit {
        let prompt = editor.prompt.trim().to_owned();
        services.chores.encode_mask(
            parent,
            size,
            editor.mask.black_and_white(),
            Some(prompt),
            editor.mask.ops().to_vec(),
        );
    }
    if export {
        services
            .chores
            .export_mask(size, editor.mask.black_and_white());
    }
    if import {
        services.chores.import_mask(size);
    }
    if close {
        *mask_editor = None;
        services.open_job(parent);
    }
}

fn toolbar(
    editor: &mut MaskEditor,
    ui: &mut egui::Ui,
    submit: &mut bool,
    export: &mut bool,
    import: &mut bool,
    close: &mut bool,
) {
    ui.heading("Vary region");
    ui.label(RichText::new("Paint what Midjourney should repaint.").weak());
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        for (tool, icon, name, key) in [
            (Tool::Brush, icons::BRUSH, "Brush", "B"),
            (Tool::Eraser, icons::ERASER, "Eraser", "E"),
            (Tool::Rect, icons::RECTANGLE, "Rectangle", "R"),
            (Tool::Lasso, icons::LASSO, "Lasso", "L"),
        ] {
            if ui
                .add(IconButton::new(icon, name).selected(editor.tool == tool))
                .on_hover_text(key)
                .clicked()
            {
                editor.tool = tool;
            }
        }
    });
    brush_settings(editor, ui);
    ui.checkbox(&mut editor.show_mask, "Show mask")
        .on_hover_text("H toggles; hold C to compare");
    ui.separator();
    mask_actions(editor, ui, import, export);
    ui.separator();
    let label = ui.label("Prompt for the region");
    ui.add(
        egui::TextEdit::multiline(&mut editor.prompt)
            .desired_rows(3)
            .desired_width(f32::INFINITY),
    )
    .labelled_by(label.id);
    ui.add_space(4.0);
    let empty = editor.mask.is_empty();
    *submit = ui
        .add_enabled(
            !empty,
            IconButton::labelled(icons::IMAGINE, "Submit region").primary(),
        )
        .on_disabled_hover_text("Paint the region to repaint first")
        .clicked();
    let (w, h) = editor.size();
    ui.label(
        RichText::new(format!("Mask {w} × {h} px, white = repaint"))
            .weak()
            .small(),
    );
    ui.add_space(8.0);
    *close = ui
        .add(IconButton::labelled(icons::CLOSE, "Close editor"))
        .clicked();
}

/// Size, hardness and how strongly the mask shows over the image.
fn brush_settings(editor: &mut MaskEditor, ui: &mut egui::Ui) {
    egui::Grid::new("mask_brush")
        .num_columns(2)
        .spacing([10.0, 6.0])
        .show(ui, |ui| {
            let size = ui.label("Size");
            ui.add(
                egui::Slider::new(&mut editor.radius, MIN_RADIUS..=MAX_RADIUS).logarithmic(true),
            )
            .labelled_by(size.id)
            .on_hover_text("[ and ] change the size");
            ui.end_row();
            let hardness = ui.label("Hardness");
            ui.add(egui::Slider::new(&mut editor.hardness, 0.0..=1.0))
                .labelled_by(hardness.id);
            ui.end_row();
            let overlay = ui.label("Overlay");
            ui.add(egui::Slider::new(&mut editor.opacity, 0.1..=1.0))
                .labelled_by(overlay.id);
            ui.end_row();
        });
}

/// History, whole-mask operations, and the mask as a file.
fn mask_actions(editor: &mut MaskEditor, ui: &mut egui::Ui, import: &mut bool, export: &mut bool) {
    ui.horizontal_wrapped(|ui| {
        if ui
            .add_enabled(editor.mask.can_undo(), IconButton::new(icons::UNDO, "Undo"))
            .on_hover_text("Ctrl+Z")
            .clicked()
        {
            editor.undo();
        }
        if ui
            .add_enabled(editor.mask.can_redo(), IconButton::new(icons::REDO, "Redo"))
            .on_hover_text("Ctrl+Shift+Z")
            .clicked()
        {
            editor.redo();
        }
        ui.separator();
        for (icon, name, op) in [
            (icons::FILL, "Fill all", MaskOp::Fill),
            (icons::CLEAR, "Clear", MaskOp::Clear),
            (icons::INVERT, "Invert", MaskOp::Invert),
        ] {
            if ui.add(IconButton::new(icon, name)).clicked() {
                editor.apply(op);
            }
        }
        ui.separator();
        *import = ui
            .add(IconButton::new(icons::IMPORT, "Import mask…"))
            .clicked();
        *export = ui
            .add(IconButton::new(icons::SAVE, "Export mask…"))
            .clicked();
    });
}

fn keys(editor: &mut MaskEditor, ctx: &egui::Context) {
    if ctx.egui_wants_keyboard_input() {
        return;
    }
    ctx.input_mut(|i| {
        match crate::ui::kit::history::history_keys(i) {
            Some(crate::ui::kit::history::History::Undo) => editor.undo(),
            Some(crate::ui::kit::history::History::Redo) => editor.redo(),
            None => {}
        }
        for (key, tool) in [
            (Key::B, Tool::Brush),
            (Key::E, Tool::Eraser),
            (Key::R, Tool::Rect),
            (Key::L, Tool::Lasso),
        ] {
            if i.key_pressed(key) {
                editor.tool = tool;
            }
        }
        if i.key_pressed(Key::OpenBracket) {
            editor.radius = (editor.radius / 1.25).max(MIN_RADIUS);
        }
        if i.key_pressed(Key::CloseBracket) {
            editor.radius = (editor.radius * 1.25).min(MAX_RADIUS);
        }
        if i.key_pressed(Key::H) {
            editor.show_mask = !editor.show_mask;
        }
        if i.key_pressed(Key::Num0) {
            editor.zoom = None;
        }
    });
}

fn canvas(mask_editor: &mut Option<MaskEditor>, services: &mut Services, ui: &mut egui::Ui) {
    let (rect, response) = ui.allocate_exact_size(ui.available_size(), Sense::click_and_drag());
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, "Mask canvas"));
    let Some(editor) = mask_editor.as_mut() else {
        return;
    };
    let (w, h) = editor.size();
    let size = vec2(w as f32, h as f32);
    let zoom = match editor.zoom {
        Some(zoom) => zoom,
        None => {
            let fit = (rect.width() / size.x)
                .min(rect.height() / size.y)
                .max(0.01);
            editor.offset = (rect.size() - size * fit) / 2.0;
            editor.zoom = Some(fit);
            fit
        }
    };
    // This frame is drawn where the view was; zoom and pan apply from the next.
    let origin = rect.min + editor.offset;
    let to_image = |pos: Pos2| {
        let v = (pos - origin) / zoom;
        Point::new(v.x, v.y)
    };
    let space = ui.input(|i| i.key_down(Key::Space));
    zoom_at_pointer(editor, ui, &response, rect, zoom);
    let panning = response.dragged_by(PointerButton::Middle)
        || (space && response.dragged_by(PointerButton::Primary));
    if panning {
        editor.offset += response.drag_delta();
    } else {
        gesture(editor, ui, &response, to_image);
    }
    let texture = services.textures.get(&editor.image).or_else(|| {
        editor
            .stand_in
            .as_ref()
            .and_then(|p| services.textures.get(p))
    });
    let view = Rect::from_min_size(origin, size * zoom);
    paint(editor, ui, rect, view, texture, response.hover_pos());
    if response.hovered() {
        ui.ctx().set_cursor_icon(if space {
            egui::CursorIcon::Grab
        } else {
            egui::CursorIcon::Crosshair
        });
    }
}

/// Zoom at the pointer: the wheel, or + and - (when no text field has the keyboard).
fn zoom_at_pointer(
    editor: &mut MaskEditor,
    ui: &egui::Ui,
    response: &egui::Response,
    rect: Rect,
    zoom: f32,
) {
    let (scroll, plus, minus) = ui.input(|i| {
        (
            i.smooth_scroll_delta.y,
            i.key_pressed(Key::Plus) || i.key_pressed(Key::Equals),
            i.key_pressed(Key::Minus),
        )
    });
    let mut factor = if response.hovered() {
        (scroll / 300.0).exp()
    } else {
        1.0
    };
    if !ui.ctx().egui_wants_keyboard_input() {
        factor *= if plus {
            1.25
        } else if minus {
            0.8
        } else {
            1.0
        };
    }
    if factor != 1.0 {
        let anchor = response.hover_pos().unwrap_or(rect.center()) - rect.min;
        let new_zoom = (zoom * factor).clamp(0.02, 32.0);
        editor.offset = anchor - (anchor - editor.offset) * (new_zoom / zoom);
        editor.zoom = Some(new_zoom);
    }
}

/// Draws the image (the original once decoded) in `view`, the mask overlay (hidden while C is held), the
/// rectangle or lasso being drawn, and the brush outline at the pointer.
fn paint(
    editor: &MaskEditor,
    ui: &egui::Ui,
    rect: Rect,
    view: Rect,
    texture: Option<egui::TextureHandle>,
    pointer: Option<Pos2>,
) {
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 0.0, crate::ui::kit::theme::palette(ui).canvas);
    let uv = Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0));
    match texture {
        Some(texture) => {
            painter.image(texture.id(), view, uv, Color32::WHITE);
        }
        None => {
            painter.rect_filled(view, 0.0, ui.visuals().faint_bg_color);
        }
    }
    let comparing = ui.input(|i| i.key_down(Key::C)) && !ui.ctx().egui_wants_keyboard_input();
    if editor.show_mask
        && !comparing
        && let Some(overlay) = &editor.overlay
    {
        painter.image(
            overlay.id(),
            view,
            uv,
            Color32::WHITE.gamma_multiply(editor.opacity),
        );
    }
    let (w, _) = editor.size();
    let zoom = view.width() / w as f32;
    let to_screen = |p: Point| view.min + vec2(p.x, p.y) * zoom;
    let outline = egui::Stroke::new(1.5, Color32::WHITE);
    match &editor.live {
        Some(Live::Rect(a, b)) => {
            painter.rect_stroke(
                Rect::from_two_pos(to_screen(*a), to_screen(*b)),
                0.0,
                outline,
                egui::StrokeKind::Middle,
            );
        }
        Some(Live::Lasso(points)) => {
            let mut line: Vec<Pos2> = points.iter().map(|p| to_screen(*p)).collect();
            if let Some(first) = line.first().copied() {
                line.push(first);
            }
            painter.add(egui::Shape::line(line, outline));
        }
        _ => {}
    }
    if matches!(editor.tool, Tool::Brush | Tool::Eraser)
        && let Some(pos) = pointer
    {
        painter.circle_stroke(pos, editor.radius * zoom, outline);
        painter.circle_stroke(
            pos,
            editor.radius * zoom + 1.5,
            egui::Stroke::new(1.0, Color32::BLACK),
        );
    }
}

/// Turns a primary-button press, drag and release into the current tool's operation.
fn gesture(
    editor: &mut MaskEditor,
    ui: &egui::Ui,
    response: &egui::Response,
    to_image: impl Fn(Pos2) -> Point,
) {
    let paint = if editor.tool == Tool::Eraser {
        Paint::Erase
    } else {
        Paint::Add
    };
    let stroke = |points: Vec<Point>, editor: &MaskEditor| MaskOp::Stroke {
        points,
        radius: editor.radius,
        hardness: editor.hardness,
        paint,
    };
    if response.drag_started_by(PointerButton::Primary) {
        let start = ui
            .input(|i| i.pointer.press_origin())
            .or(response.interact_pointer_pos());
        let Some(start) = start.map(&to_image) else {
            return;
        };
        editor.live = Some(match editor.tool {
            Tool::Brush | Tool::Eraser => {
                let dirty = editor.mask.draw(&stroke(vec![start], editor));
                editor.mark(dirty);
                Live::Stroke(vec![start])
            }
            Tool::Rect => Live::Rect(start, start),
            Tool::Lasso => Live::Lasso(vec![start]),
        });
    }
    if response.dragged_by(PointerButton::Primary) {
        // Every pointer sample of this frame, not only the last: at a low frame rate a fast stroke or
        // lasso would otherwise lose its shape.
        let mut samples: Vec<Point> = ui.input(|i| {
            i.events
                .iter()
                .filter_map(|e| match e {
                    egui::Event::PointerMoved(pos) => Some(to_image(*pos)),
                    _ => None,
                })
                .collect()
        });
        if samples.is_empty() {
            samples.extend(response.interact_pointer_pos().map(&to_image));
        }
        for now in samples {
            let segment = match &mut editor.live {
                Some(Live::Stroke(points)) => {
                    let last = points.last().copied().unwrap_or(now);
                    if (now.x - last.x).hypot(now.y - last.y) < 0.5 {
                        None
                    } else {
                        points.push(now);
                        Some(vec![last, now])
                    }
                }
                Some(Live::Rect(_, end)) => {
                    *end = now;
                    None
                }
                Some(Live::Lasso(points)) => {
                    points.push(now);
                    None
                }
                None => None,
            };
            if let Some(segment) = segment {
                let dirty = editor.mask.draw(&stroke(segment, editor));
                editor.mark(dirty);
            }
        }
    }
    if response.drag_stopped_by(PointerButton::Primary) {
        match editor.live.take() {
            Some(Live::Stroke(points)) => {
                let op = stroke(points, editor);
                editor.mask.record(op);
            }
            Some(Live::Rect(from, to)) => editor.apply(MaskOp::Rect { from, to, paint }),
            Some(Live::Lasso(points)) => editor.apply(MaskOp::Lasso { points, paint }),
            None => {}
        }
    } else if response.clicked_by(PointerButton::Primary)
        && matches!(editor.tool, Tool::Brush | Tool::Eraser)
        && let Some(at) = response.interact_pointer_pos().map(&to_image)
    {
        editor.apply(stroke(vec![at], editor));
    }
}
