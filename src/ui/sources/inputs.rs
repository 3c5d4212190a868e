//! The user's own images on their way into a job (blend and describe sources): where they come from
//! (picked, dropped, pasted, sent from the gallery), their slots while they load off the UI thread, and
//! the card that shows each slot.

use std::path::PathBuf;
use std::sync::Arc;

use egui::{ColorImage, RichText, TextureHandle, vec2};

use crate::engine::PreparedSource;

/// Which panel a source is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceTarget {
    Blend,
    Describe,
    /// The current moodboard (its images are kept in the library, not sent anywhere).
    Board,
}

/// Where a source comes from.
pub enum SourceInput {
    /// A picked or dropped file, or a library image sent from the gallery.
    File(PathBuf),
    /// Pixels pasted from the clipboard.
    Pixels {
        name: String,
        image: Arc<ColorImage>,
    },
}

impl SourceInput {
    pub fn name(&self) -> String {
        match self {
            SourceInput::File(path) => path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into(),
            ),
            SourceInput::Pixels { name, .. } => name.clone(),
        }
    }
}

pub struct SourceSlot {
    pub id: u64,
    pub name: String,
    pub state: SlotState,
}

pub enum SlotState {
    Loading,
    Ready {
        source: PreparedSource,
        preview: TextureHandle,
    },
    /// Why this file cannot be sent; the other slots are not affected.
    Bad(String),
}

impl SourceSlot {
    pub fn ready(&self) -> Option<&PreparedSource> {
        match &self.state {
            SlotState::Ready { source, .. } => Some(source),
            _ => None,
        }
    }
}

pub const CARD_WIDTH: f32 = 180.0;
const PREVIEW: f32 = 164.0;

/// What the user did to a slot's card.
pub enum CardAction {
    None,
    Remove,
    MoveLeft,
    MoveRight,
}

/// One slot as a card: preview, name, pixel size, what was done to fit, or why it cannot be used.
pub fn card(ui: &mut egui::Ui, slot: &SourceSlot, movable: (bool, bool)) -> CardAction {
    let mut action = CardAction::None;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(CARD_WIDTH);
        ui.vertical(|ui| {
            let (rect, _) = ui.allocate_exact_size(vec2(PREVIEW, PREVIEW), egui::Sense::hover());
            match &slot.state {
                SlotState::Loading => {
                    egui::Spinner::new().paint_at(
                        ui,
                        egui::Rect::from_center_size(rect.center(), vec2(24.0, 24.0)),
                    );
                }
                SlotState::Ready { preview, .. } => {
                    let size = preview.size_vec2();
                    let scale = (PREVIEW / size.x.max(size.y)).min(1.0);
                    egui::Image::new(preview)
                        .alt_text(slot.name.clone())
                        .paint_at(
                            ui,
                            egui::Rect::from_center_size(rect.center(), size * scale),
                        );
                }
                SlotState::Bad(_) => {
                    ui.painter()
                        .rect_filled(rect, 4.0, ui.visuals().extreme_bg_color);
                    ui.painter().text(
                        rect.center(),
                        egui::Align2::CENTER_CENTER,
                        "!",
                        egui::FontId::proportional(28.0),
                        ui.visuals().error_fg_color,
                    );
                }
            }
            ui.add(egui::Label::new(RichText::new(&slot.name).strong()).truncate());
            match &slot.state {
                SlotState::Loading => {
                    ui.label(RichText::new("checking…").weak());
                }
                SlotState::Ready { source, .. } => {
                    ui.label(
                        RichText::new(format!("{} × {} px", source.width, source.height)).weak(),
                    );
                    if let Some(note) = &source.note {
                        ui.label(RichText::new(note).small())
                            .on_hover_text("Moodgrid downscaled it so TTAPI accepts it");
                    }
                }
                SlotState::Bad(message) => {
                    ui.colored_label(ui.visuals().error_fg_color, message);
                }
            }
            ui.horizontal(|ui| {
                if movable.0
                    && ui
                        .small_button("Left")
                        .on_hover_text("Move earlier")
                        .clicked()
                {
                    action = CardAction::MoveLeft;
                }
                if movable.1
                    && ui
                        .small_button("Right")
                        .on_hover_text("Move later")
                        .clicked()
                {
                    action = CardAction::MoveRight;
                }
                if ui.small_button("Remove").clicked() {
                    action = CardAction::Remove;
                }
            });
        });
    });
    action
}

/// Where images can be dropped, while a panel has none.
pub fn drop_zone(ui: &mut egui::Ui, text: &str) {
    let (rect, _) = ui.allocate_exact_size(
        egui::vec2(ui.available_width().min(560.0), 120.0),
        egui::Sense::hover(),
    );
    let palette = crate::ui::kit::theme::palette(ui);
    let stroke = egui::Stroke::new(1.5, palette.border);
    let edge = rect.shrink(1.0);
    let corners = [
        edge.left_top(),
        edge.right_top(),
        edge.right_bottom(),
        edge.left_bottom(),
        edge.left_top(),
    ];
    ui.painter().rect_filled(rect, 8.0, palette.surface);
    ui.painter()
        .extend(egui::Shape::dashed_line(&corners, stroke, 6.0, 4.0));
    crate::ui::kit::controls::paint_icon(
        ui.painter(),
        rect.center() - egui::vec2(0.0, 14.0),
        crate::ui::kit::icons::ADD_IMAGES,
        30.0,
        palette.weak_text,
    );
    ui.painter().text(
        rect.center() + egui::vec2(0.0, 20.0),
        egui::Align2::CENTER_CENTER,
        text,
        egui::FontId::proportional(14.0),
        palette.weak_text,
    );
}
