//! Midjourney's prompt parameters: a table of what each one takes and which models know it, with the
//! source of every rule; a reader that splits a prompt into its text and its parameters with their byte
//! ranges (so the window's chips and the text stay one source of truth); and the checks a prompt gets as
//! it is typed. A warning is advice: Moodgrid sends what the user decides to send, TTAPI has the last word.
//! The simulator refuses what a confirmed rule forbids, as Midjourney does.

use std::ops::Range;

/// Where a rule comes from. Every rule names one, so a warning can say why it is believed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `shared/ttapi-midjourney-api.md`, the section given.
    Contract(&'static str),
    /// Midjourney's published parameter documentation (docs.midjourney.com), the page given.
    Midjourney(&'static str),
    /// Believed but not confirmed by either: the reason it is believed. Worded softly.
    Unconfirmed(&'static str),
}

impl Source {
    pub fn is_confirmed(self) -> bool {
        !matches!(self, Source::Unconfirmed(_))
    }

    pub fn describe(self) -> String {
        match self {
            Source::Contract(section) => format!("TTAPI's documentation ({section})"),
            Source::Midjourney(page) => format!("Midjourney's parameter list ({page})"),
            Source::Unconfirmed(why) => format!("unconfirmed: {why}"),
        }
    }
}

/// What a parameter takes after its flag.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Takes {
    /// Nothing: the flag alone (`--tile`).
    Nothing,
    /// One number in a range; `whole` when only integers are meant.
    Number { min: f64, max: f64, whole: bool },
    /// One of these words or numbers.
    OneOf(&'static [&'static str]),
    /// `W:H`, both positive integers.
    Ratio,
    /// Words up to the next parameter (`--no red, blue`; several `--sref` URLs or codes); `optional` when
    /// the flag may stand alone (`--p`).
    Words { optional: bool },
    /// A number when one follows, else nothing (`--niji` or `--niji 6`).
    OptionalNumber(&'static [&'static str]),
}

/// One parameter Midjourney knows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamSpec {
    /// The flag as Midjourney documents it, e.g. `--ar`.
    pub flag: &'static str,
    /// Other spellings Midjourney accepts for it.
    pub aliases: &'static [&'static str],
    pub label: &'static str,
    pub takes: Takes,
    /// Where what it takes is documented.
    pub source: Source,
}

impl ParamSpec {
    pub fn is_called(&self, flag: &str) -> bool {
        self.flag == flag || self.aliases.contains(&flag)
    }
}

const MJ_PARAMS: &str = "Parameter List";

