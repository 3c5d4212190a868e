//! The gallery as a list: one row per job (thumbnail, prompt, action, mode, quota, state, rating, date) in
//! egui_extras' table, whose columns resize and whose header sorts. The table only draws; the rows come
//! from the library a page at a time (`pages`), sorted and filtered by the database.

use egui::{RichText, Sense};
use egui_extras::{Column, TableBuilder};

use crate::library::{JobQuery, JobRecord, Sort, SortColumn};
use crate::ui::gallery::pages::JobPages;
use crate::ui::runtime::services::Services;

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
    pub pages: JobPages,
}

/// What a click on a row asked for.
pub enum RowClick {
    Select(i64),
    Open(i64),
}

/// Draws the list for `query`, brought to the row `scroll_to` if set. Returns a row's click, if any.
pub fn show(
    table: &mut JobTable,
    services: &mut Services,
    ui: &mut egui::Ui,
    query: &JobQuery,
    scroll_to: Option<usize>,
) -> Option<RowClick> {
    table.pages.update(services, query, table.sort, None);
    let total = table.pages.total().unwrap_or(0);
    let mut clicked = None;
    let mut visible: Option<std::ops::Range<usize>> = None;
    let selected = services.nav().selected();
    let mut sort = table.sort;
    let mut builder = TableBuilder::new(ui);
    if let Some(row) = scroll_to {
        builder = builder.scroll_to_row(row, None);
    }
    builder
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
                visible = Some(visible.as_ref().map_or(index..index + 1, |seen| {
                    seen.start.min(index)..seen.end.max(index + 1)
                }));
                let job = table.pages.at(services, index).cloned();
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
    table.pages.ask_for(services, visible.unwrap_or(0..0));
    clicked
}

fn cells(row: &mut egui_extras::TableRow<'_, '_>, services: &mut Services, job: &JobRecord) {
    row.col(|ui| {
        if let Some((texture, aspect)) =
            crate::ui::runtime::thumbnails::thumbnail_of(services, job, 256)
        {
            let size = crate::ui::kit::fit(aspect, ROW_HEIGHT - 6.0);
            ui.add(egui::Image::new(&texture).fit_to_exact_size(size));
        }
    });
    row.col(|ui| {
        ui.add(egui::Label::new(crate::ui::job::labels::job_title(job)).truncate());
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
        ui.label(crate::ui::job::labels::state_text(job));
    });
    row.col(|ui| {
        let stars = "★".repeat(usize::from(job.rating));
        ui.label(RichText::new(stars).color(crate::ui::kit::theme::palette(ui).warning));
    });
    row.col(|ui| {
        ui.label(crate::clock::date_time(job.created_at));
    });
}
