//! The desktop's light or dark preference on Linux, where winit reports none under X11 or Wayland: the XDG
//! desktop portal's `org.freedesktop.appearance` `color-scheme` (1 prefers dark, 2 prefers light, 0 says
//! nothing). Followed off the UI thread: read at start, then each `SettingChanged` the portal signals, so
//! switching the desktop to light or dark switches an open window. With no portal the theme stays dark.

use std::time::Duration;

use egui::Theme;
use zbus::zvariant::{OwnedValue, Value};

const PORTAL: &str = "org.freedesktop.portal.Desktop";
const PATH: &str = "/org/freedesktop/portal/desktop";
const SETTINGS: &str = "org.freedesktop.portal.Settings";
/// A desktop without a portal must not hold the answer up for long (D-Bus activation can take a moment).
const PATIENCE: Duration = Duration::from_secs(3);

/// The session bus (`address` for tests; the user's session when `None`).
fn connect(address: Option<&str>) -> Option<zbus::blocking::Connection> {
    let builder = match address {
        Some(address) => zbus::blocking::connection::Builder::address(address).ok()?,
        None => zbus::blocking::connection::Builder::session().ok()?,
    };
    builder.method_timeout(PATIENCE).build().ok()
}

/// The preference now; an error when no portal answers.
fn read(connection: &zbus::blocking::Connection) -> zbus::Result<Option<Theme>> {
    let reply = connection.call_method(
        Some(PORTAL),
        PATH,
        Some(SETTINGS),
        "Read",
        &("org.freedesktop.appearance", "color-scheme"),
    )?;
    let value: OwnedValue = reply.body().deserialize()?;
    Ok(scheme(&value))
}

/// Tells `tell` the portal's preference now, then after every change of it, until `tell` answers `false` (the
/// window has gone) or the bus closes. A change to "no preference" is dark, the default. Blocking for as
/// long as it follows: run it on a thread of its own.
pub fn follow_portal(address: Option<&str>, mut tell: impl FnMut(Theme) -> bool) {
    let Some(connection) = connect(address) else {
        return;
    };
    // Listening starts before the first read, so a change between the two is not missed.
    let Ok(rule) = zbus::MatchRule::builder()
        .msg_type(zbus::message::Type::Signal)
        .path(PATH)
        .and_then(|rule| rule.interface(SETTINGS))
        .and_then(|rule| rule.member("SettingChanged"))
        .map(|rule| rule.build())
    else {
        return;
    };
    let Ok(changes) = zbus::blocking::MessageIterator::for_match_rule(rule, &connection, Some(8))
    else {
        return;
    };
    // No portal answering (a bare window manager): nothing will ever change, so stop here.
    let Ok(now) = read(&connection) else {
        return;
    };
    if let Some(theme) = now
        && !tell(theme)
    {
        return;
    }
    for message in changes {
        let Ok(message) = message else {
            return;
        };
        let Ok((namespace, key, value)) =
            message.body().deserialize::<(String, String, OwnedValue)>()
        else {
            continue;
        };
        if (namespace.as_str(), key.as_str()) == ("org.freedesktop.appearance", "color-scheme")
            && !tell(scheme(&value).unwrap_or(Theme::Dark))
        {
            return;
        }
    }
}

