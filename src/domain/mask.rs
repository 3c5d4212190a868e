//! The inpaint mask as the user paints it: a list of operations (brush and eraser strokes, rectangles,
//! lassos, fill, clear, invert) in image pixel coordinates, with unbounded undo and redo, rasterised at the
//! source image's exact size. White (255) means "repaint". Pure data and arithmetic: no egui, no IO.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub x: f32,
    pub y: f32,
}

impl Point {
    pub fn new(x: f32, y: f32) -> Point {
        Point { x, y }
    }

    pub fn distance(self, other: Point) -> f32 {
        (self.x - other.x).hypot(self.y - other.y)
    }
}

/// Paint adds to the mask, erase removes from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Paint {
    Add,
    Erase,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum MaskOp {
    /// A brush stroke through `points` (joined by straight segments, so fast pointer moves leave no gaps).
    /// `hardness` 1 is a hard edge; lower values fade the outer part of the radius (which the black and
    /// white mask then cuts at half coverage).
    Stroke {
        points: Vec<Point>,
        radius: f32,
        hardness: f32,
        paint: Paint,
    },
    Rect {
        from: Point,
        to: Point,
        paint: Paint,
    },
    /// A closed freehand outline, filled (even-odd rule).
    Lasso {
        points: Vec<Point>,
        paint: Paint,
    },
    Fill,
    Clear,
    Invert,
}

/// The painted mask of one image: its operations, the undone ones (for redo), and their raster.
#[derive(Debug, Clone)]
pub struct Mask {
    width: u32,
    height: u32,
    ops: Vec<MaskOp>,
    undone: Vec<MaskOp>,
    /// An imported mask the operations paint over (it is pixels, not operations).
    base: Option<Vec<u8>>,
    /// Coverage 0–255 per pixel, row by row.
    coverage: Vec<u8>,
}

/// The pixels an operation may have changed, for a partial redraw: `x0..x1`, `y0..y1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dirty {
    pub x0: u32,
    pub y0: u32,
    pub x1: u32,
    pub y1: u32,
}

impl Dirty {
    /// Whether no pixel is in it.
    pub fn is_empty(&self) -> bool {
        self.x1 <= self.x0 || self.y1 <= self.y0
    }

    /// The smallest area holding both (changes that pile up before the next redraw).
    pub fn union(self, other: Dirty) -> Dirty {
        Dirty {
            x0: self.x0.min(other.x0),
            y0: self.y0.min(other.y0),
            x1: self.x1.max(other.x1),
            y1: self.y1.max(other.y1),
        }
    }
}

impl Mask {
    pub fn new(width: u32, height: u32) -> Mask {
        Mask {
            width,
            height,
            ops: Vec::new(),
            undone: Vec::new(),
            base: None,
            coverage: vec![0; width as usize * height as usize],
        }
    }

    /// A mask rebuilt from saved operations.
    pub fn from_ops(width: u32, height: u32, ops: Vec<MaskOp>) -> Mask {
        let mut mask = Mask::new(width, height);
        for op in ops {
            mask.apply(op);
        }
        mask
    }

    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    pub fn ops(&self) -> &[MaskOp] {
        &self.ops
    }

    /// Coverage 0–255 per pixel, row by row (what the editor shows, soft edges included).
    pub fn coverage(&self) -> &[u8] {
        &self.coverage
    }

    /// Adds an operation; it can be undone. Returns the pixels it may have changed.
    pub fn apply(&mut self, op: MaskOp) -> Dirty {
        let dirty = self.rasterize(&op);
        self.ops.push(op);
        self.undone.clear();
        dirty
    }

    /// Draws an operation without recording it: the part of a stroke the pointer has just added.
    /// [`Mask::record`] then records the whole stroke, which leaves the same pixels.
    pub fn draw(&mut self, op: &MaskOp) -> Dirty {
        self.rasterize(op)
    }

    /// Records an operation already drawn piece by piece with [`Mask::draw`].
    pub fn record(&mut self, op: MaskOp) {
        self.ops.push(op);
        self.undone.clear();
    }

    pub fn can_undo(&self) -> bool {
        !self.ops.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.undone.is_empty()
    }

