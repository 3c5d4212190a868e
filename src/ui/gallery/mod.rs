//! The gallery: the library's jobs as tiles grouped by day or as a sortable list, read a page at a time,
//! with its filter bar, chips, saved searches, search, marked-job actions and the Trash. It opens `review`
//! (compare, culling) and the board. Uses `kit`, `runtime` and `job`.

pub(in crate::ui) mod day_grid;
pub(in crate::ui) mod filter;
pub(in crate::ui) mod grid;
pub(in crate::ui) mod list_view;
pub(in crate::ui) mod pages;
pub(in crate::ui) mod search;
pub(in crate::ui) mod trash;
