//! The undo and redo keys every editor reads alike (the mask editor, the board).

/// What an undo/redo shortcut asked for, in every editor alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::ui) enum History {
    Undo,
    Redo,
}

pub(in crate::ui) const UNDO: egui::KeyboardShortcut =
    egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::Z);
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
