//! The prompt studio and the account on the command line: `params` (what Moodgrid reads in a prompt),
//! `imagine`'s permutation batches with their estimate and the confirm threshold, `account` and `spend`.

use serde_json::json;

use super::args::{Follow, GlobalArgs, SpendBy};
use super::jobs::{engine_exit, start_engine, submit_all};
use super::output::{json_line, say_text};
use super::{Exit, Failure, open_library, settings};
use crate::api::{ApiKey, BaseUrl, ModeHealth};
use crate::domain::Mode;
use crate::domain::params::{self, Certainty};
use crate::domain::permute;
use crate::domain::pricing::{Basis, PriceBook, PriceTable, format_quota};
use crate::domain::spend::{self, Grouping};
use crate::domain::terminal_text::printable;
use crate::engine::{Command, NewSubmission};

/// What `moodgrid imagine` was asked.
pub(super) struct Batch {
    pub prompt: String,
    pub mode: Mode,
    pub timeout: Option<u32>,
    pub permute: bool,
    pub dry_run: bool,
    pub yes: bool,
}

/// `imagine`: expands the prompt, warns about its parameters, estimates it, and sends it unless it is a
/// dry run or a batch over the threshold without `--yes`.
pub(super) fn imagine(global: &GlobalArgs, batch: Batch, follow: Follow) -> Result<Exit, Failure> {
    let prompts = permute::batch(&batch.prompt, batch.permute)
        .map_err(|e| Failure(Exit::Usage, format!("the prompt's braces: {e}")))?;
    let mut warned = Vec::new();
    for prompt in &prompts {
        for warning in params::check(prompt) {
            if !warned.contains(&warning.message) {
                eprintln!("moodgrid: warning: {}", printable(&warning_line(&warning)));
                warned.push(warning.message);
            }
        }
    }
    let library = open_library(global)?;
    let charges = library
        .recent_charges()
        .map_err(|e| Failure(Exit::Unavailable, e.to_string()))?;
    let book = PriceBook::learn(PriceTable::default(), charges);
    let (quota, basis) = book.estimate_imagines(batch.mode, &prompts);
    let estimate = estimate_line(prompts.len(), quota, basis);
    if batch.dry_run {
        for prompt in &prompts {
            say!("{}", printable(prompt));
        }
        say!("{estimate}");
        return Ok(Exit::Success);
    }
    let threshold = settings(global)?.confirm_above_quota;
    if quota > threshold && !batch.yes {
        return Err(Failure(
            Exit::Usage,
            format!(
                "{estimate}, above the confirm threshold of {} quota (Settings): run again with --yes to send it, \
                 or --dry-run to see the prompts",
                format_quota(threshold)
            ),
        ));
    }
    if prompts.len() > 1 {
        eprintln!("moodgrid: {estimate}");
    }
    let submissions = prompts
        .into_iter()
        .map(|prompt| NewSubmission::Imagine {
            prompt,
            mode: batch.mode,
            timeout: batch.timeout,
        })
        .collect();
    submit_all(global, &library, submissions, follow)
}

fn estimate_line(jobs: usize, quota: f64, basis: Basis) -> String {
    let basis = match basis {
        Basis::Default => "default prices".to_owned(),
        Basis::Learned { .. } => "learned from your charges".to_owned(),
    };
    let jobs = if jobs == 1 {
        "1 job".to_owned()
    } else {
        format!("{jobs} jobs")
    };
    format!("{jobs}, estimated {} quota ({basis})", format_quota(quota))
}

fn warning_line(warning: &params::Warning) -> String {
    let sure = match warning.certainty() {
        Certainty::Confirmed => "",
        Certainty::Unconfirmed => ", unconfirmed",
    };
    format!("{} [{}{sure}]", warning.message, warning.source.describe())
}

/// `params`: the text, each parameter, the warnings, and a permutation's prompts.
pub(super) fn params(prompt: &str) -> Result<Exit, Failure> {
    let parsed = params::parse(prompt);
    say!("text: {}", printable(&prompt[parsed.text.clone()]));
    for param in &parsed.params {
        let label = param.spec.map_or("unknown", |s| s.label);
        say!(
            "{:<12} {:<24} {}",
            printable(param.flag()),
            label,
            printable(&param.value)
        );
    }
    let warnings = params::check(prompt);
    for warning in &warnings {
        say!("warning: {}", printable(&warning_line(warning)));
    }
    if permute::is_batch(prompt) {
        match permute::batch(prompt, true) {
            Ok(prompts) => {
                say!("expands to {} prompts:", prompts.len());
                for p in prompts {
                    say!("  {}", printable(&p));
                }
            }
            Err(e) => say!("warning: the prompt's braces: {e}"),
        }
    }
    Ok(if warnings.is_empty() {
        Exit::Success
    } else {
        Exit::JobFailed
    })
}

