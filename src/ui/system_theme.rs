//! The desktop's light or dark preference on Linux, where winit reports none under X11 or Wayland: the XDG
//! desktop portal's `org.freedesktop.appearance` `color-scheme` (1 prefers dark, 2 prefers light, 0 says
//! nothing). Asked once, off the UI thread; with no portal, or no preference, the theme stays dark.

use std::time::Duration;

use egui::Theme;
use zbus::zvariant::{OwnedValue, Value};

const PORTAL: &str = "org.freedesktop.portal.Desktop";
const PATH: &str = "/org/freedesktop/portal/desktop";
const SETTINGS: &str = "org.freedesktop.portal.Settings";
/// A desktop without a portal must not hold the answer up for long (D-Bus activation can take a moment).
const PATIENCE: Duration = Duration::from_secs(3);

/// The portal's preference on the session bus (`address` for tests; the user's session when `None`).
/// Blocking: call it off the UI thread.
pub fn portal_preference(address: Option<&str>) -> Option<Theme> {
    let builder = match address {
        Some(address) => zbus::blocking::connection::Builder::address(address).ok()?,
        None => zbus::blocking::connection::Builder::session().ok()?,
    };
    let connection = builder.method_timeout(PATIENCE).build().ok()?;
    let reply = connection
        .call_method(
            Some(PORTAL),
            PATH,
            Some(SETTINGS),
            "Read",
            &("org.freedesktop.appearance", "color-scheme"),
        )
        .ok()?;
    let value: OwnedValue = reply.body().deserialize().ok()?;
    scheme(&value)
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

    #[test]
    fn the_preference_is_read_from_the_portal_on_the_session_bus() {
        let bus = private_bus();
        assert_eq!(
            portal_preference(Some(&bus.address)),
            None,
            "no portal on the bus: no preference"
        );
        let _portal = zbus::blocking::connection::Builder::address(bus.address.as_str())
            .unwrap()
            .name(PORTAL)
            .unwrap()
            .serve_at(PATH, FakePortal { color_scheme: 2 })
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(portal_preference(Some(&bus.address)), Some(Theme::Light));
    }

    #[test]
    fn no_bus_at_the_address_means_no_preference() {
        let dir = tempfile::tempdir().unwrap();
        let address = format!("unix:path={}", dir.path().join("no-bus").display());
        assert_eq!(portal_preference(Some(&address)), None);
    }
}
