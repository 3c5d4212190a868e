//! The gallery of a 10,000-job library scrolled from top to bottom in the real window code, headless
//! (egui_kittest): CPU time of every frame (the app's frame, and tessellation), the texture cache's peak,
//! and this process's peak RSS. The library (10,000 finished imagine jobs, 50,000 image rows: a grid and
//! four images each) is written by the real library code. `cargo bench --bench gallery`.

// The allocator the app uses (src/main.rs), so the figures are the app's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod common;

use std::time::Instant;

use common::{Frames, frame, open, peak_rss_mb, report, settle};
use egui::{Event, Modifiers, Vec2};
use egui_kittest::kittest::Queryable;

const JOBS: usize = 10_000;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let started = Instant::now();
    common::library_of_finished_jobs(dir.path(), JOBS)?;
    println!(
        "library: {JOBS} jobs, {} image rows, {} distinct pictures, written in {:.1} s",
        JOBS * 5,
        common::PICTURES,
        started.elapsed().as_secs_f64()
    );
    let opened = Instant::now();
    let mut window = open(dir.path())?;
    let label = format!("{JOBS} of {JOBS} jobs");
    window.run_steps(2);
    window.get_by_label("Gallery").click();
    while window.query_by_label(&label).is_none() {
        window.step();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    println!(
        "window: gallery listing {JOBS} jobs {:.0} ms after opening",
        opened.elapsed().as_secs_f64() * 1000.0
    );
    settle(&mut window);

    // Scroll with the wheel, a notch (50 points) every frame, until the last row is on screen.
    let canvas = window.get_by_label(&label).rect().center() + Vec2::new(0.0, 300.0);
    let mut frames = Frames::default();
    let mut peak = window.state().texture_stats();
    let last = "Job #1: study 0 of harbour light";
    let mut count = 0;
    while window.query_by_label_contains(last).is_none() && count < 20_000 {
        let wheel = Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: Vec2::new(0.0, -50.0),
            modifiers: Modifiers::NONE,
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Wheel,
        };
        frame(
            &mut window,
            vec![Event::PointerMoved(canvas), wheel],
            &mut frames,
        );
        let (resident, bytes) = window.state().texture_stats();
        peak = (peak.0.max(resident), peak.1.max(bytes));
        count += 1;
    }
    println!("scrolled top to bottom in {count} frames (50 points each):");
    report("gallery scroll, 10,000 jobs", &frames);
    println!(
        "textures: peak {} resident, {:.1} MB (budget {} MB)",
        peak.0,
        peak.1 as f64 / 1e6,
        moodgrid::ui::TEXTURE_BUDGET_BYTES / (1024 * 1024)
    );
    if let Some(rss) = peak_rss_mb("self") {
        println!(
            "peak RSS of this process (library setup, window, 10,000 job records): {rss:.0} MB"
        );
    }
    Ok(())
}
