//! The window's state and its frame: drains the engine's events, lays out the panels (prompt bar, feed,
//! job view or gallery, settings) and turns what the user did into engine commands. The panels themselves
//! live in their own modules and draw from this state.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError};

use egui::{Key, KeyboardShortcut, Modifiers};

use super::blend::BlendPanel;
use super::board::BoardsState;
use super::chores::{ChoreResult, Chores};
use super::describe::DescribePanel;
use super::gallery::GalleryState;
use super::job_list::JobList;
use super::job_view::JobViewState;
use super::mask_editor::MaskEditor;
use super::pending::{Pending, Poll};
use super::prompt_bar::PromptBar;
use super::settings::SettingsPanel;
use super::sources::{SourceInput, SourceTarget, add_sources, source_loaded};
use super::textures::{DEFAULT_BUDGET_BYTES, TextureCache};
use super::toasts::{ToastKind, Toasts};
use super::{Launch, fonts};
use crate::domain::Action;
use crate::domain::failure::explain_failure;
use crate::domain::prompt::first_line;
use crate::engine::{
    Backend, Command, EngineConfig, EngineError, EngineHandle, Event, NewSubmission, Waker,
};
use crate::library::{JobRecord, JobState};
use crate::settings::Settings;

/// Every job is kept in memory for the gallery (10,000 jobs take a few megabytes).
const JOBS_LIMIT: usize = 1_000_000;
pub const SETTINGS_SHORTCUT: KeyboardShortcut =
    KeyboardShortcut::new(Modifiers::COMMAND, Key::Comma);
pub const EXPORT_SHORTCUT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::E);

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum View {
    Job,
    Gallery,
    Blend,
    Describe,
    Mask,
    Board,
}

/// The open view and job, kept between runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Remembered {
    pub view: View,
    pub selected: Option<i64>,
}

pub struct MoodgridApp {
    engine: Option<EngineHandle>,
    /// A restarted engine, coming up on a helper thread (the old one is shut down there first).
    starting: Option<Receiver<Restarted>>,
    config: EngineConfig,
    waker: Waker,
    pub(super) textures: TextureCache,
    pub(super) chores: Chores,
    pub(super) jobs: JobList,
    pub(super) selected: Option<i64>,
    pub(super) view: View,
    pub(super) prompt_bar: PromptBar,
    pub(super) settings: Settings,
    pub(super) settings_panel: SettingsPanel,
    /// Help → Keyboard shortcuts (F1).
    pub(super) shortcuts_open: bool,
    pub(super) gallery: GalleryState,
    pub(super) job_view: JobViewState,
    pub(super) blend: BlendPanel,
    pub(super) describe: DescribePanel,
    pub(super) mask_editor: Option<MaskEditor>,
    pub(super) boards: BoardsState,
    pub export: super::export::ExportState,
    next_slot: u64,
    /// Why the app runs on the simulator, when it does.
    pub(super) offline: Option<String>,
    /// What jobs of this session are labelled with: the host, or `simulator`.
    pub(super) backend: String,
    pub(super) ready: bool,
    /// A problem that stays until it is solved (the engine could not start…).
    pub(super) trouble: Option<String>,
    /// Submitted, not yet written by the engine; `true` opens the new job once it exists.
    submissions: Vec<(Pending<Result<JobRecord, EngineError>>, bool)>,
    pub(super) toasts: Toasts,
    /// Drops a press that repeats the one just made (double click, key repeat).
    submit_guard: super::submit_guard::SubmitGuard,
    /// Jobs whose submission cannot reach the service: why, and until when (Unix ms) the engine keeps trying.
    pub(super) waiting: std::collections::HashMap<i64, (String, i64)>,
    title: String,
}

