//! The account, as the window knows it: prices learned from the user's charges (what every estimate
//! uses), each mode's service status (refreshed every few minutes; the mode picker shows it), and the
//! Account window: balance, status, the 30-day spend chart stacked by mode, the biggest spenders, weekly
//! and monthly totals, and the ledger as CSV. Every answer comes from the engine; nothing here waits.

use egui::RichText;
use egui_plot::{Bar, BarChart, Legend, Plot};

use crate::api::{AccountInfo, ApiError, BaseUrl, ModeHealth};
use crate::domain::Mode;
use crate::domain::pricing::format_quota;
use crate::domain::spend::{SpendReport, Total, day_label};
use crate::engine::Command;
use crate::ui::runtime::pending::{Pending, Refreshed, take_ready};
use crate::ui::runtime::services::Services;
use crate::ui::runtime::toasts::ToastKind;

/// What the service says of a mode, or that it has not said yet.
pub fn health_text(health: Option<&ModeHealth>) -> String {
    health.map_or("status not known yet".to_owned(), ModeHealth::summary)
}

/// The Account window's own state.
#[derive(Default)]
pub struct AccountPanel {
    pub open: bool,
    info: Option<Result<AccountInfo, String>>,
    info_answer: Option<Pending<Result<AccountInfo, ApiError>>>,
    report: Refreshed<u64, SpendReport>,
    /// Bumped by Refresh: asks for the balance and the ledger again.
    refreshes: u64,
    info_for: Option<(u64, u64)>,
}

pub fn show(panel: &mut AccountPanel, services: &mut Services, ctx: &egui::Context) {
    if !panel.open {
        return;
    }
    receive(panel, services);
    let mut open = panel.open;
    egui::Window::new("Account")
        .open(&mut open)
        .default_size([700.0, 660.0])
        .collapsible(false)
        .resizable(true)
        .show(ctx, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                ui.columns(2, |columns| {
                    balance_section(panel, services, &mut columns[0]);
                    status_section(services, &mut columns[1]);
                });
                ui.separator();
                spend_section(panel, services, ui);
            });
        });
    panel.open = open;
}

/// Asks for the balance and the ledger when the window opens, after Refresh, and after each job ends.
fn receive(panel: &mut AccountPanel, services: &mut Services) {
    let key = (panel.refreshes, services.status.account.settled());
    if let Some(outcome) = take_ready(&mut panel.info_answer) {
        panel.info = Some(match outcome {
            Some(Ok(info)) => Ok(info),
            Some(Err(e)) => Err(e.to_string()),
            None => Err("the engine restarted; press Refresh".to_owned()),
        });
    }
    if services.status.ready && panel.info_answer.is_none() && panel.info_for != Some(key) {
        let (reply, answer) = Pending::channel();
        if services.send(Command::CheckAccount {
            base: BaseUrl::official(),
            key: None,
            reply,
        }) {
            panel.info_answer = Some(answer);
            panel.info_for = Some(key);
        }
    }
    let now = crate::library::now_ms();
    let since_ms = crate::clock::start_of_day_of(now - 120 * 86_400_000);
    let utc_offset_s = crate::clock::local_offset_seconds();
    if let Some(e) = panel.report.update(key.0 * 1_000_000 + key.1, |reply| {
        services.send(Command::LoadSpend {
            since_ms,
            now_ms: now,
            utc_offset_s,
            reply,
        })
    }) {
        services.toasts.push(
            ToastKind::Error,
            format!("Could not read the spend ledger: {e}"),
            None,
        );
    }
}

