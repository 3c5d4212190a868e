//! The canvas an image is painted on: it fits the image at first, zooms at the pointer (wheel, + and -)
//! and pans (middle drag, or drag with Space held), and maps the pointer to image pixels and back.

use egui::{Key, PointerButton, Pos2, Rect, Sense, Vec2, vec2};

use crate::domain::mask::Point;

/// How far the canvas zooms out and in (screen pixels per image pixel).
const ZOOM_LIMITS: std::ops::RangeInclusive<f32> = 0.02..=32.0;

/// Where the image is on the canvas, from frame to frame.
#[derive(Default)]
pub(in crate::ui) struct Canvas {
    /// Screen pixels per image pixel; `None` fits the image on the next frame.
    zoom: Option<f32>,
    /// Where the image's top-left corner is, relative to the canvas.
    offset: Vec2,
}

/// One frame of the canvas: where it is, how the pointer used it, and where the image is drawn.
pub(in crate::ui) struct CanvasFrame {
    pub(in crate::ui) rect: Rect,
    pub(in crate::ui) response: egui::Response,
    /// The image on screen this frame: zoom and pan apply from the next.
    pub(in crate::ui) view: Rect,
    /// Screen pixels per image pixel in `view`.
    pub(in crate::ui) zoom: f32,
    /// The pointer moves the image this frame, so it paints nothing.
    pub(in crate::ui) panning: bool,
    /// Space is held: a drag pans.
    space: bool,
}

impl Canvas {
    /// Fits the whole image on the next frame.
    pub(in crate::ui) fn fit(&mut self) {
        self.zoom = None;
    }

    /// Takes the space left in `ui` for an image of `size` pixels, named `name` for assistive technology,
    /// and applies this frame's zoom and pan.
    pub(in crate::ui) fn show(
        &mut self,
        ui: &mut egui::Ui,
        size: (u32, u32),
        name: &str,
    ) -> CanvasFrame {
        let (rect, response) = ui.allocate_exact_size(ui.available_size(), Sense::click_and_drag());
        response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, name));
        let size = vec2(size.0 as f32, size.1 as f32);
        let zoom = self.zoom_or_fit(rect, size);
        // This frame is drawn where the view was; zoom and pan apply from the next.
        let origin = rect.min + self.offset;
        let space = ui.input(|i| i.key_down(Key::Space));
        self.zoom_at_pointer(ui, &response, rect, zoom);
        let panning = response.dragged_by(PointerButton::Middle)
            || (space && response.dragged_by(PointerButton::Primary));
        if panning {
            self.offset += response.drag_delta();
        }
        CanvasFrame {
            rect,
            response,
            view: Rect::from_min_size(origin, size * zoom),
            zoom,
            panning,
            space,
        }
    }

    fn zoom_or_fit(&mut self, rect: Rect, size: Vec2) -> f32 {
        if let Some(zoom) = self.zoom {
            return zoom;
        }
        let fit = (rect.width() / size.x)
            .min(rect.height() / size.y)
            .max(0.01);
        self.offset = (rect.size() - size * fit) / 2.0;
        self.zoom = Some(fit);
        fit
    }

    /// Zoom at the pointer: the wheel, or + and - (when no text field has the keyboard).
    fn zoom_at_pointer(&mut self, ui: &egui::Ui, response: &egui::Response, rect: Rect, zoom: f32) {
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
            let new_zoom = (zoom * factor).clamp(*ZOOM_LIMITS.start(), *ZOOM_LIMITS.end());
            self.offset = anchor - (anchor - self.offset) * (new_zoom / zoom);
            self.zoom = Some(new_zoom);
        }
    }
}

impl CanvasFrame {
    /// The image pixel under a screen position.
    pub(in crate::ui) fn to_image(&self, pos: Pos2) -> Point {
        let v = (pos - self.view.min) / self.zoom;
        Point::new(v.x, v.y)
    }

    /// Where an image pixel is on screen.
    pub(in crate::ui) fn to_screen(&self, point: Point) -> Pos2 {
        self.view.min + vec2(point.x, point.y) * self.zoom
    }

    /// Fills the canvas and draws the image (a placeholder until its texture is there); returns the
    /// canvas's painter for what goes over it.
    pub(in crate::ui) fn paint_image(
        &self,
        ui: &egui::Ui,
        texture: Option<&egui::TextureHandle>,
    ) -> egui::Painter {
        let painter = ui.painter_at(self.rect);
        painter.rect_filled(self.rect, 0.0, crate::ui::kit::theme::palette(ui).canvas);
        match texture {
            Some(texture) => {
                painter.image(texture.id(), self.view, whole_uv(), egui::Color32::WHITE);
            }
            None => {
                painter.rect_filled(self.view, 0.0, ui.visuals().faint_bg_color);
            }
        }
        painter
    }

    /// A hand while Space is held (a drag pans), else a crosshair.
    pub(in crate::ui) fn set_cursor(&self, ui: &egui::Ui) {
        if self.response.hovered() {
            ui.ctx().set_cursor_icon(if self.space {
                egui::CursorIcon::Grab
            } else {
                egui::CursorIcon::Crosshair
            });
        }
    }
}

/// A texture drawn whole.
pub(in crate::ui) fn whole_uv() -> Rect {
    Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0))
}

#[cfg(test)]
mod tests {
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    use super::*;

    /// The canvas drawn alone, and what its last frame showed.
    #[derive(Default)]
    struct Shown {
        canvas: Canvas,
        zoom: f32,
        under_pointer: Option<Point>,
    }

    /// A canvas over a 200 × 100 image, with no image painted: the zoom and pointer mapping are the widget.
    fn harness() -> Harness<'static, Shown> {
        Harness::builder()
            .with_size(vec2(400.0, 300.0))
            .with_context_setup(crate::ui::kit::icons::install)
            .build_ui_state(
                |ui, shown: &mut Shown| {
                    let frame = shown.canvas.show(ui, (200, 100), "Canvas");
                    shown.zoom = frame.zoom;
                    shown.under_pointer = frame.response.hover_pos().map(|p| frame.to_image(p));
                },
                Shown::default(),
            )
    }

    /// The + key zooms in where the pointer is: the image pixel under it stays under it, so the user zooms into
    /// what they point at.
    #[test]
    fn plus_zooms_in_keeping_the_pixel_under_the_pointer() {
        let mut harness = harness();
        harness.run();
        let canvas = harness.get_by_label("Canvas").rect();
        harness.hover_at(canvas.min + canvas.size() * vec2(0.3, 0.4));
        harness.run();
        let fit = harness.state().zoom;
        let Some(before) = harness.state().under_pointer else {
            panic!("the pointer is over the canvas");
        };
        assert!(
            (0.0..200.0).contains(&before.x) && (0.0..100.0).contains(&before.y),
            "the fitted image is under the pointer: {before:?}"
        );
        harness.key_press(Key::Plus);
        harness.run();
        // Zoom applies from the frame after the key.
        harness.step();
        let shown = harness.state();
        assert!(
            (shown.zoom - fit * 1.25).abs() < 1e-4,
            "{} then {}",
            fit,
            shown.zoom
        );
        let Some(after) = shown.under_pointer else {
            panic!("the pointer is still over the canvas");
        };
        assert!(
            before.distance(after) < 0.01,
            "the pixel under the pointer moved from {before:?} to {after:?}"
        );
    }
}