/// `account`: `info` and `/midjourney/status`, through the engine like every call to the service.
pub(super) fn account(global: &GlobalArgs, as_json: bool) -> Result<Exit, Failure> {
    let engine = start_engine(global)?;
    let failure = |e: crate::engine::EngineError| Failure(engine_exit(&e), e.to_string());
    let info = engine
        .ask_blocking(|reply| Command::CheckAccount {
            base: BaseUrl::official(),
            key: None::<ApiKey>,
            reply,
        })
        .map_err(failure)?
        .map_err(|e| failure(e.into()))?;
    let status = engine
        .ask_blocking(|reply| Command::ServiceStatus { reply })
        .map_err(failure)?;
    if as_json {
        let status = status.as_ref().ok();
        say!(
            "{}",
            json_line(&json!({
                "balance": info.balance,
                "freeze_balance": info.freeze_balance,
                "max_queue": info.max_queue,
                "status": status,
            }))
        );
        return Ok(Exit::Success);
    }
    let quota = |q: Option<f64>| q.map_or("?".to_owned(), format_quota);
    say!("balance: {} quota", quota(info.balance));
    say!(
        "frozen:  {} quota (running jobs)",
        quota(info.freeze_balance)
    );
    if let Some(max) = info.max_queue {
        say!("queue:   {max} jobs at once");
    }
    match status {
        Ok(status) => {
            for (mode, health) in [
                (Mode::Fast, &status.fast),
                (Mode::Relax, &status.relax),
                (Mode::Turbo, &status.turbo),
            ] {
                let said = health
                    .as_ref()
                    .map_or("not reported".to_owned(), ModeHealth::summary);
                say!("{:<6} {}", mode.as_str(), printable(&said));
            }
        }
        Err(e) => eprintln!(
            "moodgrid: the service status is unavailable: {}",
            printable(&e.to_string())
        ),
    }
    Ok(Exit::Success)
}

/// `spend`: the ledger since a day, grouped, as a table or CSV.
pub(super) fn spend(
    global: &GlobalArgs,
    since: Option<&str>,
    by: SpendBy,
    as_csv: bool,
) -> Result<Exit, Failure> {
    let since_ms = match since {
        Some(day) => crate::clock::start_of_day(day).map_err(|e| Failure(Exit::Usage, e))?,
        None => crate::clock::start_of_day_of(crate::library::now_ms() - 29 * 86_400_000),
    };
    let library = open_library(global)?;
    let ledger = library
        .ledger(since_ms)
        .map_err(|e| Failure(Exit::Unavailable, e.to_string()))?;
    let offset = crate::clock::local_offset_seconds();
    let csv_failed = |e: csv::Error| Failure(Exit::Unavailable, e.to_string());
    let grouping = match by {
        SpendBy::Day => Grouping::Day,
        SpendBy::Week => Grouping::Week,
        SpendBy::Month => Grouping::Month,
        SpendBy::Mode => Grouping::Mode,
        SpendBy::Kind => Grouping::Kind,
        SpendBy::Job if as_csv => {
            // Its text cells are already `spreadsheet_cell`s: no control characters in them.
            say_text(&spend::to_csv(&ledger, offset).map_err(csv_failed)?);
            return Ok(Exit::Success);
        }
        SpendBy::Job => {
            for entry in &ledger {
                say!(
                    "{:<36} {:<6} {:<10} {:>7}  {:<9} {}",
                    printable(&entry.job.reference),
                    entry.job.mode.as_str(),
                    entry.job.kind.name(),
                    format_quota(entry.spent()),
                    short_settlement(entry.settlement),
                    printable(&crate::domain::prompt::first_line(&entry.job.prompt, 60))
                );
            }
            return Ok(Exit::Success);
        }
    };
    let totals = spend::totals(&ledger, grouping, offset);
    if as_csv {
        say_text(&spend::totals_csv(&totals).map_err(csv_failed)?);
        return Ok(Exit::Success);
    }
    say!(
        "{:<12} {:>6} {:>10} {:>10}",
        "",
        "jobs",
        "spent",
        "refunded"
    );
    for total in &totals {
        say!(
            "{:<12} {:>6} {:>10} {:>10}",
            printable(&total.label),
            total.jobs,
            format_quota(total.spent),
            format_quota(total.refunded)
        );
    }
    let spent: f64 = totals.iter().map(|t| t.spent).sum();
    let refunded: f64 = totals.iter().map(|t| t.refunded).sum();
    let jobs: usize = totals.iter().map(|t| t.jobs).sum();
    say!(
        "{:<12} {:>6} {:>10} {:>10}",
        "total",
        jobs,
        format_quota(spent),
        format_quota(refunded)
    );
    Ok(Exit::Success)
}

fn short_settlement(settlement: spend::Settlement) -> &'static str {
    match settlement {
        spend::Settlement::Frozen => "frozen",
        spend::Settlement::Charged => "charged",
        spend::Settlement::Refunded => "refunded",
        spend::Settlement::KeptPastRefusalLimit => "kept",
    }
}
