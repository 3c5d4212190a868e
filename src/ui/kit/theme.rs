//! Moodgrid's look: calm neutral surfaces that leave the images the brightest thing on screen, one accent,
//! and success, warning and error colours that read on every surface (WCAG AA: 4.5:1 for text). A dark and a
//! light palette; egui keeps a style for each and shows the one the user chose in Settings (dark, light, or
//! the system's). Panels take colours from [`palette`], never from literals.

use egui::{Color32, FontFamily, FontId, TextStyle, Theme, ThemePreference};

pub use crate::settings::ThemeChoice;

fn preference(choice: ThemeChoice) -> ThemePreference {
    match choice {
        ThemeChoice::System => ThemePreference::System,
        ThemeChoice::Dark => ThemePreference::Dark,
        ThemeChoice::Light => ThemePreference::Light,
    }
}

/// The colours of one theme.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Palette {
    /// Panels and the window behind everything.
    pub background: Color32,
    /// Cards, tiles, text fields: one step off the background.
    pub surface: Color32,
    /// Hovered and pressed controls.
    pub raised: Color32,
    /// Behind an image being worked on (the mask editor): a step darker than the window, so the image's
    /// edges read in both themes.
    pub canvas: Color32,
    pub border: Color32,
    pub text: Color32,
    /// Secondary text: captions, hints.
    pub weak_text: Color32,
    /// Links, focus and selection outlines, the primary button.
    pub accent: Color32,
    /// Behind selected items (a chosen tab, a picked row): quiet enough that `text` reads on it.
    pub selected: Color32,
    /// Text on the accent.
    pub on_accent: Color32,
    pub success: Color32,
    pub warning: Color32,
    pub error: Color32,
}

pub const DARK: Palette = Palette {
    background: Color32::from_rgb(0x1b, 0x1c, 0x1f),
    surface: Color32::from_rgb(0x25, 0x27, 0x2b),
    raised: Color32::from_rgb(0x33, 0x36, 0x3b),
    canvas: Color32::from_rgb(0x12, 0x13, 0x15),
    border: Color32::from_rgb(0x3d, 0x40, 0x46),
    text: Color32::from_rgb(0xe6, 0xe7, 0xea),
    weak_text: Color32::from_rgb(0xa3, 0xa7, 0xaf),
    accent: Color32::from_rgb(0x7c, 0xa8, 0xff),
    selected: Color32::from_rgb(0x2c, 0x4a, 0x85),
    on_accent: Color32::from_rgb(0x10, 0x14, 0x1c),
    success: Color32::from_rgb(0x6c, 0xcf, 0x8e),
    warning: Color32::from_rgb(0xf0, 0xb4, 0x5a),
    error: Color32::from_rgb(0xff, 0x8a, 0x80),
};

pub const LIGHT: Palette = Palette {
    background: Color32::from_rgb(0xf4, 0xf4, 0xf2),
    surface: Color32::from_rgb(0xff, 0xff, 0xff),
    raised: Color32::from_rgb(0xe6, 0xe7, 0xe8),
    canvas: Color32::from_rgb(0xdc, 0xdd, 0xdb),
    border: Color32::from_rgb(0xcf, 0xd1, 0xd4),
    text: Color32::from_rgb(0x1d, 0x1f, 0x23),
    weak_text: Color32::from_rgb(0x56, 0x5b, 0x63),
    accent: Color32::from_rgb(0x2a, 0x57, 0xc4),
    selected: Color32::from_rgb(0xbc, 0xcf, 0xf7),
    on_accent: Color32::from_rgb(0xff, 0xff, 0xff),
    success: Color32::from_rgb(0x17, 0x6b, 0x3c),
    warning: Color32::from_rgb(0x7a, 0x4f, 0x00),
    error: Color32::from_rgb(0xa8, 0x20, 0x16),
};

/// The palette of the theme `ui` is drawn with.
pub fn palette(ui: &egui::Ui) -> &'static Palette {
    if ui.visuals().dark_mode {
        &DARK
    } else {
        &LIGHT
    }
}

/// Installs both of Moodgrid's styles (egui shows the one the theme preference picks). Once, at start.
pub fn install(ctx: &egui::Context) {
    for (theme, palette) in [(Theme::Dark, &DARK), (Theme::Light, &LIGHT)] {
        ctx.style_mut_of(theme, |style| styled(style, palette));
    }
}

/// Shows the chosen theme from the next frame on.
pub fn choose(ctx: &egui::Context, choice: ThemeChoice) {
    ctx.set_theme(preference(choice));
}

