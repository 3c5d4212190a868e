//! The catalogue of follow-up actions: the strings TTAPI puts in a job's `components` and accepts in
//! `POST /midjourney/v1/action`, what each means, and what kind of job it produces.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UpscaleKind {
    Subtle,
    Creative,
    /// The v5 "Upscale (2x)" button.
    Double,
    /// The v5 "Upscale (4x)" button.
    Quadruple,
}

impl UpscaleKind {
    fn suffix(self) -> &'static str {
        match self {
            UpscaleKind::Subtle => "_subtle",
            UpscaleKind::Creative => "_creative",
            UpscaleKind::Double => "2",
            UpscaleKind::Quadruple => "4",
        }
    }

    pub fn factor(self) -> u32 {
        match self {
            UpscaleKind::Quadruple => 4,
            _ => 2,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PanDirection {
    Left,
    Right,
    Up,
    Down,
}

impl PanDirection {
    pub const ALL: [PanDirection; 4] = [
        PanDirection::Left,
        PanDirection::Right,
        PanDirection::Up,
        PanDirection::Down,
    ];

    fn name(self) -> &'static str {
        match self {
            PanDirection::Left => "left",
            PanDirection::Right => "right",
            PanDirection::Up => "up",
            PanDirection::Down => "down",
        }
    }
}

/// One follow-up action. Strings outside the catalogue are kept as [`Action::Other`] so that a button can
/// still be offered under its raw name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Action {
    /// U1–U4: pick one image of a grid. The index is 1-based, as on the wire.
    Upsample(u8),
    /// V1–V4: four variations of one image of a grid.
    Variation(u8),
    Reroll,
    /// Vary (Strong).
    HighVariation,
    /// Vary (Subtle).
    LowVariation,
    Upscale(UpscaleKind),
    RedoUpscale(UpscaleKind),
    /// Zoom Out 2x.
    ZoomOut2,
    /// Zoom Out 1.5x.
    ZoomOut1_5,
    Pan(PanDirection),
    MakeSquare,
    Other(String),
}

/// Whether a job's result is a 2×2 grid (with U/V buttons) or one image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputShape {
    Grid,
    Single,
}

impl Action {
    pub fn parse(s: &str) -> Action {
        let indexed = |prefix: &str| {
            s.strip_prefix(prefix)
                .and_then(|n| n.parse::<u8>().ok())
                .filter(|n| (1..=4).contains(n))
        };
        if let Some(n) = indexed("upsample") {
            return Action::Upsample(n);
        }
        if let Some(n) = indexed("variation") {
            return Action::Variation(n);
        }
        let upscale = |rest: &str| {
            [
                UpscaleKind::Subtle,
                UpscaleKind::Creative,
                UpscaleKind::Double,
                UpscaleKind::Quadruple,
            ]
            .into_iter()
            .find(|k| k.suffix() == rest)
        };
        if let Some(kind) = s.strip_prefix("redo_upscale").and_then(upscale) {
            return Action::RedoUpscale(kind);
        }
        if let Some(kind) = s.strip_prefix("upscale").and_then(upscale) {
            return Action::Upscale(kind);
        }
        if let Some(dir) = s
            .strip_prefix("pan_")
            .and_then(|d| PanDirection::ALL.into_iter().find(|p| p.name() == d))
        {
            return Action::Pan(dir);
        }
        match s {
            "reroll" => Action::Reroll,
            "high_variation" => Action::HighVariation,
            "low_variation" => Action::LowVariation,
            "zoom_out_2" => Action::ZoomOut2,
            "zoom_out_1_5" => Action::ZoomOut1_5,
            "make_square" => Action::MakeSquare,
            other => Action::Other(other.to_owned()),
        }
    }

    /// The string TTAPI uses for this action.
    pub fn wire_name(&self) -> String {
        match self {
            Action::Upsample(n) => format!("upsample{n}"),
            Action::Variation(n) => format!("variation{n}"),
            Action::Reroll => "reroll".into(),
            Action::HighVariation => "high_variation".into(),
            Action::LowVariation => "low_variation".into(),
            Action::Upscale(k) => format!("upscale{}", k.suffix()),
            Action::RedoUpscale(k) => format!("redo_upscale{}", k.suffix()),
            Action::ZoomOut2 => "zoom_out_2".into(),
            Action::ZoomOut1_5 => "zoom_out_1_5".into(),
            Action::Pan(d) => format!("pan_{}", d.name()),
            Action::MakeSquare => "make_square".into(),
            Action::Other(raw) => raw.clone(),
        }
    }

    /// The label Midjourney shows on the button.
    pub fn label(&self) -> String {
        let upscale_label = |k: &UpscaleKind| match k {
            UpscaleKind::Subtle => "Upscale (Subtle)",
            UpscaleKind::Creative => "Upscale (Creative)",
            UpscaleKind::Double => "Upscale (2x)",
            UpscaleKind::Quadruple => "Upscale (4x)",
        };
        match self {
            Action::Upsample(n) => format!("U{n}"),
            Action::Variation(n) => format!("V{n}"),
            Action::Reroll => "Reroll".into(),
            Action::HighVariation => "Vary (Strong)".into(),
            Action::LowVariation => "Vary (Subtle)".into(),
            Action::Upscale(k) => upscale_label(k).into(),
            Action::RedoUpscale(k) => format!("Redo {}", upscale_label(k)),
            Action::ZoomOut2 => "Zoom Out 2x".into(),
            Action::ZoomOut1_5 => "Zoom Out 1.5x".into(),
            Action::Pan(d) => format!("Pan {}", d.name()),
            Action::MakeSquare => "Make Square".into(),
            Action::Other(raw) => raw.clone(),
        }
    }

