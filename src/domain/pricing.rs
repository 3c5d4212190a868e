//! What a job costs in TTAPI quota (1 USD = 100 quota): a default table built from the contract's few
//! examples, labelled as a default, and estimates learned from what TTAPI actually charged this user (the
//! median of their recent charges for the same mode, kind of job and model). The simulator charges by a
//! [`PriceTable`] too, so a test can give it prices of its own and watch the estimates learn them.

use std::collections::HashMap;

use super::Mode;
use super::params::{Model, Source, parse};

/// What TTAPI charges differently for, besides mode and model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PricedKind {
    Imagine,
    /// V1–V4, reroll, vary strong/subtle, zoom out, pan, make square: a new grid from a job.
    Variation,
    /// U1–U4: one image of a grid.
    Upsample,
    /// Upscale subtle/creative/2x/4x of an upsampled image.
    Upscale,
    Blend,
    Describe,
    Seed,
    Inpaint,
}

impl PricedKind {
    pub const ALL: [PricedKind; 8] = [
        PricedKind::Imagine,
        PricedKind::Variation,
        PricedKind::Upsample,
        PricedKind::Upscale,
        PricedKind::Blend,
        PricedKind::Describe,
        PricedKind::Seed,
        PricedKind::Inpaint,
    ];

    /// The kind of a job from its action string (`imagine`, `upsample2`, `upscale_creative`, `blend`…).
    pub fn of_action(action: &str) -> PricedKind {
        use super::Action;
        match action {
            "imagine" => PricedKind::Imagine,
            "blend" => PricedKind::Blend,
            "describe" => PricedKind::Describe,
            "seed" => PricedKind::Seed,
            "inpaint" => PricedKind::Inpaint,
            other => match Action::parse(other) {
                Action::Upsample(_) => PricedKind::Upsample,
                Action::Upscale(_) | Action::RedoUpscale(_) => PricedKind::Upscale,
                _ => PricedKind::Variation,
            },
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            PricedKind::Imagine => "imagine",
            PricedKind::Variation => "variation",
            PricedKind::Upsample => "upsample",
            PricedKind::Upscale => "upscale",
            PricedKind::Blend => "blend",
            PricedKind::Describe => "describe",
            PricedKind::Seed => "seed",
            PricedKind::Inpaint => "inpaint",
        }
    }

    pub fn from_name(name: &str) -> Option<PricedKind> {
        PricedKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// The model as the price depends on it: `v6.0`, `v7.0`, `niji 6`, or `default` when the prompt names none.
pub fn model_key(prompt: &str) -> String {
    match parse(prompt).model() {
        Model::Default => "default".to_owned(),
        Model::Version(v) => format!("v{v:.1}"),
        Model::Niji(Some(n)) => format!("niji {n}"),
        Model::Niji(None) => "niji".to_owned(),
    }
}

/// One combination TTAPI prices.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PriceKey {
    pub mode: Mode,
    pub kind: PricedKind,
    /// [`model_key`] of the prompt.
    pub model: String,
}

impl PriceKey {
    pub fn new(mode: Mode, action: &str, prompt: &str) -> PriceKey {
        PriceKey {
            mode,
            kind: PricedKind::of_action(action),
            model: model_key(prompt),
        }
    }
}

/// A price table: a fast-mode price per kind, a factor per mode, and MJ 6.0's surcharge.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceTable {
    pub fast: HashMap<PricedKind, f64>,
    pub relax_factor: f64,
    pub turbo_factor: f64,
    /// Imagine with `--v 6.0` costs this many times the normal price.
    pub v6_imagine_factor: f64,
}

/// Where each default comes from: the contract gives an imagine's price and MJ 6.0's factor; the rest are
/// Moodgrid's guesses until the user's own charges replace them.
pub const DEFAULT_SOURCES: &[(&str, Source)] = &[
    (
        "imagine, fast: 2",
        Source::Contract("§4.3 (a), §10: `\"quota\": \"2\"` for an imagine in fast mode"),
    ),
    (
        "MJ 6.0 imagine: ×1.5",
        Source::Contract("§5.1, §10: \"Prompt with MJ 6.0 imagine costs 1.5× the normal quota\""),
    ),
    (
        "variation, blend, inpaint: as an imagine",
        Source::Unconfirmed("each makes a grid, as an imagine does"),
    ),
    (
        "upsample 1, upscale 2, describe 1, seed 0",
        Source::Unconfirmed("not in the contract; the simulator's defaults"),
    ),
    (
        "relax ×0.5, turbo ×2",
        Source::Unconfirmed("not in the contract; Midjourney's relative GPU cost"),
    ),
];