    pub fn undo(&mut self) -> bool {
        let Some(op) = self.ops.pop() else {
            return false;
        };
        self.undone.push(op);
        self.redraw();
        true
    }

    pub fn redo(&mut self) -> bool {
        let Some(op) = self.undone.pop() else {
            return false;
        };
        self.rasterize(&op);
        self.ops.push(op);
        true
    }

    /// Whether nothing would be repainted (no pixel at or above half coverage).
    pub fn is_empty(&self) -> bool {
        !self.coverage.iter().any(|&c| c >= 128)
    }

    /// The mask as TTAPI wants it: one byte per pixel, 255 where the image is repainted, else 0.
    pub fn black_and_white(&self) -> Vec<u8> {
        self.coverage
            .iter()
            .map(|&c| if c >= 128 { 255 } else { 0 })
            .collect()
    }

    /// Starts again from an imported mask image (one brightness byte per pixel, at least half bright =
    /// repaint). What is painted afterwards can be undone back to it.
    pub fn import(&mut self, luma: &[u8]) {
        let base: Vec<u8> = luma
            .iter()
            .map(|&v| if v >= 128 { 255 } else { 0 })
            .collect();
        self.ops.clear();
        self.undone.clear();
        self.coverage = base.clone();
        self.base = Some(base);
    }

    fn redraw(&mut self) {
        match &self.base {
            Some(base) => self.coverage.copy_from_slice(base),
            None => self.coverage.fill(0),
        }
        let ops = std::mem::take(&mut self.ops);
        for op in &ops {
            self.rasterize(op);
        }
        self.ops = ops;
    }

    /// Every pixel of the image.
    pub fn whole(&self) -> Dirty {
        Dirty {
            x0: 0,
            y0: 0,
            x1: self.width,
            y1: self.height,
        }
    }

    fn rasterize(&mut self, op: &MaskOp) -> Dirty {
        match op {
            MaskOp::Fill => {
                self.coverage.fill(255);
                self.whole()
            }
            MaskOp::Clear => {
                self.coverage.fill(0);
                self.whole()
            }
            MaskOp::Invert => {
                self.coverage.iter_mut().for_each(|c| *c = 255 - *c);
                self.whole()
            }
            MaskOp::Rect { from, to, paint } => {
                let (x0, y0) = (from.x.min(to.x), from.y.min(to.y));
                let (x1, y1) = (from.x.max(to.x), from.y.max(to.y));
                let dirty = self.clip(x0, y0, x1, y1);
                let covers = |x: f32, y: f32| (x0..=x1).contains(&x) && (y0..=y1).contains(&y);
                self.for_each(dirty, |x, y| if covers(x, y) { 255 } else { 0 }, *paint);
                dirty
            }
            MaskOp::Stroke {
                points,
                radius,
                hardness,
                paint,
            } => self.stroke(points, radius.max(0.5), hardness.clamp(0.0, 1.0), *paint),
            MaskOp::Lasso { points, paint } => self.lasso(points, *paint),
        }
    }

    /// The pixels whose centres may lie in `[x0, x1] × [y0, y1]`, clamped to the image.
    fn clip(&self, x0: f32, y0: f32, x1: f32, y1: f32) -> Dirty {
        let clamp_x = |v: f32| (v.max(0.0) as u32).min(self.width);
        let clamp_y = |v: f32| (v.max(0.0) as u32).min(self.height);
        Dirty {
            x0: clamp_x((x0 - 0.5).floor()),
            y0: clamp_y((y0 - 0.5).floor()),
            x1: clamp_x((x1 + 0.5).ceil()),
            y1: clamp_y((y1 + 0.5).ceil()),
        }
    }

    /// Visits each pixel of `area` whose centre `value` covers (0–255) and combines it with the mask.
    fn for_each(&mut self, area: Dirty, value: impl Fn(f32, f32) -> u8, paint: Paint) {
        for y in area.y0..area.y1 {
            let row = y as usize * self.width as usize;
            for x in area.x0..area.x1 {
                let v = value(x as f32 + 0.5, y as f32 + 0.5);
                if v == 0 {
                    continue;
                }
                let c = &mut self.coverage[row + x as usize];
                // Max and min (not sums) so a stroke drawn segment by segment while the pointer moves
                // leaves exactly what the whole stroke replayed from history leaves.
                *c = match paint {
                    Paint::Add => (*c).max(v),
                    Paint::Erase => (*c).min(255 - v),
                };
            }
        }
    }

