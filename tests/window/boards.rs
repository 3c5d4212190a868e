//! Moodboards: images from the gallery, the feed and files; moving, arranging, cropping, notes.

use std::path::Path;

use egui_kittest::kittest::Queryable;
use moodgrid::library::{Library, StoredBoard};

use super::harness::*;

/// Draws frames until the saved board satisfies `done` (saves are asynchronous); the boards as saved.
fn saved_board_until(
    harness: &mut Window,
    data: &Path,
    what: &str,
    done: impl Fn(&[StoredBoard]) -> bool,
) -> Vec<StoredBoard> {
    let library = Library::open(data).unwrap();
    frames_until(harness, what, |_| done(&library.boards().unwrap()));
    library.boards().unwrap()
}

#[test]
fn a_board_takes_gallery_images_moves_arranges_and_blends_two_of_them() {
    use moodgrid::library::{ImageRole, Library};
    let data = tempfile::tempdir().unwrap();
    let mut harness = open(data.path());
    frames_until(&mut harness, "the engine", |h| shows(h, "Offline demo"));
    imagine(&mut harness, "a board of harbours");
    frames_until(&mut harness, "the grid's image", |h| {
        enabled(h, "U1") && enabled(h, "Add to board")
    });
    harness.get_by_label("Add to board").click_accesskit();
    harness.step();
    for (button, job) in [("U1", 2), ("U2", 3)] {
        harness.get_by_label(button).click_accesskit();
        frames_until(&mut harness, "the upscale", |h| {
            enabled(h, "Vary region")
                && enabled(h, "Add to board")
                && shows(h, &format!("#{job} · upsample"))
        });
        harness.get_by_label("Add to board").click_accesskit();
        harness.step();
        harness.get_by_label("#1 imagine").click_accesskit();
        frames_until(&mut harness, "the grid again", |h| enabled(h, "U2"));
    }
    harness.get_by_label("Boards").click_accesskit();
    frames_until(&mut harness, "three images on the board", |h| {
        (1..=3).all(|job| shows(h, &format!("Board image: job #{job}")))
    });

    // New arrivals are selected together; a click picks the second image alone, then it moves 150 px
    // to the right.
    let before = item_rect(&harness, 2);
    harness
        .get_by_label("Board image: job #2")
        .click_accesskit();
    harness.step();
    let first = item_rect(&harness, 1);
    drag(
        &mut harness,
        before.center(),
        before.center() + egui::vec2(150.0, 0.0),
        egui::Modifiers::NONE,
    );
    let after = item_rect(&harness, 2);
    assert!(
        (after.center().x - before.center().x - 150.0).abs() < 2.0,
        "{before:?} → {after:?}"
    );
    assert_eq!(
        item_rect(&harness, 1),
        first,
        "only the selected image moved"
    );

    // Select all with a marquee from corner to corner, then arrange them as a grid.
    let canvas = harness.get_by_label("Board canvas").rect();
    drag(
        &mut harness,
        canvas.min + egui::vec2(3.0, 3.0),
        canvas.max - egui::vec2(3.0, 3.0),
        egui::Modifiers::NONE,
    );
    assert!(
        enabled(&harness, "Arrange grid"),
        "the marquee selected the items"
    );
    harness.get_by_label("Arrange grid").click_accesskit();
    harness.run_steps(2);
    let rects: Vec<egui::Rect> = (1..=3).map(|job| item_rect(&harness, job)).collect();
    let mut rows: Vec<f32> = rects.iter().map(|r| r.top()).collect();
    rows.sort_by(f32::total_cmp);
    rows.dedup_by(|a, b| (*a - *b).abs() < 2.0);
    let distinct_rows = rows.len();
    assert_eq!(
        distinct_rows, 2,
        "three items in a two-column grid: {rects:?}"
    );

    // Select the grid and the second upscale, and blend them.
    harness
        .get_by_label("Board image: job #1")
        .click_accesskit();
    harness.step();
    harness
        .get_by_label("Board image: job #3")
        .click_modifiers(egui::Modifiers::SHIFT);
    harness.step();
    harness.get_by_label("Blend (2)").click_accesskit();
    frames_until(&mut harness, "the two images as blend sources", |h| {
        enabled(h, "Blend 2 images")
    });
    harness.get_by_label("Blend 2 images").click_accesskit();
    frames_until(&mut harness, "the blend's grid", |h| {
        enabled(h, "U1") && shows(h, "· blend")
    });

    let library = Library::open(data.path()).unwrap();
    let blend = library.recent_jobs(1).unwrap().remove(0);
    let mut sizes: Vec<(u32, u32)> = library
        .images(blend.id)
        .unwrap()
        .iter()
        .filter(|i| i.role == ImageRole::Source)
        .map(|i| (i.width, i.height))
        .collect();
    sizes.sort();
    assert_eq!(
        sizes,
        [(1024, 1024), (2048, 2048)],
        "the grid and the second upscale"
    );
    // The board was saved as it was edited.
    let boards = library.boards().unwrap();
    assert_eq!(boards.len(), 1);
    assert_eq!(boards[0].board.items().len(), 3);
}

