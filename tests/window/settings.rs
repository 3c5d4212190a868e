//! Settings: the key in the OS keyring, and consent before the key goes to a host outside TTAPI.

use std::sync::Arc;

use egui_kittest::kittest::{NodeT, Queryable};
use moodgrid::secrets::KeyStore;
use moodgrid::settings::Settings;
use moodgrid::sim::{SimConfig, Simulator};

use super::harness::*;

/// The Settings window relayouts when the engine's answers arrive, so its buttons are pressed through
/// their accessibility action rather than at a screen position that may have just moved.
#[test]
fn settings_store_a_key_in_the_keyring_and_connect_with_it() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    const KEY: &str = "sk-window-test-0123456789";
    let service = runtime
        .block_on(Simulator::start(SimConfig {
            api_key: Some(KEY.into()),
            ..SimConfig::fast()
        }))
        .unwrap();
    let host = service.base_url().to_string();
    let data = tempfile::tempdir().unwrap();
    let store = keyring_core::mock::Store::new().unwrap();
    let keys = Arc::new(KeyStore::in_store(store.clone()));
    let mut harness = open_with(data.path(), keys, SimConfig::fast());
    frames_until(&mut harness, "the banner", |h| shows(h, "Offline demo"));

    harness.get_by_label("Settings").click_accesskit();
    frames_until(&mut harness, "the key status", |h| {
        shows(h, "No key stored")
    });
    harness.get_by_label("Custom").click_accesskit();
    harness.step();
    type_into(&mut harness, "Host", &host);
    harness.get_by_label("Apply host").click_accesskit();
    type_into(&mut harness, "API key", KEY);
    // Key operations wait for the restarted engine.
    frames_until(&mut harness, "the restart on the new host", |h| {
        enabled(h, "Save key")
    });
    assert!(
        !shows(&harness, KEY),
        "the key field is masked: the key is not shown"
    );
    harness.get_by_label("Save key").click_accesskit();
    frames_until(&mut harness, "the connection with the stored key", |h| {
        shows(h, &format!("Connected to {host}")) && shows(h, "Balance:")
    });
    assert!(!shows(&harness, "Offline demo"));
    assert!(shows(&harness, "Stored in the OS keyring: ••••••••6789"));
    assert_eq!(
        KeyStore::in_store(store.clone())
            .load()
            .unwrap()
            .unwrap()
            .expose(),
        KEY
    );
    assert_eq!(Settings::load(data.path()).unwrap().base_url, host);

    // Jobs now go to the keyed service.
    harness.key_press(egui::Key::Escape);
    harness.step();
    imagine(&mut harness, "a keyed request");
    frames_until(&mut harness, "the job on the service", |h| enabled(h, "U1"));
    assert_eq!(service.accepted_submissions(), 1);

    // The key is nowhere in the data directory: not in settings, not in the journal.
    for entry in walkdir::WalkDir::new(data.path()) {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        let bytes = std::fs::read(entry.path()).unwrap();
        assert!(
            !bytes.windows(KEY.len()).any(|w| w == KEY.as_bytes()),
            "{} contains the key",
            entry.path().display()
        );
    }

    harness.get_by_label("Settings").click_accesskit();
    frames_until(&mut harness, "Remove key enabled", |h| {
        enabled(h, "Remove key")
    });
    harness.get_by_label("Remove key").click_accesskit();
    frames_until(&mut harness, "the offline banner again", |h| {
        shows(h, "Offline demo")
    });
    assert_eq!(KeyStore::in_store(store).load().unwrap(), None);
}

