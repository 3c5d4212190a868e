//! The platform's folders for Moodgrid (`directories`, under the application id `io.github.moodgrid.Moodgrid`):
//! where the library lives unless `--data-dir` says otherwise, and where the window's logs go.

use std::path::PathBuf;

fn project() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("io.github", "moodgrid", "Moodgrid")
}

/// The library's folder: `~/.local/share/moodgrid` on Linux. `None` without a home directory.
pub fn default_data_dir() -> Option<PathBuf> {
    project().map(|dirs| dirs.data_dir().to_owned())
}

/// The logs' folder: `~/.local/state/moodgrid/logs` on Linux (the local data folder where there is no
/// state folder).
pub fn default_log_dir() -> Option<PathBuf> {
    let dirs = project()?;
    Some(
        dirs.state_dir()
            .unwrap_or_else(|| dirs.data_local_dir())
            .join("logs"),
    )
}
