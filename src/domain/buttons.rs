//! How a job's `components` are laid out as buttons, row by row as Midjourney shows them: U1–U4 and
//! reroll, V1–V4 under a grid; upscale, vary, zoom and pan rows under a single image. Strings outside the
//! catalogue get a row of their own under their raw names, so nothing the service offers is hidden.

use super::action::Action;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ButtonRow {
    /// U1–U4 and reroll.
    Upsample,
    /// V1–V4.
    Variation,
    /// Upscale (Subtle/Creative/2x/4x) and their redos.
    Upscale,
    /// Vary (Strong/Subtle).
    Vary,
    /// Zoom out and make square.
    Zoom,
    /// The four pan arrows.
    Pan,
    /// Component strings the app does not know.
    Other,
}

impl ButtonRow {
    fn of(action: &Action) -> ButtonRow {
        match action {
            Action::Upsample(_) | Action::Reroll => ButtonRow::Upsample,
            Action::Variation(_) => ButtonRow::Variation,
            Action::Upscale(_) | Action::RedoUpscale(_) => ButtonRow::Upscale,
            Action::HighVariation | Action::LowVariation => ButtonRow::Vary,
            Action::ZoomOut2 | Action::ZoomOut1_5 | Action::MakeSquare => ButtonRow::Zoom,
            Action::Pan(_) => ButtonRow::Pan,
            Action::Other(_) => ButtonRow::Other,
        }
    }
}

/// The job's buttons grouped in display rows, rows in Midjourney's order, buttons in the service's order
/// within a row, duplicates dropped.
pub fn button_rows(components: &[String]) -> Vec<(ButtonRow, Vec<Action>)> {
    let mut rows: Vec<(ButtonRow, Vec<Action>)> = Vec::new();
    for component in components {
        let action = Action::parse(component);
        let row = ButtonRow::of(&action);
        match rows.iter_mut().find(|(r, _)| *r == row) {
            Some((_, actions)) if !actions.contains(&action) => actions.push(action),
            Some(_) => {}
            None => rows.push((row, vec![action])),
        }
    }
    rows.sort_by_key(|(row, _)| *row);
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(rows: &[(ButtonRow, Vec<Action>)]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|(_, actions)| actions.iter().map(Action::label).collect())
            .collect()
    }

    #[test]
    fn a_grid_shows_u_and_reroll_then_v() {
        let rows = button_rows(&Action::grid_components());
        assert_eq!(
            labels(&rows),
            [
                vec!["U1", "U2", "U3", "U4", "Reroll"],
                vec!["V1", "V2", "V3", "V4"]
            ]
        );
    }

    #[test]
    fn a_single_shows_upscale_vary_zoom_and_pan_rows() {
        let rows = button_rows(&Action::single_components(false));
        let kinds: Vec<ButtonRow> = rows.iter().map(|(r, _)| *r).collect();
        assert_eq!(
            kinds,
            [
                ButtonRow::Upscale,
                ButtonRow::Vary,
                ButtonRow::Zoom,
                ButtonRow::Pan
            ]
        );
        assert_eq!(
            labels(&rows)[2],
            ["Zoom Out 2x", "Zoom Out 1.5x", "Make Square"]
        );
        assert_eq!(rows[3].1.len(), 4);
    }

    #[test]
    fn unknown_strings_get_their_own_row_and_duplicates_are_dropped() {
        let components: Vec<String> = ["custom_zoom", "upsample1", "upsample1", "mystery"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let rows = button_rows(&components);
        assert_eq!(labels(&rows), [vec!["U1"], vec!["custom_zoom", "mystery"]]);
        assert_eq!(rows[1].0, ButtonRow::Other);
        assert!(button_rows(&[]).is_empty());
    }
}
