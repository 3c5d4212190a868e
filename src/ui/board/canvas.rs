//! The board canvas: pan (middle button or Space+drag) and zoom at the pointer; click, Shift+click and
//! marquee selection; drag to move; corner handles scale (aspect kept), the round handle rotates (Shift
//! snaps to 15°), crop mode drags the edges; double-click opens a job or edits a note; drops from the feed
//! land where they are released. Gestures are previewed on a copy of the item and committed on release as
//! one undoable edit.

use std::time::Duration;

use egui::{Color32, CursorIcon, Key, PointerButton, Pos2, Rect, Sense, Stroke, Vec2};

use crate::domain::board::{Board, Content, Crop, Item, V2, View};
use crate::imaging::board_render::{self, NOTE_FONT, NOTE_MARGIN};
use crate::library::thumbnail_beside;
use crate::ui::board::state::{
    BoardsState, CanvasState, DraggedJobs, Edit, Gesture, Handle, apply, pos, v2,
};
use crate::ui::runtime::intents::Intent;
use crate::ui::runtime::services::Services;

/// Screen radius within which a handle is grabbed.
const HANDLE: f32 = 7.0;
/// Screen distance of the rotate handle above the top edge.
const ROTATE_ARM: f32 = 26.0;
const fn rgb([r, g, b]: [u8; 3]) -> Color32 {
    Color32::from_rgb(r, g, b)
}
// The window draws with the render's colours and sizes, so a rendered PNG looks like the canvas.
const BACKGROUND: Color32 = rgb(board_render::BACKGROUND);
const NOTE_COLOR: Color32 = rgb(board_render::NOTE_COLOR);
const NOTE_TEXT: Color32 = rgb(board_render::NOTE_TEXT);
/// Selection, drop targets and the marquee: the canvas is dark in both themes (it looks like the render).
const SELECTION: Color32 = crate::ui::kit::theme::DARK.accent;

/// The one selected item when it is an image (crop applies to images only).
pub fn single_selected_image(boards: &BoardsState) -> Option<u64> {
    let [id] = boards.canvas.selection[..] else {
        return None;
    };
    let item = boards.board()?.item(id)?;
    matches!(item.content, Content::Image { .. }).then_some(id)
}

pub fn toggle_crop(boards: &mut BoardsState) {
    let image = single_selected_image(boards);
    let canvas = &mut boards.canvas;
    canvas.cropping = match canvas.cropping {
        Some(_) => None,
        None => image,
    };
}

/// Adds an empty note in the middle of the view and starts typing into it.
pub fn add_note(boards: &mut BoardsState, services: &mut Services) {
    let canvas = &boards.canvas;
    let (at, zoom) = match (canvas.view, canvas.rect) {
        (Some(view), Some(rect)) => (view.to_board(v2(rect.center())), view.zoom),
        _ => (V2::default(), 1.0),
    };
    let mut added = None;
    // 240 × 120 screen pixels at the current zoom, so the text is readable as typed.
    apply(boards, services, |b| {
        added = Some(b.add_scaled(
            Content::Note {
                text: String::new(),
                width: 240.0,
                height: 120.0,
            },
            at,
            1.0 / zoom,
        ));
    });
    if let Some(id) = added {
        boards.canvas.selection = vec![id];
        boards.canvas.editing = Some((id, String::new()));
    }
}

