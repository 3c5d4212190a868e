//! The spend ledger: what each job cost once TTAPI settled it, and the sums the Account panel and
//! `moodgrid spend` show. TTAPI freezes a job's quota when it is submitted and refunds it when the job
//! fails (contract §8.2), except that past 30 refused prompts in a day (`failure::is_refusal`) it keeps the
//! quota of the rest.

use std::collections::HashMap;

use time::{OffsetDateTime, UtcOffset};

use super::Mode;
use super::pricing::{PricedKind, format_quota};

/// Refused prompts a day whose quota TTAPI still refunds (contract §8.2, S17/S20).
pub const REFUNDED_REFUSALS_PER_DAY: usize = 30;

/// Where a job's quota went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settlement {
    /// Still running: frozen, neither spent nor refunded yet.
    Frozen,
    Charged,
    /// The job failed: TTAPI gave the quota back.
    Refunded,
    /// A refused prompt beyond the day's 30: TTAPI kept the quota.
    KeptPastRefusalLimit,
}

impl Settlement {
    pub fn label(self) -> &'static str {
        match self {
            Settlement::Frozen => "frozen (running)",
            Settlement::Charged => "charged",
            Settlement::Refunded => "refunded (failed)",
            Settlement::KeptPastRefusalLimit => "kept (over 30 refused prompts that day)",
        }
    }
}

/// How a job in the ledger ended, as the library knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    Running,
    Succeeded,
    Failed,
    /// Failed because the prompt or an image in it was refused (counted by the daily limit).
    Refused,
}

/// A job TTAPI priced, before settling.
#[derive(Debug, Clone, PartialEq)]
pub struct PricedJob {
    pub job_id: i64,
    /// Its TTAPI id.
    pub reference: String,
    pub made_at_ms: i64,
    pub mode: Mode,
    pub kind: PricedKind,
    /// `pricing::model_key` of its prompt.
    pub model: String,
    pub prompt: String,
    pub quota: f64,
    pub ending: Ending,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LedgerEntry {
    pub job: PricedJob,
    pub settlement: Settlement,
}

impl LedgerEntry {
    /// Quota this job took from the balance for good (or holds frozen).
    pub fn spent(&self) -> f64 {
        match self.settlement {
            Settlement::Refunded => 0.0,
            _ => self.job.quota,
        }
    }

    pub fn refunded(&self) -> f64 {
        match self.settlement {
            Settlement::Refunded => self.job.quota,
            _ => 0.0,
        }
    }
}

/// Settles jobs given oldest first: a refused prompt is refunded unless 30 were refused before it that
/// UTC day (TTAPI does not say which day; UTC is assumed).
pub fn settle(jobs: Vec<PricedJob>) -> Vec<LedgerEntry> {
    let mut refusals: HashMap<i64, usize> = HashMap::new();
    jobs.into_iter()
        .map(|job| {
            let settlement = match job.ending {
                Ending::Running => Settlement::Frozen,
                Ending::Succeeded => Settlement::Charged,
                Ending::Failed => Settlement::Refunded,
                Ending::Refused => {
                    let count = refusals
                        .entry(job.made_at_ms.div_euclid(86_400_000))
                        .or_default();
                    *count += 1;
                    if *count > REFUNDED_REFUSALS_PER_DAY {
                        Settlement::KeptPastRefusalLimit
                    } else {
                        Settlement::Refunded
                    }
                }
            };
            LedgerEntry { job, settlement }
        })
        .collect()
}

/// How `moodgrid spend --by` and the Account panel group the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    Day,
    Week,
    Month,
    Mode,
    Kind,
}

/// One group's sums.
#[derive(Debug, Clone, PartialEq)]
pub struct Total {
    /// `2026-11-30`, `2026-W48`, `2026-11`, `fast`, `upscale`.
    pub label: String,
    pub jobs: usize,
    pub spent: f64,
    pub refunded: f64,
}

fn local(ms: i64, utc_offset_s: i64) -> time::Date {
    let offset = UtcOffset::from_whole_seconds(utc_offset_s as i32).unwrap_or(UtcOffset::UTC);
    OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .to_offset(offset)
        .date()
}

