//! The shell: the app that lays the panels out each frame, carries out the `Intent`s they ask of one
//! another and reads the window-wide keys; the native window around it; the top bar (navigation); the
//! Settings and keyboard-shortcuts dialogs. It uses `kit`, `runtime` and every feature folder but `review`
//! (the gallery draws it) and `paint` (the mask editor's); no other folder uses it.
//!
//! Where a change goes:
//! - the frame's order: `MoodgridApp::show` in `app.rs`; the engine's events are taken in
//!   `MoodgridApp::logic`, which eframe calls even while the window is hidden.
//! - what an `Intent` does: `MoodgridApp::carry_out` in `app.rs` (the variant: `runtime/intents.rs`); a
//!   move (`Show`, `Select`) is done at once by `Services::carry_out_moves`, called after the top bar.
//! - a window-wide key: `handle_keys` in `app.rs`; any new shortcut also gets its row in `shortcuts.rs`
//!   and in the README's key table (a panel's own keys are read in its panel).
//! - files dropped or pasted on the window: `take_dropped_and_pasted` and `add_sources` in `app.rs`.
//! - what the window remembers between runs: `Remembered` in `app.rs`, saved by `Shell::save` in
//!   `native.rs`, which also starts eframe.
//! - the view tabs, the Help menu, the offline banner: `navigation.rs`.
//! - a preference: `src/settings.rs`, then its control in `settings.rs` here (the key, the host and its
//!   consent, Check key).

pub(in crate::ui) mod app;
pub(in crate::ui) mod native;
pub(in crate::ui) mod navigation;
pub(in crate::ui) mod settings;
pub(in crate::ui) mod shortcuts;
