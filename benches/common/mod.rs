//! What the window benchmarks share: the real window code opened headless (egui_kittest) on a library, and
//! per-frame timing of the app's frame and of tessellation.

// Each benchmark uses part of this.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::Event;
use egui_kittest::Harness;
use moodgrid::engine::{Backend, EngineConfig, Timing};
use moodgrid::library::{ImageRecord, ImageRole, JobParams, JobState, JobUpdate, Library, NewJob};
use moodgrid::secrets::KeyStore;
use moodgrid::settings::Settings;
use moodgrid::sim::{SimConfig, render};
use moodgrid::ui::{Launch, MoodgridApp};

pub type Window = Harness<'static, MoodgridApp>;

/// The window on the library at `dir`, 1280×800, engine on the embedded simulator.
pub fn open(dir: &Path) -> Result<Window, Box<dyn std::error::Error>> {
    open_on(
        dir,
        Backend::Simulator(Box::new(SimConfig::fast())),
        Timing::scaled(Duration::from_millis(30)),
    )
}

/// The window on the library at `dir`, 1280×800, engine on `backend` with `timing`.
pub fn open_on(
    dir: &Path,
    backend: Backend,
    timing: Timing,
) -> Result<Window, Box<dyn std::error::Error>> {
    let launch = Launch {
        engine: EngineConfig {
            data_dir: dir.to_owned(),
            backend,
            timing,
            keys: Arc::new(KeyStore::in_store(keyring_core::mock::Store::new()?)),
            stop_on_interrupt: false,
        },
        settings: Settings::default(),
        settings_problem: None,
        export_folder: dir.join("exports"),
    };
    // Built on the harness's context, as eframe builds it, so the engine's wake-ups reach the harness.
    Ok(Harness::builder().with_size([1280.0, 800.0]).build_eframe(
        |creation| match MoodgridApp::new(&creation.egui_ctx, launch) {
            Ok(app) => app,
            Err(error) => panic!("the window could not start: {error}"),
        },
    ))
}

#[derive(Default)]
pub struct Frames {
    pub ui: Vec<Duration>,
    pub tessellate: Vec<Duration>,
}

impl Frames {
    pub fn extend(&mut self, other: Frames) {
        self.ui.extend(other.ui);
        self.tessellate.extend(other.tessellate);
    }
}

/// One frame with `events`: the app's frame timed, then its shapes tessellated and timed.
pub fn frame(window: &mut Window, events: Vec<Event>, frames: &mut Frames) {
    window.input_mut().events.extend(events);
    let started = Instant::now();
    window.step();
    // `step` also builds the accessibility tree for the test harness; that is kittest's cost, not the
    // app's, so the UI figure is an upper bound. Tessellation is timed on its own.
    frames.ui.push(started.elapsed());
    let output = window.output().clone();
    let started = Instant::now();
    let primitives = window
        .ctx
        .tessellate(output.shapes, output.pixels_per_point);
    frames.tessellate.push(started.elapsed());
    std::hint::black_box(primitives);
}

pub fn percentile(samples: &[Duration], p: f64) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort();
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(index).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// The median of `values` (the upper one of an even count).
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN)
}

pub fn report(name: &str, frames: &Frames) {
    for (part, samples) in [
        ("ui+accesskit", &frames.ui),
        ("tessellate", &frames.tessellate),
    ] {
        println!(
            "{name:<28} {part:<13} median {:6.2} ms  p95 {:6.2} ms  p99 {:6.2} ms  max {:6.2} ms",
            percentile(samples, 0.5),
            percentile(samples, 0.95),
            percentile(samples, 0.99),
            percentile(samples, 1.0),
        );
    }
}

/// Draws frames until the texture count has not changed for 50 frames (what is visible has loaded).
pub fn settle(window: &mut Window) {
    let mut last = usize::MAX;
    let mut quiet = 0;
    while quiet < 50 {
        window.step();
        std::thread::sleep(Duration::from_millis(10));
        let (resident, _) = window.state().texture_stats();
        quiet = if resident == last { quiet + 1 } else { 0 };
        last = resident;
    }
}

/// The peak resident memory so far (Linux `VmHWM`) of `process` (a pid, or `self`), in MB.
pub fn peak_rss_mb(process: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{process}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// How many jobs a library benchmark writes: `MOODGRID_BENCH_JOBS`, else 100,000 (issue 20's archive; run
/// again with 10000 to see how a figure grows).
pub fn bench_jobs() -> usize {
    std::env::var("MOODGRID_BENCH_JOBS")
        .ok()
        .and_then(|jobs| jobs.replace(['_', ','], "").parse().ok())
        .unwrap_or(100_000)
}

/// Distinct pictures the jobs' images are drawn from (files are content-addressed, so jobs sharing a
/// picture share its file, as the real library does).
pub const PICTURES: usize = 240;

/// An imagine job on the embedded simulator, as the benchmarks' libraries hold them.
pub fn imagine_job(prompt: String) -> NewJob {
    NewJob {
        backend: "simulator".into(),
        params: JobParams::Imagine {
            prompt: prompt.clone(),
            mode: moodgrid::domain::Mode::Fast,
            timeout: None,
        },
        action: "imagine".into(),
        prompt,
        mode: None,
        parent_id: None,
        timeout_secs: 300,
    }
}

/// Writes a library of `jobs` finished imagine jobs through the real library code, each with a grid and four
/// images drawn from [`PICTURES`] distinct pictures.
pub fn library_of_finished_jobs(dir: &Path, jobs: usize) -> Result<(), Box<dyn std::error::Error>> {
    let library = Library::open(dir)?;
    let mut grids = Vec::new();
    let mut quarters = Vec::new();
    for n in 0..PICTURES {
        let parts = render::imagine_grid(&format!("picture {n}"), n as u64, (256, 256));
        grids.push(
            library
                .store()
                .put(&moodgrid::imaging::encode_png(&render::grid(&parts))?)?,
        );
        quarters.push(
            library
                .store()
                .put(&moodgrid::imaging::encode_png(&parts[0])?)?,
        );
    }
    for n in 0..jobs {
        let prompt = format!("study {n} of harbour light, film grain --ar 1:1");
        let job = library.insert_job(&imagine_job(prompt))?;
        library.update_job(
            job.id,
            &JobUpdate {
                remote_id: Some(format!("bench-{n}")),
                components: Some(
                    ["upsample1", "upsample2", "upsample3", "upsample4", "reroll"]
                        .map(String::from)
                        .to_vec(),
                ),
                size: Some((512, 512)),
                ..JobUpdate::transition(JobState::Queued, JobState::Succeeded)
            },
        )?;
        let grid = grids[n % PICTURES].clone();
        library.add_image(&ImageRecord::stored(job.id, ImageRole::Grid, 0, grid, None))?;
        for ordinal in 1..=4 {
            let quarter = quarters[(n + ordinal as usize) % PICTURES].clone();
            library.add_image(&ImageRecord::stored(
                job.id,
                ImageRole::Split,
                ordinal,
                quarter,
                None,
            ))?;
        }
    }
    Ok(())
}