/// `2026-11-30` for a date.
pub fn day_label(date: time::Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

fn label(entry: &LedgerEntry, by: Grouping, utc_offset_s: i64) -> String {
    let date = local(entry.job.made_at_ms, utc_offset_s);
    match by {
        Grouping::Day => day_label(date),
        Grouping::Week => {
            let (year, week, _) = date.to_iso_week_date();
            format!("{year:04}-W{week:02}")
        }
        Grouping::Month => format!("{:04}-{:02}", date.year(), u8::from(date.month())),
        Grouping::Mode => entry.job.mode.as_str().to_owned(),
        Grouping::Kind => entry.job.kind.name().to_owned(),
    }
}

/// The ledger's sums per group: newest period first for times, biggest spend first otherwise.
pub fn totals(entries: &[LedgerEntry], by: Grouping, utc_offset_s: i64) -> Vec<Total> {
    let mut groups: HashMap<String, Total> = HashMap::new();
    for entry in entries {
        let label = label(entry, by, utc_offset_s);
        let total = groups.entry(label.clone()).or_insert(Total {
            label,
            jobs: 0,
            spent: 0.0,
            refunded: 0.0,
        });
        total.jobs += 1;
        total.spent += entry.spent();
        total.refunded += entry.refunded();
    }
    let mut groups: Vec<Total> = groups.into_values().collect();
    match by {
        Grouping::Day | Grouping::Week | Grouping::Month => {
            groups.sort_by(|a, b| b.label.cmp(&a.label));
        }
        Grouping::Mode | Grouping::Kind => {
            groups.sort_by(|a, b| b.spent.total_cmp(&a.spent).then(a.label.cmp(&b.label)));
        }
    }
    groups
}

/// One day's spend by mode, in [`Mode::ALL`] order, for the stacked chart.
#[derive(Debug, Clone, PartialEq)]
pub struct DaySpend {
    pub date: time::Date,
    pub by_mode: [f64; 3],
}

/// The last `days` days up to the day of `now_ms`, oldest first, every day present (zero when nothing
/// was spent).
pub fn daily_by_mode(
    entries: &[LedgerEntry],
    now_ms: i64,
    days: u16,
    utc_offset_s: i64,
) -> Vec<DaySpend> {
    let today = local(now_ms, utc_offset_s);
    let mut out: Vec<DaySpend> = (0..i64::from(days))
        .rev()
        .map(|back| DaySpend {
            date: today - time::Duration::days(back),
            by_mode: [0.0; 3],
        })
        .collect();
    for entry in entries {
        let date = local(entry.job.made_at_ms, utc_offset_s);
        let mode = Mode::ALL
            .iter()
            .position(|m| *m == entry.job.mode)
            .unwrap_or(0);
        if let Some(day) = out.iter_mut().find(|d| d.date == date) {
            day.by_mode[mode] += entry.spent();
        }
    }
    out
}

/// A prompt (its words, parameters aside: a permutation's variants and repeats count together) and what
/// it cost.
#[derive(Debug, Clone, PartialEq)]
pub struct Spender {
    pub prompt: String,
    pub jobs: usize,
    pub spent: f64,
}

/// The `n` prompts that cost the most.
pub fn biggest_spenders(entries: &[LedgerEntry], n: usize) -> Vec<Spender> {
    let mut spenders: HashMap<String, Spender> = HashMap::new();
    for entry in entries {
        let parsed = super::params::parse(&entry.job.prompt);
        let words = entry.job.prompt[parsed.text].trim();
        let prompt = if words.is_empty() {
            format!("({})", entry.job.kind.name())
        } else {
            words.to_owned()
        };
        let spender = spenders.entry(prompt.clone()).or_insert(Spender {
            prompt,
            jobs: 0,
            spent: 0.0,
        });
        spender.jobs += 1;
        spender.spent += entry.spent();
    }
    let mut spenders: Vec<Spender> = spenders.into_values().collect();
    spenders.sort_by(|a, b| b.spent.total_cmp(&a.spent).then(a.prompt.cmp(&b.prompt)));
    spenders.truncate(n);
    spenders
}

/// Everything the Account panel shows of the ledger, computed off the UI thread.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SpendReport {
    /// The last [`CHART_DAYS`] days by mode, oldest first.
    pub days: Vec<DaySpend>,
    pub spenders: Vec<Spender>,
    pub weeks: Vec<Total>,
    pub months: Vec<Total>,
    pub spent: f64,
    pub refunded: f64,
    /// The jobs themselves, for the CSV export (shared with the thread that writes it).
    pub ledger: std::sync::Arc<Vec<LedgerEntry>>,
}

