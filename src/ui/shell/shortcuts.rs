//! Help → Keyboard shortcuts: every key the window answers to, grouped by where it works. Combinations with
//! Ctrl are written with egui's platform formatting, so macOS shows ⌘ (or Cmd) where Linux and Windows show
//! Ctrl.

use egui::{Key, KeyboardShortcut, Modifiers};

use crate::ui::kit::keys::EXPORT_SHORTCUT;
use crate::ui::runtime::nav::View;

/// F1 opens and closes the list, as in most desktop tools.
pub const SHORTCUTS_KEY: Key = Key::F1;
pub const SETTINGS_SHORTCUT: KeyboardShortcut =
    KeyboardShortcut::new(Modifiers::COMMAND, Key::Comma);
/// Ctrl+1…5 go to the views in the order of their tabs, as tabs do in browsers and design tools.
pub const VIEW_SHORTCUTS: [(KeyboardShortcut, View); 5] = [
    (
        KeyboardShortcut::new(Modifiers::COMMAND, Key::Num1),
        View::Job,
    ),
    (
        KeyboardShortcut::new(Modifiers::COMMAND, Key::Num2),
        View::Gallery,
    ),
    (
        KeyboardShortcut::new(Modifiers::COMMAND, Key::Num3),
        View::Blend,
    ),
    (
        KeyboardShortcut::new(Modifiers::COMMAND, Key::Num4),
        View::Describe,
    ),
    (
        KeyboardShortcut::new(Modifiers::COMMAND, Key::Num5),
        View::Board,
    ),
];
/// M on an upscaled image opens the mask editor (Vary region).
pub const VARY_REGION_KEY: Key = Key::M;

