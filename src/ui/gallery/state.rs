//! The gallery's state in one place, as the shell holds it: the filter and the saved searches, how the
//! tiles look, the picks, the Trash and a review, and each part's own state beside them. Here too: what
//! the gallery lists (`query`) and the pages on show. The parts (`bar`, `tiles`, `marked`, `keys`,
//! `to_review`) take the whole; none of them is imported here, so no part imports one that imports it back.

use std::collections::BTreeSet;

use crate::engine::EngineError;
use crate::library::{InUse, JobPage, JobQuery};
use crate::ui::gallery::filter::{Context, GalleryFilter, SavedSearch};
use crate::ui::gallery::list_view::JobTable;
use crate::ui::gallery::pages::JobPages;
use crate::ui::gallery::search::{BoardMembers, GallerySearch};
use crate::ui::gallery::trash::TrashPanel;
use crate::ui::runtime::pending::{Pending, Refreshed};

#[derive(Default)]
pub struct GalleryState {
    pub filter: GalleryFilter,
    /// Filters kept under a name, listed beside the gallery.
    pub saved: Vec<SavedSearch>,
    pub tiles: TileLayout,
    /// Shown as a list (a row per job, sortable) instead of tiles.
    pub list: bool,
    pub table: JobTable,
    /// Jobs picked with Ctrl+click, to blend or describe together.
    pub marked: BTreeSet<i64>,
    /// The Trash, shown in the gallery's place while open.
    pub(super) trash: TrashPanel,
    /// Compare or culling, over the whole window while open.
    pub review: Option<Review>,
    /// What the filter bar asked the library (search, boards, its menus' choices), and a saved search being
    /// renamed.
    pub(super) bar: BarState,
    /// The tiles' jobs, read a page at a time, and how the tiles were last laid out.
    pub(super) grid: TileGrid,
    /// Where a Shift+click range starts, and the range's jobs on their way from the library.
    pub(super) picking: Picking,
    /// A keyboard step waiting for its job's page, and the place to bring into view.
    pub(super) steps: Steps,
    /// The finished jobs to cull, on their way from the library.
    pub(super) cull: Option<Pending<Result<Vec<i64>, EngineError>>>,
}

impl GalleryState {
    /// What the gallery lists: its filter, with what the search found and which jobs are on boards. The
    /// clock is read to the minute, so "Last 7 days" does not make a new query every frame.
    pub(super) fn query(&self) -> JobQuery {
        let now = crate::library::now_ms();
        self.filter.query(Context {
            now: now - now % 60_000,
            found: self.bar.search.found(),
            on_board: self.bar.boards.known(),
        })
    }

    /// The pages of the view on show, tiles or list.
    pub(super) fn pages(&self) -> &JobPages {
        if self.list {
            &self.table.pages
        } else {
            &self.grid.pages
        }
    }
}

/// What the filter bar knows besides the filter: the library's answers to what it asks (the search, which
/// jobs are on boards, the shapes and models its menus offer), and a saved search being renamed.
#[derive(Default)]
pub(super) struct BarState {
    /// What the search field found.
    pub(super) search: GallerySearch,
    /// Which jobs are on a board, while the filter asks.
    pub(super) boards: BoardMembers,
    /// The exact shapes and the models the jobs use, for the filter menus, read again when the library's
    /// size changed.
    pub(super) in_use: Refreshed<Option<usize>, InUse>,
    /// The saved search being renamed, and the name as typed so far.
    pub(super) renaming: Option<(usize, String)>,
}

/// How the gallery's tiles look: their width (the size slider) and whether the prompt is written under each.
/// Remembered between runs (`Remembered`, public: the window journeys read it).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct TileLayout {
    pub size: f32,
    pub captions: bool,
}

impl Default for TileLayout {
    fn default() -> TileLayout {
        TileLayout {
            size: 168.0,
            captions: true,
        }
    }
}

/// The tile grid's own state: its jobs, read a page at a time, and how it was last laid out.
#[derive(Default)]
pub(super) struct TileGrid {
    pub(super) pages: JobPages,
    /// Tiles a row holds: an arrow key up or down steps by it.
    pub(super) columns: usize,
    /// Scroll offset and viewport height of the last frame, to bring a keyboard selection into view.
    pub(super) viewport: (f32, f32),
}

/// Where a Shift+click range starts, and the range's jobs on their way from the library.
#[derive(Default)]
pub(super) struct Picking {
    /// The job a Shift+click range starts from, and where it was in the listing when clicked.
    pub(super) anchor: Option<(i64, usize)>,
    pub(super) range: Option<Pending<Result<JobPage, EngineError>>>,
}

/// Where a keyboard step went, for the tiles or the list to follow.
#[derive(Default)]
pub(super) struct Steps {
    /// A keyboard step that landed on a job whose page is not read yet: selected once it is.
    pub(super) select_at: Option<usize>,
    /// A place in the listing to bring into view (a keyboard step).
    pub(super) scroll_to: Option<usize>,
}

/// A closer look at some jobs, over the whole window.
pub(in crate::ui) enum Review {
    Compare(crate::ui::review::compare::Compare),
    Culling(crate::ui::review::culling::Culling),
}
