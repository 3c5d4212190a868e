//! The key combinations several folders read: undo and redo, which every editor reads alike (the mask
//! editor, the board), and Export, which the job view and the gallery name in their tooltips. The full
//! list the user sees is `shell::shortcuts`.

/// What an undo/redo shortcut asked for, in every editor alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::ui) enum History {
    Undo,
    Redo,
}

pub(in crate::ui) const UNDO: egui::KeyboardShortcut =
    egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::Z);
/// Ctrl+E (⌘E): Export… the picks or the open job.
pub(in crate::ui) const EXPORT_SHORTCUT: egui::KeyboardShortcut =
    egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::E);
pub(in crate::ui) const REDO: egui::KeyboardShortcut = egui::KeyboardShortcut::new(
    egui::Modifiers::COMMAND.plus(egui::Modifiers::SHIFT),
    egui::Key::Z,
);
const REDO_ALT: egui::KeyboardShortcut =
    egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::Y);

/// Takes Ctrl+Z (undo), Ctrl+Shift+Z or Ctrl+Y (redo) from this frame's input. Redo is matched first:
/// Ctrl+Shift+Z would also match a plain Ctrl+Z shortcut.
pub(in crate::ui) fn history_keys(input: &mut egui::InputState) -> Option<History> {
    if input.consume_shortcut(&REDO) || input.consume_shortcut(&REDO_ALT) {
        Some(History::Redo)
    } else if input.consume_shortcut(&UNDO) {
        Some(History::Undo)
    } else {
        None
    }
}
