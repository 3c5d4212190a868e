//! The user's own images: dropped files blended, an image described.

use egui_kittest::kittest::Queryable;

use super::harness::*;

#[test]
fn two_dropped_files_blend_and_a_bad_one_blocks_nothing() {
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let mut harness = open(data.path());
    frames_until(&mut harness, "the engine", |h| shows(h, "Offline demo"));
    harness.get_by_label("Blend").click_accesskit();
    harness.step();
    let notes = files.path().join("notes.png");
    std::fs::write(&notes, "this is text, not a picture").unwrap();
    drop_files(
        &mut harness,
        &[
            picture(files.path(), "red.png", [220, 40, 40]),
            notes,
            picture(files.path(), "blue.png", [30, 60, 220]),
        ],
    );
    frames_until(&mut harness, "two checked slots and one refused", |h| {
        enabled(h, "Blend 2 images") && shows(h, "notes.png: not an image")
    });
    assert!(shows(&harness, "320 × 200 px"));
    harness.get_by_label("Landscape").click_accesskit();
    harness.step();
    harness.get_by_label("Blend 2 images").click_accesskit();
    frames_until(&mut harness, "the blend's grid", |h| {
        enabled(h, "U1") && shows(h, "· blend")
    });

    // The blend kept its inputs: they go back to the panel, in order, ready to blend again.
    frames_until(&mut harness, "the blend's stored sources", |h| {
        enabled(h, "Edit in Blend")
    });
    harness.get_by_label("Edit in Blend").click_accesskit();
    frames_until(&mut harness, "the stored sources back in the panel", |h| {
        enabled(h, "Blend 2 images")
    });
    assert_eq!(
        harness.query_all_by_label_contains("320 × 200 px").count(),
        2
    );

    // Jobs picked with Ctrl+click in the gallery go to the Blend panel as its sources.
    harness.get_by_label("Clear").click_accesskit();
    harness.step();
    imagine(&mut harness, "a second picture");
    frames_until(&mut harness, "the second job", |h| {
        enabled(h, "U1") && shows(h, "#2 · imagine")
    });
    harness.get_by_label("Gallery").click_accesskit();
    harness.step();
    for tile in ["Job #1: blend", "Job #2: a second picture"] {
        // The gallery reads its tiles from the library a page at a time.
        frames_until(&mut harness, tile, |h| h.query_by_label(tile).is_some());
        harness
            .get_by_label(tile)
            .click_modifiers(egui::Modifiers::COMMAND);
        harness.step();
    }
    frames_until(&mut harness, "the picked jobs' images", |h| {
        enabled(h, "Blend selected (2)")
    });
    harness.get_by_label("Blend selected (2)").click_accesskit();
    frames_until(&mut harness, "the picked jobs as blend sources", |h| {
        enabled(h, "Blend 2 images")
    });
}

#[test]
fn a_described_image_gives_four_prompts_and_use_prompt_fills_the_bar() {
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let mut harness = open(data.path());
    frames_until(&mut harness, "the engine", |h| shows(h, "Offline demo"));
    harness.get_by_label("Describe").click_accesskit();
    harness.step();
    drop_files(
        &mut harness,
        &[picture(files.path(), "moss.png", [40, 160, 60])],
    );
    frames_until(&mut harness, "the checked image", |h| {
        enabled(h, "Describe image")
    });
    harness.get_by_label("Describe image").click_accesskit();
    frames_until(&mut harness, "four prompt cards", |h| {
        h.query_all_by_label("Use prompt").count() == 4
    });
    harness
        .query_all_by_label("Use prompt")
        .nth(2)
        .unwrap()
        .click_accesskit();
    harness.run_steps(2);
    let prompt = prompt_text(&harness).unwrap();
    assert!(
        prompt.starts_with("dreamy ") && prompt.contains("--ar") && !prompt.contains('\u{20E3}'),
        "the third prompt, without its number: {prompt}"
    );
}