/// Days the spend chart covers.
pub const CHART_DAYS: u16 = 30;
/// Prompts the biggest-spenders table lists.
pub const SPENDERS_SHOWN: usize = 10;

pub fn report(ledger: Vec<LedgerEntry>, now_ms: i64, utc_offset_s: i64) -> SpendReport {
    SpendReport {
        days: daily_by_mode(&ledger, now_ms, CHART_DAYS, utc_offset_s),
        spenders: biggest_spenders(&ledger, SPENDERS_SHOWN),
        weeks: totals(&ledger, Grouping::Week, utc_offset_s),
        months: totals(&ledger, Grouping::Month, utc_offset_s),
        spent: ledger.iter().map(LedgerEntry::spent).sum(),
        refunded: ledger.iter().map(LedgerEntry::refunded).sum(),
        ledger: std::sync::Arc::new(ledger),
    }
}

/// The ledger as CSV, one row per job, for a spreadsheet.
pub fn to_csv(entries: &[LedgerEntry], utc_offset_s: i64) -> Result<String, csv::Error> {
    let mut writer = csv_writer();
    writer.write_record([
        "date",
        "job",
        "mode",
        "kind",
        "model",
        "quota",
        "spent",
        "settlement",
        "prompt",
    ])?;
    for entry in entries {
        let job = &entry.job;
        writer.write_record([
            day_label(local(job.made_at_ms, utc_offset_s)).as_str(),
            &spreadsheet_cell(&job.reference),
            job.mode.as_str(),
            job.kind.name(),
            &spreadsheet_cell(&job.model),
            &format_quota(job.quota),
            &format_quota(entry.spent()),
            entry.settlement.label(),
            &spreadsheet_cell(&job.prompt),
        ])?;
    }
    finished(writer)
}

/// Every CSV Moodgrid writes starts here: text cells are always quoted (with `spreadsheet_cell`, as
/// OWASP's CSV-injection advice asks), numbers are left bare so a spreadsheet still reads them as numbers.
fn csv_writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::NonNumeric)
        .from_writer(Vec::new())
}

/// A text cell as a spreadsheet may read it without running it. Spreadsheets take a cell that starts with
/// `=`, `+`, `-`, `@`, a tab or a carriage return as a formula (OWASP "CSV Injection"), so such a cell gets
/// a leading `'`, which they show as text. Control characters and bidirectional overrides go first, as
/// for a terminal: the CSV is also printed by `moodgrid spend --csv`, and removing them later could
/// uncover a formula. Numeric columns never pass through here, so a negative number stays a number.
pub fn spreadsheet_cell(text: &str) -> std::borrow::Cow<'_, str> {
    let clean = super::terminal_text::printable(text);
    if clean.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{clean}"))
    } else {
        clean
    }
}