/// The type scale (title, body, caption, monospace for ids) and spacing scale, and the palette's colours.
fn styled(style: &mut egui::Style, palette: &Palette) {
    style.text_styles = [
        (
            TextStyle::Heading,
            FontId::new(18.0, FontFamily::Proportional),
        ),
        (TextStyle::Body, FontId::new(13.5, FontFamily::Proportional)),
        (
            TextStyle::Button,
            FontId::new(13.5, FontFamily::Proportional),
        ),
        (
            TextStyle::Small,
            FontId::new(11.0, FontFamily::Proportional),
        ),
        (
            TextStyle::Monospace,
            FontId::new(12.5, FontFamily::Monospace),
        ),
    ]
    .into();
    style.spacing.item_spacing = egui::vec2(8.0, 6.0);
    style.spacing.button_padding = egui::vec2(8.0, 4.0);
    style.spacing.interact_size.y = 24.0;
    let visuals = &mut style.visuals;
    visuals.panel_fill = palette.background;
    visuals.window_fill = palette.surface;
    visuals.faint_bg_color = palette.surface;
    visuals.extreme_bg_color = palette.surface;
    visuals.code_bg_color = palette.surface;
    visuals.window_stroke = egui::Stroke::new(1.0, palette.border);
    visuals.override_text_color = Some(palette.text);
    visuals.weak_text_color = Some(palette.weak_text);
    visuals.hyperlink_color = palette.accent;
    visuals.warn_fg_color = palette.warning;
    visuals.error_fg_color = palette.error;
    // egui draws a selected item's text in the selection stroke's colour, over its fill.
    visuals.selection.bg_fill = palette.selected;
    visuals.selection.stroke = egui::Stroke::new(1.5, palette.text);
    let widgets = &mut visuals.widgets;
    widgets.noninteractive.bg_fill = palette.background;
    widgets.noninteractive.bg_stroke = egui::Stroke::new(1.0, palette.border);
    widgets.noninteractive.fg_stroke = egui::Stroke::new(1.0, palette.text);
    // Controls are one step off the window (`raised`), so a button, a check box or a radio reads as one on
    // a dialog too; hovering and pressing outline them in the accent.
    for (state, fill) in [
        (&mut widgets.inactive, palette.raised),
        (&mut widgets.hovered, palette.raised),
        (&mut widgets.active, palette.raised),
        (&mut widgets.open, palette.raised),
    ] {
        state.bg_fill = fill;
        state.weak_bg_fill = fill;
        state.fg_stroke = egui::Stroke::new(1.0, palette.text);
        state.corner_radius = egui::CornerRadius::same(5);
    }
    widgets.inactive.bg_stroke = egui::Stroke::new(1.0, palette.border);
    widgets.hovered.bg_stroke = egui::Stroke::new(1.0, palette.accent);
    widgets.active.bg_stroke = egui::Stroke::new(1.0, palette.accent);
}

/// The WCAG contrast ratio of two colours (1 to 21); the palettes' test holds every text colour to it.
#[cfg(test)]
fn contrast(a: Color32, b: Color32) -> f32 {
    fn luminance(c: Color32) -> f32 {
        let channel = |v: u8| {
            let v = f32::from(v) / 255.0;
            if v <= 0.039_28 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(c.r()) + 0.7152 * channel(c.g()) + 0.0722 * channel(c.b())
    }
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_colour_reads_on_every_surface_in_both_themes() {
        for (name, p) in [("dark", DARK), ("light", LIGHT)] {
            for (what, fg) in [
                ("text", p.text),
                ("weak text", p.weak_text),
                ("accent", p.accent),
                ("success", p.success),
                ("warning", p.warning),
                ("error", p.error),
            ] {
                for (on, bg) in [
                    ("background", p.background),
                    ("surface", p.surface),
                    ("raised", p.raised),
                ] {
                    let ratio = contrast(fg, bg);
                    assert!(
                        ratio >= 4.5,
                        "{name}: {what} on {on} is {ratio:.2}:1, under WCAG AA's 4.5:1"
                    );
                }
            }
            let selected = contrast(p.text, p.selected);
            assert!(
                selected >= 4.5,
                "{name}: text on a selected item {selected:.2}:1"
            );
            let on_accent = contrast(p.on_accent, p.accent);
            assert!(
                on_accent >= 4.5,
                "{name}: text on the accent {on_accent:.2}:1"
            );
        }
    }

    #[test]
    fn the_contrast_ratio_is_wcags() {
        assert!((contrast(Color32::BLACK, Color32::WHITE) - 21.0).abs() < 0.01);
        assert!((contrast(Color32::WHITE, Color32::WHITE) - 1.0).abs() < 0.001);
    }

    #[test]
    fn both_styles_are_installed_and_the_choice_picks_one() {
        let ctx = egui::Context::default();
        install(&ctx);
        choose(&ctx, ThemeChoice::Light);
        assert_eq!(ctx.theme(), Theme::Light);
        assert_eq!(
            ctx.style_of(ctx.theme()).visuals.panel_fill,
            LIGHT.background
        );
        choose(&ctx, ThemeChoice::Dark);
        assert_eq!(
            ctx.style_of(ctx.theme()).visuals.panel_fill,
            DARK.background
        );
        // Where the system says nothing (winit on Linux), "follow the system" is dark.
        choose(&ctx, ThemeChoice::System);
        assert_eq!(ctx.theme(), Theme::Dark);
    }
}
