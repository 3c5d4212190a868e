//! The commands that use the library alone (`list`, `search`, `export`, `board`, `trash`, `restore`,
//! `rate`, `flag`, `cancel`): they open it directly, start no engine and send nothing. Another process on
//! the library sees what they write through its watcher.

use std::path::PathBuf;

use super::args::{BoardCommand, GlobalArgs, Listing};
use super::{Exit, Failure, find, find_all, open_library, output};
use crate::domain::search::SearchQuery;
use crate::domain::terminal_text::printable;
use crate::library::{Cancellation, ExportImages, ExportOptions, ExportTarget, JobFilter, Mark};

/// `list` (an empty query) and `search`: the newest jobs found, one line (or one JSON object) each.
pub(super) fn search(global: &GlobalArgs, query: &str, listing: &Listing) -> Result<Exit, Failure> {
    let since = listing
        .since
        .as_deref()
        .map(crate::clock::start_of_day)
        .transpose()
        .map_err(|e| Failure(Exit::Usage, e))?;
    let filter = JobFilter {
        min_rating: listing.rating.unwrap_or(0),
        since,
    };
    let library = open_library(global)?;
    let unavailable = |e: crate::library::LibraryError| Failure(Exit::Unavailable, e.to_string());
    let hits = library
        .search(&SearchQuery::parse(query), &filter, listing.limit)
        .map_err(unavailable)?;
    for hit in hits {
        output::print_job(
            &library,
            &library.job(hit.id).map_err(unavailable)?,
            listing.json,
        );
    }
    Ok(Exit::Success)
}

/// `rate`, `flag`: the job's verdict, written straight into the library (an open window sees it change).
pub(super) fn mark(global: &GlobalArgs, reference: &str, mark: Mark) -> Result<Exit, Failure> {
    let library = open_library(global)?;
    let job = find(&library, reference)?;
    let job = library
        .mark_job(job.id, mark)
        .map_err(|e| Failure(Exit::Unavailable, e.to_string()))?;
    output::print_job(&library, &job, false);
    Ok(Exit::Success)
}

/// `trash`: jobs into the Trash, the Trash listed, or the Trash emptied.
pub(super) fn trash(global: &GlobalArgs, jobs: &[String], empty: bool) -> Result<Exit, Failure> {
    let library = open_library(global)?;
    let unavailable = |e: crate::library::LibraryError| Failure(Exit::Unavailable, e.to_string());
    if empty {
        let freed = library.empty_trash().map_err(unavailable)?;
        eprintln!(
            "moodgrid: emptied the Trash: {} job(s) deleted, {} file(s), {:.1} MB freed",
            freed.jobs,
            freed.files,
            freed.bytes as f64 / 1e6
        );
        return Ok(Exit::Success);
    }
    if jobs.is_empty() {
        for job in library.trashed_jobs().map_err(unavailable)? {
            output::print_job(&library, &job, false);
        }
        return Ok(Exit::Success);
    }
    let ids = find_all(&library, jobs)?;
    let outcome = library.trash_jobs(&ids).map_err(unavailable)?;
    eprintln!(
        "moodgrid: {} job(s) moved to the Trash (`moodgrid restore` brings them back)",
        outcome.trashed.len()
    );
    if outcome.running.is_empty() {
        return Ok(Exit::Success);
    }
    let running: Vec<String> = outcome.running.iter().map(|id| format!("#{id}")).collect();
    Err(Failure(
        Exit::Usage,
        format!(
            "{} still running: a job in motion cannot be trashed",
            running.join(", ")
        ),
    ))
}

/// `cancel`: the named jobs, or every queued one, taken back before they are sent. Exit code 1 when one
/// of them was already sent.
pub(super) fn cancel(global: &GlobalArgs, jobs: &[String], queued: bool) -> Result<Exit, Failure> {
    let library = open_library(global)?;
    let unavailable = |e: crate::library::LibraryError| Failure(Exit::Unavailable, e.to_string());
    let ids = if queued {
        library
            .queued_jobs()
            .map_err(unavailable)?
            .iter()
            .map(|job| job.id)
            .collect()
    } else {
        find_all(&library, jobs)?
    };
    if ids.is_empty() {
        eprintln!("moodgrid: no job is waiting to be sent");
        return Ok(Exit::Success);
    }
    let mut exit = Exit::Success;
    for outcome in library.cancel_jobs(&ids).map_err(unavailable)? {
        let line = match outcome {
            Cancellation::Cancelled(job) => {
                format!("#{} cancelled: never sent, nothing charged", job.id)
            }
            Cancellation::AlreadySent(job) => {
                exit = Exit::JobFailed;
                format!(
                    "#{} was already sent ({}): TTAPI has no cancel, so it runs to its end and is charged",
                    job.id,
                    job.state.as_str()
                )
            }
            Cancellation::AlreadyEnded(job) => {
                format!("#{} had already ended ({})", job.id, job.state.as_str())
            }
            Cancellation::Missing(id) => format!("#{id} is not in the library"),
        };
        eprintln!("moodgrid: {line}");
    }
    Ok(exit)
}