fn balance_section(panel: &mut AccountPanel, services: &mut Services, ui: &mut egui::Ui) {
    ui.horizontal(|ui| {
        ui.heading("Balance");
        if ui
            .button("Refresh")
            .on_hover_text("Ask TTAPI again")
            .clicked()
        {
            panel.refreshes += 1;
        }
        if panel.info_answer.is_some() {
            ui.spinner();
        }
    });
    match &panel.info {
        None => {
            ui.label("Asking TTAPI…");
        }
        Some(Err(e)) => {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        Some(Ok(info)) => {
            let quota = |q: Option<f64>| q.map_or("?".to_owned(), format_quota);
            egui::Grid::new("account_info")
                .num_columns(2)
                .show(ui, |ui| {
                    ui.label("Balance");
                    ui.label(
                        RichText::new(format!("{} quota", quota(info.balance)))
                            .strong()
                            .size(18.0),
                    )
                    .on_hover_text("1 USD = 100 quota");
                    ui.end_row();
                    ui.label("Frozen");
                    ui.label(format!(
                        "{} quota (held for running jobs)",
                        quota(info.freeze_balance)
                    ));
                    ui.end_row();
                    if let Some(max) = info.max_queue {
                        ui.label("Queue");
                        ui.label(format!("{max} jobs at once"));
                        ui.end_row();
                    }
                });
        }
    }
    if services.status.offline.is_some() {
        ui.label(
            RichText::new("Offline: these are the built-in simulator's figures.")
                .small()
                .color(crate::ui::kit::theme::palette(ui).weak_text),
        );
    }
}

fn status_section(services: &Services, ui: &mut egui::Ui) {
    ui.heading("Service status");
    egui::Grid::new("account_status")
        .num_columns(2)
        .show(ui, |ui| {
            for mode in Mode::ALL {
                ui.label(mode.as_str());
                let text = health_text(services.status.account.health(mode));
                if services.status.account.is_down(mode) {
                    ui.colored_label(ui.visuals().warn_fg_color, text);
                } else {
                    ui.label(text);
                }
                ui.end_row();
            }
        });
}

/// The colours of the chart's modes: the theme's accent for fast, calmer ones for relax and turbo.
fn mode_colour(ui: &egui::Ui, mode: Mode) -> egui::Color32 {
    let palette = crate::ui::kit::theme::palette(ui);
    match mode {
        Mode::Fast => palette.accent,
        Mode::Relax => egui::Color32::from_rgb(0x5f, 0xa8, 0x7a),
        Mode::Turbo => egui::Color32::from_rgb(0xd0, 0x8a, 0x3c),
    }
}

fn spend_section(panel: &mut AccountPanel, services: &mut Services, ui: &mut egui::Ui) {
    let report = panel.report.value();
    ui.horizontal(|ui| {
        ui.heading("Spend, last 30 days");
        let last_30: f64 = report
            .days
            .iter()
            .map(|d| d.by_mode.iter().sum::<f64>())
            .sum();
        ui.label(format!("{} quota", format_quota(last_30)));
        if ui
            .add_enabled(!report.ledger.is_empty(), egui::Button::new("Export CSV…"))
            .on_hover_text("Every priced job of the last 120 days, one row each")
            .clicked()
        {
            services.chores.save_csv(
                report.ledger.clone(),
                "moodgrid-spend.csv".to_owned(),
                services.data_dir().to_owned(),
            );
        }
    });
    spend_chart(report, ui);
    ui.label(
        RichText::new(format!(
            "Refunded for failed jobs: {} quota. Quota of running jobs counts as spent until TTAPI settles it.",
            format_quota(report.refunded)
        ))
        .small()
        .color(crate::ui::kit::theme::palette(ui).weak_text),
    );
    ui.add_space(8.0);
    ui.columns(2, |columns| {
        columns[0].strong("Biggest spenders");
        spenders_table(report, &mut columns[0]);
        columns[1].strong("Per week and month");
        totals_table(&report.weeks, &report.months, &mut columns[1]);
    });
}

fn spend_chart(report: &SpendReport, ui: &mut egui::Ui) {
    let mut charts: Vec<BarChart> = Vec::new();
    for (index, mode) in Mode::ALL.into_iter().enumerate() {
        let colour = mode_colour(ui, mode);
        let bars: Vec<Bar> = report
            .days
            .iter()
            .enumerate()
            .map(|(day, spend)| {
                Bar::new(day as f64, spend.by_mode[index])
                    .width(0.8)
                    .fill(colour)
                    .stroke(egui::Stroke::new(1.0, colour))
                    .name(day_label(spend.date))
            })
            .collect();
        let below: Vec<&BarChart> = charts.iter().collect();
        let chart = BarChart::new(mode.as_str(), bars)
            .color(colour)
            .stack_on(&below);
        charts.push(chart);
    }
    let labels: Vec<String> = report.days.iter().map(|d| day_label(d.date)).collect();
    Plot::new("spend_chart")
        .height(200.0)
        .legend(Legend::default().position(egui_plot::Corner::LeftTop))
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .include_y(0.0)
        .y_axis_label("quota")
        .x_axis_formatter(move |mark, _range| {
            let at = mark.value.round();
            if (mark.value - at).abs() > 0.01 || at < 0.0 {
                return String::new();
            }
            labels
                .get(at as usize)
                .map(|l| l[5..].to_owned())
                .unwrap_or_default()
        })
        .show(ui, |plot| {
            for chart in charts {
                plot.bar_chart(chart);
            }
        });
}

fn spenders_table(report: &SpendReport, ui: &mut egui::Ui) {
    use egui_extras::{Column, TableBuilder};
    if report.spenders.is_empty() {
        ui.label("Nothing charged yet.");
        return;
    }
    ui.push_id("spenders", |ui| {
        TableBuilder::new(ui)
            .striped(true)
            .column(Column::remainder().at_least(120.0).clip(true))
            .column(Column::auto())
            .column(Column::auto())
            .header(18.0, |mut header| {
                header.col(|ui| {
                    ui.label("Prompt");
                });
                header.col(|ui| {
                    ui.label("Jobs");
                });
                header.col(|ui| {
                    ui.label("Quota");
                });
            })
            .body(|mut body| {
                for spender in &report.spenders {
                    body.row(18.0, |mut row| {
                        row.col(|ui| {
                            ui.label(crate::domain::prompt::first_line(&spender.prompt, 60))
                                .on_hover_text(&spender.prompt);
                        });
                        row.col(|ui| {
                            ui.label(spender.jobs.to_string());
                        });
                        row.col(|ui| {
                            ui.label(format_quota(spender.spent));
                        });
                    });
                }
            });
    });
}

fn totals_table(weeks: &[Total], months: &[Total], ui: &mut egui::Ui) {
    use egui_extras::{Column, TableBuilder};
    ui.push_id("totals", |ui| {
        TableBuilder::new(ui)
            .striped(true)
            .column(Column::auto().at_least(80.0))
            .column(Column::auto())
            .column(Column::auto())
            .header(18.0, |mut header| {
                for title in ["Period", "Jobs", "Quota"] {
                    header.col(|ui| {
                        ui.label(title);
                    });
                }
            })
            .body(|mut body| {
                for total in weeks.iter().take(5).chain(months.iter().take(4)) {
                    body.row(18.0, |mut row| {
                        row.col(|ui| {
                            ui.label(&total.label);
                        });
                        row.col(|ui| {
                            ui.label(total.jobs.to_string());
                        });
                        row.col(|ui| {
                            ui.label(format_quota(total.spent));
                        });
                    });
                }
            });
    });
}