/// Board keys that need the canvas: 0 fit, 1 100%, + and - zoom, C crop, N note, Esc, Enter, arrows
/// nudge.
pub fn keys(boards: &mut BoardsState, services: &mut Services, ctx: &egui::Context) {
    let (zoom_in, zoom_out) = ctx.input(|i| {
        (
            i.key_pressed(Key::Plus) || i.key_pressed(Key::Equals),
            i.key_pressed(Key::Minus),
        )
    });
    if zoom_in {
        boards.canvas.zoom_by(1.25);
    }
    if zoom_out {
        boards.canvas.zoom_by(0.8);
    }
    let (fit, actual, crop, note, escape, enter, nudge) = ctx.input(|i| {
        let step = if i.modifiers.shift { 10.0 } else { 1.0 };
        let nudge = [
            (Key::ArrowLeft, Vec2::new(-step, 0.0)),
            (Key::ArrowRight, Vec2::new(step, 0.0)),
            (Key::ArrowUp, Vec2::new(0.0, -step)),
            (Key::ArrowDown, Vec2::new(0.0, step)),
        ]
        .iter()
        .filter(|(k, _)| i.key_pressed(*k))
        .fold(Vec2::ZERO, |sum, (_, d)| sum + *d);
        (
            i.key_pressed(Key::Num0),
            i.key_pressed(Key::Num1),
            i.key_pressed(Key::C) && i.modifiers.is_none(),
            i.key_pressed(Key::N) && i.modifiers.is_none(),
            i.key_pressed(Key::Escape),
            i.key_pressed(Key::Enter),
            nudge,
        )
    });
    let canvas = &mut boards.canvas;
    if fit {
        canvas.view = None;
    }
    if actual {
        canvas.actual_size();
    }
    if crop {
        toggle_crop(boards);
    }
    if note {
        add_note(boards, services);
    }
    let canvas = &mut boards.canvas;
    if escape || enter {
        if canvas.cropping.is_some() {
            canvas.cropping = None;
        } else if escape {
            canvas.selection.clear();
        }
    }
    if nudge != Vec2::ZERO && !canvas.selection.is_empty() {
        // Screen pixels, so a nudge looks the same at every zoom.
        let zoom = canvas.view.map_or(1.0, |v| v.zoom);
        let by = V2::new(nudge.x / zoom, nudge.y / zoom);
        let s = canvas.selection.clone();
        apply(boards, services, move |b| b.move_by(&s, by));
    }
}

pub fn show(boards: &mut BoardsState, services: &mut Services, ui: &mut egui::Ui) {
    let (rect, response) = ui.allocate_exact_size(ui.available_size(), Sense::click_and_drag());
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, "Board canvas"));
    // The board is taken out while drawing (no per-frame copy) and put back before any edit.
    let Some(board) = boards.board_mut().map(std::mem::take) else {
        return;
    };
    let edit = interact_and_draw(boards, services, ui, &board, rect, &response);
    if let Some(slot) = boards.board_mut() {
        *slot = board;
    }
    match edit {
        Outcome::Edit(edit) => apply(boards, services, edit),
        Outcome::OpenJob(job) => services.open_job(job),
        Outcome::Drop(jobs, at) => services.ask(Intent::AddToBoard {
            jobs,
            at: Some(at),
            open: true,
        }),
        Outcome::Nothing => {}
    }
}

enum Outcome {
    Nothing,
    Edit(Edit),
    OpenJob(i64),
    Drop(Vec<i64>, V2),
}

fn interact_and_draw(
    boards: &mut BoardsState,
    services: &mut Services,
    ui: &mut egui::Ui,
    board: &Board,
    rect: Rect,
    response: &egui::Response,
) -> Outcome {
    let canvas = &mut boards.canvas;
    canvas.rect = Some(rect);
    let mut view = *canvas.view.get_or_insert_with(|| fit(board, rect));
    let (scroll, space, shift) = ui.input(|i| {
        (
            i.smooth_scroll_delta.y,
            i.key_down(Key::Space),
            i.modifiers.shift,
        )
    });
    if let Some(pointer) = response.hover_pos()
        && scroll != 0.0
    {
        view.zoom_at(v2(pointer), (scroll / 300.0).exp());
    }
    let panning = response.dragged_by(PointerButton::Middle)
        || (space && response.dragged_by(PointerButton::Primary));
    if panning {
        let d = response.drag_delta();
        view.origin = V2::new(view.origin.x + d.x, view.origin.y + d.y);
    }
    canvas.view = Some(view);

    let mut outcome = Outcome::Nothing;
    if let Some(dropped) = response.dnd_release_payload::<DraggedJobs>()
        && let Some(at) = response.hover_pos()
    {
        outcome = Outcome::Drop(dropped.0.clone(), view.to_board(v2(at)));
    }
    if !panning && let Some(edit) = gestures(boards, ui, board, &view, response, shift) {
        outcome = Outcome::Edit(edit);
    }
    if response.double_clicked()
        && let Some(at) = response.interact_pointer_pos()
        && let Some(item) = board
            .hit(view.to_board(v2(at)))
            .and_then(|id| board.item(id))
    {
        match &item.content {
            Content::Image { job: Some(job), .. } => return Outcome::OpenJob(*job),
            Content::Note { text, .. } => {
                boards.canvas.editing = Some((item.id, text.clone()));
            }
            Content::Image { .. } => {}
        }
    }

    draw(boards, services, ui, board, &view, rect);
    if let Some(edit) = note_editor(boards, ui, board, &view) {
        outcome = Outcome::Edit(edit);
    }
    if response.dnd_hover_payload::<DraggedJobs>().is_some() {
        ui.painter().rect_stroke(
            rect.shrink(2.0),
            4.0,
            Stroke::new(3.0, SELECTION),
            egui::StrokeKind::Inside,
        );
    }
    if boards.canvas.gesture.is_some() {
        ui.ctx().request_repaint_after(Duration::from_millis(16));
    }
    outcome
}

