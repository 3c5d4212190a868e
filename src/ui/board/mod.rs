//! Moodboards: the panel (the list of boards, the board view, and the entry points other folders call),
//! its toolbar, how images arrive on a board (`arrivals`), the canvas (pan, zoom, select, move, scale,
//! rotate, crop, draw) and the state they share, saved at every edit. Uses `kit`, `runtime`,
//! `sources::inputs` (selected images sent to Blend or Describe) and `studio::parameters::ReferenceUse`
//! (selected images sent as references).
//!
//! Where a change goes:
//! - what a board holds or does (items, arranging, undo): `domain::board`; stored by
//!   `src/library/boards.rs`; rendered to a PNG by `imaging::board_render`.
//! - a gesture (pan, zoom, select, handles, crop, drops): `canvas.rs`.
//! - the board view and its keys, and the entry points other folders call (`drag_source`, `DraggedJobs`):
//!   `panel.rs`; the boards read, made and imported: `library.rs`.
//! - the toolbar's two rows and the delete question: `toolbar.rs`.
//! - how images arrive ("Add to board", drags from the feed or the gallery, files): `arrivals.rs`.
//! - the state they share: `state.rs`, where every edit goes through `apply`, which saves the board
//!   (`Command::SaveBoard`).

mod arrivals;
pub(in crate::ui) mod canvas;
mod library;
pub(in crate::ui) mod panel;
pub(in crate::ui) mod state;
mod toolbar;
