//! A board drawn to one image ("Render PNG…"): every item in z-order with its scale, rotation, flip and
//! crop, notes with their wrapped text, on the canvas colour, at a chosen scale. tiny-skia rasterises (a
//! pattern-filled rectangle per item, so rotation and crop are one affine fill); images are first reduced
//! with the SIMD resizer to about their size in the output, so strong reductions do not alias. The caller
//! loads the image files; nothing here touches the disk.

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use image::RgbaImage;
use tiny_skia::{FilterQuality, Paint, Pattern, Pixmap, SpreadMode, Transform};

use super::{ImageError, resize_to_fit};
use crate::domain::board::{Board, Content, Item};

/// Longest side of a rendered board, and its largest pixel count (about 480 MB of pixels).
pub const MAX_SIDE: u32 = 16384;
pub const MAX_PIXELS: u64 = 120_000_000;
/// The canvas colour, the same in the window and in a render.
pub const BACKGROUND: [u8; 3] = [24, 24, 24];
pub const NOTE_COLOR: [u8; 3] = [250, 236, 160];
pub const NOTE_TEXT: [u8; 3] = [40, 36, 20];
/// Note text size and margin in board units.
pub const NOTE_FONT: f32 = 18.0;
pub const NOTE_MARGIN: f32 = 8.0;

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("the board is empty")]
    Empty,
    #[error("the rendered pixels do not fill their image")]
    Buffer,
    #[error(
        "{width} × {height} px is too large for one image (at most {MAX_SIDE} px a side and {} megapixels); choose a smaller scale",
        MAX_PIXELS / 1_000_000
    )]
    TooLarge { width: u32, height: u32 },
}

/// Whether a render of this many pixels is made (the window greys out the scales that are not).
pub fn fits(width: u32, height: u32) -> bool {
    width.max(height) <= MAX_SIDE && u64::from(width) * u64::from(height) <= MAX_PIXELS
}

/// The picture, and the images that could not be read (drawn as grey boxes instead).
pub struct Rendered {
    pub image: RgbaImage,
    pub missing: Vec<String>,
}

/// Draws `board` with `scale` output pixels per board unit. `load` reads an image by its library file;
/// `fonts` are tried in order for each character of a note.
pub fn render(
    board: &Board,
    scale: f32,
    load: impl Fn(&str) -> Result<RgbaImage, ImageError>,
    fonts: &[&[u8]],
) -> Result<Rendered, RenderError> {
    let (min, max) = board.bounds().ok_or(RenderError::Empty)?;
    let width = ((max.x - min.x) * scale).ceil().max(1.0) as u32;
    let height = ((max.y - min.y) * scale).ceil().max(1.0) as u32;
    let too_large = RenderError::TooLarge { width, height };
    if !fits(width, height) {
        return Err(too_large);
    }
    let mut canvas = Pixmap::new(width, height).ok_or(too_large)?;
    let [r, g, b] = BACKGROUND;
    canvas.fill(tiny_skia::Color::from_rgba8(r, g, b, 255));
    let fonts: Vec<FontRef> = fonts
        .iter()
        .filter_map(|bytes| FontRef::try_from_slice(bytes).ok())
        .collect();
    let mut missing = Vec::new();
    for item in board.items() {
        // The item's whole image in board units (before the crop), and its raster.
        let (board_width, raster) = match &item.content {
            Content::Image {
                file,
                width: w,
                height: h,
                ..
            } => {
                let wanted = (*w.max(h) as f32 * item.scale * scale).ceil().max(1.0) as u32;
                let raster = load(file)
                    .and_then(|image| resize_to_fit(&image, wanted))
                    .map(premultiplied);
                match raster {
                    Ok(Some(raster)) => (*w as f32 * item.scale, raster),
                    Ok(None) | Err(_) => {
                        missing.push(file.clone());
                        match grey() {
                            Some(grey) => (*w as f32 * item.scale, grey),
                            None => continue,
                        }
                    }
                }
            }
            Content::Note {
                text,
                width: w,
                height: h,
            } => {
                let pixels = item.scale * scale;
                let raster = premultiplied(note(text, *w, *h, pixels, &fonts));
                match raster {
                    Some(raster) => (*w * item.scale, raster),
                    None => continue,
                }
            }
        };
        draw(
            &mut canvas,
            item,
            &raster,
            board_width,
            (min.x, min.y),
            scale,
        );
    }
    let image = RgbaImage::from_raw(width, height, canvas.take()).ok_or(RenderError::Buffer)?;
    Ok(Rendered { image, missing })
}

