//! The `moodgrid` command line: every job operation, run through the same engine the window uses.

mod output;
mod wait;

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::api::BaseUrl;
use crate::domain::terminal_text::printable;
use crate::domain::{BlendDimensions, Mode};
use crate::engine::{
    Backend, DescribeSource, EngineConfig, EngineHandle, Event, NewSubmission, Resolved,
    SourceImage, Timing,
};
use crate::library::{ExportImages, ExportOptions, ExportTarget, JobRecord, Library};
use crate::secrets::KeyStore;
use crate::settings::Settings;
use crate::sim::{FaultConfig, SimConfig, Simulator};
pub use output::Exit;
use wait::Until;

#[derive(Debug, Parser)]
#[command(
    name = "moodgrid",
    version,
    about = "A native desktop studio for the Midjourney API (TTAPI)",
    long_about = "A native desktop studio for the Midjourney API (TTAPI). Without a subcommand it opens the \
window. Without a key (TTAPI_API_KEY or the OS keyring) everything runs on the embedded simulator.",
    after_help = AFTER_HELP
)]
pub struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

const AFTER_HELP: &str = "\
Environment:
  TTAPI_API_KEY          the TTAPI key (else the OS keyring; the window's Settings stores it there)
  TTAPI_BASE_URL         the TTAPI host (same as --base-url)
  MOODGRID_DATA_DIR      the library folder (same as --data-dir)
  MOODGRID_POLL_MS       scales every poll and retry interval to this base (tests, diagnostics)
  MOODGRID_FRAME_REPORT  =1: the window reports its first frame and frame times on stderr
  MOODGRID_LOG_DIR       where the window writes its daily log files (default: the platform state folder)
  RUST_LOG               log detail on stderr (warn by default; info or debug show the engine at work)

Exit codes: 0 done, 1 the job failed, 2 usage or invalid input, 3 key, balance or account,
4 network or service unavailable, 130 stopped with Ctrl+C (jobs kept; `moodgrid resume` continues them).";

#[derive(Debug, Args)]
struct GlobalArgs {
    /// The TTAPI host (https://api.ttapi.io by default; api.ttapi.org and the hold-account hosts also work).
    #[arg(long, global = true, env = "TTAPI_BASE_URL")]
    base_url: Option<String>,
    /// Where the library lives (default: the platform's data directory).
    #[arg(long, global = true, env = "MOODGRID_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Use the embedded simulator even if a key is set.
    #[arg(long, global = true)]
    offline: bool,
    /// Agree to send the key to a host that is not one of TTAPI's (remembered in settings.json).
    #[arg(long, global = true)]
    trust_host: bool,
}

#[derive(Debug, Args, Clone, Copy)]
struct Follow {
    /// Wait until the job has finished and its images are saved (a progress bar shows on a terminal).
    #[arg(long)]
    wait: bool,
    /// Print one JSON object per job on stdout.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ModeArg {
    Fast,
    Relax,
    Turbo,
}

impl From<ModeArg> for Mode {
    fn from(mode: ModeArg) -> Mode {
        match mode {
            ModeArg::Fast => Mode::Fast,
            ModeArg::Relax => Mode::Relax,
            ModeArg::Turbo => Mode::Turbo,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum DimensionsArg {
    Portrait,
    Square,
    Landscape,
}

impl From<DimensionsArg> for BlendDimensions {
    fn from(d: DimensionsArg) -> BlendDimensions {
        match d {
            DimensionsArg::Portrait => BlendDimensions::Portrait,
            DimensionsArg::Square => BlendDimensions::Square,
            DimensionsArg::Landscape => BlendDimensions::Landscape,
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Start a new 2×2 grid from a prompt.
    Imagine {
        /// What to imagine, with Midjourney parameters if wanted (--ar 16:9, --seed 42…).
        prompt: String,
        /// Midjourney's speed mode.
        #[arg(long, value_enum, default_value = "fast")]
        mode: ModeArg,
        /// Seconds the job may take (300–1200; default 300, relax 600).
        #[arg(long)]
        timeout: Option<u32>,
        #[command(flatten)]
        follow: Follow,
    },
    /// Press one of a job's buttons: a component string such as upsample2, variation1, upscale_creative.
    Action {
        /// The job: its TTAPI id, a unique prefix of it, or #N for a local id.
        job: String,
        /// The component string, as the job's `components` list offers it.
        action: String,
        /// Seconds the job may take (300–1200).
        #[arg(long)]
        timeout: Option<u32>,
        #[command(flatten)]
        follow: Follow,
    },
    /// Blend 2–5 image files into a new grid.
    Blend {
        /// Two to five PNG, JPEG or WebP files (large ones are downscaled before sending).
        #[arg(required = true, num_args = 2..)]
        files: Vec<PathBuf>,
        /// The shape of the result.
        #[arg(long, value_enum, default_value = "square")]
        dimensions: DimensionsArg,
        /// Midjourney's speed mode.
        #[arg(long, value_enum, default_value = "fast")]
        mode: ModeArg,
        #[command(flatten)]
        follow: Follow,
    },
    /// Get four prompts that describe an image file (or an image URL).
    Describe {
        /// A PNG, JPEG or WebP file.
        #[arg(required_unless_present = "url", conflicts_with = "url")]
        file: Option<PathBuf>,
        /// An image on the web instead of a file.
        #[arg(long)]
        url: Option<String>,
        #[command(flatten)]
        follow: Follow,
    },
    /// Get the seed of a finished job.
    Seed {
        /// The job: its TTAPI id, a unique prefix of it, or #N for a local id.
        job: String,
        #[command(flatten)]
        follow: Follow,
    },
    /// Repaint the white area of a mask (Vary Region). The mask must be the job image's exact size.
    Inpaint {
        /// The upscaled job to repaint: its TTAPI id, a unique prefix of it, or #N for a local id.
        job: String,
        /// A black-and-white PNG of the image's size; white is repainted.
        #[arg(long)]
        mask: PathBuf,
        /// What to paint there (default: the job's prompt).
        #[arg(long)]
        prompt: Option<String>,
        #[command(flatten)]
        follow: Follow,
    },
    /// Ask the service where a job stands now.
    Fetch {
        /// The job: its TTAPI id, a unique prefix of it, or #N for a local id.
        job: String,
        #[command(flatten)]
        follow: Follow,
    },
    /// The library's jobs, newest first.
    List {
        /// How many jobs.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// One JSON object per job.
        #[arg(long)]
        json: bool,
    },
    /// Continue every unfinished job (after a crash, a restart, or commands run without --wait).
    Resume {
        #[command(flatten)]
        follow: Follow,
    },
    /// Write jobs' images with their prompt, seed, job id and lineage embedded (PNG text chunks; a JSON file
    /// beside other formats), into a folder or one zip file. Prints each file written.
    Export {
        /// The jobs: TTAPI ids, unique prefixes of them, or #N for local ids.
        #[arg(required = true)]
        jobs: Vec<String>,
        /// The folder to write into (created if needed; an existing file is never replaced).
        #[arg(
            long,
            short,
            value_name = "DIR",
            required_unless_present = "zip",
            conflicts_with = "zip"
        )]
        to: Option<PathBuf>,
        /// Write one zip file instead of loose files.
        #[arg(long, value_name = "FILE")]
        zip: Option<PathBuf>,
        /// File names, from {prompt} {job} {id} {seed} {action} {image} {date}.
        #[arg(long, default_value = crate::domain::export_name::DEFAULT_TEMPLATE)]
        template: String,
        /// Also a grid's four split images (default: the grid or the upscale only).
        #[arg(long)]
        all: bool,
    },
    /// Moodboards: list them, or render one to a PNG.
    #[command(subcommand)]
    Board(BoardCommand),
    /// Run the embedded TTAPI simulator as a standalone HTTP server on 127.0.0.1.
    Sim(SimArgs),
    /// Print a shell completion script, e.g. `moodgrid completions bash > ~/.local/share/bash-completion/completions/moodgrid`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Subcommand)]
enum BoardCommand {
    /// Every board, most recently edited first: id, items, name.
    List,
    /// Draw a board (by id or name) to a PNG file, as the window's "Render PNG…" does.
    Render {
        /// The board's id or name.
        board: String,
        /// Output pixels per board unit (1 = the images' own pixels).
        #[arg(long, default_value_t = 1.0)]
        scale: f32,
        /// The PNG file to write.
        #[arg(long, short)]
        output: PathBuf,
    },
}

#[derive(Debug, Args)]
struct SimArgs {
    /// Port on 127.0.0.1 (0 picks a free one; the address is printed on stdout).
    #[arg(long, default_value_t = 8787)]
    port: u16,
    /// Accept only this TT-API-KEY (default: any non-empty key).
    #[arg(long)]
    key: Option<String>,
    /// Extra latency on every request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Share of requests (0–1) answered with a 5xx, a 429 or a cut connection.
    #[arg(long, default_value_t = 0.0, value_parser = parse_rate)]
    fail_rate: f64,
    /// How long a fast-mode job runs before it succeeds, in seconds (relax ×2, turbo ×½).
    #[arg(long, default_value_t = 4.0, value_parser = parse_seconds)]
    job_seconds: f64,
    /// Prompts containing this word fail as banned (repeatable).
    #[arg(long = "banned-word", default_values_t = ["bannedword".to_owned()])]
    banned_words: Vec<String>,
}

fn parse_rate(s: &str) -> Result<f64, String> {
    let rate: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if (0.0..=1.0).contains(&rate) {
        Ok(rate)
    } else {
        Err(format!("{rate} is outside 0–1"))
    }
}

fn parse_seconds(s: &str) -> Result<f64, String> {
    let seconds: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if seconds.is_finite() && seconds >= 0.0 {
        Ok(seconds)
    } else {
        Err(format!("{s} is not a duration"))
    }
}

/// A failure before any job exists, with its exit code.
struct Failure(Exit, String);

impl<E: std::fmt::Display> From<(Exit, E)> for Failure {
    fn from((exit, error): (Exit, E)) -> Failure {
        Failure(exit, error.to_string())
    }
}

impl Cli {
    /// Whether this command line opens the window (no subcommand).
    pub fn opens_window(&self) -> bool {
        self.command.is_none()
    }
}

/// Runs the command line and returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    match dispatch(cli) {
        Ok(exit) => exit as i32,
        Err(Failure(exit, message)) => {
            eprintln!("moodgrid: {}", printable(&message));
            exit as i32
        }
    }
}

fn dispatch(cli: Cli) -> Result<Exit, Failure> {
    let global = cli.global;
    let Some(command) = cli.command else {
        return open_window(&global);
    };
    match command {
        Command::Sim(args) => run_simulator(args),
        Command::Completions { shell } => {
            // Into memory first: clap_complete panics on a failed write (a closed pipe, a full disk).
            let mut script = Vec::new();
            clap_complete::generate(
                shell,
                &mut <Cli as clap::CommandFactory>::command(),
                "moodgrid",
                &mut script,
            );
            std::io::Write::write_all(&mut std::io::stdout(), &script)
                .map_err(|e| Failure(Exit::Usage, format!("could not write the script: {e}")))?;
            Ok(Exit::Success)
        }
        Command::Board(command) => run_board(&global, command),
        Command::Export {
            jobs,
            to,
            zip,
            template,
            all,
        } => {
            let library = open_library(&global)?;
            let ids = jobs
                .iter()
                .map(|reference| find(&library, reference).map(|job| job.id))
                .collect::<Result<Vec<_>, _>>()?;
            let target = match (to, zip) {
                (_, Some(zip)) => ExportTarget::Zip(zip),
                (Some(dir), None) => ExportTarget::Folder(dir),
                (None, None) => {
                    return Err(Failure(Exit::Usage, "give --to DIR or --zip FILE".into()));
                }
            };
            let options = ExportOptions {
                template,
                images: if all {
                    ExportImages::All
                } else {
                    ExportImages::Main
                },
            };
            let report = library
                .export_jobs(&ids, &options, &target)
                .map_err(|e| match e {
                    crate::library::LibraryError::Template(_) => {
                        Failure(Exit::Usage, e.to_string())
                    }
                    other => Failure(Exit::Unavailable, other.to_string()),
                })?;
            output::print_export(&report);
            Ok(if report.files.is_empty() {
                Exit::JobFailed
            } else {
                Exit::Success
            })
        }
        Command::List { limit, json } => {
            let library = open_library(&global)?;
            let jobs = library
                .recent_jobs(limit)
                .map_err(|e| Failure(Exit::Unavailable, e.to_string()))?;
            for job in &jobs {
                output::print_job(&library, job, json);
            }
            Ok(Exit::Success)
        }
        Command::Imagine {
            prompt,
            mode,
            timeout,
            follow,
        } => submit(&global, follow, |_| {
            Ok(NewSubmission::Imagine {
                prompt,
                mode: mode.into(),
                timeout,
            })
        }),
        Command::Action {
            job,
            action,
            timeout,
            follow,
        } => submit(&global, follow, |library| {
            Ok(NewSubmission::Action {
                parent: find(library, &job)?.id,
                action,
                timeout,
            })
        }),
        Command::Blend {
            files,
            dimensions,
            mode,
            follow,
        } => submit(&global, follow, |_| {
            let images = files
                .iter()
                .map(|f| read_image(f))
                .collect::<Result<_, _>>()?;
            Ok(NewSubmission::Blend {
                images,
                dimensions: dimensions.into(),
                mode: mode.into(),
            })
        }),
        Command::Describe { file, url, follow } => submit(&global, follow, |_| {
            let source = match (file, url) {
                (Some(file), _) => DescribeSource::Image(read_image(&file)?),
                (None, Some(url)) => DescribeSource::Url(url),
                (None, None) => {
                    return Err(Failure(Exit::Usage, "give an image file or --url".into()));
                }
            };
            Ok(NewSubmission::Describe { source })
        }),
        Command::Seed { job, follow } => submit(&global, follow, |library| {
            Ok(NewSubmission::Seed {
                parent: find(library, &job)?.id,
            })
        }),
        Command::Inpaint {
            job,
            mask,
            prompt,
            follow,
        } => submit(&global, follow, |library| {
            Ok(NewSubmission::Inpaint {
                parent: find(library, &job)?.id,
                mask: read_mask(&mask)?,
                prompt,
                strokes: None,
            })
        }),
        Command::Fetch { job, follow } => {
            let library = open_library(&global)?;
            let job = find(&library, &job)?;
            let mut engine = start_engine(&global)?;
            let record = engine
                .fetch_blocking(job.id)
                .map_err(|e| Failure(engine_exit(&e), e.to_string()))?;
            finish(&library, &mut engine, vec![record], follow)
        }
        Command::Resume { follow } => {
            let library = open_library(&global)?;
            let mut engine = start_engine(&global)?;
            let resumed = engine
                .resume_blocking()
                .map_err(|e| Failure(Exit::Unavailable, e.to_string()))?;
            if resumed.driving.is_empty() && resumed.following.is_empty() {
                eprintln!("Nothing to resume: every job has finished.");
                return Ok(Exit::Success);
            }
            if !resumed.driving.is_empty() {
                eprintln!("Resuming {} job(s).", resumed.driving.len());
            }
            if !resumed.following.is_empty() {
                eprintln!(
                    "Following {} job(s) another Moodgrid process is driving (taken over if it exits).",
                    resumed.following.len()
                );
            }
            let mut jobs = resumed.driving;
            jobs.extend(resumed.following);
            finish(&library, &mut engine, jobs, follow)
        }
    }
}

fn engine_exit(error: &crate::engine::EngineError) -> Exit {
    match error {
        crate::engine::EngineError::Invalid(_) => Exit::Usage,
        crate::engine::EngineError::Api(api) if api.is_account_problem() => Exit::Account,
        _ => Exit::Unavailable,
    }
}

/// Builds the submission (reading files, resolving parents), sends it through the engine, then follows it.
fn submit(
    global: &GlobalArgs,
    follow: Follow,
    build: impl FnOnce(&Library) -> Result<NewSubmission, Failure>,
) -> Result<Exit, Failure> {
    let library = open_library(global)?;
    let submission = build(&library)?;
    let mut engine = start_engine(global)?;
    let job = engine
        .submit_blocking(submission)
        .map_err(|e| Failure(engine_exit(&e), e.to_string()))?;
    finish(&library, &mut engine, vec![job], follow)
}

/// Follows the jobs, prints them, and turns their outcome into the exit code (the worst one wins).
fn finish(
    library: &Library,
    engine: &mut EngineHandle,
    jobs: Vec<JobRecord>,
    follow: Follow,
) -> Result<Exit, Failure> {
    let until = if follow.wait {
        Until::Finished
    } else {
        Until::Submitted
    };
    let show_progress = follow.wait && std::io::stderr().is_terminal();
    let followed = wait::follow(engine, &jobs, until, show_progress);
    if followed.interrupted {
        let unfinished: Vec<String> = jobs
            .iter()
            .filter_map(|job| library.job(job.id).ok())
            .filter(|job| !job.state.is_final())
            .map(|job| format!("#{} ({})", job.id, job.state.as_str()))
            .collect();
        if !unfinished.is_empty() {
            eprintln!(
                "moodgrid: stopped; {} kept as it is. `moodgrid resume --wait` continues it.",
                unfinished.join(", ")
            );
        }
        return Ok(Exit::Interrupted);
    }
    let mut worst = Exit::Success;
    for job in &jobs {
        let record = library.job(job.id).unwrap_or_else(|_| {
            followed
                .last
                .get(&job.id)
                .cloned()
                .unwrap_or_else(|| job.clone())
        });
        output::print_job(library, &record, follow.json);
        let mut exit = Exit::for_job(&record);
        if let Some((stall_exit, message)) = followed.stalled.get(&job.id) {
            eprintln!(
                "moodgrid: {}",
                printable(&format!(
                    "{}: {message}",
                    record.remote_id.as_deref().unwrap_or("job")
                ))
            );
            exit = exit.max(*stall_exit);
        } else if exit != Exit::Success {
            eprintln!(
                "moodgrid: {}",
                printable(&format!(
                    "{}: {}",
                    record.remote_id.as_deref().unwrap_or("job"),
                    record.message.as_deref().unwrap_or("failed")
                ))
            );
        }
        worst = worst.max(exit);
    }
    Ok(worst)
}

fn find(library: &Library, reference: &str) -> Result<JobRecord, Failure> {
    library
        .find_job(reference)
        .map_err(|e| Failure(Exit::Usage, e.to_string()))
}

/// A user's image file, checked and, if too large, downscaled as the window does it (said on stderr).
fn read_image(path: &Path) -> Result<SourceImage, Failure> {
    let source =
        crate::engine::read_source_file(path).map_err(|e| Failure(Exit::Usage, e.to_string()))?;
    if let Some(note) = &source.note {
        eprintln!("moodgrid: {}: {note}", source.image.name);
    }
    Ok(source.image)
}

/// A mask file, sent at its own size (never downscaled: it must match the image). A grey or coloured mask
/// is thresholded by the engine, as the window's editor does; the user is told.
fn read_mask(path: &Path) -> Result<SourceImage, Failure> {
    let name = path.display().to_string();
    let (bytes, image) =
        crate::imaging::read_mask_file(path).map_err(|refused| Failure(Exit::Usage, refused))?;
    if !crate::imaging::is_black_and_white(&image) {
        eprintln!(
            "moodgrid: {name} is not pure black and white; pixels at least half bright are repainted"
        );
    }
    Ok(SourceImage { name, bytes })
}

fn data_dir(global: &GlobalArgs) -> Result<PathBuf, Failure> {
    if let Some(dir) = &global.data_dir {
        return Ok(dir.clone());
    }
    crate::places::default_data_dir()
        .ok_or_else(|| Failure(Exit::Usage, "no home directory: pass --data-dir".into()))
}

fn open_library(global: &GlobalArgs) -> Result<Library, Failure> {
    let dir = data_dir(global)?;
    Library::open(&dir).map_err(|e| Failure(Exit::Unavailable, e.to_string()))
}

/// The host jobs go to: `--base-url` (or `TTAPI_BASE_URL`), else the one saved in Settings.
fn base_url(global: &GlobalArgs, settings: &Settings) -> Result<BaseUrl, Failure> {
    match &global.base_url {
        Some(url) => BaseUrl::parse(url).map_err(|e| Failure(Exit::Usage, e.to_string())),
        None => Ok(settings.base()),
    }
}

/// The saved settings; a damaged file is said and the defaults used, so no command is held up by it.
fn settings(global: &GlobalArgs) -> Result<Settings, Failure> {
    Ok(Settings::load(&data_dir(global)?).unwrap_or_else(|e| {
        eprintln!("moodgrid: warning: {e}; using the defaults");
        Settings::default()
    }))
}

/// The backend: the embedded simulator with `--offline` or without a key (`engine::resolve` decides, as for
/// the window), else the real service, once the user has consented to a host that is not TTAPI's.
fn backend(global: &GlobalArgs) -> Result<Backend, Failure> {
    if global.offline {
        return Ok(Backend::Simulator(SimConfig::default()));
    }
    let mut settings = settings(global)?;
    let base = base_url(global, &settings)?;
    match crate::engine::resolve(Backend::Detect { base }, &KeyStore::platform()) {
        Resolved::Service { base, key } => {
            if !settings.may_send_key_to(&base) {
                if !global.trust_host {
                    return Err(Failure(
                        Exit::Usage,
                        format!(
                            "{base} is not one of TTAPI's hosts, so Moodgrid sends your key there only with your \
                             consent: run again with --trust-host, or add \"{base}\" to trusted_hosts in {}",
                            Settings::path(&data_dir(global)?).display()
                        ),
                    ));
                }
                settings.trust(&base);
                settings
                    .save(&data_dir(global)?)
                    .map_err(|e| Failure(Exit::Unavailable, e.to_string()))?;
                eprintln!(
                    "moodgrid: {base} is trusted with your TTAPI key from now on (settings.json)"
                );
            }
            Ok(Backend::Service { base, key })
        }
        Resolved::Offline { .. } if global.base_url.is_some() => Err(Failure(
            Exit::Account,
            format!(
                "no API key for {}: set TTAPI_API_KEY or store one in Settings",
                global.base_url.as_deref().unwrap_or_default()
            ),
        )),
        Resolved::Offline { sim, why } => {
            eprintln!("moodgrid: offline demo on the embedded simulator ({why})");
            Ok(Backend::Simulator(sim))
        }
    }
}

fn start_engine(global: &GlobalArgs) -> Result<EngineHandle, Failure> {
    let backend = backend(global)?;
    let timing = Timing::from_env().unwrap_or_else(|| match backend {
        Backend::Simulator(_) => Timing::local(),
        Backend::Service { .. } | Backend::Detect { .. } => Timing::default(),
    });
    let config = EngineConfig {
        data_dir: data_dir(global)?,
        backend,
        timing,
        keys: Arc::new(KeyStore::platform()),
        stop_on_interrupt: true,
    };
    let mut engine = EngineHandle::start(config, std::sync::Arc::new(|| {})).map_err(|e| {
        Failure(
            Exit::Unavailable,
            format!("could not start the engine: {e}"),
        )
    })?;
    match engine.recv_blocking() {
        Some(Event::Ready { .. }) => Ok(engine),
        Some(Event::Fatal(message)) => Err(Failure(Exit::Unavailable, message)),
        _ => Err(Failure(
            Exit::Unavailable,
            "the engine did not start".into(),
        )),
    }
}

/// `moodgrid` alone: the window, on the service when a key is found (asked on the engine thread), else offline.
fn open_window(global: &GlobalArgs) -> Result<Exit, Failure> {
    let data_dir = data_dir(global)?;
    // A damaged settings file must not keep the window shut: the defaults apply and the user is told.
    let (settings, mut settings_problem) = match Settings::load(&data_dir) {
        Ok(settings) => (settings, None),
        Err(e) => (Settings::default(), Some(e.to_string())),
    };
    let base = base_url(global, &settings)?;
    let backend = if global.offline {
        Backend::Simulator(SimConfig::default())
    } else if !settings.may_send_key_to(&base) {
        // The key is not sent to a host the user has not confirmed; Settings asks.
        settings_problem = Some(format!(
            "{base} is not one of TTAPI's hosts and you have not confirmed it, so Moodgrid started offline. \
             Choose it again in Settings → Service to trust it."
        ));
        Backend::Simulator(SimConfig::default())
    } else {
        Backend::Detect { base }
    };
    // Exports go to the user's Pictures folder (read here, before the window: it is a file read on Linux).
    let export_folder = directories::UserDirs::new()
        .and_then(|dirs| dirs.picture_dir().map(|p| p.join("Moodgrid")))
        .unwrap_or_else(|| data_dir.join("exports"));
    let launch = crate::ui::Launch {
        export_folder,
        engine: EngineConfig {
            data_dir,
            backend,
            timing: Timing::from_env().unwrap_or_default(),
            keys: Arc::new(KeyStore::platform()),
            stop_on_interrupt: false,
        },
        settings,
        settings_problem,
    };
    crate::ui::run(launch)
        .map_err(|e| Failure(Exit::Unavailable, format!("could not open the window: {e}")))?;
    Ok(Exit::Success)
}

fn run_board(global: &GlobalArgs, command: BoardCommand) -> Result<Exit, Failure> {
    let library = open_library(global)?;
    let unavailable = |e: crate::library::LibraryError| Failure(Exit::Unavailable, e.to_string());
    let boards = library.boards().map_err(unavailable)?;
    match command {
        BoardCommand::List => {
            for stored in &boards {
                println!(
                    "{:>4}  {:>4} items  {}",
                    stored.id,
                    stored.board.items().len(),
                    stored.board.name
                );
            }
        }
        BoardCommand::Render {
            board,
            scale,
            output,
        } => {
            if !(scale.is_finite() && scale > 0.0) {
                return Err(Failure(
                    Exit::Usage,
                    format!("--scale must be above 0, not {scale}"),
                ));
            }
            let wanted = boards
                .iter()
                .find(|b| b.id.to_string() == board)
                .or_else(|| {
                    boards
                        .iter()
                        .find(|b| b.board.name.eq_ignore_ascii_case(&board))
                });
            let Some(stored) = wanted else {
                let names: Vec<&str> = boards.iter().map(|b| b.board.name.as_str()).collect();
                return Err(Failure(
                    Exit::Usage,
                    format!("no board `{board}` (the library has: {})", names.join(", ")),
                ));
            };
            let rendered = crate::library::render_board(library.root(), &stored.board, scale)
                .map_err(|e| Failure(Exit::Usage, e.to_string()))?;
            crate::files::write_atomically(&output, &rendered.png).map_err(|e| {
                Failure(
                    Exit::Unavailable,
                    format!("could not write {}: {e}", output.display()),
                )
            })?;
            for file in &rendered.missing {
                eprintln!("moodgrid: {file} could not be read; it shows as a grey box");
            }
            println!(
                "{} ({} × {} px)",
                output.display(),
                rendered.width,
                rendered.height
            );
        }
    }
    Ok(Exit::Success)
}

fn run_simulator(args: SimArgs) -> Result<Exit, Failure> {
    let config = SimConfig {
        api_key: args.key,
        run_time: Duration::from_secs_f64(args.job_seconds),
        queue_time: Duration::from_secs_f64(args.job_seconds * 0.15),
        banned_words: args.banned_words,
        faults: FaultConfig {
            latency: Duration::from_millis(args.latency_ms),
            ..FaultConfig::failing(args.fail_rate)
        },
        ..SimConfig::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("moodgrid-sim")
        .build()
        .map_err(|e| {
            Failure(
                Exit::Unavailable,
                format!("could not start the async runtime: {e}"),
            )
        })?;
    runtime.block_on(async move {
        let simulator = Simulator::start_on(config, args.port).await.map_err(|e| {
            Failure(
                Exit::Unavailable,
                format!("could not listen on 127.0.0.1:{}: {e}", args.port),
            )
        })?;
        println!("TTAPI simulator listening on {}", simulator.base_url());
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = simulator.serve_forever() => {}
        }
        Ok(Exit::Success)
    })
}
