//! The window's own widgets and look, used by every folder and using none: the theme (colours, type,
//! spacing, light and dark), the icons, the controls (icon buttons, segmented choices, labelled drop-downs,
//! chips, progress rings), fonts for CJK prompts, the desktop's light or dark preference, the key
//! combinations several folders read (`keys`), and the small layout helpers below. Nothing here knows about
//! jobs or the engine.
//!
//! Where a change goes:
//! - colours, type sizes, spacing, the light or dark theme: `theme.rs` (`Palette`, `styled`; panels take
//!   colours from `theme::palette(ui)`); the user's choice is `Settings::theme`; the desktop's preference
//!   is `system_theme.rs`.
//! - an icon: `icons.rs` (names → Material Symbols); a toolbar button, a segmented choice, a chip:
//!   `controls.rs` (`IconButton` keeps a name for tooltips, screen readers and tests).
//! - undo, redo and Export keys read by several folders: `keys.rs` (`history_keys`, `EXPORT_SHORTCUT`);
//!   the list the user sees is `shell/shortcuts.rs`.
//! - the CJK fallback font: `fonts.rs` (found by `imaging::fonts`).
//! - a dialog window, a fade-in, an aspect fitted to a side: `dialog`, `fade_in`, `fit` in this file.

pub(in crate::ui) mod controls;
pub(in crate::ui) mod fonts;
pub(in crate::ui) mod icons;
pub(in crate::ui) mod keys;
pub(in crate::ui) mod system_theme;
pub(in crate::ui) mod theme;

/// A dialog window (Settings, the shortcuts list): centred under the prompt bar, closed by its ✕ or by Esc.
/// Returns whether it stays open.
pub(in crate::ui) fn dialog(
    ctx: &egui::Context,
    title: &str,
    width: f32,
    resizable: bool,
    add_contents: impl FnOnce(&mut egui::Ui),
) -> bool {
    let mut open = true;
    egui::Window::new(title)
        .open(&mut open)
        .collapsible(false)
        .resizable(resizable)
        .default_width(width)
        .pivot(egui::Align2::CENTER_TOP)
        .default_pos(ctx.content_rect().center_top() + egui::vec2(0.0, 90.0))
        .show(ctx, add_contents);
    open && !ctx.input(|i| i.key_pressed(egui::Key::Escape))
}

/// How far an image has faded in (0 to 1): pictures that arrive while the user looks ease in over a
/// quarter second; one already loaded when first drawn (scrolling back to it) shows at once.
pub(in crate::ui) fn fade_in(ui: &egui::Ui, id: egui::Id, loaded: bool) -> f32 {
    ui.ctx().animate_bool_with_time(id, loaded, 0.25)
}

/// The size of an image of `aspect` (width / height) fitted in a `side`×`side` square.
pub(in crate::ui) fn fit(aspect: f32, side: f32) -> egui::Vec2 {
    if aspect >= 1.0 {
        egui::vec2(side, side / aspect)
    } else {
        egui::vec2(side * aspect, side)
    }
}