    fn stroke(&mut self, points: &[Point], radius: f32, hardness: f32, paint: Paint) -> Dirty {
        let Some(first) = points.first() else {
            return Dirty {
                x0: 0,
                y0: 0,
                x1: 0,
                y1: 0,
            };
        };
        let (mut min, mut max) = (*first, *first);
        for p in points {
            min = Point::new(min.x.min(p.x), min.y.min(p.y));
            max = Point::new(max.x.max(p.x), max.y.max(p.y));
        }
        let area = self.clip(
            min.x - radius,
            min.y - radius,
            max.x + radius,
            max.y + radius,
        );
        let solid = radius * hardness;
        let segments: Vec<(Point, Point)> = if points.len() == 1 {
            vec![(*first, *first)]
        } else {
            points.windows(2).map(|w| (w[0], w[1])).collect()
        };
        self.for_each(
            area,
            |x, y| {
                let d = segments
                    .iter()
                    .map(|(a, b)| distance_to_segment(Point::new(x, y), *a, *b))
                    .fold(f32::INFINITY, f32::min);
                if d <= solid {
                    255
                } else if d < radius {
                    (255.0 * (radius - d) / (radius - solid)).round() as u8
                } else {
                    0
                }
            },
            paint,
        );
        area
    }

    fn lasso(&mut self, points: &[Point], paint: Paint) -> Dirty {
        if points.len() < 3 {
            return Dirty {
                x0: 0,
                y0: 0,
                x1: 0,
                y1: 0,
            };
        }
        let (mut min, mut max) = (points[0], points[0]);
        for p in points {
            min = Point::new(min.x.min(p.x), min.y.min(p.y));
            max = Point::new(max.x.max(p.x), max.y.max(p.y));
        }
        let area = self.clip(min.x, min.y, max.x, max.y);
        self.for_each(
            area,
            |x, y| {
                if inside(points, Point::new(x, y)) {
                    255
                } else {
                    0
                }
            },
            paint,
        );
        area
    }
}

fn distance_to_segment(p: Point, a: Point, b: Point) -> f32 {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let length2 = dx * dx + dy * dy;
    let t = if length2 == 0.0 {
        0.0
    } else {
        (((p.x - a.x) * dx + (p.y - a.y) * dy) / length2).clamp(0.0, 1.0)
    };
    let (cx, cy) = (a.x + t * dx, a.y + t * dy);
    ((p.x - cx).powi(2) + (p.y - cy).powi(2)).sqrt()
}

