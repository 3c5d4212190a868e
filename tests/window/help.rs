//! Help, the shortcuts list, and what the window remembers.

use egui_kittest::kittest::Queryable;
use moodgrid::ui::View;

use super::harness::*;

#[test]
fn f1_and_the_help_menu_list_the_shortcuts_and_the_open_view_comes_back_next_time() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = with_grid(data.path(), "a remembered harbour");

    harness.key_press(egui::Key::F1);
    harness.run_steps(2);
    assert!(shows(&harness, "Keyboard shortcuts"));
    assert!(shows(&harness, "Ctrl+Z"), "combinations written for Linux");
    assert!(shows(&harness, "older prompt from the history"));
    harness.key_press(egui::Key::Escape);
    harness.run_steps(2);
    assert!(
        !shows(&harness, "older prompt from the history"),
        "Esc closes it"
    );
    harness.get_by_label("Help").click();
    harness.run_steps(2);
    assert!(
        enabled(&harness, "Open log folder"),
        "Help → Open log folder, with the platform state folder"
    );
    // Esc closes the menu and leaves the job view open.
    harness.key_press(egui::Key::Escape);
    harness.run_steps(2);
    assert!(harness.query_by_label("Open log folder").is_none());
    assert_eq!(harness.state().remembered().view, View::Job);
    harness.get_by_label("Help").click();
    harness.run_steps(2);
    // The menu item's label also carries its key, F1.
    harness
        .query_by_label_contains("Keyboard shortcuts")
        .unwrap()
        .click();
    harness.run_steps(2);
    assert!(
        shows(&harness, "older prompt from the history"),
        "Help → Keyboard shortcuts"
    );

    // What eframe keeps at exit: the open view and job; a fresh window on the same library restores them.
    harness.get_by_label("Gallery").click();
    harness.run_steps(2);
    let remembered = harness.state().remembered();
    assert_eq!(remembered.view, View::Gallery);
    assert!(remembered.selected.is_some());
    drop(harness);
    let mut again = open(data.path());
    again.state_mut().restore(remembered);
    frames_until(&mut again, "the gallery with the job", |h| {
        shows(h, "1 of 1 jobs")
    });
    assert_eq!(again.state().remembered(), remembered);
}
