//! The mask being painted and its tinted overlay texture, kept in step: each change marks the pixels it
//! touched, and the next frame uploads only those (a brush dab on a large image is not a full upload).

use egui::{Color32, Key};

use crate::domain::mask::{Dirty, Mask, MaskOp};

/// The overlay's tint, where the mask is painted.
const OVERLAY: [u8; 3] = [255, 40, 110];

pub(in crate::ui) struct MaskLayer {
    mask: Mask,
    texture: Option<egui::TextureHandle>,
    /// Pixels of the overlay texture that no longer match the mask.
    stale: Option<Dirty>,
    /// How strongly the overlay tints the image.
    pub(in crate::ui) opacity: f32,
    pub(in crate::ui) visible: bool,
}

impl MaskLayer {
    pub(in crate::ui) fn new(mask: Mask) -> MaskLayer {
        MaskLayer {
            stale: Some(mask.whole()),
            mask,
            texture: None,
            opacity: 0.55,
            visible: true,
        }
    }

    pub(in crate::ui) fn mask(&self) -> &Mask {
        &self.mask
    }

    /// Adds an operation to the mask's history.
    pub(in crate::ui) fn apply(&mut self, op: MaskOp) {
        let dirty = self.mask.apply(op);
        self.mark(dirty);
    }

    /// Draws the part of a stroke the pointer has just added, not yet in the history.
    pub(in crate::ui) fn draw(&mut self, op: &MaskOp) {
        let dirty = self.mask.draw(op);
        self.mark(dirty);
    }

    /// Records a stroke drawn piece by piece with [`MaskLayer::draw`].
    pub(in crate::ui) fn record(&mut self, op: MaskOp) {
        self.mask.record(op);
    }

    pub(in crate::ui) fn undo(&mut self) {
        if self.mask.undo() {
            self.stale = Some(self.mask.whole());
        }
    }

    pub(in crate::ui) fn redo(&mut self) {
        if self.mask.redo() {
            self.stale = Some(self.mask.whole());
        }
    }

    /// Starts again from imported mask pixels (one brightness byte per pixel).
    pub(in crate::ui) fn import(&mut self, luma: &[u8]) {
        self.mask.import(luma);
        self.stale = Some(self.mask.whole());
    }

    fn mark(&mut self, dirty: Dirty) {
        self.stale = Some(match self.stale {
            Some(stale) => stale.union(dirty),
            None => dirty,
        });
    }

    /// The mask changed since the overlay was last uploaded.
    pub(in crate::ui) fn is_stale(&self) -> bool {
        self.stale.is_some()
    }

    /// Brings the overlay texture up to date with the mask, uploading only what changed.
    pub(in crate::ui) fn sync(&mut self, ctx: &egui::Context) {
        let Some(dirty) = self.stale.take() else {
            return;
        };
        if dirty.is_empty() {
            return;
        }
        let options = egui::TextureOptions::NEAREST;
        match &mut self.texture {
            Some(texture) => texture.set_partial(
                [dirty.x0 as usize, dirty.y0 as usize],
                tinted(&self.mask, dirty),
                options,
            ),
            None => {
                let image = tinted(&self.mask, self.mask.whole());
                self.texture = Some(ctx.load_texture("mask-overlay", image, options));
            }
        }
    }

    /// Draws the overlay over the image in `view`, unless hidden or C is held to compare.
    pub(in crate::ui) fn paint(&self, ui: &egui::Ui, painter: &egui::Painter, view: egui::Rect) {
        let comparing = ui.input(|i| i.key_down(Key::C)) && !ui.ctx().egui_wants_keyboard_input();
        if self.visible
            && !comparing
            && let Some(texture) = &self.texture
        {
            painter.image(
                texture.id(),
                view,
                crate::ui::paint::canvas::whole_uv(),
                Color32::WHITE.gamma_multiply(self.opacity),
            );
        }
    }
}

/// The `area` of the mask as overlay pixels: the tint, as opaque as the mask is painted.
fn tinted(mask: &Mask, area: Dirty) -> egui::ColorImage {
    let (w, _) = mask.size();
    let coverage = mask.coverage();
    let pixels = (area.y0..area.y1)
        .flat_map(|y| (area.x0..area.x1).map(move |x| (x, y)))
        .map(|(x, y)| {
            let c = coverage[(y * w + x) as usize];
            Color32::from_rgba_unmultiplied(OVERLAY[0], OVERLAY[1], OVERLAY[2], c)
        })
        .collect();
    egui::ColorImage::new(
        [(area.x1 - area.x0) as usize, (area.y1 - area.y0) as usize],
        pixels,
    )
}
