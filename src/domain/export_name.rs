//! File names for exported images: a template such as `{prompt}-{job}-{image}` filled from the job, then made
//! safe on every desktop file system (no separators, no reserved characters, bounded length, never empty).

/// What a new export is named unless the user writes another template.
pub const DEFAULT_TEMPLATE: &str = "{prompt}-{job}-{image}";

/// Every placeholder a template may use, with what it becomes (shown in the export dialog and `--help`).
pub const PLACEHOLDERS: &[(&str, &str)] = &[
    ("prompt", "the prompt's first words, without parameters"),
    ("job", "Moodgrid's job number"),
    ("id", "the TTAPI job id (the job number before it has one)"),
    ("seed", "the seed, or `noseed` while unknown"),
    ("action", "what made the job: imagine, upsample2, blend…"),
    ("image", "which image: grid, 1–4, upscale"),
    ("date", "the day the job was made, YYYY-MM-DD"),
];

/// Longest file stem written, in UTF-8 bytes: file systems count a name's bytes (255 on ext4, APFS, NTFS's
/// UTF-16 units are fewer), and room is left for `-NN` and the extension. 120 characters of a CJK prompt
/// would be 360 bytes.
const MAX_STEM_BYTES: usize = 160;
/// How many of the prompt's words `{prompt}` keeps.
const PROMPT_WORDS: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("the file name template is empty")]
    Empty,
    #[error("`{{{0}}}` is not a placeholder; use {list}", list = placeholder_list())]
    Unknown(String),
    #[error("a `{{` in the file name template is never closed")]
    Unclosed,
}

/// The facts of one exported image a template can use.
#[derive(Debug, Clone, Default)]
pub struct NameFields<'a> {
    pub job: i64,
    pub remote_id: Option<&'a str>,
    pub prompt: &'a str,
    pub seed: Option<&'a str>,
    pub action: &'a str,
    pub image: &'a str,
    pub date: &'a str,
}

enum Piece<'t> {
    Text(&'t str),
    Field(&'t str),
}

fn pieces(template: &str) -> Result<Vec<Piece<'_>>, TemplateError> {
    if template.trim().is_empty() {
        return Err(TemplateError::Empty);
    }
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push(Piece::Text(&rest[..open]));
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or(TemplateError::Unclosed)?;
        let name = &after[..close];
        if !PLACEHOLDERS.iter().any(|(known, _)| *known == name) {
            return Err(TemplateError::Unknown(name.to_owned()));
        }
        out.push(Piece::Field(name));
        rest = &after[close + 1..];
    }
    out.push(Piece::Text(rest));
    Ok(out)
}

/// Whether `template` can be used, and if not, what to tell the user.
pub fn check_template(template: &str) -> Result<(), TemplateError> {
    pieces(template).map(|_| ())
}

/// The file name (without extension) `template` gives these fields.
pub fn file_stem(template: &str, fields: &NameFields) -> Result<String, TemplateError> {
    let mut raw = String::new();
    for piece in pieces(template)? {
        match piece {
            Piece::Text(text) => raw.push_str(text),
            Piece::Field(name) => raw.push_str(&field(name, fields)),
        }
    }
    let stem = sanitize(&raw);
    Ok(if stem.is_empty() {
        format!("moodgrid-{}", fields.job)
    } else {
        stem
    })
}

fn field(name: &str, fields: &NameFields) -> String {
    match name {
        "prompt" => fields
            .prompt
            .split_whitespace()
            .take_while(|word| !word.starts_with("--"))
            .take(PROMPT_WORDS)
            .collect::<Vec<_>>()
            .join(" "),
        "job" => fields.job.to_string(),
        "id" => fields
            .remote_id
            .map_or_else(|| fields.job.to_string(), str::to_owned),
        "seed" => fields.seed.unwrap_or("noseed").to_owned(),
        "action" => fields.action.to_owned(),
        "image" => fields.image.to_owned(),
        "date" => fields.date.to_owned(),
        _ => String::new(),
    }
}

/// Letters and digits of any script stay; spaces become `-`; anything a file system or shell could trip
/// on (separators, `:*?"<>|`, control characters, leading dots) is dropped or folded into one `-`.
fn sanitize(raw: &str) -> String {
    let mut out = String::new();
    for c in raw.chars() {
        let keep = c.is_alphanumeric() || matches!(c, '_' | '.' | '(' | ')');
        if keep {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_matches(|c| c == '-' || c == '.' || c == '_');
    let stem = trimmed[..trimmed.floor_char_boundary(MAX_STEM_BYTES)].trim_end_matches(['-', '.']);
    if is_reserved_on_windows(stem) {
        // `nul.tar` is the device too: the mark goes before the first dot.
        let split = stem.find('.').unwrap_or(stem.len());
        format!("{}_{}", &stem[..split], &stem[split..])
    } else {
        stem.to_owned()
    }
}

/// Names Windows keeps for devices, whatever follows the first dot (`nul.png` is the null device there).
fn is_reserved_on_windows(stem: &str) -> bool {
    let base = stem.split('.').next().unwrap_or(stem).to_uppercase();
    let port = |prefix: &str| {
        base.strip_prefix(prefix).is_some_and(|n| {
            n.chars().count() == 1
                && n.chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '¹' | '²' | '³'))
        })
    };
    matches!(
        base.as_str(),
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$"
    ) || port("COM")
        || port("LPT")
}

