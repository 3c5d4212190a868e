//! The user's non-secret preferences (`settings.json` in the data directory), shared by the window and the
//! command line. The API key is not one of them: it lives in the OS keyring (see [`crate::secrets`]).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::api::{BaseUrl, DEFAULT_BASE_URL};
use crate::domain::Mode;

const FILE_NAME: &str = "settings.json";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The TTAPI host jobs go to when a key is set.
    pub base_url: String,
    /// The mode the prompt bar starts with.
    pub default_mode: Mode,
    /// Ask `promptCheck` before every imagine, so a banned word costs no quota.
    pub check_prompts: bool,
    /// Hosts other than TTAPI's that the user agreed to send the key to (see `BaseUrl::needs_consent`).
    pub trusted_hosts: Vec<String>,
    pub theme: ThemeChoice,
    /// A submission estimated above this many quota asks first (the window) or needs `--yes` (the CLI).
    pub confirm_above_quota: f64,
}

/// The threshold a new library starts with: ten fast imagines at the contract's example price.
pub const DEFAULT_CONFIRM_ABOVE_QUOTA: f64 = 20.0;

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            base_url: DEFAULT_BASE_URL.to_owned(),
            default_mode: Mode::default(),
            check_prompts: false,
            trusted_hosts: Vec::new(),
            theme: ThemeChoice::default(),
            confirm_above_quota: DEFAULT_CONFIRM_ABOVE_QUOTA,
        }
    }
}

/// Which look the window has (`ui::kit::theme` draws it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThemeChoice {
    /// The system's preference; dark where the system says nothing.
    #[default]
    System,
    Dark,
    Light,
}

impl ThemeChoice {
    pub const ALL: [ThemeChoice; 3] = [ThemeChoice::System, ThemeChoice::Dark, ThemeChoice::Light];

    pub fn label(self) -> &'static str {
        match self {
            ThemeChoice::System => "Follow the system",
            ThemeChoice::Dark => "Dark",
            ThemeChoice::Light => "Light",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("could not read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is not valid settings ({source}); delete it to start from the defaults", path.display())]
    Malformed {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("could not save {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl Settings {
    /// Whether the key may go to `base`: one of TTAPI's hosts, this machine, or a host the user trusted.
    pub fn may_send_key_to(&self, base: &BaseUrl) -> bool {
        !base.needs_consent() || self.trusted_hosts.iter().any(|h| h == base.as_str())
    }

    /// Records the user's consent to send the key to `base`.
    pub fn trust(&mut self, base: &BaseUrl) {
        if !self.may_send_key_to(base) {
            self.trusted_hosts.push(base.as_str().to_owned());
        }
    }

    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join(FILE_NAME)
    }

    /// The saved settings, or the defaults when none were saved yet.
    pub fn load(data_dir: &Path) -> Result<Settings, SettingsError> {
        let path = Settings::path(data_dir);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|source| SettingsError::Malformed { path, source }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Settings::default()),
            Err(source) => Err(SettingsError::Read { path, source }),
        }
    }

    /// Writes atomically (temp file, then rename), so a crash never leaves half a file.
    pub fn save(&self, data_dir: &Path) -> Result<(), SettingsError> {
        let path = Settings::path(data_dir);
        let write = || -> std::io::Result<()> {
            let json = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
            crate::files::write_atomically(&path, &json)
        };
        write().map_err(|source| SettingsError::Write {
            path: path.clone(),
            source,
        })
    }

    /// The base URL to use; a saved value that no longer parses falls back to the official host.
    pub fn base(&self) -> BaseUrl {
        BaseUrl::parse(&self.base_url).unwrap_or_else(|_| BaseUrl::official())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_default_when_absent() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Settings::load(dir.path()).unwrap(), Settings::default());
        let changed = Settings {
            base_url: "https://hold.ttapi.io".into(),
            default_mode: Mode::Relax,
            check_prompts: true,
            trusted_hosts: vec!["https://proxy.example.com".into()],
            theme: ThemeChoice::Light,
            confirm_above_quota: 50.0,
        };
        changed.save(dir.path()).unwrap();
        assert_eq!(Settings::load(dir.path()).unwrap(), changed);
    }

    #[test]
    fn a_damaged_file_is_reported_with_its_path_and_partial_files_keep_defaults() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(Settings::path(dir.path()), "{ not json").unwrap();
        let err = Settings::load(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("settings.json") && err.contains("delete it"),
            "{err}"
        );
        std::fs::write(Settings::path(dir.path()), r#"{"default_mode":"turbo"}"#).unwrap();
        let partial = Settings::load(dir.path()).unwrap();
        assert_eq!(partial.default_mode, Mode::Turbo);
        assert_eq!(partial.base_url, DEFAULT_BASE_URL);
        // Files from before the theme was a setting follow the system.
        assert_eq!(partial.theme, ThemeChoice::System);
    }

    #[test]
    fn the_key_goes_to_a_custom_host_only_once_it_is_trusted() {
        let mut settings = Settings::default();
        let proxy = BaseUrl::parse("https://proxy.example.com").unwrap();
        assert!(settings.may_send_key_to(&BaseUrl::official()));
        assert!(!settings.may_send_key_to(&proxy));
        settings.trust(&proxy);
        settings.trust(&proxy);
        assert!(settings.may_send_key_to(&proxy));
        assert_eq!(settings.trusted_hosts, ["https://proxy.example.com"]);
    }

    #[test]
    fn an_unusable_base_url_falls_back_to_the_official_host() {
        let settings = Settings {
            base_url: "http://example.com".into(),
            ..Settings::default()
        };
        assert_eq!(settings.base(), BaseUrl::official());
    }
}