fn fit(board: &Board, rect: Rect) -> View {
    match board.bounds() {
        Some((min, max)) => {
            let mut view = View::fit(min, max, v2(rect.size().to_pos2()), 40.0);
            view.origin = V2::new(view.origin.x + rect.min.x, view.origin.y + rect.min.y);
            view
        }
        None => View {
            origin: v2(rect.min),
            zoom: 1.0,
        },
    }
}

/// The handles of the one selected item, in screen space.
fn handles(item: &Item, view: &View, cropping: bool) -> Vec<(Handle, Pos2)> {
    let corners = item.corners().map(|c| pos(view.to_screen(c)));
    if cropping {
        let mid = |a: usize, b: usize| corners[a] + (corners[b] - corners[a]) / 2.0;
        return vec![
            (Handle::Crop([true, true, false, false]), corners[0]),
            (Handle::Crop([false, true, true, false]), corners[1]),
            (Handle::Crop([false, false, true, true]), corners[2]),
            (Handle::Crop([true, false, false, true]), corners[3]),
            (Handle::Crop([false, true, false, false]), mid(0, 1)),
            (Handle::Crop([false, false, true, false]), mid(1, 2)),
            (Handle::Crop([false, false, false, true]), mid(2, 3)),
            (Handle::Crop([true, false, false, false]), mid(3, 0)),
        ];
    }
    let mut all: Vec<(Handle, Pos2)> = corners
        .iter()
        .enumerate()
        .map(|(n, c)| (Handle::Corner(n), *c))
        .collect();
    let top = corners[0] + (corners[1] - corners[0]) / 2.0;
    let center = pos(view.to_screen(item.center));
    let outward = (top - center).normalized();
    all.push((Handle::Rotate, top + outward * ROTATE_ARM));
    all
}

/// The item as it would be with `handle` dragged to the board point `to`.
fn drag_handle(original: &Item, handle: Handle, to: V2, snap: bool) -> Item {
    match handle {
        Handle::Corner(n) => {
            let corners = original.corners();
            let anchor = corners[(n + 2) % 4];
            let diagonal = V2::new(corners[n].x - anchor.x, corners[n].y - anchor.y);
            let pulled = V2::new(to.x - anchor.x, to.y - anchor.y);
            let length = diagonal.x * diagonal.x + diagonal.y * diagonal.y;
            let factor = (pulled.x * diagonal.x + pulled.y * diagonal.y) / length.max(1e-6);
            original.scaled_about(anchor, factor)
        }
        Handle::Rotate => {
            let (dx, dy) = (to.x - original.center.x, to.y - original.center.y);
            let mut angle = dy.atan2(dx) + std::f32::consts::FRAC_PI_2;
            if snap {
                let step = 15f32.to_radians();
                angle = (angle / step).round() * step;
            }
            original.rotated_to(angle)
        }
        Handle::Crop([left, top, right, bottom]) => {
            let at = original.image_fraction(to);
            // A flipped image shows its right edge on the left.
            let (left, right) = if original.flipped {
                (right, left)
            } else {
                (left, right)
            };
            let c = original.crop;
            original.cropped(Crop {
                left: if left { at.x } else { c.left },
                right: if right { at.x } else { c.right },
                top: if top { at.y } else { c.top },
                bottom: if bottom { at.y } else { c.bottom },
            })
        }
    }
}

