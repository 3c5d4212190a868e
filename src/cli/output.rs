//! How jobs are printed (one JSON object per line with `--json`, a short line otherwise) and which exit
//! code an outcome gives.

use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Value, json};

use crate::domain::terminal_text::printable;
use crate::library::{FailureKind, ImageRole, JobRecord, JobState, Library};

/// The documented exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    Success = 0,
    JobFailed = 1,
    Usage = 2,
    Account = 3,
    Unavailable = 4,
    /// Stopped with Ctrl+C (128 + SIGINT, as shells report it).
    Interrupted = 130,
}

impl Exit {
    pub fn for_failure(kind: FailureKind) -> Exit {
        match kind {
            FailureKind::Job => Exit::JobFailed,
            FailureKind::Invalid => Exit::Usage,
            FailureKind::Account => Exit::Account,
            FailureKind::Unavailable => Exit::Unavailable,
        }
    }

    /// The exit code a job in this state gives.
    pub fn for_job(job: &JobRecord) -> Exit {
        match job.state {
            JobState::Failed | JobState::Abandoned => Exit::JobFailed,
            JobState::Unconfirmed => Exit::Unavailable,
            JobState::Rejected => {
                Exit::for_failure(job.failure_kind.unwrap_or(FailureKind::Invalid))
            }
            _ => Exit::Success,
        }
    }
}

/// Standard output stopped taking writes: nothing more is printed.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);
/// It stopped for a reason other than its reader leaving (a full disk): the command did not do its job.
static STDOUT_FAILED: AtomicBool = AtomicBool::new(false);

/// Writes to standard output, which `say!` and `say_text` go through. A closed pipe (`moodgrid list |
/// head -1`) means the reader went away, as for any Unix tool: nothing more is printed, the command
/// carries on and exits as it would have, with no panic (`println!` panics there). Any other failure is
/// said once on stderr and fails the command ([`output_failed`]).
pub fn write_out(text: std::fmt::Arguments<'_>) {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut stdout = std::io::stdout().lock();
    let written = stdout.write_fmt(text).and_then(|()| stdout.flush());
    if let Err(e) = written {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            STDOUT_FAILED.store(true, Ordering::Relaxed);
            eprintln!("moodgrid: could not write the output: {e}");
        }
    }
}

/// Text printed as it is, no line added (a CSV, a completion script).
pub fn say_text(text: &str) {
    write_out(format_args!("{text}"));
}

/// Whether writing the output failed other than by its reader leaving.
pub fn output_failed() -> bool {
    STDOUT_FAILED.load(Ordering::Relaxed)
}

/// A JSON line as it is printed: the same JSON, with the characters a terminal would act on (C1
/// controls, DEL, bidirectional overrides, which serde_json leaves as they are) written as `\uXXXX`
/// escapes, so `--json` output is safe on a terminal and parses to the same text.
pub fn json_line(value: &Value) -> String {
    crate::domain::terminal_text::json_escaped(&value.to_string()).into_owned()
}

/// `SUCCESS`, `FAILED`, or where the job is now.
pub fn status_word(job: &JobRecord) -> String {
    match job.state {
        JobState::Succeeded => "SUCCESS".into(),
        JobState::Failed | JobState::Abandoned | JobState::Rejected => "FAILED".into(),
        JobState::Pending | JobState::Running => job
            .remote_status
            .clone()
            .unwrap_or_else(|| "ON_QUEUE".into()),
        JobState::Downloading => "DOWNLOADING".into(),
        other => other.as_str().to_ascii_uppercase(),
    }
}

/// The files a user gets from a job: its outputs (grid first, then the splits), or for describe the image.
pub fn files(library: &Library, job_id: i64) -> Vec<String> {
    let images = library.image_files(job_id).unwrap_or_default();
    let has_outputs = images.iter().any(|i| i.record.role.is_output());
    images
        .iter()
        .filter(|i| {
            if has_outputs {
                i.record.role.is_output()
            } else {
                i.record.role == ImageRole::Source
            }
        })
        .map(|i| {
            std::fs::canonicalize(&i.path)
                .unwrap_or_else(|_| i.path.clone())
                .display()
                .to_string()
        })
        .collect()
}

pub fn job_json(library: &Library, job: &JobRecord) -> Value {
    let parent = job.parent_id.and_then(|p| library.job(p).ok());
    json!({
        "jobId": job.remote_id,
        "localId": job.id,
        "status": status_word(job),
        "state": job.state.as_str(),
        "action": job.action,
        "prompt": job.prompt,
        "mode": job.mode.map(|m| m.as_str()),
        "progress": job.progress,
        "components": job.components,
        "seed": job.seed,
        "quota": job.quota,
        "width": job.width,
        "height": job.height,
        "parentJobId": parent.and_then(|p| p.remote_id),
        "message": job.message,
        "files": files(library, job.id),
        "backend": job.backend,
        "rating": job.rating,
        "flag": job.flag.map(|f| f.as_str()),
    })
}

/// One line for people: id, status, action, prompt, then the files.
pub fn job_line(library: &Library, job: &JobRecord) -> String {
    let id = job.reference();
    let prompt = crate::domain::prompt::first_line(&job.prompt, 60);
    let mut line = format!("{id}  {:<13} {:<16} {prompt}", status_word(job), job.action);
    if job.rating > 0 {
        line.push_str(&format!("  {}", crate::library::stars(job.rating)));
    }
    if let Some(flag) = job.flag {
        line.push_str(&format!("  [{}]", flag.as_str()));
    }
    if let Some(message) = job
        .message
        .as_deref()
        .filter(|_| job.state != JobState::Succeeded)
    {
        line.push_str(&format!("\n    {message}"));
    }
    for file in files(library, job.id) {
        line.push_str(&format!("\n    {file}"));
    }
    line
}

pub fn print_job(library: &Library, job: &JobRecord, as_json: bool) {
    if as_json {
        say!("{}", json_line(&job_json(library, job)));
    } else {
        say!("{}", printable(&job_line(library, job)));
    }
}

/// The files an export wrote, one path a line on stdout (for scripts), and what it means on stderr.
pub fn print_export(report: &crate::library::ExportReport) {
    let folder = match &report.target {
        crate::library::ExportTarget::Folder(dir) => Some(dir),
        crate::library::ExportTarget::Zip(_) => None,
    };
    for file in &report.files {
        match folder {
            Some(dir) => say!("{}", printable(&dir.join(file).display().to_string())),
            None => say!("{}", printable(file)),
        }
    }
    eprintln!("moodgrid: {}", printable(&report.summary()));
}
