//! Moodboards: the library's boards (choose, create, rename, delete, export, import, render), the toolbar,
//! and how images arrive on a board: "Add to board" on a job, a drag from the feed or the gallery, files
//! dropped, pasted or picked. The canvas (pan, zoom, select, handles, drawing) is `board_canvas`; the scene
//! itself is `domain::board`. Every edit is saved to the library at once (`Command::SaveBoard`).

use egui::{Key, KeyboardShortcut, Modifiers, Pos2};

use crate::domain::board::{Board, Content, V2};
use crate::engine::{Command, ImageInput};
use crate::library::ImageFile;
use crate::ui::board::canvas;
use crate::ui::board::state::{Arrival, Edit, apply, save};
pub use crate::ui::board::state::{BoardsState, DraggedJobs};
use crate::ui::kit::controls::{Answer, IconButton};
use crate::ui::kit::history::{History, REDO, UNDO, history_keys};
use crate::ui::kit::icons::{self, Icon};
use crate::ui::runtime::intents::{Intent, PromptEdit};
use crate::ui::runtime::pending::{Pending, take_ready};
use crate::ui::runtime::services::Services;
use crate::ui::shell::toasts::ToastKind;
use crate::ui::sources::inputs::{SourceInput, SourceTarget};

pub(in crate::ui) const GAP: f32 = 24.0;
const SELECT_ALL: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::A);
/// Render scales offered for "Render PNG…" (board units to pixels).
const RENDER_SCALES: [f32; 4] = [0.25, 0.5, 1.0, 2.0];

/// An edit of the selected items.
type SelectionEdit = fn(&mut Board, &[u64]);

/// The toolbar's edits of the selected items.
const SELECTION_ACTIONS: [(&str, Icon, SelectionEdit); 9] = [
    ("Arrange grid", icons::ARRANGE_GRID, |b, s| {
        b.arrange_grid(s, GAP)
    }),
    ("Arrange row", icons::ARRANGE_ROW, |b, s| {
        b.arrange_row(s, GAP)
    }),
    ("Same height", icons::SAME_HEIGHT, |b, s| {
        b.normalize(s, true)
    }),
    ("Same width", icons::SAME_WIDTH, |b, s| {
        b.normalize(s, false)
    }),
    ("Rotate 90°", icons::ROTATE, |b, s| {
        b.rotate_by(s, std::f32::consts::FRAC_PI_2)
    }),
    ("Flip", icons::FLIP, |b, s| b.flip(s)),
    ("To front", icons::TO_FRONT, |b, s| b.bring_to_front(s)),
    ("To back", icons::TO_BACK, |b, s| b.send_to_back(s)),
    ("Delete", icons::DELETE, |b, s| b.remove(s)),
];

/// Adds a job's main image to the current board (making "Board 1" when there is none).
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
/// Jobs' images onto the current board; `confirm` says "Added to the board" once the board is saved.
pub fn add_jobs(
    boards: &mut BoardsState,
    services: &mut Services,
    jobs: &[i64],
    at: Option<V2>,
    confirm: bool,
) {
    let mut contents = Vec::new();
    for job in jobs {
        match services.jobs.main_image(*job) {
            Some(image) => contents.push(job_image(*job, &image.clone())),
            None => services.toasts.push(
                ToastKind::Error,
                format!("Job #{job} has no image to put on a board yet"),
                Some(*job),
            ),
        }
    }
    arrive(boards, services, contents, at, confirm);
}

/// The user's own files or pasted pixels: kept in the library first (a board must not depend on files
/// elsewhere), then placed. `screen_at` is where they were dropped.
pub fn add_inputs(
    boards: &mut BoardsState,
    services: &mut Services,
    inputs: Vec<SourceInput>,
    screen_at: Option<Pos2>,
) {
    let at = screen_at.and_then(|p| boards.canvas.to_board(p));
    let mut files = Vec::new();
    for input in inputs {
        match input {
            SourceInput::File(path) => files.push(ImageInput::File(path)),
            SourceInput::Pixels { name, image } => services.chores.encode_pasted(name, image, at),
        }
    }
    store(boards, services, files, at);
}

