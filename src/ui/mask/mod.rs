//! The inpaint mask editor ("Vary region") on a job's image. Uses `kit` and `runtime`.

pub(in crate::ui) mod editor;