/// A host outside TTAPI gets the key only after the user says so, once; Cancel changes nothing.
#[test]
fn a_custom_host_outside_ttapi_needs_consent_before_the_key_goes_there() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = open(data.path());
    frames_until(&mut harness, "the banner", |h| shows(h, "Offline demo"));
    harness.get_by_label("Settings").click_accesskit();
    frames_until(&mut harness, "the settings", |h| shows(h, "No key stored"));
    harness.get_by_label("Custom").click_accesskit();
    harness.step();
    type_into(&mut harness, "Host", "https://proxy.example.com");
    harness.get_by_label("Apply host").click_accesskit();
    frames_until(&mut harness, "the question", |h| {
        shows(h, "https://proxy.example.com is not one of TTAPI's hosts")
    });
    harness.get_by_label("Cancel").click_accesskit();
    frames_until(&mut harness, "the question gone", |h| {
        !shows(h, "Trust this host and connect")
    });
    let settings = Settings::load(data.path()).unwrap();
    assert_eq!(settings.base_url, moodgrid::api::DEFAULT_BASE_URL);
    assert!(settings.trusted_hosts.is_empty());

    harness.get_by_label("Apply host").click_accesskit();
    frames_until(&mut harness, "the question again", |h| {
        shows(h, "Trust this host and connect")
    });
    harness
        .get_by_label("Trust this host and connect")
        .click_accesskit();
    frames_until(&mut harness, "the consent saved", |_| {
        Settings::load(data.path()).is_ok_and(|s| s.base_url == "https://proxy.example.com")
    });
    assert_eq!(
        Settings::load(data.path()).unwrap().trusted_hosts,
        ["https://proxy.example.com"]
    );
}

/// Every button that could carry the key, pressed while the host in settings.json is one the user never
/// trusted: no connection reaches that host. Trusted, the same Check key does reach it (so the listener
/// would have seen one), and once trust is withdrawn it no longer does.
#[test]
fn no_button_sends_the_key_to_a_host_the_user_has_not_trusted() {
    use moodgrid::api::{ApiKey, BaseUrl};
    use moodgrid::engine::{Backend, Timing};
    // This machine under a name that is not loopback's: a host like any other to the consent check.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let host = format!(
        "https://[::ffff:127.0.0.1]:{}",
        listener.local_addr().unwrap().port()
    );
    let base = BaseUrl::parse(&host).unwrap();
    assert!(base.needs_consent());
    let reached = std::cell::Cell::new(0);
    // Accepted connections are dropped at once: a request there fails fast.
    let count = || {
        reached.set(reached.get() + std::iter::from_fn(|| listener.accept().ok()).count());
        reached.get()
    };
    let data = tempfile::tempdir().unwrap();
    let settings = Settings {
        base_url: host.clone(),
        ..Settings::default()
    };
    settings.save(data.path()).unwrap();
    let keys = mock_keys();
    keys.save(&ApiKey::new("sk-stored-0123456789").unwrap())
        .unwrap();
    let mut harness = open_on(
        data.path(),
        keys,
        Backend::Detect { base: base.clone() },
        settings,
        Timing::scaled(std::time::Duration::from_millis(30)),
    );
    frames_until(&mut harness, "the engine offline, saying why", |h| {
        shows(h, "the host is not trusted with your key")
    });
    harness.get_by_label("Settings").click_accesskit();
    frames_until(&mut harness, "the stored key and the reason", |h| {
        shows(h, "Stored in the OS keyring") && shows(h, "you have not trusted it")
    });

    type_into(&mut harness, "API key", "sk-typed-0123456789");
    harness.get_by_label("Check key").click_accesskit();
    frames_until(&mut harness, "Check key refused", |h| {
        shows(h, "your key was not sent")
    });
    harness.get_by_label("Replace key").click_accesskit();
    frames_until(&mut harness, "Save key done, the engine restarted", |h| {
        shows(h, "Key stored in the OS keyring") && enabled(h, "Remove key")
    });
    assert!(shows(&harness, "Offline demo"), "still offline");
    harness.get_by_label("Remove key").click_accesskit();
    frames_until(&mut harness, "Remove key done, the engine restarted", |h| {
        shows(h, "Key removed from the OS keyring") && shows(h, "No key stored")
    });
    assert!(
        !enabled(&harness, "Check account"),
        "no balance to refresh offline"
    );
    // The Account window's Refresh asks the engine it has: offline, the simulator on this machine.
    harness.key_press(egui::Key::Escape);
    harness.get_by_label("Account").click_accesskit();
    frames_until(&mut harness, "the Account window", |h| {
        enabled(h, "Refresh")
    });
    harness.get_by_label("Refresh").click_accesskit();
    frames_until(&mut harness, "the simulator's figures", |h| {
        shows(h, "100000 quota") && shows(h, "the built-in simulator's figures")
    });
    harness.get_by_label("Close window").click_accesskit();
    frames_until(&mut harness, "the Account window closed", |h| {
        h.query_by_label("Close window").is_none()
    });
    harness.get_by_label("Settings").click_accesskit();
    frames_until(&mut harness, "Settings again", |h| {
        shows(h, "No key stored")
    });
    settle(&mut harness);
    assert_eq!(count(), 0, "nothing reached the untrusted host");

    // Trusted in Settings, the same button reaches the host ...
    type_into(&mut harness, "Host", "/");
    harness.get_by_label("Apply host").click_accesskit();
    frames_until(&mut harness, "the question", |h| {
        shows(h, "Trust this host and connect")
    });
    harness
        .get_by_label("Trust this host and connect")
        .click_accesskit();
    frames_until(&mut harness, "the trusted host listed", |h| {
        enabled(h, "Withdraw")
    });
    type_into(&mut harness, "API key", "sk-typed-0123456789");
    frames_until(&mut harness, "the engine back", |h| enabled(h, "Check key"));
    harness.get_by_label("Check key").click_accesskit();
    frames_until(&mut harness, "a connection to the trusted host", |_| {
        count() > 0
    });
    // ... and once trust is withdrawn in Settings, it no longer does.
    harness.get_by_label("Withdraw").click_accesskit();
    frames_until(&mut harness, "trust withdrawn and saved", |h| {
        !shows(h, "Trusted with your key")
            && Settings::load(data.path()).is_ok_and(|s| s.trusted_hosts.is_empty())
    });
    type_into(&mut harness, "API key", "sk-typed-0123456789");
    frames_until(&mut harness, "the engine back", |h| enabled(h, "Check key"));
    let before = count();
    harness.get_by_label("Check key").click_accesskit();
    frames_until(&mut harness, "Check key refused again", |h| {
        shows(h, "your key was not sent")
    });
    settle(&mut harness);
    assert_eq!(count(), before, "nothing more reached it");
}

