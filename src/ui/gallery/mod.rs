//! The gallery: the library's jobs as tiles grouped by day or as a sortable list, read a page at a time,
//! with its filter bar, chips, saved searches, search, marked-job actions and the Trash. Uses `kit`,
//! `runtime`, `job::labels`, `review` (it opens compare and culling), `board::panel` to start a drag, and
//! `sources::inputs` (picks sent to Blend or Describe). `state` holds its state, `grid` what the shell calls;
//! the parts it is made of sit beside them, one to a thing the user works on.
//!
//! Where a change goes:
//! - a filter: `GalleryFilter` in `filter.rs` (its controls' state, its chip, serde for the remembered and
//!   saved searches), which becomes a `JobQuery` in `src/library/query.rs`; the bar, More filters, chips
//!   and saved searches: `bar.rs`; what a prompt says (`--ar`, `--v`, `--sref`…): `domain::prompt`.
//! - the search field and the "on a board" question to the library: `search.rs` (the language:
//!   `domain::search`; the index: `src/library/search.rs`; the CLI: `moodgrid search`).
//! - the tiles grouped by day: the layout `day_grid.rs`, drawing and clicks `tiles.rs`, the headings' words
//!   `clock::day_heading`; the counts: `Counting::ByDay` in `src/library/query.rs`, asked with the first
//!   page by `pages.rs` (`Command::ListJobs`), the pages both views draw from.
//! - the list view, its columns or sorting: `list_view.rs` (egui_extras' `TableBuilder`); the order and
//!   paging: `Sort`, `SortColumn`, `Library::list_jobs`.
//! - keys: `keys.rs`; the picks and what is done with them together: `marked.rs`; compare and culling
//!   opened and closed: `to_review.rs` (`Review` in `state.rs`), drawn by `review`.
//! - the Trash: `trash.rs`; moving jobs there, and its undo: `Services::trash` (`runtime/requests.rs`);
//!   `Command::TrashJobs`/`RestoreJobs`/`LoadTrash`/`EmptyTrash`; what is hidden and what emptying deletes:
//!   `src/library/trash.rs`; the CLI's `trash` and `restore`.

mod bar;
pub(in crate::ui) mod day_grid;
pub(in crate::ui) mod filter;
pub(in crate::ui) mod grid;
mod keys;
pub(in crate::ui) mod list_view;
mod marked;
pub(in crate::ui) mod pages;
pub(in crate::ui) mod search;
mod state;
mod tiles;
mod to_review;
pub(in crate::ui) mod trash;
