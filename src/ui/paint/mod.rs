//! Painting over an image, for every editor of an image: the canvas (zoom at the pointer, pan, pointer ↔
//! image pixels), the brush tools and their strokes, the mask shown as a tinted overlay, and the tool and
//! brush controls with their keys. The mask editor (`mask`) uses it and the Editor will. Uses `kit` and
//! `domain::mask` only, not `runtime::services`: the caller hands in the image's texture, so any image can
//! be edited.
//!
//! Where a change goes:
//! - a tool, and what a press, drag and release of it does: `brush.rs` (`Tool`, `Brush`); the operations
//!   it records: `domain::mask`.
//! - zoom, pan, pointer ↔ image pixels: `canvas.rs` (`Canvas`).
//! - the mask's tinted overlay and its partial uploads: `layer.rs` (`MaskLayer`).
//! - the tool buttons, brush size and hardness, undo and redo, and their keys: `controls.rs` (the undo and
//!   redo combinations: `kit/keys.rs`).

pub(in crate::ui) mod brush;
pub(in crate::ui) mod canvas;
pub(in crate::ui) mod controls;
pub(in crate::ui) mod layer;
