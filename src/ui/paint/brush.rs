//! The tools in hand and what a press, drag and release of each does to a mask: a brush or eraser stroke
//! that paints as the pointer moves, a rectangle or lasso outlined until the release, then one operation
//! in the mask's history (so undo takes back a whole stroke).

use egui::{Color32, PointerButton, Pos2, Rect};

use crate::domain::mask::{MaskOp, Paint, Point};
use crate::ui::paint::canvas::CanvasFrame;
use crate::ui::paint::layer::MaskLayer;

pub(in crate::ui) const MIN_RADIUS: f32 = 1.0;
pub(in crate::ui) const MAX_RADIUS: f32 = 400.0;

/// Pointer samples closer than this (image pixels) to the stroke's last point add nothing to it.
const MIN_STEP: f32 = 0.5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::ui) enum Tool {
    Brush,
    Eraser,
    Rect,
    Lasso,
}

impl Tool {
    /// Paints round dabs along the pointer (so a click paints too).
    fn is_round(self) -> bool {
        matches!(self, Tool::Brush | Tool::Eraser)
    }
}

/// A gesture in progress.
enum Live {
    Stroke(Vec<Point>),
    Rect(Point, Point),
    Lasso(Vec<Point>),
}

/// The tool in hand, the brush's shape, and the gesture being made with them.
pub(in crate::ui) struct Brush {
    pub(in crate::ui) tool: Tool,
    /// In image pixels.
    pub(in crate::ui) radius: f32,
    pub(in crate::ui) hardness: f32,
    live: Option<Live>,
}

impl Default for Brush {
    fn default() -> Brush {
        Brush {
            tool: Tool::Brush,
            radius: 48.0,
            hardness: 0.8,
            live: None,
        }
    }
}

impl Brush {
    /// Turns a primary-button press, drag and release on the canvas into the tool's operation on `layer`.
    pub(in crate::ui) fn gesture(
        &mut self,
        layer: &mut MaskLayer,
        ui: &egui::Ui,
        frame: &CanvasFrame,
    ) {
        let response = &frame.response;
        if response.drag_started_by(PointerButton::Primary) && !self.begin(layer, ui, frame) {
            return;
        }
        if response.dragged_by(PointerButton::Primary) {
            self.extend(layer, ui, frame);
        }
        if response.drag_stopped_by(PointerButton::Primary) {
            self.finish(layer);
        } else if response.clicked_by(PointerButton::Primary)
            && self.tool.is_round()
            && let Some(at) = response.interact_pointer_pos().map(|p| frame.to_image(p))
        {
            layer.apply(self.stroke(vec![at]));
        }
    }

    fn paint(&self) -> Paint {
        if self.tool == Tool::Eraser {
            Paint::Erase
        } else {
            Paint::Add
        }
    }

    fn stroke(&self, points: Vec<Point>) -> MaskOp {
        MaskOp::Stroke {
            points,
            radius: self.radius,
            hardness: self.hardness,
            paint: self.paint(),
        }
    }

    /// Starts the gesture where the button went down; `false` when that is unknown.
    fn begin(&mut self, layer: &mut MaskLayer, ui: &egui::Ui, frame: &CanvasFrame) -> bool {
        let start = ui
            .input(|i| i.pointer.press_origin())
            .or(frame.response.interact_pointer_pos());
        let Some(start) = start.map(|p| frame.to_image(p)) else {
            return false;
        };
        self.live = Some(match self.tool {
            Tool::Brush | Tool::Eraser => {
                layer.draw(&self.stroke(vec![start]));
                Live::Stroke(vec![start])
            }
            Tool::Rect => Live::Rect(start, start),
            Tool::Lasso => Live::Lasso(vec![start]),
        });
        true
    }

    /// Follows the pointer: a stroke paints each new segment at once, a rectangle or lasso reshapes.
    fn extend(&mut self, layer: &mut MaskLayer, ui: &egui::Ui, frame: &CanvasFrame) {
        // Every pointer sample of this frame, not only the last: at a low frame rate a fast stroke or
        // lasso would otherwise lose its shape.
        let mut samples: Vec<Point> = ui.input(|i| {
            i.events
                .iter()
                .filter_map(|e| match e {
                    egui::Event::PointerMoved(pos) => Some(frame.to_image(*pos)),
                    _ => None,
                })
                .collect()
        });
        if samples.is_empty() {
            samples.extend(
                frame
                    .response
                    .interact_pointer_pos()
                    .map(|p| frame.to_image(p)),
            );
        }
        for now in samples {
            let segment = match &mut self.live {
                Some(Live::Stroke(points)) => {
                    let last = points.last().copied().unwrap_or(now);
                    if now.distance(last) < MIN_STEP {
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
                layer.draw(&self.stroke(segment));
            }
        }
    }

    /// The button is up: the gesture becomes one operation in the mask's history.
    fn finish(&mut self, layer: &mut MaskLayer) {
        let paint = self.paint();
        match self.live.take() {
            Some(Live::Stroke(points)) => layer.record(self.stroke(points)),
            Some(Live::Rect(from, to)) => layer.apply(MaskOp::Rect { from, to, paint }),
            Some(Live::Lasso(points)) => layer.apply(MaskOp::Lasso { points, paint }),
            None => {}
        }
    }

    /// The rectangle or lasso being drawn, and the brush's outline at the pointer.
    pub(in crate::ui) fn paint_outlines(&self, painter: &egui::Painter, frame: &CanvasFrame) {
        let outline = egui::Stroke::new(1.5, Color32::WHITE);
        match &self.live {
            Some(Live::Rect(a, b)) => {
                painter.rect_stroke(
                    Rect::from_two_pos(frame.to_screen(*a), frame.to_screen(*b)),
                    0.0,
                    outline,
                    egui::StrokeKind::Middle,
                );
            }
            Some(Live::Lasso(points)) => {
                let mut line: Vec<Pos2> = points.iter().map(|p| frame.to_screen(*p)).collect();
                if let Some(first) = line.first().copied() {
                    line.push(first);
                }
                painter.add(egui::Shape::line(line, outline));
            }
            _ => {}
        }
        if self.tool.is_round()
            && let Some(pos) = frame.response.hover_pos()
        {
            let radius = self.radius * frame.zoom;
            painter.circle_stroke(pos, radius, outline);
            painter.circle_stroke(pos, radius + 1.5, egui::Stroke::new(1.0, Color32::BLACK));
        }
    }
}
