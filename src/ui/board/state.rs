//! A board panel's state: the library's boards, the open one, what is on its way onto it, and the canvas.
//! Shared by the board panel (`panel`, `toolbar`, `arrivals`) and its canvas (`canvas`); every edit goes
//! through [`apply`], which saves the board at once. The canvas keeps its own state here too (what the
//! view shows, the selection, the gesture under way); how it behaves is `canvas`.

use egui::{Pos2, Rect};

use crate::domain::board::{Board, Content, Item, V2, View};
use crate::engine::{Command, EngineError};
use crate::library::{StoredBoard, StoredImage};
use crate::ui::runtime::pending::Pending;
use crate::ui::runtime::services::Services;

/// A change to the current board, chosen while drawing and applied after.
pub(in crate::ui) type Edit = Box<dyn FnOnce(&mut Board)>;

/// Jobs being dragged (from the feed or the gallery) towards a board.
#[derive(Debug, Clone)]
pub struct DraggedJobs(pub Vec<i64>);

/// Something about to be placed: where on the board, if the user chose (a drop), else beside the rest.
pub(in crate::ui) struct Arrival {
    pub(in crate::ui) content: Content,
    pub(in crate::ui) at: Option<V2>,
    /// Say "Added to the board" once it is saved (jobs added from elsewhere, the board not on screen).
    pub(in crate::ui) confirm: bool,
}

pub(in crate::ui) type StoreReply = Vec<Result<StoredImage, String>>;

#[derive(Default)]
pub struct BoardsState {
    pub(in crate::ui) boards: Vec<(i64, Board)>,
    pub(in crate::ui) current: usize,
    pub(in crate::ui) loaded: bool,
    pub(in crate::ui) loading: Option<Pending<Result<Vec<StoredBoard>, EngineError>>>,
    pub(in crate::ui) creating: Option<Pending<Result<i64, EngineError>>>,
    pub(in crate::ui) deleting: Option<Pending<Result<(), EngineError>>>,
    /// Images waiting for a board to exist.
    pub(in crate::ui) waiting: Vec<Arrival>,
    /// The user's files on their way into the library, with where they were dropped.
    pub(in crate::ui) storing: Vec<(Pending<StoreReply>, Option<V2>)>,
    pub(in crate::ui) exporting: Option<Pending<Result<Vec<u8>, EngineError>>>,
    pub(in crate::ui) importing: Option<Pending<Result<i64, EngineError>>>,
    pub(in crate::ui) renaming: Option<String>,
    pub(in crate::ui) confirm_delete: bool,
    pub(in crate::ui) canvas: CanvasState,
}

impl BoardsState {
    pub(in crate::ui) fn board(&self) -> Option<&Board> {
        self.boards.get(self.current).map(|(_, b)| b)
    }

    pub(in crate::ui) fn board_mut(&mut self) -> Option<&mut Board> {
        self.boards.get_mut(self.current).map(|(_, b)| b)
    }

    pub(in crate::ui) fn switch_to(&mut self, index: usize) {
        self.current = index;
        self.canvas = CanvasState::default();
    }
}

/// Saves the current board; whether the engine took the save (refused, the user is told).
pub(in crate::ui) fn save(boards: &mut BoardsState, services: &mut Services) -> bool {
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
pub(in crate::ui) fn apply(
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
    pub(in crate::ui) gesture: Option<Gesture>,
    /// A note whose text is being typed, and the text so far.
    pub(in crate::ui) editing: Option<(u64, String)>,
    /// The canvas's screen rectangle in the last frame (for drops and "100%").
    pub(in crate::ui) rect: Option<Rect>,
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

pub(in crate::ui) enum Gesture {
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
pub(in crate::ui) enum Handle {
    /// Scale from corner `n` (clockwise from the top left), the opposite corner fixed.
    Corner(usize),
    Rotate,
    /// Crop edges moved by this handle, on screen: left, top, right, bottom.
    Crop([bool; 4]),
}

pub(in crate::ui) fn v2(p: Pos2) -> V2 {
    V2::new(p.x, p.y)
}

pub(in crate::ui) fn pos(v: V2) -> Pos2 {
    Pos2::new(v.x, v.y)
}
