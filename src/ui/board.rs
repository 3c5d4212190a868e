//! Moodboards: an infinite canvas of library images and notes (the scene is `domain::board`). Pan with the
//! middle button or Space+drag, zoom with the wheel at the pointer; click, Shift+click or drag a marquee to
//! select; drag to move; toolbar for arranging, sizes, order, flip, rotate, notes, Blend and Describe.
//! Every edit is saved to the library at once (`Command::SaveBoard`).

use std::time::Duration;

use egui::{Color32, Key, KeyboardShortcut, Modifiers, PointerButton, Pos2, Rect, Sense, Vec2};

use super::app::MoodgridApp;
use super::pending::{Pending, take_ready};
use super::sources::{SourceInput, SourceTarget, add_sources};
use super::toasts::ToastKind;
use crate::domain::board::{Board, Content, Item, V2, View};
use crate::engine::{Command, EngineError};
use crate::library::{ImageFile, StoredBoard, thumbnail_beside};

const GAP: f32 = 24.0;
const UNDO: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Z);
const REDO: KeyboardShortcut =
    KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::Z);

/// A change to the current board, chosen while drawing the toolbar and applied after it.
type Edit = Box<dyn FnOnce(&mut Board)>;

/// An edit of the selected items.
type SelectionEdit = fn(&mut Board, &[u64]);

/// The toolbar's edits of the selected items.
const SELECTION_ACTIONS: [(&str, SelectionEdit); 9] = [
    ("Arrange grid", |b, s| b.arrange_grid(s, GAP)),
    ("Arrange row", |b, s| b.arrange_row(s, GAP)),
    ("Same height", |b, s| b.normalize(s, true)),
    ("Same width", |b, s| b.normalize(s, false)),
    ("Rotate 90°", |b, s| {
        b.rotate_by(s, std::f32::consts::FRAC_PI_2)
    }),
    ("Flip", |b, s| b.flip(s)),
    ("To front", |b, s| b.bring_to_front(s)),
    ("To back", |b, s| b.send_to_back(s)),
    ("Delete", |b, s| b.remove(s)),
];

#[derive(Default)]
pub struct BoardsState {
    boards: Vec<(i64, Board)>,
    current: usize,
    loaded: bool,
    loading: Option<Pending<Result<Vec<StoredBoard>, EngineError>>>,
    creating: Option<Pending<Result<i64, EngineError>>>,
    /// Images waiting for a board to exist.
    waiting: Vec<Content>,
    exporting: Option<Pending<Result<Vec<u8>, EngineError>>>,
    importing: Option<Pending<Result<i64, EngineError>>>,
    view: Option<View>,
    selection: Vec<u64>,
    gesture: Option<Gesture>,
}

enum Gesture {
    /// Selected items follow the pointer; the move is recorded once, on release.
    Move {
        from: V2,
        by: V2,
    },
    Marquee {
        from: V2,
        to: V2,
    },
}

impl BoardsState {
    fn board(&self) -> Option<&Board> {
        self.boards.get(self.current).map(|(_, b)| b)
    }
}

/// Adds a job's main image to the current board (making "Board 1" when there is none).
pub fn add_image(app: &mut MoodgridApp, job: i64, image: &ImageFile) {
    let content = Content::Image {
        hash: image.record.hash.clone(),
        file: image.record.path.clone(),
        job: Some(job),
        width: image.record.width,
        height: image.record.height,
    };
    app.boards.waiting.push(content);
    ensure_loaded(app);
    place_waiting(app);
    app.toasts.push(ToastKind::Info, "Added to the board", None);
}

fn ensure_loaded(app: &mut MoodgridApp) {
    if app.boards.loaded || app.boards.loading.is_some() {
        return;
    }
    let (reply, answer) = Pending::channel();
    if app.send(Command::LoadBoards { reply }) {
        app.boards.loading = Some(answer);
    }
}

fn create_board(app: &mut MoodgridApp) {
    if app.boards.creating.is_some() {
        return;
    }
    let name = format!("Board {}", app.boards.boards.len() + 1);
    let (reply, answer) = Pending::channel();
    if app.send(Command::CreateBoard {
        board: Board::new(name),
        reply,
    }) {
        app.boards.creating = Some(answer);
    }
}

