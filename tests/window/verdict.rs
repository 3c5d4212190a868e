//! Stars and flags: given in the job view or by key, seen in the gallery's filters, and kept in the
//! library, where another process's rating shows up in the open window.

use egui_kittest::kittest::{NodeT, Queryable};
use moodgrid::library::{Flag, Library, Mark};

use super::harness::*;

fn lit(harness: &Window, star: &str) -> bool {
    harness.get_by_label(star).accesskit_node().toggled() == Some(egui::accesskit::Toggled::True)
}

#[test]
fn stars_and_flags_are_given_kept_filtered_and_followed_from_another_process() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = with_grid(data.path(), "a rated harbour");
    harness.get_by_label("4 stars").click();
    frames_until(&mut harness, "four stars", |h| lit(h, "4 stars"));
    assert!(lit(&harness, "1 star") && !lit(&harness, "5 stars"));
    assert_eq!(stored_jobs(data.path())[0].rating, 4);
    // The lit last star again clears the rating.
    harness.get_by_label("4 stars").click();
    frames_until(&mut harness, "no stars", |h| !lit(h, "1 star"));

    // X rejects the selected job, P picks it, U takes the flag away (Lightroom's keys).
    harness.key_press(egui::Key::X);
    frames_until(&mut harness, "the reject", |_| {
        stored_jobs(data.path())[0].flag == Some(Flag::Reject)
    });
    harness.get_by_label("Gallery").click();
    frames_until(&mut harness, "the gallery", |h| shows(h, "1 of 1 jobs"));
    harness.get_by_label("Flag").click();
    frames_until(&mut harness, "the flag choices", |h| {
        shows(h, "Not rejected")
    });
    harness.get_by_label("Not rejected").click();
    frames_until(&mut harness, "the reject filtered out", |h| {
        shows(h, "0 of 1 jobs")
    });
    harness.key_press(egui::Key::U);
    frames_until(&mut harness, "the flag gone", |h| shows(h, "1 of 1 jobs"));

    // Another process (the CLI's `moodgrid rate`) rates it: the window follows.
    Library::open(data.path())
        .unwrap()
        .mark_job(1, Mark::Stars(2))
        .unwrap();
    harness.get_by_label("Job").click();
    frames_until(&mut harness, "the other process's rating", |h| {
        lit(h, "2 stars") && !lit(h, "3 stars")
    });
}

#[test]
fn on_a_board_1_is_the_zoom_and_never_an_upscale_of_the_selected_grid() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = with_grid(data.path(), "a harbour not to upscale");
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Num5);
    frames_until(&mut harness, "the boards", |h| shows(h, "New board"));
    harness.key_press(egui::Key::Num1);
    // Only once nothing is on its way can "never sent" be told from "not sent yet".
    settle(&mut harness);
    assert_eq!(stored_jobs(data.path()).len(), 1, "no U1 was sent");
}
