//! What a job asked for, as stored in `jobs.params`: one typed value per kind, written when the job is
//! created and read back by the engine to (re)send it, so a job queued before a crash goes out exactly as it
//! was asked. Image payloads are not here; they are the job's `source` and `mask` images.
//!
//! Stored as JSON tagged by `kind`, with a format version `v`. A row written by a newer Moodgrid (a higher
//! `v`) or damaged on disk reads as [`ParamsError`]: the job still lists and shows, it just cannot be re-sent.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::jobs::JobKind;
use crate::domain::mask::MaskOp;
use crate::domain::{BlendDimensions, Mode};

/// The format version this build writes, and the newest it reads.
pub const PARAMS_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum JobParams {
    Imagine {
        prompt: String,
        mode: Mode,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout: Option<u32>,
    },
    /// A button of the parent's `components` (U1, V2, reroll, zoom…).
    Action {
        action: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout: Option<u32>,
    },
    Blend {
        dimensions: BlendDimensions,
        mode: Mode,
    },
    /// `url` when the user gave a link; otherwise the job's one source image is described.
    Describe {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        url: Option<String>,
    },
    Seed,
    Inpaint {
        prompt: String,
        /// The editor's operations that made the mask, so it can be reopened ("Edit mask again").
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mask_ops: Option<Vec<MaskOp>>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamsError {
    #[error(
        "this job was stored by a newer Moodgrid (parameters format {found}, this one reads up to {PARAMS_VERSION})"
    )]
    Newer { found: u32 },
    #[error("this job's stored parameters cannot be read: {0}")]
    Unreadable(String),
}

/// The stored envelope: the version beside the tagged value.
#[derive(Serialize, Deserialize)]
struct Stored<T> {
    v: u32,
    #[serde(flatten)]
    params: T,
}

impl JobParams {
    pub fn kind(&self) -> JobKind {
        match self {
            JobParams::Imagine { .. } => JobKind::Imagine,
            JobParams::Action { .. } => JobKind::Action,
            JobParams::Blend { .. } => JobKind::Blend,
            JobParams::Describe { .. } => JobKind::Describe,
            JobParams::Seed => JobKind::Seed,
            JobParams::Inpaint { .. } => JobKind::Inpaint,
        }
    }

    /// The text stored in `jobs.params`.
    pub fn to_stored(&self) -> String {
        serde_json::to_string(&Stored {
            v: PARAMS_VERSION,
            params: self,
        })
        .unwrap_or_else(|e| unreachable!("job parameters always serialize: {e}"))
    }

    pub fn from_stored(text: &str) -> Result<JobParams, ParamsError> {
        let version: Stored<serde::de::IgnoredAny> =
            serde_json::from_str(text).map_err(|e| ParamsError::Unreadable(e.to_string()))?;
        if version.v > PARAMS_VERSION {
            return Err(ParamsError::Newer { found: version.v });
        }
        let stored: Stored<JobParams> =
            serde_json::from_str(text).map_err(|e| ParamsError::Unreadable(e.to_string()))?;
        Ok(stored.params)
    }

    /// Reads the untagged, unversioned shapes written before format 1 (library schema 3 and older), where
    /// each kind kept something different: imagine the whole wire request, action `{action, timeout}`, blend
    /// `{dimensions, mode}`, describe `{}` or `{url}`, seed `{}`, inpaint `{prompt, mask_ops}`. Whatever is
    /// missing is taken from the job's own columns.
    pub(super) fn from_unversioned(
        kind: JobKind,
        old: &Value,
        action: &str,
        prompt: &str,
        mode: Option<Mode>,
    ) -> JobParams {
        let text = |key: &str| old.get(key).and_then(Value::as_str).map(str::to_owned);
        let timeout = old
            .get("timeout")
            .and_then(Value::as_u64)
            .and_then(|t| u32::try_from(t).ok());
        let mode = || field(old, "mode").or(mode).unwrap_or_default();
        match kind {
            JobKind::Imagine => JobParams::Imagine {
                prompt: text("prompt").unwrap_or_else(|| prompt.to_owned()),
                mode: mode(),
                timeout,
            },
            JobKind::Action => JobParams::Action {
                action: text("action").unwrap_or_else(|| action.to_owned()),
                timeout,
            },
            JobKind::Blend => JobParams::Blend {
                dimensions: field(old, "dimensions").unwrap_or_default(),
                mode: mode(),
            },
            JobKind::Describe => JobParams::Describe { url: text("url") },
            JobKind::Seed => JobParams::Seed,
            JobKind::Inpaint => JobParams::Inpaint {
                prompt: text("prompt").unwrap_or_else(|| prompt.to_owned()),
                mask_ops: field(old, "mask_ops"),
            },
        }
    }
}

/// A field of an old row, if it is there and reads as `T`.
fn field<T: serde::de::DeserializeOwned>(old: &Value, key: &str) -> Option<T> {
    old.get(key)
        .cloned()
        .and_then(|v| serde_json::from_value(v).ok())
}

