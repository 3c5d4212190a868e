//! The window, in folders by what the user works on. `shell` lays the panels out and carries out what they
//! ask of one another; each feature folder (`job`, `gallery`, `review`, `studio`, `sources`, `board`,
//! `mask`) owns its panels' state; they draw with `kit` and share `runtime::services::Services`. Each
//! folder's `mod.rs` says what lives there and what it may use. Nothing on the UI thread waits on the
//! network, the disk or a decoder.

mod board;
mod gallery;
mod job;
mod kit;
#[cfg(test)]
mod layout_tests;
mod mask;
mod paint;
mod review;
mod runtime;
mod shell;
mod sources;
mod studio;

pub use gallery::search::MOST_FOUND as SEARCH_MOST_FOUND;
pub use job::export::ExportPrefs;
pub use runtime::nav::View;
pub use runtime::textures::{DEFAULT_BUDGET_BYTES as TEXTURE_BUDGET_BYTES, TextureCache};
pub use shell::app::{MoodgridApp, Remembered};
pub use shell::native::run;

use crate::engine::EngineConfig;
use crate::settings::Settings;

/// What the window starts with.
pub struct Launch {
    pub engine: EngineConfig,
    pub settings: Settings,
    /// Why the saved settings could not be read (the defaults apply); shown once.
    pub settings_problem: Option<String>,
    /// Where exports go until the user picks another folder.
    pub export_folder: std::path::PathBuf,
}

/// The application id: the name of the `.desktop` entry and the icon, and the window's Wayland app id and X11
/// class, so a desktop matches the window to its entry. eframe keeps the window's state under it too.
pub const APP_ID: &str = "io.github.moodgrid.Moodgrid";