/// How a row's keys are written.
enum Keys {
    /// A combination with a modifier, formatted for the platform.
    Shortcut(KeyboardShortcut),
    /// A run of combinations: the first, formatted for the platform, then "…" and the last key.
    Through(KeyboardShortcut, &'static str),
    /// A click with a modifier held, formatted for the platform.
    Click(Modifiers),
    /// Keys that read the same everywhere (plain keys, pointer gestures).
    Plain(&'static str),
}

struct Row {
    keys: Keys,
    does: &'static str,
}

const fn shortcut(modifiers: Modifiers, key: Key, does: &'static str) -> Row {
    Row {
        keys: Keys::Shortcut(KeyboardShortcut::new(modifiers, key)),
        does,
    }
}

const fn plain(keys: &'static str, does: &'static str) -> Row {
    Row {
        keys: Keys::Plain(keys),
        does,
    }
}

const COMMAND_SHIFT: Modifiers = Modifiers::COMMAND.plus(Modifiers::SHIFT);

/// Where a key works, and the keys. Kept in the order a user meets them.
const SECTIONS: &[(&str, &[Row])] = &[
    (
        "Everywhere",
        &[
            Row {
                keys: Keys::Shortcut(SETTINGS_SHORTCUT),
                does: "Settings",
            },
            plain("F1", "this list"),
            Row {
                keys: Keys::Through(VIEW_SHORTCUTS[0].0, "5"),
                does: "the views, in the order of their tabs",
            },
            shortcut(Modifiers::COMMAND, Key::Q, "quit"),
            shortcut(
                Modifiers::COMMAND,
                Key::V,
                "paste an image (board, Describe or Blend)",
            ),
        ],
    ),
    (
        "Prompt",
        &[
            shortcut(Modifiers::COMMAND, Key::Enter, "imagine"),
            shortcut(
                Modifiers::COMMAND,
                Key::ArrowUp,
                "older prompt from the history",
            ),
            shortcut(
                Modifiers::COMMAND,
                Key::ArrowDown,
                "newer prompt from the history",
            ),
        ],
    ),
    (
        "Gallery and job view",
        &[
            Row {
                keys: Keys::Shortcut(EXPORT_SHORTCUT),
                does: "export the picked jobs, else the selected one",
            },
            plain("arrows, Home, End", "move through the gallery"),
            plain("Enter", "open the selected job"),
            plain("Esc", "back to the gallery"),
            plain("1–4", "U1–U4 on the selected grid"),
            plain("M", "vary region: paint a mask on the selected upscale"),
            plain("P, X, U", "pick, reject, unflag the selected job"),
            plain(
                "Del",
                "move the selected job (or the picks) to the Trash; cancel a job not yet sent",
            ),
            shortcut(
                Modifiers::COMMAND,
                Key::Z,
                "bring back what was just trashed",
            ),
            Row {
                keys: Keys::Click(Modifiers::COMMAND),
                does: "pick a job (Blend, Compare, Describe, board)",
            },
            Row {
                keys: Keys::Click(Modifiers::SHIFT),
                does: "pick every job from the last one clicked",
            },
        ],
    ),
    (
        "Compare",
        &[
            plain("⬅ / ➡", "move the focus between panes"),
            plain("1–4", "maximise a pane (again: all of them)"),
            plain("Space", "flip between the two in A/B"),
            plain("wheel, drag", "zoom, pan every picture together"),
            plain("P, X, U", "pick, reject, unflag the focused picture"),
            plain("Esc", "back to the gallery"),
        ],
    ),
    (
        "Culling",
        &[
            plain("⬅ / ➡, Home, End", "previous, next, first, last"),
            plain("0–5", "stars"),
            plain("P, X, U", "pick, reject, unflag"),
            plain("Esc", "back to the gallery"),
        ],
    ),
    (
        "Mask editor",
        &[
            plain("B, E, R, L", "brush, eraser, rectangle, lasso"),
            plain("[ / ]", "smaller / larger brush"),
            plain(
                "H, hold C",
                "show or hide the mask, compare with the original",
            ),
            shortcut(Modifiers::COMMAND, Key::Z, "undo"),
            shortcut(COMMAND_SHIFT, Key::Z, "redo"),
            shortcut(Modifiers::COMMAND, Key::Y, "redo"),
        ],
    ),
    (
        "Boards",
        &[
            plain("wheel, + / -", "zoom"),
            plain("0, 1", "fit, 100 %"),
            plain("Space + drag, middle drag", "pan"),
            shortcut(Modifiers::COMMAND, Key::A, "select all"),
            plain("Del, arrows (Shift ×10)", "delete, nudge"),
            plain("C, N", "crop, new note"),
            plain("Enter / Esc", "end the crop or the note"),
            shortcut(Modifiers::COMMAND, Key::Z, "undo"),
            shortcut(COMMAND_SHIFT, Key::Z, "redo"),
        ],
    ),
];

/// The text of a row's keys on this platform.
fn keys_text(ctx: &egui::Context, keys: &Keys) -> String {
    match keys {
        Keys::Shortcut(shortcut) => ctx.format_shortcut(shortcut),
        Keys::Through(first, last) => format!("{}…{last}", ctx.format_shortcut(first)),
        Keys::Click(modifiers) => {
            format!(
                "{}+click",
                ctx.format_modifiers(*modifiers).trim_end_matches('+')
            )
        }
        Keys::Plain(text) => (*text).to_owned(),
    }
}

pub fn show(open: &mut bool, ctx: &egui::Context) {
    if !*open {
        return;
    }
    *open &= crate::ui::kit::dialog(ctx, "Keyboard shortcuts", 460.0, false, |ui| {
        egui::ScrollArea::vertical()
            .max_height(ctx.content_rect().height() - 200.0)
            .show(ui, |ui| {
                for (section, rows) in SECTIONS {
                    ui.strong(*section);
                    egui::Grid::new(*section)
                        .num_columns(2)
                        // The same key column width in every section, so the lists line up.
                        .min_col_width(200.0)
                        .spacing([24.0, 4.0])
                        .striped(true)
                        .show(ui, |ui| {
                            for row in *rows {
                                ui.monospace(keys_text(ctx, &row.keys));
                                ui.label(row.does);
                                ui.end_row();
                            }
                        });
                    ui.add_space(8.0);
                }
            });
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A context that has run once, so it has fonts (the Mac symbols are used only where a font has them).
    fn context() -> egui::Context {
        let ctx = egui::Context::default();
        let mut output = ctx.run_ui(egui::RawInput::default(), |_| {});
        output.textures_delta.clear();
        ctx
    }

    #[test]
    fn combinations_are_written_the_platforms_way() {
        let ctx = context();
        let undo = Keys::Shortcut(KeyboardShortcut::new(Modifiers::COMMAND, Key::Z));
        ctx.set_os(egui::os::OperatingSystem::Nix);
        assert_eq!(keys_text(&ctx, &undo), "Ctrl+Z");
        ctx.set_os(egui::os::OperatingSystem::Windows);
        assert_eq!(keys_text(&ctx, &undo), "Ctrl+Z");
        ctx.set_os(egui::os::OperatingSystem::Mac);
        // ⌘ where the font has the symbol, else spelled out.
        let mac = keys_text(&ctx, &undo);
        assert!(mac == "⌘Z" || mac == "Cmd+Z", "{mac}");
        assert_eq!(keys_text(&ctx, &Keys::Plain("Esc")), "Esc");
        ctx.set_os(egui::os::OperatingSystem::Nix);
        assert_eq!(
            keys_text(&ctx, &Keys::Click(Modifiers::COMMAND)),
            "Ctrl+click"
        );
    }

    #[test]
    fn every_section_has_keys_and_no_key_is_listed_twice_for_different_things_in_one_place() {
        let ctx = context();
        for (section, rows) in SECTIONS {
            assert!(!rows.is_empty(), "{section}");
            let mut seen = std::collections::HashMap::new();
            for row in *rows {
                let keys = keys_text(&ctx, &row.keys);
                if let Some(earlier) = seen.insert(keys.clone(), row.does) {
                    panic!(
                        "{section}: {keys} does both \"{earlier}\" and \"{}\"",
                        row.does
                    );
                }
            }
        }
    }
}
