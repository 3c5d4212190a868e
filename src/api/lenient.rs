//! Deserialisers that accept every spelling TTAPI's documents show for a field (string or number, `null`,
//! absent) and turn anything unusable into `None` instead of failing the whole payload.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

fn value_to_string(value: Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `"2"`, `2`, `2.5` or `null` → text.
pub fn opt_string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<Value>::deserialize(d)?.and_then(value_to_string))
}

/// `"2"`, `2`, `"1.5"` → number; anything else → `None`.
pub fn opt_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(Option::<Value>::deserialize(d)?
        .and_then(value_to_string)
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|v| v.is_finite()))
}

/// A pixel size or count as number or numeric string.
pub fn opt_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    Ok(opt_f64(d)?
        .filter(|v| *v >= 0.0 && *v <= f64::from(u32::MAX))
        .map(|v| v as u32))
}

/// Progress as `"50"`, `50`, `"50%"` or `null`, clamped to 0–100.
pub fn opt_progress<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u8>, D::Error> {
    Ok(Option::<Value>::deserialize(d)?
        .and_then(value_to_string)
        .and_then(|s| s.trim().trim_end_matches('%').trim().parse::<f64>().ok())
        .filter(|v| v.is_finite())
        .map(|v| v.clamp(0.0, 100.0) as u8))
}

/// A list of strings that may be `null`; non-string entries are dropped.
pub fn string_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Array(items)) => items
            .into_iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    })
}

/// A `timeout` sent as `300` or `"300"` (both appear in TTAPI's own examples).
pub fn opt_u32_strict<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    use serde::de::Error;
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(v) => value_to_string(v)
            .and_then(|s| s.trim().parse::<u32>().ok())
            .map(Some)
            .ok_or_else(|| D::Error::custom("timeout must be a whole number of seconds")),
    }
}
