//! Reading an exported PNG's text chunks back with the `png` crate (shared by the journal and window tests).

use std::collections::HashMap;

/// Every text chunk of a PNG file, `tEXt` and `iTXt`, by keyword.
pub fn png_texts(bytes: &[u8]) -> HashMap<String, String> {
    let reader = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .unwrap();
    let info = reader.info();
    let mut texts: HashMap<String, String> = info
        .uncompressed_latin1_text
        .iter()
        .map(|c| (c.keyword.clone(), c.text.clone()))
        .collect();
    texts.extend(
        info.utf8_text
            .iter()
            .map(|c| (c.keyword.clone(), c.get_text().unwrap())),
    );
    texts
}
