//! `moodgrid board list` and `board render`: a board made with the library code, drawn by the real binary.

use std::process::Command;

use moodgrid::domain::board::{Board, Content, V2};
use moodgrid::library::Library;

fn board_command(data_dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_moodgrid"))
        .arg("board")
        .args(args)
        .env("MOODGRID_DATA_DIR", data_dir)
        .env_remove("TTAPI_API_KEY")
        .output()
        .unwrap()
}

#[test]
fn a_board_is_listed_and_rendered_to_a_png_by_name_or_id() {
    let data = tempfile::tempdir().unwrap();
    let library = Library::open(data.path()).unwrap();
    let red = image::RgbaImage::from_pixel(300, 200, image::Rgba([220, 30, 30, 255]));
    let stored = library
        .store()
        .put(&moodgrid::imaging::encode_png(&red).unwrap())
        .unwrap();
    let mut board = Board::new("Harbour moods");
    let photo = board.add(
        Content::Image {
            hash: stored.hash,
            file: stored.relative_path,
            job: None,
            width: 300,
            height: 200,
        },
        V2::new(150.0, 100.0),
    );
    board.rotate_by(&[photo], std::f32::consts::FRAC_PI_2);
    board.add(
        Content::Note {
            text: "warm".into(),
            width: 100.0,
            height: 100.0,
        },
        V2::new(400.0, 100.0),
    );
    let id = library.create_board(&board).unwrap();

    let listed = board_command(data.path(), &["list"]);
    assert!(listed.status.success());
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(
        listed.contains(&format!("{id}"))
            && listed.contains("2 items")
            && listed.contains("Harbour moods"),
        "{listed}"
    );

    let out = data.path().join("board.png");
    let rendered = board_command(
        data.path(),
        &[
            "render",
            "harbour MOODS",
            "--scale",
            "0.5",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert!(
        rendered.status.success(),
        "{}",
        String::from_utf8_lossy(&rendered.stderr)
    );
    let png = image::open(&out).unwrap().to_rgba8();
    // Turned upright, the photo is 200 × 300 about (150, 100): x 50–250, y -50–250; the note spans x
    // 350–450, y 50–150. At half scale: 200 × 150 px, the note at x 150–200, y 50–100.
    assert_eq!(png.dimensions(), (200, 150));
    assert_eq!(png.get_pixel(50, 75).0, [220, 30, 30, 255], "the photo");
    assert_eq!(png.get_pixel(175, 60).0[..3], [250, 236, 160], "the note");
    assert_eq!(
        png.get_pixel(125, 75).0[..3],
        [24, 24, 24],
        "the canvas between them"
    );

    let by_id = board_command(
        data.path(),
        &["render", &id.to_string(), "-o", out.to_str().unwrap()],
    );
    assert!(by_id.status.success());
    assert_eq!(image::open(&out).unwrap().width(), 400);

    let unknown = board_command(
        data.path(),
        &["render", "Autumn", "-o", out.to_str().unwrap()],
    );
    assert_eq!(unknown.status.code(), Some(2));
    let message = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        message.contains("no board `Autumn`") && message.contains("Harbour moods"),
        "{message}"
    );
}