/// Even-odd point-in-polygon test (the polygon closes itself).
fn inside(polygon: &[Point], p: Point) -> bool {
    let mut inside = false;
    let mut j = polygon.len() - 1;
    for i in 0..polygon.len() {
        let (a, b) = (polygon[i], polygon[j]);
        if (a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x {
            inside = !inside;
        }
        j = i;
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The white pixels of the black and white mask, as (x, y).
    fn white(mask: &Mask) -> Vec<(u32, u32)> {
        let (w, _) = mask.size();
        mask.black_and_white()
            .iter()
            .enumerate()
            .filter(|(_, v)| **v == 255)
            .map(|(i, _)| (i as u32 % w, i as u32 / w))
            .collect()
    }

    fn p(x: f32, y: f32) -> Point {
        Point::new(x, y)
    }

    #[test]
    fn a_rectangle_whitens_exactly_the_pixels_whose_centres_it_covers() {
        let mut mask = Mask::new(10, 8);
        mask.apply(MaskOp::Rect {
            from: p(6.0, 5.0),
            to: p(2.0, 3.0),
            paint: Paint::Add,
        });
        let expected: Vec<(u32, u32)> = (3..5).flat_map(|y| (2..6).map(move |x| (x, y))).collect();
        assert_eq!(white(&mask), expected);
    }

    #[test]
    fn a_hard_brush_stroke_is_a_capsule_without_gaps_and_reaches_the_edges() {
        let mut mask = Mask::new(20, 10);
        // Two samples far apart (a fast pointer): the segment between them is painted too.
        mask.apply(MaskOp::Stroke {
            points: vec![p(-3.0, 5.0), p(23.0, 5.0)],
            radius: 2.0,
            hardness: 1.0,
            paint: Paint::Add,
        });
        let expected: Vec<(u32, u32)> = (3..7).flat_map(|y| (0..20).map(move |x| (x, y))).collect();
        assert_eq!(
            white(&mask),
            expected,
            "rows 3–6 (centres within 2 px of y = 5), edge to edge"
        );
    }

    #[test]
    fn a_single_click_paints_a_disc() {
        let mut mask = Mask::new(9, 9);
        mask.apply(MaskOp::Stroke {
            points: vec![p(4.5, 4.5)],
            radius: 2.0,
            hardness: 1.0,
            paint: Paint::Add,
        });
        let expected: Vec<(u32, u32)> = (0..9u32)
            .flat_map(|y| (0..9u32).map(move |x| (x, y)))
            .filter(|&(x, y)| {
                let (dx, dy) = (x as f32 + 0.5 - 4.5, y as f32 + 0.5 - 4.5);
                (dx * dx + dy * dy).sqrt() <= 2.0
            })
            .collect();
        assert_eq!(white(&mask), expected);
        assert_eq!(expected.len(), 13);
    }

    #[test]
    fn a_soft_brush_is_cut_at_half_coverage() {
        let mut mask = Mask::new(21, 1);
        mask.apply(MaskOp::Stroke {
            points: vec![p(10.5, 0.5)],
            radius: 7.0,
            hardness: 0.5,
            paint: Paint::Add,
        });
        // Solid to 3.5 px, fading to 0 at 7 px: half coverage about 5.2 px from the centre.
        let expected: Vec<(u32, u32)> = (5..=15).map(|x| (x, 0)).collect();
        assert_eq!(white(&mask), expected);
        let faded = mask.coverage()[4];
        assert!(
            faded > 0 && faded < 128,
            "the fade shows in the editor: {faded}"
        );
        assert_eq!(mask.coverage()[3], 0);
    }

    #[test]
    fn the_eraser_removes_what_the_brush_painted() {
        let mut mask = Mask::new(10, 10);
        mask.apply(MaskOp::Fill);
        mask.apply(MaskOp::Stroke {
            points: vec![p(0.0, 5.0), p(10.0, 5.0)],
            radius: 1.0,
            hardness: 1.0,
            paint: Paint::Erase,
        });
        let erased: Vec<(u32, u32)> = (0..10u32)
            .flat_map(|y| (0..10u32).map(move |x| (x, y)))
            .filter(|&(_, y)| y != 4 && y != 5)
            .collect();
        assert_eq!(white(&mask), erased);
    }

    #[test]
    fn a_lasso_fills_its_outline_and_invert_flips_everything() {
        let mut mask = Mask::new(10, 10);
        // A triangle with corners (1,1), (9,1), (1,9): centres with x + y < 10 inside it.
        mask.apply(MaskOp::Lasso {
            points: vec![p(1.0, 1.0), p(9.0, 1.0), p(1.0, 9.0)],
            paint: Paint::Add,
        });
        let triangle: Vec<(u32, u32)> = (1..9u32)
            .flat_map(|y| (1..9u32).map(move |x| (x, y)))
            .filter(|&(x, y)| x as f32 + 0.5 + y as f32 + 0.5 < 10.0)
            .collect();
        assert_eq!(white(&mask), triangle);
        mask.apply(MaskOp::Invert);
        assert_eq!(white(&mask).len(), 100 - triangle.len());
        assert!(white(&mask).iter().all(|px| !triangle.contains(px)));
    }

    #[test]
    fn undo_and_redo_step_through_every_operation_and_a_new_one_drops_the_redo() {
        let mut mask = Mask::new(8, 8);
        let rect = MaskOp::Rect {
            from: p(0.0, 0.0),
            to: p(4.0, 4.0),
            paint: Paint::Add,
        };
        mask.apply(rect.clone());
        mask.apply(MaskOp::Invert);
        assert_eq!(white(&mask).len(), 48);
        assert!(mask.undo());
        assert_eq!(white(&mask).len(), 16);
        assert!(mask.undo());
        assert!(mask.is_empty());
        assert!(!mask.undo(), "nothing left to undo");
        assert!(mask.redo() && mask.redo());
        assert_eq!(white(&mask).len(), 48);
        assert!(!mask.redo());
        mask.undo();
        mask.apply(MaskOp::Clear);
        assert!(!mask.can_redo(), "a new operation forgets what was undone");
        assert!(mask.is_empty());
        let rebuilt = Mask::from_ops(8, 8, vec![rect, MaskOp::Invert]);
        assert_eq!(white(&rebuilt).len(), 48);
    }

    #[test]
    fn an_imported_mask_is_painted_over_and_undo_returns_to_it() {
        let mut mask = Mask::new(4, 1);
        mask.import(&[0, 200, 90, 255]);
        assert_eq!(white(&mask), [(1, 0), (3, 0)]);
        mask.apply(MaskOp::Fill);
        assert_eq!(white(&mask).len(), 4);
        mask.undo();
        assert_eq!(white(&mask), [(1, 0), (3, 0)]);
    }

    #[test]
    fn a_stroke_drawn_segment_by_segment_equals_the_recorded_stroke_replayed() {
        let points = vec![p(2.0, 2.0), p(12.0, 6.0), p(5.0, 14.0), p(15.0, 15.0)];
        for paint in [Paint::Add, Paint::Erase] {
            let mut live = Mask::new(18, 18);
            live.apply(MaskOp::Fill);
            if paint == Paint::Add {
                live.apply(MaskOp::Clear);
            }
            for pair in points.windows(2) {
                live.draw(&MaskOp::Stroke {
                    points: pair.to_vec(),
                    radius: 3.0,
                    hardness: 0.3,
                    paint,
                });
            }
            let stroke = MaskOp::Stroke {
                points: points.clone(),
                radius: 3.0,
                hardness: 0.3,
                paint,
            };
            live.record(stroke);
            let replayed = Mask::from_ops(18, 18, live.ops().to_vec());
            assert_eq!(live.coverage(), replayed.coverage(), "{paint:?}");
        }
    }

    #[test]
    fn operations_round_trip_through_json() {
        let ops = vec![
            MaskOp::Stroke {
                points: vec![p(1.0, 2.0), p(3.5, 4.0)],
                radius: 12.0,
                hardness: 0.8,
                paint: Paint::Erase,
            },
            MaskOp::Lasso {
                points: vec![p(0.0, 0.0), p(5.0, 0.0), p(0.0, 5.0)],
                paint: Paint::Add,
            },
            MaskOp::Fill,
        ];
        let json = serde_json::to_string(&ops).unwrap();
        assert!(json.contains(r#""op":"stroke""#), "{json}");
        let back: Vec<MaskOp> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, ops);
    }

    /// The editor uploads one area per frame: the areas changed since add up, and an empty one uploads nothing.
    #[test]
    fn changed_areas_add_up_to_one_holding_both() {
        let mut mask = Mask::new(10, 10);
        let left = mask.apply(MaskOp::Rect {
            from: p(1.0, 1.0),
            to: p(3.0, 3.0),
            paint: Paint::Add,
        });
        let right = mask.apply(MaskOp::Rect {
            from: p(6.0, 4.0),
            to: p(8.0, 8.0),
            paint: Paint::Add,
        });
        let both = left.union(right);
        assert_eq!((both.x0, both.y0), (left.x0, left.y0));
        assert_eq!((both.x1, both.y1), (right.x1, right.y1));
        assert!(!both.is_empty());
        let nothing = mask.apply(MaskOp::Lasso {
            points: vec![p(1.0, 1.0)],
            paint: Paint::Add,
        });
        assert!(nothing.is_empty());
        assert_eq!(mask.whole().union(nothing), mask.whole());
    }
}