/// Sends images to the library's store; they are placed when it answers.
pub fn store(
    boards: &mut BoardsState,
    services: &mut Services,
    inputs: Vec<ImageInput>,
    at: Option<V2>,
) {
    if inputs.is_empty() {
        return;
    }
    let (reply, answer) = Pending::channel();
    if services.send(Command::StoreImages { inputs, reply }) {
        boards.storing.push((answer, at));
    } else {
        services.refused("the images were not added");
    }
}

fn arrive(
    boards: &mut BoardsState,
    services: &mut Services,
    contents: Vec<Content>,
    at: Option<V2>,
    confirm: bool,
) {
    if contents.is_empty() {
        return;
    }
    boards
        .waiting
        .extend(contents.into_iter().map(|content| Arrival {
            content,
            at,
            confirm,
        }));
    ensure_loaded(boards, services);
    place_waiting(boards, services);
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
        1 => format!("Job #{} ➡ board", dragged.0[0]),
        n => format!("{n} jobs ➡ board"),
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

fn ensure_loaded(boards: &mut BoardsState, services: &mut Services) {
    if boards.loaded || boards.loading.is_some() {
        return;
    }
    let (reply, answer) = Pending::channel();
    if services.send(Command::LoadBoards { reply }) {
        boards.loading = Some(answer);
    } else {
        services.refused("the boards were not read");
    }
}

fn create_board(boards: &mut BoardsState, services: &mut Services) {
    if boards.creating.is_some() {
        return;
    }
    let name = format!("Board {}", boards.boards.len() + 1);
    let (reply, answer) = Pending::channel();
    if services.send(Command::CreateBoard {
        board: Board::new(name),
        reply,
    }) {
        boards.creating = Some(answer);
    } else {
        services.refused("no board was made");
    }
}

/// Puts waiting images on the current board: where they were dropped (side by side), else to the right
/// of what is there. Large images land scaled to a comfortable size on screen; the new items are selected.
fn place_waiting(boards: &mut BoardsState, services: &mut Services) {
    if boards.waiting.is_empty() || !boards.loaded {
        return;
    }
    if boards.boards.is_empty() {
        create_board(boards, services);
        return;
    }
    let waiting = std::mem::take(&mut boards.waiting);
    let comfortable = boards.canvas.comfortable_size();
    let Some(board) = boards.board_mut() else {
        return;
    };
    let mut added = Vec::new();
    let mut next_at: Option<V2> = None;
    let refit = waiting.iter().any(|a| a.at.is_none());
    let confirm = waiting.iter().any(|a| a.confirm);
    for Arrival { content, at, .. } in waiting {
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
    boards.canvas.selection = added;
    if refit {
        boards.canvas.view = None;
    }
    // Said only once the engine has the board: a refused save has said so instead.
    if save(boards, services) && confirm {
        services
            .toasts
            .push(ToastKind::Info, "Added to the board", None);
    }
}

/// Sends an exported file's bytes to the engine, which stores its images and adds the board.
pub fn import(boards: &mut BoardsState, services: &mut Services, file: Vec<u8>) {
    let (reply, answer) = Pending::channel();
    if services.send(Command::ImportBoard { file, reply }) {
        boards.importing = Some(answer);
    } else {
        services.refused("the board was not imported");
    }
}

/// Reads the boards again, newest first (after an import or a delete).
fn reload(boards: &mut BoardsState, services: &mut Services) {
    boards.loaded = false;
    boards.switch_to(0);
    ensure_loaded(boards, services);
}

fn failed(services: &mut Services, what: &str, error: impl std::fmt::Display) {
    services
        .toasts
        .push(ToastKind::Error, format!("Could not {what}: {error}"), None);
}

/// Takes in the library's answers about boards (read, made, stored images, exports) and places images
/// waiting for them. Every frame, whichever view is open.
pub fn receive(boards: &mut BoardsState, services: &mut Services) {
    if let Some(Some(outcome)) = take_ready(&mut boards.exporting) {
        match outcome {
            Ok(bytes) => {
                let name = boards
                    .board()
                    .map_or("board".to_owned(), |b| b.name.clone());
                services.chores.save_board_file(name, bytes);
            }
            Err(e) => failed(services, "export the board", e),
        }
    }
    if let Some(Some(outcome)) = take_ready(&mut boards.importing) {
        match outcome {
            Ok(_) => {
                reload(boards, services);
                services
                    .toasts
                    .push(ToastKind::Info, "Board imported", None);
            }
            Err(e) => failed(services, "import the board", e),
        }
    }
    if let Some(Some(outcome)) = take_ready(&mut boards.deleting) {
        match outcome {
            Ok(()) => reload(boards, services),
            Err(e) => failed(services, "delete the board", e),
        }
    }
    if let Some(outcome) = take_ready(&mut boards.loading) {
        match outcome {
            Some(Ok(stored)) => {
                boards.boards = stored.into_iter().map(|s| (s.id, s.board)).collect();
                boards.loaded = true;
            }
            Some(Err(e)) => failed(services, "read the boards", e),
            None => {}
        }
        place_waiting(boards, services);
    }
    if let Some(outcome) = take_ready(&mut boards.creating) {
        match outcome {
            Some(Ok(id)) => {
                let name = format!("Board {}", boards.boards.len() + 1);
                boards.boards.insert(0, (id, Board::new(name)));
                boards.switch_to(0);
            }
            Some(Err(e)) => failed(services, "create a board", e),
            None => {}
        }
        place_waiting(boards, services);
    }
    receive_stored(boards, services);
}

/// Places the user's images the library has kept, and says which could not be kept and why.
fn receive_stored(boards: &mut BoardsState, services: &mut Services) {
    let mut done = Vec::new();
    boards
        .storing
        .retain_mut(|(pending, at)| match pending.poll() {
            crate::ui::runtime::pending::Poll::Waiting => true,
            crate::ui::runtime::pending::Poll::Ready(results) => {
                done.push((results, *at));
                false
            }
            crate::ui::runtime::pending::Poll::Lost => false,
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
                Err(message) => services.toasts.push(ToastKind::Error, message, None),
            }
        }
        arrive(boards, services, contents, at, false);
    }
}

pub fn show(boards: &mut BoardsState, services: &mut Services, ui: &mut egui::Ui) {
    ensure_loaded(boards, services);
    if !boards.loaded {
        ui.centered_and_justified(|ui| ui.spinner());
        return;
    }
    toolbar(boards, services, ui);
    ui.separator();
    confirm_delete(boards, services, ui.ctx());
    if boards.board().is_none() {
        ui.centered_and_justified(|ui| {
            ui.label(
                "No board yet: press “New board”, use “Add to board” on any image, drag a job here \
                 from the feed or the gallery, drop image files on the window, or paste one (Ctrl+V).",
            )
        });
        if let Some(dropped) = ui.response().dnd_release_payload::<DraggedJobs>() {
            add_jobs(boards, services, &dropped.0, None, false);
        }
        return;
    }
    canvas::show(boards, services, ui);
    keys(boards, services, ui.ctx());
}

/// Two rows of icons: the board itself (which one, the board as a file, adding to it, history, zoom), then
/// what can be done with the selection. Each wraps in a narrow window.
fn toolbar(boards: &mut BoardsState, services: &mut Services, ui: &mut egui::Ui) {
    let mut edit: Option<Edit> = None;
    ui.horizontal_wrapped(|ui| board_row(boards, services, ui, &mut edit));
    ui.horizontal_wrapped(|ui| selection_row(boards, services, ui, &mut edit));
    if let Some(edit) = edit {
        apply(boards, services, edit);
    }
}

fn board_row(
    boards: &mut BoardsState,
    services: &mut Services,
    ui: &mut egui::Ui,
    edit: &mut Option<Edit>,
) {
    board_choice(boards, services, ui);
    if ui.add(IconButton::new(icons::NEW, "New board")).clicked() {
        create_board(boards, services);
    }
    let current = boards.boards.get(boards.current).map(|(id, _)| *id);
    if ui
        .add_enabled(
            current.is_some(),
            IconButton::new(icons::DELETE, "Delete board…"),
        )
        .clicked()
    {
        boards.confirm_delete = true;
    }
    if ui
        .add(IconButton::new(icons::IMPORT, "Import…"))
        .on_hover_text("Open a board file someone exported")
        .clicked()
    {
        services.chores.open_board_file();
    }
    if ui
        .add_enabled(current.is_some(), IconButton::new(icons::EXPORT, "Export…"))
        .on_hover_text("One file with the board and its images")
        .clicked()
        && let Some(id) = current
    {
        let (reply, answer) = Pending::channel();
        if services.send(Command::ExportBoard { id, reply }) {
            boards.exporting = Some(answer);
        } else {
            services.refused("the board was not exported");
        }
    }
    render_menu(boards, services, ui);
    ui.separator();
    if ui
        .add(IconButton::new(icons::ADD_IMAGES, "Add images…"))
        .on_hover_text("Or drop files here, paste with Ctrl+V, or drag jobs from the feed")
        .clicked()
    {
        services
            .chores
            .pick_images(SourceTarget::Board, "Add images to the board");
    }
    if ui
        .add(IconButton::new(icons::NOTE, "Add note"))
        .on_hover_text("N")
        .clicked()
    {
        canvas::add_note(boards, services);
    }
    ui.separator();
    let (can_undo, can_redo) = boards
        .board()
        .map_or((false, false), |b| (b.can_undo(), b.can_redo()));
    for (name, icon, enabled, step, shortcut) in [
        ("Undo", icons::UNDO, can_undo, History::Undo, &UNDO),
        ("Redo", icons::REDO, can_redo, History::Redo, &REDO),
    ] {
        if ui
            .add_enabled(enabled, IconButton::new(icon, name))
            .on_hover_text(ui.ctx().format_shortcut(shortcut))
            .clicked()
        {
            *edit = Some(Box::new(move |b| step_history(b, step)));
        }
    }
    ui.separator();
    if ui
        .add(IconButton::new(icons::FIT, "Fit"))
        .on_hover_text("Show everything (0)")
        .clicked()
    {
        boards.canvas.view = None;
    }
    if ui.button("100%").on_hover_text("Actual size (1)").clicked() {
        boards.canvas.actual_size();
    }
}

/// The selection's row: how many items it holds, then what they can become.
fn selection_row(
    boards: &mut BoardsState,
    services: &mut Services,
    ui: &mut egui::Ui,
    edit: &mut Option<Edit>,
) {
    let selection = boards.canvas.selection.clone();
    let what = match selection.len() {
        0 => "Nothing selected".to_owned(),
        1 => "1 selected".to_owned(),
        n => format!("{n} selected"),
    };
    ui.add_sized(
        egui::vec2(110.0, 24.0),
        egui::Label::new(egui::RichText::new(what).weak()),
    );
    ui.add_enabled_ui(!selection.is_empty(), |ui| {
        for (name, icon, action) in SELECTION_ACTIONS {
            if ui
                .add(IconButton::new(icon, name))
                .on_disabled_hover_text("Select items on the board first")
                .clicked()
            {
                let s = selection.clone();
                *edit = Some(Box::new(move |b| action(b, &s)));
            }
        }
    });
    let single_image = canvas::single_selected_image(boards).is_some();
    let cropping = boards.canvas.cropping.is_some();
    if ui
        .add_enabled(
            single_image || cropping,
            IconButton::new(icons::CROP, "Crop").selected(cropping),
        )
        .on_hover_text("Drag the edges to crop; Enter or Esc when done (C)")
        .on_disabled_hover_text("Select one image")
        .clicked()
    {
        canvas::toggle_crop(boards);
    }
    ui.separator();
    job_actions(boards, services, ui);
}

/// The board choice, or the name being edited in its place.
fn board_choice(boards: &mut BoardsState, services: &mut Services, ui: &mut egui::Ui) {
    if let Some(name) = &mut boards.renaming {
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
            boards.renaming = None;
        } else if done {
            let name = name.trim().to_owned();
            boards.renaming = None;
            if !name.is_empty()
                && let Some(board) = boards.board_mut()
            {
                board.name = name;
                save(boards, services);
            }
        }
        return;
    }
    let names: Vec<String> = boards.boards.iter().map(|(_, b)| b.name.clone()).collect();
    if names.is_empty() {
        return;
    }
    egui::ComboBox::from_id_salt("board_choice")
        .selected_text(names.get(boards.current).cloned().unwrap_or_default())
        .show_ui(ui, |ui| {
            for (index, name) in names.iter().enumerate() {
                if ui.selectable_label(index == boards.current, name).clicked() {
                    boards.switch_to(index);
                }
            }
        });
    if ui
        .add(IconButton::new(icons::RENAME, "Rename…"))
        .on_hover_text("Give this board a name")
        .clicked()
    {
        boards.renaming = boards.board().map(|b| b.name.clone());
    }
}