    /// U1–U4 and the upscales: the same press on the same parent gives the same picture again, so a second
    /// one is almost always a mistake (the window opens the existing job instead).
    pub fn is_upscale(&self) -> bool {
        matches!(
            self,
            Action::Upsample(_) | Action::Upscale(_) | Action::RedoUpscale(_)
        )
    }

    /// What the child job produces; `None` for strings outside the catalogue.
    pub fn output(&self) -> Option<OutputShape> {
        match self {
            Action::Upsample(_) | Action::Upscale(_) | Action::RedoUpscale(_) => {
                Some(OutputShape::Single)
            }
            Action::Other(_) => None,
            _ => Some(OutputShape::Grid),
        }
    }

    /// The buttons Midjourney offers under a 2×2 grid, in TTAPI's order.
    pub fn grid_components() -> Vec<String> {
        let mut out: Vec<String> = (1..=4).map(|n| Action::Upsample(n).wire_name()).collect();
        out.push(Action::Reroll.wire_name());
        out.extend((1..=4).map(|n| Action::Variation(n).wire_name()));
        out
    }

    /// The buttons Midjourney (v6 and later) offers under one upscaled image.
    pub fn single_components(square: bool) -> Vec<String> {
        let mut out = vec![
            Action::Upscale(UpscaleKind::Subtle),
            Action::Upscale(UpscaleKind::Creative),
            Action::HighVariation,
            Action::LowVariation,
            Action::ZoomOut2,
            Action::ZoomOut1_5,
        ];
        out.extend(PanDirection::ALL.map(Action::Pan));
        if !square {
            out.push(Action::MakeSquare);
        }
        out.iter().map(Action::wire_name).collect()
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.wire_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CATALOGUE: &[&str] = &[
        "upsample1",
        "upsample4",
        "variation2",
        "reroll",
        "high_variation",
        "low_variation",
        "upscale2",
        "upscale4",
        "upscale_subtle",
        "upscale_creative",
        "redo_upscale2",
        "redo_upscale4",
        "redo_upscale_subtle",
        "redo_upscale_creative",
        "zoom_out_2",
        "zoom_out_1_5",
        "pan_left",
        "pan_right",
        "pan_up",
        "pan_down",
        "make_square",
    ];

    #[test]
    fn every_catalogue_string_round_trips_and_is_known() {
        for s in CATALOGUE {
            let action = Action::parse(s);
            assert_eq!(action.wire_name(), *s);
            assert!(action.output().is_some(), "{s} should be in the catalogue");
        }
    }

    #[test]
    fn strings_outside_the_catalogue_are_kept_verbatim() {
        for s in [
            "upsample5",
            "upsample0",
            "reroll0",
            "zoom_out_2x",
            "",
            "Custom Zoom",
        ] {
            let action = Action::parse(s);
            assert_eq!(action, Action::Other(s.to_owned()));
            assert_eq!(action.label(), s);
            assert_eq!(action.output(), None);
        }
    }

    #[test]
    fn labels_match_midjourney_buttons() {
        assert_eq!(Action::parse("upsample2").label(), "U2");
        assert_eq!(Action::parse("variation3").label(), "V3");
        assert_eq!(Action::parse("high_variation").label(), "Vary (Strong)");
        assert_eq!(
            Action::parse("upscale_creative").label(),
            "Upscale (Creative)"
        );
        assert_eq!(Action::parse("pan_up").label(), "Pan up");
    }

    #[test]
    fn upsamples_and_upscales_give_singles_the_rest_grids() {
        assert_eq!(
            Action::parse("upsample1").output(),
            Some(OutputShape::Single)
        );
        assert_eq!(
            Action::parse("upscale4").output(),
            Some(OutputShape::Single)
        );
        assert_eq!(
            Action::parse("variation1").output(),
            Some(OutputShape::Grid)
        );
        assert_eq!(
            Action::parse("zoom_out_2").output(),
            Some(OutputShape::Grid)
        );
        assert_eq!(
            Action::Upscale(UpscaleKind::Quadruple).wire_name(),
            "upscale4"
        );
        assert_eq!(UpscaleKind::Quadruple.factor(), 4);
    }

    #[test]
    fn component_sets_match_the_contract() {
        assert_eq!(
            Action::grid_components(),
            [
                "upsample1",
                "upsample2",
                "upsample3",
                "upsample4",
                "reroll",
                "variation1",
                "variation2",
                "variation3",
                "variation4"
            ]
        );
        let square = Action::single_components(true);
        assert!(square.contains(&"upscale_subtle".to_owned()));
        assert!(!square.contains(&"make_square".to_owned()));
        assert!(Action::single_components(false).contains(&"make_square".to_owned()));
    }
}
