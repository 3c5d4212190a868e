//! Writing the prompt: the prompt bar (mode, estimate, Imagine), its parameter chips, popover, permutation
//! preview and dragged references (`parameters`), and the Account window (balance, prices, spend). Uses
//! `kit`, `runtime`, `sources::inputs` (images dropped on the bar) and `board::panel` (jobs dragged onto it).
//!
//! Where a change goes:
//! - the chips, the Parameters popover, the permutation preview, dragged references (`ReferenceUse`):
//!   `parameters.rs`; what the chips know: `PARAMS` and `RULES` in `domain::params`.
//! - the prompt bar: `prompt_bar.rs`, with the estimate, the batch threshold's question (`confirm_batch`),
//!   the drops, and what the mode picker says of a mode (`mode_status`).
//! - how permutations expand: `domain::permute`; a batch is sent by `Services::submit_batch`
//!   (`runtime/requests.rs`).
//! - the Account window (balance, status, spend chart, biggest spenders, totals, CSV): `AccountPanel` in
//!   `account.rs`; the sums: `domain::spend`; the prices and service status it reads, and their refresh:
//!   `AccountData` in `runtime/account_data.rs`.

pub(in crate::ui) mod account;
pub(in crate::ui) mod parameters;
pub(in crate::ui) mod prompt_bar;
