use std::fmt;

/// A TTAPI key. It can only be read through [`ApiKey::expose`], which the client calls to set the header;
/// `Debug` prints a placeholder, and there is deliberately no `Display`, so the key cannot leak into logs
/// or error text by formatting.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// `None` for an empty or blank key.
    pub fn new(key: impl Into<String>) -> Option<ApiKey> {
        let key = key.into().trim().to_owned();
        (!key.is_empty()).then_some(ApiKey(key))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Enough to tell two keys apart on screen: dots and the last four characters (none of a short key).
    pub fn masked(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        let shown = if chars.len() >= 12 { 4 } else { 0 };
        let tail: String = chars[chars.len() - shown..].iter().collect();
        format!("••••••••{tail}")
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_key_and_blank_keys_are_refused() {
        let key = ApiKey::new("  sk-secret-123 ").unwrap();
        assert_eq!(key.expose(), "sk-secret-123");
        assert!(!format!("{key:?}").contains("secret"));
        assert_eq!(ApiKey::new("   "), None);
    }

    #[test]
    fn the_masked_form_shows_at_most_the_last_four_characters() {
        assert_eq!(
            ApiKey::new("sk-0123456789abcd").unwrap().masked(),
            "••••••••abcd"
        );
        assert_eq!(ApiKey::new("short-key").unwrap().masked(), "••••••••");
    }
}
