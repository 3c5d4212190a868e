//! Image bytes in and out: decoding with limits, PNG encoding, data URIs. Pure CPU work; callers on an
//! async runtime run it on a blocking thread.
//!
//! Where a change goes:
//! - image limits or formats (`MAX_DECODE_PIXELS`, `MAX_SIDE`), decoding, encoding, reading a mask file
//!   (`read_mask_file`): this file.
//! - how a user's image is prepared for sending, resizing and thumbnails: `upload.rs` (`prepare_upload`,
//!   shared by the window, the CLI and the engine; `thumbnails`, written by `src/library/store.rs`).
//! - the text chunks written into exported PNGs: `png_text.rs`; what they say: `src/library/export.rs`.
//! - a board drawn to one image: `board_render.rs`; the fonts for its notes and the window's CJK
//!   fallback: `fonts.rs`.

pub mod board_render;
pub mod fonts;
pub mod png_text;
mod upload;

use std::io::Cursor;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use image::{ImageFormat, ImageReader, RgbaImage};

pub use upload::{
    MAX_SOURCE_FILE_BYTES, REQUEST_MAX_BYTES, UPLOAD_MAX_BYTES, UPLOAD_MAX_SIDE, Upload,
    check_request_size, encode_jpeg, megabytes, prepare_upload, resize_to_fit, thumbnails,
};

/// Largest image Moodgrid decodes: 64 megapixels (Midjourney's largest upscale is 4096² = 16 MP).
pub const MAX_DECODE_PIXELS: u64 = 64 * 1024 * 1024;
/// Largest side length accepted.
pub const MAX_SIDE: u32 = 16_384;
/// Largest mask file read (`--mask`, the editor's import): a black and white PNG of the largest upscale
/// is far smaller.
pub const MAX_MASK_FILE_BYTES: u64 = 16 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("the file is empty")]
    Empty,
    #[error("not an image Moodgrid can read (PNG, JPEG or WebP expected)")]
    NotAnImage,
    #[error(
        "the image is {width}×{height} ({} megapixels); Moodgrid reads up to {} megapixels and {MAX_SIDE} px a side",
        megapixels(u64::from(*width) * u64::from(*height)),
        megapixels(*max)
    )]
    TooLarge { width: u32, height: u32, max: u64 },
    #[error("the image is damaged or truncated: {0}")]
    Corrupt(String),
    #[error("could not encode the image: {0}")]
    Encode(String),
    #[error("not a base64 data URI: {0}")]
    BadDataUri(String),
}

fn megapixels(pixels: u64) -> u64 {
    (pixels as f64 / 1_000_000.0).round() as u64
}

/// The format of encoded image bytes, from their content (never from a file name).
pub fn sniff_format(bytes: &[u8]) -> Option<ImageFormat> {
    image::guess_format(bytes)
        .ok()
        .filter(|f| matches!(f, ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP))
}

/// Pixel size without decoding the pixels.
pub fn dimensions(bytes: &[u8]) -> Result<(u32, u32), ImageError> {
    reader(bytes)?
        .into_dimensions()
        .map_err(|e| ImageError::Corrupt(e.to_string()))
}

/// Decodes PNG, JPEG or WebP to RGBA, refusing images above [`MAX_DECODE_PIXELS`] before allocating them.
pub fn decode_rgba(bytes: &[u8]) -> Result<RgbaImage, ImageError> {
    let (width, height) = dimensions(bytes)?;
    if u64::from(width) * u64::from(height) > MAX_DECODE_PIXELS
        || width > MAX_SIDE
        || height > MAX_SIDE
    {
        return Err(ImageError::TooLarge {
            width,
            height,
            max: MAX_DECODE_PIXELS,
        });
    }
    let mut reader = reader(bytes)?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_PIXELS * 4 + 64 * 1024 * 1024);
    reader.limits(limits);
    reader
        .decode()
        .map(|img| img.into_rgba8())
        .map_err(|e| ImageError::Corrupt(e.to_string()))
}

fn reader(bytes: &[u8]) -> Result<ImageReader<Cursor<&[u8]>>, ImageError> {
    if bytes.is_empty() {
        return Err(ImageError::Empty);
    }
    let format = sniff_format(bytes).ok_or(ImageError::NotAnImage)?;
    let mut reader = ImageReader::new(Cursor::new(bytes));
    reader.set_format(format);
    Ok(reader)
}

/// Lossless PNG. Fast compression: these files are written once and read often, and size matters less
/// than keeping the simulator and exports quick.
pub fn encode_png(image: &RgbaImage) -> Result<Vec<u8>, ImageError> {
    let mut out = Vec::new();
    let encoder = image::codecs::png::PngEncoder::new_with_quality(
        &mut out,
        image::codecs::png::CompressionType::Fast,
        image::codecs::png::FilterType::Adaptive,
    );
    image
        .write_with_encoder(encoder)
        .map_err(|e| ImageError::Encode(e.to_string()))?;
    Ok(out)
}

