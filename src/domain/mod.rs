//! Pure types and rules shared by every layer: no IO, no egui, no tokio.

pub mod action;
pub mod board;
pub mod buttons;
pub mod export_name;
pub mod failure;
pub mod history;
pub mod mask;
pub mod mode;
pub mod params;
pub mod permute;
pub mod pricing;
pub mod prompt;
pub mod search;
pub mod spend;
pub mod status;
pub mod terminal_text;

pub use action::{Action, OutputShape, PanDirection, UpscaleKind};
pub use mode::{BlendDimensions, Mode};
pub use status::JobStatus;
