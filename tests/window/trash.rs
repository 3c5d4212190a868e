//! The Trash: a job moved there leaves every view, Ctrl+Z or Restore brings it back, and Empty Trash asks
//! first, then deletes it for good.

use egui_kittest::kittest::Queryable;

use super::harness::*;

/// Job #1 as the library has it, in the Trash or not; `None` once deleted.
fn job_one(data: &std::path::Path) -> Option<moodgrid::library::JobRecord> {
    moodgrid::library::Library::open(data).unwrap().job(1).ok()
}

#[test]
fn a_trashed_job_leaves_the_views_comes_back_with_undo_or_restore_and_empty_trash_deletes_it() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = with_grid(data.path(), "a harbour to throw away");
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
}