/// Every parameter Moodgrid reads, in the order the window lists them.
pub const PARAMS: &[ParamSpec] = &[
    spec(
        "--ar",
        &["--aspect"],
        "Aspect ratio",
        Takes::Ratio,
        Source::Midjourney("Aspect Ratios"),
    ),
    spec(
        "--stylize",
        &["--s"],
        "Stylize",
        Takes::Number {
            min: 0.0,
            max: 1000.0,
            whole: true,
        },
        Source::Midjourney("Stylize"),
    ),
    spec(
        "--chaos",
        &["--c"],
        "Chaos",
        Takes::Number {
            min: 0.0,
            max: 100.0,
            whole: true,
        },
        Source::Midjourney("Chaos"),
    ),
    spec(
        "--weird",
        &["--w"],
        "Weird",
        Takes::Number {
            min: 0.0,
            max: 3000.0,
            whole: true,
        },
        Source::Midjourney("Weird"),
    ),
    spec(
        "--quality",
        &["--q"],
        "Quality",
        Takes::OneOf(&[".25", "0.25", ".5", "0.5", "1", "2", "4"]),
        Source::Midjourney("Quality"),
    ),
    spec(
        "--v",
        &["--version"],
        "Version",
        Takes::OneOf(&[
            "1", "2", "3", "4", "5", "5.0", "5.1", "5.2", "6", "6.0", "6.1", "7", "7.0",
        ]),
        Source::Midjourney("Version"),
    ),
    spec(
        "--niji",
        &[],
        "Niji",
        Takes::OptionalNumber(&["4", "5", "6", "7"]),
        Source::Midjourney("Niji Model"),
    ),
    spec(
        "--style",
        &[],
        "Style",
        Takes::OneOf(&["raw", "cute", "expressive", "original", "scenic"]),
        Source::Midjourney("Style"),
    ),
    spec(
        "--tile",
        &[],
        "Tile",
        Takes::Nothing,
        Source::Midjourney("Tile"),
    ),
    spec(
        "--no",
        &[],
        "No",
        Takes::Words { optional: false },
        Source::Midjourney("No"),
    ),
    spec(
        "--seed",
        &[],
        "Seed",
        Takes::Number {
            min: 0.0,
            max: 4_294_967_295.0,
            whole: true,
        },
        Source::Midjourney("Seeds"),
    ),
    spec(
        "--iw",
        &[],
        "Image weight",
        Takes::Number {
            min: 0.0,
            max: 3.0,
            whole: false,
        },
        Source::Midjourney("Image Weight"),
    ),
    spec(
        "--sref",
        &[],
        "Style reference",
        Takes::Words { optional: false },
        Source::Midjourney("Style Reference"),
    ),
    spec(
        "--sw",
        &[],
        "Style weight",
        Takes::Number {
            min: 0.0,
            max: 1000.0,
            whole: true,
        },
        Source::Midjourney("Style Reference"),
    ),
    spec(
        "--sv",
        &[],
        "Style reference version",
        Takes::OneOf(&["1", "2", "3", "4", "5", "6"]),
        Source::Unconfirmed(
            "Midjourney's style-reference page names versions 1–4 and 6; 5 is assumed",
        ),
    ),
    spec(
        "--cref",
        &[],
        "Character reference",
        Takes::Words { optional: false },
        Source::Midjourney("Character Reference"),
    ),
    spec(
        "--cw",
        &[],
        "Character weight",
        Takes::Number {
            min: 0.0,
            max: 100.0,
            whole: true,
        },
        Source::Midjourney("Character Reference"),
    ),
    spec(
        "--oref",
        &[],
        "Omni reference",
        Takes::Words { optional: false },
        Source::Midjourney("Omni Reference"),
    ),
    spec(
        "--ow",
        &[],
        "Omni weight",
        Takes::Number {
            min: 1.0,
            max: 1000.0,
            whole: true,
        },
        Source::Midjourney("Omni Reference"),
    ),
    spec(
        "--p",
        &["--personalize", "--profile"],
        "Personalization",
        Takes::Words { optional: true },
        Source::Midjourney("Personalization"),
    ),
    spec(
        "--exp",
        &[],
        "Experimental aesthetics",
        Takes::Number {
            min: 0.0,
            max: 100.0,
            whole: true,
        },
        Source::Midjourney("Experimental Parameter"),
    ),
    spec(
        "--draft",
        &[],
        "Draft",
        Takes::Nothing,
        Source::Midjourney("Draft Mode"),
    ),
    spec(
        "--repeat",
        &["--r"],
        "Repeat",
        Takes::Number {
            min: 1.0,
            max: 40.0,
            whole: true,
        },
        Source::Midjourney("Repeat"),
    ),
    spec(
        "--stop",
        &[],
        "Stop",
        Takes::Number {
            min: 10.0,
            max: 100.0,
            whole: true,
        },
        Source::Midjourney("Stop"),
    ),
    spec(
        "--raw",
        &[],
        "Raw",
        Takes::Nothing,
        Source::Midjourney("Style"),
    ),
    spec(
        "--fast",
        &[],
        "Fast mode",
        Takes::Nothing,
        Source::Midjourney(MJ_PARAMS),
    ),
    spec(
        "--relax",
        &[],
        "Relax mode",
        Takes::Nothing,
        Source::Midjourney(MJ_PARAMS),
    ),
    spec(
        "--turbo",
        &[],
        "Turbo mode",
        Takes::Nothing,
        Source::Midjourney(MJ_PARAMS),
    ),
];

const fn spec(
    flag: &'static str,
    aliases: &'static [&'static str],
    label: &'static str,
    takes: Takes,
    source: Source,
) -> ParamSpec {
    ParamSpec {
        flag,
        aliases,
        label,
        takes,
        source,
    }
}

