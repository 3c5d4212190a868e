//! The user's own images on their way into a job: the Blend and Describe panels, and the slots, drop zones
//! and loading they share (`inputs`). Uses `kit` and `runtime`.

pub(in crate::ui) mod blend;
pub(in crate::ui) mod describe;
pub(in crate::ui) mod inputs;