fn confirm_delete(boards: &mut BoardsState, services: &mut Services, ctx: &egui::Context) {
    if !boards.confirm_delete {
        return;
    }
    let Some((id, name, count)) = boards
        .boards
        .get(boards.current)
        .map(|(id, b)| (*id, b.name.clone(), b.items().len()))
    else {
        boards.confirm_delete = false;
        return;
    };
    let items = match count {
        1 => "its one item".to_owned(),
        n => format!("its {n} items"),
    };
    let text = format!(
        "The board and the arrangement of {items} go away. \
         The images stay in the library, and jobs are not touched."
    );
    let question = format!("Delete “{name}”?");
    match crate::ui::kit::controls::confirm(ctx, "delete_board", &question, &text, "Delete board") {
        Answer::Open => {}
        Answer::Cancel => boards.confirm_delete = false,
        Answer::Go => {
            let (reply, answer) = Pending::channel();
            if services.send(Command::DeleteBoard { id, reply }) {
                boards.deleting = Some(answer);
            } else {
                services.refused("the board was not deleted");
            }
            boards.confirm_delete = false;
        }
    }
}

/// "Render PNG…": the whole board drawn at a chosen scale, on the engine, then saved where the user says.
fn render_menu(boards: &mut BoardsState, services: &mut Services, ui: &mut egui::Ui) {
    let Some(board) = boards.board() else {
        return;
    };
    let size = board
        .bounds()
        .map(|(min, max)| (max.x - min.x, max.y - min.y));
    let mut chosen = None;
    crate::ui::kit::controls::icon_menu(ui, icons::RENDER, "Render PNG…", |ui| {
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
        && let Some(board) = boards.board().cloned()
    {
        services
            .chores
            .render_board(board, scale, services.data_dir().to_owned());
    }
}

/// Blend, Describe and "Use as image prompt" from the selected images.
fn job_actions(boards: &mut BoardsState, services: &mut Services, ui: &mut egui::Ui) {
    let files = selected_files(boards, services);
    let blend_ok = (2..=5).contains(&files.len());
    if ui
        .add_enabled(
            blend_ok,
            IconButton::labelled(icons::BLEND, &format!("Blend ({})", files.len())),
        )
        .on_disabled_hover_text("Select two to five images")
        .clicked()
    {
        services.ask(Intent::Sources {
            target: SourceTarget::Blend,
            inputs: files.iter().cloned().map(SourceInput::File).collect(),
            replace: true,
        });
    }
    if ui
        .add_enabled(
            files.len() == 1,
            IconButton::new(icons::DESCRIBE, "Describe"),
        )
        .on_disabled_hover_text("Select one image")
        .clicked()
    {
        services.ask(Intent::Sources {
            target: SourceTarget::Describe,
            inputs: files.iter().cloned().map(SourceInput::File).collect(),
            replace: false,
        });
    }
    let urls = selected_urls(boards, services);
    let usable = !urls.is_empty() && urls.len() == files.len();
    if ui
        .add_enabled(usable, IconButton::new(icons::IMAGE_PROMPT, "Use as image prompt"))
        .on_hover_text("Put the images' web addresses in front of the prompt")
        .on_disabled_hover_text(
            "Select images generated on this backend: TTAPI reads image prompts from web addresses, \
             which your own files do not have (blend or describe those instead)",
        )
        .clicked()
    {
        services.ask(Intent::Prompt(PromptEdit::ImagePrompts(urls.clone())));
        services.toasts.push(
            ToastKind::Info,
            format!("{} image prompt(s) in the prompt bar", urls.len()),
            None,
        );
    }
    ui.add_enabled_ui(usable, |ui| {
        crate::ui::kit::controls::icon_menu(ui, icons::REFERENCE, "Use as reference", |ui| {
            use crate::ui::studio::parameters::ReferenceUse;
            for use_as in [
                ReferenceUse::Style,
                ReferenceUse::Character,
                ReferenceUse::Omni,
            ] {
                if ui.button(use_as.label()).clicked() {
                    services.ask(Intent::Prompt(PromptEdit::Reference(use_as, urls.clone())));
                    ui.close();
                }
            }
        });
    });
}

/// The original files of the selected images, in the selection's order.
fn selected_files(boards: &BoardsState, services: &Services) -> Vec<std::path::PathBuf> {
    let Some(board) = boards.board() else {
        return Vec::new();
    };
    boards
        .canvas
        .selection
        .iter()
        .filter_map(|id| match &board.item(*id)?.content {
            Content::Image { file, .. } => Some(services.data_dir().join(file)),
            Content::Note { .. } => None,
        })
        .collect()
}

/// The web addresses the current backend gave the selected generated images (their job's images must be
/// loaded; they are asked for when missing and counted on a later frame).
fn selected_urls(boards: &mut BoardsState, services: &mut Services) -> Vec<String> {
    let Some(board) = boards.board() else {
        return Vec::new();
    };
    let wanted: Vec<(i64, String)> = boards
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
        .filter(|(job, _)| {
            services
                .jobs
                .get(*job)
                .is_some_and(|j| j.backend == services.status.backend)
        })
        .collect();
    wanted
        .into_iter()
        .filter_map(|(job, hash)| {
            services
                .jobs
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

fn keys(boards: &mut BoardsState, services: &mut Services, ctx: &egui::Context) {
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
        apply(boards, services, |b| step_history(b, step));
    }
    if delete && !boards.canvas.selection.is_empty() {
        let s = boards.canvas.selection.clone();
        apply(boards, services, move |b| b.remove(&s));
    }
    if select_all && let Some(board) = boards.board() {
        boards.canvas.selection = board.items().iter().map(|i| i.id).collect();
    }
    canvas::keys(boards, services, ctx);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::Mark;

    fn services(data: &std::path::Path) -> Services {
        Services::for_tests(data)
    }

    fn note(text: &str) -> Content {
        Content::Note {
            text: text.into(),
            width: 100.0,
            height: 40.0,
        }
    }

    #[test]
    fn a_refused_send_is_said_and_added_to_the_board_only_once_the_engine_took_it() {
        let data = tempfile::tempdir().unwrap();
        let mut services = services(data.path());
        let mut boards = BoardsState {
            boards: vec![(1, Board::new("Harbour"))],
            loaded: true,
            ..BoardsState::default()
        };
        let refusal = |what: &str| {
            format!("The engine is busy or restarting; {what}. Try again in a moment.")
        };

        // Between an engine stopping and the next starting, nothing is taken.
        let engine = services.swap_engine(None);
        arrive(&mut boards, &mut services, vec![note("fog")], None, true);
        crate::ui::job::verdict::mark(&mut services, 7, Mark::Stars(4));
        services.trash(vec![7]);
        assert_eq!(
            services.toasts.texts(),
            [
                refusal("the board was not saved"),
                refusal("the rating was not saved"),
                refusal("nothing was moved to the Trash"),
            ]
        );
        assert_eq!(
            boards.board().map(|b| b.items().len()),
            Some(1),
            "still on screen"
        );

        // The engine back: the next addition is saved, and said.
        services.swap_engine(engine);
        arrive(&mut boards, &mut services, vec![note("gulls")], None, true);
        assert_eq!(
            services.toasts.texts().last().copied(),
            Some("Added to the board")
        );
    }
}
