//! Reading Midjourney parameters out of a prompt.

/// The first line of `text`, cut to `chars` characters with an ellipsis when anything was left out: how a
/// prompt is shown in one line (a list row, a title).
pub fn first_line(text: &str, chars: usize) -> String {
    let first = text.lines().next().unwrap_or("");
    if first.chars().count() > chars || text.lines().count() > 1 {
        format!("{}…", first.chars().take(chars).collect::<String>())
    } else {
        first.to_owned()
    }
}

/// The `--ar W:H` (or `--aspect W:H`) ratio of a prompt, if it has a well-formed one.
pub fn aspect_ratio(prompt: &str) -> Option<(u32, u32)> {
    let mut words = prompt.split_whitespace();
    while let Some(word) = words.next() {
        if word == "--ar" || word == "--aspect" {
            let (w, h) = words.next()?.split_once(':')?;
            let (w, h) = (w.parse::<u32>().ok()?, h.parse::<u32>().ok()?);
            return (w > 0 && h > 0).then_some((w, h));
        }
    }
    None
}

/// The ratio in lowest terms: 32:18 is 16:9, so the same shape asked two ways filters as one.
pub fn reduced_ratio((w, h): (u32, u32)) -> (u32, u32) {
    fn gcd(a: u32, b: u32) -> u32 {
        if b == 0 { a } else { gcd(b, a % b) }
    }
    let divisor = gcd(w, h).max(1);
    (w / divisor, h / divisor)
}

/// Which way a picture of this ratio stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Orientation {
    Portrait,
    Square,
    Landscape,
}

impl Orientation {
    pub const ALL: [Orientation; 3] = [
        Orientation::Portrait,
        Orientation::Square,
        Orientation::Landscape,
    ];

    pub fn of((w, h): (u32, u32)) -> Orientation {
        match w.cmp(&h) {
            std::cmp::Ordering::Less => Orientation::Portrait,
            std::cmp::Ordering::Equal => Orientation::Square,
            std::cmp::Ordering::Greater => Orientation::Landscape,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Orientation::Portrait => "Portrait",
            Orientation::Square => "Square",
            Orientation::Landscape => "Landscape",
        }
    }
}

/// The model a prompt names, as Midjourney writes it: `--v 6.1` (also from `--version 6.1`), `--niji 6`, or
/// `--niji` alone; `None` when it names none (the account's default model).
pub fn model_version(prompt: &str) -> Option<String> {
    let mut words = prompt.split_whitespace().peekable();
    while let Some(word) = words.next() {
        let family = match word {
            "--v" | "--version" => "--v",
            "--niji" => "--niji",
            _ => continue,
        };
        let number = words
            .peek()
            .filter(|n| n.chars().all(|c| c.is_ascii_digit() || c == '.') && !n.is_empty());
        return match (family, number) {
            (family, Some(number)) => Some(format!("{family} {number}")),
            ("--niji", None) => Some("--niji".to_owned()),
            // `--v` without a number is not a version.
            _ => None,
        };
    }
    None
}

/// A parameter whose presence matters to a designer looking for a job: references, tiling, a fixed seed.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum PromptParam {
    StyleReference,
    CharacterReference,
    OmniReference,
    Tile,
    Seed,
}

impl PromptParam {
    pub const ALL: [PromptParam; 5] = [
        PromptParam::StyleReference,
        PromptParam::CharacterReference,
        PromptParam::OmniReference,
        PromptParam::Tile,
        PromptParam::Seed,
    ];