/// `Read` answers a variant holding the value (portals before version 2 wrap it in a second variant).
fn scheme(value: &Value<'_>) -> Option<Theme> {
    match value {
        Value::Value(inner) => scheme(inner),
        Value::U32(1) => Some(Theme::Dark),
        Value::U32(2) => Some(Theme::Light),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_portal_values_and_their_wrappings_are_read() {
        let wrapped = |v: u32| Value::Value(Box::new(Value::U32(v)));
        assert_eq!(scheme(&Value::U32(1)), Some(Theme::Dark));
        assert_eq!(scheme(&Value::U32(2)), Some(Theme::Light));
        assert_eq!(scheme(&wrapped(1)), Some(Theme::Dark));
        assert_eq!(
            scheme(&Value::Value(Box::new(wrapped(2)))),
            Some(Theme::Light)
        );
        assert_eq!(scheme(&Value::U32(0)), None, "no preference");
        assert_eq!(scheme(&Value::Str("dark".into())), None);
    }

    /// A D-Bus daemon of its own (no service activation, so no real portal can answer), stopped on drop.
    struct PrivateBus {
        daemon: std::process::Child,
        address: String,
        _dir: tempfile::TempDir,
    }

    impl Drop for PrivateBus {
        fn drop(&mut self) {
            let _ = self.daemon.kill();
            let _ = self.daemon.wait();
        }
    }

    fn private_bus() -> PrivateBus {
        use std::io::BufRead as _;
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("bus.conf");
        std::fs::write(
            &config,
            format!(
                r#"<busconfig><type>session</type><listen>unix:dir={}</listen><auth>EXTERNAL</auth>
                <policy context="default"><allow send_destination="*" eavesdrop="true"/>
                <allow eavesdrop="true"/><allow own="*"/></policy></busconfig>"#,
                dir.path().display()
            ),
        )
        .unwrap();
        let mut daemon = std::process::Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--print-address=1"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("dbus-daemon, from the `dbus` package (scripts/test-all installs it)");
        let mut address = String::new();
        std::io::BufReader::new(daemon.stdout.take().unwrap())
            .read_line(&mut address)
            .unwrap();
        PrivateBus {
            daemon,
            address: address.trim().to_owned(),
            _dir: dir,
        }
    }

    /// The portal's Settings interface as xdg-desktop-portal serves it: `Read` answers a variant in a variant.
    struct FakePortal {
        color_scheme: u32,
    }

    #[zbus::interface(name = "org.freedesktop.portal.Settings")]
    impl FakePortal {
        fn read(&self, namespace: &str, key: &str) -> zbus::fdo::Result<OwnedValue> {
            if (namespace, key) != ("org.freedesktop.appearance", "color-scheme") {
                return Err(zbus::fdo::Error::Failed("no such setting".into()));
            }
            OwnedValue::try_from(Value::Value(Box::new(Value::U32(self.color_scheme))))
                .map_err(|e| zbus::fdo::Error::Failed(e.to_string()))
        }
    }

    /// What a follower was told, as it arrives.
    fn follow(
        address: &str,
    ) -> (
        std::sync::mpsc::Receiver<Theme>,
        std::thread::JoinHandle<()>,
    ) {
        let (told, heard) = std::sync::mpsc::channel();
        let address = address.to_owned();
        let follower = std::thread::spawn(move || {
            follow_portal(Some(&address), |theme| told.send(theme).is_ok());
        });
        (heard, follower)
    }

    #[test]
    fn the_preference_is_read_then_followed_as_the_desktop_switches() {
        let bus = private_bus();
        let (heard, follower) = follow(&bus.address);
        assert!(
            follower.join().is_ok() && heard.try_recv().is_err(),
            "no portal on the bus: nothing said, and the follower ends at once"
        );
        let portal = zbus::blocking::connection::Builder::address(bus.address.as_str())
            .unwrap()
            .name(PORTAL)
            .unwrap()
            .serve_at(PATH, FakePortal { color_scheme: 2 })
            .unwrap()
            .build()
            .unwrap();
        let (heard, follower) = follow(&bus.address);
        let next = || heard.recv_timeout(Duration::from_secs(10)).unwrap();
        assert_eq!(next(), Theme::Light, "the preference at start");
        let changed = |key: &str, value: u32| {
            portal
                .emit_signal(
                    None::<&str>,
                    PATH,
                    SETTINGS,
                    "SettingChanged",
                    &("org.freedesktop.appearance", key, Value::U32(value)),
                )
                .unwrap();
        };
        let switch = |value: u32| changed("color-scheme", value);
        // Another setting changing says nothing about the theme.
        changed("accent-color", 1);
        switch(1);
        assert_eq!(next(), Theme::Dark);
        switch(2);
        assert_eq!(next(), Theme::Light);
        switch(0);
        assert_eq!(next(), Theme::Dark, "no preference is dark");
        drop(heard);
        switch(2);
        assert!(
            follower.join().is_ok(),
            "once the window has gone, the next change ends the follower"
        );
    }

    #[test]
    fn no_bus_at_the_address_means_no_preference() {
        let dir = tempfile::tempdir().unwrap();
        let address = format!("unix:path={}", dir.path().join("no-bus").display());
        let (heard, follower) = follow(&address);
        assert!(follower.join().is_ok());
        assert!(heard.try_recv().is_err());
    }
}
