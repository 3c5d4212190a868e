//! One job and the jobs as they come: the job view (picture, details, component buttons), the live feed,
//! a job's stars and flag (`verdict`, also drawn by the gallery and review), the Export dialog, and what a
//! job is called on screen (`labels`). Uses `kit` and `runtime`.

pub(in crate::ui) mod export;
pub(in crate::ui) mod feed;
pub(in crate::ui) mod labels;
pub(in crate::ui) mod verdict;
pub(in crate::ui) mod view;
