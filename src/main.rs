//! The `moodgrid` binary: parses the command line and hands off to the library. Errors become anyhow
//! here, at the edge, and nowhere else.

use std::io::Write as _;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Args, CommandFactory, Parser, Subcommand};
use moodgrid::sim::{FaultConfig, SimConfig, Simulator};
use tracing_subscriber::EnvFilter;

#[derive(Debug, Parser)]
#[command(
    name = "moodgrid",
    version,
    about = "A native desktop studio for the Midjourney API (TTAPI)"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the embedded TTAPI simulator as a standalone HTTP server on 127.0.0.1.
    Sim(SimArgs),
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
    #[arg(long, default_value_t = 4.0)]
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

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Sim(args)) => run_simulator(args),
        None => {
            // The window arrives with the gallery issue; until then the binary explains itself.
            Cli::command().print_help()?;
            Ok(())
        }
    }
}

fn run_simulator(args: SimArgs) -> anyhow::Result<()> {
    if !args.job_seconds.is_finite() || args.job_seconds < 0.0 {
        anyhow::bail!("--job-seconds must be zero or more");
    }
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
        .context("could not start the async runtime")?;
    runtime.block_on(async move {
        let simulator = Simulator::start_on(config, args.port)
            .await
            .with_context(|| format!("could not listen on 127.0.0.1:{}", args.port))?;
        let mut stdout = std::io::stdout();
        writeln!(
            stdout,
            "TTAPI simulator listening on {}",
            simulator.base_url()
        )?;
        stdout.flush()?;
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = simulator.serve_forever() => {}
        }
        Ok(())
    })
}
