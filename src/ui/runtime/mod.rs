//! What panels draw with and ask through: `Services` (the job list, textures, settings, status, and one
//! outbox for engine commands, Intents and toasts) and what sits behind it: the engine link and its
//! restarts (`link`), what comes back (`inbox`), the job requests and their guards (`requests`), the job
//! list, the texture cache and thumbnails, off-thread chores, answers still to come, the frame report. The
//! toasts are the only thing here that draws. Uses `kit`, `job::labels` (a finished job's toast names it)
//! and the plain types panels hand it (`sources::inputs`, `studio::parameters::ReferenceUse`); no panel.
//!
//! Where a change goes:
//! - what every panel reads or asks through: `Services` in `services.rs` (`send`, `refused`, `ask`);
//!   where the user is: `Nav` in `nav.rs`, changed only as the shell carries out an Intent.
//! - one panel asking something of another: a variant of `Intent` in `intents.rs`, carried out by
//!   `MoodgridApp::carry_out` (`shell/app.rs`), or by `Services::carry_out_moves` for a move.
//! - the engine link and its restarts: `link.rs`; what the window takes in each frame: `inbox.rs`.
//! - a job request and its guard (submit, batches, press, cancel, Trash and its undo): `requests.rs`; one
//!   press, one job: `submit_guard.rs`; an upscale already made opens instead: `Services::press`.
//! - which jobs the window holds, or how it reads one it lacks: `job_list.rs` (`get`, `take_missing`,
//!   `add_read`), over `Library::window_jobs`/`jobs_by_id`/`family_jobs` and
//!   `Command::LoadJobs`/`ReadJobs`/`ReadFamily`.
//! - prices and the service status every panel reads, and their refresh: `AccountData` in
//!   `account_data.rs`, held as `services.status.account`.
//! - textures and their budget: `textures.rs`; a job's thumbnail: `thumbnails.rs`; work off the UI thread
//!   (dialogs, clipboard, fonts, sources): `chores.rs`; an answer still to come: `pending.rs`.
//! - the toasts (bottom centre): `toasts.rs`; `MOODGRID_FRAME_REPORT`: `frame_report.rs`.
//! - what a panel test needs (frames until the engine answered, a finished job in the library): `testing.rs`.

pub(in crate::ui) mod account_data;
pub(in crate::ui) mod chores;
pub(in crate::ui) mod frame_report;
mod inbox;
pub(in crate::ui) mod intents;
pub(in crate::ui) mod job_list;
mod link;
pub(in crate::ui) mod nav;
pub(in crate::ui) mod pending;
mod requests;
pub(in crate::ui) mod services;
pub(in crate::ui) mod submit_guard;
#[cfg(test)]
pub(in crate::ui) mod testing;
pub(in crate::ui) mod textures;
pub(in crate::ui) mod thumbnails;
pub(in crate::ui) mod toasts;
