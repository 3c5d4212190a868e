//! Moodgrid's search language, and its safe translation into SQLite FTS5.
//!
//! What a user types: words (`lighthouse`), prefixes (`ligh*`), phrases (`"oil painting"`), and exclusions
//! (`-portrait`, `-"studio light"`). Every term must match; excluded ones must not. Nothing the user types
//! is FTS5 syntax: each term becomes quoted FTS5 tokens, so `OR`, `NEAR`, brackets, colons and stray quotes
//! are plain words and no input can make FTS5 report a syntax error.
//!
//! FTS5 has no `-word` and its NOT needs a left operand, so a query of only exclusions cannot be one MATCH;
//! [`SearchQuery::only_excluded`] gives the library the MATCH for "any of these", to take away instead.

/// One thing the user asked for or against.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Term {
    /// The term's words, as the index splits text (letters and digits; everything else separates).
    tokens: Vec<String>,
    /// `ligh*`: the last word may go on.
    prefix: bool,
}

impl Term {
    fn new(text: &str, prefix: bool) -> Option<Term> {
        let tokens: Vec<String> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect();
        (!tokens.is_empty()).then_some(Term { tokens, prefix })
    }

    /// `"a b"` or `"a b"*`: a phrase of quoted tokens. The tokens hold only letters and digits, so the
    /// quotes cannot be broken out of.
    fn fts(&self) -> String {
        let star = if self.prefix { "*" } else { "" };
        format!("\"{}\"{star}", self.tokens.join(" "))
    }
}

/// A parsed search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    wanted: Vec<Term>,
    excluded: Vec<Term>,
}

impl SearchQuery {
    pub fn parse(text: &str) -> SearchQuery {
        let mut query = SearchQuery::default();
        let mut rest = text.trim_start();
        while !rest.is_empty() {
            let (negated, body) = match rest.strip_prefix('-') {
                Some(after) if !after.is_empty() && !after.starts_with(char::is_whitespace) => {
                    (true, after)
                }
                _ => (false, rest),
            };
            let (raw, prefix, after) = if let Some(quoted) = body.strip_prefix('"') {
                // A phrase runs to the closing quote, or to the end when it has none.
                let end = quoted.find('"').unwrap_or(quoted.len());
                let after = quoted.get(end + 1..).unwrap_or("");
                let prefix = after.starts_with('*');
                (&quoted[..end], prefix, after.trim_start_matches('*'))
            } else {
                let end = body.find(char::is_whitespace).unwrap_or(body.len());
                let word = &body[..end];
                let bare = word.trim_end_matches('*');
                (bare, bare.len() < word.len(), &body[end..])
            };
            if let Some(term) = Term::new(raw, prefix) {
                if negated {
                    query.excluded.push(term);
                } else {
                    query.wanted.push(term);
                }
            }
            rest = after.trim_start();
        }
        query
    }

    /// Nothing to search for: every job matches.
    pub fn is_empty(&self) -> bool {
        self.wanted.is_empty() && self.excluded.is_empty()
    }

    /// The FTS5 MATCH expression when at least one term is wanted: every wanted term, none excluded.
    pub fn fts(&self) -> Option<String> {
        if self.wanted.is_empty() {
            return None;
        }
        let wanted = join(&self.wanted, " AND ");
        Some(if self.excluded.is_empty() {
            wanted
        } else {
            format!("({wanted}) NOT ({})", join(&self.excluded, " OR "))
        })
    }

    /// When only exclusions were typed: the MATCH for any of them (the jobs to leave out).
    pub fn only_excluded(&self) -> Option<String> {
        (self.wanted.is_empty() && !self.excluded.is_empty()).then(|| join(&self.excluded, " OR "))
    }
}

fn join(terms: &[Term], with: &str) -> String {
    terms.iter().map(Term::fts).collect::<Vec<_>>().join(with)
}

/// Where the library marks a match in highlighted text (characters of Unicode's private use area, which
/// prompts do not contain).
pub const MATCH_START: char = '\u{E000}';
pub const MATCH_END: char = '\u{E001}';

/// Highlighted text as runs of plain and matched text, in order.
pub fn highlighted_runs(marked: &str) -> Vec<(&str, bool)> {
    let mut runs = Vec::new();
    let mut matched = false;
    for piece in marked.split([MATCH_START, MATCH_END]) {
        if !piece.is_empty() {
            runs.push((piece, matched));
        }
        matched = !matched;
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_user_types_becomes_quoted_fts() {
        for (typed, wanted, excluded) in [
            ("", None, None),
            ("   ", None, None),
            ("lighthouse", Some(r#""lighthouse""#), None),
            ("ligh*", Some(r#""ligh"*"#), None),
            (
                r#""oil painting" dusk"#,
                Some(r#""oil painting" AND "dusk""#),
                None,
            ),
            ("fox -portrait", Some(r#"("fox") NOT ("portrait")"#), None),
            (
                r#"fox -"studio light" -red*"#,
                Some(r#"("fox") NOT ("studio light" OR "red"*)"#),
                None,
            ),
            ("-portrait", None, Some(r#""portrait""#)),
            ("-a -b", None, Some(r#""a" OR "b""#)),
            // FTS5's own words and signs are plain words here.
            ("cats OR dogs", Some(r#""cats" AND "OR" AND "dogs""#), None),
            ("NEAR(a b)", Some(r#""NEAR a" AND "b""#), None),
            ("prompt:fox", Some(r#""prompt fox""#), None),
            // A TTAPI id is split as the index splits it, and found as a phrase.
            ("6de785ce-60fe-4104", Some(r#""6de785ce 60fe 4104""#), None),
            // An unclosed quote runs to the end; a lone dash or star is nothing.
            (r#""oil paint"#, Some(r#""oil paint""#), None),
            ("- * -- ***", None, None),
            ("fox -", Some(r#""fox""#), None),
            ("\"\"", None, None),
            ("café", Some(r#""café""#), None),
        ] {
            let query = SearchQuery::parse(typed);
            assert_eq!(query.fts().as_deref(), wanted, "{typed:?}");
            assert_eq!(query.only_excluded().as_deref(), excluded, "{typed:?}");
            assert_eq!(query.is_empty(), wanted.is_none() && excluded.is_none());
        }
    }

    #[test]
    fn highlighted_text_splits_into_runs() {
        let marked = format!("a {MATCH_START}fox{MATCH_END} in a {MATCH_START}scarf{MATCH_END}");
        assert_eq!(
            highlighted_runs(&marked),
            [
                ("a ", false),
                ("fox", true),
                (" in a ", false),
                ("scarf", true)
            ]
        );
        assert_eq!(highlighted_runs("plain"), [("plain", false)]);
        assert!(highlighted_runs("").is_empty());
    }
}
