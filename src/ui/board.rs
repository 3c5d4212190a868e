//! Moodboards: the library's boards (choose, create, rename, delete, export, import, render), the toolbar,
//! and how images arrive on a board: "Add to board" on a job, a drag from the feed or the gallery, files
//! dropped, pasted or picked. The canvas (pan, zoom, select, handles, drawing) is `board_canvas`; the scene
//! itself is `domain::board`. Every edit is saved to the library at once (`Command::SaveBoard`).

use egui::{Key, KeyboardShortcut, Modifiers, Pos2};

use super::app::MoodgridApp;
use super::board_canvas::{self, CanvasState};
use super::pending::{Pending, take_ready};
use super::sources::{SourceInput, SourceTarget, add_sources};
use super::toasts::ToastKind;
use super::{History, REDO, UNDO, history_keys};
use crate::domain::board::{Board, Content, V2};
use crate::domain::prompt::with_image_prompts;
use crate::engine::{Command, EngineError, ImageInput};
use crate::library::{ImageFile, StoredBoard, StoredImage};

pub(super) const GAP: f32 = 24.0;
const SELECT_ALL: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::A);
/// Render scales offered for "Render PNG…" (board units to pixels).
const RENDER_SCALES: [f32; 4] = [0.25, 0.5, 1.0, 2.0];

/// A change to the current board, chosen while drawing and applied after.
pub(super) type Edit = Box<dyn FnOnce(&mut Board)>;

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

/// Jobs being dragged (from the feed or the gallery) towards a board.
#[derive(Debug, Clone)]
pub struct DraggedJobs(pub Vec<i64>);

/// Something about to be placed: where on the board, if the user chose (a drop), else beside the rest.
struct Arrival {
    content: Content,
    at: Option<V2>,
}

type StoreReply = Vec<Result<StoredImage, String>>;

#[derive(Default)]
pub struct BoardsState {
    boards: Vec<(i64, Board)>,
    current: usize,
    loaded: bool,
    loading: Option<Pending<Result<Vec<StoredBoard>, EngineError>>>,
    creating: Option<Pending<Result<i64, EngineError>>>,
    deleting: Option<Pending<Result<(), EngineError>>>,
    /// Images waiting for a board to exist.
    waiting: Vec<Arrival>,
    /// The user's files on their way into the library, with where they were dropped.
    storing: Vec<(Pending<StoreReply>, Option<V2>)>,
    exporting: Option<Pending<Result<Vec<u8>, EngineError>>>,
    importing: Option<Pending<Result<i64, EngineError>>>,
    renaming: Option<String>,
    confirm_delete: bool,
    pub(super) canvas: CanvasState,
}

impl BoardsState {
    pub(super) fn board(&self) -> Option<&Board> {
        self.boards.get(self.current).map(|(_, b)| b)
    }

    pub(super) fn board_mut(&mut self) -> Option<&mut Board> {
        self.boards.get_mut(self.current).map(|(_, b)| b)
    }

    fn switch_to(&mut self, index: usize) {
        self.current = index;
        self.canvas = CanvasState::default();
    }
}

/// Adds a job's main image to the current board (making "Board 1" when there is none).
pub fn add_image(app: &mut MoodgridApp, job: i64, image: &ImageFile) {
    arrive(app, vec![job_image(job, image)], None);
    app.toasts.push(ToastKind::Info, "Added to the board", None);
}

fn job_image(job: i64, image: &ImageFile) -> Content {
    Content::Image {
        hash: image.record.hash.clone(),
        file: image.record.path.clone(),
        job: Some(job),
        width: image.record.width,
        height: image.record.height,
    }
}

/// Adds the main image of each job, at a board point when they were dropped there.
pub fn add_jobs(app: &mut MoodgridApp, jobs: &[i64], at: Option<V2>) {
    let mut contents = Vec::new();
    for job in jobs {
        match app.jobs.main_image(*job) {
            Some(image) => contents.push(job_image(*job, &image.clone())),
            None => app.toasts.push(
                ToastKind::Error,
                format!("Job #{job} has no image to put on a board yet"),
                Some(*job),
            ),
        }
    }
    arrive(app, contents, at);
}