/// Puts waiting images on the current board, to the right of what is there.
fn place_waiting(app: &mut MoodgridApp) {
    if app.boards.waiting.is_empty() || !app.boards.loaded {
        return;
    }
    if app.boards.boards.is_empty() {
        create_board(app);
        return;
    }
    let waiting = std::mem::take(&mut app.boards.waiting);
    let current = app.boards.current;
    let Some((_, board)) = app.boards.boards.get_mut(current) else {
        return;
    };
    for content in waiting {
        let (w, h) = match &content {
            Content::Image { width, height, .. } => (*width as f32, *height as f32),
            Content::Note { width, height, .. } => (*width, *height),
        };
        let center = match board.bounds() {
            Some((min, max)) => V2::new(max.x + GAP + w / 2.0, min.y + h / 2.0),
            None => V2::new(w / 2.0, h / 2.0),
        };
        board.add(content, center);
    }
    app.boards.view = None;
    save(app);
}

fn save(app: &mut MoodgridApp) {
    if let Some((id, board)) = app.boards.boards.get(app.boards.current).cloned() {
        app.send(Command::SaveBoard { id, board });
    }
}

/// Sends an exported file's bytes to the engine, which stores its images and adds the board.
pub fn import(app: &mut MoodgridApp, file: Vec<u8>) {
    let (reply, answer) = Pending::channel();
    if app.send(Command::ImportBoard { file, reply }) {
        app.boards.importing = Some(answer);
    }
}

fn receive(app: &mut MoodgridApp) {
    if let Some(outcome) = take_ready(&mut app.boards.exporting) {
        match outcome {
            Some(Ok(bytes)) => {
                let name = app
                    .boards
                    .board()
                    .map_or("board".to_owned(), |b| b.name.clone());
                app.chores.save_board_file(name, bytes);
            }
            Some(Err(e)) => app.toasts.push(
                ToastKind::Error,
                format!("Could not export the board: {e}"),
                None,
            ),
            None => {}
        }
    }
    if let Some(outcome) = take_ready(&mut app.boards.importing) {
        match outcome {
            Some(Ok(_)) => {
                // Read the boards again, the imported one (newest) first.
                app.boards.loaded = false;
                app.boards.current = 0;
                app.boards.view = None;
                ensure_loaded(app);
                app.toasts.push(ToastKind::Info, "Board imported", None);
            }
            Some(Err(e)) => app.toasts.push(
                ToastKind::Error,
                format!("Could not import the board: {e}"),
                None,
            ),
            None => {}
        }
    }
    if let Some(outcome) = take_ready(&mut app.boards.loading) {
        match outcome {
            Some(Ok(stored)) => {
                app.boards.boards = stored.into_iter().map(|s| (s.id, s.board)).collect();
                app.boards.loaded = true;
            }
            Some(Err(e)) => app.toasts.push(
                ToastKind::Error,
                format!("Could not read the boards: {e}"),
                None,
            ),
            None => {}
        }
        place_waiting(app);
    }
    if let Some(outcome) = take_ready(&mut app.boards.creating) {
        match outcome {
            Some(Ok(id)) => {
                let name = format!("Board {}", app.boards.boards.len() + 1);
                app.boards.boards.insert(0, (id, Board::new(name)));
                app.boards.current = 0;
                app.boards.view = None;
                app.boards.selection.clear();
            }
            Some(Err(e)) => app.toasts.push(
                ToastKind::Error,
                format!("Could not create a board: {e}"),
                None,
            ),
            None => {}
        }
        place_waiting(app);
    }
}

pub fn show(app: &mut MoodgridApp, ui: &mut egui::Ui) {
    ensure_loaded(app);
    receive(app);
    if !app.boards.loaded {
        ui.centered_and_justified(|ui| ui.spinner());
        return;
    }
    toolbar(app, ui);
    ui.separator();
    if app.boards.board().is_none() {
        ui.centered_and_justified(|ui| {
            ui.label("No board yet: press “New board”, or “Add to board” on any image.")
        });
        return;
    }
    canvas(app, ui);
    keys(app, ui.ctx());
}

