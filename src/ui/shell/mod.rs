//! The shell: the app that lays the panels out each frame and carries out the [`Intent`]s they ask of one
//! another, the native window around it, the top bar (navigation), the Settings and shortcuts dialogs and the
//! toasts. It may use every other folder; no other folder uses it except for `toasts` and `Intent`.
//!
//! [`Intent`]: intents::Intent

pub(in crate::ui) mod app;
pub(in crate::ui) mod native;
pub(in crate::ui) mod navigation;
pub(in crate::ui) mod settings;
pub(in crate::ui) mod shortcuts;
pub(in crate::ui) mod toasts;