    /// The flag as typed in a prompt.
    pub fn flag(self) -> &'static str {
        match self {
            PromptParam::StyleReference => "--sref",
            PromptParam::CharacterReference => "--cref",
            PromptParam::OmniReference => "--oref",
            PromptParam::Tile => "--tile",
            PromptParam::Seed => "--seed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PromptParam::StyleReference => "Style reference",
            PromptParam::CharacterReference => "Character reference",
            PromptParam::OmniReference => "Omni reference",
            PromptParam::Tile => "Tile",
            PromptParam::Seed => "Seed",
        }
    }

    /// Its bit in the library's `uses` column. Stored: a bit never changes its meaning.
    pub fn bit(self) -> i64 {
        match self {
            PromptParam::StyleReference => 1,
            PromptParam::CharacterReference => 1 << 1,
            PromptParam::OmniReference => 1 << 2,
            PromptParam::Tile => 1 << 3,
            PromptParam::Seed => 1 << 4,
        }
    }

    /// The bits of every flag the prompt has.
    pub fn bits_used_in(prompt: &str) -> i64 {
        PromptParam::ALL
            .iter()
            .filter(|param| param.used_in(prompt))
            .fold(0, |bits, param| bits | param.bit())
    }

    /// Whether the prompt has this flag.
    pub fn used_in(self, prompt: &str) -> bool {
        prompt.split_whitespace().any(|word| word == self.flag())
    }
}

/// Pixel size of one Midjourney image of the given aspect ratio: about one megapixel, sides multiples of 8,
/// the longer side capped at 2048 for extreme ratios.
pub fn image_size_for_ratio((w, h): (u32, u32)) -> (u32, u32) {
    let ratio = f64::from(w) / f64::from(h);
    let round8 = |v: f64| ((v / 8.0).round() as u32 * 8).clamp(64, 2048);
    (round8(1024.0 * ratio.sqrt()), round8(1024.0 / ratio.sqrt()))
}

/// The prompt with `--seed N` as its seed: an existing `--seed` value is replaced, else the flag is added.
pub fn with_seed(prompt: &str, seed: &str) -> String {
    let mut words: Vec<&str> = Vec::new();
    let mut rest = prompt.split_whitespace();
    while let Some(word) = rest.next() {
        if word == "--seed" {
            rest.next();
        } else {
            words.push(word);
        }
    }
    words.extend(["--seed", seed]);
    words.join(" ")
}

/// The prompt with image prompts in front: Midjourney reads image URLs at the start of the prompt. URLs
/// already in the prompt are not added twice; only http(s) addresses count.
pub fn with_image_prompts(prompt: &str, urls: &[String]) -> String {
    let present: Vec<&str> = prompt.split_whitespace().collect();
    let mut words: Vec<&str> = urls
        .iter()
        .map(String::as_str)
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .filter(|u| !present.contains(u))
        .collect();
    words.dedup();
    words.extend(present);
    words.join(" ")
}