/// Migration 4: every row's parameters rewritten from the shape of its kind to format 1, in the migration's
/// transaction (all rows or none).
pub(super) fn convert_unversioned(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    let rows: Vec<(i64, String, String, String, String, Option<String>)> = tx
        .prepare("SELECT id, kind, action, prompt, params, mode FROM jobs")?
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })?
        .collect::<Result<_, _>>()?;
    let mut write = tx.prepare("UPDATE jobs SET params = ?2 WHERE id = ?1")?;
    for (id, kind, action, prompt, params, mode) in rows {
        // A row of an unknown kind is left alone; reading it already fails with a clear message.
        let Ok(kind) = kind.parse::<JobKind>() else {
            continue;
        };
        let old: Value = serde_json::from_str(&params).unwrap_or(Value::Null);
        let mode = mode.and_then(|m| m.parse().ok());
        let new = JobParams::from_unversioned(kind, &old, &action, &prompt, mode);
        write.execute(rusqlite::params![id, new.to_stored()])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::mask::{Paint, Point};

    fn every_kind() -> Vec<JobParams> {
        vec![
            JobParams::Imagine {
                prompt: "a lighthouse --ar 3:2".into(),
                mode: Mode::Relax,
                timeout: Some(600),
            },
            JobParams::Imagine {
                prompt: "no timeout".into(),
                mode: Mode::Turbo,
                timeout: None,
            },
            JobParams::Action {
                action: "variation2".into(),
                timeout: Some(400),
            },
            JobParams::Blend {
                dimensions: BlendDimensions::Landscape,
                mode: Mode::Fast,
            },
            JobParams::Describe { url: None },
            JobParams::Describe {
                url: Some("https://cdn.example.com/a.png".into()),
            },
            JobParams::Seed,
            JobParams::Inpaint {
                prompt: "a red door".into(),
                mask_ops: Some(vec![MaskOp::Rect {
                    from: Point { x: 1.0, y: 2.0 },
                    to: Point { x: 30.0, y: 40.0 },
                    paint: Paint::Add,
                }]),
            },
            JobParams::Inpaint {
                prompt: "from a file".into(),
                mask_ops: None,
            },
        ]
    }

    #[test]
    fn every_kind_reads_back_as_it_was_written_with_its_version_and_tag() {
        for params in every_kind() {
            let text = params.to_stored();
            let json: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(json["v"], PARAMS_VERSION, "{text}");
            assert_eq!(json["kind"], params.kind().as_str(), "{text}");
            assert_eq!(JobParams::from_stored(&text).unwrap(), params, "{text}");
        }
    }

    #[test]
    fn newer_damaged_or_untagged_parameters_are_an_error_not_a_guess() {
        let newer = r#"{"v":2,"kind":"seed"}"#;
        assert_eq!(
            JobParams::from_stored(newer),
            Err(ParamsError::Newer { found: 2 })
        );
        for bad in [
            "",
            "null",
            "{not json",
            r#"{"kind":"seed"}"#,
            r#"{"v":1}"#,
            r#"{"v":1,"kind":"teleport"}"#,
            r#"{"v":1,"kind":"imagine","mode":"fast"}"#,
        ] {
            assert!(
                matches!(JobParams::from_stored(bad), Err(ParamsError::Unreadable(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn the_shapes_before_format_one_are_read_with_the_columns_filling_gaps() {
        let cases = [
            (
                JobKind::Imagine,
                r#"{"prompt":"a cat","mode":"relax","timeout":600,"getUImages":false}"#,
                JobParams::Imagine {
                    prompt: "a cat".into(),
                    mode: Mode::Relax,
                    timeout: Some(600),
                },
            ),
            (
                JobKind::Action,
                r#"{"action":"upsample1","timeout":null}"#,
                JobParams::Action {
                    action: "upsample1".into(),
                    timeout: None,
                },
            ),
            (
                JobKind::Blend,
                r#"{"dimensions":"PORTRAIT","mode":"turbo"}"#,
                JobParams::Blend {
                    dimensions: BlendDimensions::Portrait,
                    mode: Mode::Turbo,
                },
            ),
            (JobKind::Describe, "{}", JobParams::Describe { url: None }),
            (
                JobKind::Describe,
                r#"{"url":"https://x.test/a.png"}"#,
                JobParams::Describe {
                    url: Some("https://x.test/a.png".into()),
                },
            ),
            (JobKind::Seed, "{}", JobParams::Seed),
            (
                JobKind::Inpaint,
                r#"{"prompt":"a door","mask_ops":null}"#,
                JobParams::Inpaint {
                    prompt: "a door".into(),
                    mask_ops: None,
                },
            ),
            // Damaged rows take what the columns know.
            (
                JobKind::Imagine,
                "null",
                JobParams::Imagine {
                    prompt: "column prompt".into(),
                    mode: Mode::Fast,
                    timeout: None,
                },
            ),
            (
                JobKind::Action,
                "{}",
                JobParams::Action {
                    action: "column action".into(),
                    timeout: None,
                },
            ),
        ];
        for (kind, old, want) in cases {
            let old: Value = serde_json::from_str(old).unwrap();
            let got = JobParams::from_unversioned(
                kind,
                &old,
                "column action",
                "column prompt",
                Some(Mode::Fast),
            );
            assert_eq!(got, want, "{old}");
        }
    }
}