impl Default for PriceTable {
    fn default() -> PriceTable {
        PriceTable {
            fast: HashMap::from([
                (PricedKind::Imagine, 2.0),
                (PricedKind::Variation, 2.0),
                (PricedKind::Upsample, 1.0),
                (PricedKind::Upscale, 2.0),
                (PricedKind::Blend, 2.0),
                (PricedKind::Describe, 1.0),
                (PricedKind::Seed, 0.0),
                (PricedKind::Inpaint, 2.0),
            ]),
            relax_factor: 0.5,
            turbo_factor: 2.0,
            v6_imagine_factor: 1.5,
        }
    }
}

impl PriceTable {
    pub fn price(&self, key: &PriceKey) -> f64 {
        let base = self.fast.get(&key.kind).copied().unwrap_or(2.0);
        let mode = match key.mode {
            Mode::Fast => 1.0,
            Mode::Relax => self.relax_factor,
            Mode::Turbo => self.turbo_factor,
        };
        let model = if key.kind == PricedKind::Imagine && key.model == "v6.0" {
            self.v6_imagine_factor
        } else {
            1.0
        };
        base * mode * model
    }

    /// Sets a fast-mode price from `KIND=QUOTA` (`imagine=3`, `upsample=1.5`), as `moodgrid sim --price`
    /// takes it.
    pub fn set_from(&mut self, setting: &str) -> Result<(), String> {
        let (kind, quota) = setting
            .split_once('=')
            .ok_or_else(|| format!("`{setting}` is not KIND=QUOTA"))?;
        let kind = PricedKind::from_name(kind.trim()).ok_or_else(|| {
            let names: Vec<&str> = PricedKind::ALL.iter().map(|k| k.name()).collect();
            format!("`{kind}` is not one of {}", names.join(", "))
        })?;
        let quota: f64 = quota
            .trim()
            .parse()
            .ok()
            .filter(|q: &f64| q.is_finite() && *q >= 0.0)
            .ok_or_else(|| format!("`{quota}` is not a price in quota"))?;
        self.fast.insert(kind, quota);
        Ok(())
    }
}

/// One charge TTAPI made: what for, and how much.
#[derive(Debug, Clone, PartialEq)]
pub struct Charge {
    pub key: PriceKey,
    pub quota: f64,
}

/// How many of the newest charges of a combination its estimate is the median of.
pub const LEARN_FROM: usize = 50;

/// What an estimate rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// The default table: no charge of this combination yet.
    Default,
    /// The median of this many of the user's own charges.
    Learned { jobs: usize },
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub quota: f64,
    pub basis: Basis,
}

impl Estimate {
    /// "default price" or "from your last 12 upscales".
    pub fn basis_text(&self, kind: PricedKind) -> String {
        match self.basis {
            Basis::Default => "default price: no such job charged yet".to_owned(),
            Basis::Learned { jobs: 1 } => format!("from your last {}", kind.name()),
            Basis::Learned { jobs } => format!("from your last {jobs} {}s", kind.name()),
        }
    }
}

/// Prices learned from the user's charges, over a default table.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PriceBook {
    defaults: PriceTable,
    learned: HashMap<PriceKey, (f64, usize)>,
}

impl PriceBook {
    /// Learns from charges given newest first: each combination's median over its newest [`LEARN_FROM`].
    pub fn learn(defaults: PriceTable, charges: impl IntoIterator<Item = Charge>) -> PriceBook {
        let mut seen: HashMap<PriceKey, Vec<f64>> = HashMap::new();
        for charge in charges {
            let quotas = seen.entry(charge.key).or_default();
            if quotas.len() < LEARN_FROM && charge.quota.is_finite() {
                quotas.push(charge.quota);
            }
        }
        let learned = seen
            .into_iter()
            .filter(|(_, quotas)| !quotas.is_empty())
            .map(|(key, quotas)| {
                let jobs = quotas.len();
                (key, (median(quotas), jobs))
            })
            .collect();
        PriceBook { defaults, learned }
    }

    pub fn estimate(&self, key: &PriceKey) -> Estimate {
        match self.learned.get(key) {
            Some(&(quota, jobs)) => Estimate {
                quota,
                basis: Basis::Learned { jobs },
            },
            None => Estimate {
                quota: self.defaults.price(key),
                basis: Basis::Default,
            },
        }
    }