fn cursor_for(handle: Handle) -> CursorIcon {
    match handle {
        Handle::Corner(0 | 2) | Handle::Crop([true, true, _, _] | [_, _, true, true]) => {
            CursorIcon::ResizeNwSe
        }
        Handle::Corner(_) | Handle::Crop([_, true, true, _] | [true, _, _, true]) => {
            CursorIcon::ResizeNeSw
        }
        Handle::Rotate => CursorIcon::Alias,
        Handle::Crop([true, ..] | [_, _, true, _]) => CursorIcon::ResizeHorizontal,
        Handle::Crop(_) => CursorIcon::ResizeVertical,
    }
}

/// Selection, moves, marquees and handle drags; returns the edit a finished gesture makes.
fn gestures(
    boards: &mut BoardsState,
    ui: &egui::Ui,
    board: &Board,
    view: &View,
    response: &egui::Response,
    shift: bool,
) -> Option<Edit> {
    let canvas = &mut boards.canvas;
    let single = match canvas.selection[..] {
        [id] => board.item(id),
        _ => None,
    };
    let cropping = single.is_some_and(|i| canvas.cropping == Some(i.id));
    if !cropping {
        canvas.cropping = None;
    }
    let near = |p: Pos2| {
        single.and_then(|item| {
            handles(item, view, cropping)
                .into_iter()
                .find(|(_, h)| h.distance(p) <= HANDLE)
                .map(|(handle, _)| (item, handle))
        })
    };
    if let Some(hover) = response.hover_pos()
        && let Some((_, handle)) = near(hover)
    {
        ui.ctx().set_cursor_icon(cursor_for(handle));
    }
    let at = response
        .interact_pointer_pos()
        .map(|p| view.to_board(v2(p)));
    if response.clicked_by(PointerButton::Primary)
        && let Some(at) = at
    {
        click(canvas, board, at, shift);
    }
    if response.drag_started_by(PointerButton::Primary) {
        let origin = response.ctx.input(|i| i.pointer.press_origin());
        let start = origin.map(|p| view.to_board(v2(p))).or(at)?;
        canvas.gesture = Some(match origin.and_then(near) {
            Some((item, handle)) => Gesture::Handle {
                original: Box::new(item.clone()),
                handle,
                preview: Box::new(item.clone()),
            },
            None => match board.hit(start) {
                Some(id) => {
                    if !canvas.selection.contains(&id) {
                        if !shift {
                            canvas.selection.clear();
                        }
                        canvas.selection.push(id);
                    }
                    Gesture::Move {
                        from: start,
                        by: V2::default(),
                    }
                }
                None => Gesture::Marquee {
                    from: start,
                    to: start,
                },
            },
        });
    }
    if response.dragged_by(PointerButton::Primary)
        && let Some(now) = at
    {
        match &mut canvas.gesture {
            Some(Gesture::Move { from, by }) => *by = V2::new(now.x - from.x, now.y - from.y),
            Some(Gesture::Marquee { to, .. }) => *to = now,
            Some(Gesture::Handle {
                original,
                handle,
                preview,
            }) => **preview = drag_handle(original, *handle, now, shift),
            None => {}
        }
    }
    if !response.drag_stopped_by(PointerButton::Primary) {
        return None;
    }
    released(canvas, board, shift)
}

/// A click selects the item under it (Shift adds or removes it); on the background it clears the selection.
fn click(canvas: &mut CanvasState, board: &Board, at: V2, shift: bool) {
    match board.hit(at) {
        Some(id) if shift => {
            if let Some(i) = canvas.selection.iter().position(|s| *s == id) {
                canvas.selection.remove(i);
            } else {
                canvas.selection.push(id);
            }
        }
        Some(id) => canvas.selection = vec![id],
        None if !shift => canvas.selection.clear(),
        None => {}
    }
}

/// The gesture ends on release: a move or a handle becomes one edit (one undo step), a marquee a selection.
fn released(canvas: &mut CanvasState, board: &Board, shift: bool) -> Option<Edit> {
    match canvas.gesture.take()? {
        Gesture::Move { by, .. } if by != V2::default() => {
            let s = canvas.selection.clone();
            Some(Box::new(move |b: &mut Board| b.move_by(&s, by)))
        }
        Gesture::Move { .. } => None,
        Gesture::Marquee { from, to } => {
            let found = board.in_marquee(from, to);
            if shift {
                canvas.selection.extend(found);
            } else {
                canvas.selection = found;
            }
            None
        }
        Gesture::Handle { preview, .. } => Some(Box::new(move |b: &mut Board| b.replace(*preview))),
    }
}

