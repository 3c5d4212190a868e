//! Text chunks written into a PNG as it is (`img_parts`): the pixels and every other chunk stay byte for
//! byte, so an exported original is the received file plus its facts.

use img_parts::png::{Png, PngChunk};

/// The PNG `bytes` with a text chunk per `(keyword, value)` inserted right after the header, where every
/// reader finds them before the pixels. A `None` value gets no chunk rather than an empty one.
pub fn with_text(bytes: &[u8], texts: &[(&str, Option<&str>)]) -> Result<Vec<u8>, String> {
    let mut png =
        Png::from_bytes(bytes.to_vec().into()).map_err(|e| format!("not a readable PNG: {e}"))?;
    let chunks: Vec<_> = texts
        .iter()
        .filter_map(|(keyword, value)| value.map(|v| text_chunk(keyword, v)))
        .collect();
    let after_header = png.chunks().len().min(1);
    png.chunks_mut().splice(after_header..after_header, chunks);
    Ok(png.encoder().bytes().to_vec())
}

/// A `tEXt` chunk when the value fits Latin-1, as most prompts do: every PNG reader shows those (ImageMagick 6
/// ignores `iTXt`). Otherwise an uncompressed `iTXt` chunk, UTF-8, no language tag, for prompts in other
/// scripts. NUL, the chunks' separator, is dropped.
fn text_chunk(keyword: &str, value: &str) -> PngChunk {
    let mut contents = Vec::with_capacity(keyword.len() + 5 + value.len());
    contents.extend(keyword.bytes());
    let latin1: Option<Vec<u8>> = value
        .chars()
        .filter(|c| *c != '\0')
        .map(|c| u8::try_from(u32::from(c)).ok())
        .collect();
    match latin1 {
        Some(bytes) => {
            contents.push(0);
            contents.extend(bytes);
            PngChunk::new(*b"tEXt", contents.into())
        }
        None => {
            // Keyword end, compression flag and method, empty language tag, empty translated keyword.
            contents.extend([0, 0, 0, 0, 0]);
            contents.extend(value.bytes().filter(|b| *b != 0));
            PngChunk::new(*b"iTXt", contents.into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_text_goes_in_text_chunks_every_reader_shows_and_other_scripts_in_utf8_ones() {
        let png = crate::imaging::encode_png(&image::RgbaImage::from_pixel(
            4,
            4,
            image::Rgba([5, 90, 10, 255]),
        ))
        .unwrap();
        for (prompt, utf8) in [("café crème, 50% grey", false), ("雨の京都", true)] {
            let tagged = with_text(&png, &[("Prompt", Some(prompt)), ("Seed", None)]).unwrap();
            let reader = ::png::Decoder::new(std::io::Cursor::new(&tagged[..]))
                .read_info()
                .unwrap();
            let info = reader.info();
            let latin = info
                .uncompressed_latin1_text
                .iter()
                .find(|c| c.keyword == "Prompt");
            let itxt = info.utf8_text.iter().find(|c| c.keyword == "Prompt");
            if utf8 {
                assert!(latin.is_none());
                assert_eq!(itxt.unwrap().get_text().unwrap(), prompt);
            } else {
                assert!(itxt.is_none());
                assert_eq!(latin.unwrap().text, prompt);
            }
            let seed = |c: &str| c == "Seed";
            assert!(
                !info
                    .uncompressed_latin1_text
                    .iter()
                    .any(|c| seed(&c.keyword))
                    && !info.utf8_text.iter().any(|c| seed(&c.keyword)),
                "an unknown value gets no chunk"
            );
            assert_eq!(
                crate::imaging::decode_rgba(&tagged).unwrap(),
                crate::imaging::decode_rgba(&png).unwrap(),
                "the pixels are untouched"
            );
        }
    }
}