#[test]
fn a_board_takes_a_feed_drag_and_a_dropped_file_and_scales_crops_rotates_notes_and_renames() {
    use moodgrid::domain::board::Content;
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let mut harness = with_grid(data.path(), "harbour lights in fog");
    harness.get_by_label("Boards").click();
    frames_until(&mut harness, "the empty boards view", |h| {
        shows(h, "No board yet")
    });

    // Drag the job from the feed onto the (still missing) board: a board is made and the image lands.
    let central = harness
        .query_all_by_label_contains("No board yet")
        .next()
        .unwrap()
        .rect();
    // The feed row's title (the prompt also shows in the prompt bar, above the feed).
    let row = harness
        .query_all_by_label_contains("harbour lights in fog")
        .map(|n| n.rect())
        .find(|r| r.max.x <= central.min.x && r.min.y > 80.0)
        .unwrap();
    let target = central.center();
    drag(&mut harness, row.center(), target, egui::Modifiers::NONE);
    frames_until(&mut harness, "the dragged job on a new board", |h| {
        shows(h, "Board image: job #1")
    });

    // Drop a 320×200 file and a text file named like a picture on the canvas.
    let canvas = rect_of(&harness, "Board canvas");
    let photo = picture(files.path(), "photo.png", [200, 90, 60]);
    let fake = files.path().join("notes.png");
    std::fs::write(&fake, "not a picture").unwrap();
    pointer(&mut harness, egui::Event::PointerMoved(canvas.center()));
    drop_files(&mut harness, &[photo, fake]);
    frames_until(&mut harness, "the dropped file on the board", |h| {
        shows(h, "Board image: your file") && shows(h, "notes.png: not an image")
    });
    harness.run_steps(2);
    let dropped = rect_of(&harness, "Board image: your file");
    assert!(
        near(dropped.center().x, canvas.center().x) && near(dropped.center().y, canvas.center().y)
    );
    assert!(
        (dropped.width() / dropped.height() - 1.6).abs() < 0.03,
        "a 320×200 file keeps its shape: {dropped:?}"
    );

    // The new item is selected: its bottom-right handle scales it about the top-left corner.
    let pull = egui::vec2(80.0, 50.0);
    drag(
        &mut harness,
        dropped.max,
        dropped.max + pull,
        egui::Modifiers::NONE,
    );
    let scaled = rect_of(&harness, "Board image: your file");
    assert!(
        near(scaled.min.x, dropped.min.x) && near(scaled.min.y, dropped.min.y),
        "{dropped:?} → {scaled:?}"
    );
    assert!(
        near(scaled.width(), dropped.width() + pull.x)
            && near(scaled.height(), dropped.height() + pull.y),
        "{dropped:?} → {scaled:?}"
    );

    // Crop: the right edge's handle pulled to the middle keeps the left half where it was.
    harness.get_by_label("Crop").click();
    harness.step();
    let right_edge = egui::pos2(scaled.max.x, scaled.center().y);
    drag(
        &mut harness,
        right_edge,
        scaled.center(),
        egui::Modifiers::NONE,
    );
    harness.key_press(egui::Key::Enter);
    harness.step();
    let cropped = rect_of(&harness, "Board image: your file");
    assert!(
        near(cropped.min.x, scaled.min.x) && near(cropped.width(), scaled.width() / 2.0),
        "{scaled:?} → {cropped:?}"
    );
    assert!(near(cropped.height(), scaled.height()));

    // Rotate: the round handle above the top edge, dragged level with the centre to the right, is a
    // quarter turn clockwise.
    let handle = egui::pos2(cropped.center().x, cropped.min.y - 26.0);
    drag(
        &mut harness,
        handle,
        cropped.center() + egui::vec2(120.0, 0.0),
        egui::Modifiers::NONE,
    );
    let turned = rect_of(&harness, "Board image: your file");
    assert!(
        near(turned.width(), cropped.height()) && near(turned.height(), cropped.width()),
        "{cropped:?} → {turned:?}"
    );
    assert!(
        near(turned.center().x, cropped.center().x) && near(turned.center().y, cropped.center().y)
    );

    // A note, typed straight away, kept when the pointer clicks elsewhere; undo and redo take it back and
    // forth.
    harness.get_by_label("Add note").click();
    harness.step();
    harness
        .input_mut()
        .events
        .push(egui::Event::Text("warm light, cold sea".into()));
    harness.step();
    pointer(
        &mut harness,
        egui::Event::PointerMoved(canvas.min + egui::vec2(4.0, 4.0)),
    );
    pointer(
        &mut harness,
        button(canvas.min + egui::vec2(4.0, 4.0), true),
    );
    pointer(
        &mut harness,
        button(canvas.min + egui::vec2(4.0, 4.0), false),
    );
    frames_until(&mut harness, "the note", |h| {
        shows(h, "Board note: warm light, cold sea")
    });
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    harness.step();
    assert!(
        !shows(&harness, "Board note: warm light"),
        "undo empties the note again"
    );
    harness.key_press_modifiers(
        egui::Modifiers::COMMAND | egui::Modifiers::SHIFT,
        egui::Key::Z,
    );
    harness.step();
    assert!(
        shows(&harness, "Board note: warm light, cold sea"),
        "redo brings the text back"
    );

    // The generated image can be an image prompt: its web address goes in front of the prompt.
    // (Its corner: the dropped file lies over its middle.)
    let grid = rect_of(&harness, "Board image: job #1");
    pointer(
        &mut harness,
        egui::Event::PointerMoved(grid.min + egui::vec2(6.0, 6.0)),
    );
    pointer(&mut harness, button(grid.min + egui::vec2(6.0, 6.0), true));
    pointer(&mut harness, button(grid.min + egui::vec2(6.0, 6.0), false));
    frames_until(&mut harness, "the grid selected", |h| {
        enabled(h, "Use as image prompt")
    });
    harness.get_by_label("Use as image prompt").click();
    // The prompt bar is drawn before the board, so the new text shows a frame later.
    harness.run_steps(2);
    let prompt = prompt_text(&harness).unwrap_or_default();
    assert!(
        prompt.starts_with("http://127.0.0.1:") && prompt.ends_with(" harbour lights in fog"),
        "{prompt}"
    );
    // … or a style reference, after its flag.
    harness.get_by_label("Use as reference").click();
    harness.run_steps(2);
    harness.get_by_label("Style reference (--sref)").click();
    harness.run_steps(2);
    let with_sref = prompt_text(&harness).unwrap_or_default();
    let url = prompt.split_whitespace().next().unwrap_or_default();
    assert_eq!(with_sref, format!("{prompt} --sref {url}"));

    // Rename, then check what was saved.
    harness.get_by_label("Rename…").click();
    // A frame to show the name field, one for it to take the focus.
    harness.run_steps(3);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness
        .input_mut()
        .events
        .push(egui::Event::Text("Harbours".into()));
    harness.step();
    harness.key_press(egui::Key::Enter);
    harness.step();
    let boards = saved_board_until(&mut harness, data.path(), "the renamed board", |b| {
        b.len() == 1 && b[0].board.name == "Harbours"
    });
    let items = boards[0].board.items();
    assert_eq!(items.len(), 3, "job image, dropped file, note");
    let file = items
        .iter()
        .find(|i| matches!(i.content, Content::Image { job: None, .. }))
        .unwrap();
    assert!(
        (file.rotation - std::f32::consts::FRAC_PI_2).abs() < 0.02,
        "{file:?}"
    );
    assert!(
        (file.crop.right - 0.5).abs() < 0.02 && file.crop.left == 0.0,
        "{file:?}"
    );
    assert!(items.iter().any(
        |i| matches!(&i.content, Content::Note { text, .. } if text == "warm light, cold sea")
    ));

    // Deleting the board asks first, and leaves the images in the library.
    harness.get_by_label("Delete board…").click();
    frames_until(&mut harness, "the question", |h| enabled(h, "Delete board"));
    harness.get_by_label("Delete board").click();
    saved_board_until(&mut harness, data.path(), "the board deleted", |b| {
        b.is_empty()
    });
    frames_until(&mut harness, "the empty boards view", |h| {
        shows(h, "No board yet")
    });
}