fn toolbar(app: &mut MoodgridApp, ui: &mut egui::Ui) {
    let selection = app.boards.selection.clone();
    let mut edit: Option<Edit> = None;
    ui.horizontal_wrapped(|ui| {
        let names: Vec<String> = app
            .boards
            .boards
            .iter()
            .map(|(_, b)| b.name.clone())
            .collect();
        if !names.is_empty() {
            egui::ComboBox::from_id_salt("board_choice")
                .selected_text(names.get(app.boards.current).cloned().unwrap_or_default())
                .show_ui(ui, |ui| {
                    for (index, name) in names.iter().enumerate() {
                        if ui
                            .selectable_label(index == app.boards.current, name)
                            .clicked()
                        {
                            app.boards.current = index;
                            app.boards.view = None;
                            app.boards.selection.clear();
                        }
                    }
                });
        }
        if ui.button("New board").clicked() {
            create_board(app);
        }
        let current = app.boards.boards.get(app.boards.current).map(|(id, _)| *id);
        if ui
            .add_enabled(current.is_some(), egui::Button::new("Export…"))
            .on_hover_text("One file with the board and its images")
            .clicked()
            && let Some(id) = current
        {
            let (reply, answer) = Pending::channel();
            if app.send(Command::ExportBoard { id, reply }) {
                app.boards.exporting = Some(answer);
            }
        }
        if ui.button("Import…").clicked() {
            app.chores.open_board_file();
        }
        ui.separator();
        let has = !selection.is_empty();
        let (can_undo, can_redo) = app
            .boards
            .board()
            .map_or((false, false), |b| (b.can_undo(), b.can_redo()));
        if ui
            .add_enabled(can_undo, egui::Button::new("Undo"))
            .clicked()
        {
            edit = Some(Box::new(|b| {
                b.undo();
            }));
        }
        if ui
            .add_enabled(can_redo, egui::Button::new("Redo"))
            .clicked()
        {
            edit = Some(Box::new(|b| {
                b.redo();
            }));
        }
        if ui.button("Fit").clicked() {
            app.boards.view = None;
        }
        if ui.button("Add note").clicked() {
            let at = app
                .boards
                .view
                .map_or(V2::default(), |v| v.to_board(V2::new(300.0, 200.0)));
            edit = Some(Box::new(move |b| {
                b.add(
                    Content::Note {
                        text: "Note".into(),
                        width: 240.0,
                        height: 80.0,
                    },
                    at,
                );
            }));
        }
        ui.separator();
        ui.add_enabled_ui(has, |ui| {
            for (label, action) in SELECTION_ACTIONS {
                if ui.button(label).clicked() {
                    let s = selection.clone();
                    edit = Some(Box::new(move |b| action(b, &s)));
                }
            }
        });
        ui.separator();
        let files = selected_files(app);
        let blend_ok = (2..=5).contains(&files.len());
        if ui
            .add_enabled(
                blend_ok,
                egui::Button::new(format!("Blend ({})", files.len())),
            )
            .on_disabled_hover_text("Select two to five images")
            .clicked()
        {
            app.blend.slots.clear();
            add_sources(
                app,
                SourceTarget::Blend,
                files.iter().cloned().map(SourceInput::File).collect(),
            );
        }
        if ui
            .add_enabled(files.len() == 1, egui::Button::new("Describe"))
            .on_disabled_hover_text("Select one image")
            .clicked()
        {
            add_sources(
                app,
                SourceTarget::Describe,
                files.iter().cloned().map(SourceInput::File).collect(),
            );
        }
    });
    if let Some(edit) = edit {
        apply(app, edit);
    }
}

fn apply(app: &mut MoodgridApp, edit: impl FnOnce(&mut Board)) {
    let current = app.boards.current;
    if let Some((_, board)) = app.boards.boards.get_mut(current) {
        edit(board);
        let alive: Vec<u64> = board.items().iter().map(|i| i.id).collect();
        app.boards.selection.retain(|id| alive.contains(id));
        save(app);
    }
}

/// The original files of the selected images, in the selection's order.
fn selected_files(app: &MoodgridApp) -> Vec<std::path::PathBuf> {
    let Some(board) = app.boards.board() else {
        return Vec::new();
    };
    app.boards
        .selection
        .iter()
        .filter_map(|id| match &board.item(*id)?.content {
            Content::Image { file, .. } => Some(app.data_dir().join(file)),
            Content::Note { .. } => None,
        })
        .collect()
}

