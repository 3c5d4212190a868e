//! A moodboard as data: items (library images and text notes) placed on an infinite plane with a position,
//! scale, rotation, flip and crop, in z-order (later = on top); the view onto it (pan and zoom); hit tests
//! that respect rotation; arranging and size normalising; and undo/redo of every edit. No egui, no IO.

use serde::{Deserialize, Serialize};

/// A point or vector in board units (1 unit = 1 image pixel at scale 1).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct V2 {
    pub x: f32,
    pub y: f32,
}

impl V2 {
    pub const fn new(x: f32, y: f32) -> V2 {
        V2 { x, y }
    }

    fn add(self, o: V2) -> V2 {
        V2::new(self.x + o.x, self.y + o.y)
    }

    fn sub(self, o: V2) -> V2 {
        V2::new(self.x - o.x, self.y - o.y)
    }

    fn scale(self, k: f32) -> V2 {
        V2::new(self.x * k, self.y * k)
    }

    fn rotate(self, radians: f32) -> V2 {
        let (sin, cos) = radians.sin_cos();
        V2::new(self.x * cos - self.y * sin, self.x * sin + self.y * cos)
    }
}

/// The part of an image that is shown, as fractions of its width and height (non-destructive crop).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Crop {
    pub left: f32,
    pub top: f32,
    pub right: f32,
    pub bottom: f32,
}

