//! Which jobs the gallery shows: the filter a designer sets (kind, state, mode, shape, model, parameters,
//! stars, flag, date, boards) beside the search text, each active part as a removable chip, and searches
//! saved under a name made of those chips. Plain data, no egui: unit-tested below. Remembered between runs
//! in eframe's storage, so every part is serde.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::domain::Mode;
use crate::domain::prompt::PromptParam;
use crate::library::{AspectFilter, FlagFilter, JobKind, JobQuery, StateFilter};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GalleryFilter {
    /// The search as typed; the library answers it (`search`), and the gallery is given the answer.
    pub text: String,
    pub kind: Option<JobKind>,
    pub state: StateFilter,
    pub mode: Option<Mode>,
    pub aspect: AspectFilter,
    /// A model as [`model_version`] names it (`--v 7`, `--niji 6`).
    pub version: Option<String>,
    /// Parameters the prompt must have, every one of them.
    pub uses: BTreeSet<PromptParam>,
    /// At least this many stars (0: any).
    pub min_rating: u8,
    pub flag: FlagFilter,
    pub made: Option<Made>,
    /// `Some(true)`: only jobs with an image on a board; `Some(false)`: only jobs on none.
    pub on_board: Option<bool>,
}

/// The kinds the Kind filter offers, in the order jobs are usually made.
pub const KINDS: [JobKind; 6] = [
    JobKind::Imagine,
    JobKind::Action,
    JobKind::Blend,
    JobKind::Describe,
    JobKind::Seed,
    JobKind::Inpaint,
];

/// What a filter is checked against besides the job itself.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    /// Unix ms, for the date presets.
    pub now: i64,
    /// The jobs a search found, while one is on.
    pub found: Option<&'a Arc<HashSet<i64>>>,
    /// The jobs with an image on some board, once known.
    pub on_board: Option<&'a Arc<HashSet<i64>>>,
}

/// When a job was made: a preset counted back from now, or the days between two dates (both included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Made {
    Today,
    Week,
    Month,
    Between { from: Date, to: Date },
}

impl Made {
    pub const PRESETS: [Made; 3] = [Made::Today, Made::Week, Made::Month];

    pub fn label(self) -> String {
        match self {
            Made::Today => "Today".into(),
            Made::Week => "Last 7 days".into(),
            Made::Month => "Last 30 days".into(),
            Made::Between { from, to } if from == to => format!("On {from}"),
            Made::Between { from, to } => format!("{from} to {to}"),
        }
    }

    /// The `created_at` range (Unix ms, start included, end excluded) it keeps, seen from `now`.
    pub fn range(self, now: i64) -> (i64, i64) {
        const DAY: i64 = 24 * 60 * 60 * 1000;
        let start_of = |date: Date| {
            let month = u8::try_from(date.month()).unwrap_or(1);
            let day = u8::try_from(date.day()).unwrap_or(1);
            crate::clock::start_of_date(i32::from(date.year()), month, day).unwrap_or(0)
        };
        match self {
            Made::Today => (crate::clock::start_of_day_of(now), i64::MAX),
            Made::Week => (now - 7 * DAY, i64::MAX),
            Made::Month => (now - 30 * DAY, i64::MAX),
            Made::Between { from, to } => {
                let (from, to) = if from <= to { (from, to) } else { (to, from) };
                let end = to.tomorrow().map_or(i64::MAX, start_of);
                (start_of(from), end)
            }
        }
    }

    /// A custom range of one day, `now`'s: where the date pickers start.
    pub fn today_range(now: i64) -> Made {
        let (year, month, day) = crate::clock::local_date_of(now);
        let today = Date::new(
            i16::try_from(year).unwrap_or(2026),
            i8::try_from(month).unwrap_or(1),
            i8::try_from(day).unwrap_or(1),
        )
        .unwrap_or_default();
        Made::Between {
            from: today,
            to: today,
        }
    }
}

/// One active part of a filter, as a chip shows it and removes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Text,
    Kind,
    State,
    Mode,
    Aspect,
    Version,
    Uses(PromptParam),
    Rating,
    Flag,
    Made,
    OnBoard,
}

impl GalleryFilter {
    /// The filter as the library's query, with what the search found and which jobs are on a board.
    pub fn query(&self, context: Context<'_>) -> JobQuery {
        let boards = || context.on_board.cloned().unwrap_or_default();
        let only = match (context.found, self.on_board) {
            // Until the boards are read, nothing is known to be on one.
            (Some(found), Some(true)) => {
                Some(Arc::new(found.intersection(&boards()).copied().collect()))
            }
            (None, Some(true)) => Some(boards()),
            (found, _) => found.cloned(),
        };
        let except = if self.on_board == Some(false) {
            context.on_board.cloned()
        } else {
            None
        };
        JobQuery {
            kind: self.kind,
            state: self.state,
            mode: self.mode,
            min_rating: self.min_rating,
            flag: self.flag,
            created: self.made.map(|made| made.range(context.now)),
            aspect: self.aspect,
            version: self.version.clone(),
            uses: self.uses.clone(),
            only,
            except,
        }
    }

