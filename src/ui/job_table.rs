//! The gallery as a list: one row per job (thumbnail, prompt, action, mode, quota, state, rating, date) in
//! egui_extras' table, whose columns resize and whose header sorts. The table only draws; the rows come
//! from the library a page at a time (`Command::ListJobs`), sorted and filtered by the database, so the
//! list holds the pages on screen, not the library.

use std::collections::HashMap;

use egui::{RichText, Sense};
use egui_extras::{Column, TableBuilder};

use super::pending::{Pending, take_ready};
use super::services::Services;
use super::toasts::ToastKind;
use crate::engine::{Command, EngineError};
use crate::library::{JobPage, JobQuery, JobRecord, Sort, SortColumn};

/// Rows read at once: a few screens.
const PAGE: usize = 100;
const ROW_HEIGHT: f32 = 56.0;

/// The sortable columns, in order, with their headers.
const COLUMNS: [(SortColumn, &str); 7] = [
    (SortColumn::Prompt, "Prompt"),
    (SortColumn::Action, "Action"),
    (SortColumn::Mode, "Mode"),
    (SortColumn::Quota, "Quota"),
    (SortColumn::State, "State"),
    (SortColumn::Rating, "Rating"),
    (SortColumn::Made, "Made"),
];

#[derive(Default)]
pub struct JobTable {
    pub sort: Sort,
    /// The query and sort the pages were read for; another drops them.
    read_for: Option<(JobQuery, Sort)>,
    /// Pages by number, with the job-list generation they were read at: older ones stay on show while
    /// they are read again, so a running job's progress does not blank the list.
    pages: HashMap<usize, (u64, Vec<JobRecord>)>,
    total: Option<usize>,
    waiting: Option<Pending<Result<JobPage, EngineError>>>,
}

impl JobTable {
    fn take_answer(&mut self, services: &mut Services, generation: u64) {
        match take_ready(&mut self.waiting) {
            Some(Some(Ok(page))) => {
                self.total = Some(page.total);
                self.pages
                    .insert(page.offset / PAGE, (generation, page.jobs));
            }
            Some(Some(Err(e))) => services.toasts.push(
                ToastKind::Error,
                format!("Could not list the jobs: {e}"),
                None,
            ),
            Some(None) | None => {}
        }
    }

    /// Asks for the first page among `wanted` that is missing or older than the job list.
    fn ask(&mut self, services: &mut Services, query: &JobQuery, wanted: &[usize]) {
        if self.waiting.is_some() {
            return;
        }
        let generation = services.jobs.generation();
        let Some(&page) = wanted.iter().find(|page| {
            self.pages
                .get(page)
                .is_none_or(|(read_at, _)| *read_at != generation)
        }) else {
            return;
        };
        let (reply, answer) = Pending::channel();
        if services.send(Command::ListJobs {
            query: query.clone(),
            sort: self.sort,
            offset: page * PAGE,
            limit: PAGE,
            reply,
        }) {
            self.waiting = Some(answer);
        }
    }

    /// The job on a row, as last read (the job list's own record when it has a newer one).
    fn row<'a>(&'a self, services: &'a Services, index: usize) -> Option<&'a JobRecord> {
        let (_, jobs) = self.pages.get(&(index / PAGE))?;
        let job = jobs.get(index % PAGE)?;
        Some(services.jobs.get(job.id).unwrap_or(job))
    }
}

/// What a click on a row asked for.
pub enum RowClick {
    Select(i64),
    Open(i64),
}

