//! Whether a row of TTAPI's job history (`fetch-list`) shows the prompt Moodgrid sent. TTAPI hands a prompt
//! back changed: dashes as `–v` (the contract's own fetch-list example shows `–v 6` for `--v 6`), spacing,
//! parameter spellings (`--aspect` for `--ar`), image addresses shortened, and with `translation` on, other
//! words altogether. What differs only in those ways is the same prompt; what keeps the words but not the
//! parameters, or could be a translation, is *like* it: not adopted, but never proof that the job is missing.

use super::params;

/// How a listed prompt compares with the one sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Likeness {
    /// The same prompt, as TTAPI writes it back.
    Same,
    /// Perhaps the same job: the same words with other parameters, no prompt listed, or a prompt sent in
    /// another script that TTAPI may have translated.
    Like,
    Different,
}

/// Compares the prompt Moodgrid sent with the one a history row lists.
pub fn compare(sent: &str, listed: Option<&str>) -> Likeness {
    let Some(listed) = listed.filter(|l| !l.trim().is_empty()) else {
        return Likeness::Like;
    };
    let (sent_words, sent_params) = canonical(sent);
    let (listed_words, listed_params) = canonical(listed);
    if sent_words == listed_words {
        return if sent_params == listed_params {
            Likeness::Same
        } else {
            Likeness::Like
        };
    }
    // TTAPI translates prompts by default (the contract's `translation` flag): words in another script may
    // come back as English ones.
    if sent_words
        .chars()
        .any(|c| c.is_alphabetic() && !c.is_ascii())
    {
        return Likeness::Like;
    }
    Likeness::Different
}

/// A prompt's words (lower case, single spaces, image addresses as one placeholder) and its parameters
/// (each as `--flag value` under its documented name, sorted).
fn canonical(prompt: &str) -> (String, Vec<String>) {
    let parsed = params::parse(prompt);
    let words = prompt[parsed.text.clone()]
        .split_whitespace()
        .map(|word| {
            let bare = word.trim_start_matches('<').trim_end_matches('>');
            if bare.starts_with("http://") || bare.starts_with("https://") {
                "<image>".to_owned()
            } else {
                word.to_lowercase()
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    let mut parameters: Vec<String> = parsed
        .params
        .iter()
        .map(|param| {
            let value = param
                .value
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase();
            format!("{} {value}", param.flag())
        })
        .collect();
    parameters.sort();
    (words, parameters)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts_as_ttapi_writes_them_back() {
        use Likeness::*;
        let table = [
            // The contract's fetch-list example: an en dash for `--v`.
            (
                "panda looking at her left hand --v 6 --ar 1:1",
                Some("panda looking at her left hand –v 6 --ar 1:1"),
                Same,
            ),
            ("a fox —ar 16:9", Some("a fox --ar 16:9"), Same),
            ("a  fox\tin snow ", Some("a fox in snow"), Same),
            ("A Fox", Some("a fox"), Same),
            ("a fox --aspect 2:3", Some("a fox --ar 2:3"), Same),
            (
                "a fox --ar 2:3 --s 250",
                Some("a fox --stylize 250 --ar 2:3"),
                Same,
            ),
            ("a fox --style Raw", Some("a fox --style raw"), Same),
            (
                "https://example.com/cat.png a cat --iw 2",
                Some("<https://s.mj.run/Xy12> a cat --iw 2"),
                Same,
            ),
            // The same words, other parameters: perhaps TTAPI added a default.
            ("a fox", Some("a fox --v 7"), Like),
            ("a fox --v 6", Some("a fox --v 6.0"), Like),
            // No prompt listed: it could be this job.
            ("a fox", None, Like),
            ("a fox", Some("  "), Like),
            // Sent in Chinese, listed translated.
            ("一只狐狸 --ar 1:1", Some("a fox --ar 1:1"), Like),
            // Other jobs.
            ("a fox in snow", Some("a fox in snow 2"), Different),
            ("a red fox", Some("a blue fox"), Different),
            ("a fox", Some("a fox in snow"), Different),
        ];
        for (sent, listed, want) in table {
            assert_eq!(compare(sent, listed), want, "{sent:?} vs {listed:?}");
        }
    }
}
