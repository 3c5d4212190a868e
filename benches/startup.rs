//! The real `moodgrid` binary on a 100,000-job library (`MOODGRID_BENCH_JOBS` for another size), in a real
//! window under Xvfb (issue 8, items 3, 4 and 1
//! in the real app):
//! - cold start: from spawning the process to its first painted frame, and to the frame that first shows the
//!   library's jobs, over several starts;
//! - then the gallery scrolled from top to bottom with the mouse wheel: the app's peak RSS, and eframe's CPU
//!   time per frame (UI, tessellation and painting; painting is Mesa's software rasteriser here).
//!
//! The app reports its milestones itself (`MOODGRID_FRAME_REPORT`, see `src/ui/runtime/frame_report.rs`). Needs
//! `Xvfb`, `xdotool` and ImageMagick's `import` (scripts/test-all installs them). `cargo bench --bench startup`.

// Building the library in this process uses the app's allocator, as the other benchmarks do.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const STARTS: usize = 5;
/// Wheel notches per job for the whole gallery: 10,000 jobs are about 385,000 points of rows at egui's 40
/// points a notch; and some more (scrolling past the end is harmless).
const WHEEL_NOTCHES_PER_JOB: f64 = 1.1;

type Error = Box<dyn std::error::Error>;

/// A private X server for the benchmark, stopped on drop.
struct Display {
    name: String,
    server: Child,
}

