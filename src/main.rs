//! The `moodgrid` binary: the allocator, logging set-up and the hand-off to the command line (which opens
//! the window when no subcommand is given).

use clap::Parser as _;

// Why mimalloc: see Cargo.toml (image buffers kept instead of page-faulted in again on every decode).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // Before any thread exists: see `clock`.
    moodgrid::clock::init();
    let cli = moodgrid::cli::Cli::parse();
    // The window also keeps a log file (Help → Open log folder); commands log to stderr only.
    let _log_file = if cli.opens_window() {
        moodgrid::logs::init_window()
    } else {
        moodgrid::logs::init_stderr();
        None
    };
    std::process::exit(moodgrid::cli::run(cli));
}