/// The item as the running gesture shows it.
fn as_shown(canvas: &CanvasState, item: &Item) -> Item {
    match &canvas.gesture {
        Some(Gesture::Move { by, .. }) if canvas.selection.contains(&item.id) => Item {
            center: V2::new(item.center.x + by.x, item.center.y + by.y),
            ..item.clone()
        },
        Some(Gesture::Handle { preview, .. }) if preview.id == item.id => (**preview).clone(),
        _ => item.clone(),
    }
}

fn draw(
    boards: &mut BoardsState,
    services: &mut Services,
    ui: &egui::Ui,
    board: &Board,
    view: &View,
    rect: Rect,
) {
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 0.0, BACKGROUND);
    let selection_color = SELECTION;
    let mut single = None;
    for item in board.items() {
        let item = as_shown(&boards.canvas, item);
        let selected = boards.canvas.selection.contains(&item.id);
        let cropping = boards.canvas.cropping == Some(item.id);
        if cropping {
            // The whole image, dimmed, around the part that stays.
            let whole = item.cropped(Crop::default());
            let corners = whole.corners().map(|c| pos(view.to_screen(c)));
            draw_item(services, ui, &painter, view, &whole, corners, 0.3);
        }
        let corners = item.corners().map(|c| pos(view.to_screen(c)));
        let on_screen = Rect::from_points(&corners);
        if !on_screen.intersects(rect) {
            continue;
        }
        draw_item(services, ui, &painter, view, &item, corners, 1.0);
        let outline = if selected {
            Stroke::new(2.0, selection_color)
        } else {
            Stroke::new(1.0, Color32::from_black_alpha(90))
        };
        painter.add(egui::Shape::closed_line(corners.to_vec(), outline));
        if selected && boards.canvas.selection.len() == 1 {
            single = Some((item.clone(), cropping));
        }
        // An accessible handle per item (hover only: the canvas takes the clicks).
        let label = match &item.content {
            Content::Image { job: Some(job), .. } => format!("Board image: job #{job}"),
            Content::Image { .. } => "Board image: your file".to_owned(),
            Content::Note { text, .. } => format!("Board note: {text}"),
        };
        let handle = ui.interact(
            on_screen.intersect(rect),
            ui.scope_id().with(("board_item", item.id)),
            Sense::hover(),
        );
        handle.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, &label));
    }
    if let Some((item, cropping)) = single {
        for (handle, at) in handles(&item, view, cropping) {
            if handle == Handle::Rotate {
                let top = pos(view.to_screen(item.corners()[0]))
                    + (pos(view.to_screen(item.corners()[1]))
                        - pos(view.to_screen(item.corners()[0])))
                        / 2.0;
                painter.line_segment([top, at], Stroke::new(1.5, selection_color));
                painter.circle(
                    at,
                    HANDLE - 1.0,
                    Color32::WHITE,
                    Stroke::new(1.5, selection_color),
                );
            } else {
                painter.rect(
                    Rect::from_center_size(at, Vec2::splat(2.0 * HANDLE - 4.0)),
                    1.0,
                    Color32::WHITE,
                    Stroke::new(1.5, selection_color),
                    egui::StrokeKind::Middle,
                );
            }
        }
    }
    if let Some(Gesture::Marquee { from, to }) = &boards.canvas.gesture {
        let r = Rect::from_two_pos(pos(view.to_screen(*from)), pos(view.to_screen(*to)));
        painter.rect_filled(r, 0.0, SELECTION.gamma_multiply(0.2));
        painter.rect_stroke(
            r,
            0.0,
            Stroke::new(1.0, SELECTION),
            egui::StrokeKind::Middle,
        );
    }
}

/// The thumbnail tier that matches an image's longest side on screen: 256, 512 or the original.
fn tiers(original: std::path::PathBuf, hash: &str, longest: f32) -> Vec<std::path::PathBuf> {
    let t256 = thumbnail_beside(&original, hash, 256);
    let t512 = thumbnail_beside(&original, hash, 512);
    match longest {
        l if l <= 256.0 => vec![t256],
        l if l <= 512.0 => vec![t512, t256],
        _ => vec![original, t512, t256],
    }
}

