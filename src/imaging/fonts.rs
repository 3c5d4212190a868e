//! Fonts found on the system and bundled with egui (as bytes, from `epaint_default_fonts`), for drawing text outside the window (board notes in a
//! rendered PNG) and for the window's CJK fallback. On Debian and Ubuntu, `fonts-noto-cjk` (preferred),
//! `fonts-wqy-microhei` or `fonts-droid-fallback` provide the CJK one.

use std::path::PathBuf;

/// Font files to try, best first: Linux packages, then macOS and Windows system fonts.
const CANDIDATES: &[&str] = &[
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/Hiragino Sans GB.ttc",
    "C:\\Windows\\Fonts\\msyh.ttc",
    "C:\\Windows\\Fonts\\YuGothM.ttc",
    "C:\\Windows\\Fonts\\malgun.ttf",
];

/// The first installed candidate and its bytes. Disk IO: call it off the UI thread.
pub fn read_cjk_fallback() -> Option<(PathBuf, Vec<u8>)> {
    CANDIDATES.iter().find_map(|candidate| {
        let path = PathBuf::from(candidate);
        std::fs::read(&path).ok().map(|bytes| (path, bytes))
    })
}

/// The window's proportional fonts, in egui's fallback order (Ubuntu Light, then egui's icons and the two
/// symbol fonts): what a board note is drawn with on screen.
pub const WINDOW_FONTS: [&[u8]; 4] = [
    epaint_default_fonts::UBUNTU_LIGHT,
    epaint_default_fonts::EGUI_ICONS,
    epaint_default_fonts::NOTO_EMOJI_REGULAR,
    epaint_default_fonts::EMOJI_ICON,
];

/// The fonts board notes are rendered with (Render PNG): the window's, so a render matches the canvas,
/// then the CJK fallback when one is installed. Disk IO: call it off the UI thread.
pub fn note_fonts() -> Vec<std::sync::Arc<dyn AsRef<[u8]> + Send + Sync>> {
    let mut fonts: Vec<std::sync::Arc<dyn AsRef<[u8]> + Send + Sync>> = WINDOW_FONTS
        .iter()
        .map(|bytes| std::sync::Arc::new(*bytes) as std::sync::Arc<dyn AsRef<[u8]> + Send + Sync>)
        .collect();
    if let Some((_, bytes)) = read_cjk_fallback() {
        fonts.push(std::sync::Arc::new(bytes));
    }
    fonts
}
