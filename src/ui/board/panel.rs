//! Moodboards: the board view with its keys, the library's answers about boards, and the folder's entry
//! points for other folders. The boards are read, made and imported in `library`, images arrive in
//! `arrivals`, the toolbar's two rows are `toolbar`, the canvas (pan, zoom, select, handles, drawing) is
//! `canvas`; the scene itself is `domain::board`. Every edit is saved at once (`Command::SaveBoard`).

use egui::{Key, KeyboardShortcut, Modifiers};

use crate::domain::board::Board;
pub(in crate::ui) use crate::ui::board::arrivals::{
    add_inputs, add_jobs, drag_source, show_drag_preview, store,
};
use crate::ui::board::arrivals::{place_waiting, receive_stored};
use crate::ui::board::canvas;
pub(in crate::ui) use crate::ui::board::library::import;
use crate::ui::board::library::{ensure_loaded, failed, reload};
use crate::ui::board::state::apply;
pub use crate::ui::board::state::{BoardsState, DraggedJobs};
use crate::ui::board::toolbar::{confirm_delete, step_history, toolbar};
use crate::ui::kit::keys::history_keys;
use crate::ui::runtime::pending::take_ready;
use crate::ui::runtime::services::Services;
use crate::ui::runtime::toasts::ToastKind;

const SELECT_ALL: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::A);

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
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    use super::*;
    use crate::ui::runtime::testing::frames_until;

    /// The board view drawn alone, as the window draws it each frame (the library's answers, then the
    /// view): "New board" on an empty library makes "Board 1", kept in the library and opened.
    #[test]
    fn new_board_keeps_board_1_in_the_library_and_opens_it() {
        let data = tempfile::tempdir().unwrap();
        let boards = BoardsState {
            loaded: true,
            ..BoardsState::default()
        };
        let mut harness = Harness::builder()
            .with_context_setup(crate::ui::kit::icons::install)
            .build_ui_state(
                |ui, (boards, services): &mut (BoardsState, Services)| {
                    receive(boards, services);
                    show(boards, services, ui);
                },
                (boards, Services::for_tests(data.path())),
            );
        harness.run();
        assert!(harness.query_by_label_contains("No board yet").is_some());

        harness.get_by_label("New board").click();
        frames_until(&mut harness, "the new board", |h| {
            h.state().0.board().is_some()
        });
        let (boards, _) = harness.state();
        assert_eq!(boards.board().map(|b| b.name.as_str()), Some("Board 1"));
        let stored = crate::library::Library::open(data.path())
            .unwrap()
            .boards()
            .unwrap();
        let names: Vec<&str> = stored.iter().map(|s| s.board.name.as_str()).collect();
        assert_eq!(names, ["Board 1"]);
    }
}
