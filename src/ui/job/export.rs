//! The Export dialog: the original images of the picked jobs (or of the open job), with the prompt, seed,
//! TTAPI job id and lineage written into them, named by a template, into a folder or one zip file. The
//! writing is the engine's (`Command::ExportJobs`, `library::export`); this module asks and reports.

use std::path::PathBuf;

use crate::domain::export_name::{DEFAULT_TEMPLATE, PLACEHOLDERS, check_template};
use crate::engine::{Command, EngineError, NewSubmission};
use crate::library::{
    ExportImages, ExportOptions, ExportReport, ExportTarget, JobKind, JobRecord, JobState,
};
use crate::ui::runtime::pending::{Pending, take_ready};
use crate::ui::runtime::services::Services;
use crate::ui::runtime::toasts::ToastKind;

/// The choices kept between exports and between runs (eframe's storage).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ExportPrefs {
    pub template: String,
    pub all_images: bool,
    /// The folder last exported to; `None` until the user picks one.
    pub folder: Option<PathBuf>,
}

impl Default for ExportPrefs {
    fn default() -> ExportPrefs {
        ExportPrefs {
            template: DEFAULT_TEMPLATE.to_owned(),
            all_images: false,
            folder: None,
        }
    }
}

#[derive(Default)]
pub struct ExportState {
    pub prefs: ExportPrefs,
    /// Where exports go until the user picks a folder (`Launch::export_folder`).
    default_folder: PathBuf,
    /// The jobs the open dialog exports.
    dialog: Option<Vec<i64>>,
    running: Option<Pending<Result<ExportReport, EngineError>>>,
    /// Jobs whose seed Get seeds asked for, so it is asked once.
    seeds_asked: std::collections::HashSet<i64>,
}

impl ExportState {
    pub fn is_open(&self) -> bool {
        self.dialog.is_some()
    }

    pub fn new(default_folder: PathBuf) -> ExportState {
        ExportState {
            default_folder,
            ..ExportState::default()
        }
    }

    fn folder(&self) -> PathBuf {
        self.prefs
            .folder
            .clone()
            .unwrap_or_else(|| self.default_folder.clone())
    }
}

/// Opens the dialog for `jobs` (in the order given).
pub fn open(export: &mut ExportState, jobs: Vec<i64>) {
    if !jobs.is_empty() {
        export.dialog = Some(jobs);
    }
}

/// The folder the user chose with Choose….
pub fn folder_chosen(export: &mut ExportState, folder: PathBuf) {
    export.prefs.folder = Some(folder);
}

pub fn show(export: &mut ExportState, services: &mut Services, ctx: &egui::Context) {
    receive(export, services);
    let Some(jobs) = export.dialog.clone() else {
        return;
    };
    let records: Vec<JobRecord> = jobs
        .iter()
        .filter_map(|id| services.jobs.get(*id))
        .cloned()
        .collect();
    let title = match records.len() {
        1 => "Export 1 job".to_owned(),
        n => format!("Export {n} jobs"),
    };
    let mut action: Option<Action> = None;
    let open = crate::ui::kit::dialog(ctx, &title, 560.0, false, |ui| {
        action = contents(export, services, ui, &records);
    });
    match action {
        Some(Action::ExportToFolder) => start(export, services, jobs, false),
        Some(Action::ExportAsZip) => start(export, services, jobs, true),
        Some(Action::Cancel) => export.dialog = None,
        None if !open => export.dialog = None,
        None => {}
    }
}

enum Action {
    ExportToFolder,
    ExportAsZip,
    Cancel,
}