impl Default for Crop {
    fn default() -> Crop {
        Crop {
            left: 0.0,
            top: 0.0,
            right: 1.0,
            bottom: 1.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Content {
    /// An image of the library, by content hash; `job` links a generated image back to its job.
    Image {
        hash: String,
        /// The original file, relative to the library folder.
        file: String,
        job: Option<i64>,
        width: u32,
        height: u32,
    },
    Note {
        text: String,
        /// The note's box, in board units.
        width: f32,
        height: f32,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub id: u64,
    pub content: Content,
    pub center: V2,
    pub scale: f32,
    /// Clockwise, in radians.
    pub rotation: f32,
    pub flipped: bool,
    pub crop: Crop,
}

impl Item {
    /// Width and height as shown (crop and scale applied), before rotation.
    pub fn size(&self) -> V2 {
        let (w, h) = match &self.content {
            Content::Image { width, height, .. } => (
                *width as f32 * (self.crop.right - self.crop.left),
                *height as f32 * (self.crop.bottom - self.crop.top),
            ),
            Content::Note { width, height, .. } => (*width, *height),
        };
        V2::new(w * self.scale, h * self.scale)
    }

    /// Whether a board point lies on the item (its rotated rectangle).
    pub fn contains(&self, point: V2) -> bool {
        let local = point.sub(self.center).rotate(-self.rotation);
        let half = self.size().scale(0.5);
        local.x.abs() <= half.x && local.y.abs() <= half.y
    }

    /// The four corners on the board, clockwise from the top left.
    pub fn corners(&self) -> [V2; 4] {
        let h = self.size().scale(0.5);
        [
            V2::new(-h.x, -h.y),
            V2::new(h.x, -h.y),
            V2::new(h.x, h.y),
            V2::new(-h.x, h.y),
        ]
        .map(|c| c.rotate(self.rotation).add(self.center))
    }

    /// Maps a vector in the image's own frame (unrotated, unflipped, scale applied) onto the board.
    fn to_board_vector(&self, local: V2) -> V2 {
        let local = if self.flipped {
            V2::new(-local.x, local.y)
        } else {
            local
        };
        local.rotate(self.rotation)
    }

    /// The whole image's size at the item's scale, ignoring the crop (a note is its own box).
    fn full_size(&self) -> V2 {
        match &self.content {
            Content::Image { width, height, .. } => {
                V2::new(*width as f32, *height as f32).scale(self.scale)
            }
            Content::Note { width, height, .. } => V2::new(*width, *height).scale(self.scale),
        }
    }

    /// The item scaled by `factor` about a fixed board point (a corner handle keeps the opposite corner).
    pub fn scaled_about(&self, anchor: V2, factor: f32) -> Item {
        let factor = factor.max(0.01 / self.scale.max(1e-6));
        Item {
            scale: self.scale * factor,
            center: anchor.add(self.center.sub(anchor).scale(factor)),
            ..self.clone()
        }
    }

    /// The item turned to `radians` (clockwise) about its centre.
    pub fn rotated_to(&self, radians: f32) -> Item {
        Item {
            rotation: radians.rem_euclid(std::f32::consts::TAU),
            ..self.clone()
        }
    }

    /// The item showing another part of its image, with the image itself staying where it is on the board:
    /// only the window onto it moves. Edges are kept in order and at least 1% apart.
    pub fn cropped(&self, crop: Crop) -> Item {
        let crop = Crop {
            left: crop.left.clamp(0.0, 0.99),
            top: crop.top.clamp(0.0, 0.99),
            right: crop.right.clamp(crop.left.clamp(0.0, 0.99) + 0.01, 1.0),
            bottom: crop.bottom.clamp(crop.top.clamp(0.0, 0.99) + 0.01, 1.0),
        };
        let full = self.full_size();
        let offset = |c: &Crop| {
            V2::new(
                ((c.left + c.right) / 2.0 - 0.5) * full.x,
                ((c.top + c.bottom) / 2.0 - 0.5) * full.y,
            )
        };
        let image_center = self.center.sub(self.to_board_vector(offset(&self.crop)));
        Item {
            crop,
            center: image_center.add(self.to_board_vector(offset(&crop))),
            ..self.clone()
        }
    }

    /// Where a board point falls on the whole (uncropped) image, as fractions of its width and height.
    pub fn image_fraction(&self, point: V2) -> V2 {
        let uncropped = self.cropped(Crop::default());
        let local = point.sub(uncropped.center).rotate(-self.rotation);
        let local = if self.flipped {
            V2::new(-local.x, local.y)
        } else {
            local
        };
        let full = self.full_size();
        V2::new(
            local.x / full.x.max(1e-6) + 0.5,
            local.y / full.y.max(1e-6) + 0.5,
        )
    }

    /// The axis-aligned box around the item: (min, max).
    pub fn bounds(&self) -> (V2, V2) {
        let corners = self.corners();
        let min = corners.iter().fold(V2::new(f32::MAX, f32::MAX), |m, c| {
            V2::new(m.x.min(c.x), m.y.min(c.y))
        });
        let max = corners.iter().fold(V2::new(f32::MIN, f32::MIN), |m, c| {
            V2::new(m.x.max(c.x), m.y.max(c.y))
        });
        (min, max)
    }
}

/// How the board is seen: the screen position of the board's origin, and screen pixels per board unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct View {
    pub origin: V2,
    pub zoom: f32,
}

impl Default for View {
    fn default() -> View {
        View {
            origin: V2::default(),
            zoom: 1.0,
        }
    }
}

impl View {
    pub const MIN_ZOOM: f32 = 0.01;
    pub const MAX_ZOOM: f32 = 16.0;

    pub fn to_screen(&self, board: V2) -> V2 {
        board.scale(self.zoom).add(self.origin)
    }

    pub fn to_board(&self, screen: V2) -> V2 {
        screen.sub(self.origin).scale(1.0 / self.zoom)
    }

    /// Zooms by `factor`, keeping the board point under `anchor` (a screen point) where it is.
    pub fn zoom_at(&mut self, anchor: V2, factor: f32) {
        let before = self.to_board(anchor);
        self.zoom = (self.zoom * factor).clamp(View::MIN_ZOOM, View::MAX_ZOOM);
        self.origin = anchor.sub(before.scale(self.zoom));
    }

    /// The view that shows the board box `(min, max)` whole and centred in a screen of `screen` size.
    pub fn fit(min: V2, max: V2, screen: V2, margin: f32) -> View {
        let size = max.sub(min);
        let zoom = ((screen.x - 2.0 * margin) / size.x.max(1.0))
            .min((screen.y - 2.0 * margin) / size.y.max(1.0))
            .clamp(View::MIN_ZOOM, View::MAX_ZOOM);
        let center = min.add(size.scale(0.5));
        View {
            zoom,
            origin: screen.scale(0.5).sub(center.scale(zoom)),
        }
    }
}

/// A board: its items in z-order and its edit history.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Board {
    pub name: String,
    items: Vec<Item>,
    next_id: u64,
    #[serde(skip)]
    undo: Vec<Vec<Item>>,
    #[serde(skip)]
    redo: Vec<Vec<Item>>,
}

impl Board {
    pub fn new(name: impl Into<String>) -> Board {
        Board {
            name: name.into(),
            ..Board::default()
        }
    }

    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// Takes away the links to jobs that are gone (emptied from the Trash); their images stay on the board.
    /// Not an edit the user made, so there is nothing to undo. Whether anything changed.
    pub fn unlink_jobs(&mut self, gone: &std::collections::HashSet<i64>) -> bool {
        let mut changed = false;
        for item in &mut self.items {
            if let Content::Image { job, .. } = &mut item.content
                && job.is_some_and(|id| gone.contains(&id))
            {
                *job = None;
                changed = true;
            }
        }
        changed
    }

    pub fn item(&self, id: u64) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }

    /// Records the current items so the next edit can be undone. Every public edit calls it once.
    fn checkpoint(&mut self) {
        self.undo.push(self.items.clone());
        self.redo.clear();
    }

    pub fn undo(&mut self) -> bool {
        match self.undo.pop() {
            Some(items) => {
                self.redo.push(std::mem::replace(&mut self.items, items));
                true
            }
            None => false,
        }
    }

    pub fn redo(&mut self) -> bool {
        match self.redo.pop() {
            Some(items) => {
                self.undo.push(std::mem::replace(&mut self.items, items));
                true
            }
            None => false,
        }
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// Adds an item on top, centred at `center`; returns its id.
    pub fn add(&mut self, content: Content, center: V2) -> u64 {
        self.add_scaled(content, center, 1.0)
    }

    /// Adds an item on top at a scale (how a large image lands at a sensible size); returns its id.
    pub fn add_scaled(&mut self, content: Content, center: V2, scale: f32) -> u64 {
        self.checkpoint();
        self.next_id += 1;
        let id = self.next_id;
        self.items.push(Item {
            id,
            content,
            center,
            scale: scale.max(0.01),
            rotation: 0.0,
            flipped: false,
            crop: Crop::default(),
        });
        id
    }

    /// The topmost item under a board point.
    pub fn hit(&self, point: V2) -> Option<u64> {
        self.items
            .iter()
            .rev()
            .find(|i| i.contains(point))
            .map(|i| i.id)
    }

    /// The items whose whole box lies in the marquee `(a, b)`.
    pub fn in_marquee(&self, a: V2, b: V2) -> Vec<u64> {
        let (min, max) = (
            V2::new(a.x.min(b.x), a.y.min(b.y)),
            V2::new(a.x.max(b.x), a.y.max(b.y)),
        );
        self.items
            .iter()
            .filter(|i| {
                let (lo, hi) = i.bounds();
                lo.x >= min.x && lo.y >= min.y && hi.x <= max.x && hi.y <= max.y
            })
            .map(|i| i.id)
            .collect()
    }

    /// The box around every item, if there is any.
    pub fn bounds(&self) -> Option<(V2, V2)> {
        self.items
            .iter()
            .map(Item::bounds)
            .reduce(|(a0, a1), (b0, b1)| {
                (
                    V2::new(a0.x.min(b0.x), a0.y.min(b0.y)),
                    V2::new(a1.x.max(b1.x), a1.y.max(b1.y)),
                )
            })
    }

    fn edit(&mut self, ids: &[u64], mut change: impl FnMut(&mut Item)) {
        if ids.is_empty() {
            return;
        }
        self.checkpoint();
        for item in self.items.iter_mut().filter(|i| ids.contains(&i.id)) {
            change(item);
        }
    }

    pub fn move_by(&mut self, ids: &[u64], delta: V2) {
        self.edit(ids, |i| i.center = i.center.add(delta));
    }

    /// Scales each item about its centre (aspect kept), at least to 1% of its size.
    pub fn scale_by(&mut self, ids: &[u64], factor: f32) {
        self.edit(ids, |i| i.scale = (i.scale * factor).max(0.01));
    }

    pub fn rotate_by(&mut self, ids: &[u64], radians: f32) {
        self.edit(ids, |i| {
            i.rotation = (i.rotation + radians).rem_euclid(std::f32::consts::TAU)
        });
    }

    pub fn flip(&mut self, ids: &[u64]) {
        self.edit(ids, |i| i.flipped = !i.flipped);
    }

    /// Crops an image without moving what stays visible (see [`Item::cropped`]).
    pub fn set_crop(&mut self, id: u64, crop: Crop) {
        self.edit(&[id], |i| *i = i.cropped(crop));
    }

    /// Puts back an item changed outside the board (the result of a scale, rotate or crop gesture, which
    /// is previewed on a copy): one undoable edit. An id the board does not have is ignored.
    pub fn replace(&mut self, item: Item) {
        let id = item.id;
        if self.item(id).is_some_and(|old| *old != item) {
            self.edit(&[id], |i| *i = item.clone());
        }
    }

    pub fn remove(&mut self, ids: &[u64]) {
        if ids.is_empty() {
            return;
        }
        self.checkpoint();
        self.items.retain(|i| !ids.contains(&i.id));
    }

    /// Moves the items above all others (keeping their order among themselves).
    pub fn bring_to_front(&mut self, ids: &[u64]) {
        self.restack(ids, true);
    }

    pub fn send_to_back(&mut self, ids: &[u64]) {
        self.restack(ids, false);
    }

    fn restack(&mut self, ids: &[u64], front: bool) {
        if ids.is_empty() {
            return;
        }
        self.checkpoint();
        let (chosen, rest): (Vec<Item>, Vec<Item>) =
            self.items.drain(..).partition(|i| ids.contains(&i.id));
        self.items = if front {
            [rest, chosen].concat()
        } else {
            [chosen, rest].concat()
        };
    }

    /// Lays the items out in a grid of square-ish shape, in their current reading order (top to bottom,
    /// left to right), cells as large as the largest item, starting at the top-left of their current box.
    pub fn arrange_grid(&mut self, ids: &[u64], gap: f32) {
        let columns = (ids.len() as f32).sqrt().ceil().max(1.0) as usize;
        self.arrange(ids, gap, columns);
    }

    /// Lays the items out in one row, left to right, tops aligned.
    pub fn arrange_row(&mut self, ids: &[u64], gap: f32) {
        self.arrange(ids, gap, ids.len().max(1));
    }

    fn arrange(&mut self, ids: &[u64], gap: f32, columns: usize) {
        let mut chosen: Vec<Item> = self
            .items
            .iter()
            .filter(|i| ids.contains(&i.id))
            .cloned()
            .collect();
        if chosen.is_empty() {
            return;
        }
        chosen.sort_by(|a, b| {
            let (a, b) = (a.bounds().0, b.bounds().0);
            (a.y, a.x)
                .partial_cmp(&(b.y, b.x))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        let start = chosen
            .iter()
            .map(|i| i.bounds().0)
            .fold(V2::new(f32::MAX, f32::MAX), |m, c| {
                V2::new(m.x.min(c.x), m.y.min(c.y))
            });
        let cell = chosen.iter().map(|i| {
            let (lo, hi) = i.bounds();
            hi.sub(lo)
        });
        let cell = cell.fold(V2::default(), |m, s| V2::new(m.x.max(s.x), m.y.max(s.y)));
        let places: Vec<(u64, V2)> = chosen
            .iter()
            .enumerate()
            .map(|(n, item)| {
                let (col, row) = ((n % columns) as f32, (n / columns) as f32);
                let (lo, hi) = item.bounds();
                let half = hi.sub(lo).scale(0.5);
                let corner = V2::new(
                    start.x + col * (cell.x + gap),
                    start.y + row * (cell.y + gap),
                );
                (item.id, corner.add(half))
            })
            .collect();
        self.edit(ids, |i| {
            if let Some((_, center)) = places.iter().find(|(id, _)| *id == i.id) {
                i.center = *center;
            }
        });
    }

    /// Scales the items so they all show at the same height as the first of them (or width).
    pub fn normalize(&mut self, ids: &[u64], by_height: bool) {
        let Some(reference) = ids.first().and_then(|id| self.item(*id)) else {
            return;
        };
        let target = if by_height {
            reference.size().y
        } else {
            reference.size().x
        };
        self.edit(ids, |i| {
            let current = if by_height { i.size().y } else { i.size().x };
            if current > 0.0 {
                i.scale *= target / current;
            }
        });
    }

    /// Points every image at the file `file_of(hash)` gives (after an import into another library);
    /// images it does not know are dropped. Not an undoable edit: it happens before anyone sees the board.
    pub fn relink(&mut self, file_of: impl Fn(&str) -> Option<String>) {
        self.items.retain_mut(|item| match &mut item.content {
            Content::Image { hash, file, .. } => match file_of(hash) {
                Some(found) => {
                    *file = found;
                    true
                }
                None => false,
            },
            Content::Note { .. } => true,
        });
    }

    /// Forgets the job of each image for which `known(job, hash)` is false (a board imported from another
    /// library names jobs this one does not have). Not an undoable edit, like [`Board::relink`].
    pub fn keep_job_links(&mut self, known: impl Fn(i64, &str) -> bool) {
        for item in &mut self.items {
            if let Content::Image { hash, job, .. } = &mut item.content
                && job.is_some_and(|j| !known(j, hash))
            {
                *job = None;
            }
        }
    }

    /// Changes a note's text.
    pub fn set_note_text(&mut self, id: u64, text: String) {
        self.edit(&[id], |i| {
            if let Content::Note { text: t, .. } = &mut i.content {
                *t = text.clone();
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f32::consts::FRAC_PI_2;

    fn image(w: u32, h: u32) -> Content {
        Content::Image {
            hash: format!("{w}x{h}"),
            file: format!("images/{w}x{h}.png"),
            job: None,
            width: w,
            height: h,
        }
    }

    fn close(a: V2, b: V2) -> bool {
        (a.x - b.x).abs() < 1e-3 && (a.y - b.y).abs() < 1e-3
    }

    #[test]
    fn screen_and_board_coordinates_round_trip_and_zoom_keeps_the_anchor() {
        let mut view = View {
            origin: V2::new(120.0, -40.0),
            zoom: 0.5,
        };
        let p = V2::new(333.0, 77.0);
        assert!(close(view.to_board(view.to_screen(p)), p));
        let anchor = V2::new(400.0, 300.0);
        let under = view.to_board(anchor);
        view.zoom_at(anchor, 3.0);
        assert!((view.zoom - 1.5).abs() < 1e-6);
        assert!(
            close(view.to_board(anchor), under),
            "the point under the pointer stays put"
        );
        let fit = View::fit(
            V2::new(0.0, 0.0),
            V2::new(1000.0, 500.0),
            V2::new(800.0, 600.0),
            0.0,
        );
        assert!((fit.zoom - 0.8).abs() < 1e-6);
        assert!(close(
            fit.to_screen(V2::new(500.0, 250.0)),
            V2::new(400.0, 300.0)
        ));
    }

    #[test]
    fn hit_tests_follow_rotation_and_pick_the_topmost() {
        let mut board = Board::new("b");
        let wide = board.add(image(200, 20), V2::new(0.0, 0.0));
        // Unrotated, a point 80 to the right is on it and 80 below is not.
        assert_eq!(board.hit(V2::new(80.0, 0.0)), Some(wide));
        assert_eq!(board.hit(V2::new(0.0, 80.0)), None);
        board.rotate_by(&[wide], FRAC_PI_2);
        assert_eq!(
            board.hit(V2::new(80.0, 0.0)),
            None,
            "rotated a quarter turn"
        );
        assert_eq!(board.hit(V2::new(0.0, 80.0)), Some(wide));
        let top = board.add(image(50, 50), V2::new(0.0, 10.0));
        assert_eq!(
            board.hit(V2::new(0.0, 10.0)),
            Some(top),
            "the later item is on top"
        );
        board.send_to_back(&[top]);
        assert_eq!(board.hit(V2::new(0.0, 10.0)), Some(wide));
        board.bring_to_front(&[top]);
        assert_eq!(board.hit(V2::new(0.0, 10.0)), Some(top));
    }

    #[test]
    fn crop_and_scale_change_the_shown_size_and_the_marquee_takes_whole_items() {
        let mut board = Board::new("b");
        let a = board.add(image(400, 200), V2::new(200.0, 100.0));
        let b = board.add(image(100, 100), V2::new(1000.0, 1000.0));
        board.set_crop(
            a,
            Crop {
                left: 0.25,
                top: 0.0,
                right: 0.75,
                bottom: 0.5,
            },
        );
        board.scale_by(&[a], 2.0);
        assert!(close(board.item(a).unwrap().size(), V2::new(400.0, 200.0)));
        // The crop keeps the visible quarter where it was (centre 200, 50), then scaling doubles it.
        assert!(close(board.item(a).unwrap().center, V2::new(200.0, 50.0)));
        assert_eq!(
            board.in_marquee(V2::new(-10.0, -60.0), V2::new(420.0, 160.0)),
            vec![a]
        );
        assert_eq!(
            board.in_marquee(V2::new(900.0, 900.0), V2::new(1040.0, 1040.0)),
            Vec::<u64>::new(),
            "b sticks out"
        );
        assert_eq!(
            board.in_marquee(V2::new(900.0, 900.0), V2::new(1100.0, 1100.0)),
            vec![b]
        );
    }

    #[test]
    fn arrange_as_grid_and_row_and_normalise_sizes_give_the_expected_boxes() {
        let mut board = Board::new("b");
        let ids: Vec<u64> = [(100, 100), (200, 100), (100, 50), (50, 100)]
            .iter()
            .enumerate()
            .map(|(n, (w, h))| {
                board.add(
                    image(*w, *h),
                    V2::new(1000.0 - n as f32 * 200.0, 500.0 + n as f32),
                )
            })
            .collect();
        board.arrange_grid(&ids, 10.0);
        // Reading order is by top edge (450, 451, 453, 477): items 0, 1, 3, 2. Cells are 200×100 (the
        // largest item), two columns, from the box's top-left (375, 450); items sit at their cell's corner.
        let tops: Vec<V2> = ids
            .iter()
            .map(|id| board.item(*id).unwrap().bounds().0)
            .collect();
        assert!(close(tops[0], V2::new(375.0, 450.0)), "{tops:?}");
        assert!(close(tops[1], V2::new(585.0, 450.0)), "{tops:?}");
        assert!(close(tops[3], V2::new(375.0, 560.0)), "{tops:?}");
        assert!(close(tops[2], V2::new(585.0, 560.0)), "{tops:?}");

        board.arrange_row(&ids, 0.0);
        let mut lefts: Vec<f32> = ids
            .iter()
            .map(|id| board.item(*id).unwrap().bounds().0.x)
            .collect();
        lefts.sort_by(f32::total_cmp);
        assert_eq!(lefts, [375.0, 575.0, 775.0, 975.0]);
        assert!(
            ids.iter()
                .all(|id| (board.item(*id).unwrap().bounds().0.y - 450.0).abs() < 1e-3),
            "tops aligned"
        );

        board.normalize(&ids, true);
        assert!(
            ids.iter()
                .all(|id| (board.item(*id).unwrap().size().y - 100.0).abs() < 1e-3)
        );
        assert!(close(
            board.item(ids[1]).unwrap().size(),
            V2::new(200.0, 100.0)
        ));
        assert!(
            close(board.item(ids[2]).unwrap().size(), V2::new(200.0, 100.0)),
            "aspect kept"
        );
    }

    #[test]
    fn every_edit_can_be_undone_and_redone() {
        let mut board = Board::new("b");
        let a = board.add(image(10, 10), V2::new(0.0, 0.0));
        board.move_by(&[a], V2::new(5.0, 0.0));
        board.flip(&[a]);
        let note = board.add(
            Content::Note {
                text: "warm light".into(),
                width: 120.0,
                height: 40.0,
            },
            V2::new(50.0, 50.0),
        );
        board.set_note_text(note, "cold light".into());
        board.remove(&[a]);
        assert_eq!(board.items().len(), 1);
        assert!(board.undo());
        assert!(board.item(a).unwrap().flipped);
        assert!(board.undo() && board.undo());
        assert!(board.item(note).is_none());
        assert!(board.undo());
        assert!(!board.item(a).unwrap().flipped);
        assert!(board.undo());
        assert!(close(board.item(a).unwrap().center, V2::new(0.0, 0.0)));
        assert!(board.undo() && !board.undo(), "back to the empty board");
        while board.redo() {}
        assert_eq!(board.items().len(), 1);
        match &board.items()[0].content {
            Content::Note { text, .. } => assert_eq!(text, "cold light"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_corner_drag_keeps_the_opposite_corner_and_rotation_turns_about_the_centre() {
        let mut board = Board::new("b");
        let a = board.add(image(200, 100), V2::new(100.0, 50.0));
        board.rotate_by(&[a], 0.3);
        let item = board.item(a).unwrap().clone();
        let opposite = item.corners()[0];
        let bigger = item.scaled_about(opposite, 1.5);
        assert!(close(bigger.corners()[0], opposite), "the anchor stays");
        assert!(close(bigger.size(), V2::new(300.0, 150.0)));
        let tiny = item.scaled_about(opposite, 0.0);
        assert!(tiny.scale > 0.0, "never shrinks to nothing");
        let turned = item.rotated_to(-FRAC_PI_2);
        assert!(close(turned.center, item.center));
        assert!((turned.rotation - 3.0 * FRAC_PI_2).abs() < 1e-5);
        board.replace(bigger.clone());
        assert_eq!(board.item(a), Some(&bigger));
        assert!(board.undo());
        assert_eq!(board.item(a), Some(&item), "one gesture, one undo step");
        board.replace(item.clone());
        assert!(
            board.can_redo(),
            "a gesture that changed nothing is not an edit"
        );
    }

    #[test]
    fn cropping_moves_the_window_not_the_image_even_rotated_and_flipped() {
        let mut board = Board::new("b");
        let a = board.add(image(400, 300), V2::new(-50.0, 80.0));
        board.rotate_by(&[a], 0.7);
        board.flip(&[a]);
        board.scale_by(&[a], 0.5);
        let before = board.item(a).unwrap().clone();
        // A board point over the image, and which pixel of the image it shows.
        let probe = before.center.add(V2::new(10.0, -5.0));
        let pixel = before.image_fraction(probe);
        let crop = Crop {
            left: 0.2,
            top: 0.1,
            right: 0.7,
            bottom: 0.9,
        };
        board.set_crop(a, crop);
        let after = board.item(a).unwrap();
        assert!(
            close(after.image_fraction(probe), pixel),
            "same pixel under the same point"
        );
        assert!(close(after.size(), V2::new(100.0, 120.0)));
        assert!(after.contains(probe));
        // Uncropping brings back the original placement.
        let whole = after.cropped(Crop::default());
        assert!(close(whole.center, before.center));
        // Edges stay ordered however far a handle is dragged.
        let inverted = after.cropped(Crop {
            left: 0.8,
            top: 0.5,
            right: 0.3,
            bottom: -1.0,
        });
        assert!(
            inverted.crop.right > inverted.crop.left && inverted.crop.bottom > inverted.crop.top
        );
    }

    #[test]
    fn a_board_round_trips_through_json() {
        let mut board = Board::new("Autumn");
        let a = board.add(image(640, 480), V2::new(10.0, 20.0));
        board.rotate_by(&[a], 0.5);
        board.set_crop(
            a,
            Crop {
                left: 0.1,
                top: 0.2,
                right: 0.9,
                bottom: 0.8,
            },
        );
        board.add(
            Content::Note {
                text: "rust and ochre".into(),
                width: 200.0,
                height: 60.0,
            },
            V2::new(0.0, 0.0),
        );
        let json = serde_json::to_string(&board).unwrap();
        let back: Board = serde_json::from_str(&json).unwrap();
        assert_eq!(back.name, "Autumn");
        assert_eq!(back.items(), board.items());
        let mut back = back;
        let next = back.add(image(1, 1), V2::default());
        assert!(
            board.items().iter().all(|i| i.id != next),
            "ids keep counting after a reload"
        );
    }
}
