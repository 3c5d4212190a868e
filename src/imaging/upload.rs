//! Getting a user's image ready to send (blend and describe sources): it must really be an image, not too
//! large to decode, and small enough for a JSON request. Oversized images are downscaled, keeping their
//! aspect, and re-encoded; the note says what was done. The window, the command line and the engine all
//! go through [`prepare_upload`], so they accept and refuse the same files.

use fast_image_resize::images::Image;
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::RgbaImage;

use super::{ImageError, decode_rgba, encode_png};

/// Files larger than this are refused before they are read.
pub const MAX_SOURCE_FILE_BYTES: u64 = 50 * 1024 * 1024;
/// An image sent as it is must fit these; anything larger is downscaled first.
pub const UPLOAD_MAX_SIDE: u32 = 2048;
pub const UPLOAD_MAX_BYTES: usize = 4 * 1024 * 1024;
/// The most base64 one blend or describe request may carry (TTAPI documents no limit; this keeps a
/// request well under what HTTP front ends commonly accept).
pub const REQUEST_MAX_BYTES: usize = 24 * 1024 * 1024;
/// Downscaling steps, tried in order until the encoded image fits [`UPLOAD_MAX_BYTES`].
const SIDES: [u32; 3] = [UPLOAD_MAX_SIDE, 1536, 1024];

/// An image ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// Set when the image was changed to fit, saying how.
    pub note: Option<String>,
}

/// Checks `bytes` are a readable image within the limits; returns them unchanged when they fit, else a
/// downscaled PNG (images with transparency) or JPEG.
pub fn prepare_upload(bytes: &[u8]) -> Result<Upload, ImageError> {
    let image = decode_rgba(bytes)?;
    let (width, height) = image.dimensions();
    if width.max(height) <= UPLOAD_MAX_SIDE && bytes.len() <= UPLOAD_MAX_BYTES {
        return Ok(Upload {
            bytes: bytes.to_vec(),
            width,
            height,
            note: None,
        });
    }
    let opaque = image.pixels().all(|p| p[3] == 255);
    for side in SIDES {
        let resized = resize_to_fit(&image, side)?;
        let encoded = if opaque {
            encode_jpeg(&resized, 90)?
        } else {
            encode_png(&resized)?
        };
        if encoded.len() <= UPLOAD_MAX_BYTES {
            let format = if opaque { "JPEG" } else { "PNG" };
            let note = format!(
                "{width}×{height} ({}) is larger than TTAPI takes comfortably; sent as {}×{} {format} ({})",
                megabytes(bytes.len()),
                resized.width(),
                resized.height(),
                megabytes(encoded.len())
            );
            return Ok(Upload {
                width: resized.width(),
                height: resized.height(),
                bytes: encoded,
                note: Some(note),
            });
        }
    }
    Err(ImageError::Encode(format!(
        "even at {}px the image is larger than {}",
        SIDES[SIDES.len() - 1],
        megabytes(UPLOAD_MAX_BYTES)
    )))
}

/// Refuses a request whose images together are too large to send, before anything is sent.
pub fn check_request_size(base64_lengths: impl IntoIterator<Item = usize>) -> Result<(), String> {
    let total: usize = base64_lengths.into_iter().sum();
    if total > REQUEST_MAX_BYTES {
        return Err(format!(
            "together the images make a {} request, more than the {} limit: remove one or use smaller images",
            megabytes(total),
            megabytes(REQUEST_MAX_BYTES)
        ));
    }
    Ok(())
}

pub fn megabytes(bytes: usize) -> String {
    format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
}

/// The image scaled (never enlarged) so its longer side is at most `max_side`, with a SIMD Lanczos filter.
pub fn resize_to_fit(image: &RgbaImage, max_side: u32) -> Result<RgbaImage, ImageError> {
    resize_with(image, max_side, FilterType::Lanczos3)
}

fn resize_with(
    image: &RgbaImage,
    max_side: u32,
    filter: FilterType,
) -> Result<RgbaImage, ImageError> {
    let (w, h) = image.dimensions();
    let scale = (f64::from(max_side) / f64::from(w.max(h))).min(1.0);
    if scale >= 1.0 {
        return Ok(image.clone());
    }
    let (tw, th) = (
        ((f64::from(w) * scale).round() as u32).max(1),
        ((f64::from(h) * scale).round() as u32).max(1),
    );
    let mut resized = Image::new(tw, th, PixelType::U8x4);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(filter));
    Resizer::new()
        .resize(image, &mut resized, &options)
        .map_err(|e| ImageError::Encode(e.to_string()))?;
    RgbaImage::from_raw(tw, th, resized.into_vec())
        .ok_or_else(|| ImageError::Encode("the resized buffer has the wrong size".into()))
}

