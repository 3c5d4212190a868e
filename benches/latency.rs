//! Completion latency (issue 8, item 5): from the simulator marking an imagine job SUCCESS to the frame in
//! which the feed draws its grid. The real window code runs headless (egui_kittest) with the engine on a
//! simulator this benchmark starts, reached over HTTP as the real service would be, with the timing the app
//! uses for its embedded simulator. Jobs are submitted one at a time from the prompt bar.
//!
//! Each job's latency is split at the moment a fetch first answered SUCCESS: before it is the poll wait
//! (bounded by the poll interval), after it the grid's download, storing, hand-over to the window and the
//! frame. The feed draws the grid as soon as it is saved, while the split images still download, so the
//! download that counts is the grid's; it is measured on its own afterwards (the same images fetched again
//! with the app's client, in the engine's lanes). Frames are drawn as eframe draws them: when the app or the
//! engine's waker asks, after the delay asked.
//! `cargo bench --bench latency`.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod common;

use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::kittest::{NodeT, Queryable};
use moodgrid::api::{ApiKey, DEFAULT_MAX_DOWNLOAD_BYTES, TtapiClient};
use moodgrid::engine::{Backend, Timing};
use moodgrid::sim::{SimConfig, Simulator};

const JOBS: usize = 12;

type Error = Box<dyn std::error::Error>;

struct Sample {
    poll_wait: Duration,
    after_report: Duration,
    /// The grid's download (what the feed waits for) and all five.
    grid_download: Duration,
    all_downloads: Duration,
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// "median ms (max ms)" of `values`.
fn figure(values: &[f64]) -> String {
    let max = values.iter().copied().fold(f64::NAN, f64::max);
    format!("{:.1} ms (max {max:.1})", common::median(values))
}

/// Draws frames as eframe draws them, when the app or the engine's waker asks (after the delay asked),
/// until `done` holds; fails after 60 s.
fn draw_until(
    window: &mut common::Window,
    repaints: &Receiver<Instant>,
    done: impl Fn(&common::Window) -> bool,
) -> Result<(), Error> {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut due = Some(Instant::now());
    while !done(window) {
        if Instant::now() > deadline {
            return Err("not drawn within 60 s".into());
        }
        let wait = due.map_or(Duration::from_secs(1), |at| {
            at.saturating_duration_since(Instant::now())
        });
        match repaints.recv_timeout(wait) {
            Ok(at) => due = Some(due.map_or(at, |d| d.min(at))),
            Err(_) if due.is_some_and(|at| at <= Instant::now()) => {
                due = None;
                window.step();
            }
            Err(_) => {}
        }
    }
    Ok(())
}

/// Whether the feed (the left panel) draws the image of the job whose prompt is `prompt`.
fn feed_draws(window: &common::Window, prompt: &str) -> bool {
    window
        .query_all_by_label(prompt)
        .any(|node| node.accesskit_node().role() == Role::Image && node.rect().max.x < 400.0)
}

fn main() -> Result<(), Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let sim = runtime.block_on(Simulator::start(SimConfig {
        queue_time: Duration::from_millis(200),
        run_time: Duration::from_millis(1500),
        ..SimConfig::default()
    }))?;
    let key = ApiKey::new("latency-bench").ok_or("an empty key")?;
    let timing = Timing::local();
    let poll = timing.poll_after(None, Some(99));
    let dir = tempfile::tempdir()?;
    let mut window = common::open_on(
        dir.path(),
        Backend::Service {
            base: sim.base_url(),
            key: key.clone(),
        },
        timing,
    )?;
    let client = TtapiClient::new(sim.base_url(), key)?;
    let (repaint, repaints) = std::sync::mpsc::channel::<Instant>();
    window.ctx.set_request_repaint_callback(move |info| {
        let _ = repaint.send(Instant::now() + info.delay);
    });
    let ready = Instant::now() + Duration::from_secs(30);
    while window.query_by_label_contains("Nothing yet").is_none() {
        if Instant::now() > ready {
            return Err("the engine did not become ready in 30 s".into());
        }
        window.step();
        std::thread::sleep(Duration::from_millis(10));
    }

    let mut samples = Vec::new();
    for n in 1..=JOBS {
        let prompt = format!("latency probe {n}, harbour at dusk");
        let field = window.get_by_role(Role::MultilineTextInput);
        field.focus();
        window.step();
        window.key_press_modifiers(Modifiers::COMMAND, Key::A);
        window
            .get_by_role(Role::MultilineTextInput)
            .type_text(&prompt);
        window.run_steps(2);
        window.get_by_label("Imagine").click();
        draw_until(&mut window, &repaints, |window| feed_draws(window, &prompt))
            .map_err(|e| format!("job {n}: {e}"))?;
        let drawn = Instant::now();
        let remote = sim
            .jobs()
            .into_iter()
            .rfind(|job| job.prompt == prompt)
            .ok_or("the simulator has no such job")?;
        let succeeded = remote.succeeded_at.ok_or("the job never succeeded")?;
        let reported = remote.success_reported_at.ok_or("SUCCESS never reported")?;

        // The same downloads the engine made, timed on their own and in the same lanes: the grid, and
        // beside it the four splits one after the other.
        let (grid_download, all_downloads) = runtime.block_on(async {
            let job = client.fetch(&remote.id).await?;
            let started = Instant::now();
            let grid = async {
                if let Some(url) = job.image_url() {
                    client.download(url, DEFAULT_MAX_DOWNLOAD_BYTES).await?;
                }
                Ok::<_, moodgrid::api::ApiError>(started.elapsed())
            };
            let splits = async {
                for url in &job.data.images {
                    client.download(url, DEFAULT_MAX_DOWNLOAD_BYTES).await?;
                }
                Ok(())
            };
            let (grid, ()) = tokio::try_join!(grid, splits)?;
            Ok::<_, moodgrid::api::ApiError>((grid, started.elapsed()))
        })?;
        samples.push(Sample {
            poll_wait: reported.saturating_duration_since(succeeded),
            after_report: drawn.saturating_duration_since(reported),
            grid_download,
            all_downloads,
        });
        let sample = samples.last().ok_or("no sample")?;
        println!(
            "job {n:2}: SUCCESS → drawn {:6.1} ms = poll wait {:6.1} ms + after the report {:6.1} ms (grid download alone {:5.1} ms, all five {:5.1} ms)",
            ms(sample.poll_wait + sample.after_report),
            ms(sample.poll_wait),
            ms(sample.after_report),
            ms(sample.grid_download),
            ms(sample.all_downloads)
        );
    }

    let column =
        |f: fn(&Sample) -> Duration| samples.iter().map(|s| ms(f(s))).collect::<Vec<f64>>();
    let total = column(|s| s.poll_wait + s.after_report);
    let wait = column(|s| s.poll_wait);
    let after = column(|s| s.after_report);
    let grid_download = column(|s| s.grid_download);
    let all_downloads = column(|s| s.all_downloads);
    let beyond = column(|s| s.after_report.saturating_sub(s.grid_download));
    println!("median of {JOBS} jobs: SUCCESS → drawn {}", figure(&total));
    println!(
        "  poll wait {}; the poll interval near the end of a job is {:.0} ms",
        figure(&wait),
        ms(poll)
    );
    println!(
        "  after the report {}; the grid's download {}, all five {}",
        figure(&after),
        figure(&grid_download),
        figure(&all_downloads)
    );
    println!(
        "  beyond the poll wait and the grid's download {}; the target allows 50 ms",
        figure(&beyond)
    );
    Ok(())
}
