//! The command line's words: subcommands, flags, their help and the environment they read (clap).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::domain::{BlendDimensions, Mode};

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
    pub(super) global: GlobalArgs,
    #[command(subcommand)]
    pub(super) command: Option<Command>,
}

const AFTER_HELP: &str = "\
Environment:
  TTAPI_API_KEY          the TTAPI key (else the OS keyring; the window's Settings stores it there)
  TTAPI_BASE_URL         the TTAPI host (same as --base-url)
  MOODGRID_DATA_DIR      the library folder (same as --data-dir)
  MOODGRID_POLL_MS       scales every poll and retry interval to this base (tests, diagnostics)
  MOODGRID_TIMEOUT_SCALE multiplies every job's timeout and its margin (tests: 0.01 gives up in seconds)
  MOODGRID_FRAME_REPORT  =1: the window reports its first frame and frame times on stderr
  MOODGRID_LOG_DIR       where the window writes its daily log files (default: the platform state folder)
  RUST_LOG               log detail on stderr (warn by default; info or debug show the engine at work)

Exit codes: 0 done, 1 the job failed, 2 usage or invalid input, 3 key, balance or account,
4 network or service unavailable, 130 stopped by Ctrl+C, SIGTERM or SIGHUP (the command's jobs not yet sent
are cancelled; those already sent run on, and `moodgrid resume` follows them).";

#[derive(Debug, Args)]
pub(super) struct GlobalArgs {
    /// The TTAPI host (https://api.ttapi.io by default; api.ttapi.org and the hold-account hosts also work).
    #[arg(long, global = true, env = "TTAPI_BASE_URL")]
    pub(super) base_url: Option<String>,
    /// Where the library lives (default: the platform's data directory).
    #[arg(long, global = true, env = "MOODGRID_DATA_DIR")]
    pub(super) data_dir: Option<PathBuf>,
    /// Use the embedded simulator even if a key is set.
    #[arg(long, global = true)]
    pub(super) offline: bool,
    /// Agree to send the key to a host that is not one of TTAPI's (remembered in settings.json).
    #[arg(long, global = true)]
    pub(super) trust_host: bool,
}

#[derive(Debug, Args, Clone, Copy)]
pub(super) struct Follow {
    /// Wait until the job has finished and its images are saved (a progress bar shows on a terminal).
    #[arg(long)]
    pub(super) wait: bool,
    /// Print one JSON object per job on stdout.
    #[arg(long)]
    pub(super) json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(super) enum ModeArg {
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
pub(super) enum DimensionsArg {
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
pub(super) enum Command {
    /// Start a new 2×2 grid from a prompt. A permutation prompt (`a {red, blue} bird --ar {1:1, 16:9}`)
    /// starts one job per combination, `--repeat N` (`--r N`) N of each; parameter warnings are printed.
    Imagine {
        /// What to imagine, with Midjourney parameters if wanted (--ar 16:9, --seed 42…).
        prompt: String,
        /// Midjourney's speed mode.
        #[arg(long, value_enum, default_value = "fast")]
        mode: ModeArg,
        /// Seconds the job may take (300–1200; default 300, relax 600).
        #[arg(long)]
        timeout: Option<u32>,
        /// Send braces as typed instead of expanding them.
        #[arg(long)]
        no_permute: bool,
        /// Print the prompts that would be sent and their estimated cost; send nothing.
        #[arg(long)]
        dry_run: bool,
        /// Send a batch estimated above the confirm threshold (Settings; 20 quota by default).
        #[arg(long, short)]
        yes: bool,
        #[command(flatten)]
        follow: Follow,
    },
    /// Print a prompt's Midjourney parameters as Moodgrid reads them, with any warnings and the prompts a
    /// permutation expands to. Exit code 0 with no warnings, 1 with some.
    Params {
        /// The prompt, e.g. "a fox --ar 16:9 --chaos 20".
        #[arg(allow_hyphen_values = true)]
        prompt: String,
    },
    /// The account: balance, frozen quota and queue (`info`), and each mode's service status.
    Account {
        /// One JSON object.
        #[arg(long)]
        json: bool,
    },
    /// What TTAPI charged since a day (refunds for failed jobs taken off), grouped.
    Spend {
        /// The first day, YYYY-MM-DD (local time); default 30 days ago.
        #[arg(long)]
        since: Option<String>,
        /// How to group: by day, week, month, mode or kind of job, or one row per job.
        #[arg(long, value_enum, default_value = "day")]
        by: SpendBy,
        /// Comma-separated values for a spreadsheet.
        #[arg(long)]
        csv: bool,
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
    /// Take back jobs not yet sent (`queued`): they are never sent and cost nothing, whichever process made
    /// them. A job already sent cannot be cancelled: TTAPI has no cancel, so it runs to its end and is charged.
    Cancel {
        /// The jobs: TTAPI ids, unique prefixes of them, or #N for local ids.
        #[arg(required_unless_present = "queued")]
        jobs: Vec<String>,
        /// Every job waiting to be sent.
        #[arg(long, conflicts_with = "jobs")]
        queued: bool,
    },
    /// Send a job's request again, as a new job: a failed job's Retry, or an unconfirmed job's Send anyway
    /// (charged again if TTAPI did run the first).
    Retry {
        /// The job: its TTAPI id, a unique prefix of it, or #N for a local id.
        job: String,
        #[command(flatten)]
        follow: Follow,
    },
    /// Look for an unconfirmed job in TTAPI's history once more: found, it continues as usual. It never
    /// sends anything.
    LookAgain {
        /// The job: #N, its local id.
        job: String,
        #[command(flatten)]
        follow: Follow,
    },
    /// Ask the service where a job stands now (an abandoned job that TTAPI finished after all is saved).
    Fetch {
        /// The job: its TTAPI id, a unique prefix of it, or #N for a local id.
        job: String,
        #[command(flatten)]
        follow: Follow,
    },
    /// Find jobs by their prompt (a describe's answers too), action or TTAPI id, newest first: words,
    /// prefixes (ligh*), "exact phrases" and -excluded words, all of which must hold.
    Search {
        /// What to look for, e.g. `"oil painting" ligh* -portrait` (quote it for the shell). It may start
        /// with an exclusion: `moodgrid search -portrait`.
        #[arg(allow_hyphen_values = true)]
        query: String,
        #[command(flatten)]
        listing: Listing,
    },
    /// Move finished jobs to the Trash (hidden everywhere, `restore` brings them back); with no job, list
    /// the Trash; with --empty, delete the trashed jobs and the image files nothing else uses.
    Trash {
        /// The jobs: TTAPI ids, unique prefixes of them, or #N for local ids.
        jobs: Vec<String>,
        #[arg(long, conflicts_with = "jobs")]
        empty: bool,
    },
    /// Bring jobs back from the Trash.
    Restore {
        /// The jobs: TTAPI ids, unique prefixes of them, or #N for local ids.
        #[arg(required = true)]
        jobs: Vec<String>,
    },
    /// Give a job 0–5 stars (0 clears them).
    Rate {
        /// The job: its TTAPI id, a unique prefix of it, or #N for a local id.
        job: String,
        #[arg(value_parser = clap::value_parser!(u8).range(0..=5))]
        stars: u8,
    },
    /// Pick or reject a job, or take its flag away.
    Flag {
        /// The job: its TTAPI id, a unique prefix of it, or #N for a local id.
        job: String,
        #[arg(value_enum)]
        flag: FlagArg,
    },
    /// The library's jobs, newest first.
    List {
        #[command(flatten)]
        listing: Listing,
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
pub(super) enum BoardCommand {
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

/// How `list` and `search` choose and print jobs, besides the words.
#[derive(Debug, Args)]
pub(super) struct Listing {
    /// At most this many jobs, newest first.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// One JSON object per job.
    #[arg(long)]
    pub json: bool,
    /// Only jobs with at least this many stars (1–5).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=5))]
    pub rating: Option<u8>,
    /// Only jobs made on or after this day, YYYY-MM-DD (local time).
    #[arg(long)]
    pub since: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum SpendBy {
    Day,
    Week,
    Month,
    Mode,
    Kind,
    Job,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(super) enum FlagArg {
    Pick,
    Reject,
    /// No flag.
    None,
}

#[derive(Debug, Args)]
pub(super) struct SimArgs {
    /// Port on 127.0.0.1 (0 picks a free one; the address is printed on stdout).
    #[arg(long, default_value_t = 8787)]
    pub(super) port: u16,
    /// Accept only this TT-API-KEY (default: any non-empty key).
    #[arg(long)]
    pub(super) key: Option<String>,
    /// Extra latency on every request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub(super) latency_ms: u64,
    /// Share of requests (0–1) answered with a 5xx, a 429 or a cut connection.
    #[arg(long, default_value_t = 0.0, value_parser = parse_rate)]
    pub(super) fail_rate: f64,
    /// Seeds the fault dice (and the art): the same seed replays the same faults, another one varies them.
    #[arg(long, default_value_t = crate::sim::FaultConfig::default().seed)]
    pub(super) seed: u64,
    /// How long a fast-mode job runs before it succeeds, in seconds (relax ×2, turbo ×½).
    #[arg(long, default_value_t = 4.0, value_parser = parse_non_negative)]
    pub(super) job_seconds: f64,
    /// Prompts containing this word fail as banned (repeatable).
    #[arg(long = "banned-word", default_values_t = ["bannedword".to_owned()])]
    pub(super) banned_words: Vec<String>,
    /// The account's starting balance in quota (1 USD = 100 quota); jobs past it get HTTP 402.
    #[arg(long, default_value_t = 100_000.0, value_parser = parse_non_negative)]
    pub(super) balance: f64,
    /// A fast-mode price, KIND=QUOTA (repeatable): imagine, variation, upsample, upscale, blend, describe,
    /// seed, inpaint. Relax costs half, turbo double, an imagine with --v 6.0 ×1.5.
    #[arg(long = "price", value_name = "KIND=QUOTA")]
    pub(super) prices: Vec<String>,
    /// Answer every image download with this HTTP status (403, 404 or 410): a CDN that lost the files.
    #[arg(long, value_name = "STATUS", value_parser = clap::value_parser!(u16).range(400..=599))]
    pub(super) gone_images: Option<u16>,
    /// Take a mode's endpoints down (repeatable): /midjourney/status reports it and its jobs are refused.
    #[arg(long = "mode-down", value_enum, value_name = "MODE")]
    pub(super) modes_down: Vec<ModeArg>,
}

fn parse_rate(s: &str) -> Result<f64, String> {
    let rate: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if (0.0..=1.0).contains(&rate) {
        Ok(rate)
    } else {
        Err(format!("{rate} is outside 0–1"))
    }
}

/// A finite number, zero or more: seconds, a balance.
fn parse_non_negative(s: &str) -> Result<f64, String> {
    let number: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if number.is_finite() && number >= 0.0 {
        Ok(number)
    } else {
        Err(format!("{s} is not zero or more"))
    }
}

impl Cli {
    /// Whether this command line opens the window (no subcommand).
    pub fn opens_window(&self) -> bool {
        self.command.is_none()
    }
}
