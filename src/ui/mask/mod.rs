//! The inpaint mask editor ("Vary region") on a job's image: opening it on a job, the mask file's import
//! and export, the region's prompt and Submit. It paints with `paint`'s canvas and tools. Uses `kit`,
//! `paint` and `runtime`.
//!
//! Where a change goes:
//! - the editor (opening on a job with `open_on_job`, the mask file, the region's prompt, Submit):
//!   `editor.rs`; a mask file is read by `imaging::read_mask_file`.
//! - mask strokes, rectangles, lassos, fill and their undo: `domain::mask`; the brushes, canvas, overlay
//!   and tool controls: `paint`.
//! - the "Vary region" button: `job/buttons.rs`, which asks for the editor with `Intent::EditMask`.

pub(in crate::ui) mod editor;