impl Display {
    fn start() -> Result<Display, Error> {
        let number = (90..200)
            .find(|n| !Path::new(&format!("/tmp/.X{n}-lock")).exists())
            .ok_or("no free X display number between :90 and :199")?;
        let name = format!(":{number}");
        let server = Command::new("Xvfb")
            .args([&name, "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("this benchmark needs Xvfb (apt install xvfb): {e}"))?;
        let display = Display { name, server };
        let deadline = Instant::now() + Duration::from_secs(10);
        while !Path::new(&format!("/tmp/.X11-unix/X{number}")).exists() {
            if Instant::now() > deadline {
                return Err("Xvfb did not come up in 10 s".into());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(display)
    }

    fn xdotool(&self, args: &[&str]) -> Result<String, Error> {
        let output = Command::new("xdotool")
            .args(args)
            .env("DISPLAY", &self.name)
            .output()
            .map_err(|e| format!("this benchmark needs xdotool (apt install xdotool): {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "xdotool {args:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            )
            .into());
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    fn screenshot(&self, path: &Path) -> Result<(), Error> {
        let status = Command::new("import")
            .args(["-window", "root"])
            .arg(path)
            .env("DISPLAY", &self.name)
            .status()?;
        if !status.success() {
            return Err("ImageMagick's import could not take the screenshot".into());
        }
        Ok(())
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

/// One run of the app, with its stderr lines arriving on a channel.
struct App {
    child: Child,
    lines: Receiver<String>,
    spawned: SystemTime,
}

impl App {
    fn start(display: &Display, library: &Path, home: &Path) -> Result<App, Error> {
        let spawned = SystemTime::now();
        let mut child = Command::new(env!("CARGO_BIN_EXE_moodgrid"))
            .arg("--data-dir")
            .arg(library)
            .env("DISPLAY", &display.name)
            .env("MOODGRID_FRAME_REPORT", "1")
            // No key anywhere: the app starts on its embedded simulator, as a newcomer's would.
            .env_remove("TTAPI_API_KEY")
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_RUNTIME_DIR", home)
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()?;
        let stderr = child.stderr.take().ok_or("no stderr pipe")?;
        let (send, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Ok(App {
            child,
            lines,
            spawned,
        })
    }

    /// Waits for the report line containing `what`, and returns it.
    fn line(&self, what: &str, within: Duration) -> Result<String, Error> {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(what) => return Ok(line),
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout) => {
                    return Err(format!("the app did not report \"{what}\" in {within:?}").into());
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(format!("the app ended before reporting \"{what}\"").into());
                }
            }
        }
    }

    /// Milliseconds from spawning the process to the milestone its report line dates.
    fn since_spawn_ms(&self, line: &str) -> Result<f64, Error> {
        let at: f64 = line
            .split(" at ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|seconds| seconds.parse().ok())
            .ok_or_else(|| format!("unreadable report line: {line}"))?;
        let spawned = self.spawned.duration_since(UNIX_EPOCH)?.as_secs_f64();
        Ok((at - spawned) * 1000.0)
    }

    fn peak_rss_mb(&self) -> Option<f64> {
        common::peak_rss_mb(&self.child.id().to_string())
    }

    /// Closes the window with Ctrl+Q, as a user would, and returns the app's frame summary.
    fn quit(mut self, display: &Display) -> Result<String, Error> {
        focus(display)?;
        display.xdotool(&["key", "ctrl+q"])?;
        let summary = self.line("frames, CPU per frame", Duration::from_secs(20));
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.child.try_wait()?.is_none() {
            if Instant::now() > deadline {
                self.child.kill()?;
                return Err("the app did not exit after Ctrl+Q".into());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        summary
    }
}

fn focus(display: &Display) -> Result<(), Error> {
    let windows = display.xdotool(&["search", "--name", "^Moodgrid"])?;
    let window = windows.lines().next().ok_or("no Moodgrid window")?;
    display.xdotool(&["windowfocus", "--sync", window])?;
    Ok(())
}

fn main() -> Result<(), Error> {
    let dir = tempfile::tempdir()?;
    let library = dir.path().join("library");
    let built = Instant::now();
    let jobs = common::bench_jobs();
    common::library_of_finished_jobs(&library, jobs)?;
    println!(
        "library: {jobs} jobs, {} image rows, written in {:.1} s",
        jobs * 5,
        built.elapsed().as_secs_f64()
    );
    let display = Display::start()?;

    let (mut first_frames, mut shown) = (Vec::new(), Vec::new());
    for run in 1..=STARTS {
        let app = App::start(&display, &library, dir.path())?;
        let first =
            app.since_spawn_ms(&app.line("first frame painted", Duration::from_secs(60))?)?;
        let library_shown =
            app.since_spawn_ms(&app.line("library shown", Duration::from_secs(60))?)?;
        println!(
            "start {run}: first frame painted {first:6.0} ms, library shown {library_shown:6.0} ms after spawn, peak RSS {:.0} MB",
            app.peak_rss_mb().unwrap_or(f64::NAN)
        );
        first_frames.push(first);
        shown.push(library_shown);
        app.quit(&display)?;
    }
    println!(
        "cold start, median of {STARTS}: first frame {:.0} ms, library shown {:.0} ms",
        common::median(&first_frames),
        common::median(&shown)
    );

    // The whole gallery, scrolled with the wheel in the real window.
    let app = App::start(&display, &library, dir.path())?;
    app.line("library shown", Duration::from_secs(60))?;
    let at_start = app.peak_rss_mb().unwrap_or(f64::NAN);
    focus(&display)?;
    display.xdotool(&["key", "Escape"])?; // the empty job view's Esc opens the gallery
    std::thread::sleep(Duration::from_secs(1));
    display.xdotool(&["mousemove", "800", "450"])?;
    let scrolling = Instant::now();
    let repeat = "500".to_owned();
    let notches = (jobs as f64 * WHEEL_NOTCHES_PER_JOB) as usize;
    for _ in 0..notches.div_ceil(500) {
        display.xdotool(&["click", "--repeat", &repeat, "--delay", "1", "5"])?;
    }
    std::thread::sleep(Duration::from_secs(3));
    let scrolled = scrolling.elapsed();
    let bottom: PathBuf = Path::new(env!("CARGO_TARGET_TMPDIR")).join("startup-gallery-bottom.png");
    display.screenshot(&bottom)?;
    let peak = app.peak_rss_mb().unwrap_or(f64::NAN);
    let summary = app.quit(&display)?;
    println!(
        "gallery: {notches} wheel notches in {:.1} s (the oldest job should be on screen: {})",
        scrolled.as_secs_f64(),
        bottom.display()
    );
    println!(
        "peak RSS of the app: {at_start:.0} MB with the library shown, {peak:.0} MB after scrolling the gallery"
    );
    println!("{}", summary.trim_start_matches("frame report: "));
    Ok(())
}
