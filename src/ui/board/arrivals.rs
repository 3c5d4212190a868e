//! How images arrive on a board: "Add to board" on a job, a drag from the feed or the gallery, files
//! dropped, pasted or picked (kept in the library first). They wait for the boards to be read, or for a
//! first board to be made, then land where they were dropped or beside the rest.

use egui::Pos2;

use crate::domain::board::{Content, V2};
use crate::engine::{Command, ImageInput};
use crate::library::ImageFile;
use crate::ui::board::library::{GAP, create_board, ensure_loaded};
use crate::ui::board::state::{Arrival, BoardsState, DraggedJobs, save};
use crate::ui::runtime::pending::Pending;
use crate::ui::runtime::services::Services;
use crate::ui::runtime::toasts::ToastKind;
use crate::ui::sources::inputs::SourceInput;

/// A job's main image, as it goes on a board.
fn job_image(job: i64, image: &ImageFile) -> Content {
    Content::Image {
        hash: image.record.hash.clone(),
        file: image.record.path.clone(),
        job: Some(job),
        width: image.record.width,
        height: image.record.height,
    }
}

/// Adds the main image of each job to the current board (making "Board 1" when there is none), at a
/// board point when they were dropped there; `confirm` says "Added to the board" once the board is saved.
pub(in crate::ui) fn add_jobs(
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
pub(in crate::ui) fn add_inputs(
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
pub(in crate::ui) fn store(
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
pub(in crate::ui) fn drag_source(ui: &egui::Ui, response: &egui::Response, jobs: Vec<i64>) {
    if response.drag_started_by(egui::PointerButton::Primary) {
        egui::DragAndDrop::set_payload(ui.ctx(), DraggedJobs(jobs));
    }
}

/// While jobs are dragged, a small card follows the pointer saying what is carried.
pub(in crate::ui) fn show_drag_preview(ctx: &egui::Context) {
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

/// Puts waiting images on the current board: where they were dropped (side by side), else to the right
/// of what is there. Large images land scaled to a comfortable size on screen; the new items are selected.
pub(super) fn place_waiting(boards: &mut BoardsState, services: &mut Services) {
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

/// Places the user's images the library has kept, and says which could not be kept and why.
pub(super) fn receive_stored(boards: &mut BoardsState, services: &mut Services) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::board::Board;
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
