//! How jobs are printed (one JSON object per line with `--json`, a short line otherwise) and which exit
//! code an outcome gives.

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
        println!("{}", job_json(library, job));
    } else {
        println!("{}", printable(&job_line(library, job)));
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
            Some(dir) => println!("{}", dir.join(file).display()),
            None => println!("{file}"),
        }
    }
    eprintln!("moodgrid: {}", report.summary());
}