    /// Each active part with what its chip says, in the order the filter bar has them.
    pub fn chips(&self) -> Vec<(Part, String)> {
        let mut chips = Vec::new();
        let text = self.text.trim();
        if !text.is_empty() {
            chips.push((Part::Text, format!("“{text}”")));
        }
        if let Some(kind) = self.kind {
            chips.push((Part::Kind, capitalised(kind.as_str())));
        }
        if self.state != StateFilter::All {
            chips.push((Part::State, self.state.label().into()));
        }
        if let Some(mode) = self.mode {
            chips.push((Part::Mode, format!("{} mode", capitalised(mode.as_str()))));
        }
        if self.aspect != AspectFilter::Any {
            chips.push((Part::Aspect, self.aspect.label()));
        }
        if let Some(version) = &self.version {
            chips.push((Part::Version, version.clone()));
        }
        for param in &self.uses {
            chips.push((Part::Uses(*param), param.flag().into()));
        }
        // In words: a saved search is named by its chips, and "5 stars" reads (and is read out) better.
        match self.min_rating {
            0 => {}
            1 => chips.push((Part::Rating, "1 star or more".into())),
            n if n == crate::library::MAX_RATING => {
                chips.push((Part::Rating, format!("{n} stars")))
            }
            n => chips.push((Part::Rating, format!("{n} stars or more"))),
        }
        if self.flag != FlagFilter::Any {
            chips.push((Part::Flag, self.flag.label().into()));
        }
        if let Some(made) = self.made {
            chips.push((Part::Made, made.label()));
        }
        match self.on_board {
            Some(true) => chips.push((Part::OnBoard, "On a board".into())),
            Some(false) => chips.push((Part::OnBoard, "On no board".into())),
            None => {}
        }
        chips
    }

    /// Takes one part out, leaving the rest.
    pub fn clear(&mut self, part: Part) {
        match part {
            Part::Text => self.text.clear(),
            Part::Kind => self.kind = None,
            Part::State => self.state = StateFilter::All,
            Part::Mode => self.mode = None,
            Part::Aspect => self.aspect = AspectFilter::Any,
            Part::Version => self.version = None,
            Part::Uses(param) => {
                self.uses.remove(&param);
            }
            Part::Rating => self.min_rating = 0,
            Part::Flag => self.flag = FlagFilter::Any,
            Part::Made => self.made = None,
            Part::OnBoard => self.on_board = None,
        }
    }

    /// What a saved search is called unless renamed: its chips, e.g. "5 stars, Landscape, Last 30 days".
    pub fn summary(&self) -> String {
        let chips: Vec<String> = self.chips().into_iter().map(|(_, text)| text).collect();
        if chips.is_empty() {
            "Everything".into()
        } else {
            chips.join(", ")
        }
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// A filter kept under a name in the gallery's side list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedSearch {
    pub name: String,
    pub filter: GalleryFilter,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::prompt::Orientation;
    use crate::library::{JobRecord, JobState};
    use crate::ui::runtime::job_list::tests::job;

    fn kept(jobs: &[JobRecord], filter: &GalleryFilter, context: Context<'_>) -> Vec<i64> {
        let query = filter.query(context);
        jobs.iter()
            .filter(|job| query.admits(job))
            .map(|job| job.id)
            .collect()
    }

    fn anywhere(now: i64) -> Context<'static> {
        Context {
            now,
            found: None,
            on_board: None,
        }
    }