/// Draws the list for `query`. Returns a row's click, if any.
pub fn show(
    table: &mut JobTable,
    services: &mut Services,
    ui: &mut egui::Ui,
    query: &JobQuery,
) -> Option<RowClick> {
    let generation = services.jobs.generation();
    // An answer asked before the query or sort changed is for the old list: dropped with it.
    if table.read_for.as_ref() != Some(&(query.clone(), table.sort)) {
        table.read_for = Some((query.clone(), table.sort));
        table.pages.clear();
        table.waiting = None;
    }
    table.take_answer(services, generation);
    let total = table.total.unwrap_or(0);
    let mut clicked = None;
    let mut visible_pages = Vec::new();
    let selected = services.nav.selected;
    let mut sort = table.sort;
    TableBuilder::new(ui)
        .id_salt("job_table")
        .striped(true)
        .resizable(true)
        .sense(Sense::click())
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(Column::exact(ROW_HEIGHT))
        .column(Column::remainder().at_least(180.0).clip(true))
        .column(Column::initial(110.0).at_least(60.0).clip(true))
        .column(Column::initial(60.0).at_least(40.0))
        .column(Column::initial(56.0).at_least(40.0))
        .column(Column::initial(100.0).at_least(60.0).clip(true))
        .column(Column::initial(80.0).at_least(60.0))
        .column(Column::initial(130.0).at_least(80.0))
        .header(26.0, |mut header| {
            header.col(|_| {});
            for (column, title) in COLUMNS {
                header.col(|ui| {
                    let arrow = match (sort.column == column, sort.descending) {
                        (false, _) => "",
                        (true, true) => " ⏷",
                        (true, false) => " ⏶",
                    };
                    let response = ui
                        .add(
                            egui::Button::new(RichText::new(format!("{title}{arrow}")).strong())
                                .frame_when_inactive(false),
                        )
                        .on_hover_text("Sort by this column; again to reverse");
                    if response.clicked() {
                        sort = if sort.column == column {
                            Sort {
                                column,
                                descending: !sort.descending,
                            }
                        } else {
                            // Words read A to Z; numbers, states and dates highest or newest first.
                            Sort {
                                column,
                                descending: column != SortColumn::Prompt
                                    && column != SortColumn::Action,
                            }
                        };
                    }
                });
            }
        })
        .body(|body| {
            body.rows(ROW_HEIGHT, total, |mut row| {
                let index = row.index();
                if !visible_pages.contains(&(index / PAGE)) {
                    visible_pages.push(index / PAGE);
                }
                let job = table.row(services, index).cloned();
                row.set_selected(job.as_ref().is_some_and(|job| Some(job.id) == selected));
                match &job {
                    Some(job) => cells(&mut row, services, job),
                    None => {
                        row.col(|_| {});
                        row.col(|ui| {
                            ui.label(RichText::new("…").weak());
                        });
                    }
                }
                let response = row.response();
                if let Some(job) = &job {
                    if response.double_clicked() {
                        clicked = Some(RowClick::Open(job.id));
                    } else if response.clicked() {
                        clicked = Some(RowClick::Select(job.id));
                    }
                }
            });
        });
    table.sort = sort;
    if visible_pages.is_empty() {
        // Nothing drawn yet (no total): the first page says how many there are.
        visible_pages.push(0);
    }
    table.ask(services, query, &visible_pages);
    clicked
}

fn cells(row: &mut egui_extras::TableRow<'_, '_>, services: &mut Services, job: &JobRecord) {
    row.col(|ui| {
        if let Some((texture, aspect)) = super::thumbnail(services, job.id, 256) {
            let size = super::fit(aspect, ROW_HEIGHT - 6.0);
            ui.add(egui::Image::new(&texture).fit_to_exact_size(size));
        }
    });
    row.col(|ui| {
        ui.add(egui::Label::new(super::job_title(job)).truncate());
    });
    row.col(|ui| {
        ui.label(&job.action);
    });
    row.col(|ui| {
        ui.label(job.mode.map_or("", |mode| mode.as_str()));
    });
    row.col(|ui| {
        ui.label(job.quota.map_or(String::new(), |quota| format!("{quota}")));
    });
    row.col(|ui| {
        ui.label(super::state_text(job));
    });
    row.col(|ui| {
        let stars = "★".repeat(usize::from(job.rating));
        ui.label(RichText::new(stars).color(super::theme::palette(ui).warning));
    });
    row.col(|ui| {
        ui.label(crate::clock::date_time(job.created_at));
    });
}
