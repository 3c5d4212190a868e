//! The shell: the app that lays the panels out each frame, carries out the `Intent`s they ask of one
//! another and reads the window-wide keys; the native window around it; the top bar (navigation); the
//! Settings and keyboard-shortcuts dialogs. It may use every other folder; no other folder uses it.

pub(in crate::ui) mod app;
pub(in crate::ui) mod native;
pub(in crate::ui) mod navigation;
pub(in crate::ui) mod settings;
pub(in crate::ui) mod shortcuts;