    #[test]
    fn shape_model_parameters_mode_and_boards_narrow_the_gallery() {
        let prompts = [
            "a lighthouse --ar 16:9 --v 7",           // 1
            "a fox portrait --ar 2:3 --niji 6",       // 2
            "a tiled floor --tile --v 6.1",           // 3
            "a knight --sref 42 --seed 7 --ar 32:18", // 4
        ];
        let mut jobs: Vec<JobRecord> = prompts
            .iter()
            .enumerate()
            .map(|(i, p)| job(i as i64 + 1, JobKind::Imagine, JobState::Succeeded, p))
            .collect();
        jobs[1].mode = Some(Mode::Relax);
        let now = crate::library::now_ms();
        let with = |change: fn(&mut GalleryFilter)| {
            let mut filter = GalleryFilter::default();
            change(&mut filter);
            filter
        };
        let all = anywhere(now);
        assert_eq!(kept(&jobs, &GalleryFilter::default(), all), [1, 2, 3, 4]);
        let landscape = with(|f| f.aspect = AspectFilter::Orientation(Orientation::Landscape));
        assert_eq!(kept(&jobs, &landscape, all), [1, 4]);
        let square = with(|f| f.aspect = AspectFilter::Orientation(Orientation::Square));
        assert_eq!(
            kept(&jobs, &square, all),
            [3],
            "no --ar is Midjourney's 1:1"
        );
        let sixteen_nine = with(|f| f.aspect = AspectFilter::Exact(16, 9));
        assert_eq!(kept(&jobs, &sixteen_nine, all), [1, 4], "32:18 is 16:9");
        let niji = with(|f| f.version = Some("--niji 6".into()));
        assert_eq!(kept(&jobs, &niji, all), [2]);
        let relax = with(|f| f.mode = Some(Mode::Relax));
        assert_eq!(kept(&jobs, &relax, all), [2]);
        let sref_and_seed = with(|f| {
            f.uses = BTreeSet::from([PromptParam::StyleReference, PromptParam::Seed]);
        });
        assert_eq!(kept(&jobs, &sref_and_seed, all), [4]);
        let tile = with(|f| f.uses = BTreeSet::from([PromptParam::Tile]));
        assert_eq!(kept(&jobs, &tile, all), [3]);

        let boards = Arc::new(HashSet::from([2, 3]));
        let on_board = with(|f| f.on_board = Some(true));
        let off_board = with(|f| f.on_board = Some(false));
        let known = Context {
            on_board: Some(&boards),
            ..all
        };
        assert_eq!(kept(&jobs, &on_board, known), [2, 3]);
        assert_eq!(kept(&jobs, &off_board, known), [1, 4]);
        assert!(
            kept(&jobs, &on_board, all).is_empty(),
            "boards not read yet"
        );

        let found = Arc::new(HashSet::from([1, 2]));
        let searched = Context {
            found: Some(&found),
            ..all
        };
        assert_eq!(
            kept(&jobs, &landscape, searched),
            [1],
            "search and filter both"
        );
    }

    #[test]
    fn dates_keep_presets_and_custom_ranges_with_both_ends_included() {
        let now = crate::library::now_ms();
        let mut jobs = vec![job(1, JobKind::Imagine, JobState::Succeeded, "old")];
        jobs.push(job(2, JobKind::Imagine, JobState::Succeeded, "new"));
        jobs[1].created_at = now;
        for made in Made::PRESETS {
            let filter = GalleryFilter {
                made: Some(made),
                ..GalleryFilter::default()
            };
            assert_eq!(kept(&jobs, &filter, anywhere(now)), [2], "{made:?}");
        }
        let today = Made::today_range(now);
        let filter = GalleryFilter {
            made: Some(today),
            ..GalleryFilter::default()
        };
        assert_eq!(
            kept(&jobs, &filter, anywhere(now)),
            [2],
            "today, from and to"
        );
        let epoch = Date::new(1970, 1, 1).unwrap();
        let filter = GalleryFilter {
            // Ends given the wrong way round still make a range.
            made: Some(Made::Between {
                from: epoch.tomorrow().unwrap(),
                to: epoch,
            }),
            ..GalleryFilter::default()
        };
        assert_eq!(
            kept(&jobs, &filter, anywhere(now)),
            [1],
            "the first two days of 1970"
        );
    }

    #[test]
    fn each_active_part_is_a_chip_that_removes_only_itself_and_names_a_saved_search() {
        let mut filter = GalleryFilter {
            text: " fox ".into(),
            min_rating: 5,
            aspect: AspectFilter::Orientation(Orientation::Landscape),
            made: Some(Made::Month),
            uses: BTreeSet::from([PromptParam::StyleReference]),
            ..GalleryFilter::default()
        };
        assert_eq!(
            filter.summary(),
            "“fox”, Landscape, --sref, 5 stars, Last 30 days"
        );
        filter.clear(Part::Text);
        filter.clear(Part::Uses(PromptParam::StyleReference));
        assert_eq!(filter.summary(), "Landscape, 5 stars, Last 30 days");
        for (part, _) in filter.chips() {
            filter.clear(part);
        }
        assert_eq!(filter, GalleryFilter::default());
        assert_eq!(filter.summary(), "Everything");

        // Remembered between runs: every part survives the trip through storage.
        let full = GalleryFilter {
            kind: Some(JobKind::Blend),
            mode: Some(Mode::Turbo),
            aspect: AspectFilter::Exact(3, 2),
            version: Some("--v 7".into()),
            made: Some(Made::today_range(0)),
            on_board: Some(false),
            flag: FlagFilter::NotRejected,
            state: StateFilter::Failed,
            ..GalleryFilter::default()
        };
        let json = serde_json::to_string(&full).unwrap();
        assert_eq!(serde_json::from_str::<GalleryFilter>(&json).unwrap(), full);
        assert_eq!(
            serde_json::from_str::<GalleryFilter>("{}").unwrap(),
            GalleryFilter::default(),
            "an older window's remembered filter reads with defaults"
        );
    }
}
