//! Where the TTAPI key comes from: the `TTAPI_API_KEY` environment variable, else the OS keyring entry
//! (service `moodgrid`, user `ttapi-api-key`) that the window manages. The key is never written anywhere
//! else, and nothing here logs it.

use std::sync::Arc;

use crate::api::ApiKey;

pub const ENV_VAR: &str = "TTAPI_API_KEY";
pub const KEYRING_SERVICE: &str = "moodgrid";
pub const KEYRING_USER: &str = "ttapi-api-key";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    Environment,
    Keyring,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    /// No Secret Service (or platform store) answered: no keyring daemon, no session bus, locked…
    #[error("the OS keyring is not available ({0}); set TTAPI_API_KEY instead")]
    Unavailable(String),
    /// The keyring answered but refused the operation.
    #[error("the OS keyring refused: {0}")]
    Refused(String),
}

impl From<keyring_core::Error> for KeyringError {
    fn from(error: keyring_core::Error) -> KeyringError {
        use keyring_core::Error as E;
        // The store's own text may quote the service and user names, never the secret.
        match error {
            E::NoDefaultStore | E::NoStorageAccess(_) | E::PlatformFailure(_) => {
                KeyringError::Unavailable(error.to_string())
            }
            other => KeyringError::Refused(other.to_string()),
        }
    }
}

/// The one keyring entry that holds the TTAPI key: in the desktop's keyring, or in any keyring-core store
/// (tests use the mock store).
pub struct KeyStore {
    store: Option<Arc<keyring_core::CredentialStore>>,
}

impl std::fmt::Debug for KeyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.store {
            Some(_) => "KeyStore(custom store)",
            None => "KeyStore(platform keyring)",
        })
    }
}

impl KeyStore {
    /// The platform's keyring: Secret Service on Linux, Keychain on macOS, Credential Manager on Windows.
    pub fn platform() -> KeyStore {
        KeyStore { store: None }
    }

    pub fn in_store(store: Arc<keyring_core::CredentialStore>) -> KeyStore {
        KeyStore { store: Some(store) }
    }

    fn entry(&self) -> Result<keyring_core::Entry, KeyringError> {
        Ok(match &self.store {
            Some(store) => keyring_core::Entry::new_in_store(store, KEYRING_SERVICE, KEYRING_USER)?,
            None => {
                // The platform store is set up once per process; its own error says why it failed (no
                // session bus, no Secret Service…), where `Entry::new` would only say "no default store".
                if let Err(e) = keyring::Entry::store_status() {
                    return Err(KeyringError::Unavailable(e.to_string()));
                }
                keyring::Entry::new(KEYRING_SERVICE, KEYRING_USER)?.inner
            }
        })
    }

    /// The stored key, if any.
    pub fn load(&self) -> Result<Option<ApiKey>, KeyringError> {
        match self.entry()?.get_password() {
            Ok(password) => Ok(ApiKey::new(password)),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Stores the key, replacing any earlier one.
    pub fn save(&self, key: &ApiKey) -> Result<(), KeyringError> {
        Ok(self.entry()?.set_password(key.expose())?)
    }

    /// Removes the stored key; `false` if there was none.
    pub fn remove(&self) -> Result<bool, KeyringError> {
        match self.entry()?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring_core::Error::NoEntry) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
}

/// The key from the environment, if set and not blank.
pub fn key_from_env() -> Option<ApiKey> {
    std::env::var(ENV_VAR).ok().and_then(ApiKey::new)
}

/// The environment wins (explicit beats stored); a keyring that cannot be reached counts as no key, with
/// the reason returned so the caller can say why.
pub fn find_key(keyring: &KeyStore) -> (Option<(ApiKey, KeySource)>, Option<KeyringError>) {
    if let Some(key) = key_from_env() {
        return (Some((key, KeySource::Environment)), None);
    }
    match keyring.load() {
        Ok(found) => (found.map(|k| (k, KeySource::Keyring)), None),
        Err(e) => (None, Some(e)),
    }
}

/// What the Settings panel shows about the key: which one is in use (masked) and whether the keyring works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyStatus {
    pub in_use: Option<(KeySource, String)>,
    /// Set when the keyring could not be read; the text explains the `TTAPI_API_KEY` alternative.
    pub keyring_problem: Option<String>,
}

pub fn key_status(keyring: &KeyStore) -> KeyStatus {
    let (found, problem) = find_key(keyring);
    KeyStatus {
        in_use: found.map(|(key, source)| (source, key.masked())),
        keyring_problem: problem.map(|e| e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mock() -> KeyStore {
        KeyStore::in_store(keyring_core::mock::Store::new().unwrap())
    }

    #[test]
    fn a_key_is_set_read_back_replaced_and_removed() {
        let store = mock();
        assert_eq!(store.load().unwrap(), None);
        store.save(&ApiKey::new("first-key").unwrap()).unwrap();
        assert_eq!(store.load().unwrap().unwrap().expose(), "first-key");
        store.save(&ApiKey::new("second-key").unwrap()).unwrap();
        assert_eq!(store.load().unwrap().unwrap().expose(), "second-key");
        assert!(store.remove().unwrap());
        assert_eq!(store.load().unwrap(), None);
        assert!(!store.remove().unwrap(), "removing twice is not an error");
    }

    #[test]
    fn keyring_failures_say_what_to_do_and_never_show_the_key() {
        let unavailable: KeyringError = keyring_core::Error::NoDefaultStore.into();
        assert!(matches!(unavailable, KeyringError::Unavailable(_)));
        assert!(
            unavailable
                .to_string()
                .contains("set TTAPI_API_KEY instead")
        );
        let refused: KeyringError = keyring_core::Error::TooLong("password".into(), 10).into();
        assert!(matches!(refused, KeyringError::Refused(_)));
    }
}