/// The user's own files or pasted pixels: kept in the library first (a board must not depend on files
/// elsewhere), then placed. `screen_at` is where they were dropped.
pub fn add_inputs(app: &mut MoodgridApp, inputs: Vec<SourceInput>, screen_at: Option<Pos2>) {
    let at = screen_at.and_then(|p| app.boards.canvas.to_board(p));
    let mut files = Vec::new();
    for input in inputs {
        match input {
            SourceInput::File(path) => files.push(ImageInput::File(path)),
            SourceInput::Pixels { name, image } => app.chores.encode_pasted(name, image, at),
        }
    }
    store(app, files, at);
}

/// Sends images to the library's store; they are placed when it answers.
pub fn store(app: &mut MoodgridApp, inputs: Vec<ImageInput>, at: Option<V2>) {
    if inputs.is_empty() {
        return;
    }
    let (reply, answer) = Pending::channel();
    if app.send(Command::StoreImages { inputs, reply }) {
        app.boards.storing.push((answer, at));
    }
}

fn arrive(app: &mut MoodgridApp, contents: Vec<Content>, at: Option<V2>) {
    if contents.is_empty() {
        return;
    }
    app.boards
        .waiting
        .extend(contents.into_iter().map(|content| Arrival { content, at }));
    ensure_loaded(app);
    place_waiting(app);
}

/// Starts a drag of jobs towards a board when `response` (a feed row or a gallery tile) starts dragging.
pub fn drag_source(ui: &egui::Ui, response: &egui::Response, jobs: Vec<i64>) {
    if response.drag_started_by(egui::PointerButton::Primary) {
        egui::DragAndDrop::set_payload(ui.ctx(), DraggedJobs(jobs));
    }
}

/// While jobs are dragged, a small card follows the pointer saying what is carried.
pub fn show_drag_preview(ctx: &egui::Context) {
    let Some(dragged) = egui::DragAndDrop::payload::<DraggedJobs>(ctx) else {
        return;
    };
    let Some(pointer) = ctx.pointer_latest_pos() else {
        return;
    };
    let text = match dragged.0.len() {
        1 => format!("Job #{} → board", dragged.0[0]),
        n => format!("{n} jobs → board"),
    };
    egui::Area::new(egui::Id::unique("board_drag_preview"))
        .order(egui::Order::Tooltip)
        .fixed_pos(pointer + egui::vec2(14.0, 14.0))
        .interactable(false)
        .show(ctx, |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| ui.label(text));
        });
    ctx.set_cursor_icon(egui::CursorIcon::Grabbing);
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

/// Puts waiting images on the current board: where they were dropped (side by side), else to the right
/// of what is there. Large images land scaled to a comfortable size on screen; the new items are selected.
fn place_waiting(app: &mut MoodgridApp) {
    if app.boards.waiting.is_empty() || !app.boards.loaded {
        return;
    }
    if app.boards.boards.is_empty() {
        create_board(app);
        return;
    }
    let waiting = std::mem::take(&mut app.boards.waiting);
    let comfortable = app.boards.canvas.comfortable_size();
    let Some(board) = app.boards.board_mut() else {
        return;
    };
    let mut added = Vec::new();
    let mut next_at: Option<V2> = None;
    let refit = waiting.iter().any(|a| a.at.is_none());
    for Arrival { content, at } in waiting {
        let natural = match &content {
            Content::Image { width, height, .. } => V2::new(*width as f32, *height as f32),
            Content::Note { width, height, .. } => V2::new(*width, *height),
        };
        let scale = match (at, comfortable) {
            (Some(_), Some(limit)) => (limit / natural.x.max(natural.y).max(1.0)).min(1.0),
            _ => 1.0,
        };
        let (w, h) = (natural.x * scale, natural.y * scale);
        let center = match at {
            Some(at) => {
                let left = next_at.map_or(at.x - w / 2.0, |n| n.x);
                next_at = Some(V2::new(left + w + GAP, at.y));
                V2::new(left + w / 2.0, at.y)
            }
            None => match board.bounds() {
                Some((min, max)) => V2::new(max.x + GAP + w / 2.0, min.y + h / 2.0),
                None => V2::new(w / 2.0, h / 2.0),
            },
        };
        added.push(board.add_scaled(content, center, scale));
    }
    app.boards.canvas.selection = added;
    if refit {
        app.boards.canvas.view = None;
    }
    save(app);
}

