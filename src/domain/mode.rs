use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Midjourney's speed modes as TTAPI names them on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Relax,
    #[default]
    Fast,
    Turbo,
}

impl Mode {
    pub const ALL: [Mode; 3] = [Mode::Fast, Mode::Relax, Mode::Turbo];

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Relax => "relax",
            Mode::Fast => "fast",
            Mode::Turbo => "turbo",
        }
    }

    /// TTAPI's documented default (and minimum) `timeout` for this mode, in seconds.
    pub fn default_timeout_secs(self) -> u32 {
        match self {
            Mode::Relax => 600,
            Mode::Fast | Mode::Turbo => 300,
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown mode `{0}`: expected fast, relax or turbo")]
pub struct UnknownMode(pub String);

impl FromStr for Mode {
    type Err = UnknownMode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "relax" => Ok(Mode::Relax),
            "fast" => Ok(Mode::Fast),
            "turbo" => Ok(Mode::Turbo),
            _ => Err(UnknownMode(s.to_owned())),
        }
    }
}

/// The aspect of a blend result (`dimensions` on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum BlendDimensions {
    /// 2:3
    Portrait,
    /// 1:1
    #[default]
    Square,
    /// 3:2
    Landscape,
}

impl BlendDimensions {
    /// Width and height of the aspect ratio.
    pub fn ratio(self) -> (u32, u32) {
        match self {
            BlendDimensions::Portrait => (2, 3),
            BlendDimensions::Square => (1, 1),
            BlendDimensions::Landscape => (3, 2),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_parse_case_insensitively_and_reject_others() {
        assert_eq!("FAST".parse::<Mode>(), Ok(Mode::Fast));
        assert_eq!(" relax ".parse::<Mode>(), Ok(Mode::Relax));
        assert_eq!("turbo".parse::<Mode>(), Ok(Mode::Turbo));
        let err = "slow".parse::<Mode>().unwrap_err();
        assert!(err.to_string().contains("slow"));
    }

    #[test]
    fn relax_waits_longer_by_default() {
        assert_eq!(Mode::Relax.default_timeout_secs(), 600);
        assert_eq!(Mode::Fast.default_timeout_secs(), 300);
        assert_eq!(Mode::Turbo.default_timeout_secs(), 300);
    }

    #[test]
    fn wire_spellings_match_the_contract() {
        assert_eq!(serde_json::to_string(&Mode::Turbo).unwrap(), "\"turbo\"");
        assert_eq!(
            serde_json::to_string(&BlendDimensions::Landscape).unwrap(),
            "\"LANDSCAPE\""
        );
    }
}
