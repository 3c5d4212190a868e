//! The inpaint mask editor ("Vary region") on a job's image: opening it on a job, the mask file's import
//! and export, the region's prompt and Submit. It paints with `paint`'s canvas and tools. Uses `kit`,
//! `paint` and `runtime`.

pub(in crate::ui) mod editor;