/// The parameter called `flag` (any spelling).
pub fn spec_for(flag: &str) -> Option<&'static ParamSpec> {
    PARAMS.iter().find(|spec| spec.is_called(flag))
}

/// One parameter as written in a prompt.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// The flag as typed (`--s`, `--ar`), dashes normalised to `--`.
    pub written: String,
    /// What it is, when Midjourney knows it.
    pub spec: Option<&'static ParamSpec>,
    /// The value as typed (words joined by single spaces), empty for none.
    pub value: String,
    /// Bytes of the prompt from the flag to the end of its value.
    pub span: Range<usize>,
}

impl Param {
    /// The documented flag when known, else as written.
    pub fn flag(&self) -> &str {
        self.spec.map_or(&self.written, |spec| spec.flag)
    }
}

/// A prompt split into its text and its parameters.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParsedPrompt {
    /// Bytes of the text before the first parameter (image URLs and words).
    pub text: Range<usize>,
    pub params: Vec<Param>,
    /// Words after a parameter that the parameter does not take: Midjourney reads parameters only at the
    /// end of a prompt.
    pub stray: Vec<Range<usize>>,
}

impl ParsedPrompt {
    /// The last parameter called `flag` (any spelling): Midjourney uses the last of a repeated one.
    pub fn get(&self, flag: &str) -> Option<&Param> {
        self.params
            .iter()
            .rev()
            .find(|p| p.spec.is_some_and(|s| s.is_called(flag)) || p.written == flag)
    }

    pub fn has(&self, flag: &str) -> bool {
        self.get(flag).is_some()
    }

    /// The model the prompt names.
    pub fn model(&self) -> Model {
        let version = self.get("--v").map(|p| p.value.as_str());
        let niji = self.get("--niji").map(|p| p.value.as_str());
        match (version, niji) {
            (_, Some(niji)) => Model::Niji(niji.parse().ok()),
            (Some(v), None) => v.parse::<f32>().map_or(Model::Default, Model::Version),
            (None, None) => Model::Default,
        }
    }
}

/// The Midjourney model a prompt asks for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Model {
    /// No `--v` or `--niji`: the account's default (V7 on Midjourney since June 2025).
    Default,
    Version(f32),
    Niji(Option<u32>),
}

impl Model {
    /// Whether this is (or, for the account's default, probably is) V7 or later.
    fn is_v7(self) -> bool {
        match self {
            Model::Version(v) => v >= 7.0,
            Model::Default => true,
            Model::Niji(_) => false,
        }
    }

    fn is_v6(self) -> bool {
        match self {
            Model::Version(v) => (6.0..7.0).contains(&v),
            Model::Niji(n) => n == Some(6),
            Model::Default => false,
        }
    }
}

/// A flag starts with two hyphens, or with the dash a phone's keyboard makes of them (Midjourney reads
/// both `—v` and `–v`), followed by a letter.
fn as_flag(word: &str) -> Option<String> {
    let rest = word
        .strip_prefix("--")
        .or_else(|| word.strip_prefix('—'))
        .or_else(|| word.strip_prefix('–'))?;
    rest.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        .then(|| format!("--{}", rest.to_ascii_lowercase()))
}

/// The words of `text` with their byte ranges.
fn words(text: &str) -> Vec<(Range<usize>, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (at, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push((s..at, &text[s..at]));
                start = None;
            }
            (false, None) => start = Some(at),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s..text.len(), &text[s..]));
    }
    out
}

