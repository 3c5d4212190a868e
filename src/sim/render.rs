//! Procedural images for the simulator: deterministic from a seed, real PNGs at Midjourney's sizes, and
//! each follow-up action transforms its parent's pixels the way the real one would (crop, enlarge, extend,
//! repaint a masked region, mix inputs).

use image::imageops::{self, FilterType};
use image::{Rgba, RgbaImage};

use crate::domain::prompt::image_size_for_ratio;
use crate::domain::{BlendDimensions, PanDirection};
use crate::imaging::{self, ImageError};

/// The side of a square one-megapixel image, the size simulated actions normalise their sources to.
pub const BASE_SIDE: u32 = 1024;

type Rgb = [f32; 3];

const NAMED_COLOURS: [(&str, Rgb); 14] = [
    ("red", [0.86, 0.16, 0.18]),
    ("orange", [0.95, 0.50, 0.13]),
    ("gold", [0.93, 0.76, 0.25]),
    ("yellow", [0.98, 0.90, 0.30]),
    ("green", [0.25, 0.66, 0.32]),
    ("teal", [0.10, 0.55, 0.55]),
    ("cyan", [0.35, 0.82, 0.90]),
    ("blue", [0.16, 0.33, 0.80]),
    ("purple", [0.50, 0.28, 0.72]),
    ("pink", [0.95, 0.55, 0.72]),
    ("white", [0.95, 0.95, 0.93]),
    ("grey", [0.52, 0.53, 0.55]),
    ("brown", [0.45, 0.29, 0.17]),
    ("black", [0.07, 0.07, 0.09]),
];

