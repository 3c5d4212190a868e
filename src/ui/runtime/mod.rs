//! What panels draw with and ask through, none of it drawn: `Services` (the job list, textures, settings,
//! status, and the outbox for engine commands, Intents and toasts), the engine link behind it, the job list,
//! the texture cache and thumbnails, off-thread chores, answers still to come, the double-press guard and the
//! frame report. It uses `kit` and the plain types panels hand it (sources' inputs, Intents); no panel.

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