fn placeholder_list() -> String {
    PLACEHOLDERS
        .iter()
        .map(|(name, _)| format!("{{{name}}}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> NameFields<'static> {
        NameFields {
            job: 42,
            remote_id: Some("9f08e0dc-3fdd"),
            prompt: "a quiet harbour at dawn, mist --ar 3:2 --v 7",
            seed: Some("123456"),
            action: "upsample2",
            image: "2",
            date: "2026-11-26",
        }
    }

    #[test]
    fn windows_device_names_are_never_a_file_name() {
        for reserved in [
            "con", "NUL", "Aux", "prn", "com1", "LPT9", "nul.tar", "COM²",
        ] {
            let made = sanitize(reserved);
            assert!(made.contains('_'), "{reserved} → {made}");
            assert!(!is_reserved_on_windows(&made), "{reserved} → {made}");
        }
        for fine in ["console", "nullable", "com10", "lpt", "auxiliary"] {
            assert_eq!(sanitize(fine), fine);
        }
    }

    #[test]
    fn templates_are_filled_and_made_safe() {
        let cases = [
            (DEFAULT_TEMPLATE, "a-quiet-harbour-at-dawn-mist-42-2"),
            ("{date}_{id}_{seed}", "2026-11-26_9f08e0dc-3fdd_123456"),
            ("{action} #{job}", "upsample2-42"),
            ("../../etc/{job}", "etc-42"),
            ("C:\\Users\\{image}", "C-Users-2"),
            ("{job}: <what?> \"*\" |", "42-what"),
            ("...{job}...", "42"),
        ];
        for (template, expected) in cases {
            assert_eq!(
                file_stem(template, &fields()).unwrap(),
                expected,
                "{template}"
            );
        }
    }

    #[test]
    fn missing_facts_have_stand_ins() {
        let bare = NameFields {
            job: 7,
            ..NameFields::default()
        };
        assert_eq!(file_stem("{id}-{seed}", &bare).unwrap(), "7-noseed");
        // Nothing usable at all still names a file.
        assert_eq!(file_stem("{prompt}", &bare).unwrap(), "moodgrid-7");
        assert_eq!(file_stem("///", &bare).unwrap(), "moodgrid-7");
    }

    #[test]
    fn non_latin_prompts_keep_their_letters() {
        let cjk = NameFields {
            prompt: "雨の京都 夜景",
            ..fields()
        };
        assert_eq!(file_stem("{prompt}", &cjk).unwrap(), "雨の京都-夜景");
    }

    #[test]
    fn long_names_are_cut() {
        let long = "word ".repeat(100);
        let many = NameFields {
            prompt: &long,
            ..fields()
        };
        let stem = file_stem("{prompt}{prompt}{prompt}{prompt}", &many).unwrap();
        assert!(stem.len() <= MAX_STEM_BYTES, "{stem}");
        assert!(!stem.ends_with('-'));
        // A long prompt in a script of three-byte letters is cut by bytes, on a letter's boundary.
        let kanji = "雨".repeat(200);
        let cjk = NameFields {
            prompt: &kanji,
            ..fields()
        };
        let stem = file_stem("{prompt}", &cjk).unwrap();
        assert!(
            stem.len() <= MAX_STEM_BYTES && stem.len() > MAX_STEM_BYTES - 3,
            "{}",
            stem.len()
        );
        assert!(stem.chars().all(|c| c == '雨'));
    }

    #[test]
    fn bad_templates_say_what_is_wrong() {
        assert_eq!(check_template("  "), Err(TemplateError::Empty));
        assert_eq!(check_template("{job"), Err(TemplateError::Unclosed));
        let unknown = check_template("{job}-{colour}").unwrap_err();
        assert_eq!(unknown, TemplateError::Unknown("colour".into()));
        let text = unknown.to_string();
        assert!(
            text.contains("{colour}") && text.contains("{prompt}") && text.contains("{date}"),
            "{text}"
        );
        assert!(check_template(DEFAULT_TEMPLATE).is_ok());
    }
}