/// Splits a prompt into its text and parameters.
pub fn parse(prompt: &str) -> ParsedPrompt {
    let words = words(prompt);
    let mut parsed = ParsedPrompt::default();
    let first_flag = words.iter().position(|(_, w)| as_flag(w).is_some());
    let text_end = first_flag.map_or(prompt.len(), |i| words[i].0.start);
    let text_start = words.first().map_or(0, |(r, _)| r.start).min(text_end);
    let text_last = words[..first_flag.unwrap_or(words.len())]
        .last()
        .map_or(text_start, |(r, _)| r.end);
    parsed.text = text_start..text_last;
    let Some(mut i) = first_flag else {
        return parsed;
    };
    while i < words.len() {
        let (range, word) = &words[i];
        let Some(written) = as_flag(word) else {
            parsed.stray.push(range.clone());
            i += 1;
            continue;
        };
        let spec = spec_for(&written);
        let following = words[i + 1..]
            .iter()
            .take_while(|(_, w)| as_flag(w).is_none())
            .count();
        let takes = match spec.map(|s| s.takes) {
            Some(Takes::Nothing) => 0,
            Some(Takes::OptionalNumber(_)) => usize::from(
                following > 0
                    && words[i + 1]
                        .1
                        .chars()
                        .all(|c| c.is_ascii_digit() || c == '.'),
            ),
            Some(Takes::Words { .. }) | None => following,
            Some(_) => following.min(1),
        };
        let value_words = &words[i + 1..i + 1 + takes];
        let end = value_words.last().map_or(range.end, |(r, _)| r.end);
        parsed.params.push(Param {
            written,
            spec,
            value: value_words
                .iter()
                .map(|(_, w)| *w)
                .collect::<Vec<_>>()
                .join(" "),
            span: range.start..end,
        });
        let stray = &words[i + 1 + takes..i + 1 + following];
        if let (Some((first, _)), Some((last, _))) = (stray.first(), stray.last()) {
            parsed.stray.push(first.start..last.end);
        }
        i += 1 + following;
    }
    parsed
}

/// How sure a warning is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Certainty {
    /// A documented rule: Midjourney or TTAPI would refuse or ignore it.
    Confirmed,
    /// Believed, not confirmed: worded as a "may".
    Unconfirmed,
}

/// Something about a prompt's parameters worth telling before it is sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    /// The flag it is about, as written (`--arr`), or empty for the prompt as a whole.
    pub flag: String,
    /// Bytes of the prompt it is about.
    pub span: Range<usize>,
    pub message: String,
    pub source: Source,
}

impl Warning {
    pub fn certainty(&self) -> Certainty {
        if self.source.is_confirmed() {
            Certainty::Confirmed
        } else {
            Certainty::Unconfirmed
        }
    }
}

/// A rule between parameters: when `applies` holds for a prompt, the warning says `message`.
struct Rule {
    /// The parameter the warning sits on.
    flag: &'static str,
    applies: fn(&ParsedPrompt) -> bool,
    message: &'static str,
    source: Source,
}

