//! TTAPI's failure messages (contract §8.2) in words a designer can act on. The service's own text is
//! always kept next to the explanation; this only adds what it means and what to do.

/// A one-line explanation of a FAILED job's message, or `None` when the message is not one we know.
pub fn explain_failure(message: &str) -> Option<&'static str> {
    let lower = message.to_lowercase();
    let has = |needle: &str| lower.contains(needle);
    Some(
        if has("banned prompt") || has("prompt violation") || has("[invalid prompt]") {
            "Midjourney's moderator refused the prompt. Reword it; the quota was refunded."
        } else if has("ttapi prompt filter") {
            "TTAPI's filter refused the prompt. Reword it; the quota was refunded."
        } else if has("image denied") || has("ttapi image filter") {
            "An image in the prompt was refused by the image filter. Use another image."
        } else if has("job timeout") || has("timed out") {
            "The job ran out of time. Midjourney may be busy: retry, or use a longer timeout."
        } else if has("invalid link") {
            "Midjourney could not download an image link in the prompt. Check that the URL is public."
        } else if has("invalid parameter") || has("invalid params") {
            "A Midjourney parameter in the prompt is malformed (e.g. --ar 16:9, --v 6.0)."
        } else if has("insufficient quota") || has("insufficient balance") {
            "The TTAPI account has run out of quota. Top it up, then retry."
        } else if has("unknown integration") || has("unknown message") || message.contains("未知")
        {
            "TTAPI's account pool had a problem. Retrying usually works."
        } else if has("internal error")
            || has("internal server error")
            || has("execution error")
            || has("bad response")
            || has("failed to process your command")
        {
            "Midjourney had an internal error. Retrying usually works."
        } else {
            return None;
        },
    )
}

/// Whether a FAILED job's message is one the 30-a-day rule counts (contract §8.2).
pub fn is_refusal(message: &str) -> bool {
    let lower = message.to_lowercase();
    [
        "banned prompt",
        "image denied",
        "[invalid prompt]",
        "ttapi prompt filter",
        "ttapi image filter",
        "prompt violation",
    ]
    .iter()
    .any(|needle| lower.contains(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_failure_messages_are_explained() {
        let table = [
            ("Job Timeout", "ran out of time"),
            (
                "[Banned prompt detected] Sorry! Our AI moderator thinks this prompt is probably against our community standards.",
                "moderator refused",
            ),
            (
                "[Image denied] Request cancelled due to image filters",
                "image filter",
            ),
            ("Failed to process your command", "internal error"),
            (
                "[Internal server error] Apologies, something went wrong",
                "internal error",
            ),
            ("Execution error, system exception", "internal error"),
            ("[Invalid link!] Could not fetch", "could not download"),
            ("未知消息", "account pool"),
            ("Unknown Integration", "account pool"),
            ("[Invalid parameter] Invalid value v6", "parameter"),
            ("[Bad response] Internal Error.", "internal error"),
            ("[TTAPI prompt filter] blocked", "TTAPI's filter"),
            ("[TTAPI image filter] blocked", "image filter"),
            ("insufficient quota", "run out of quota"),
        ];
        for (message, expected) in table {
            let explained = explain_failure(message).unwrap_or_else(|| panic!("{message}"));
            assert!(explained.contains(expected), "{message} → {explained}");
        }
        assert_eq!(explain_failure("something nobody has seen"), None);
    }
}