fn contents(
    export: &mut ExportState,
    services: &mut Services,
    ui: &mut egui::Ui,
    records: &[JobRecord],
) -> Option<Action> {
    let folder = export.folder();
    let mut choose_folder = false;
    let prefs = &mut export.prefs;
    egui::Grid::new("export-choices")
        .num_columns(2)
        .spacing([12.0, 8.0])
        .show(ui, |ui| {
            ui.label("Images");
            ui.horizontal(|ui| {
                ui.radio_value(&mut prefs.all_images, false, "Main image")
                    .on_hover_text("The grid of a grid job, the image of an upscale");
                ui.radio_value(&mut prefs.all_images, true, "Main and split images")
                    .on_hover_text("Also a grid's four images");
            });
            ui.end_row();

            let names = ui.label("File names");
            ui.vertical(|ui| file_names(ui, &mut prefs.template, names.id, records));
            ui.end_row();

            ui.label("Folder");
            ui.horizontal(|ui| {
                ui.label(egui::RichText::new(folder.display().to_string()).monospace())
                    .on_hover_text(
                        "Files of the same name already there are kept; the new ones get -2, -3…",
                    );
                choose_folder = ui.button("Choose…").clicked();
            });
            ui.end_row();
        });
    if choose_folder {
        services.chores.choose_export_folder(folder);
    }
    ui.add_space(4.0);
    ui.weak(
        "Each PNG carries the prompt, seed, TTAPI job id and the jobs it came from in its text chunks; \
         other formats get a .json file beside them.",
    );
    missing_seeds(export, services, ui, records);
    ui.separator();
    let usable = check_template(&export.prefs.template).is_ok() && !records.is_empty();
    buttons(ui, export.running.is_some(), usable)
}

/// The file name template, an example name made with it, and its placeholders to click in.
fn file_names(ui: &mut egui::Ui, template: &mut String, label: egui::Id, records: &[JobRecord]) {
    ui.horizontal(|ui| {
        ui.add(
            egui::TextEdit::singleline(template)
                .desired_width(360.0)
                .hint_text(DEFAULT_TEMPLATE),
        )
        .labelled_by(label);
        if ui
            .add_enabled(template != DEFAULT_TEMPLATE, egui::Button::new("Reset"))
            .clicked()
        {
            *template = DEFAULT_TEMPLATE.to_owned();
        }
    });
    // The first job that has images to export shows what the names will look like.
    let example = records
        .iter()
        .find(|job| {
            job.state == JobState::Succeeded
                && !matches!(job.kind, JobKind::Seed | JobKind::Describe)
        })
        .or(records.first());
    match example_name(template, example) {
        Ok(example) => {
            ui.weak(format!("e.g. {example}"));
        }
        Err(problem) => {
            ui.colored_label(ui.visuals().error_fg_color, problem);
        }
    }
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 6.0;
        for (name, meaning) in PLACEHOLDERS {
            let placeholder = format!("{{{name}}}");
            if ui
                .small_button(&placeholder)
                .on_hover_text(format!("{meaning} (click to add)"))
                .clicked()
            {
                template.push_str(&placeholder);
            }
        }
    });
}

/// Jobs without a seed yet, and Get seeds (a seed job each) to fill them in before exporting.
fn missing_seeds(
    export: &mut ExportState,
    services: &mut Services,
    ui: &mut egui::Ui,
    records: &[JobRecord],
) {
    let unseeded: Vec<i64> = records
        .iter()
        .filter(|job| needs_seed(job))
        .map(|job| job.id)
        .collect();
    // A seed asked for and refused may be asked for again (its failure had its own toast).
    let jobs = &services.jobs;
    export.seeds_asked.retain(|id| {
        let seeds: Vec<&JobRecord> = jobs
            .children(*id)
            .into_iter()
            .filter(|child| child.kind == JobKind::Seed)
            .collect();
        let failed = seeds
            .iter()
            .any(|s| s.state.is_final() && s.state != JobState::Succeeded);
        let running = seeds.iter().any(|s| !s.state.is_final());
        running || !failed
    });
    if unseeded.is_empty() {
        return;
    }
    ui.horizontal(|ui| {
        ui.label(match unseeded.len() {
            1 => "1 job has no seed yet.".to_owned(),
            n => format!("{n} jobs have no seed yet."),
        });
        let asked = &mut export.seeds_asked;
        if unseeded.iter().all(|id| asked.contains(id)) {
            ui.spinner();
            ui.weak("asking TTAPI…");
        } else if ui
            .button("Get seeds")
            .on_hover_text("Ask TTAPI for them; export once they have arrived")
            .clicked()
        {
            let new: Vec<i64> = unseeded
                .into_iter()
                .filter(|id| asked.insert(*id))
                .collect();
            for parent in new {
                services.submit(NewSubmission::Seed { parent });
            }
        }
    });
}

