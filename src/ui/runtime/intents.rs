//! What a panel asks of the rest of the window: another view or job, something of another panel.
//! Panels push [`Intent`]s through `Services::ask`; the shell (`shell::app`) carries them out after the
//! panels have drawn, so no panel reaches into another's state. A move (`Show`, `Select`) asked in the top
//! bar is carried out before the view below it is drawn (`Services::carry_out_moves`).

use crate::domain::board::V2;
use crate::domain::mask::MaskOp;
use crate::ui::runtime::nav::View;
use crate::ui::sources::inputs::{SourceInput, SourceTarget};

/// What a panel asks of another one or of where the user is.
pub enum Intent {
    /// Show job N in the job view.
    OpenJob(i64),
    /// Make job N the selected one without leaving the view (a gallery tile or row clicked).
    Select(i64),
    /// Show another view in the middle (a tab, the board a drop went to).
    Show(View),
    /// Change the prompt in the prompt bar.
    Prompt(PromptEdit),
    /// Imagine this prompt now, in the prompt bar's mode (a described prompt).
    ImagineNow(String),
    /// The mode new jobs start with changed (Settings).
    DefaultMode(crate::domain::Mode),
    /// Open the mask editor on job N, with these operations already painted.
    EditMask {
        job: i64,
        ops: Vec<MaskOp>,
    },
    /// Images for Blend or Describe (or a board); `replace` empties Blend's slots first.
    Sources {
        target: SourceTarget,
        inputs: Vec<SourceInput>,
        replace: bool,
    },
    /// Put these jobs' images on the open board, at a board point or the middle of the view; `open` shows
    /// the board, else the user stays where they are and is told.
    AddToBoard {
        jobs: Vec<i64>,
        at: Option<V2>,
        open: bool,
    },
    /// Open the Export dialog on these jobs.
    Export(Vec<i64>),
    OpenSettings,
    ToggleSettings,
    ToggleAccount,
    ShowShortcuts,
}

/// A change to the prompt in the bar.
pub enum PromptEdit {
    /// A described prompt, used as it is.
    Replace(String),
    /// `--seed N` added (or replaced).
    Seed(String),
    /// These image addresses put in front of the prompt.
    ImagePrompts(Vec<String>),
    /// These image addresses as a style, character or omni reference.
    Reference(crate::ui::studio::parameters::ReferenceUse, Vec<String>),
}