/// Whether an inpaint mask pixel asks for repainting: white (bright and opaque), by TTAPI's contract.
pub fn is_repaint_pixel(p: &image::Rgba<u8>) -> bool {
    let luma = 0.299 * f32::from(p[0]) + 0.587 * f32::from(p[1]) + 0.114 * f32::from(p[2]);
    luma >= 128.0 && p[3] >= 128
}

/// Whether every pixel is already pure black or pure white (opaque), i.e. thresholding changes nothing.
/// A mask file the user chose: its bytes as they are (a mask is never re-encoded or resized: it must match
/// the image) and its pixels, refused before reading past [`MAX_MASK_FILE_BYTES`]. Errors name the file.
pub fn read_mask_file(path: &std::path::Path) -> Result<(Vec<u8>, RgbaImage), String> {
    let bytes = crate::files::read_limited(path, MAX_MASK_FILE_BYTES, "a mask")?;
    let image = decode_rgba(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((bytes, image))
}

pub fn is_black_and_white(image: &RgbaImage) -> bool {
    image.pixels().all(|p| {
        p[3] == 255
            && ((p[0] == 0 && p[1] == 0 && p[2] == 0)
                || (p[0] == 255 && p[1] == 255 && p[2] == 255))
    })
}

/// MIME type for a data URI of these bytes.
pub fn mime_type(bytes: &[u8]) -> Option<&'static str> {
    sniff_format(bytes).map(|f| f.to_mime_type())
}

/// `data:image/png;base64,…` as blend and describe expect.
pub fn to_data_uri(bytes: &[u8]) -> Result<String, ImageError> {
    let mime = mime_type(bytes).ok_or(ImageError::NotAnImage)?;
    Ok(format!("data:{mime};base64,{}", BASE64.encode(bytes)))
}

/// Raw base64 without a prefix, as inpaint's `mask` expects.
pub fn to_base64(bytes: &[u8]) -> String {
    BASE64.encode(bytes)
}

/// Decodes a data URI or bare base64 (both are seen in the wild) to bytes.
pub fn from_base64_or_data_uri(text: &str) -> Result<Vec<u8>, ImageError> {
    let text = text.trim();
    let payload = match text.strip_prefix("data:") {
        Some(rest) => {
            let (meta, payload) = rest
                .split_once(',')
                .ok_or_else(|| ImageError::BadDataUri("no comma after the media type".into()))?;
            if !meta.ends_with(";base64") {
                return Err(ImageError::BadDataUri(
                    "only base64 data URIs are supported".into(),
                ));
            }
            payload
        }
        None => text,
    };
    let compact: String = payload.chars().filter(|c| !c.is_whitespace()).collect();
    BASE64
        .decode(compact.as_bytes())
        .map_err(|e| ImageError::BadDataUri(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        encode_png(&RgbaImage::from_pixel(
            width,
            height,
            image::Rgba([10, 20, 30, 255]),
        ))
        .unwrap()
    }

    #[test]
    fn bad_inputs_get_their_own_reason() {
        let valid = png(8, 8);
        let truncated = &valid[..valid.len() / 2];
        let cases: [(&[u8], ImageError); 3] = [
            (b"", ImageError::Empty),
            (
                b"hello, this is a text file renamed .png",
                ImageError::NotAnImage,
            ),
            (b"GIF89a....", ImageError::NotAnImage),
        ];
        for (bytes, want) in cases {
            assert_eq!(decode_rgba(bytes).unwrap_err(), want);
        }
        assert!(matches!(
            decode_rgba(truncated),
            Err(ImageError::Corrupt(_))
        ));
    }

    #[test]
    fn oversized_images_are_refused_before_decoding() {
        // A thin strip is cheap to make but has a side past the limit: refused from the header alone.
        let strip = png(MAX_SIDE + 1, 1);
        assert_eq!(
            decode_rgba(&strip).unwrap_err(),
            ImageError::TooLarge {
                width: MAX_SIDE + 1,
                height: 1,
                max: MAX_DECODE_PIXELS
            }
        );
        assert_eq!(dimensions(&strip).unwrap(), (MAX_SIDE + 1, 1));
    }

    #[test]
    fn png_round_trips_through_a_data_uri() {
        let bytes = png(3, 2);
        let uri = to_data_uri(&bytes).unwrap();
        assert!(uri.starts_with("data:image/png;base64,"));
        let back = from_base64_or_data_uri(&uri).unwrap();
        assert_eq!(back, bytes);
        assert_eq!(from_base64_or_data_uri(&to_base64(&bytes)).unwrap(), bytes);
        assert_eq!(decode_rgba(&back).unwrap().dimensions(), (3, 2));
        assert!(matches!(
            from_base64_or_data_uri("data:image/png,notbase64"),
            Err(ImageError::BadDataUri(_))
        ));
        assert!(matches!(
            from_base64_or_data_uri("%%%"),
            Err(ImageError::BadDataUri(_))
        ));
    }
}
