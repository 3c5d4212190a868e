//! Permutation prompts, as Midjourney writes them: `a {red, blue} bird --ar {1:1, 16:9}` is four prompts.
//! Braces nest, `\{`, `\}` and `\,` are literal, and `--repeat N` (`--r N`) makes N submissions of each.
//! Moodgrid expands them itself, so every prompt is its own job in the engine's queue.

use super::params;

/// The most prompts one submission may become, permutations and repeats together: Midjourney's own
/// ceiling for a permutation (Pro plan) and for `--repeat`.
pub const MAX_BATCH: usize = 40;

/// The deepest braces may nest. The parser, the count, the expansion and dropping the parsed pieces all
/// recurse once per level, and a pasted text can hold any number of `{`, so the depth must be bounded
/// well below what a thread's stack holds. A useful permutation never gets near it: more than two
/// levels already make more prompts than `MAX_BATCH`.
pub const MAX_DEPTH: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PermuteError {
    #[error("a {{ at character {0} is never closed (write \\{{ for a literal brace)")]
    Unclosed(usize),
    #[error("a }} at character {0} closes nothing (write \\}} for a literal brace)")]
    UnexpectedClose(usize),
    #[error("this makes {0} prompts; at most {MAX_BATCH} can be sent at once")]
    TooMany(u128),
    #[error("braces nested deeper than {MAX_DEPTH} (the {{ at character {0})")]
    TooDeep(usize),
}

/// A piece of a prompt: literal text, or a choice between alternatives (each itself a sequence).
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Text(String),
    Choice(Vec<Vec<Piece>>),
}

/// Stands for "a brace was never closed" until the `{` that opened it says where it was.
const UNCLOSED: PermuteError = PermuteError::Unclosed(usize::MAX);

/// Parses `chars[*at..]` until the end or, inside braces, the closing brace. Positions in errors are
/// 1-based characters, as a person counts them.
fn sequence(chars: &[char], at: &mut usize, depth: usize) -> Result<Vec<Vec<Piece>>, PermuteError> {
    let mut alternatives: Vec<Vec<Piece>> = vec![Vec::new()];
    let mut text = String::new();
    let flush = |text: &mut String, pieces: &mut Vec<Piece>| {
        if !text.is_empty() {
            pieces.push(Piece::Text(std::mem::take(text)));
        }
    };
    while let Some(&c) = chars.get(*at) {
        *at += 1;
        let Some(current) = alternatives.last_mut() else {
            break;
        };
        match c {
            '\\' if matches!(chars.get(*at), Some('{' | '}' | ',')) => {
                text.push(chars[*at]);
                *at += 1;
            }
            '{' => {
                let opened = *at;
                if depth >= MAX_DEPTH {
                    return Err(PermuteError::TooDeep(opened));
                }
                flush(&mut text, current);
                let choice = sequence(chars, at, depth + 1).map_err(|e| {
                    if e == UNCLOSED {
                        PermuteError::Unclosed(opened)
                    } else {
                        e
                    }
                })?;
                current.push(Piece::Choice(choice));
            }
            '}' if depth > 0 => {
                flush(&mut text, current);
                return Ok(alternatives);
            }
            '}' => return Err(PermuteError::UnexpectedClose(*at)),
            ',' if depth > 0 => {
                flush(&mut text, current);
                alternatives.push(Vec::new());
            }
            c => text.push(c),
        }
    }
    if depth > 0 {
        return Err(UNCLOSED);
    }
    if let Some(current) = alternatives.last_mut() {
        flush(&mut text, current);
    }
    Ok(alternatives)
}

fn parse(prompt: &str) -> Result<Vec<Piece>, PermuteError> {
    let chars: Vec<char> = prompt.chars().collect();
    let mut top = sequence(&chars, &mut 0, 0)?;
    Ok(top.pop().unwrap_or_default())
}

fn count(pieces: &[Piece]) -> u128 {
    pieces.iter().fold(1u128, |n, piece| match piece {
        Piece::Text(_) => n,
        Piece::Choice(options) => n.saturating_mul(
            options
                .iter()
                .map(|o| count(o))
                .fold(0u128, u128::saturating_add),
        ),
    })
}

