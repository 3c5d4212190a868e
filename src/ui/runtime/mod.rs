//! What panels draw with and ask through: `Services` (the job list, textures, settings, status, and one
//! outbox for engine commands, Intents and toasts) and what sits behind it: the engine link and its
//! restarts (`link`), what comes back (`inbox`), the job requests and their guards (`requests`), the job
//! list, the texture cache and thumbnails, off-thread chores, answers still to come, the frame report. The
//! toasts are the only thing here that draws. Uses `kit`, `job::labels` (a finished job's toast names it)
//! and the plain types panels hand it (`sources::inputs`, `studio::parameters::ReferenceUse`); no panel.

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
pub(in crate::ui) mod textures;
pub(in crate::ui) mod thumbnails;
pub(in crate::ui) mod toasts;
