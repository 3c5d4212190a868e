//! One job and the jobs as they come: the job view (`view`: the picture, and the details column with the
//! job's facts, failure, component buttons, image actions and family), the live feed, a job's stars and
//! flag (`verdict`, also drawn by the gallery and review), the Export dialog, and what a job is called on
//! screen (`labels`). Uses `kit` and `runtime`.

mod buttons;
mod details;
pub(in crate::ui) mod export;
mod failure;
pub(in crate::ui) mod feed;
mod image_actions;
pub(in crate::ui) mod labels;
mod lineage;
mod nothing_open;
pub(in crate::ui) mod verdict;
pub(in crate::ui) mod view;
