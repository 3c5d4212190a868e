//! Which service jobs go to. `Backend::Detect` is answered here, once, for the engine and the command line
//! alike: the service when a key is found, else the embedded simulator, with the reason.

use crate::api::{ApiKey, BaseUrl, ClientOptions, TtapiClient};
use std::path::Path;

use crate::secrets::{KeyStore, KeyringError};
use crate::settings::Settings;
use crate::sim::{SimConfig, Simulator};

/// The label stored on jobs run by the embedded simulator.
pub const SIMULATOR_BACKEND: &str = "simulator";

/// Which service the engine talks to. Both go through the same client over HTTP.
#[derive(Debug, Clone)]
pub enum Backend {
    Service {
        base: BaseUrl,
        key: ApiKey,
    },
    /// Starts the embedded simulator inside the engine's runtime.
    Simulator(Box<SimConfig>),
    /// The service at `base` if `TTAPI_API_KEY` or the OS keyring has a key, else the simulator. Resolved on
    /// the engine thread, because asking the keyring is IO.
    Detect {
        base: BaseUrl,
    },
}

/// A backend with the key question answered.
#[derive(Debug)]
pub enum Resolved {
    Service {
        base: BaseUrl,
        key: ApiKey,
    },
    /// The embedded simulator, and why: shown by the window's banner, printed by the command line.
    Offline {
        sim: Box<SimConfig>,
        why: String,
    },
}

/// Answers `Backend::Detect` by looking for a key (the environment, then `keys`). Blocking: the keyring
/// is IO, so call it off the UI thread and off the async workers.
pub fn resolve(backend: Backend, keys: &KeyStore) -> Resolved {
    match backend {
        Backend::Service { base, key } => Resolved::Service { base, key },
        Backend::Simulator(sim) => Resolved::Offline {
            sim,
            why: "started offline".to_owned(),
        },
        Backend::Detect { base } => match crate::secrets::find_key(keys) {
            (Some((key, _)), _) => Resolved::Service { base, key },
            (None, problem) => Resolved::Offline {
                sim: Box::default(),
                why: no_key(problem),
            },
        },
    }
}

/// The one check every request that carries the key passes, whatever asked for it (starting or restarting
/// the engine, Check key, Save key, Remove key, a balance refresh): the host is one of TTAPI's, this
/// machine, or one the user trusted. Trust is read from `data_dir`'s settings each time, so withdrawing it
/// in Settings holds from the next request on; settings that cannot be read trust nothing. Blocking (a
/// file read).
pub fn key_may_go_to(data_dir: &Path, base: &BaseUrl) -> Result<(), String> {
    if !base.needs_consent()
        || Settings::load(data_dir).is_ok_and(|settings| settings.may_send_key_to(base))
    {
        Ok(())
    } else {
        Err(format!(
            "{base} is not one of TTAPI's hosts and {UNTRUSTED}, so your key was not sent there. \
             Choose it in Settings → Service to trust it."
        ))
    }
}

const UNTRUSTED: &str = "you have not trusted it";

/// Whether an offline reason is [`key_may_go_to`]'s refusal (the key is there, the host is not trusted).
pub fn is_untrusted_host(why: &str) -> bool {
    why.contains(UNTRUSTED)
}

/// `resolved` as it may go: the service only where [`key_may_go_to`] agrees, else the embedded simulator
/// with the reason.
pub fn with_consent(resolved: Resolved, data_dir: &Path) -> Resolved {
    match resolved {
        Resolved::Service { base, key } => match key_may_go_to(data_dir, &base) {
            Ok(()) => Resolved::Service { base, key },
            Err(why) => Resolved::Offline {
                sim: Box::default(),
                why,
            },
        },
        offline => offline,
    }
}

fn no_key(keyring_problem: Option<KeyringError>) -> String {
    match keyring_problem {
        Some(problem) => format!("no TTAPI key: TTAPI_API_KEY is unset and {problem}"),
        None => "no TTAPI key: TTAPI_API_KEY is unset and the OS keyring has none".to_owned(),
    }
}

/// A running connection: the client, what its jobs are labelled with, and the simulator it talks to when
/// offline (kept alive for as long as the engine runs).
pub(crate) struct Connected {
    pub client: TtapiClient,
    pub label: String,
    /// Set offline: which embedded simulator ran a job (another process's simulator cannot continue it).
    pub instance: Option<String>,
    pub offline: Option<String>,
    pub simulator: Option<Simulator>,
}

/// Starts the simulator when offline and builds the client, whose requests give up after
/// `request_timeout`. The error is said as the window shows it.
pub(crate) async fn connect(
    resolved: Resolved,
    request_timeout: std::time::Duration,
) -> Result<Connected, String> {
    let (base, key, label, instance, offline, simulator) = match resolved {
        Resolved::Service { base, key } => {
            let label = base.to_string();
            (base, key, label, None, None, None)
        }
        Resolved::Offline { sim, why } => {
            let sim = Simulator::start(*sim)
                .await
                .map_err(|e| format!("could not start the embedded simulator: {e}"))?;
            let key = ApiKey::new("offline-simulator").expect("a non-empty literal is a valid key");
            let instance = format!("sim-{}", uuid::Uuid::new_v4().simple());
            (
                sim.base_url(),
                key,
                SIMULATOR_BACKEND.to_owned(),
                Some(instance),
                Some(why),
                Some(sim),
            )
        }
    };
    // The client gives up on a request when a job's claim stops covering it (`Timing::request_timeout`).
    let options = ClientOptions {
        request_timeout,
        ..ClientOptions::default()
    };
    let client = TtapiClient::with_options(base, key, options).map_err(|e| e.to_string())?;
    Ok(Connected {
        client,
        label,
        instance,
        offline,
        simulator,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detect_uses_a_stored_key_and_goes_offline_without_one_saying_why() {
        // A key in the environment wins over the keyring; this test is about the keyring.
        if std::env::var_os("TTAPI_API_KEY").is_some() {
            return;
        }
        let base = BaseUrl::parse("https://api.ttapi.io").unwrap();
        let keys = KeyStore::in_store(keyring_core::mock::Store::new().unwrap());
        match resolve(Backend::Detect { base: base.clone() }, &keys) {
            Resolved::Offline { why, .. } => assert_eq!(
                why,
                "no TTAPI key: TTAPI_API_KEY is unset and the OS keyring has none"
            ),
            other => panic!("{other:?}"),
        }
        keys.save(&ApiKey::new("sk-stored").unwrap()).unwrap();
        match resolve(Backend::Detect { base: base.clone() }, &keys) {
            Resolved::Service { base: to, key } => {
                assert_eq!((to, key.expose()), (base, "sk-stored"));
            }
            other => panic!("{other:?}"),
        }
    }
}