fn keys(app: &mut MoodgridApp, ctx: &egui::Context) {
    if ctx.egui_wants_keyboard_input() {
        return;
    }
    let (undo, redo, delete) = ctx.input_mut(|i| {
        let redo = i.consume_shortcut(&REDO);
        (
            !redo && i.consume_shortcut(&UNDO),
            redo,
            i.key_pressed(Key::Delete) || i.key_pressed(Key::Backspace),
        )
    });
    if undo {
        apply(app, |b| {
            b.undo();
        });
    }
    if redo {
        apply(app, |b| {
            b.redo();
        });
    }
    if delete && !app.boards.selection.is_empty() {
        let s = app.boards.selection.clone();
        apply(app, move |b| b.remove(&s));
    }
}

fn v2(p: Pos2) -> V2 {
    V2::new(p.x, p.y)
}

fn pos(v: V2) -> Pos2 {
    Pos2::new(v.x, v.y)
}

fn canvas(app: &mut MoodgridApp, ui: &mut egui::Ui) {
    let (rect, response) = ui.allocate_exact_size(ui.available_size(), Sense::click_and_drag());
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, "Board canvas"));
    let Some(board) = app.boards.board().cloned() else {
        return;
    };
    let view = *app.boards.view.get_or_insert_with(|| match board.bounds() {
        Some((min, max)) => {
            let mut view = View::fit(min, max, v2(rect.size().to_pos2()), 40.0);
            view.origin = V2::new(view.origin.x + rect.min.x, view.origin.y + rect.min.y);
            view
        }
        None => View {
            origin: v2(rect.min),
            zoom: 1.0,
        },
    });
    let mut view = view;
    // Zoom at the pointer, pan with the middle button or Space + drag.
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
    app.boards.view = Some(view);

    if !panning {
        select_and_move(app, &board, &view, &response, shift);
    }
    if response.double_clicked()
        && let Some(at) = response.interact_pointer_pos()
        && let Some(id) = board.hit(view.to_board(v2(at)))
        && let Some(Content::Image { job: Some(job), .. }) =
            board.item(id).map(|i| i.content.clone())
    {
        app.open_job(job);
        return;
    }

    // Draw.
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 0.0, ui.visuals().extreme_bg_color);
    let moving = match app.boards.gesture {
        Some(Gesture::Move { by, .. }) => by,
        _ => V2::default(),
    };
    for item in board.items() {
        let selected = app.boards.selection.contains(&item.id);
        let mut item = item.clone();
        if selected {
            item.center = V2::new(item.center.x + moving.x, item.center.y + moving.y);
        }
        let corners = item.corners().map(|c| pos(view.to_screen(c)));
        let on_screen = Rect::from_points(&corners);
        if !on_screen.intersects(rect) {
            continue;
        }
        draw_item(app, ui, &painter, &item, corners, on_screen);
        let outline = if selected {
            egui::Stroke::new(2.0, ui.visuals().selection.stroke.color)
        } else {
            egui::Stroke::new(1.0, Color32::from_black_alpha(90))
        };
        let mut closed = corners.to_vec();
        closed.push(corners[0]);
        painter.add(egui::Shape::line(closed, outline));
        // An accessible handle per item (hover only: the canvas takes the clicks).
        let label = match &item.content {
            Content::Image { job: Some(job), .. } => format!("Board image: job #{job}"),
            Content::Image { .. } => "Board image".to_owned(),
            Content::Note { text, .. } => format!("Board note: {text}"),
        };
        let handle = ui.interact(
            on_screen.intersect(rect),
            ui.scope_id().with(("board_item", item.id)),
            Sense::hover(),
        );
        handle.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, &label));
    }
    if let Some(Gesture::Marquee { from, to }) = &app.boards.gesture {
        let r = Rect::from_two_pos(pos(view.to_screen(*from)), pos(view.to_screen(*to)));
        painter.rect_filled(r, 0.0, ui.visuals().selection.bg_fill.gamma_multiply(0.2));
        painter.rect_stroke(
            r,
            0.0,
            ui.visuals().selection.stroke,
            egui::StrokeKind::Middle,
        );
    }
    if app.boards.gesture.is_some() {
        ui.ctx().request_repaint_after(Duration::from_millis(16));
    }
}

