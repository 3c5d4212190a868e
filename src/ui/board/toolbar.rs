//! The board view's toolbar: the board row (which board, the board as a file, adding to it, history,
//! zoom) and the selection row (arrange, transform, crop, and what the selected images can start: Blend,
//! Describe, image prompts, references), with the delete question the board row opens.

use egui::Key;

use crate::domain::board::{Board, Content};
use crate::engine::Command;
use crate::ui::board::canvas;
use crate::ui::board::library::{GAP, create_board};
use crate::ui::board::state::{BoardsState, Edit, apply, save};
use crate::ui::kit::controls::{Answer, IconButton};
use crate::ui::kit::icons::{self, Icon};
use crate::ui::kit::keys::{History, REDO, UNDO};
use crate::ui::runtime::intents::{Intent, PromptEdit};
use crate::ui::runtime::pending::Pending;
use crate::ui::runtime::services::Services;
use crate::ui::runtime::toasts::ToastKind;
use crate::ui::sources::inputs::{SourceInput, SourceTarget};

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

/// Two rows of icons: the board itself (which one, the board as a file, adding to it, history, zoom), then
/// what can be done with the selection. Each wraps in a narrow window.
pub(super) fn toolbar(boards: &mut BoardsState, services: &mut Services, ui: &mut egui::Ui) {
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

pub(super) fn confirm_delete(
    boards: &mut BoardsState,
    services: &mut Services,
    ctx: &egui::Context,
) {
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

pub(super) fn step_history(board: &mut Board, step: History) {
    match step {
        History::Undo => board.undo(),
        History::Redo => board.redo(),
    };
}