/// The text a CSV writer holds.
fn finished(writer: csv::Writer<Vec<u8>>) -> Result<String, csv::Error> {
    let bytes = writer.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// CSV of totals, as `moodgrid spend --csv` prints them.
pub fn totals_csv(totals: &[Total]) -> Result<String, csv::Error> {
    let mut writer = csv_writer();
    writer.write_record(["group", "jobs", "spent", "refunded"])?;
    for total in totals {
        writer.write_record([
            spreadsheet_cell(&total.label).as_ref(),
            &total.jobs.to_string(),
            &format_quota(total.spent),
            &format_quota(total.refunded),
        ])?;
    }
    finished(writer)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;
    /// 2026-11-30 12:00 UTC.
    const NOON: i64 = 1_796_040_000_000;

    fn job(
        at: i64,
        mode: Mode,
        action: &str,
        prompt: &str,
        quota: f64,
        ending: Ending,
    ) -> PricedJob {
        PricedJob {
            job_id: at,
            reference: format!("job-{at}"),
            made_at_ms: at,
            mode,
            kind: PricedKind::of_action(action),
            model: crate::domain::pricing::model_key(prompt),
            prompt: prompt.to_owned(),
            quota,
            ending,
        }
    }

    #[test]
    fn failed_jobs_are_refunded_and_refusals_past_thirty_a_day_are_kept() {
        let mut jobs = vec![
            job(NOON, Mode::Fast, "imagine", "a cat", 2.0, Ending::Succeeded),
            job(
                NOON + 1,
                Mode::Fast,
                "imagine",
                "a cat",
                2.0,
                Ending::Failed,
            ),
            job(
                NOON + 2,
                Mode::Fast,
                "imagine",
                "a cat",
                2.0,
                Ending::Running,
            ),
        ];
        jobs.extend((0..32).map(|i| {
            job(
                NOON + 10 + i,
                Mode::Fast,
                "imagine",
                "bad",
                2.0,
                Ending::Refused,
            )
        }));
        jobs.push(job(
            NOON + DAY,
            Mode::Fast,
            "imagine",
            "bad",
            2.0,
            Ending::Refused,
        ));
        let ledger = settle(jobs);
        let settled: Vec<Settlement> = ledger.iter().map(|e| e.settlement).collect();
        assert_eq!(
            settled[..3],
            [
                Settlement::Charged,
                Settlement::Refunded,
                Settlement::Frozen
            ]
        );
        assert!(settled[3..33].iter().all(|s| *s == Settlement::Refunded));
        assert_eq!(settled[33..35], [Settlement::KeptPastRefusalLimit; 2]);
        assert_eq!(settled[35], Settlement::Refunded, "a new day, a new count");
        let spent: f64 = ledger.iter().map(LedgerEntry::spent).sum();
        assert_eq!(spent, 2.0 + 2.0 + 4.0, "charged, frozen, and the two kept");
        assert!(crate::domain::failure::is_refusal(
            "[Banned prompt detected] Sorry!"
        ));
        assert!(crate::domain::failure::is_refusal(
            "[TTAPI image filter] no"
        ));
        assert!(!crate::domain::failure::is_refusal("Job Timeout"));
    }

    #[test]
    fn the_ledger_sums_by_day_week_month_mode_and_kind() {
        let ledger = settle(vec![
            job(
                NOON - 40 * DAY,
                Mode::Relax,
                "imagine",
                "old --ar 1:1",
                1.0,
                Ending::Succeeded,
            ),
            job(
                NOON - DAY,
                Mode::Fast,
                "imagine",
                "a cat --ar 1:1",
                2.0,
                Ending::Succeeded,
            ),
            job(
                NOON - DAY + 1,
                Mode::Fast,
                "upsample2",
                "a cat --ar 1:1",
                1.0,
                Ending::Succeeded,
            ),
            job(
                NOON,
                Mode::Turbo,
                "imagine",
                "a cat --ar 16:9",
                4.0,
                Ending::Succeeded,
            ),
            job(
                NOON + 1,
                Mode::Fast,
                "imagine",
                "a dog",
                2.0,
                Ending::Failed,
            ),
        ]);
        let days = totals(&ledger, Grouping::Day, 0);
        assert_eq!(
            days[0],
            Total {
                label: "2026-11-30".into(),
                jobs: 2,
                spent: 4.0,
                refunded: 2.0
            }
        );
        assert_eq!(days[1].label, "2026-11-29");
        assert_eq!(days[1].spent, 3.0);
        let weeks = totals(&ledger, Grouping::Week, 0);
        assert_eq!(
            weeks[0].label, "2026-W49",
            "Monday 30 November starts ISO week 49"
        );
        assert_eq!(weeks[1].label, "2026-W48");
        let months = totals(&ledger, Grouping::Month, 0);
        assert_eq!(
            months.iter().map(|m| m.label.as_str()).collect::<Vec<_>>(),
            ["2026-11", "2026-10"]
        );
        let modes = totals(&ledger, Grouping::Mode, 0);
        assert_eq!(
            modes
                .iter()
                .map(|m| (m.label.as_str(), m.spent))
                .collect::<Vec<_>>(),
            [("turbo", 4.0), ("fast", 3.0), ("relax", 1.0)]
        );
        let kinds = totals(&ledger, Grouping::Kind, 0);
        assert_eq!(kinds[0].label, "imagine");
        assert_eq!(
            kinds[1],
            Total {
                label: "upsample".into(),
                jobs: 1,
                spent: 1.0,
                refunded: 0.0
            }
        );
        // A day west of UTC moves the late jobs back.
        assert_eq!(
            totals(&ledger, Grouping::Day, -13 * 3600)[0].label,
            "2026-11-29"
        );

        let chart = daily_by_mode(&ledger, NOON, 30, 0);
        assert_eq!(chart.len(), 30);
        assert_eq!(day_label(chart[29].date), "2026-11-30");
        assert_eq!(
            chart[29].by_mode,
            [0.0, 0.0, 4.0],
            "fast, relax, turbo; the failed dog refunded"
        );
        assert_eq!(chart[28].by_mode, [3.0, 0.0, 0.0]);
        assert!(
            chart[..28].iter().all(|d| d.by_mode == [0.0; 3]),
            "40 days ago is off the chart"
        );

        let spenders = biggest_spenders(&ledger, 2);
        assert_eq!(
            spenders[0],
            Spender {
                prompt: "a cat".into(),
                jobs: 3,
                spent: 7.0
            }
        );
        assert_eq!(spenders[1].prompt, "old");
        let csv = to_csv(&ledger, 0).unwrap_or_default();
        assert!(csv.starts_with(
            "\"date\",\"job\",\"mode\",\"kind\",\"model\",\"quota\",\"spent\",\"settlement\",\"prompt\"\n"
        ));
        assert!(
            csv.contains(
                "\"2026-11-30\",\"job-1796040000001\",\"fast\",\"imagine\",\"default\",2,0,\"refunded (failed)\",\"a dog\"\n"
            ),
            "{csv}"
        );
        let totals_csv = totals_csv(&days).unwrap_or_default();
        assert!(
            totals_csv.contains("\"2026-11-30\",2,4,2\n"),
            "{totals_csv}"
        );
    }

    #[test]
    fn spreadsheet_cells_never_start_a_formula() {
        let cases = [
            ("a cat", "a cat"),
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1+1", "'+1+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            // A carriage return goes with the control characters; what follows is defused on its own.
            ("\r=1", "'=1"),
            // Taking an escape away must not uncover a formula.
            ("\u{1b}=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
            ("a = b - c", "a = b - c"),
            ("'already", "'already"),
            ("", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(spreadsheet_cell(input), expected, "{input:?}");
        }
    }

    #[test]
    fn csv_text_cells_are_defused_and_quoted_numbers_stay_numbers() {
        let mut made = job(
            NOON,
            Mode::Fast,
            "imagine",
            "=1+2 --v 7",
            2.0,
            Ending::Succeeded,
        );
        made.model = "@model".into();
        let csv = to_csv(&settle(vec![made]), 0).unwrap_or_default();
        assert!(
            csv.ends_with(",\"'@model\",2,2,\"charged\",\"'=1+2 --v 7\"\n"),
            "{csv}"
        );
        let totals = [Total {
            label: "-group".into(),
            jobs: 1,
            spent: 2.0,
            refunded: 0.0,
        }];
        assert_eq!(
            totals_csv(&totals).unwrap_or_default(),
            "\"group\",\"jobs\",\"spent\",\"refunded\"\n\"'-group\",1,2,0\n"
        );
    }
}
