//! The library's boards as the board panel holds them: read once, made, imported, read again after a
//! change, each request refused aloud when the engine cannot take it; and the gap the board keeps between
//! the items it places side by side.

use crate::domain::board::Board;
use crate::engine::Command;
use crate::ui::board::state::BoardsState;
use crate::ui::runtime::pending::Pending;
use crate::ui::runtime::services::Services;
use crate::ui::runtime::toasts::ToastKind;

/// The space left between items the board arranges side by side.
pub(super) const GAP: f32 = 24.0;

pub(super) fn ensure_loaded(boards: &mut BoardsState, services: &mut Services) {
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

pub(super) fn create_board(boards: &mut BoardsState, services: &mut Services) {
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

/// Sends an exported file's bytes to the engine, which stores its images and adds the board.
pub(in crate::ui) fn import(boards: &mut BoardsState, services: &mut Services, file: Vec<u8>) {
    let (reply, answer) = Pending::channel();
    if services.send(Command::ImportBoard { file, reply }) {
        boards.importing = Some(answer);
    } else {
        services.refused("the board was not imported");
    }
}

/// Reads the boards again, newest first (after an import or a delete).
pub(super) fn reload(boards: &mut BoardsState, services: &mut Services) {
    boards.loaded = false;
    boards.switch_to(0);
    ensure_loaded(boards, services);
}

pub(super) fn failed(services: &mut Services, what: &str, error: impl std::fmt::Display) {
    services
        .toasts
        .push(ToastKind::Error, format!("Could not {what}: {error}"), None);
}
