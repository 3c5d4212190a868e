//! Where the window's log goes: a file per day in the platform's state directory (`~/.local/state/moodgrid/logs`
//! on Linux), the last seven kept, beside the usual stderr output. `MOODGRID_LOG_DIR` puts it elsewhere.
//! Nothing logs the API key (the hygiene tests read these files too).

use std::path::PathBuf;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer as _};

/// The environment variable that moves the log folder (tests, diagnostics).
pub const DIR_ENV: &str = "MOODGRID_LOG_DIR";
/// Daily files kept; older ones are deleted as new ones start.
const KEPT_FILES: usize = 7;

/// The folder the window's log files are written to.
pub fn dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(DIR_ENV).filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    crate::places::default_log_dir()
}

/// Logging for the command line: stderr only, `RUST_LOG` (warn by default).
pub fn init_stderr() {
    tracing_subscriber::fmt()
        .with_env_filter(stderr_filter())
        .with_ansi(stderr_colours())
        .with_writer(std::io::stderr)
        .init();
}

/// Logging for the window: stderr as for the command line, and info and above to the daily file. Returns the
/// guard that flushes the file when dropped (keep it until exit), or `None` when no file could be opened
/// (then only stderr is used, and stderr says why).
pub fn init_window() -> Option<WorkerGuard> {
    let file = dir().and_then(|dir| {
        RollingFileAppender::builder()
            .rotation(Rotation::DAILY)
            .filename_prefix("moodgrid")
            .filename_suffix("log")
            .max_log_files(KEPT_FILES)
            .build(&dir)
            .map_err(|e| eprintln!("moodgrid: no log file in {}: {e}", dir.display()))
            .ok()
    });
    let Some(file) = file else {
        init_stderr();
        return None;
    };
    let (writer, guard) = tracing_appender::non_blocking(file);
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(stderr_colours())
                .with_writer(std::io::stderr)
                .with_filter(stderr_filter()),
        )
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(writer)
                .with_filter(EnvFilter::new("info")),
        )
        .init();
    Some(guard)
}

/// Colour codes only for a person at a terminal, and never when `NO_COLOR` is set (no-color.org): a log
/// piped to a file or read by a script carries none.
fn stderr_colours() -> bool {
    use std::io::IsTerminal as _;
    colours_wanted(
        std::io::stderr().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    )
}

fn colours_wanted(terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    terminal && no_color.is_none_or(|v| v.is_empty())
}

// Quiet by default so stdout stays machine-readable; RUST_LOG=info (or debug) shows the engine at work.
fn stderr_filter() -> EnvFilter {
    EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_only_on_a_terminal_without_no_color() {
        assert!(colours_wanted(true, None));
        assert!(colours_wanted(true, Some("".as_ref())));
        assert!(!colours_wanted(true, Some("1".as_ref())));
        assert!(!colours_wanted(false, None));
    }
}