/// The compatibility rules, each with its source.
const RULES: &[Rule] = &[
    Rule {
        flag: "--cref",
        applies: |p| p.has("--cref") && !p.model().is_v6() && p.model() != Model::Default,
        message: "--cref goes with --v 6.0 (TTAPI); on V7 use --oref",
        source: Source::Contract("§5.1 Imagine, §8.2: `--cref` must be used with `--v 6.0`"),
    },
    Rule {
        flag: "--cref",
        applies: |p| p.has("--cref") && p.model() == Model::Default,
        message: "--cref goes with --v 6.0 (TTAPI), and the account's default model may be V7: add --v 6.0, or use --oref",
        source: Source::Unconfirmed(
            "which model a TTAPI account uses without --v is not documented; Midjourney's default is V7",
        ),
    },
    Rule {
        flag: "--oref",
        applies: |p| p.has("--oref") && !p.model().is_v7(),
        message: "--oref is a V7 parameter: it needs --v 7",
        source: Source::Midjourney("Omni Reference"),
    },
    Rule {
        flag: "--ow",
        applies: |p| p.has("--ow") && !p.has("--oref"),
        message: "--ow weighs an omni reference: it does nothing without --oref",
        source: Source::Midjourney("Omni Reference"),
    },
    Rule {
        flag: "--cw",
        applies: |p| p.has("--cw") && !p.has("--cref"),
        message: "--cw weighs a character reference: it does nothing without --cref",
        source: Source::Midjourney("Character Reference"),
    },
    Rule {
        flag: "--sw",
        applies: |p| p.has("--sw") && !p.has("--sref") && !p.has("--p"),
        message: "--sw weighs a style reference: it may do nothing without --sref",
        source: Source::Unconfirmed(
            "the style-reference page pairs --sw with --sref; personalization may use it too",
        ),
    },
    Rule {
        flag: "--sv",
        applies: |p| p.has("--sv") && !p.has("--sref"),
        message: "--sv picks how a style reference is read: it does nothing without --sref",
        source: Source::Midjourney("Style Reference"),
    },
    Rule {
        flag: "--niji",
        applies: |p| p.has("--niji") && p.has("--v"),
        message: "--niji and --v each choose a model: use one of them",
        source: Source::Midjourney("Version"),
    },
    Rule {
        flag: "--draft",
        applies: |p| p.has("--draft") && !p.model().is_v7(),
        message: "Draft Mode is a V7 feature: it needs --v 7",
        source: Source::Midjourney("Draft Mode"),
    },
    Rule {
        flag: "--exp",
        applies: |p| p.has("--exp") && !p.model().is_v7(),
        message: "--exp is a V7 parameter: it needs --v 7",
        source: Source::Midjourney("Experimental Parameter"),
    },
    Rule {
        flag: "--quality",
        applies: |p| p.get("--quality").is_some_and(|q| q.value == "4") && p.model().is_v6(),
        message: "--q 4 is a V7 value: V6 takes .25, .5, 1 or 2",
        source: Source::Midjourney("Quality"),
    },
    Rule {
        flag: "--quality",
        applies: |p| {
            p.get("--quality")
                .is_some_and(|q| matches!(q.value.as_str(), ".25" | "0.25" | ".5" | "0.5"))
                && p.model().is_v7()
        },
        message: "V7 takes --q 1, 2 or 4; a lower quality may be read as 1",
        source: Source::Unconfirmed(
            "Midjourney's Quality page lists 1, 2 and 4 for V7 and does not say what it does with less",
        ),
    },
    Rule {
        flag: "--style",
        applies: |p| {
            p.get("--style").is_some_and(|s| s.value == "raw")
                && matches!(p.model(), Model::Version(v) if v < 5.1)
        },
        message: "--style raw came with V5.1: older versions do not know it",
        source: Source::Midjourney("Style"),
    },
    Rule {
        flag: "--style",
        applies: |p| {
            p.get("--style")
                .is_some_and(|s| s.value != "raw" && !s.value.is_empty())
                && !matches!(p.model(), Model::Niji(_))
        },
        message: "cute, expressive, original and scenic are Niji styles: they need --niji",
        source: Source::Midjourney("Style"),
    },
    Rule {
        flag: "--fast",
        applies: |p| p.has("--fast") || p.has("--relax") || p.has("--turbo"),
        message: "the mode picker chooses the mode TTAPI runs the job in; a mode flag in the prompt may be ignored",
        source: Source::Unconfirmed(
            "TTAPI takes the mode as a request field (§5.1); what it does with a mode flag is not documented",
        ),
    },
];

/// Every warning for a prompt: unknown flags (with the nearest known one), values out of range, repeated
/// flags, words after the parameters, and the compatibility rules.
pub fn check(prompt: &str) -> Vec<Warning> {
    let parsed = parse(prompt);
    let mut warnings = Vec::new();
    for (i, param) in parsed.params.iter().enumerate() {
        let Some(spec) = param.spec else {
            warnings.push(Warning {
                flag: param.written.clone(),
                span: param.span.clone(),
                message: match nearest_flag(&param.written) {
                    Some(near) => format!("{}: did you mean {near}?", param.written),
                    None => format!("{}: Midjourney has no such parameter", param.written),
                },
                source: Source::Midjourney(MJ_PARAMS),
            });
            continue;
        };
        if let Some(problem) = value_problem(spec, &param.value) {
            warnings.push(Warning {
                flag: param.written.clone(),
                span: param.span.clone(),
                message: format!("{}: {problem}", param.written),
                source: spec.source,
            });
        }
        if parsed.params[i + 1..]
            .iter()
            .any(|later| later.spec == Some(spec) && spec.flag != "--sref" && spec.flag != "--no")
        {
            warnings.push(Warning {
                flag: param.written.clone(),
                span: param.span.clone(),
                message: format!("{} is given twice: only the last one may count", spec.flag),
                source: Source::Unconfirmed("Midjourney does not document repeated parameters"),
            });
        }
    }
    for range in &parsed.stray {
        warnings.push(Warning {
            flag: String::new(),
            span: range.clone(),
            message: format!(
                "\"{}\" comes after a parameter: Midjourney reads parameters at the end, so move words before them",
                &prompt[range.clone()]
            ),
            source: Source::Midjourney(MJ_PARAMS),
        });
    }
    for rule in RULES {
        if (rule.applies)(&parsed) {
            let on = parsed.get(rule.flag).or_else(|| {
                ["--relax", "--turbo"]
                    .iter()
                    .find_map(|flag| parsed.get(flag))
            });
            warnings.push(Warning {
                flag: on.map_or_else(|| rule.flag.to_owned(), |p| p.written.clone()),
                span: on.map_or(0..0, |p| p.span.clone()),
                message: rule.message.to_owned(),
                source: rule.source,
            });
        }
    }
    warnings
}

