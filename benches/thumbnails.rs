//! The thumbnail pipeline against the naive path, for a 2048×2048 image as PNG, JPEG and WebP: bare decode,
//! decode + the 512 and 256 px thumbnails as Moodgrid makes them (SIMD Lanczos, 256 from the 512), the same
//! with the JPEG encoding the store writes, and `image` decode + `imageops::resize` Lanczos3 twice.
//! Single-threaded, so images per second is per core. Prints its figures: `cargo bench --bench thumbnails`.

// The allocator the app uses (src/main.rs), so the figures are the app's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;
use std::time::{Duration, Instant};

use image::imageops::FilterType;
use image::{ImageFormat, RgbaImage};
use moodgrid::imaging;
use moodgrid::library::THUMBNAIL_SIZES;
use moodgrid::sim::render;

fn median(runs: usize, mut work: impl FnMut()) -> Duration {
    let mut samples: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            work();
            started.elapsed()
        })
        .collect();
    samples.sort();
    samples[samples.len() / 2]
}

fn encoded(image: &RgbaImage, format: ImageFormat) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    match format {
        ImageFormat::Jpeg => return imaging::encode_jpeg(image, 90).unwrap_or_default(),
        ImageFormat::WebP => image::DynamicImage::ImageRgba8(image.clone())
            .write_with_encoder(image::codecs::webp::WebPEncoder::new_lossless(&mut out)),
        _ => image.write_to(&mut out, format),
    }
    .unwrap_or_else(|e| panic!("encoding {format:?}: {e}"));
    out.into_inner()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7);
    let source = render::grid(&render::imagine_grid(
        "a teal lighthouse at dusk",
        7,
        (1024, 1024),
    ));
    println!(
        "thumbnails of a {}×{} image, median of {runs} runs, one thread",
        source.width(),
        source.height()
    );
    println!(
        "{:<5} {:>9} {:>10} {:>11} {:>11} {:>10} {:>8} {:>10}",
        "", "decode", "Moodgrid", "+ JPEG out", "naive", "images/s", "vs naive", "vs decode"
    );
    for format in [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::WebP] {
        let bytes = encoded(&source, format);
        let decode = median(runs, || {
            black_box(imaging::decode_rgba(&bytes).ok());
        });
        let pipeline = median(runs, || {
            let image = imaging::decode_rgba(&bytes).unwrap_or_default();
            black_box(imaging::thumbnails(&image, &THUMBNAIL_SIZES).ok());
        });
        let stored = median(runs, || {
            let image = imaging::decode_rgba(&bytes).unwrap_or_default();
            for thumb in imaging::thumbnails(&image, &THUMBNAIL_SIZES).unwrap_or_default() {
                black_box(imaging::encode_jpeg(&thumb, 85).ok());
            }
        });
        let naive = median(runs.min(3), || {
            let image = image::load_from_memory(&bytes)
                .map(|i| i.into_rgba8())
                .unwrap_or_default();
            for size in THUMBNAIL_SIZES {
                black_box(image::imageops::resize(
                    &image,
                    size,
                    size,
                    FilterType::Lanczos3,
                ));
            }
        });
        println!(
            "{:<5} {:>7.1}ms {:>8.1}ms {:>9.1}ms {:>9.1}ms {:>10.1} {:>7.1}× {:>9.2}×",
            format!("{format:?}"),
            ms(decode),
            ms(pipeline),
            ms(stored),
            ms(naive),
            1.0 / pipeline.as_secs_f64(),
            naive.as_secs_f64() / pipeline.as_secs_f64(),
            pipeline.as_secs_f64() / decode.as_secs_f64(),
        );
    }
}