/// Export to folder, Export as zip, Cancel; a spinner while an export runs.
fn buttons(ui: &mut egui::Ui, exporting: bool, usable: bool) -> Option<Action> {
    let mut action = None;
    ui.horizontal(|ui| {
        if exporting {
            ui.spinner();
            ui.label("Exporting…");
            return;
        }
        if ui
            .add_enabled(usable, egui::Button::new("Export to folder"))
            .clicked()
        {
            action = Some(Action::ExportToFolder);
        }
        if ui
            .add_enabled(usable, egui::Button::new("Export as zip"))
            .on_hover_text("One .zip file in the folder")
            .clicked()
        {
            action = Some(Action::ExportAsZip);
        }
        if ui.button("Cancel").clicked() {
            action = Some(Action::Cancel);
        }
    });
    action
}

/// A finished job without a seed that TTAPI can give one for.
fn needs_seed(job: &JobRecord) -> bool {
    crate::library::seed_of(job).is_none()
        && job.state == JobState::Succeeded
        && !matches!(job.kind, JobKind::Seed | JobKind::Describe)
}

/// The name the first job's first image would get (the extension as most results have it).
fn example_name(template: &str, job: Option<&JobRecord>) -> Result<String, String> {
    let Some(job) = job else {
        return check_template(template)
            .map(|()| String::new())
            .map_err(|e| e.to_string());
    };
    let image = match crate::domain::Action::parse(&job.action).output() {
        Some(crate::domain::OutputShape::Single) => "upscale",
        _ => "grid",
    };
    crate::library::file_stem_for(template, job, image)
        .map(|stem| format!("{stem}.png"))
        .map_err(|e| e.to_string())
}

fn start(export: &mut ExportState, services: &mut Services, jobs: Vec<i64>, zip: bool) {
    let folder = export.folder();
    let target = if zip {
        let today = time::OffsetDateTime::now_utc().date();
        ExportTarget::Zip(folder.join(format!("moodgrid-export-{today}.zip")))
    } else {
        ExportTarget::Folder(folder)
    };
    let options = ExportOptions {
        template: export.prefs.template.clone(),
        images: if export.prefs.all_images {
            ExportImages::All
        } else {
            ExportImages::Main
        },
    };
    let (reply, answer) = Pending::channel();
    if services.send(Command::ExportJobs {
        job_ids: jobs,
        options,
        target,
        reply,
    }) {
        export.running = Some(answer);
    } else {
        services.toasts.push(
            ToastKind::Error,
            "The engine is busy or restarting; nothing was exported. Try again in a moment.",
            None,
        );
    }
}

fn receive(export: &mut ExportState, services: &mut Services) {
    let Some(outcome) = take_ready(&mut export.running) else {
        return;
    };
    match outcome {
        Some(Ok(report)) => {
            let kind = if report.files.is_empty() {
                ToastKind::Error
            } else {
                export.dialog = None;
                ToastKind::Info
            };
            services
                .toasts
                .push(kind, capitalised(&report.summary()), None);
        }
        Some(Err(e)) => {
            services
                .toasts
                .push(ToastKind::Error, format!("Could not export: {e}"), None)
        }
        None => services.toasts.push(
            ToastKind::Error,
            "The engine restarted before the export finished; try again.",
            None,
        ),
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