/// Why a value does not fit what the parameter takes, if it does not.
fn value_problem(spec: &ParamSpec, value: &str) -> Option<String> {
    match spec.takes {
        Takes::Nothing => None,
        Takes::Words { optional } => {
            (!optional && value.is_empty()).then(|| "needs a value".to_owned())
        }
        Takes::Ratio if value.is_empty() => Some("needs a ratio like 16:9".to_owned()),
        Takes::Ratio => {
            if crate::domain::prompt::aspect_ratio(&format!("--ar {value}")).is_some() {
                None
            } else {
                Some(format!("\"{value}\" is not a ratio like 16:9"))
            }
        }
        Takes::Number { min, max, whole } => {
            let number = value.parse::<f64>().ok().filter(|n| n.is_finite());
            let range = format!("{}–{}", fmt_number(min), fmt_number(max));
            match number {
                None if value.is_empty() => Some(format!("needs a number, {range}")),
                None => Some(format!("\"{value}\" is not a number ({range})")),
                Some(n) if n < min || n > max => Some(format!("{value} is outside {range}")),
                Some(n) if whole && n.fract() != 0.0 => {
                    Some(format!("{value} is not a whole number ({range})"))
                }
                Some(_) => None,
            }
        }
        Takes::OneOf(values) => (!values.contains(&value)).then(|| {
            if value.is_empty() {
                format!("needs one of {}", values.join(", "))
            } else {
                format!("\"{value}\" is not one of {}", values.join(", "))
            }
        }),
        Takes::OptionalNumber(values) => (!value.is_empty() && !values.contains(&value))
            .then(|| format!("\"{value}\" is not one of {}", values.join(", "))),
    }
}

fn fmt_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// The known flag closest to a mistyped one, when one is close enough to be meant.
pub fn nearest_flag(written: &str) -> Option<&'static str> {
    PARAMS
        .iter()
        .flat_map(|spec| {
            std::iter::once(&spec.flag)
                .chain(spec.aliases)
                .map(move |f| (spec.flag, *f))
        })
        .map(|(canonical, spelling)| (canonical, strsim::damerau_levenshtein(written, spelling)))
        .filter(|(_, distance)| *distance <= 2)
        .min_by_key(|(_, distance)| *distance)
        .map(|(canonical, _)| canonical)
}

/// The prompt with parameter `flag` set to `value` (`None` for a flag that takes none): the last one
/// written is replaced in place, or the parameter is added at the end.
pub fn set(prompt: &str, flag: &str, value: Option<&str>) -> String {
    let written = match value {
        Some(value) if !value.trim().is_empty() => format!("{flag} {}", value.trim()),
        _ => flag.to_owned(),
    };
    let parsed = parse(prompt);
    match parsed.get(flag) {
        Some(param) => format!(
            "{}{written}{}",
            &prompt[..param.span.start],
            &prompt[param.span.end..]
        ),
        None => {
            let kept = prompt.trim_end();
            if kept.is_empty() {
                written
            } else {
                format!("{kept} {written}")
            }
        }
    }
}