impl MoodgridApp {
    pub fn new(ctx: &egui::Context, launch: Launch) -> std::io::Result<MoodgridApp> {
        let repaint = ctx.clone();
        // Not zero: egui answers an immediate request with two frames. Events that arrive while a frame is
        // drawn are all taken by the next one.
        let waker: Waker =
            Arc::new(move || repaint.request_repaint_after(std::time::Duration::from_millis(1)));
        let wake = waker.clone();
        let textures = TextureCache::new(DEFAULT_BUDGET_BYTES, move || wake())?;
        let engine = EngineHandle::start(launch.engine.clone(), waker.clone())?;
        let chores = Chores::new(waker.clone());
        chores.load_cjk_font();
        let default_mode = launch.settings.default_mode;
        let mut toasts = Toasts::default();
        if let Some(problem) = launch.settings_problem {
            toasts.push(ToastKind::Error, problem, None);
        }
        Ok(MoodgridApp {
            engine: Some(engine),
            starting: None,
            config: launch.engine,
            waker,
            textures,
            chores,
            jobs: JobList::default(),
            selected: None,
            view: View::Job,
            prompt_bar: PromptBar::new(launch.settings.default_mode),
            settings_panel: SettingsPanel::new(&launch.settings),
            shortcuts_open: false,
            settings: launch.settings,
            gallery: GalleryState::default(),
            job_view: JobViewState::default(),
            blend: BlendPanel {
                mode: default_mode,
                ..BlendPanel::default()
            },
            describe: DescribePanel::default(),
            mask_editor: None,
            boards: BoardsState::default(),
            export: super::export::ExportState::new(launch.export_folder),
            next_slot: 0,
            offline: None,
            backend: String::new(),
            ready: false,
            trouble: None,
            submissions: Vec::new(),
            toasts,
            waiting: std::collections::HashMap::new(),
            submit_guard: Default::default(),
            title: String::new(),
        })
    }

