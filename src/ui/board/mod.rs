//! Moodboards: the panel (the list of boards, the toolbar, images arriving), the canvas (pan, zoom, select,
//! move, scale, rotate, crop, draw) and the state both share, saved at every edit. Uses `kit`, `runtime`
//! and `sources`.

pub(in crate::ui) mod canvas;
pub(in crate::ui) mod panel;
pub(in crate::ui) mod state;
