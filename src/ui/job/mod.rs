//! One job and the jobs as they come: the job view (`view`: the picture, and the details column with the
//! job's facts, failure, component buttons, image actions and family), the live feed, a job's stars and
//! flag (`verdict`, also drawn by review and read by the shell's keys), the Export dialog, and what a job is called on
//! screen (`labels`). Uses `kit`, `runtime`, `board::panel` to start a drag from the feed, and `sources`
//! (a describe job's prompt cards, images sent to Blend or Describe).
//!
//! Where a change goes:
//! - the picture with zoom and pan, or the view with no job open: `view.rs`, `nothing_open.rs`; the
//!   details column and its order: `details.rs`.
//! - a job's buttons: `buttons.rs` (rows from `domain::buttons`, labels from `domain::action`); "Vary
//!   region" asks for the mask editor (`mask/editor.rs`) through an Intent.
//! - what a failed job says and offers: `failure.rs` (the explanations: `domain::failure`).
//! - what can be done with the image (board, export, copy, save, Trash): `image_actions.rs`; the job's
//!   family: `lineage.rs`; the live feed: `feed.rs`.
//! - ratings and flags: `verdict.rs` (the controls, the keys' `key_mark`, `mark` sends `Command::MarkJob`);
//!   stored by `src/library/ratings.rs` (`Mark`, migration 6); the CLI's `rate` and `flag`.
//! - the Export dialog: `export.rs`; what is written: `src/library/export.rs`; file names:
//!   `domain::export_name`; its key: `kit/keys.rs`.
//! - what a job is called and how its state reads on screen: `labels.rs`.

mod buttons;
mod details;
pub(in crate::ui) mod export;
mod failure;
pub(in crate::ui) mod feed;
mod image_actions;
pub(in crate::ui) mod labels;
mod lineage;
mod nothing_open;
pub(in crate::ui) mod verdict;
pub(in crate::ui) mod view;
