//! Chinese, Japanese and Korean prompts need glyphs egui's built-in fonts lack. The first installed
//! system CJK font (see `imaging::fonts`) is added as the lowest-priority fallback.

pub const CJK_FONT_NAME: &str = "cjk-fallback";

pub use crate::imaging::fonts::read_cjk_fallback;

/// Adds the font after every built-in one, for both families, so Latin text keeps egui's look.
pub fn install(ctx: &egui::Context, bytes: Vec<u8>) {
    use egui::epaint::text::{FontInsert, FontPriority, InsertFontFamily};
    ctx.add_font(FontInsert::new(
        CJK_FONT_NAME,
        egui::FontData::from_owned(bytes),
        vec![
            InsertFontFamily {
                family: egui::FontFamily::Proportional,
                priority: FontPriority::Lowest,
            },
            InsertFontFamily {
                family: egui::FontFamily::Monospace,
                priority: FontPriority::Lowest,
            },
        ],
    ));
}

#[cfg(test)]
mod tests {
    /// Board renders (`imaging::fonts`) draw notes with the fonts the canvas uses: egui's proportional
    /// family, in order. An egui upgrade that changes it fails here rather than making renders differ.
    #[test]
    fn board_renders_use_the_windows_proportional_fonts_in_order() {
        let definitions = egui::FontDefinitions::default();
        let window: Vec<&[u8]> = definitions.families[&egui::FontFamily::Proportional]
            .iter()
            .map(|name| (*definitions.font_data[name].font).as_ref())
            .collect();
        assert_eq!(window, crate::imaging::fonts::WINDOW_FONTS.to_vec());
    }
}
