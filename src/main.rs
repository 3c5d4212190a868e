//! The `moodgrid` binary: the allocator, logging set-up and the hand-off to the command line (which opens
//! the window when no subcommand is given).

use clap::Parser as _;
use tracing_subscriber::EnvFilter;

// Why mimalloc: see Cargo.toml (image buffers kept instead of page-faulted in again on every decode).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