/// The prompt without the parameter written at `span` (a [`Param::span`]), and the space before it.
pub fn remove(prompt: &str, span: Range<usize>) -> String {
    let before = prompt[..span.start].trim_end();
    let after = prompt[span.end..].trim_start();
    match (before.is_empty(), after.is_empty()) {
        (true, _) => after.to_owned(),
        (false, true) => before.to_owned(),
        (false, false) => format!("{before} {after}"),
    }
}

/// The prompt without every parameter called `flag`.
pub fn remove_all(prompt: &str, flag: &str) -> String {
    let mut text = prompt.to_owned();
    while let Some(param) = parse(&text).get(flag) {
        text = remove(&text, param.span.clone());
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(prompt: &str) -> Vec<String> {
        check(prompt).into_iter().map(|w| w.message).collect()
    }

    #[test]
    fn a_prompt_splits_into_its_text_and_its_parameters_with_their_places() {
        let prompt = "https://x/a.png a red fox —ar 16:9 --s 250 --no trees, snow --tile --niji 6";
        let parsed = parse(prompt);
        assert_eq!(&prompt[parsed.text.clone()], "https://x/a.png a red fox");
        let got: Vec<(&str, &str, &str)> = parsed
            .params
            .iter()
            .map(|p| (p.flag(), p.value.as_str(), &prompt[p.span.clone()]))
            .collect();
        assert_eq!(
            got,
            [
                ("--ar", "16:9", "—ar 16:9"),
                ("--stylize", "250", "--s 250"),
                ("--no", "trees, snow", "--no trees, snow"),
                ("--tile", "", "--tile"),
                ("--niji", "6", "--niji 6"),
            ]
        );
        assert!(parsed.stray.is_empty());
        assert_eq!(parsed.model(), Model::Niji(Some(6)));
        let parsed = parse("a cat --tile more words --v 6.1");
        assert_eq!(parsed.stray, vec![13..23], "--tile takes no words");
        assert_eq!(parsed.model(), Model::Version(6.1));
        assert_eq!(parse("  just words ").params, []);
        assert_eq!(parse("").text, 0..0);
    }

    /// Each row: a prompt, and a piece of every warning it must get (none when empty).
    #[test]
    fn the_parameter_table_warns_as_documented() {
        let table: &[(&str, &[&str])] = &[
            // Midjourney's own examples from its parameter pages: no warnings.
            ("vibrant california poppies --ar 5:4", &[]),
            (
                "a cat --chaos 50 --stylize 750 --weird 250 --q 2 --v 6.1",
                &[],
            ),
            ("a knight --cref https://s.mj.run/abc --cw 50 --v 6.0", &[]),
            ("a knight --oref https://s.mj.run/abc --ow 400 --v 7", &[]),
            ("a knight --oref https://s.mj.run/abc", &[]),
            (
                "still life --sref 2212 https://s.mj.run/xyz --sw 200 --sv 4",
                &[],
            ),
            ("still life gouache painting --no fruit", &[]),
            ("a city --niji 6 --style expressive", &[]),
            ("a city --v 7 --draft --exp 25 --p", &[]),
            (
                "a wallpaper --tile --seed 4294967295 --stop 80 --iw 2 --r 4",
                &[],
            ),
            ("a cat --style raw --v 5.2", &[]),
            // Ranges.
            ("a cat --chaos 150", &["--chaos: 150 is outside 0–100"]),
            ("a cat --s 1001", &["--s: 1001 is outside 0–1000"]),
            ("a cat --c 12.5", &["not a whole number"]),
            ("a cat --w -1", &["outside 0–3000"]),
            ("a cat --stop 5", &["outside 10–100"]),
            ("a cat --seed 4294967296", &["outside 0–4294967295"]),
            ("a cat --iw 3.5", &["outside 0–3"]),
            ("a cat --ar 16x9", &["\"16x9\" is not a ratio"]),
            ("a cat --ar", &["--ar: needs a ratio like 16:9"]),
            ("a cat --q 3", &["\"3\" is not one of"]),
            ("a cat --v 8", &["\"8\" is not one of"]),
            ("a cat --chaos lots", &["\"lots\" is not a number"]),
            ("a cat --sref", &["--sref: needs a value"]),
            ("a cat --repeat 41", &["outside 1–40"]),
            // Versions and pairs.
            (
                "a knight --cref https://x/a.png --v 7",
                &["--cref goes with --v 6.0 (TTAPI)"],
            ),
            (
                "a knight --cref https://x/a.png",
                &["the account's default model may be V7"],
            ),
            (
                "a knight --oref https://x/a.png --v 6.1",
                &["--oref is a V7 parameter"],
            ),
            ("a knight --ow 100", &["--ow weighs an omni reference"]),
            (
                "a knight --cw 10 --v 6",
                &["--cw weighs a character reference"],
            ),
            (
                "a cat --niji 6 --v 6",
                &["--niji and --v each choose a model"],
            ),
            ("a cat --draft --v 6.1", &["Draft Mode is a V7 feature"]),
            ("a cat --exp 10 --niji 6", &["--exp is a V7 parameter"]),
            ("a cat --q 4 --v 6", &["--q 4 is a V7 value"]),
            ("a cat --style raw --v 5", &["--style raw came with V5.1"]),
            ("a cat --style cute", &["are Niji styles"]),
            (
                "a cat --sv 4",
                &["--sv picks how a style reference is read"],
            ),
            (
                "a cat --relax",
                &["a mode flag in the prompt may be ignored"],
            ),
            // Unknown flags, repeats, stray words.
            ("a cat --arr 16:9", &["--arr: did you mean --ar?"]),
            (
                "a cat --stylise 100",
                &["--stylise: did you mean --stylize?"],
            ),
            ("a cat --zzzzzzzz", &["Midjourney has no such parameter"]),
            ("a cat --ar 1:1 --ar 2:3", &["--ar is given twice"]),
            (
                "a cat --ar 1:1 on a mat",
                &["\"on a mat\" comes after a parameter"],
            ),
        ];
        for (prompt, wanted) in table {
            let got = messages(prompt);
            assert_eq!(got.len(), wanted.len(), "{prompt}: {got:?}");
            for want in *wanted {
                assert!(
                    got.iter().any(|m| m.contains(want)),
                    "{prompt}: {got:?} lacks {want}"
                );
            }
        }
    }

    #[test]
    fn every_rule_says_where_it_comes_from_and_soft_ones_say_may() {
        for warning in check("a cat --cref https://x/a.png --sw 10 --q .5 --turbo") {
            match warning.source {
                Source::Unconfirmed(why) => {
                    assert!(!why.is_empty());
                    assert!(warning.message.contains("may"), "{}", warning.message);
                    assert_eq!(warning.certainty(), Certainty::Unconfirmed);
                }
                Source::Contract(section) => assert!(section.starts_with('§')),
                Source::Midjourney(page) => assert!(!page.is_empty()),
            }
        }
        for rule in RULES {
            if let Source::Unconfirmed(_) = rule.source {
                assert!(rule.message.contains("may"), "{}", rule.message);
            }
        }
        assert!(PARAMS.iter().all(|p| p.flag.starts_with("--")));
    }

    #[test]
    fn setting_and_removing_a_parameter_edits_only_its_words() {
        assert_eq!(
            set("a cat --ar 1:1 --v 7", "--ar", Some("16:9")),
            "a cat --ar 16:9 --v 7"
        );
        assert_eq!(
            set("a cat --s 100", "--stylize", Some("250")),
            "a cat --stylize 250"
        );
        assert_eq!(set("a cat ", "--tile", None), "a cat --tile");
        assert_eq!(set("", "--chaos", Some("20")), "--chaos 20");
        let prompt = "a cat --ar 1:1 --tile --v 7";
        let tile = parse(prompt).get("--tile").cloned().map(|p| p.span);
        assert_eq!(remove(prompt, tile.unwrap_or(0..0)), "a cat --ar 1:1 --v 7");
        assert_eq!(remove_all("a --r 3 cat --repeat 2", "--repeat"), "a cat");
        assert_eq!(
            remove_all("a cat --r 3 --ar 1:1", "--repeat"),
            "a cat --ar 1:1"
        );
    }
}
