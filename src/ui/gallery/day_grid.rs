//! Where the gallery's tiles go: rows of tiles under a heading for each day the jobs were made on, laid out
//! from how many jobs each day has (`Library::days`), so the rows on screen are found without the jobs.
//! Plain layout, no drawing: `tiles.rs` draws what it says. Unit-tested below.

use std::ops::Range;

use crate::library::Day;

pub struct DayGrid {
    sections: Vec<Section>,
    columns: usize,
    /// Height of a day's heading; 0 when the tiles run on without headings.
    heading: f32,
    /// Height of a row of tiles, spacing included.
    row: f32,
    height: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// `YYYY-MM-DD`; empty without headings.
    pub day: String,
    /// The place in the listing of its first job.
    pub first: usize,
    pub jobs: usize,
    /// Where its heading starts.
    pub top: f32,
}

/// A row of tiles that meets the screen: where it starts, and the places in the listing it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedRow {
    pub top: f32,
    pub places: Range<usize>,
}

impl DayGrid {
    /// The layout of `total` jobs in `columns`. `days` must count those same jobs; when they do not (not
    /// read yet, or read before a change), the tiles run on without headings until they do.
    pub fn new(days: &[Day], total: usize, columns: usize, heading: f32, row: f32) -> DayGrid {
        let grouped = !days.is_empty() && days.iter().map(|day| day.jobs).sum::<usize>() == total;
        let runs: Vec<(String, usize)> = if grouped {
            days.iter().map(|day| (day.day.clone(), day.jobs)).collect()
        } else {
            vec![(String::new(), total)]
        };
        let columns = columns.max(1);
        let heading = if grouped { heading } else { 0.0 };
        let (mut top, mut first) = (0.0, 0);
        let mut sections = Vec::with_capacity(runs.len());
        for (day, jobs) in runs {
            sections.push(Section {
                day,
                first,
                jobs,
                top,
            });
            top += heading + jobs.div_ceil(columns) as f32 * row;
            first += jobs;
        }
        DayGrid {
            sections,
            columns,
            heading,
            row,
            height: top,
        }
    }

    pub fn height(&self) -> f32 {
        self.height
    }

    pub fn grouped(&self) -> bool {
        self.heading > 0.0
    }

    /// The day whose span holds `y`: the one whose heading sticks to the top when `y` is the top.
    pub fn section_at(&self, y: f32) -> Option<&Section> {
        let after = self.sections.partition_point(|section| section.top <= y);
        self.sections.get(after.saturating_sub(1))
    }

    /// The headings and the rows that meet `from..to`.
    pub fn visible(&self, from: f32, to: f32) -> (Vec<&Section>, Vec<PlacedRow>) {
        let start = self
            .sections
            .partition_point(|section| section.top <= from)
            .saturating_sub(1);
        let (mut headings, mut rows) = (Vec::new(), Vec::new());
        for section in self.sections[start..]
            .iter()
            .take_while(|section| section.top < to)
        {
            if self.grouped() && section.top + self.heading > from {
                headings.push(section);
            }
            let rows_top = section.top + self.heading;
            let count = section.jobs.div_ceil(self.columns);
            let first_row = (((from - rows_top) / self.row).floor().max(0.0) as usize).min(count);
            let end_row = (((to - rows_top) / self.row).ceil().max(0.0) as usize).min(count);
            for row in first_row..end_row {
                let start = section.first + row * self.columns;
                let end = (start + self.columns).min(section.first + section.jobs);
                rows.push(PlacedRow {
                    top: rows_top + row as f32 * self.row,
                    places: start..end,
                });
            }
        }
        (headings, rows)
    }

    /// Where the row holding the job at `place` starts.
    pub fn row_top(&self, place: usize) -> f32 {
        let at = self
            .sections
            .partition_point(|section| section.first <= place)
            .saturating_sub(1);
        self.sections.get(at).map_or(0.0, |section| {
            let row = (place.saturating_sub(section.first)) / self.columns;
            section.top + self.heading + row as f32 * self.row
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn days(counts: &[(&str, usize)]) -> Vec<Day> {
        counts
            .iter()
            .map(|(day, jobs)| Day {
                day: (*day).into(),
                jobs: *jobs,
            })
            .collect()
    }

    #[test]
    fn each_day_gets_a_heading_over_its_own_rows() {
        // Three columns; headings 30 high, rows 100: today 4 jobs (2 rows), yesterday 3 (1 row).
        let grid = DayGrid::new(
            &days(&[("2026-12-02", 4), ("2026-12-01", 3)]),
            7,
            3,
            30.0,
            100.0,
        );
        assert!(grid.grouped());
        assert_eq!(grid.height(), 30.0 + 200.0 + 30.0 + 100.0);
        let (headings, rows) = grid.visible(0.0, 1000.0);
        let headed: Vec<&str> = headings.iter().map(|s| s.day.as_str()).collect();
        assert_eq!(headed, ["2026-12-02", "2026-12-01"]);
        assert_eq!(
            rows,
            [
                PlacedRow {
                    top: 30.0,
                    places: 0..3
                },
                PlacedRow {
                    top: 130.0,
                    places: 3..4
                },
                PlacedRow {
                    top: 260.0,
                    places: 4..7
                },
            ],
            "a day's last row is short; the next day starts a new row"
        );
        assert_eq!(grid.row_top(3), 130.0);
        assert_eq!(grid.row_top(5), 260.0);
    }

    #[test]
    fn only_what_meets_the_screen_is_placed_and_the_top_day_sticks() {
        let grid = DayGrid::new(
            &days(&[("2026-12-02", 30), ("2026-12-01", 30)]),
            60,
            3,
            30.0,
            100.0,
        );
        // Today is 30 + 10 rows: 0..1030; yesterday's heading at 1030, its rows from 1060.
        let (headings, rows) = grid.visible(950.0, 1200.0);
        assert_eq!(headings.len(), 1, "today's heading is far above");
        assert_eq!(headings[0].day, "2026-12-01");
        let places: Vec<Range<usize>> = rows.iter().map(|row| row.places.clone()).collect();
        assert_eq!(places, [27..30, 30..33, 33..36]);
        assert_eq!(
            grid.section_at(950.0).map(|s| s.day.as_str()),
            Some("2026-12-02")
        );
        assert_eq!(
            grid.section_at(1100.0).map(|s| s.day.as_str()),
            Some("2026-12-01")
        );
    }

    #[test]
    fn days_that_do_not_count_the_listing_leave_the_tiles_without_headings() {
        for stale in [days(&[]), days(&[("2026-12-02", 5)])] {
            let grid = DayGrid::new(&stale, 7, 3, 30.0, 100.0);
            assert!(!grid.grouped());
            assert_eq!(grid.height(), 300.0);
            let (headings, rows) = grid.visible(0.0, 1000.0);
            assert!(headings.is_empty());
            assert_eq!(rows.len(), 3);
            assert_eq!(grid.row_top(6), 200.0);
        }
    }
}