/// Fills the item's (cropped) rectangle with its raster, placed by scale, flip, rotation and position.
fn draw(
    canvas: &mut Pixmap,
    item: &Item,
    raster: &Pixmap,
    board_width: f32,
    (min_x, min_y): (f32, f32),
    scale: f32,
) {
    let (w, h) = (raster.width() as f32, raster.height() as f32);
    let c = item.crop;
    let units_per_pixel = board_width / w;
    let transform = Transform::from_scale(scale, scale)
        .pre_translate(item.center.x - min_x, item.center.y - min_y)
        .pre_rotate(item.rotation.to_degrees())
        .pre_scale(if item.flipped { -1.0 } else { 1.0 }, 1.0)
        .pre_scale(units_per_pixel, units_per_pixel)
        .pre_translate(-(c.left + c.right) / 2.0 * w, -(c.top + c.bottom) / 2.0 * h);
    let Some(rect) = tiny_skia::Rect::from_ltrb(c.left * w, c.top * h, c.right * w, c.bottom * h)
    else {
        return;
    };
    let paint = Paint {
        shader: Pattern::new(
            raster.as_ref(),
            SpreadMode::Pad,
            FilterQuality::Bilinear,
            1.0,
            Transform::identity(),
        ),
        anti_alias: true,
        ..Paint::default()
    };
    canvas.fill_rect(rect, &paint, transform, None);
}

/// tiny-skia works on premultiplied colour.
fn premultiplied(image: RgbaImage) -> Option<Pixmap> {
    let (w, h) = image.dimensions();
    let mut data = image.into_raw();
    for px in data.chunks_exact_mut(4) {
        let a = u16::from(px[3]);
        for c in &mut px[..3] {
            *c = ((u16::from(*c) * a + 127) / 255) as u8;
        }
    }
    Pixmap::from_vec(data, tiny_skia::IntSize::from_wh(w, h)?)
}

/// The stand-in for an image that could not be read.
fn grey() -> Option<Pixmap> {
    let mut pixmap = Pixmap::new(1, 1)?;
    pixmap.fill(tiny_skia::Color::from_rgba8(90, 90, 90, 255));
    Some(pixmap)
}

/// A note card at `pixels` output pixels per board unit: the yellow box and its text, wrapped as the
/// window wraps it.
fn note(text: &str, width: f32, height: f32, pixels: f32, fonts: &[FontRef]) -> RgbaImage {
    let (w, h) = (
        (width * pixels).ceil().max(1.0) as u32,
        (height * pixels).ceil().max(1.0) as u32,
    );
    let [r, g, b] = NOTE_COLOR;
    let mut card = RgbaImage::from_pixel(w, h, image::Rgba([r, g, b, 255]));
    let size = NOTE_FONT * pixels;
    let margin = NOTE_MARGIN * pixels;
    let Some(first) = fonts.first() else {
        return card;
    };
    let font_for = |c: char| fonts.iter().find(|f| f.glyph_id(c).0 != 0).unwrap_or(first);
    let px = PxScale::from(size);
    let advance = |c: char| {
        let font = font_for(c);
        font.as_scaled(px).h_advance(font.glyph_id(c))
    };
    let line_height = first.as_scaled(px).height() + first.as_scaled(px).line_gap();
    let ascent = first.as_scaled(px).ascent();
    let lines = wrap(text, (width - 2.0 * NOTE_MARGIN) * pixels, &advance);
    for (n, line) in lines.iter().enumerate() {
        let baseline = margin + ascent + n as f32 * line_height;
        let mut x = margin;
        for c in line.chars() {
            let font = font_for(c);
            let glyph = font
                .glyph_id(c)
                .with_scale_and_position(px, ab_glyph::point(x, baseline));
            x += font.as_scaled(px).h_advance(font.glyph_id(c));
            let Some(outline) = font.outline_glyph(glyph) else {
                continue;
            };
            let bounds = outline.px_bounds();
            outline.draw(|gx, gy, coverage| {
                let (px_x, px_y) = (
                    bounds.min.x as i64 + i64::from(gx),
                    bounds.min.y as i64 + i64::from(gy),
                );
                if px_x < 0 || px_y < 0 || px_x >= i64::from(w) || px_y >= i64::from(h) {
                    return;
                }
                let pixel = card.get_pixel_mut(px_x as u32, px_y as u32);
                for (channel, ink) in pixel.0.iter_mut().zip(NOTE_TEXT) {
                    let mixed = f32::from(*channel) * (1.0 - coverage) + f32::from(ink) * coverage;
                    *channel = mixed.round() as u8;
                }
            });
        }
    }
    card
}