    /// The estimate for imagining each of `prompts` in `mode`, summed, and whether any part is a default.
    pub fn estimate_imagines(&self, mode: Mode, prompts: &[String]) -> (f64, Basis) {
        let mut total = 0.0;
        let mut learned_jobs = usize::MAX;
        for prompt in prompts {
            let estimate = self.estimate(&PriceKey::new(mode, "imagine", prompt));
            total += estimate.quota;
            learned_jobs = match estimate.basis {
                Basis::Default => 0,
                Basis::Learned { jobs } => learned_jobs.min(jobs),
            };
        }
        let basis = match learned_jobs {
            0 | usize::MAX => Basis::Default,
            jobs => Basis::Learned { jobs },
        };
        (total, basis)
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

/// A quota amount as people read it: `2`, `1.5`, `0.25`.
pub fn format_quota(quota: f64) -> String {
    let rounded = (quota * 100.0).round() / 100.0;
    if rounded.fract() == 0.0 {
        format!("{}", rounded as i64)
    } else {
        format!("{rounded}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(mode: Mode, action: &str, prompt: &str) -> PriceKey {
        PriceKey::new(mode, action, prompt)
    }

    #[test]
    fn the_default_table_follows_the_contracts_examples() {
        let table = PriceTable::default();
        let cases = [
            (Mode::Fast, "imagine", "a cat", 2.0),
            (Mode::Fast, "imagine", "a cat --v 6.0", 3.0),
            (Mode::Fast, "imagine", "a cat --v 6", 3.0),
            (Mode::Fast, "imagine", "a cat --v 6.1", 2.0),
            (Mode::Relax, "imagine", "a cat", 1.0),
            (Mode::Turbo, "imagine", "a cat", 4.0),
            (Mode::Fast, "upsample3", "a cat", 1.0),
            (Mode::Fast, "upscale_creative", "a cat", 2.0),
            (Mode::Fast, "variation2", "a cat --v 6.0", 2.0),
            (Mode::Fast, "pan_left", "a cat", 2.0),
            (Mode::Fast, "seed", "a cat", 0.0),
        ];
        for (mode, action, prompt, want) in cases {
            assert_eq!(
                table.price(&key(mode, action, prompt)),
                want,
                "{mode} {action} {prompt}"
            );
        }
        assert!(DEFAULT_SOURCES.iter().any(|(_, s)| s.is_confirmed()));
    }

    #[test]
    fn estimates_learn_the_median_of_the_users_own_charges() {
        let upscale = key(Mode::Fast, "upsample1", "a cat");
        let charges = [3.0, 3.0, 2.0, 40.0, 3.0].map(|quota| Charge {
            key: key(Mode::Fast, "upsample4", "another"),
            quota,
        });
        let book = PriceBook::learn(PriceTable::default(), charges);
        let estimate = book.estimate(&upscale);
        assert_eq!(estimate.quota, 3.0, "the median, not the mean");
        assert_eq!(estimate.basis, Basis::Learned { jobs: 5 });
        assert_eq!(
            estimate.basis_text(PricedKind::Upsample),
            "from your last 5 upsamples"
        );
        let other_mode = book.estimate(&key(Mode::Relax, "upsample1", "a cat"));
        assert_eq!(
            other_mode,
            Estimate {
                quota: 0.5,
                basis: Basis::Default
            }
        );
        let many = (0..80).map(|i| Charge {
            key: upscale.clone(),
            quota: if i < 50 { 1.0 } else { 9.0 },
        });
        let book = PriceBook::learn(PriceTable::default(), many);
        assert_eq!(
            book.estimate(&upscale),
            Estimate {
                quota: 1.0,
                basis: Basis::Learned { jobs: 50 }
            },
            "only the newest 50"
        );
        let even = [1.0, 2.0].map(|quota| Charge {
            key: upscale.clone(),
            quota,
        });
        assert_eq!(
            PriceBook::learn(PriceTable::default(), even)
                .estimate(&upscale)
                .quota,
            1.5
        );
    }

    #[test]
    fn a_batch_is_estimated_prompt_by_prompt() {
        let learned = (0..4).map(|_| Charge {
            key: key(Mode::Fast, "imagine", "x --v 7"),
            quota: 5.0,
        });
        let book = PriceBook::learn(PriceTable::default(), learned);
        let prompts = ["a --v 7", "b --v 7"].map(str::to_owned);
        assert_eq!(
            book.estimate_imagines(Mode::Fast, &prompts),
            (10.0, Basis::Learned { jobs: 4 })
        );
        let mixed = ["a --v 7", "b --v 6.0"].map(str::to_owned);
        assert_eq!(
            book.estimate_imagines(Mode::Fast, &mixed),
            (8.0, Basis::Default)
        );
    }

    #[test]
    fn the_simulators_prices_are_set_as_kind_equals_quota() {
        let mut table = PriceTable::default();
        assert_eq!(table.set_from("imagine=3"), Ok(()));
        assert_eq!(table.price(&key(Mode::Fast, "imagine", "a")), 3.0);
        assert!(table.set_from("imagine").is_err());
        assert!(table.set_from("zoom=1").unwrap_err().contains("upsample"));
        assert!(table.set_from("imagine=-1").is_err());
        assert_eq!(format_quota(1.5), "1.5");
        assert_eq!(format_quota(2.0), "2");
    }
}
