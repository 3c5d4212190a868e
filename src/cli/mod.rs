//! The `moodgrid` command line: every job operation, run through the same engine the window uses.
//! `args` holds the words (clap); `jobs` the commands that run jobs (through the engine); `library` those
//! that use the library alone (`list`, `search`, `export`, `board`, `trash`, `restore`, `rate`, `flag`,
//! `cancel`): they open it directly and start no engine, and `trash`, `restore`, `rate`, `flag` and
//! `cancel` write to it. `window` and `simulator` are the two long-running modes; `output` what is printed
//! and the exit codes; `wait` following jobs until they are sent or finished; `studio` the prompt's
//! parameters, permutation batches with their estimate, the account and the spend ledger.
//!
//! Where a change goes:
//! - a subcommand or flag: its words in `args.rs` (`Command`), its route in `dispatch` here, its body in
//!   `jobs.rs`, `library.rs` or `studio.rs` (`params`, `imagine` batches, `account`, `spend`).
//! - what a command prints, or its exit code: `output.rs` (`Exit`, `job_json`); following jobs with
//!   progress bars: `wait.rs`, whose `stop_lines` say what a stopped command did.
//! - search, the Trash, ratings and flags: `search`, `trash`, `restore` and `mark` (`rate`, `flag`) in
//!   `library.rs`.
//! - the window's start: `window.rs`; `moodgrid sim`: `simulator.rs`.

/// A line on standard output, through `output::write_out`: never `println!`, which panics on a closed pipe.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::cli::output::write_out(format_args!("{}\n", format_args!($($arg)*)))
    };
}

mod args;
mod jobs;
mod library;
mod output;
mod simulator;
mod studio;
mod wait;
mod window;

use std::path::{Path, PathBuf};

use crate::api::BaseUrl;
use crate::domain::terminal_text::printable;
use crate::engine::{DescribeSource, NewSubmission};
use crate::library::{Flag, JobRecord, Library, Mark};
use crate::settings::Settings;
pub use args::Cli;
use args::{Command, FlagArg, GlobalArgs};
pub use output::Exit;

/// A failure before any job exists, with its exit code.
struct Failure(Exit, String);

impl<E: std::fmt::Display> From<(Exit, E)> for Failure {
    fn from((exit, error): (Exit, E)) -> Failure {
        Failure(exit, error.to_string())
    }
}

/// Runs the command line and returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    match dispatch(cli) {
        Ok(Exit::Success) if output::output_failed() => Exit::Unavailable as i32,
        Ok(exit) => exit as i32,
        Err(Failure(exit, message)) => {
            eprintln!("moodgrid: {}", printable(&message));
            exit as i32
        }
    }
}

