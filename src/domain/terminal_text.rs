//! Text from the service (messages, ids, describe prompts) made safe to print on a terminal: control
//! characters (escape sequences could recolour, retitle or rewrite the user's terminal) and bidirectional
//! overrides (which can make text read differently from what it is) are removed. Line breaks and tabs stay.

use std::borrow::Cow;

fn unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// `text` without the characters a terminal would act on.
pub fn printable(text: &str) -> Cow<'_, str> {
    if text.chars().any(unsafe_char) {
        Cow::Owned(text.chars().filter(|c| !unsafe_char(*c)).collect())
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_overrides_are_removed_and_prose_kept() {
        let cases = [
            ("plain text, 日本語 too", "plain text, 日本語 too"),
            ("\u{1b}[31mred\u{1b}[0m", "[31mred[0m"),
            ("title\u{1b}]0;pwned\u{7}", "title]0;pwned"),
            ("one\r\nline\u{0}", "one\nline"),
            ("abc\u{202E}fdp.exe", "abcfdp.exe"),
            ("1️⃣ a prompt\n\n2️⃣\tanother", "1️⃣ a prompt\n\n2️⃣\tanother"),
            ("\u{9b}2J", "2J"),
        ];
        for (input, expected) in cases {
            assert_eq!(printable(input), expected, "{input:?}");
        }
        assert!(matches!(printable("nothing to do"), Cow::Borrowed(_)));
    }
}
