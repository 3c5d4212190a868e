//! Moodboards: the panel (the list of boards, the board view, and the entry points other folders call),
//! its toolbar, how images arrive on a board (`arrivals`), the canvas (pan, zoom, select, move, scale,
//! rotate, crop, draw) and the state they share, saved at every edit. Uses `kit`, `runtime` and `sources`.

mod arrivals;
pub(in crate::ui) mod canvas;
mod library;
pub(in crate::ui) mod panel;
pub(in crate::ui) mod state;
mod toolbar;