/// `restore`: jobs back from the Trash.
pub(super) fn restore(global: &GlobalArgs, jobs: &[String]) -> Result<Exit, Failure> {
    let library = open_library(global)?;
    let ids = find_all(&library, jobs)?;
    let restored = library
        .restore_jobs(&ids)
        .map_err(|e| Failure(Exit::Unavailable, e.to_string()))?;
    eprintln!("moodgrid: {} job(s) restored", restored.len());
    Ok(Exit::Success)
}

/// `export`: jobs' images with their facts, to a folder or a zip.
pub(super) fn export(
    global: &GlobalArgs,
    jobs: &[String],
    to: Option<PathBuf>,
    zip: Option<PathBuf>,
    template: String,
    all: bool,
) -> Result<Exit, Failure> {
    let library = open_library(global)?;
    let ids = find_all(&library, jobs)?;
    let target = match (to, zip) {
        (_, Some(zip)) => ExportTarget::Zip(zip),
        (Some(dir), None) => ExportTarget::Folder(dir),
        (None, None) => {
            return Err(Failure(Exit::Usage, "give --to DIR or --zip FILE".into()));
        }
    };
    let options = ExportOptions {
        template,
        images: if all {
            ExportImages::All
        } else {
            ExportImages::Main
        },
    };
    let report = library
        .export_jobs(&ids, &options, &target)
        .map_err(|e| match e {
            crate::library::LibraryError::Template(_) => Failure(Exit::Usage, e.to_string()),
            other => Failure(Exit::Unavailable, other.to_string()),
        })?;
    output::print_export(&report);
    Ok(if report.files.is_empty() {
        Exit::JobFailed
    } else {
        Exit::Success
    })
}

/// `board list` and `board render`.
pub(super) fn board(global: &GlobalArgs, command: BoardCommand) -> Result<Exit, Failure> {
    let library = open_library(global)?;
    let unavailable = |e: crate::library::LibraryError| Failure(Exit::Unavailable, e.to_string());
    let boards = library.boards().map_err(unavailable)?;
    match command {
        BoardCommand::List => {
            for stored in &boards {
                say!(
                    "{:>4}  {:>4} items  {}",
                    stored.id,
                    stored.board.items().len(),
                    printable(&stored.board.name)
                );
            }
        }
        BoardCommand::Render {
            board,
            scale,
            output,
        } => {
            if !(scale.is_finite() && scale > 0.0) {
                return Err(Failure(
                    Exit::Usage,
                    format!("--scale must be above 0, not {scale}"),
                ));
            }
            let wanted = boards
                .iter()
                .find(|b| b.id.to_string() == board)
                .or_else(|| {
                    boards
                        .iter()
                        .find(|b| b.board.name.eq_ignore_ascii_case(&board))
                });
            let Some(stored) = wanted else {
                let names: Vec<&str> = boards.iter().map(|b| b.board.name.as_str()).collect();
                return Err(Failure(
                    Exit::Usage,
                    format!("no board `{board}` (the library has: {})", names.join(", ")),
                ));
            };
            let rendered = crate::library::render_board(library.root(), &stored.board, scale)
                .map_err(|e| Failure(Exit::Usage, e.to_string()))?;
            crate::files::write_atomically(&output, &rendered.png).map_err(|e| {
                Failure(
                    Exit::Unavailable,
                    format!("could not write {}: {e}", output.display()),
                )
            })?;
            for file in &rendered.missing {
                eprintln!(
                    "moodgrid: {} could not be read; it shows as a grey box",
                    printable(file)
                );
            }
            say!(
                "{} ({} × {} px)",
                printable(&output.display().to_string()),
                rendered.width,
                rendered.height
            );
        }
    }
    Ok(Exit::Success)
}