/// The prompts of a describe result: one per non-empty line, without Discord's keycap numbers
/// (`1️⃣ `) or list numbers (`1. `, `2) `).
pub fn describe_prompts(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| {
            let mut chars = line.chars();
            let numbered = chars.next().is_some_and(|c| c.is_ascii_digit());
            let rest = chars.as_str();
            let rest = rest.trim_start_matches(['\u{FE0F}', '\u{20E3}']);
            let unnumbered = if numbered && rest.len() < line.len() - 1 {
                Some(rest)
            } else if numbered {
                rest.strip_prefix(['.', ')'])
            } else {
                None
            };
            unnumbered.unwrap_or(line).trim().to_owned()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prompt_in_one_line_is_its_first_line_cut_with_an_ellipsis_when_anything_is_left_out() {
        assert_eq!(first_line("a cat", 10), "a cat");
        assert_eq!(first_line("a cat on a mat", 5), "a cat…");
        assert_eq!(first_line("a cat\n--ar 3:2", 10), "a cat…");
        assert_eq!(first_line("東京の夜景", 2), "東京…");
        assert_eq!(first_line("", 5), "");
    }

    #[test]
    fn image_prompts_go_in_front_once() {
        let urls = [
            "https://cdn.example/a.png".to_owned(),
            "https://cdn.example/b.png".to_owned(),
            "file:///home/me/c.png".to_owned(),
        ];
        assert_eq!(
            with_image_prompts("  misty harbour --ar 3:2 ", &urls),
            "https://cdn.example/a.png https://cdn.example/b.png misty harbour --ar 3:2"
        );
        assert_eq!(
            with_image_prompts("https://cdn.example/b.png misty", &urls),
            "https://cdn.example/a.png https://cdn.example/b.png misty",
            "a URL already there is not repeated"
        );
        assert_eq!(
            with_image_prompts("", &urls[2..]),
            "",
            "local files are not image prompts"
        );
    }

    #[test]
    fn describe_results_split_into_prompts_without_their_numbers() {
        let text = "1\u{FE0F}\u{20E3} a red fox --ar 3:2\n\n2\u{FE0F}\u{20E3} blue snow\n3. a cabin\n4) 1970s poster\n2024 calendar";
        assert_eq!(
            describe_prompts(text),
            [
                "a red fox --ar 3:2",
                "blue snow",
                "a cabin",
                "1970s poster",
                "2024 calendar"
            ]
        );
        assert!(describe_prompts("\n \n").is_empty());
    }

    #[test]
    fn a_seed_is_added_once_and_replaces_an_earlier_one() {
        assert_eq!(
            with_seed("a fox --ar 3:2", "42"),
            "a fox --ar 3:2 --seed 42"
        );
        assert_eq!(
            with_seed("a fox --seed 7 --ar 3:2", "42"),
            "a fox --ar 3:2 --seed 42"
        );
        assert_eq!(with_seed("", "42"), "--seed 42");
    }

    #[test]
    fn reads_ar_and_aspect_and_ignores_malformed_ones() {
        let cases = [
            ("a cat --ar 16:9", Some((16, 9))),
            ("a cat --aspect 2:3 --v 6", Some((2, 3))),
            ("a cat --ar 16x9", None),
            ("a cat --ar", None),
            ("a cat --ar 0:1", None),
            ("a cat", None),
        ];
        for (prompt, want) in cases {
            assert_eq!(aspect_ratio(prompt), want, "{prompt}");
        }
    }

    #[test]
    fn image_sizes_keep_about_a_megapixel() {
        assert_eq!(image_size_for_ratio((1, 1)), (1024, 1024));
        let (w, h) = image_size_for_ratio((2, 3));
        assert!(w < h && w % 8 == 0 && h % 8 == 0);
        let pixels = f64::from(w * h);
        assert!((pixels / (1024.0 * 1024.0) - 1.0).abs() < 0.02);
        assert_eq!(image_size_for_ratio((100, 1)).0, 2048);
    }

    #[test]
    fn model_versions_and_parameters_are_read_as_midjourney_writes_them() {
        let cases = [
            ("a cat --v 6.1", Some("--v 6.1")),
            ("a cat --version 7 --ar 2:3", Some("--v 7")),
            ("a cat --niji 6", Some("--niji 6")),
            ("a cat --niji", Some("--niji")),
            ("a cat --v", None),
            ("a cat --v raw", None),
            ("a cat", None),
            ("--v5 is not a flag", None),
        ];
        for (prompt, want) in cases {
            assert_eq!(model_version(prompt).as_deref(), want, "{prompt}");
        }
        let prompt = "a knight --sref 123 --cref https://x/y.png --tile --seed 7";
        let used: Vec<PromptParam> = PromptParam::ALL
            .into_iter()
            .filter(|p| p.used_in(prompt))
            .collect();
        assert_eq!(
            used,
            [
                PromptParam::StyleReference,
                PromptParam::CharacterReference,
                PromptParam::Tile,
                PromptParam::Seed
            ]
        );
        assert!(!PromptParam::Seed.used_in("a seedling --sreference"));
        assert_eq!(reduced_ratio((32, 18)), (16, 9));
        assert_eq!(reduced_ratio((3, 2)), (3, 2));
        assert_eq!(Orientation::of((2, 3)), Orientation::Portrait);
        assert_eq!(Orientation::of((5, 5)), Orientation::Square);
        assert_eq!(Orientation::of((16, 9)), Orientation::Landscape);
    }
}