pub(super) fn save(app: &mut MoodgridApp) {
    if let Some((id, board)) = app.boards.boards.get(app.boards.current).cloned() {
        app.send(Command::SaveBoard { id, board });
    }
}

/// Applies an edit to the current board, drops vanished items from the selection, and saves.
pub(super) fn apply(app: &mut MoodgridApp, edit: impl FnOnce(&mut Board)) {
    let Some(board) = app.boards.board_mut() else {
        return;
    };
    edit(board);
    let alive: Vec<u64> = board.items().iter().map(|i| i.id).collect();
    app.boards.canvas.selection.retain(|id| alive.contains(id));
    save(app);
}

/// Sends an exported file's bytes to the engine, which stores its images and adds the board.
pub fn import(app: &mut MoodgridApp, file: Vec<u8>) {
    let (reply, answer) = Pending::channel();
    if app.send(Command::ImportBoard { file, reply }) {
        app.boards.importing = Some(answer);
    }
}

/// Reads the boards again, newest first (after an import or a delete).
fn reload(app: &mut MoodgridApp) {
    app.boards.loaded = false;
    app.boards.switch_to(0);
    ensure_loaded(app);
}

fn failed(app: &mut MoodgridApp, what: &str, error: impl std::fmt::Display) {
    app.toasts
        .push(ToastKind::Error, format!("Could not {what}: {error}"), None);
}

fn receive(app: &mut MoodgridApp) {
    if let Some(Some(outcome)) = take_ready(&mut app.boards.exporting) {
        match outcome {
            Ok(bytes) => {
                let name = app
                    .boards
                    .board()
                    .map_or("board".to_owned(), |b| b.name.clone());
                app.chores.save_board_file(name, bytes);
            }
            Err(e) => failed(app, "export the board", e),
        }
    }
    if let Some(Some(outcome)) = take_ready(&mut app.boards.importing) {
        match outcome {
            Ok(_) => {
                reload(app);
                app.toasts.push(ToastKind::Info, "Board imported", None);
            }
            Err(e) => failed(app, "import the board", e),
        }
    }
    if let Some(Some(outcome)) = take_ready(&mut app.boards.deleting) {
        match outcome {
            Ok(()) => reload(app),
            Err(e) => failed(app, "delete the board", e),
        }
    }
    if let Some(outcome) = take_ready(&mut app.boards.loading) {
        match outcome {
            Some(Ok(stored)) => {
                app.boards.boards = stored.into_iter().map(|s| (s.id, s.board)).collect();
                app.boards.loaded = true;
            }
            Some(Err(e)) => failed(app, "read the boards", e),
            None => {}
        }
        place_waiting(app);
    }
    if let Some(outcome) = take_ready(&mut app.boards.creating) {
        match outcome {
            Some(Ok(id)) => {
                let name = format!("Board {}", app.boards.boards.len() + 1);
                app.boards.boards.insert(0, (id, Board::new(name)));
                app.boards.switch_to(0);
            }
            Some(Err(e)) => failed(app, "create a board", e),
            None => {}
        }
        place_waiting(app);
    }
    receive_stored(app);
}

