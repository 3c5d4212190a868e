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

/// Serialised JSON with every character [`printable`] would remove written as a `\uXXXX` escape instead:
/// the same JSON to a parser, nothing a terminal acts on. Line breaks and tabs cannot occur raw in compact
/// JSON (they are escaped inside strings), so they need nothing here.
pub fn json_escaped(json: &str) -> Cow<'_, str> {
    if !json.chars().any(unsafe_char) {
        return Cow::Borrowed(json);
    }
    let mut escaped = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if unsafe_char(c) {
            // Every such character is in the Basic Multilingual Plane: one escape each.
            escaped.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            escaped.push(c);
        }
    }
    Cow::Owned(escaped)
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

    #[test]
    fn json_keeps_its_text_and_loses_what_a_terminal_would_run() {
        let text = "a \u{1b}[31mred\u{9b}2J fox\u{202E}\u{7f}\n";
        let json = serde_json::json!({ "prompt": text }).to_string();
        let escaped = json_escaped(&json);
        assert_eq!(
            escaped,
            r#"{"prompt":"a \u001b[31mred\u009b2J fox\u202e\u007f\n"}"#
        );
        assert!(!escaped.chars().any(unsafe_char), "{escaped}");
        let back: serde_json::Value = serde_json::from_str(&escaped).unwrap();
        assert_eq!(back["prompt"], text);
        assert!(matches!(json_escaped(r#"{"a":"b"}"#), Cow::Borrowed(_)));
    }
}
