//! Moodgrid's icons: Material Symbols (outlined), named by what they do here, so a panel says `icons::UNDO`
//! and one place decides what undo looks like. Buttons that show them are in `controls`.

pub use egui_material_icons::MaterialIcon as Icon;
use egui_material_icons::icons as symbols;

/// Makes the icon font known to egui. Once, at start.
pub fn install(ctx: &egui::Context) {
    egui_material_icons::initialize(ctx);
}

// Navigation.
pub const JOB: Icon = symbols::ICON_IMAGE;
pub const GALLERY: Icon = symbols::ICON_GRID_VIEW;
pub const BLEND: Icon = symbols::ICON_JOIN;
pub const DESCRIBE: Icon = symbols::ICON_IMAGE_SEARCH;
pub const BOARDS: Icon = symbols::ICON_DASHBOARD;
pub const MASK: Icon = symbols::ICON_BRUSH;
pub const SETTINGS: Icon = symbols::ICON_SETTINGS;
pub const ACCOUNT: Icon = symbols::ICON_ACCOUNT_BALANCE_WALLET;
pub const HELP: Icon = symbols::ICON_HELP;
pub const OFFLINE: Icon = symbols::ICON_CLOUD_OFF;
pub const ONLINE: Icon = symbols::ICON_CLOUD_DONE;

// The prompt.
pub const IMAGINE: Icon = symbols::ICON_AUTO_AWESOME;
pub const CHECK: Icon = symbols::ICON_SPELLCHECK;
pub const HISTORY: Icon = symbols::ICON_HISTORY;
pub const PARAMETERS: Icon = symbols::ICON_TUNE;

// Viewing an image or a board.
pub const FIT: Icon = symbols::ICON_FIT_SCREEN;

// What can be done with an image or a job.
pub const COPY: Icon = symbols::ICON_CONTENT_COPY;
pub const SAVE: Icon = symbols::ICON_DOWNLOAD;
pub const EXPORT: Icon = symbols::ICON_IOS_SHARE;
pub const OPEN_FOLDER: Icon = symbols::ICON_FOLDER_OPEN;
pub const ADD_TO_BOARD: Icon = symbols::ICON_DASHBOARD_CUSTOMIZE;
pub const JOB_ID: Icon = symbols::ICON_TAG;
pub const PAN_LEFT: Icon = symbols::ICON_ARROW_BACK;
pub const PAN_RIGHT: Icon = symbols::ICON_ARROW_FORWARD;
pub const PAN_UP: Icon = symbols::ICON_ARROW_UPWARD;
pub const PAN_DOWN: Icon = symbols::ICON_ARROW_DOWNWARD;
pub const PROMPT: Icon = symbols::ICON_NOTES;
pub const RETRY: Icon = symbols::ICON_REPLAY;
pub const IMAGE_PROMPT: Icon = symbols::ICON_LINK;
pub const REFERENCE: Icon = symbols::ICON_PALETTE;

// Boards.
pub const NEW: Icon = symbols::ICON_ADD;
pub const RENAME: Icon = symbols::ICON_EDIT;
pub const DELETE: Icon = symbols::ICON_DELETE;
pub const IMPORT: Icon = symbols::ICON_FILE_OPEN;
pub const RENDER: Icon = symbols::ICON_WALLPAPER;
pub const UNDO: Icon = symbols::ICON_UNDO;
pub const REDO: Icon = symbols::ICON_REDO;
pub const ADD_IMAGES: Icon = symbols::ICON_ADD_PHOTO_ALTERNATE;
pub const NOTE: Icon = symbols::ICON_STICKY_NOTE_2;
pub const ARRANGE_GRID: Icon = symbols::ICON_APPS;
pub const ARRANGE_ROW: Icon = symbols::ICON_VIEW_WEEK;
pub const SAME_HEIGHT: Icon = symbols::ICON_HEIGHT;
pub const SAME_WIDTH: Icon = symbols::ICON_WIDTH;
pub const ROTATE: Icon = symbols::ICON_ROTATE_90_DEGREES_CW;
pub const FLIP: Icon = symbols::ICON_FLIP;
pub const TO_FRONT: Icon = symbols::ICON_FLIP_TO_FRONT;
pub const TO_BACK: Icon = symbols::ICON_FLIP_TO_BACK;
pub const CROP: Icon = symbols::ICON_CROP;

// The mask editor.
pub const BRUSH: Icon = symbols::ICON_BRUSH;
pub const ERASER: Icon = symbols::ICON_INK_ERASER;
pub const RECTANGLE: Icon = symbols::ICON_CROP_SQUARE;
pub const LASSO: Icon = symbols::ICON_LASSO_SELECT;
pub const FILL: Icon = symbols::ICON_FORMAT_COLOR_FILL;
pub const CLEAR: Icon = symbols::ICON_FORMAT_COLOR_RESET;
pub const INVERT: Icon = symbols::ICON_INVERT_COLORS;
pub const CLOSE: Icon = symbols::ICON_CLOSE;

// A job without a picture yet, or without one at all.
pub const SUCCEEDED: Icon = symbols::ICON_CHECK_CIRCLE;
pub const FAILED: Icon = symbols::ICON_ERROR;
pub const WAITING: Icon = symbols::ICON_SCHEDULE;
/// Taken back before it was sent.
pub const CANCEL: Icon = symbols::ICON_CANCEL;

// A job's verdict.
pub const PICK: Icon = symbols::ICON_FLAG;
pub const REJECT: Icon = symbols::ICON_BLOCK;

// The gallery's filters.
pub const SEARCH: Icon = symbols::ICON_SEARCH;
pub const MORE_FILTERS: Icon = symbols::ICON_TUNE;
pub const SAVE_SEARCH: Icon = symbols::ICON_BOOKMARK_ADD;
pub const SAVED_SEARCH: Icon = symbols::ICON_BOOKMARK;
pub const COMPARE: Icon = symbols::ICON_COMPARE;
pub const CULL: Icon = symbols::ICON_FULLSCREEN;