fn expand_pieces(pieces: &[Piece]) -> Vec<String> {
    let mut prompts = vec![String::new()];
    for piece in pieces {
        prompts = match piece {
            Piece::Text(text) => prompts.into_iter().map(|p| p + text).collect(),
            Piece::Choice(options) => {
                let endings: Vec<String> = options
                    .iter()
                    .flat_map(|option| expand_pieces(option))
                    .map(|option| option.trim().to_owned())
                    .collect();
                prompts
                    .iter()
                    .flat_map(|p| endings.iter().map(move |e| format!("{p}{e}")))
                    .collect()
            }
        };
    }
    prompts
}

/// Single spaces between words, none at the ends: what an empty alternative (`{, red}`) leaves behind.
fn tidy(prompt: &str) -> String {
    prompt.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every prompt a permutation prompt stands for, in Midjourney's order (the first brace varies slowest).
pub fn expand(prompt: &str) -> Result<Vec<String>, PermuteError> {
    let pieces = parse(prompt)?;
    let total = count(&pieces);
    if total > MAX_BATCH as u128 {
        return Err(PermuteError::TooMany(total));
    }
    Ok(expand_pieces(&pieces).iter().map(|p| tidy(p)).collect())
}

/// How many times `--repeat N` / `--r N` asks for the prompt (1 without it or when N is not a number).
pub fn repeats(prompt: &str) -> usize {
    params::parse(prompt)
        .get("--repeat")
        .and_then(|p| p.value.parse::<usize>().ok())
        .filter(|n| *n >= 1)
        .unwrap_or(1)
}

/// What one press of Imagine sends: each prompt of the permutation (or the prompt as typed, braces and
/// all, when `permute` is off), each as many times as its `--repeat` says, the `--repeat` taken out.
pub fn batch(prompt: &str, permute: bool) -> Result<Vec<String>, PermuteError> {
    let prompts = if permute {
        expand(prompt)?
    } else {
        vec![prompt.trim().to_owned()]
    };
    let planned: Vec<(String, usize)> = prompts
        .into_iter()
        .map(|prompt| {
            let times = repeats(&prompt);
            (params::remove_all(&prompt, "--repeat"), times)
        })
        .collect();
    let total: usize = planned.iter().map(|(_, times)| times).sum();
    if total > MAX_BATCH {
        return Err(PermuteError::TooMany(total as u128));
    }
    Ok(planned
        .into_iter()
        .flat_map(|(prompt, times)| std::iter::repeat_n(prompt, times))
        .collect())
}

/// Whether the prompt has anything to expand (a brace or a repeat).
pub fn is_batch(prompt: &str) -> bool {
    prompt.contains('{') || repeats(prompt) > 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutations_expand_as_midjourney_documents() {
        let table: &[(&str, &[&str])] = &[
            // Midjourney's "Permutation Prompts" page.
            (
                "a {red, green, yellow} bird",
                &["a red bird", "a green bird", "a yellow bird"],
            ),
            (
                "a bird --ar {3:2, 1:1, 2:3, 1:2}",
                &[
                    "a bird --ar 3:2",
                    "a bird --ar 1:1",
                    "a bird --ar 2:3",
                    "a bird --ar 1:2",
                ],
            ),
            (
                "a naturalist illustration of a {pineapple, blueberry} bug --c {20, 80}",
                &[
                    "a naturalist illustration of a pineapple bug --c 20",
                    "a naturalist illustration of a pineapple bug --c 80",
                    "a naturalist illustration of a blueberry bug --c 20",
                    "a naturalist illustration of a blueberry bug --c 80",
                ],
            ),
            // Nested braces.
            (
                "A {sculpture, painting} of a {seagull {on a pier, on a beach}, poodle {on a sofa, in a truck}}",
                &[
                    "A sculpture of a seagull on a pier",
                    "A sculpture of a seagull on a beach",
                    "A sculpture of a poodle on a sofa",
                    "A sculpture of a poodle in a truck",
                    "A painting of a seagull on a pier",
                    "A painting of a seagull on a beach",
                    "A painting of a poodle on a sofa",
                    "A painting of a poodle in a truck",
                ],
            ),
            // An escaped comma is part of its option; escaped braces are literal.
            (
                "{red, pink\\, yellow} flowers",
                &["red flowers", "pink, yellow flowers"],
            ),
            ("a \\{curly\\} sign", &["a {curly} sign"]),
            // Empty options and plain prompts.
            ("a {, big} cat", &["a cat", "a big cat"]),
            ("a cat, a dog", &["a cat, a dog"]),
            ("  a   cat ", &["a cat"]),
            ("東京の{夜, 朝}", &["東京の夜", "東京の朝"]),
        ];
        for (prompt, want) in table {
            let want: Vec<String> = want.iter().map(|w| (*w).to_owned()).collect();
            assert_eq!(expand(prompt), Ok(want), "{prompt}");
        }
    }

    #[test]
    fn unbalanced_or_huge_permutations_are_refused_with_where_and_why() {
        assert_eq!(expand("a {red, blue bird"), Err(PermuteError::Unclosed(3)));
        assert_eq!(expand("a red} bird"), Err(PermuteError::UnexpectedClose(6)));
        assert_eq!(expand("{a {b, c}"), Err(PermuteError::Unclosed(1)));
        let huge = "{a,b,c,d,e} {a,b,c,d,e} {a,b,c,d,e}";
        assert_eq!(expand(huge), Err(PermuteError::TooMany(125)));
        let absurd = "{a,b,c,d,e,f,g,h,i,j}".repeat(40);
        assert!(
            matches!(expand(&absurd), Err(PermuteError::TooMany(_))),
            "counted, not expanded"
        );
        assert!(expand("a {red, blue} bird").is_ok());
    }

    #[test]
    fn pasted_walls_of_braces_are_refused_without_deep_recursion() {
        // A thread with a small stack: a parser that recursed once per brace would overflow it.
        let parsed = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(|| {
                let braces = "{".repeat(100_000);
                let pairs = "{a,".repeat(100_000);
                let nested_ok = format!("{}x{}", "{".repeat(MAX_DEPTH), "}".repeat(MAX_DEPTH));
                (
                    expand(&braces),
                    batch(&pairs, true),
                    is_batch(&pairs),
                    expand(&nested_ok),
                )
            })
            .unwrap()
            .join()
            .expect("no stack overflow");
        let (braces, pairs, pairs_is_batch, nested_ok) = parsed;
        let deepest = MAX_DEPTH + 1;
        assert_eq!(braces, Err(PermuteError::TooDeep(deepest)));
        assert_eq!(pairs, Err(PermuteError::TooDeep(3 * MAX_DEPTH + 1)));
        assert!(pairs_is_batch);
        assert_eq!(nested_ok, Ok(vec!["x".to_owned()]));
        assert_eq!(
            PermuteError::TooDeep(deepest).to_string(),
            format!("braces nested deeper than {MAX_DEPTH} (the {{ at character {deepest})")
        );
    }

    #[test]
    fn repeats_become_submissions_without_the_flag() {
        assert_eq!(batch("a cat --r 3", true), Ok(vec!["a cat".to_owned(); 3]));
        assert_eq!(
            batch("a {red, blue} cat --repeat 2 --ar 1:1", true),
            Ok(vec![
                "a red cat --ar 1:1".to_owned(),
                "a red cat --ar 1:1".to_owned(),
                "a blue cat --ar 1:1".to_owned(),
                "a blue cat --ar 1:1".to_owned(),
            ])
        );
        assert_eq!(
            batch("a {red, blue} cat", false),
            Ok(vec!["a {red, blue} cat".to_owned()]),
            "without permuting, braces go as typed"
        );
        assert_eq!(
            batch("a cat --r 40 --c {1, 2, 3}", true),
            Err(PermuteError::TooMany(120))
        );
        assert_eq!(batch("a cat --r x", true), Ok(vec!["a cat".to_owned()]));
        assert!(is_batch("a {b, c}") && is_batch("a --r 2") && !is_batch("a cat"));
    }
}
