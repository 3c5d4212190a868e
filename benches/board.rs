//! A 300-image moodboard in the real window code, driven headless (egui_kittest): the CPU time of each
//! frame while panning, split into the UI code and tessellation, and the texture memory the board needs.
//! Prints its figures: `cargo bench --bench board`. The library is built with the real library code.

// The allocator the app uses (src/main.rs), so the figures are the app's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{Frames, Window, frame, open, report, settle};
use egui::{Event, Modifiers, PointerButton, Pos2, Vec2};
use egui_kittest::kittest::Queryable;
use moodgrid::domain::board::{Board, Content, V2};
use moodgrid::library::Library;

const IMAGES: usize = 300;
const SIDE: u32 = 768;
const FRAMES: usize = 240;

/// 300 distinct images stored through the library (thumbnails included), on one board as a grid.
fn build_library(dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let library = Library::open(dir)?;
    let mut board = Board::new("Benchmark board");
    let mut ids = Vec::new();
    for n in 0..IMAGES {
        let (w, h) = if n % 3 == 0 {
            (SIDE, SIDE * 2 / 3)
        } else {
            (SIDE, SIDE)
        };
        let hue = (n * 37 % 255) as u8;
        // A column at x = n keeps every image distinct (the library stores equal files once).
        let image = image::RgbaImage::from_fn(w, h, |x, y| match x as usize == n {
            true => image::Rgba([255, 255, 255, 255]),
            false => image::Rgba([hue, (x * 255 / w) as u8, (y * 255 / h) as u8 ^ hue, 255]),
        });
        let stored = library
            .store()
            .put(&moodgrid::imaging::encode_png(&image)?)?;
        ids.push(board.add(
            Content::Image {
                hash: stored.hash,
                file: stored.relative_path,
                job: None,
                width: stored.width,
                height: stored.height,
            },
            V2::default(),
        ));
    }
    board.arrange_grid(&ids, 24.0);
    library.create_board(&board)?;
    Ok(())
}

fn middle(pos: Pos2, pressed: bool) -> Event {
    Event::PointerButton {
        pos,
        button: PointerButton::Middle,
        pressed,
        modifiers: Modifiers::NONE,
    }
}

/// Pans with the middle button by `step` per frame for `count` frames, noting the texture peak.
fn pan(
    window: &mut Window,
    from: Pos2,
    step: Vec2,
    count: usize,
    peak: &mut (usize, usize),
) -> Frames {
    let mut frames = Frames::default();
    let mut at = from;
    frame(
        window,
        vec![Event::PointerMoved(at), middle(at, true)],
        &mut frames,
    );
    for _ in 0..count {
        at += step;
        frame(window, vec![Event::PointerMoved(at)], &mut frames);
        let (resident, bytes) = window.state().texture_stats();
        *peak = (peak.0.max(resident), peak.1.max(bytes));
    }
    frame(window, vec![middle(at, false)], &mut frames);
    frames
}

fn on_screen(window: &Window) -> usize {
    window.query_all_by_label_contains("Board image").count()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let started = Instant::now();
    build_library(dir.path())?;
    println!(
        "library: {IMAGES} images of {SIDE} px stored with thumbnails in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let mut window = open(dir.path())?;
    window.run_steps(5);
    window.get_by_label("Boards").click();
    for _ in 0..500 {
        window.step();
        if window.query_by_label("Board canvas").is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let canvas = window.get_by_label("Board canvas").rect();
    settle(&mut window);
    let mut peak = window.state().texture_stats();
    println!(
        "fit: {} images on screen, {} textures",
        on_screen(&window),
        peak.0
    );
    println!("frame CPU while panning ({FRAMES} frames each, 1280×800 window):");

    // Everything in view (fit): 300 quads at the 256 px tier.
    let whole = pan(
        &mut window,
        canvas.center(),
        Vec2::new(1.0, 0.5),
        FRAMES,
        &mut peak,
    );
    report("all 300 in view", &whole);

    // Zoomed in (about 20 images on screen, 256 and 512 px tiers), panning across the board.
    for _ in 0..8 {
        window.key_press(egui::Key::Plus);
        window.step();
    }
    settle(&mut window);
    println!("zoomed in: {} images on screen", on_screen(&window));
    let close = pan(
        &mut window,
        canvas.right_bottom() - Vec2::splat(40.0),
        Vec2::new(-6.0, -2.0),
        FRAMES,
        &mut peak,
    );
    report("zoomed in, panning across", &close);

    // At 100%: one or two whole images on screen, drawn from the originals.
    window.key_press(egui::Key::Num1);
    settle(&mut window);
    println!("100%: {} images on screen", on_screen(&window));
    let actual = pan(
        &mut window,
        canvas.right_bottom() - Vec2::splat(40.0),
        Vec2::new(-8.0, -3.0),
        FRAMES,
        &mut peak,
    );
    report("100%, panning across", &actual);
    let (resident, bytes) = window.state().texture_stats();
    println!(
        "textures: peak {} resident, {:.1} MB (budget {} MB); after panning {} resident, {:.1} MB",
        peak.0,
        peak.1 as f64 / 1e6,
        moodgrid::ui::TEXTURE_BUDGET_BYTES / (1024 * 1024),
        resident,
        bytes as f64 / 1e6
    );
    Ok(())
}
