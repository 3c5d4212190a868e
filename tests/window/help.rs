//! Help, the shortcuts list, the keys that go between views, and what the window remembers.

use egui_kittest::kittest::{NodeT, Queryable};
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
    again.state_mut().restore(remembered.clone());
    frames_until(&mut again, "the gallery with the job", |h| {
        shows(h, "1 of 1 jobs")
    });
    assert_eq!(again.state().remembered(), remembered);
}

#[test]
fn ctrl_and_a_number_opens_each_view_and_m_varies_a_region_of_an_upscale_only() {
    use egui::{Key, Modifiers};
    let data = tempfile::tempdir().unwrap();
    let mut harness = with_grid(data.path(), "a quiet harbour");
    // What only each view shows.
    for (key, view, only_there) in [
        (Key::Num2, "gallery", "Filter"),
        (Key::Num3, "blend", "Blend 0 images"),
        (Key::Num4, "describe", "Choose image…"),
        (Key::Num5, "boards", "New board"),
        (Key::Num1, "job", "Copy job id"),
    ] {
        harness.key_press_modifiers(Modifiers::COMMAND, key);
        frames_until(&mut harness, view, |h| shows(h, only_there));
    }
    // The tabs stay what a screen reader announces: the open one is pressed.
    let tab_selected = |name: &str| {
        harness
            .get_all_by_label(name)
            .find(|node| node.accesskit_node().role() == egui::accesskit::Role::Button)
            .and_then(|tab| tab.accesskit_node().toggled())
    };
    assert_eq!(tab_selected("Job"), Some(egui::accesskit::Toggled::True));
    assert_eq!(
        tab_selected("Gallery"),
        Some(egui::accesskit::Toggled::False)
    );

    harness.key_press(Key::M);
    settle(&mut harness);
    assert!(
        !shows(&harness, "Mask canvas"),
        "a grid has no one image to vary a region of"
    );
    harness.get_by_label("U1").click();
    frames_until(&mut harness, "the upscaled image", |h| {
        enabled(h, "Vary region")
    });
    harness.key_press(Key::M);
    frames_until(&mut harness, "the mask editor", |h| shows(h, "Mask canvas"));
}
