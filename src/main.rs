//! The `moodgrid` binary: logging set-up and the hand-off to the command line. The window will start here.

use clap::Parser as _;
use tracing_subscriber::EnvFilter;

fn main() {
    // Quiet by default so stdout stays machine-readable; RUST_LOG=info (or debug) shows the engine at work.
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = moodgrid::cli::Cli::parse();
    std::process::exit(moodgrid::cli::run(cli));
}
