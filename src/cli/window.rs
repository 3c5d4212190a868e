//! `moodgrid` alone: the window.

use std::sync::Arc;

use super::args::GlobalArgs;
use super::{Exit, Failure, base_url, data_dir};
use crate::engine::{Backend, EngineConfig, Timing};
use crate::secrets::KeyStore;
use crate::settings::Settings;

/// `moodgrid` alone: the window, on the service when a key is found (asked on the engine thread), else offline.
pub(super) fn open(global: &GlobalArgs) -> Result<Exit, Failure> {
    let data_dir = data_dir(global)?;
    // A damaged settings file must not keep the window shut: the defaults apply and the user is told.
    let (settings, settings_problem) = match Settings::load(&data_dir) {
        Ok(settings) => (settings, None),
        Err(e) => (Settings::default(), Some(e.to_string())),
    };
    let base = base_url(global, &settings)?;
    // A host the user has not trusted gets no key: the engine's consent check starts it offline and the
    // banner and Settings say why.
    let backend = if global.offline {
        Backend::Simulator(Box::default())
    } else {
        Backend::Detect { base }
    };
    let export_folder = crate::places::default_export_dir(&data_dir);
    let launch = crate::ui::Launch {
        export_folder,
        engine: EngineConfig {
            data_dir,
            backend,
            timing: Timing::from_env_or(Timing::default()),
            keys: Arc::new(KeyStore::platform()),
            stop_on_interrupt: false,
        },
        settings,
        settings_problem,
    };
    crate::ui::run(launch)
        .map_err(|e| Failure(Exit::Unavailable, format!("could not open the window: {e}")))?;
    Ok(Exit::Success)
}
