//! The Blend panel: two to five of the user's images (picked, dropped, pasted or sent from the gallery),
//! reordered or removed in their slots, an aspect, a mode, and Blend.

use egui::{RichText, vec2};

use crate::api::wire::{BLEND_MAX_IMAGES, BLEND_MIN_IMAGES};
use crate::domain::{BlendDimensions, Mode};
use crate::engine::NewSubmission;
use crate::ui::kit::controls::{IconButton, segmented};
use crate::ui::kit::icons;
use crate::ui::runtime::services::Services;
use crate::ui::sources::inputs::{CardAction, SourceSlot, SourceTarget, card, drop_zone};

#[derive(Default)]
pub struct BlendPanel {
    pub slots: Vec<SourceSlot>,
    pub dimensions: BlendDimensions,
    pub mode: Mode,
}

const DIMENSIONS: [(BlendDimensions, &str); 3] = [
    (BlendDimensions::Portrait, "Portrait"),
    (BlendDimensions::Square, "Square"),
    (BlendDimensions::Landscape, "Landscape"),
];

pub fn show(blend: &mut BlendPanel, services: &mut Services, ui: &mut egui::Ui) {
    ui.heading("Blend");
    ui.label(
        RichText::new(format!(
            "Blend {BLEND_MIN_IMAGES} to {BLEND_MAX_IMAGES} of your images into a new grid. Add them with the \
             button, drop files on the window, paste an image (Ctrl+V), or select jobs in the gallery."
        ))
        .weak(),
    );
    ui.add_space(6.0);
    ui.horizontal(|ui| {
        let room = blend.slots.len() < BLEND_MAX_IMAGES;
        if ui
            .add_enabled(room, IconButton::labelled(icons::ADD_IMAGES, "Add images…"))
            .on_disabled_hover_text("A blend takes at most five images")
            .clicked()
        {
            services
                .chores
                .pick_images(SourceTarget::Blend, "Images to blend");
        }
        if ui
            .add_enabled(
                !blend.slots.is_empty(),
                IconButton::labelled(icons::CLOSE, "Clear"),
            )
            .clicked()
        {
            blend.slots.clear();
        }
    });
    ui.add_space(6.0);
    slots(blend, ui);
    ui.add_space(10.0);
    egui::Grid::new("blend_choices")
        .num_columns(2)
        .spacing([12.0, 8.0])
        .show(ui, |ui| {
            crate::ui::kit::controls::form_label(ui, "Aspect");
            ui.horizontal(|ui| {
                segmented(
                    ui,
                    "The shape of the blended grid",
                    &mut blend.dimensions,
                    &DIMENSIONS,
                );
                aspect_preview(ui, blend.dimensions);
            });
            ui.end_row();
            crate::ui::kit::controls::form_label(ui, "Mode");
            crate::ui::kit::controls::mode_segmented(ui, &mut blend.mode);
            ui.end_row();
        });
    ui.add_space(6.0);
    let ready: Vec<_> = blend
        .slots
        .iter()
        .filter_map(|s| s.ready().map(|source| source.image.clone()))
        .collect();
    let loading = blend
        .slots
        .iter()
        .any(|s| s.ready().is_none() && !is_bad(s));
    let count_ok = (BLEND_MIN_IMAGES..=BLEND_MAX_IMAGES).contains(&ready.len());
    let why_not = if !services.status.ready {
        Some("Connecting…".to_owned())
    } else if loading {
        Some("Waiting for the images to be checked".to_owned())
    } else if !count_ok {
        Some(format!(
            "{} usable image(s); a blend needs {BLEND_MIN_IMAGES} to {BLEND_MAX_IMAGES}",
            ready.len()
        ))
    } else {
        None
    };
    ui.horizontal(|ui| {
        let button = ui.add_enabled(
            why_not.is_none(),
            IconButton::labelled(icons::BLEND, &format!("Blend {} images", ready.len())).primary(),
        );
        if let Some(reason) = &why_not {
            ui.label(RichText::new(reason).weak());
        }
        if button.clicked() {
            services.submit(NewSubmission::Blend {
                images: ready,
                dimensions: blend.dimensions,
                mode: blend.mode,
            });
        }
    });
}

fn is_bad(slot: &SourceSlot) -> bool {
    matches!(slot.state, crate::ui::sources::inputs::SlotState::Bad(_))
}

fn slots(blend: &mut BlendPanel, ui: &mut egui::Ui) {
    if blend.slots.is_empty() {
        drop_zone(ui, "Drop two to five images here");
        return;
    }
    let count = blend.slots.len();
    let mut action = None;
    ui.horizontal_wrapped(|ui| {
        for (index, slot) in blend.slots.iter().enumerate() {
            match card(ui, slot, (index > 0, index + 1 < count)) {
                CardAction::None => {}
                other => action = Some((index, other)),
            }
        }
    });
    let slots = &mut blend.slots;
    match action {
        Some((index, CardAction::Remove)) => {
            slots.remove(index);
        }
        Some((index, CardAction::MoveLeft)) => slots.swap(index, index - 1),
        Some((index, CardAction::MoveRight)) => slots.swap(index, index + 1),
        _ => {}
    }
}

/// A small rectangle of the chosen aspect, so the choice is visible at a glance.
fn aspect_preview(ui: &mut egui::Ui, dimensions: BlendDimensions) {
    let (w, h) = dimensions.ratio();
    let side = 22.0;
    let size = if w >= h {
        vec2(side, side * h as f32 / w as f32)
    } else {
        vec2(side * w as f32 / h as f32, side)
    };
    let (rect, _) = ui.allocate_exact_size(vec2(side, side), egui::Sense::hover());
    ui.painter().rect_stroke(
        egui::Rect::from_center_size(rect.center(), size),
        2.0,
        egui::Stroke::new(1.5, ui.visuals().text_color()),
        egui::StrokeKind::Inside,
    );
}