fn select_and_move(
    app: &mut MoodgridApp,
    board: &Board,
    view: &View,
    response: &egui::Response,
    shift: bool,
) {
    let at = response
        .interact_pointer_pos()
        .map(|p| view.to_board(v2(p)));
    if response.clicked_by(PointerButton::Primary)
        && let Some(at) = at
    {
        match board.hit(at) {
            Some(id) if shift => {
                if let Some(i) = app.boards.selection.iter().position(|s| *s == id) {
                    app.boards.selection.remove(i);
                } else {
                    app.boards.selection.push(id);
                }
            }
            Some(id) => app.boards.selection = vec![id],
            None if !shift => app.boards.selection.clear(),
            None => {}
        }
    }
    if response.drag_started_by(PointerButton::Primary) {
        let start = response
            .ctx
            .input(|i| i.pointer.press_origin())
            .map(|p| view.to_board(v2(p)))
            .or(at);
        let Some(start) = start else { return };
        app.boards.gesture = Some(match board.hit(start) {
            Some(id) => {
                if !app.boards.selection.contains(&id) {
                    app.boards.selection = if shift {
                        [app.boards.selection.clone(), vec![id]].concat()
                    } else {
                        vec![id]
                    };
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
        });
    }
    if response.dragged_by(PointerButton::Primary)
        && let Some(now) = at
    {
        match &mut app.boards.gesture {
            Some(Gesture::Move { from, by }) => *by = V2::new(now.x - from.x, now.y - from.y),
            Some(Gesture::Marquee { to, .. }) => *to = now,
            None => {}
        }
    }
    if response.drag_stopped_by(PointerButton::Primary) {
        match app.boards.gesture.take() {
            Some(Gesture::Move { by, .. }) if by != V2::default() => {
                let s = app.boards.selection.clone();
                apply(app, move |b| b.move_by(&s, by));
            }
            Some(Gesture::Marquee { from, to }) => {
                let found = board.in_marquee(from, to);
                if shift {
                    app.boards.selection.extend(found);
                } else {
                    app.boards.selection = found;
                }
            }
            _ => {}
        }
    }
}

/// An image at the thumbnail tier that matches its size on screen (256, 512 or the original), rotated,
/// cropped and flipped as a textured quad; a note as a card with its text.
fn draw_item(
    app: &mut MoodgridApp,
    ui: &egui::Ui,
    painter: &egui::Painter,
    item: &Item,
    corners: [Pos2; 4],
    on_screen: Rect,
) {
    match &item.content {
        Content::Image { hash, file, .. } => {
            let original = app.data_dir().join(file);
            let longest = on_screen.width().max(on_screen.height());
            let path = match longest {
                l if l <= 256.0 => thumbnail_beside(&original, hash, 256),
                l if l <= 512.0 => thumbnail_beside(&original, hash, 512),
                _ => original,
            };
            let Some(texture) = app.textures.get(&path) else {
                painter.add(egui::Shape::convex_polygon(
                    corners.to_vec(),
                    ui.visuals().faint_bg_color,
                    egui::Stroke::NONE,
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
            for (corner, uv) in corners.iter().zip(uvs) {
                mesh.vertices.push(egui::epaint::Vertex {
                    pos: *corner,
                    uv,
                    color: Color32::WHITE,
                });
            }
            mesh.indices.extend([0, 1, 2, 0, 2, 3]);
            painter.add(egui::Shape::mesh(mesh));
        }
        Content::Note { text, .. } => {
            painter.add(egui::Shape::convex_polygon(
                corners.to_vec(),
                Color32::from_rgb(250, 236, 160),
                egui::Stroke::NONE,
            ));
            let zoom = app.boards.view.map_or(1.0, |v| v.zoom);
            painter.text(
                on_screen.left_top() + Vec2::splat(8.0 * zoom),
                egui::Align2::LEFT_TOP,
                text,
                egui::FontId::proportional((18.0 * zoom).clamp(6.0, 64.0)),
                Color32::from_rgb(40, 36, 20),
            );
        }
    }
}