/// Thumbnails whose longer sides are `sizes`, in that order, never enlarged. The largest is made from the
/// image and each smaller one from the one before, so the Lanczos filter reads far fewer pixels than it
/// would from the original every time.
pub fn thumbnails(image: &RgbaImage, sizes: &[u32]) -> Result<Vec<RgbaImage>, ImageError> {
    let mut order: Vec<usize> = (0..sizes.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(sizes[i]));
    let mut made: Vec<Option<RgbaImage>> = vec![None; sizes.len()];
    let mut from: Option<RgbaImage> = None;
    for i in order {
        let base = from.as_ref().unwrap_or(image);
        let thumb = match base.width().max(base.height()) {
            // Four times larger or more: a 2×2 average first (exact, no aliasing) halves the pixels the
            // Lanczos pass reads; 2048 → 512 takes 4.3 ms instead of 6.5.
            longest if longest >= sizes[i].saturating_mul(4) => {
                let half = resize_with(base, sizes[i] * 2, FilterType::Box)?;
                resize_to_fit(&half, sizes[i])?
            }
            _ => resize_to_fit(base, sizes[i])?,
        };
        from = Some(thumb.clone());
        made[i] = Some(thumb);
    }
    Ok(made.into_iter().flatten().collect())
}

/// Baseline JPEG of the RGB channels (alpha dropped: callers only pass opaque images).
pub fn encode_jpeg(image: &RgbaImage, quality: u8) -> Result<Vec<u8>, ImageError> {
    let rgb: Vec<u8> = image.pixels().flat_map(|p| [p[0], p[1], p[2]]).collect();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode(
            &rgb,
            image.width(),
            image.height(),
            image::ExtendedColorType::Rgb8,
        )
        .map_err(|e| ImageError::Encode(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imaging::sniff_format;
    use image::Rgba;

    fn noisy(w: u32, h: u32, alpha: u8) -> RgbaImage {
        let mut rng = fastrand::Rng::with_seed(7);
        RgbaImage::from_fn(w, h, |_, _| {
            Rgba([rng.u8(..), rng.u8(..), rng.u8(..), alpha])
        })
    }

    #[test]
    fn a_small_image_is_sent_byte_for_byte() {
        let png = encode_png(&noisy(300, 200, 255)).unwrap();
        let upload = prepare_upload(&png).unwrap();
        assert_eq!(upload.bytes, png);
        assert_eq!((upload.width, upload.height, upload.note), (300, 200, None));
    }

    #[test]
    fn a_large_photo_is_downscaled_to_a_jpeg_keeping_its_aspect() {
        let png = encode_png(&noisy(3000, 1500, 255)).unwrap();
        let upload = prepare_upload(&png).unwrap();
        assert!(upload.width <= UPLOAD_MAX_SIDE && upload.bytes.len() <= UPLOAD_MAX_BYTES);
        assert_eq!(upload.width, upload.height * 2, "aspect kept");
        assert_eq!(sniff_format(&upload.bytes), Some(image::ImageFormat::Jpeg));
        let note = upload.note.unwrap();
        assert!(
            note.starts_with("3000×1500") && note.contains("JPEG"),
            "{note}"
        );
    }

    #[test]
    fn transparency_survives_downscaling_as_png() {
        let png = encode_png(&noisy(2500, 2500, 128)).unwrap();
        let upload = prepare_upload(&png).unwrap();
        assert_eq!(sniff_format(&upload.bytes), Some(image::ImageFormat::Png));
        let decoded = decode_rgba(&upload.bytes).unwrap();
        assert!(decoded.pixels().all(|p| p[3] == 128));
        assert!(upload.bytes.len() <= UPLOAD_MAX_BYTES);
    }

    #[test]
    fn requests_over_the_total_limit_are_refused_with_the_sizes() {
        assert!(check_request_size([REQUEST_MAX_BYTES / 2, REQUEST_MAX_BYTES / 2]).is_ok());
        let err = check_request_size([REQUEST_MAX_BYTES, 1024 * 1024]).unwrap_err();
        assert!(
            err.contains("25.0 MB") && err.contains("24.0 MB limit"),
            "{err}"
        );
    }
}
