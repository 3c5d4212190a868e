//! Where the TTAPI key comes from: the `TTAPI_API_KEY` environment variable, else the OS keyring entry
//! (service `moodgrid`, user `ttapi-api-key`) that the window manages. The key is never written anywhere
//! else, and nothing here logs it.

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
}

/// The key from the environment, if set and not blank.
pub fn key_from_env() -> Option<ApiKey> {
    std::env::var(ENV_VAR).ok().and_then(ApiKey::new)
}

/// The key stored in the OS keyring, if any.
pub fn key_from_keyring() -> Result<Option<ApiKey>, KeyringError> {
    let entry = keyring::Entry::new(KEYRING_SERVICE, KEYRING_USER)
        .map_err(|e| KeyringError::Unavailable(e.to_string()))?;
    match entry.get_password() {
        Ok(password) => Ok(ApiKey::new(password)),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(KeyringError::Unavailable(e.to_string())),
    }
}

/// The environment wins (explicit beats stored); a keyring that cannot be reached counts as no key, with
/// the reason returned so the caller can say why.
pub fn find_key() -> (Option<(ApiKey, KeySource)>, Option<KeyringError>) {
    if let Some(key) = key_from_env() {
        return (Some((key, KeySource::Environment)), None);
    }
    match key_from_keyring() {
        Ok(found) => (found.map(|k| (k, KeySource::Keyring)), None),
        Err(e) => (None, Some(e)),
    }
}
