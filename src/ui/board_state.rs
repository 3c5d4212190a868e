//! A board panel's state: the library's boards, the open one, what is on its way onto it, and the canvas.
//! Shared by the board panel (`board`) and its canvas (`board_canvas`); every edit goes through [`apply`],
//! which saves the board at once. The canvas keeps its own state here too (what the view shows, the
//! selection, the gesture under way); how it behaves is `board_canvas`.

use egui::{Pos2, Rect};

use super::pending::Pending;
use super::services::Services;
use crate::domain::board::{Board, Content, Item, V2, View};
use crate::engine::{Command, EngineError};
use crate::library::{StoredBoard, StoredImage};

/// A change to the current board, chosen while drawing and applied after.
pub(super) type Edit = Box<dyn FnOnce(&mut Board)>;

/// Jobs being dragged (from the feed or the gallery) towards a board.
#[derive(Debug, Clone)]
pub struct DraggedJobs(pub Vec<i64>);

/// Something about to be placed: where on the board, if the user chose (a drop), else beside the rest.
pub(super) struct Arrival {
    pub(super) content: Content,
    pub(super) at: Option<V2>,
    /// Say "Added to the board" once it is saved (jobs added from elsewhere, the board not on screen).
    pub(super) confirm: bool,
}

pub(super) type StoreReply = Vec<Result<StoredImage, String>>;

#[derive(Default)]
pub struct BoardsState {
    pub(super) boards: Vec<(i64, Board)>,
    pub(super) current: usize,
    pub(super) loaded: bool,
    pub(super) loading: Option<Pending<Result<Vec<StoredBoard>, EngineError>>>,
    pub(super) creating: Option<Pending<Result<i64, EngineError>>>,
    pub(super) deleting: Option<Pending<Result<(), EngineError>>>,
    /// Images waiting for a board to exist.
    pub(super) waiting: Vec<Arrival>,
    /// The user's files on their way into the library, with where they were dropped.
    pub(super) storing: Vec<(Pending<StoreReply>, Option<V2>)>,
    pub(super) exporting: Option<Pending<Result<Vec<u8>, EngineError>>>,
    pub(super) importing: Option<Pending<Result<i64, EngineError>>>,
    pub(super) renaming: Option<String>,
    pub(super) confirm_delete: bool,
    pub(super) canvas: CanvasState,
}

impl BoardsState {
    pub(super) fn board(&self) -> Option<&Board> {
        self.boards.get(self.current).map(|(_, b)| b)
    }

    pub(super) fn board_mut(&mut self) -> Option<&mut Board> {
        self.boards.get_mut(self.current).map(|(_, b)| b)
    }

    pub(super) fn switch_to(&mut self, index: usize) {
        self.current = index;
        self.canvas = CanvasState::default();
    }
}

/// Saves the current board; whether the engine took the save (refused, the user is told).
pub(super) fn save(boards: &mut BoardsState, services: &mut Services) -> bool {
    let Some((id, board)) = boards.boards.get(boards.current).cloned() else {
        return false;
    };
    let sent = services.send(Command::SaveBoard { id, board });
    if !sent {
        services.refused("the board was not saved");
    }
    sent
}

/// Applies an edit to the current board, drops vanished items from the selection, and saves.
pub(super) fn apply(
    boards: &mut BoardsState,
    services: &mut Services,
    edit: impl FnOnce(&mut Board),
) {
    let Some(board) = boards.board_mut() else {
        return;
    };
    edit(board);
    let alive: Vec<u64> = board.items().iter().map(|i| i.id).collect();
    boards.canvas.selection.retain(|id| alive.contains(id));
    // Refused, the user has been told; the edit stays on screen and goes with the next save.
    save(boards, services);
}

/// The canvas: where it looks, what is selected, and the gesture under way.
#[derive(Default)]
pub struct CanvasState {
    pub view: Option<View>,
    pub selection: Vec<u64>,
    /// The image whose crop is being edited.
    pub cropping: Option<u64>,
    pub(super) gesture: Option<Gesture>,
    /// A note whose text is being typed, and the text so far.
    pub(super) editing: Option<(u64, String)>,
    /// The canvas's screen rectangle in the last frame (for drops and "100%").
    pub(super) rect: Option<Rect>,
}

impl CanvasState {
    /// The board point under a screen point, once the canvas has been drawn.
    pub fn to_board(&self, screen: Pos2) -> Option<V2> {
        Some(self.view?.to_board(v2(screen)))
    }

    /// The longest side, in board units, an image dropped now should have: 60% of the visible height.
    pub fn comfortable_size(&self) -> Option<f32> {
        Some(self.rect?.height() * 0.6 / self.view?.zoom)
    }

    /// Zoom 100% about the canvas centre.
    pub fn actual_size(&mut self) {
        if let Some(view) = self.view {
            self.zoom_by(1.0 / view.zoom);
        }
    }

    /// Zooms about the canvas centre (the + and - keys).
    pub fn zoom_by(&mut self, factor: f32) {
        if let (Some(view), Some(rect)) = (&mut self.view, self.rect) {
            view.zoom_at(v2(rect.center()), factor);
        }
    }
}

pub(super) enum Gesture {
    /// Selected items follow the pointer; the move is recorded once, on release.
    Move {
        from: V2,
        by: V2,
    },
    Marquee {
        from: V2,
        to: V2,
    },
    /// A handle of one item is dragged; `preview` is what release will commit.
    Handle {
        original: Box<Item>,
        handle: Handle,
        preview: Box<Item>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Handle {
    /// Scale from corner `n` (clockwise from the top left), the opposite corner fixed.
    Corner(usize),
    Rotate,
    /// Crop edges moved by this handle, on screen: left, top, right, bottom.
    Crop([bool; 4]),
}

pub(super) fn v2(p: Pos2) -> V2 {
    V2::new(p.x, p.y)
}

pub(super) fn pos(v: V2) -> Pos2 {
    Pos2::new(v.x, v.y)
}
