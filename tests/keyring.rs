//! Moodgrid's own key storage against a real Secret Service. Needs a session bus with an unlocked keyring,
//! so it is ignored by default and run by `scripts/test-all` as
//! `scripts/with-secret-service cargo test --test keyring -- --ignored`.

#![allow(clippy::unwrap_used)]

use moodgrid::api::ApiKey;
use moodgrid::secrets::{KeySource, KeyStore, find_key};

#[test]
#[ignore = "needs a Secret Service: run through scripts/with-secret-service"]
fn the_key_is_set_read_replaced_and_deleted_in_the_real_keyring() {
    let store = KeyStore::platform();
    store.remove().unwrap();
    assert_eq!(store.load().unwrap(), None, "a fresh keyring holds no key");

    store
        .save(&ApiKey::new("tt-first-key-0001").unwrap())
        .unwrap();
    assert_eq!(store.load().unwrap().unwrap().expose(), "tt-first-key-0001");
    // A second handle (as the next start of the app would make) sees the same key.
    assert_eq!(
        KeyStore::platform().load().unwrap().unwrap().expose(),
        "tt-first-key-0001"
    );

    store
        .save(&ApiKey::new("tt-second-key-0002").unwrap())
        .unwrap();
    assert_eq!(
        store.load().unwrap().unwrap().expose(),
        "tt-second-key-0002"
    );
    let (found, problem) = find_key(&store);
    assert!(problem.is_none());
    let (key, source) = found.unwrap();
    assert_eq!(
        (key.expose(), source),
        ("tt-second-key-0002", KeySource::Keyring)
    );

    assert!(store.remove().unwrap());
    assert_eq!(store.load().unwrap(), None);
    assert!(!store.remove().unwrap());
}
