//! Looking closely at gallery picks over the whole window: compare (two to four side by side) and culling
//! (one at a time, rated as they go), sharing a zoomable picture pane. Uses `kit`, `runtime` and `job`.

pub(in crate::ui) mod compare;
pub(in crate::ui) mod culling;
pub(in crate::ui) mod image_pane;
