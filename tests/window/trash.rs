//! The Trash: a job moved there leaves every view, Ctrl+Z or Restore brings it back, and Empty Trash asks
//! first, then deletes it for good with its image files, keeping the one a board still shows.

use egui_kittest::kittest::Queryable;
use moodgrid::domain::board::{Board, Content, V2};
use moodgrid::library::{ImageFile, JobRecord, Library, LibraryError};

use super::harness::*;

/// Job #1 as the library has it, in the Trash or not; `None` once deleted. Any other error fails the test.
fn job_one(data: &std::path::Path) -> Option<JobRecord> {
    match Library::open(data).unwrap().job(1) {
        Ok(job) => Some(job),
        Err(LibraryError::NotFound(which)) if which == "#1" => None,
        Err(other) => panic!("job #1 could not be read: {other}"),
    }
}

/// Which of an image's files are on disk: the original, then each thumbnail.
fn on_disk(file: &ImageFile) -> Vec<bool> {
    std::iter::once(&file.path)
        .chain(file.thumbnails.iter().map(|(_, path)| path))
        .map(|path| path.exists())
        .collect()
}

#[test]
fn a_trashed_job_leaves_the_views_comes_back_with_undo_or_restore_and_empty_trash_deletes_it() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = with_grid(data.path(), "a harbour to throw away");
    let files = Library::open(data.path()).unwrap().image_files(1).unwrap();
    assert_eq!(files.len(), 5, "the grid and its four images");
    for file in &files {
        assert_eq!(on_disk(file), [true, true, true], "{:?}", file.path);
    }
    harness.get_by_label("Move to Trash").click();
    frames_until(&mut harness, "the job gone", |h| !shows(h, "#1 · imagine"));
    assert!(job_one(data.path()).unwrap().trashed_at.is_some());
    assert!(shows(&harness, "Moved #1 to the Trash"));

    // Ctrl+Z brings it back.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    harness.get_by_label("Gallery").click();
    frames_until(&mut harness, "the job back", |h| shows(h, "1 of 1 jobs"));
    assert!(job_one(data.path()).unwrap().trashed_at.is_none());

    // Del on the selected job, from the gallery; then the Trash restores it.
    harness.key_press(egui::Key::Delete);
    frames_until(&mut harness, "the gallery empty", |h| {
        shows(h, "0 of 0 jobs")
    });
    harness.get_by_label("Trash").click();
    frames_until(&mut harness, "the Trash", |h| shows(h, "Restore #1"));
    // A grid sizes its columns on its first frame; the button has settled on the next.
    harness.step();
    harness.get_by_label("Restore #1").click();
    frames_until(&mut harness, "the Trash empty", |h| shows(h, "Empty."));
    harness.get_by_label("Back to the gallery").click();
    frames_until(&mut harness, "the job back again", |h| {
        shows(h, "1 of 1 jobs")
    });

    // Into the Trash once more, and out of the library: Empty Trash asks first.
    harness
        .get_by_label("Job #1: a harbour to throw away")
        .click();
    harness.step();
    harness.key_press(egui::Key::Delete);
    frames_until(&mut harness, "the gallery empty", |h| {
        shows(h, "0 of 0 jobs")
    });
    // Meanwhile a board (saved by another process) holds one of the job's images.
    let pinned = files[3].record.clone();
    let mut board = Board::new("Harbours");
    board.add(
        Content::Image {
            hash: pinned.hash.clone(),
            file: pinned.path.clone(),
            job: Some(1),
            width: pinned.width,
            height: pinned.height,
        },
        V2::new(0.0, 0.0),
    );
    Library::open(data.path())
        .unwrap()
        .create_board(&board)
        .unwrap();
    harness.get_by_label("Trash").click();
    frames_until(&mut harness, "the Trash", |h| enabled(h, "Empty Trash…"));
    harness.get_by_label("Empty Trash…").click();
    frames_until(&mut harness, "the question", |h| {
        shows(h, "Empty the Trash?")
    });
    harness.get_by_label("Delete for good").click();
    frames_until(&mut harness, "the emptied Trash", |h| {
        shows(h, "Emptied the Trash: 1 job(s) deleted")
    });
    assert!(job_one(data.path()).is_none(), "deleted for good");
    // Its files went with it, originals and thumbnails, but for the image the board still shows.
    for file in &files {
        let want = if file.record.hash == pinned.hash {
            [true, true, true]
        } else {
            [false, false, false]
        };
        assert_eq!(on_disk(file), want, "{:?}", file.path);
    }
}
