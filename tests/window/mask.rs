//! The mask editor: what is painted is exactly what gets repainted.

use egui_kittest::kittest::Queryable;

use super::harness::*;

#[test]
fn a_region_painted_in_the_mask_editor_is_exactly_what_gets_repainted() {
    use moodgrid::library::{ImageRole, Library};
    let data = tempfile::tempdir().unwrap();
    let mut harness = with_grid(data.path(), "a quiet harbour");
    harness.get_by_label("U1").click_accesskit();
    frames_until(&mut harness, "the upscaled image", |h| {
        enabled(h, "Vary region")
    });
    harness.get_by_label("Vary region").click_accesskit();
    frames_until(&mut harness, "the editor", |h| shows(h, "Mask canvas"));
    harness.get_by_label("Rectangle").click_accesskit();
    harness.step();

    // Where the image sits on the canvas: fitted and centred, as the editor draws it.
    let library = Library::open(data.path()).unwrap();
    let upscale = library.job(2).unwrap();
    let (w, h) = (
        upscale.width.unwrap() as f32,
        upscale.height.unwrap() as f32,
    );
    let canvas = harness.get_by_label("Mask canvas").rect();
    let zoom = (canvas.width() / w).min(canvas.height() / h);
    let origin = canvas.min + (canvas.size() - egui::vec2(w, h) * zoom) / 2.0;
    let screen = |x: f32, y: f32| origin + egui::vec2(x, y) * zoom;
    let (from, to) = ((0.25 * w, 0.30 * h), (0.60 * w, 0.70 * h));

    pointer(
        &mut harness,
        egui::Event::PointerMoved(screen(from.0, from.1)),
    );
    pointer(&mut harness, button(screen(from.0, from.1), true));
    for step in 1..=4 {
        let t = step as f32 / 4.0;
        let at = screen(from.0 + (to.0 - from.0) * t, from.1 + (to.1 - from.1) * t);
        pointer(&mut harness, egui::Event::PointerMoved(at));
    }
    pointer(&mut harness, button(screen(to.0, to.1), false));
    harness.step();
    assert!(
        enabled(&harness, "Submit region"),
        "a painted mask can be submitted"
    );
    harness.get_by_label("Submit region").click_accesskit();
    frames_until(&mut harness, "the inpainted grid", |h| {
        shows(h, "#3 · inpaint") && enabled(h, "U1")
    });

    // What was sent: a mask of the image's exact size, white exactly where the rectangle was dragged.
    let files = library.image_files(3).unwrap();
    let mask_file = files
        .iter()
        .find(|f| f.record.role == ImageRole::Mask)
        .unwrap();
    let mask = image::open(&mask_file.path).unwrap().to_luma8();
    assert_eq!(mask.dimensions(), (w as u32, h as u32));
    let white: Vec<(u32, u32)> = mask
        .enumerate_pixels()
        .filter(|(_, _, p)| p[0] == 255)
        .map(|(x, y, _)| (x, y))
        .collect();
    let (min_x, max_x) = (
        white.iter().map(|p| p.0).min().unwrap(),
        white.iter().map(|p| p.0).max().unwrap(),
    );
    let (min_y, max_y) = (
        white.iter().map(|p| p.1).min().unwrap(),
        white.iter().map(|p| p.1).max().unwrap(),
    );
    let near = |a: u32, b: f32| (a as f32 - b).abs() <= 2.0;
    assert!(
        near(min_x, from.0)
            && near(max_x + 1, to.0)
            && near(min_y, from.1)
            && near(max_y + 1, to.1),
        "white {min_x}..={max_x} × {min_y}..={max_y}, dragged {from:?} → {to:?}"
    );
    assert_eq!(
        white.len() as u32,
        (max_x - min_x + 1) * (max_y - min_y + 1),
        "a solid rectangle"
    );

    // What came back: outside the region every pixel is the original's; inside, it was repainted.
    let original = image::open(&library.image_files(2).unwrap()[0].path)
        .unwrap()
        .to_rgba8();
    let split = files
        .iter()
        .find(|f| f.record.role == ImageRole::Split)
        .unwrap();
    let repainted = image::open(&split.path).unwrap().to_rgba8();
    assert_eq!(repainted.dimensions(), original.dimensions());
    let mut changed_inside = 0;
    for (x, y, p) in repainted.enumerate_pixels() {
        if mask.get_pixel(x, y)[0] == 255 {
            changed_inside += usize::from(p != original.get_pixel(x, y));
        } else {
            assert_eq!(
                p,
                original.get_pixel(x, y),
                "({x}, {y}) is outside the mask"
            );
        }
    }
    assert!(changed_inside > white.len() / 2, "the region was repainted");
}