/// An image as a textured quad (rotated, cropped, flipped) at the tier its on-screen size needs, with a
/// smaller tier standing in while that loads; a note as a card with its wrapped text.
fn draw_item(
    services: &mut Services,
    ui: &egui::Ui,
    painter: &egui::Painter,
    view: &View,
    item: &Item,
    corners: [Pos2; 4],
    opacity: f32,
) {
    match &item.content {
        Content::Image { hash, file, .. } => {
            let on_screen = Rect::from_points(&corners);
            let mut wanted = tiers(
                services.data_dir().join(file),
                hash,
                on_screen.width().max(on_screen.height())
                    / (item.crop.right - item.crop.left).max(0.01),
            )
            .into_iter();
            let texture = wanted
                .next()
                .and_then(|best| services.textures.get(&best))
                .or_else(|| wanted.find_map(|p| services.textures.peek(&p)));
            let Some(texture) = texture else {
                painter.add(egui::Shape::convex_polygon(
                    corners.to_vec(),
                    ui.visuals().faint_bg_color,
                    Stroke::NONE,
                ));
                return;
            };
            let c = item.crop;
            let (left, right) = if item.flipped {
                (c.right, c.left)
            } else {
                (c.left, c.right)
            };
            let uvs = [
                Pos2::new(left, c.top),
                Pos2::new(right, c.top),
                Pos2::new(right, c.bottom),
                Pos2::new(left, c.bottom),
            ];
            let mut mesh = egui::Mesh::with_texture(texture.id());
            let tint = Color32::WHITE.gamma_multiply(opacity);
            for (corner, uv) in corners.iter().zip(uvs) {
                mesh.vertices.push(egui::epaint::Vertex {
                    pos: *corner,
                    uv,
                    color: tint,
                });
            }
            mesh.indices.extend([0, 1, 2, 0, 2, 3]);
            painter.add(egui::Shape::mesh(mesh));
        }
        Content::Note { text, width, .. } => {
            painter.add(egui::Shape::convex_polygon(
                corners.to_vec(),
                NOTE_COLOR,
                Stroke::NONE,
            ));
            let zoom = view.zoom * item.scale;
            let font = egui::FontId::proportional((NOTE_FONT * zoom).clamp(1.0, 200.0));
            let (shown, color) = if text.is_empty() {
                ("Double-click to write", NOTE_TEXT.gamma_multiply(0.5))
            } else {
                (text.as_str(), NOTE_TEXT)
            };
            let wrap = ((width - 2.0 * NOTE_MARGIN) * zoom).max(1.0);
            let galley = painter.layout(shown.to_owned(), font, color, wrap);
            let margin = NOTE_MARGIN * zoom;
            let on_screen = Rect::from_points(&corners);
            // The margin runs along the note's own (rotated) edges.
            let across = (corners[1] - corners[0]).normalized();
            let down = (corners[3] - corners[0]).normalized();
            let text_at = corners[0] + (across + down) * margin;
            let clip = painter.with_clip_rect(on_screen.intersect(painter.clip_rect()));
            let mut shape = egui::epaint::TextShape::new(text_at, galley, color);
            shape.angle = item.rotation;
            clip.add(shape);
        }
    }
}

/// The text field over a note being edited; its text is committed when the field loses focus.
fn note_editor(
    boards: &mut BoardsState,
    ui: &mut egui::Ui,
    board: &Board,
    view: &View,
) -> Option<Edit> {
    let (id, text) = boards.canvas.editing.as_mut()?;
    let id = *id;
    let Some(item) = board.item(id) else {
        boards.canvas.editing = None;
        return None;
    };
    let corners = item.corners().map(|c| pos(view.to_screen(c)));
    let rect = Rect::from_points(&corners);
    let zoom = view.zoom * item.scale;
    let field = ui.put(
        rect,
        egui::TextEdit::multiline(text)
            .font(egui::FontId::proportional(
                (NOTE_FONT * zoom).clamp(8.0, 64.0),
            ))
            .hint_text("Type a note; click outside when done")
            .id_salt(("note_editor", id)),
    );
    if !field.has_focus() && !field.lost_focus() {
        field.request_focus();
    }
    if !field.lost_focus() {
        return None;
    }
    let (_, text) = boards.canvas.editing.take()?;
    let unchanged = matches!(&item.content, Content::Note { text: t, .. } if *t == text);
    if unchanged {
        return None;
    }
    Some(Box::new(move |b: &mut Board| b.set_note_text(id, text)))
}