/// A stable 64-bit hash (FNV-1a) so that images replay exactly across runs and platforms.
pub fn stable_hash(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.iter().chain(&[0xff]) {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// Four colours for a prompt: colour words it names first, then hues chosen by the seed.
pub fn palette(prompt: &str, seed: u64) -> [Rgb; 4] {
    let lower = prompt.to_ascii_lowercase();
    let mut colours: Vec<Rgb> = NAMED_COLOURS
        .iter()
        .filter(|(name, _)| {
            lower
                .split(|c: char| !c.is_ascii_alphabetic())
                .any(|w| w == *name)
        })
        .map(|(_, rgb)| *rgb)
        .take(4)
        .collect();
    let mut rng = fastrand::Rng::with_seed(seed);
    while colours.len() < 4 {
        colours.push(hsv(
            rng.f32(),
            0.45 + 0.45 * rng.f32(),
            0.45 + 0.5 * rng.f32(),
        ));
    }
    [colours[0], colours[1], colours[2], colours[3]]
}

fn hsv(h: f32, s: f32, v: f32) -> Rgb {
    let h6 = (h.fract() * 6.0).max(0.0);
    let f = h6.fract();
    let (p, q, t) = (v * (1.0 - s), v * (1.0 - s * f), v * (1.0 - s * (1.0 - f)));
    match h6 as u32 {
        0 => [v, t, p],
        1 => [q, v, p],
        2 => [p, v, t],
        3 => [p, q, v],
        4 => [t, p, v],
        _ => [v, p, q],
    }
}

fn to_px(c: Rgb) -> Rgba<u8> {
    Rgba([
        (c[0].clamp(0.0, 1.0) * 255.0).round() as u8,
        (c[1].clamp(0.0, 1.0) * 255.0).round() as u8,
        (c[2].clamp(0.0, 1.0) * 255.0).round() as u8,
        255,
    ])
}

fn mix(a: Rgb, b: Rgb, t: f32) -> Rgb {
    [
        a[0] + (b[0] - a[0]) * t,
        a[1] + (b[1] - a[1]) * t,
        a[2] + (b[2] - a[2]) * t,
    ]
}

/// A fresh picture: a diagonal gradient, soft discs and a faint wave texture, all from `seed`.
pub fn paint(width: u32, height: u32, colours: &[Rgb; 4], seed: u64) -> RgbaImage {
    let mut rng = fastrand::Rng::with_seed(seed);
    let angle = rng.f32() * std::f32::consts::TAU;
    let (dx, dy) = (angle.cos(), angle.sin());
    let wave = 6.0 + rng.f32() * 18.0;
    let (w, h) = (width as f32, height as f32);
    let mut img = RgbaImage::from_fn(width, height, |x, y| {
        let (u, v) = (x as f32 / w - 0.5, y as f32 / h - 0.5);
        let t = ((u * dx + v * dy) * 1.2 + 0.5).clamp(0.0, 1.0);
        let ripple = 0.04 * ((u * wave + v * wave * 0.6).sin());
        let c = mix(colours[0], colours[1], t);
        to_px([c[0] + ripple, c[1] + ripple, c[2] + ripple])
    });
    let side = w.min(h);
    for i in 0..(5 + rng.usize(0..4)) {
        let colour = mix(colours[2 + i % 2], colours[(i + 1) % 4], rng.f32() * 0.3);
        let (cx, cy) = (rng.f32() * w, rng.f32() * h);
        let radius = side * (0.08 + rng.f32() * 0.25);
        let opacity = 0.55 + rng.f32() * 0.4;
        disc(&mut img, cx, cy, radius, colour, opacity);
    }
    img
}

fn disc(img: &mut RgbaImage, cx: f32, cy: f32, radius: f32, colour: Rgb, opacity: f32) {
    let soft = (radius * 0.15).max(1.0);
    let reach = radius + soft;
    let x0 = (cx - reach).floor().max(0.0) as u32;
    let y0 = (cy - reach).floor().max(0.0) as u32;
    let x1 = ((cx + reach).ceil() as u32).min(img.width());
    let y1 = ((cy + reach).ceil() as u32).min(img.height());
    for y in y0..y1 {
        for x in x0..x1 {
            let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt();
            let alpha = ((reach - d) / soft).clamp(0.0, 1.0) * opacity;
            if alpha > 0.0 {
                let p = img.get_pixel_mut(x, y);
                for (c, target) in p.0.iter_mut().take(3).zip(colour) {
                    *c = (f32::from(*c) + (target * 255.0 - f32::from(*c)) * alpha).round() as u8;
                }
            }
        }
    }
}

/// The four images of a new grid for a prompt, each of `size`.
pub fn imagine_grid(prompt: &str, seed: u64, (w, h): (u32, u32)) -> [RgbaImage; 4] {
    std::array::from_fn(|i| {
        let quadrant_seed = seed.wrapping_mul(31).wrapping_add(i as u64);
        paint(w, h, &palette(prompt, quadrant_seed), quadrant_seed)
    })
}

/// Joins four equally sized images into a 2×2 grid (tl, tr, bl, br).
pub fn grid(quadrants: &[RgbaImage; 4]) -> RgbaImage {
    let (w, h) = quadrants[0].dimensions();
    let mut out = RgbaImage::new(w * 2, h * 2);
    for (i, q) in quadrants.iter().enumerate() {
        imageops::replace(
            &mut out,
            q,
            i64::from(w) * (i as i64 % 2),
            i64::from(h) * (i as i64 / 2),
        );
    }
    out
}

/// Scales an image down (never up) to about one megapixel, so an action on an upscaled image yields
/// Midjourney-sized results rather than ever larger ones.
pub fn normalise(img: &RgbaImage) -> RgbaImage {
    let (w, h) = img.dimensions();
    let pixels = f64::from(w) * f64::from(h);
    let budget = f64::from(BASE_SIDE * BASE_SIDE) * 1.1;
    if pixels <= budget {
        return img.clone();
    }
    let scale = (f64::from(BASE_SIDE * BASE_SIDE) / pixels).sqrt();
    let (nw, nh) = (
        ((f64::from(w) * scale).round() as u32).max(1),
        ((f64::from(h) * scale).round() as u32).max(1),
    );
    imageops::resize(img, nw, nh, FilterType::Triangle)
}

/// The mean colour and the three most common named colours of an image.
pub fn dominant_colours(img: &RgbaImage) -> Vec<&'static str> {
    let mut counts = [0u32; NAMED_COLOURS.len()];
    let step = ((img.width() * img.height()) / 40_000).max(1) as usize;
    for p in img.pixels().step_by(step) {
        let c = [
            f32::from(p[0]) / 255.0,
            f32::from(p[1]) / 255.0,
            f32::from(p[2]) / 255.0,
        ];
        let nearest = NAMED_COLOURS
            .iter()
            .enumerate()
            .map(|(i, (_, n))| {
                (
                    i,
                    (n[0] - c[0]).powi(2) + (n[1] - c[1]).powi(2) + (n[2] - c[2]).powi(2),
                )
            })
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map_or(0, |(i, _)| i);
        counts[nearest] += 1;
    }
    let mut ranked: Vec<usize> = (0..NAMED_COLOURS.len())
        .filter(|i| counts[*i] > 0)
        .collect();
    ranked.sort_by_key(|i| std::cmp::Reverse(counts[*i]));
    ranked
        .into_iter()
        .take(3)
        .map(|i| NAMED_COLOURS[i].0)
        .collect()
}

fn colours_of(img: &RgbaImage, seed: u64) -> [Rgb; 4] {
    let names = dominant_colours(img).join(" ");
    palette(&names, seed)
}

/// Four variations of one image: the source with new shapes and a colour shift, stronger for "Vary (Strong)".
pub fn variations(source: &RgbaImage, strength: f32, seed: u64) -> [RgbaImage; 4] {
    let base = normalise(source);
    let colours = colours_of(&base, seed);
    std::array::from_fn(|i| {
        let quadrant_seed = seed.wrapping_add(i as u64 * 7919);
        let (w, h) = base.dimensions();
        let overlay = paint(w, h, &colours, quadrant_seed);
        let mut out = base.clone();
        blend_into(&mut out, &overlay, 0.2 + 0.5 * strength);
        out
    })
}

fn blend_into(target: &mut RgbaImage, overlay: &RgbaImage, amount: f32) {
    for (t, o) in target.pixels_mut().zip(overlay.pixels()) {
        for c in 0..3 {
            t[c] = (f32::from(t[c]) * (1.0 - amount) + f32::from(o[c]) * amount).round() as u8;
        }
    }
}

/// An enlarged copy; "creative" adds a little new detail.
pub fn upscale(source: &RgbaImage, factor: u32, creative: bool, seed: u64) -> RgbaImage {
    let (w, h) = source.dimensions();
    let mut out = imageops::resize(source, w * factor, h * factor, FilterType::CatmullRom);
    if creative {
        let colours = colours_of(source, seed);
        let detail = paint(out.width(), out.height(), &colours, seed);
        blend_into(&mut out, &detail, 0.12);
    }
    out
}

/// A new canvas of `canvas` size painted from `seed`, with the source scaled by `scale` placed at `origin`.
fn extend(
    source: &RgbaImage,
    canvas: (u32, u32),
    scale: f32,
    origin: (i64, i64),
    seed: u64,
) -> RgbaImage {
    let colours = colours_of(source, seed);
    let mut out = paint(canvas.0, canvas.1, &colours, seed);
    let (w, h) = source.dimensions();
    let (sw, sh) = (
        ((w as f32 * scale) as u32).max(1),
        ((h as f32 * scale) as u32).max(1),
    );
    let scaled = if (sw, sh) == (w, h) {
        source.clone()
    } else {
        imageops::resize(source, sw, sh, FilterType::Triangle)
    };
    imageops::replace(&mut out, &scaled, origin.0, origin.1);
    out
}

/// Zoom out: the same frame size, the source shrunk to `1/factor` in the middle of new surroundings.
pub fn zoom_out(source: &RgbaImage, factor: f32, seed: u64) -> [RgbaImage; 4] {
    let base = normalise(source);
    let (w, h) = base.dimensions();
    let scale = 1.0 / factor;
    let origin = (
        ((w as f32 - w as f32 * scale) / 2.0) as i64,
        ((h as f32 - h as f32 * scale) / 2.0) as i64,
    );
    std::array::from_fn(|i| extend(&base, (w, h), scale, origin, seed.wrapping_add(i as u64)))
}

/// Pan: the canvas grows by half in the pan direction; the source keeps its pixels on the other side.
pub fn pan(source: &RgbaImage, direction: PanDirection, seed: u64) -> [RgbaImage; 4] {
    let base = normalise(source);
    let (w, h) = base.dimensions();
    let (canvas, origin) = match direction {
        PanDirection::Left => ((w + w / 2, h), (i64::from(w / 2), 0)),
        PanDirection::Right => ((w + w / 2, h), (0, 0)),
        PanDirection::Up => ((w, h + h / 2), (0, i64::from(h / 2))),
        PanDirection::Down => ((w, h + h / 2), (0, 0)),
    };
    std::array::from_fn(|i| extend(&base, canvas, 1.0, origin, seed.wrapping_add(i as u64)))
}

/// Make square: the longer side kept, the shorter one extended on both sides.
pub fn make_square(source: &RgbaImage, seed: u64) -> [RgbaImage; 4] {
    let base = normalise(source);
    let (w, h) = base.dimensions();
    let side = w.max(h);
    let origin = (i64::from((side - w) / 2), i64::from((side - h) / 2));
    std::array::from_fn(|i| {
        extend(
            &base,
            (side, side),
            1.0,
            origin,
            seed.wrapping_add(i as u64),
        )
    })
}

/// Blend: every input cover-fitted to the chosen aspect, then mixed with weights that sweep across each
/// quadrant in a different direction, so all inputs show in every result.
pub fn blend(sources: &[RgbaImage], dimensions: BlendDimensions, seed: u64) -> [RgbaImage; 4] {
    let (w, h) = image_size_for_ratio(dimensions.ratio());
    let fitted: Vec<RgbaImage> = sources
        .iter()
        .map(|s| imageops::resize(&cover_crop(s, w, h), w, h, FilterType::Triangle))
        .collect();
    let mut rng = fastrand::Rng::with_seed(seed);
    std::array::from_fn(|_| {
        let sweeps: Vec<(f32, f32)> = fitted
            .iter()
            .map(|_| {
                let a = rng.f32() * std::f32::consts::TAU;
                (a.cos(), a.sin())
            })
            .collect();
        RgbaImage::from_fn(w, h, |x, y| {
            let (u, v) = (x as f32 / w as f32 - 0.5, y as f32 / h as f32 - 0.5);
            let weights: Vec<f32> = sweeps
                .iter()
                .map(|(dx, dy)| (1.0 + 1.6 * (u * dx + v * dy)).max(0.08))
                .collect();
            let total: f32 = weights.iter().sum();
            let mut acc = [0.0f32; 3];
            for (img, weight) in fitted.iter().zip(&weights) {
                let p = img.get_pixel(x, y);
                for c in 0..3 {
                    acc[c] += f32::from(p[c]) * weight / total;
                }
            }
            Rgba([
                acc[0].round() as u8,
                acc[1].round() as u8,
                acc[2].round() as u8,
                255,
            ])
        })
    })
}

fn cover_crop(img: &RgbaImage, w: u32, h: u32) -> RgbaImage {
    let (sw, sh) = img.dimensions();
    let target = w as f32 / h as f32;
    let (cw, ch) = if sw as f32 / sh as f32 > target {
        (((sh as f32 * target) as u32).clamp(1, sw), sh)
    } else {
        (sw, ((sw as f32 / target) as u32).clamp(1, sh))
    };
    imageops::crop_imm(img, (sw - cw) / 2, (sh - ch) / 2, cw, ch).to_image()
}

/// Vary (Region): four copies of the source whose white-masked pixels are repainted; every other pixel is
/// left exactly as it was.
pub fn inpaint(source: &RgbaImage, mask: &RgbaImage, prompt: &str, seed: u64) -> [RgbaImage; 4] {
    let (w, h) = source.dimensions();
    std::array::from_fn(|i| {
        let quadrant_seed = seed.wrapping_add(i as u64 * 104_729);
        let fill = paint(w, h, &palette(prompt, quadrant_seed), quadrant_seed);
        let mut out = source.clone();
        for ((o, m), f) in out.pixels_mut().zip(mask.pixels()).zip(fill.pixels()) {
            if imaging::is_repaint_pixel(m) {
                *o = *f;
            }
        }
        out
    })
}

/// Describe: four distinct prompts read off the image's colours, brightness and aspect, numbered like
/// Midjourney's Discord answer and separated by blank lines.
pub fn describe(img: &RgbaImage) -> String {
    let names = dominant_colours(img);
    let colour = |i: usize| names.get(i).or(names.first()).copied().unwrap_or("grey");
    let brightness = img
        .pixels()
        .step_by(97)
        .map(|p| u32::from(p[0]) + u32::from(p[1]) + u32::from(p[2]))
        .sum::<u32>() as f32
        / (img.pixels().step_by(97).count().max(1) as f32 * 765.0);
    let mood = if brightness > 0.6 {
        "airy, luminous"
    } else if brightness > 0.35 {
        "balanced, natural"
    } else {
        "moody, low-key"
    };
    let (w, h) = img.dimensions();
    let divisor = gcd(w, h).max(1);
    let ar = format!("--ar {}:{}", w / divisor, h / divisor);
    [
        format!("1️⃣ an abstract composition of {} and {} circles on a soft gradient, {mood} {ar}", colour(0), colour(1)),
        format!("2️⃣ minimalist {} poster with overlapping {} discs, bauhaus geometry, flat colour {ar}", colour(0), colour(2)),
        format!("3️⃣ dreamy {} landscape with floating {} orbs, atmospheric haze, {mood} light {ar}", colour(1), colour(0)),
        format!("4️⃣ close-up texture study of {} paint over {}, studio photograph, shallow depth of field {ar}", colour(2), colour(1)),
    ]
    .join("\n\n")
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// PNG bytes of an image, or the reason it could not be encoded.
pub fn png(img: &RgbaImage) -> Result<Vec<u8>, ImageError> {
    imaging::encode_png(img)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(w: u32, h: u32, c: [u8; 3]) -> RgbaImage {
        RgbaImage::from_pixel(w, h, Rgba([c[0], c[1], c[2], 255]))
    }

    #[test]
    fn painting_is_deterministic_per_seed_and_differs_across_seeds() {
        let colours = palette("a red fox in blue snow", 7);
        assert_eq!(colours[0], NAMED_COLOURS[0].1, "named colours come first");
        let a = paint(64, 48, &colours, 1);
        assert_eq!(a, paint(64, 48, &colours, 1));
        assert_ne!(a, paint(64, 48, &colours, 2));
        assert_eq!(a.dimensions(), (64, 48));
    }

    #[test]
    fn inpaint_changes_only_white_pixels() {
        let source = paint(40, 30, &palette("x", 1), 1);
        let mut mask = flat(40, 30, [0, 0, 0]);
        for y in 5..15 {
            for x in 10..20 {
                mask.put_pixel(x, y, Rgba([255, 255, 255, 255]));
            }
        }
        for out in inpaint(&source, &mask, "green moss", 3) {
            for (x, y, p) in out.enumerate_pixels() {
                if !(10..20).contains(&x) || !(5..15).contains(&y) {
                    assert_eq!(
                        p,
                        source.get_pixel(x, y),
                        "pixel {x},{y} outside the mask changed"
                    );
                }
            }
            let inside_changed = (5..15)
                .flat_map(|y| (10..20).map(move |x| (x, y)))
                .any(|(x, y)| out.get_pixel(x, y) != source.get_pixel(x, y));
            assert!(inside_changed);
        }
    }

    #[test]
    fn blend_shows_every_input() {
        let out = blend(
            &[flat(300, 200, [255, 0, 0]), flat(100, 100, [0, 0, 255])],
            BlendDimensions::Landscape,
            9,
        );
        for q in &out {
            assert!(q.width() > q.height());
            let mean = |c: usize| {
                q.pixels().map(|p| u64::from(p[c])).sum::<u64>() / u64::from(q.width() * q.height())
            };
            assert!(
                mean(0) > 40 && mean(2) > 40,
                "red {} blue {}",
                mean(0),
                mean(2)
            );
        }
    }

    #[test]
    fn actions_produce_the_expected_shapes() {
        let src = flat(BASE_SIDE, BASE_SIDE, [200, 100, 50]);
        assert_eq!(
            pan(&src, PanDirection::Left, 1)[0].dimensions(),
            (1536, 1024)
        );
        assert_eq!(
            pan(&src, PanDirection::Down, 1)[0].dimensions(),
            (1024, 1536)
        );
        assert_eq!(zoom_out(&src, 2.0, 1)[0].dimensions(), (1024, 1024));
        assert_eq!(
            upscale(&flat(8, 6, [0, 0, 0]), 2, false, 1).dimensions(),
            (16, 12)
        );
        assert_eq!(
            make_square(&flat(100, 60, [1, 2, 3]), 1)[0].dimensions(),
            (100, 100)
        );
        assert_eq!(
            grid(&variations(&flat(50, 40, [9, 9, 9]), 0.8, 1)).dimensions(),
            (100, 80)
        );
        // Zoom out keeps the source in the middle: its centre pixel is the source's.
        let zoomed = &zoom_out(&src, 2.0, 1)[0];
        assert_eq!(zoomed.get_pixel(512, 512), &Rgba([200, 100, 50, 255]));
    }

    #[test]
    fn describe_gives_four_distinct_prompts_naming_the_colours() {
        let text = describe(&flat(300, 200, [220, 40, 45]));
        let prompts: Vec<&str> = text.split("\n\n").collect();
        assert_eq!(prompts.len(), 4);
        assert!(
            prompts
                .iter()
                .all(|p| p.contains("red") && p.ends_with("--ar 3:2"))
        );
        let unique: std::collections::HashSet<_> = prompts.iter().collect();
        assert_eq!(unique.len(), 4);
    }
}
