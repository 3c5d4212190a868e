//! A closer look at picked jobs: compare side by side, and culling one at a time, both over the whole window
//! and rated from the keyboard.

use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;
use moodgrid::library::Flag;

use super::harness::*;

fn three_jobs_in_the_gallery(data: &std::path::Path) -> Window {
    let mut harness = open(data);
    frames_until(&mut harness, "the engine", |h| shows(h, "Offline demo"));
    for prompt in [
        "a red harbour",
        "a green harbour --ar 3:2",
        "a blue harbour",
    ] {
        imagine_anew(&mut harness, prompt);
    }
    frames_until(&mut harness, "the third grid", |h| {
        shows(h, "#3 · imagine") && enabled(h, "U1")
    });
    // Every one finished, images saved (under load the first ones may still be saving theirs).
    frames_until(&mut harness, "all three saved", |_| {
        let jobs = stored_jobs(data);
        jobs.len() == 3
            && jobs
                .iter()
                .all(|job| job.state == moodgrid::library::JobState::Succeeded)
    });
    harness.get_by_label("Gallery").click_accesskit();
    frames_until(&mut harness, "three jobs", |h| shows(h, "3 of 3 jobs"));
    harness
}

fn stored(data: &std::path::Path, id: i64) -> moodgrid::library::JobRecord {
    stored_jobs(data)
        .into_iter()
        .find(|job| job.id == id)
        .unwrap()
}

#[test]
fn shift_click_picks_a_range_that_compare_shows_side_by_side_with_keys_to_maximise_flip_and_flag() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = three_jobs_in_the_gallery(data.path());
    click_tile(&mut harness, 3, Modifiers::NONE);
    click_tile(&mut harness, 1, Modifiers::SHIFT);
    frames_until(&mut harness, "three picked by one Shift+click", |h| {
        enabled(h, "Compare (3)")
    });

    harness.get_by_label("Compare (3)").click_accesskit();
    let panes = ["A · #3 · imagine", "B · #2 · imagine", "C · #1 · imagine"];
    frames_until(&mut harness, "three panes", |h| {
        panes.iter().all(|p| shows(h, p))
    });
    assert!(
        harness.query_by_label("Imagine").is_none(),
        "the whole window: no prompt bar"
    );
    harness.key_press(Key::Num2);
    frames_until(&mut harness, "B alone", |h| {
        shows(h, panes[1]) && !shows(h, panes[0]) && !shows(h, panes[2])
    });
    harness.key_press(Key::Num2);
    frames_until(&mut harness, "all three again", |h| {
        panes.iter().all(|p| shows(h, p))
    });

    // 2 left the focus on B; → moves it to C, and X rejects C alone.
    harness.key_press(Key::ArrowRight);
    harness.step();
    harness.key_press(Key::X);
    frames_until(&mut harness, "C rejected", |_| {
        stored(data.path(), 1).flag == Some(Flag::Reject)
    });
    assert_eq!(stored(data.path(), 2).flag, None);
    assert_eq!(stored(data.path(), 3).flag, None);
    harness.key_press(Key::ArrowLeft);
    harness.step();

    // A/B: one place, Space flips between the two.
    harness.get_by_label("A/B").click_accesskit();
    frames_until(&mut harness, "one of two", |h| {
        shows(h, panes[1]) && !shows(h, panes[0]) && !shows(h, panes[2])
    });
    harness.key_press(Key::Space);
    frames_until(&mut harness, "the other", |h| {
        shows(h, panes[0]) && !shows(h, panes[1])
    });

    harness.key_press(Key::Escape);
    frames_until(&mut harness, "the gallery again", |h| {
        shows(h, "3 of 3 jobs")
    });
    assert!(harness.query_by_label("Imagine").is_some());
}

#[test]
fn culling_steps_through_the_shown_jobs_full_window_rating_with_digits_and_flagging_with_letters() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = three_jobs_in_the_gallery(data.path());
    harness.get_by_label("Cull").click_accesskit();
    frames_until(&mut harness, "the first of three", |h| {
        shows(h, "1 of 3") && shows(h, "#3 · imagine — a blue harbour")
    });
    assert!(harness.query_by_label("Imagine").is_none());
    // Digits rate here (there is no grid's U1–U4 to press).
    harness.key_press(Key::Num4);
    frames_until(&mut harness, "four stars", |_| {
        stored(data.path(), 3).rating == 4
    });
    assert_eq!(stored_jobs(data.path()).len(), 3, "4 upscaled nothing");
    harness.key_press(Key::ArrowRight);
    frames_until(&mut harness, "the second", |h| shows(h, "2 of 3"));
    harness.key_press(Key::P);
    harness.key_press(Key::Num0);
    frames_until(&mut harness, "picked", |_| {
        stored(data.path(), 2).flag == Some(Flag::Pick)
    });
    harness.key_press(Key::End);
    frames_until(&mut harness, "the last", |h| {
        shows(h, "3 of 3") && shows(h, "#1 · imagine — a red harbour")
    });
    harness.key_press(Key::ArrowRight);
    harness.step();
    assert!(shows(&harness, "3 of 3"), "the run ends at its last job");
    harness.key_press(Key::Escape);
    frames_until(&mut harness, "the gallery again", |h| {
        shows(h, "3 of 3 jobs")
    });
    assert_eq!(stored(data.path(), 3).rating, 4);
}
