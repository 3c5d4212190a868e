//! The platform's folders for Moodgrid (`directories`, under the application id `io.github.moodgrid.Moodgrid`):
//! where the library lives unless `--data-dir` says otherwise, where the window's logs go, and where exports
//! go until the user picks another folder.

use std::path::{Path, PathBuf};

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

/// Where exports go until the user picks another folder: `Moodgrid` in the user's Pictures folder, else
/// `exports` in the library. Reads a file on Linux (`user-dirs.dirs`): called before the window opens.
pub fn default_export_dir(library: &Path) -> PathBuf {
    directories::UserDirs::new()
        .and_then(|dirs| dirs.picture_dir().map(|pictures| pictures.join("Moodgrid")))
        .unwrap_or_else(|| library.join("exports"))
}