/// Greedy word wrap: paragraphs stay, words move to the next line when they would pass `width`.
fn wrap(text: &str, width: f32, advance: &dyn Fn(char) -> f32) -> Vec<String> {
    let measure = |s: &str| s.chars().map(advance).sum::<f32>();
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split(' ') {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if measure(&candidate) > width && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line = word.to_owned();
            } else {
                line = candidate;
            }
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::board::{Crop, V2};

    fn image_content(name: &str, w: u32, h: u32) -> Content {
        Content::Image {
            hash: name.into(),
            file: name.into(),
            job: None,
            width: w,
            height: h,
        }
    }

    /// A 200×100 image: red left half, blue right half.
    fn halves() -> RgbaImage {
        RgbaImage::from_fn(200, 100, |x, _| {
            if x < 100 {
                image::Rgba([255, 0, 0, 255])
            } else {
                image::Rgba([0, 0, 255, 255])
            }
        })
    }

    fn load(file: &str) -> Result<RgbaImage, ImageError> {
        match file {
            "halves" => Ok(halves()),
            _ => Err(ImageError::NotAnImage),
        }
    }

    fn at(image: &RgbaImage, x: u32, y: u32) -> [u8; 3] {
        let p = image.get_pixel(x, y).0;
        [p[0], p[1], p[2]]
    }

    #[test]
    fn placement_scale_flip_crop_and_rotation_land_where_the_board_says() {
        let mut board = Board::new("r");
        let a = board.add(image_content("halves", 200, 100), V2::new(100.0, 50.0));
        // A second copy, flipped, to the right: blue comes first.
        let b = board.add(image_content("halves", 200, 100), V2::new(400.0, 50.0));
        board.flip(&[b]);
        let out = render(&board, 0.5, load, &[]).unwrap();
        assert!(out.missing.is_empty());
        assert_eq!(
            out.image.dimensions(),
            (250, 50),
            "(500 × 100 units) at 50%"
        );
        assert_eq!(at(&out.image, 20, 25), [255, 0, 0]);
        assert_eq!(at(&out.image, 80, 25), [0, 0, 255]);
        assert_eq!(at(&out.image, 170, 25), [0, 0, 255], "flipped");
        assert_eq!(at(&out.image, 230, 25), [255, 0, 0], "flipped");
        assert_eq!(at(&out.image, 125, 25), BACKGROUND, "the gap between them");

        // Crop `a` to its right (blue) half: what stays does not move.
        board.set_crop(
            a,
            Crop {
                left: 0.5,
                ..Crop::default()
            },
        );
        // Turn `b` a quarter: 100 wide, 200 tall, about its centre (400, 50).
        board.rotate_by(&[b], std::f32::consts::FRAC_PI_2);
        let out = render(&board, 1.0, load, &[]).unwrap();
        // Bounds now run from x 100 (a's kept half) to 450, y -50 to 150.
        assert_eq!(out.image.dimensions(), (350, 200));
        assert_eq!(
            at(&out.image, 50, 100),
            [0, 0, 255],
            "a's blue half at x 150"
        );
        // Flipped then turned clockwise: the blue (image right, shown left) half ends up on top.
        assert_eq!(at(&out.image, 300, 20), [0, 0, 255]);
        assert_eq!(at(&out.image, 300, 180), [255, 0, 0]);
    }

    #[test]
    fn notes_are_drawn_with_text_and_unreadable_images_are_reported_not_fatal() {
        let mut board = Board::new("r");
        board.add(image_content("gone", 100, 100), V2::new(50.0, 50.0));
        let note = board.add(
            Content::Note {
                text: String::new(),
                width: 200.0,
                height: 100.0,
            },
            V2::new(250.0, 50.0),
        );
        let fonts = crate::imaging::fonts::WINDOW_FONTS;
        let blank = render(&board, 1.0, load, &fonts).unwrap();
        assert_eq!(blank.missing, ["gone"]);
        assert_eq!(at(&blank.image, 50, 50), [90, 90, 90], "a grey stand-in");
        assert_eq!(at(&blank.image, 250, 50), NOTE_COLOR);
        board.set_note_text(note, "Warm light over a cold harbour, early".into());
        let written = render(&board, 1.0, load, &fonts).unwrap();
        let ink = |image: &RgbaImage| {
            (150..350)
                .flat_map(|x| (0..100).map(move |y| (x, y)))
                .filter(|(x, y)| at(image, *x, *y) != NOTE_COLOR)
                .count()
        };
        assert_eq!(ink(&blank.image), 0);
        assert!(ink(&written.image) > 300, "the text is drawn");
        // Wrapped onto a second line: ink below the first line's height.
        let second_line = (150..350)
            .flat_map(|x| (40..70).map(move |y| (x, y)))
            .any(|(x, y)| at(&written.image, x, y) != NOTE_COLOR);
        assert!(second_line);
    }

    #[test]
    fn empty_and_oversized_renders_are_refused_with_a_reason() {
        let board = Board::new("r");
        assert!(matches!(
            render(&board, 1.0, load, &[]),
            Err(RenderError::Empty)
        ));
        let mut board = Board::new("r");
        board.add(image_content("halves", 20000, 100), V2::default());
        let e = render(&board, 1.0, load, &[]).err().unwrap();
        assert!(e.to_string().contains("choose a smaller scale"), "{e}");
        assert!(render(&board, 0.5, load, &[]).is_ok());
    }
}
