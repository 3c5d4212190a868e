//! Looking closely at gallery picks over the whole window: compare (two to four side by side) and culling
//! (one at a time, rated as they go), sharing a zoomable picture pane. Uses `kit`, `runtime` and `job`
//! (`verdict`, and the zoom range of `view`).
//!
//! Where a change goes:
//! - compare, its drawing and keys (1–4, A/B, the focused pane's flag): `compare.rs`.
//! - culling, its drawing and Lightroom's keys: `culling.rs`.
//! - the zoomable picture they share: `image_pane.rs`.
//! - how they open and close: the gallery's `to_review.rs` (`Review` in `gallery/state.rs`), which the
//!   shell calls to draw them over the whole window.
//! - stars and flags, and their keys (`key_mark`): `job/verdict.rs`.

pub(in crate::ui) mod compare;
pub(in crate::ui) mod culling;
pub(in crate::ui) mod image_pane;
