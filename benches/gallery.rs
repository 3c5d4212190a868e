//! The gallery of a 100,000-job library (`MOODGRID_BENCH_JOBS` for another size) in the real window code,
//! headless (egui_kittest): searches and a filter typed into the window, timed until their results are
//! drawn; then the gallery scrolled from top to bottom: CPU time of every frame (the app's frame, and
//! tessellation), the texture cache's peak, and this process's peak RSS. The library (finished imagine jobs,
//! a grid and four images each) is written by the real library code. `cargo bench --bench gallery`.

// The allocator the app uses (src/main.rs), so the figures are the app's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod common;

use std::time::{Duration, Instant};

use common::{Frames, frame, open, peak_rss_mb, report, settle};
use egui::{Event, Modifiers, Vec2};
use egui_kittest::kittest::Queryable;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let jobs = common::bench_jobs();
    let dir = tempfile::tempdir()?;
    let started = Instant::now();
    common::library_of_finished_jobs(dir.path(), jobs)?;
    println!(
        "library: {jobs} jobs, {} image rows, {} distinct pictures, written in {:.1} s",
        jobs * 5,
        common::PICTURES,
        started.elapsed().as_secs_f64()
    );
    let opened = Instant::now();
    let mut window = open(dir.path())?;
    let label = format!("{jobs} of {jobs} jobs");
    window.run_steps(2);
    window.get_by_label("Gallery").click();
    while window.query_by_label(&label).is_none() {
        window.step();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    println!(
        "window: gallery listing {jobs} jobs {:.0} ms after opening",
        opened.elapsed().as_secs_f64() * 1000.0
    );
    settle(&mut window);
    typed_searches(&mut window, jobs)?;

    // Scroll with the wheel, a notch (50 points) every frame, until the last row is on screen.
    let canvas = window.get_by_label(&label).rect().center() + Vec2::new(0.0, 300.0);
    let mut frames = Frames::default();
    let mut peak = window.state().texture_stats();
    let last = "Job #1: study 0 of harbour light";
    let mut count = 0;
    // A row of tiles is taller than a notch: the bottom is fewer frames away than there are jobs.
    while window.query_by_label_contains(last).is_none() && count < jobs.max(20_000) {
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
    report(&format!("gallery scroll, {jobs} jobs"), &frames);
    println!(
        "textures: peak {} resident, {:.1} MB (budget {} MB)",
        peak.0,
        peak.1 as f64 / 1e6,
        moodgrid::ui::TEXTURE_BUDGET_BYTES / (1024 * 1024)
    );
    if let Some(rss) = peak_rss_mb("self") {
        println!("peak RSS of this process (library setup, window, {jobs} jobs): {rss:.0} MB");
    }
    Ok(())
}

/// Types each search (and a filter) into the gallery's field and times it until its result is drawn: the
/// count in the bar and the first job's tile; then clears it. Each five times; the median and the worst.
fn typed_searches(
    window: &mut common::Window,
    jobs: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    let field = |node: &egui_kittest::kittest::AccessKitNode<'_>| {
        node.role() == egui::accesskit::Role::TextInput && node.label().as_deref() == Some("Filter")
    };
    let newest = jobs - 1;
    // A search keeps its newest hits; the count in the bar says how many, so the bench sees the answer.
    let most = jobs.min(moodgrid::ui::SEARCH_MOST_FOUND);
    let searches = [
        // One job by a word only it has.
        ("study 4242", 1, "Job #4243:".to_owned()),
        // A prefix every job has: the whole library again, through the index.
        ("stud*", most, format!("Job #{jobs}:")),
        // An exclusion no job has: every job, the other path.
        ("-lighthouse", most, format!("Job #{jobs}:")),
        // A word no job has.
        ("lighthouse", 0, String::new()),
    ];
    for (text, found, first) in searches {
        let mut times = Vec::new();
        for _ in 0..5 {
            window.get_by(field).focus();
            window.step();
            let started = Instant::now();
            window.get_by(field).type_text(text);
            let shown = format!("{found} of {jobs} jobs");
            loop {
                window.step();
                if window.query_by_label(&shown).is_some()
                    && (first.is_empty() || window.query_by_label_contains(&first).is_some())
                {
                    break;
                }
                if started.elapsed() > Duration::from_secs(30) {
                    return Err(format!("`{text}` was not drawn in 30 s").into());
                }
                std::thread::sleep(Duration::from_micros(200));
            }
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            window.get_by(field).focus();
            window.step();
            window.key_press_modifiers(Modifiers::COMMAND, egui::Key::A);
            window.key_press(egui::Key::Backspace);
            let everything = format!("{jobs} of {jobs} jobs");
            while window.query_by_label(&everything).is_none()
                || window
                    .query_by_label_contains(&format!("Job #{}:", newest + 1))
                    .is_none()
            {
                window.step();
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        times.sort_by(f64::total_cmp);
        println!(
            "typed `{text}` ({found} found): drawn in median {:.1} ms, worst {:.1} ms",
            times[times.len() / 2],
            times[times.len() - 1]
        );
    }
    Ok(())
}
