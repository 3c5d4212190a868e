//! Pure types and rules shared by every layer: no IO, no egui, no tokio.
//!
//! Where a change goes:
//! - an action or component string, its button label, what it produces: `action.rs`; which row a button
//!   sits in under a job: `buttons.rs` (drawn by `ui/job/buttons.rs`).
//! - another Midjourney parameter read from a prompt, or how a prompt is cut to one line (`first_line`):
//!   `prompt.rs`.
//! - a parameter Moodgrid knows, its range, a rule between parameters (with its source): `PARAMS` and
//!   `RULES` in `params.rs`, and its table test. The window's chips (`ui/studio/parameters.rs`),
//!   `moodgrid params` (`src/cli/studio.rs`) and the simulator's checks (`src/sim/routes.rs`) read them.
//! - how `{a, b}` permutations and `--repeat` expand, the batch ceiling (`MAX_BATCH`): `permute.rs`.
//! - default prices, how estimates learn from charges, what they are keyed by: `pricing.rs` (`PriceTable`,
//!   `PriceBook`); the charges come from `Library::recent_charges` (`src/library/spend.rs`).
//! - how spend is settled (refunds, the 30 refusals a day), grouped, charted or written as CSV: `spend.rs`;
//!   the jobs it reads: `Library::ledger`; shown by `ui/studio/account.rs` and `moodgrid spend`.
//! - whether a row of TTAPI's history shows the prompt sent: `history.rs` and its table test (for
//!   `src/engine/reconcile.rs`).
//! - another TTAPI failure message in plain words: `failure.rs`.
//! - the search language: `search.rs`; the index and the query: `src/library/search.rs`.
//! - mask strokes, rectangles, lassos, their undo: `mask.rs`; painted with `ui/paint`, edited in
//!   `ui/mask/editor.rs`.
//! - what a moodboard holds or does: `board.rs`; stored by `src/library/boards.rs`, rendered by
//!   `src/imaging/board_render.rs`, drawn by `ui/board`.
//! - export file names: `export_name.rs`; modes `mode.rs`; TTAPI's status words `status.rs`; service text
//!   made safe for a terminal `terminal_text.rs`.

pub mod action;
pub mod board;
pub mod buttons;
pub mod export_name;
pub mod failure;
pub mod history;
pub mod mask;
pub mod mode;
pub mod params;
pub mod permute;
pub mod pricing;
pub mod prompt;
pub mod search;
pub mod spend;
pub mod status;
pub mod terminal_text;

pub use action::{Action, OutputShape, PanDirection, UpscaleKind};
pub use mode::{BlendDimensions, Mode};
pub use status::JobStatus;
