//! The user's own image files, as `moodgrid blend` and `describe` read them: the same checks the window's
//! Blend and Describe panels run (`engine::read_source_file`). Each bad file gets its own message and
//! nothing is sent; an oversized photo is downscaled and the user is told.

use image::{Rgba, RgbaImage};
use moodgrid::imaging;
use moodgrid::sim::{SimConfig, Simulator};

use super::{moodgrid, one_job};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_source_files_are_refused_each_with_its_own_message_and_nothing_is_sent() {
    let sim = Simulator::start(SimConfig::fast()).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let dir = files.path();
    let path = |name: &str| dir.join(name).display().to_string();

    let good =
        imaging::encode_png(&RgbaImage::from_pixel(64, 48, Rgba([90, 140, 200, 255]))).unwrap();
    std::fs::write(path("good.png"), &good).unwrap();
    std::fs::write(path("notes.png"), "a shopping list, renamed").unwrap();
    std::fs::write(path("truncated.png"), &good[..good.len() / 2]).unwrap();
    std::fs::write(path("empty.png"), b"").unwrap();
    image::GrayImage::new(12_000, 12_000)
        .save(path("huge.png"))
        .unwrap();

    let good_path = path("good.png");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["blend".into(), path("notes.png"), good_path.clone()],
            "notes.png: not an image Moodgrid can read (PNG, JPEG or WebP expected)",
        ),
        (
            vec!["blend".into(), good_path.clone(), path("truncated.png")],
            "truncated.png: the image is damaged or truncated",
        ),
        (
            vec!["describe".into(), path("empty.png")],
            "empty.png: the file is empty",
        ),
        (
            vec!["describe".into(), path("huge.png")],
            "huge.png: the image is 12000×12000 (144 megapixels); Moodgrid reads up to 67 megapixels",
        ),
        (
            std::iter::once("blend".to_owned())
                .chain(std::iter::repeat_n(good_path.clone(), 6))
                .collect(),
            "blend takes 2 to 5 images, not 6",
        ),
        (
            vec!["describe".into(), path("missing.png")],
            "missing.png: cannot read the file",
        ),
    ];
    for (args, says) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = moodgrid(&sim, data.path(), &args).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    assert_eq!(sim.accepted_submissions(), 0, "nothing invalid was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_photo_is_downscaled_told_and_sent() {
    let sim = Simulator::start(SimConfig::fast()).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let photo = files.path().join("photo.png");
    let mut rng = fastrand::Rng::with_seed(3);
    RgbaImage::from_fn(3000, 1500, |_, _| {
        Rgba([rng.u8(..), rng.u8(..), rng.u8(..), 255])
    })
    .save(&photo)
    .unwrap();
    let output = moodgrid(
        &sim,
        data.path(),
        &["describe", &photo.display().to_string(), "--wait", "--json"],
    )
    .await;
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let job = one_job(&output, 0);
    assert_eq!(job["status"], "SUCCESS");
    assert!(
        stderr.contains("photo.png: 3000×1500") && stderr.contains("sent as 2048×1024 JPEG"),
        "{stderr}"
    );
    // What was stored (and sent) is the downscaled JPEG.
    let source = &job["files"][0];
    let stored = std::fs::read(source.as_str().unwrap()).unwrap();
    assert_eq!(imaging::dimensions(&stored).unwrap(), (2048, 1024));
    assert_eq!(
        imaging::sniff_format(&stored),
        Some(image::ImageFormat::Jpeg)
    );
}
