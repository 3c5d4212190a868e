//! The controls beside a canvas and their keys: the tool buttons, the brush's size and hardness, how the
//! mask shows, undo and redo, fill, clear and invert.

use egui::Key;

use crate::domain::mask::MaskOp;
use crate::ui::kit::controls::IconButton;
use crate::ui::kit::icons;
use crate::ui::paint::brush::{Brush, MAX_RADIUS, MIN_RADIUS, Tool};
use crate::ui::paint::canvas::Canvas;
use crate::ui::paint::layer::MaskLayer;

/// Each tool with its icon, its name and its key.
const TOOLS: [(Tool, icons::Icon, &str, Key); 4] = [
    (Tool::Brush, icons::BRUSH, "Brush", Key::B),
    (Tool::Eraser, icons::ERASER, "Eraser", Key::E),
    (Tool::Rect, icons::RECTANGLE, "Rectangle", Key::R),
    (Tool::Lasso, icons::LASSO, "Lasso", Key::L),
];

/// The tool buttons, the brush settings and the mask's visibility.
pub(in crate::ui) fn tools(brush: &mut Brush, layer: &mut MaskLayer, ui: &mut egui::Ui) {
    ui.horizontal(|ui| {
        for (tool, icon, name, key) in TOOLS {
            if ui
                .add(IconButton::new(icon, name).selected(brush.tool == tool))
                .on_hover_text(key.name())
                .clicked()
            {
                brush.tool = tool;
            }
        }
    });
    brush_settings(brush, layer, ui);
    ui.checkbox(&mut layer.visible, "Show mask")
        .on_hover_text("H toggles; hold C to compare");
}

/// Size, hardness and how strongly the mask shows over the image.
fn brush_settings(brush: &mut Brush, layer: &mut MaskLayer, ui: &mut egui::Ui) {
    egui::Grid::new("mask_brush")
        .num_columns(2)
        .spacing([10.0, 6.0])
        .show(ui, |ui| {
            let size = ui.label("Size");
            ui.add(egui::Slider::new(&mut brush.radius, MIN_RADIUS..=MAX_RADIUS).logarithmic(true))
                .labelled_by(size.id)
                .on_hover_text("[ and ] change the size");
            ui.end_row();
            let hardness = ui.label("Hardness");
            ui.add(egui::Slider::new(&mut brush.hardness, 0.0..=1.0))
                .labelled_by(hardness.id);
            ui.end_row();
            let overlay = ui.label("Overlay");
            ui.add(egui::Slider::new(&mut layer.opacity, 0.1..=1.0))
                .labelled_by(overlay.id);
            ui.end_row();
        });
}

/// Undo and redo, then the operations on the whole mask, for a row the caller lays out.
pub(in crate::ui) fn history_and_whole_mask(layer: &mut MaskLayer, ui: &mut egui::Ui) {
    if ui
        .add_enabled(
            layer.mask().can_undo(),
            IconButton::new(icons::UNDO, "Undo"),
        )
        .on_hover_text("Ctrl+Z")
        .clicked()
    {
        layer.undo();
    }
    if ui
        .add_enabled(
            layer.mask().can_redo(),
            IconButton::new(icons::REDO, "Redo"),
        )
        .on_hover_text("Ctrl+Shift+Z")
        .clicked()
    {
        layer.redo();
    }
    ui.separator();
    for (icon, name, op) in [
        (icons::FILL, "Fill all", MaskOp::Fill),
        (icons::CLEAR, "Clear", MaskOp::Clear),
        (icons::INVERT, "Invert", MaskOp::Invert),
    ] {
        if ui.add(IconButton::new(icon, name)).clicked() {
            layer.apply(op);
        }
    }
}

/// Undo and redo, a tool by its letter, [ and ] for the brush size, H for the mask, 0 to fit the image
/// (when no text field has the keyboard).
pub(in crate::ui) fn keys(
    brush: &mut Brush,
    layer: &mut MaskLayer,
    canvas: &mut Canvas,
    ctx: &egui::Context,
) {
    if ctx.egui_wants_keyboard_input() {
        return;
    }
    ctx.input_mut(|i| {
        match crate::ui::kit::keys::history_keys(i) {
            Some(crate::ui::kit::keys::History::Undo) => layer.undo(),
            Some(crate::ui::kit::keys::History::Redo) => layer.redo(),
            None => {}
        }
        for (tool, _, _, key) in TOOLS {
            if i.key_pressed(key) {
                brush.tool = tool;
            }
        }
        if i.key_pressed(Key::OpenBracket) {
            brush.radius = (brush.radius / 1.25).max(MIN_RADIUS);
        }
        if i.key_pressed(Key::CloseBracket) {
            brush.radius = (brush.radius * 1.25).min(MAX_RADIUS);
        }
        if i.key_pressed(Key::H) {
            layer.visible = !layer.visible;
        }
        if i.key_pressed(Key::Num0) {
            canvas.fit();
        }
    });
}