/// Every subcommand, and where it is carried out. The rule: commands that only use the library (`list`,
/// `export`, `board`, `trash`, `cancel`) open it directly (`library.rs`); commands that run jobs go through
/// the engine (`jobs.rs`), as the window does.
fn dispatch(cli: Cli) -> Result<Exit, Failure> {
    let global = cli.global;
    let Some(command) = cli.command else {
        return window::open(&global);
    };
    match command {
        Command::Sim(args) => simulator::run(args),
        Command::Completions { shell } => completions(shell),
        Command::Board(command) => library::board(&global, command),
        Command::Export {
            jobs,
            to,
            zip,
            template,
            all,
        } => library::export(&global, &jobs, to, zip, template, all),
        Command::List { listing } => library::search(&global, "", &listing),
        Command::Search { query, listing } => library::search(&global, &query, &listing),
        Command::Trash { jobs, empty } => library::trash(&global, &jobs, empty),
        Command::Restore { jobs } => library::restore(&global, &jobs),
        Command::Rate { job, stars } => library::mark(&global, &job, Mark::Stars(stars)),
        Command::Flag { job, flag } => library::mark(&global, &job, Mark::Flag(flag_of(flag))),
        Command::Imagine {
            prompt,
            mode,
            timeout,
            no_permute,
            dry_run,
            yes,
            follow,
        } => studio::imagine(
            &global,
            studio::Batch {
                prompt,
                mode: mode.into(),
                timeout,
                permute: !no_permute,
                dry_run,
                yes,
            },
            follow,
        ),
        Command::Params { prompt } => studio::params(&prompt),
        Command::Account { json } => studio::account(&global, json),
        Command::Spend { since, by, csv } => studio::spend(&global, since.as_deref(), by, csv),
        Command::Action {
            job,
            action,
            timeout,
            follow,
        } => jobs::submit(&global, follow, |library| {
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
        } => jobs::submit(&global, follow, |_| blend(&files, dimensions, mode)),
        Command::Describe { file, url, follow } => {
            jobs::submit(&global, follow, |_| describe(file, url))
        }
        Command::Seed { job, follow } => jobs::submit(&global, follow, |library| {
            Ok(NewSubmission::Seed {
                parent: find(library, &job)?.id,
            })
        }),
        Command::Inpaint {
            job,
            mask,
            prompt,
            follow,
        } => jobs::submit(&global, follow, |library| {
            inpaint(library, &job, &mask, prompt)
        }),
        Command::Cancel { jobs, queued } => library::cancel(&global, &jobs, queued),
        Command::Retry { job, follow } => jobs::submit(&global, follow, |library| {
            Ok(NewSubmission::Retry {
                job: find(library, &job)?.id,
            })
        }),
        Command::LookAgain { job, follow } => jobs::look_again(&global, &job, follow),
        Command::Fetch { job, follow } => jobs::fetch(&global, &job, follow),
        Command::Resume { follow } => jobs::resume(&global, follow),
    }
}

fn flag_of(flag: FlagArg) -> Option<Flag> {
    match flag {
        FlagArg::Pick => Some(Flag::Pick),
        FlagArg::Reject => Some(Flag::Reject),
        FlagArg::None => None,
    }
}

/// A blend of the user's files, each read and checked before any job exists.
fn blend(
    files: &[PathBuf],
    dimensions: args::DimensionsArg,
    mode: args::ModeArg,
) -> Result<NewSubmission, Failure> {
    let images = files
        .iter()
        .map(|f| jobs::read_image(f))
        .collect::<Result<_, _>>()?;
    Ok(NewSubmission::Blend {
        images,
        dimensions: dimensions.into(),
        mode: mode.into(),
    })
}

/// A describe of the image file, or of an image on the web (`--url`).
fn describe(file: Option<PathBuf>, url: Option<String>) -> Result<NewSubmission, Failure> {
    let source = match (file, url) {
        (Some(file), _) => DescribeSource::Image(jobs::read_image(&file)?),
        (None, Some(url)) => DescribeSource::Url(url),
        (None, None) => {
            return Err(Failure(Exit::Usage, "give an image file or --url".into()));
        }
    };
    Ok(NewSubmission::Describe { source })
}

/// An inpaint of a job's image under a black-and-white mask file.
fn inpaint(
    library: &Library,
    job: &str,
    mask: &Path,
    prompt: Option<String>,
) -> Result<NewSubmission, Failure> {
    Ok(NewSubmission::Inpaint {
        parent: find(library, job)?.id,
        mask: jobs::read_mask(mask)?,
        prompt,
        strokes: None,
    })
}

/// The shell completion script on stdout.
fn completions(shell: clap_complete::Shell) -> Result<Exit, Failure> {
    // Into memory first: clap_complete panics on a failed write (a closed pipe, a full disk).
    let mut script = Vec::new();
    clap_complete::generate(
        shell,
        &mut <Cli as clap::CommandFactory>::command(),
        "moodgrid",
        &mut script,
    );
    output::say_text(&String::from_utf8_lossy(&script));
    Ok(Exit::Success)
}

fn find(library: &Library, reference: &str) -> Result<JobRecord, Failure> {
    library
        .find_job(reference)
        .map_err(|e| Failure(Exit::Usage, e.to_string()))
}

/// Each job a command names, as local ids.
fn find_all(library: &Library, references: &[String]) -> Result<Vec<i64>, Failure> {
    references
        .iter()
        .map(|reference| find(library, reference).map(|job| job.id))
        .collect()
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
        eprintln!(
            "moodgrid: warning: {}; using the defaults",
            printable(&e.to_string())
        );
        Settings::default()
    }))
}
