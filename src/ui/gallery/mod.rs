//! The gallery: the library's jobs as tiles grouped by day or as a sortable list, read a page at a time,
//! with its filter bar, chips, saved searches, search, marked-job actions and the Trash. It opens `review`
//! (compare, culling) and the board. Uses `kit`, `runtime` and `job`. `grid` holds its state and what the
//! shell calls; the parts it is made of sit beside it, one to a thing the user works on.

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
