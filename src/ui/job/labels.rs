//! What a job is called on screen, how its state reads, and the icon it shows without a picture.

use crate::library::{JobRecord, JobState};
use crate::ui::kit::icons;

/// What a job is called on screen: its prompt; for a describe job its first answer; else its action.
pub(in crate::ui) fn job_title(job: &JobRecord) -> String {
    if job.kind == crate::library::JobKind::Describe {
        let first = crate::domain::prompt::describe_prompts(&job.prompt)
            .into_iter()
            .next()
            .unwrap_or_default();
        return format!("Describe: {first}");
    }
    if job.prompt.is_empty() {
        job.action.clone()
    } else {
        job.prompt.clone()
    }
}

pub(in crate::ui) fn state_text(job: &JobRecord) -> String {
    match job.state {
        JobState::Queued => "queued here".into(),
        JobState::Pending => "waiting at TTAPI".into(),
        JobState::Running => format!("running {}%", job.progress.unwrap_or(0)),
        JobState::Downloading => "saving images".into(),
        JobState::Uncertain => "looking in TTAPI's history".into(),
        JobState::Submitting => "sending".into(),
        other => other.as_str().into(),
    }
}

/// What a job without a picture shows in its place.
pub(in crate::ui) fn state_icon(job: &JobRecord) -> icons::Icon {
    match job.state {
        JobState::Succeeded => icons::SUCCEEDED,
        JobState::Failed | JobState::Rejected | JobState::Abandoned | JobState::Unconfirmed => {
            icons::FAILED
        }
        JobState::Cancelled => icons::CANCEL,
        _ => icons::WAITING,
    }
}