/// Light, dark or the system's: chosen in Settings, shown at once, kept in settings.json.
#[test]
fn the_theme_chosen_in_settings_shows_at_once_and_is_saved() {
    use moodgrid::settings::ThemeChoice;
    let data = tempfile::tempdir().unwrap();
    let mut harness = open(data.path());
    frames_until(&mut harness, "the engine", |h| shows(h, "Offline demo"));
    assert_eq!(
        harness.ctx.theme(),
        egui::Theme::Dark,
        "where the system says nothing, dark"
    );
    harness.get_by_label("Settings").click_accesskit();
    frames_until(&mut harness, "Settings", |h| shows(h, "Follow the system"));
    harness.get_by_label("Light").click_accesskit();
    frames_until(&mut harness, "the light theme", |h| {
        h.ctx.theme() == egui::Theme::Light
    });
    frames_until(&mut harness, "the choice saved", |_| {
        Settings::load(data.path()).unwrap().theme == ThemeChoice::Light
    });
}

#[test]
fn settings_say_how_much_disk_the_library_takes() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = with_grid(data.path(), "a measured harbour");
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Comma);
    frames_until(&mut harness, "the library's size", |h| {
        shows(h, "MB images") && !shows(h, "Measuring…")
    });
    let usage = harness
        .query_all_by_label_contains("MB images")
        .next()
        .and_then(|node| {
            let node = node.accesskit_node();
            node.label().or_else(|| node.value())
        })
        .unwrap_or_default();
    assert!(
        !usage.starts_with("0.0 MB images"),
        "a grid and its four images take room: {usage}"
    );
}