    /// One frame: take in what the engine and the chores said, then draw.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.receive_engine();
        self.drain_events();
        self.drain_chores(&ctx);
        self.textures.begin_frame(&ctx);
        self.update_title(&ctx);
        self.handle_keys(&ctx);
        self.take_dropped_and_pasted(&ctx);
        egui::Panel::top("prompt_bar").show(ui, |ui| super::prompt_bar::show(self, ui));
        egui::Panel::left("feed")
            .default_size(320.0)
            .min_size(260.0)
            .resizable(true)
            .show(ui, |ui| super::feed::show(self, ui));
        egui::CentralPanel::default().show(ui, |ui| match self.view {
            View::Job => super::job_view::show(self, ui),
            View::Gallery => super::gallery::show(self, ui),
            View::Blend => super::blend::show(self, ui),
            View::Describe => super::describe::show(self, ui),
            View::Mask => super::mask_editor::show(self, ui),
            View::Board => super::board::show(self, ui),
        });
        self.drop_hint(&ctx);
        super::board::show_drag_preview(&ctx);
        super::settings::show(self, &ctx);
        super::shortcuts::show(self, &ctx);
        super::export::show(self, &ctx);
        if let Some(job) = self.toasts.show(&ctx) {
            self.open_job(job);
        }
        self.request_images();
        if self.jobs.running() > 0 || !self.submissions.is_empty() {
            // Progress moves on its own; keep drawing while anything runs.
            ctx.request_repaint_after(std::time::Duration::from_millis(250));
        }
    }

    /// What Export… acts on: the gallery's picks when there are any, else the selected job.
    pub(super) fn export_selection(&self) -> Vec<i64> {
        if self.view == View::Gallery && !self.gallery.marked.is_empty() {
            self.gallery.marked.iter().rev().copied().collect()
        } else {
            self.selected.into_iter().collect()
        }
    }

    /// What the window reopens with next time (eframe keeps it beside the window's size and position).
    pub fn remembered(&self) -> Remembered {
        Remembered {
            view: self.view,
            selected: self.selected,
        }
    }

    /// Reopens what was open when the window last closed. The mask editor's work is not kept, so it reopens
    /// on its job instead.
    pub fn restore(&mut self, remembered: Remembered) {
        self.view = match remembered.view {
            View::Mask => View::Job,
            view => view,
        };
        self.selected = remembered.selected;
    }

    /// Whether this frame draws the library's jobs (the feed is filled).
    pub(super) fn shows_library(&self) -> bool {
        self.ready && !self.jobs.is_empty()
    }

    /// Sends a command without ever blocking. `false` when the engine could not take it.
    pub(super) fn send(&mut self, command: Command) -> bool {
        let Some(engine) = &self.engine else {
            return false;
        };
        match engine.try_send(command) {
            Ok(()) => true,
            Err(EngineError::Busy) => false,
            Err(e) => {
                self.trouble = Some(format!("The engine is not answering: {e}"));
                false
            }
        }
    }

    pub(super) fn submit(&mut self, submission: NewSubmission) {
        if !self
            .submit_guard
            .admit(&submission, std::time::Instant::now())
        {
            // The same press again (double click, key repeat): the first one is on its way.
            return;
        }
        // Asking for a seed keeps the user on the job the seed is for; a describe's answer shows in its panel.
        let open = !matches!(
            submission,
            NewSubmission::Seed { .. } | NewSubmission::Describe { .. }
        );
        let (reply, answer) = Pending::channel();
        if self.send(Command::Submit { submission, reply }) {
            self.submissions.push((answer, open));
        } else {
            self.toasts.push(
                ToastKind::Error,
                "The engine is busy or restarting; nothing was sent. Try again in a moment.",
                None,
            );
        }
    }

    /// Presses a component button of a job. An upscale that is running or done for this parent opens that
    /// job instead: the same upscale again is a second charge for the same picture (its view offers Run
    /// again for when that is wanted).
    pub(super) fn press(&mut self, job_id: i64, action: String) {
        if crate::domain::Action::parse(&action).is_upscale()
            && let Some(existing) = self
                .jobs
                .children(job_id)
                .into_iter()
                .filter(|child| child.action == action && !ended_without_result(child.state))
                .map(|child| child.id)
                .max()
        {
            self.open_job(existing);
            self.toasts.push(
                ToastKind::Info,
                format!(
                    "{} of this image already exists, so it was opened; Run again there makes another",
                    crate::domain::Action::parse(&action).label()
                ),
                Some(existing),
            );
            return;
        }
        self.run_action(job_id, action);
    }

    /// Looks for an unconfirmed job in the account's job list once more (adopted if found).
    pub(super) fn look_again(&mut self, job_id: i64) {
        let (reply, answer) = Pending::channel();
        if self.send(Command::LookAgain { job_id, reply }) {
            self.submissions.push((answer, false));
        }
    }

    /// Sends a component action, whether or not it was run before (Run again).
    pub(super) fn run_action(&mut self, job_id: i64, action: String) {
        self.submit(NewSubmission::Action {
            parent: job_id,
            action,
            timeout: None,
        });
    }

    pub(super) fn next_slot_id(&mut self) -> u64 {
        self.next_slot += 1;
        self.next_slot
    }

    /// Files dropped on the window and images pasted (Ctrl+V outside a text field) go to the Describe
    /// panel or the board when one is open (on the board, where the pointer is), else to Blend.
    fn take_dropped_and_pasted(&mut self, ctx: &egui::Context) {
        let target = match self.view {
            View::Describe => SourceTarget::Describe,
            View::Board => SourceTarget::Board,
            _ => SourceTarget::Blend,
        };
        let mut inputs: Vec<SourceInput> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|file| SourceInput::File(file.path().to_owned()))
                .collect()
        });
        if !ctx.egui_wants_keyboard_input() {
            inputs.extend(ctx.input(|i| {
                i.events
                    .iter()
                    .filter_map(|event| match event {
                        egui::Event::PasteImage(image) => Some(SourceInput::Pixels {
                            name: "pasted image".into(),
                            image: image.clone(),
                        }),
                        _ => None,
                    })
                    .collect::<Vec<_>>()
            }));
        }
        if target == SourceTarget::Describe {
            // One image is described at a time: the last one dropped or pasted.
            inputs.drain(..inputs.len().saturating_sub(1));
        }
        if inputs.is_empty() {
            return;
        }
        if target == SourceTarget::Board {
            let pointer = ctx.input(|i| i.pointer.hover_pos());
            super::board::add_inputs(self, inputs, pointer);
        } else {
            add_sources(self, target, inputs);
        }
    }

    /// While files are dragged over the window, say where they will go.
    fn drop_hint(&self, ctx: &egui::Context) {
        if ctx.input(|i| i.raw.hovered_files.is_empty()) {
            return;
        }
        let text = match self.view {
            View::Describe => "Drop to describe",
            View::Board => "Drop to add to the board",
            _ => "Drop to blend",
        };
        let painter = ctx.layer_painter(egui::LayerId::new(
            egui::Order::Foreground,
            egui::Id::unique("drop_hint"),
        ));
        let rect = ctx.content_rect();
        painter.rect_filled(rect, 0.0, egui::Color32::from_black_alpha(160));
        painter.text(
            rect.center(),
            egui::Align2::CENTER_CENTER,
            text,
            egui::FontId::proportional(28.0),
            egui::Color32::WHITE,
        );
    }

    /// Uploaded textures and their bytes right now (benchmarks watch memory with it).
    pub fn texture_stats(&self) -> (usize, usize) {
        (self.textures.resident(), self.textures.used_bytes())
    }

    pub(super) fn data_dir(&self) -> &std::path::Path {
        &self.config.data_dir
    }

    pub(super) fn open_job(&mut self, job_id: i64) {
        self.selected = Some(job_id);
        self.view = View::Job;
    }

    /// Starts a new engine with `backend` (after the key or the host changed). The old engine is shut
    /// down first, on a helper thread, so no job ever has two drivers and the UI never waits.
    /// Stops the engine and starts one on `backend`, off the UI thread. `saving` is written to disk between
    /// the two: a save sent to the stopping engine could be cut short by its shutdown.
    pub(super) fn restart_engine(&mut self, backend: Backend, saving: Option<Settings>) {
        let old = self.engine.take();
        let config = EngineConfig {
            backend,
            ..self.config.clone()
        };
        self.config = config.clone();
        let waker = self.waker.clone();
        let (done, starting) = std::sync::mpsc::sync_channel(1);
        let spawned = std::thread::Builder::new()
            .name("moodgrid-restart".into())
            .spawn(move || {
                drop(old);
                let saved = match saving {
                    Some(settings) => settings.save(&config.data_dir),
                    None => Ok(()),
                };
                let engine = EngineHandle::start(config, waker.clone());
                let _ = done.send(Restarted { engine, saved });
                waker();
            });
        match spawned {
            Ok(_) => self.starting = Some(starting),
            Err(e) => self.trouble = Some(format!("could not restart the engine: {e}")),
        }
        self.ready = false;
        self.submissions.clear();
    }

    fn receive_engine(&mut self) {
        let Some(starting) = &self.starting else {
            return;
        };
        match starting.try_recv() {
            Ok(Restarted { engine, saved }) => {
                self.starting = None;
                if let Err(e) = saved {
                    self.toasts.push(ToastKind::Error, e.to_string(), None);
                }
                match engine {
                    Ok(engine) => self.engine = Some(engine),
                    Err(e) => self.trouble = Some(format!("could not restart the engine: {e}")),
                }
            }
            Err(TryRecvError::Empty) => {}
            Err(TryRecvError::Disconnected) => self.starting = None,
        }
    }

    fn drain_events(&mut self) {
        while let Some(event) = self.engine.as_mut().and_then(EngineHandle::try_recv) {
            match event {
                Event::Ready { backend, offline } => {
                    self.ready = true;
                    self.trouble = None;
                    self.offline = offline;
                    self.backend = backend;
                    self.send(Command::LoadJobs { limit: JOBS_LIMIT });
                    // Every unfinished job continues; the list of them is not needed here.
                    let (reply, _) = Pending::channel();
                    self.send(Command::ResumeAll { reply });
                    self.settings_panel.engine_ready(self.offline.is_none());
                }
                Event::Fatal(message) => {
                    self.trouble = Some(format!("Moodgrid could not start: {message}"))
                }
                Event::JobChanged(job) => self.job_changed(*job),
                Event::Stalled {
                    message, job_id, ..
                } => self.toasts.push(ToastKind::Error, message, Some(job_id)),
                Event::Waiting {
                    job_id,
                    reason,
                    until_ms,
                } => {
                    self.waiting.insert(job_id, (reason, until_ms));
                }
                // Only engines started with `stop_on_interrupt` (the CLI's) send it.
                Event::Interrupted => {}
                Event::Notice(message) => self.toasts.push(ToastKind::Info, message, None),
                Event::Jobs(jobs) => self.jobs.replace_all(jobs),
                Event::ImageSaved { job_id, files } => self.jobs.set_images(job_id, files),
                Event::Images(answers) => {
                    for (job_id, files) in answers {
                        self.jobs.set_images(job_id, files);
                    }
                }
            }
        }
        let mut opened = None;
        let mut refused = Vec::new();
        self.submissions
            .retain_mut(|(answer, open)| match answer.poll() {
                Poll::Waiting => true,
                Poll::Ready(Ok(job)) => {
                    if *open {
                        opened = Some(job.id);
                    }
                    false
                }
                Poll::Ready(Err(e)) => {
                    refused.push(e.to_string());
                    false
                }
                Poll::Lost => false,
            });
        if let Some(job_id) = opened {
            self.open_job(job_id);
        }
        for message in refused {
            self.toasts.push(ToastKind::Error, message, None);
        }
    }

    fn job_changed(&mut self, job: JobRecord) {
        let (id, state) = (job.id, job.state);
        if state != JobState::Queued {
            self.waiting.remove(&id);
        }
        let text = notice_text(&job);
        let previous = self.jobs.upsert(job);
        if previous.is_some_and(|p| !p.is_final()) && state.is_final() {
            let kind = if state == JobState::Succeeded {
                ToastKind::Success
            } else {
                ToastKind::Error
            };
            self.toasts.push(kind, text, Some(id));
        }
    }

    /// One engine command per frame for all the images the views asked for.
    fn request_images(&mut self) {
        let wanted = self.jobs.take_wanted();
        if !wanted.is_empty()
            && !self.send(Command::LoadImages {
                job_ids: wanted.clone(),
            })
        {
            self.jobs.unask(&wanted);
        }
    }

    fn drain_chores(&mut self, ctx: &egui::Context) {
        while let Some(result) = self.chores.try_recv() {
            match result {
                ChoreResult::Done(text) => self.toasts.push(ToastKind::Info, text, None),
                ChoreResult::Failed(text) => self.toasts.push(ToastKind::Error, text, None),
                ChoreResult::CopyImage(image) => {
                    ctx.copy_image(image);
                    self.toasts
                        .push(ToastKind::Info, "Image copied to the clipboard", None);
                }
                ChoreResult::Font { path, bytes } => {
                    tracing::debug!("CJK fallback font: {}", path.display());
                    fonts::install(ctx, bytes);
                }
                ChoreResult::Picked { target, paths } => add_sources(
                    self,
                    target,
                    paths.into_iter().map(SourceInput::File).collect(),
                ),
                ChoreResult::Source {
                    target,
                    slot,
                    result,
                } => source_loaded(self, ctx, target, slot, result),
                ChoreResult::MaskEncoded {
                    parent,
                    png,
                    prompt,
                    ops,
                } => self.submit(NewSubmission::Inpaint {
                    parent,
                    mask: crate::engine::SourceImage {
                        name: "mask.png".into(),
                        bytes: png,
                    },
                    prompt,
                    strokes: Some(ops),
                }),
                ChoreResult::MaskImported { luma } => {
                    if let Some(editor) = &mut self.mask_editor {
                        editor.import(&luma);
                    }
                }
                ChoreResult::BoardFile { bytes } => super::board::import(self, bytes),
                ChoreResult::ExportFolder(folder) => super::export::folder_chosen(self, folder),
                ChoreResult::PastedPng { name, png, at } => super::board::store(
                    self,
                    vec![crate::engine::ImageInput::Bytes { name, bytes: png }],
                    at,
                ),
                ChoreResult::Nothing => {}
            }
        }
    }

    fn update_title(&mut self, ctx: &egui::Context) {
        let running = self.jobs.running();
        let title = if running == 0 {
            "Moodgrid".to_owned()
        } else {
            format!("Moodgrid — {running} running")
        };
        if title != self.title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
    }

    /// Window-wide keys. Keys 1–4 press U1–U4 on the selected grid and arrows step through the gallery,
    /// but only when no text field has the keyboard.
    fn handle_keys(&mut self, ctx: &egui::Context) {
        if ctx.input_mut(|i| i.consume_shortcut(&SETTINGS_SHORTCUT)) {
            self.settings_panel.open = !self.settings_panel.open;
        }
        if ctx.input_mut(|i| i.consume_key(Modifiers::NONE, super::shortcuts::SHORTCUTS_KEY)) {
            self.shortcuts_open = !self.shortcuts_open;
        }
        if ctx.egui_wants_keyboard_input() {
            return;
        }
        if ctx.input_mut(|i| i.consume_shortcut(&EXPORT_SHORTCUT)) {
            let jobs = self.export_selection();
            super::export::open(self, jobs);
        }
        if let Some(job) = self.selected.and_then(|id| self.jobs.get(id)).cloned() {
            for (n, key) in [
                (1, Key::Num1),
                (2, Key::Num2),
                (3, Key::Num3),
                (4, Key::Num4),
            ] {
                let action = Action::Upsample(n).wire_name();
                if ctx.input(|i| i.key_pressed(key))
                    && job.state == JobState::Succeeded
                    && job.components.contains(&action)
                {
                    self.press(job.id, action);
                }
            }
        }
        match self.view {
            View::Gallery => super::gallery::handle_keys(self, ctx),
            View::Job => {
                // Esc closes what is on top first: a dialog or a menu, not the job view under it.
                if ctx.input(|i| i.key_pressed(Key::Escape))
                    && !self.settings_panel.open
                    && !self.shortcuts_open
                    && !self.export.is_open()
                    && !egui::Popup::is_any_open(ctx)
                {
                    self.view = View::Gallery;
                }
            }
            View::Blend | View::Describe | View::Mask | View::Board => {}
        }
    }
}

/// The toast for a job that has just finished.
fn notice_text(job: &JobRecord) -> String {
    let title = first_line(&super::job_title(job), 48);
    let what = if job.kind == crate::library::JobKind::Describe || title == job.action {
        title
    } else {
        format!("{} · {title}", job.action)
    };
    match job.state {
        JobState::Succeeded => format!("Done: {what}"),
        _ => {
            let message = job.message.as_deref().unwrap_or("no reason given");
            match explain_failure(message) {
                Some(plain) => format!("Failed: {what}\n{plain}"),
                None => format!("Failed: {what}\n{message}"),
            }
        }
    }
}

/// A job that ended without a picture: pressing its button again is a fresh attempt, not a duplicate.
fn ended_without_result(state: JobState) -> bool {
    matches!(
        state,
        JobState::Failed | JobState::Rejected | JobState::Abandoned | JobState::Unconfirmed
    )
}

/// What the restart thread hands back: the new engine, and whether the settings it was given reached disk.
struct Restarted {
    engine: std::io::Result<EngineHandle>,
    saved: Result<(), crate::settings::SettingsError>,
}
