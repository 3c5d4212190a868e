//! The user's own images on their way into a job: the Blend and Describe panels, and the slots, drop zones
//! and loading they share (`inputs`). Uses `kit`, `runtime` and `job::labels` (a describe job's state).
//!
//! Where a change goes:
//! - the Blend panel (slots, order, aspect, mode): `blend.rs`.
//! - the Describe panel and its prompt cards, also shown in a describe job's view: `describe.rs` (`cards`).
//! - where images come from (picked, dropped, pasted, sent from the gallery or a board) and their slots
//!   and cards: `inputs.rs` (`SourceInput`, `SourceTarget`); files dropped on the window arrive through
//!   `add_sources` in `shell/app.rs`.
//! - how an image is read and checked for sending: a chore (`runtime/chores.rs`) through the engine's
//!   `prepare_source` and `read_source_file`, which use `imaging::prepare_upload`.

pub(in crate::ui) mod blend;
pub(in crate::ui) mod describe;
pub(in crate::ui) mod inputs;