/// Places the user's images the library has kept, and says which could not be kept and why.
fn receive_stored(app: &mut MoodgridApp) {
    let mut done = Vec::new();
    app.boards
        .storing
        .retain_mut(|(pending, at)| match pending.poll() {
            super::pending::Poll::Waiting => true,
            super::pending::Poll::Ready(results) => {
                done.push((results, *at));
                false
            }
            super::pending::Poll::Lost => false,
        });
    for (results, at) in done {
        let mut contents = Vec::new();
        for result in results {
            match result {
                Ok(stored) => contents.push(Content::Image {
                    hash: stored.hash,
                    file: stored.relative_path,
                    job: None,
                    width: stored.width,
                    height: stored.height,
                }),
                Err(message) => app.toasts.push(ToastKind::Error, message, None),
            }
        }
        arrive(app, contents, at);
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
    confirm_delete(app, ui.ctx());
    if app.boards.board().is_none() {
        ui.centered_and_justified(|ui| {
            ui.label(
                "No board yet: press “New board”, use “Add to board” on any image, \
                 or drag a job here from the feed.",
            )
        });
        if let Some(dropped) = ui.response().dnd_release_payload::<DraggedJobs>() {
            add_jobs(app, &dropped.0, None);
        }
        return;
    }
    board_canvas::show(app, ui);
    keys(app, ui.ctx());
}

fn toolbar(app: &mut MoodgridApp, ui: &mut egui::Ui) {
    let mut edit: Option<Edit> = None;
    ui.horizontal_wrapped(|ui| {
        board_choice(app, ui);
        if ui.button("New board").clicked() {
            create_board(app);
        }
        let current = app.boards.boards.get(app.boards.current).map(|(id, _)| *id);
        if ui
            .add_enabled(current.is_some(), egui::Button::new("Delete board…"))
            .clicked()
        {
            app.boards.confirm_delete = true;
        }
        ui.separator();
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
        render_menu(app, ui);
        ui.separator();
        let (can_undo, can_redo) = app
            .boards
            .board()
            .map_or((false, false), |b| (b.can_undo(), b.can_redo()));
        for (label, enabled, step, shortcut) in [
            ("Undo", can_undo, History::Undo, &UNDO),
            ("Redo", can_redo, History::Redo, &REDO),
        ] {
            if ui
                .add_enabled(enabled, egui::Button::new(label))
                .on_hover_text(ui.ctx().format_shortcut(shortcut))
                .clicked()
            {
                edit = Some(Box::new(move |b| step_history(b, step)));
            }
        }
        if ui
            .button("Fit")
            .on_hover_text("Show everything (0)")
            .clicked()
        {
            app.boards.canvas.view = None;
        }
        if ui.button("100%").on_hover_text("Actual size (1)").clicked() {
            app.boards.canvas.actual_size();
        }
    });
    ui.horizontal_wrapped(|ui| {
        if ui
            .button("Add images…")
            .on_hover_text("Or drop files here, paste with Ctrl+V, or drag jobs from the feed")
            .clicked()
        {
            app.chores
                .pick_images(SourceTarget::Board, "Add images to the board");
        }
        if ui.button("Add note").on_hover_text("N").clicked() {
            board_canvas::add_note(app);
        }
        ui.separator();
        let selection = app.boards.canvas.selection.clone();
        ui.add_enabled_ui(!selection.is_empty(), |ui| {
            for (label, action) in SELECTION_ACTIONS {
                if ui.button(label).clicked() {
                    let s = selection.clone();
                    edit = Some(Box::new(move |b| action(b, &s)));
                }
            }
        });
        let single_image = board_canvas::single_selected_image(app).is_some();
        let cropping = app.boards.canvas.cropping.is_some();
        if ui
            .add_enabled(
                single_image || cropping,
                egui::Button::new("Crop").selected(cropping),
            )
            .on_hover_text("Drag the edges to crop; Enter or Esc when done (C)")
            .on_disabled_hover_text("Select one image")
            .clicked()
        {
            board_canvas::toggle_crop(app);
        }
        ui.separator();
        job_actions(app, ui);
    });
    if let Some(edit) = edit {
        apply(app, edit);
    }
}

/// The board choice, or the name being edited in its place.
fn board_choice(app: &mut MoodgridApp, ui: &mut egui::Ui) {
    if let Some(name) = &mut app.boards.renaming {
        let mut output = egui::TextEdit::singleline(name)
            .desired_width(180.0)
            .hint_text("Board name")
            .show(ui);
        let field = output.response.clone();
        // Enter or a click elsewhere keeps the name, Esc keeps the old one (as renaming a file does).
        let cancel = ui.input(|i| i.key_pressed(Key::Escape));
        let done = field.lost_focus() || ui.button("Rename").clicked();
        if !done && !cancel && !field.has_focus() {
            // Just opened: focus it with the old name selected, so typing replaces it.
            field.request_focus();
            let all = egui::text::CCursorRange::select_all_str(name);
            output.state.cursor.set_char_range(Some(all));
            output.state.store(ui.ctx(), field.id);
        }
        if cancel {
            app.boards.renaming = None;
        } else if done {
            let name = name.trim().to_owned();
            app.boards.renaming = None;
            if !name.is_empty()
                && let Some(board) = app.boards.board_mut()
            {
                board.name = name;
                save(app);
            }
        }
        return;
    }
    let names: Vec<String> = app
        .boards
        .boards
        .iter()
        .map(|(_, b)| b.name.clone())
        .collect();
    if names.is_empty() {
        return;
    }
    egui::ComboBox::from_id_salt("board_choice")
        .selected_text(names.get(app.boards.current).cloned().unwrap_or_default())
        .show_ui(ui, |ui| {
            for (index, name) in names.iter().enumerate() {
                if ui
                    .selectable_label(index == app.boards.current, name)
                    .clicked()
                {
                    app.boards.switch_to(index);
                }
            }
        });
    if ui
        .button("Rename…")
        .on_hover_text("Give this board a name")
        .clicked()
    {
        app.boards.renaming = app.boards.board().map(|b| b.name.clone());
    }
}

fn confirm_delete(app: &mut MoodgridApp, ctx: &egui::Context) {
    if !app.boards.confirm_delete {
        return;
    }
    let Some((id, name, count)) = app
        .boards
        .boards
        .get(app.boards.current)
        .map(|(id, b)| (*id, b.name.clone(), b.items().len()))
    else {
        app.boards.confirm_delete = false;
        return;
    };
    let modal = egui::Modal::new(egui::Id::unique("delete_board")).show(ctx, |ui| {
        ui.heading(format!("Delete “{name}”?"));
        let items = match count {
            1 => "its one item".to_owned(),
            n => format!("its {n} items"),
        };
        ui.label(format!(
            "The board and the arrangement of {items} go away. \
             The images stay in the library, and jobs are not touched."
        ));
        ui.horizontal(|ui| {
            if ui.button("Delete board").clicked() {
                let (reply, answer) = Pending::channel();
                if app.send(Command::DeleteBoard { id, reply }) {
                    app.boards.deleting = Some(answer);
                }
                app.boards.confirm_delete = false;
            }
            if ui.button("Cancel").clicked() {
                app.boards.confirm_delete = false;
            }
        });
    });
    if modal.should_close() {
        app.boards.confirm_delete = false;
    }
}

/// "Render PNG…": the whole board drawn at a chosen scale, on the engine, then saved where the user says.
fn render_menu(app: &mut MoodgridApp, ui: &mut egui::Ui) {
    let Some(board) = app.boards.board() else {
        return;
    };
    let size = board
        .bounds()
        .map(|(min, max)| (max.x - min.x, max.y - min.y));
    let mut chosen = None;
    ui.menu_button("Render PNG…", |ui| {
        let Some((w, h)) = size else {
            ui.label("The board is empty");
            return;
        };
        for scale in RENDER_SCALES {
            let (pw, ph) = ((w * scale).ceil(), (h * scale).ceil());
            let label = format!("{}% — {pw} × {ph} px", (scale * 100.0) as u32);
            let fits = crate::imaging::board_render::fits(pw as u32, ph as u32);
            if ui
                .add_enabled(fits, egui::Button::new(label))
                .on_disabled_hover_text("Too large for one PNG; choose a smaller scale")
                .clicked()
            {
                chosen = Some(scale);
                ui.close();
            }
        }
    });
    if let Some(scale) = chosen
        && let Some(board) = app.boards.board().cloned()
    {
        app.chores
            .render_board(board, scale, app.data_dir().to_owned());
    }
}

/// Blend, Describe and "Use as image prompt" from the selected images.
fn job_actions(app: &mut MoodgridApp, ui: &mut egui::Ui) {
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
    let urls = selected_urls(app);
    let usable = !urls.is_empty() && urls.len() == files.len();
    if ui
        .add_enabled(usable, egui::Button::new("Use as image prompt"))
        .on_hover_text("Put the images' web addresses in front of the prompt")
        .on_disabled_hover_text(
            "Select images generated on this backend: TTAPI reads image prompts from web addresses, \
             which your own files do not have (blend or describe those instead)",
        )
        .clicked()
    {
        app.prompt_bar.prompt = with_image_prompts(&app.prompt_bar.prompt, &urls);
        app.toasts.push(
            ToastKind::Info,
            format!("{} image prompt(s) in the prompt bar", urls.len()),
            None,
        );
    }
}

/// The original files of the selected images, in the selection's order.
fn selected_files(app: &MoodgridApp) -> Vec<std::path::PathBuf> {
    let Some(board) = app.boards.board() else {
        return Vec::new();
    };
    app.boards
        .canvas
        .selection
        .iter()
        .filter_map(|id| match &board.item(*id)?.content {
            Content::Image { file, .. } => Some(app.data_dir().join(file)),
            Content::Note { .. } => None,
        })
        .collect()
}

/// The web addresses the current backend gave the selected generated images (their job's images must be
/// loaded; they are asked for when missing and counted on a later frame).
fn selected_urls(app: &mut MoodgridApp) -> Vec<String> {
    let Some(board) = app.boards.board() else {
        return Vec::new();
    };
    let wanted: Vec<(i64, String)> = app
        .boards
        .canvas
        .selection
        .iter()
        .filter_map(|id| match &board.item(*id)?.content {
            Content::Image {
                job: Some(job),
                hash,
                ..
            } => Some((*job, hash.clone())),
            _ => None,
        })
        .collect();
    // An address from another backend (the offline simulator's, say) would not load at this one.
    let wanted: Vec<(i64, String)> = wanted
        .into_iter()
        .filter(|(job, _)| app.jobs.get(*job).is_some_and(|j| j.backend == app.backend))
        .collect();
    wanted
        .into_iter()
        .filter_map(|(job, hash)| {
            app.jobs
                .images(job)?
                .iter()
                .find(|i| i.record.hash == hash)?
                .record
                .source_url
                .clone()
        })
        .collect()
}

fn step_history(board: &mut Board, step: History) {
    match step {
        History::Undo => board.undo(),
        History::Redo => board.redo(),
    };
}

fn keys(app: &mut MoodgridApp, ctx: &egui::Context) {
    if ctx.egui_wants_keyboard_input() {
        return;
    }
    let (history, delete, select_all) = ctx.input_mut(|i| {
        (
            history_keys(i),
            i.key_pressed(Key::Delete) || i.key_pressed(Key::Backspace),
            i.consume_shortcut(&SELECT_ALL),
        )
    });
    if let Some(step) = history {
        apply(app, |b| step_history(b, step));
    }
    if delete && !app.boards.canvas.selection.is_empty() {
        let s = app.boards.canvas.selection.clone();
        apply(app, move |b| b.remove(&s));
    }
    if select_all && let Some(board) = app.boards.board() {
        app.boards.canvas.selection = board.items().iter().map(|i| i.id).collect();
    }
    board_canvas::keys(app, ctx);
}
