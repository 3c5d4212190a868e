//! The window's state and drawing: prompt bar, live feed, job view with the job's buttons.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use egui::{Align, Color32, Key, Layout, Modifiers, RichText, ScrollArea};
use tokio::sync::oneshot;

use super::textures::{DEFAULT_BUDGET_BYTES, TextureCache};
use crate::domain::buttons::button_rows;
use crate::domain::{Action, Mode};
use crate::engine::{Command, EngineError, EngineHandle, Event, NewSubmission};
use crate::library::{ImageFile, ImageRole, JobRecord, JobState};

const FEED_ROW_HEIGHT: f32 = 64.0;
const FEED_THUMB: f32 = 56.0;
/// The feed shows this many of the newest jobs (the virtualized gallery comes with its own view).
const FEED_LIMIT: usize = 500;

pub struct MoodgridApp {
    engine: EngineHandle,
    textures: TextureCache,
    /// Newest first.
    jobs: Vec<JobRecord>,
    images: HashMap<i64, Vec<ImageFile>>,
    images_asked: HashSet<i64>,
    selected: Option<i64>,
    prompt: String,
    mode: Mode,
    /// Why the app runs on the simulator, when it does.
    offline: Option<String>,
    ready: bool,
    /// The last thing the user should read: an error or a finished job.
    status: Option<String>,
    submissions: Vec<oneshot::Receiver<Result<JobRecord, EngineError>>>,
    title: String,
}

impl MoodgridApp {
    pub fn new(ctx: &egui::Context, engine: EngineHandle) -> std::io::Result<MoodgridApp> {
        let repaint = ctx.clone();
        let textures = TextureCache::new(DEFAULT_BUDGET_BYTES, move || repaint.request_repaint())?;
        Ok(MoodgridApp {
            engine,
            textures,
            jobs: Vec::new(),
            images: HashMap::new(),
            images_asked: HashSet::new(),
            selected: None,
            prompt: String::new(),
            mode: Mode::Fast,
            offline: None,
            ready: false,
            status: None,
            submissions: Vec::new(),
            title: String::new(),
        })
    }

    /// One frame: take in what the engine said, then draw.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.drain_events();
        self.textures.begin_frame(&ctx);
        self.update_title(&ctx);
        self.handle_keys(&ctx);
        egui::Panel::top("prompt_bar").show(ui, |ui| self.prompt_bar(ui));
        egui::Panel::left("feed")
            .default_size(320.0)
            .min_size(260.0)
            .resizable(true)
            .show(ui, |ui| self.feed(ui));
        egui::CentralPanel::default().show(ui, |ui| self.job_view(ui));
        if self.jobs.iter().any(|j| !j.state.is_final()) || !self.submissions.is_empty() {
            // Progress moves on its own; keep drawing while anything runs.
            ctx.request_repaint_after(std::time::Duration::from_millis(250));
        }
    }

    fn send(&mut self, command: Command) {
        if let Err(e) = self.engine.try_send(command) {
            self.status = Some(format!("The engine is not answering: {e}"));
        }
    }

    fn submit(&mut self, submission: NewSubmission) {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Submit { submission, reply });
        self.submissions.push(answer);
    }

    fn drain_events(&mut self) {
        while let Some(event) = self.engine.try_recv() {
            match event {
                Event::Ready { offline, .. } => {
                    self.ready = true;
                    self.offline = offline;
                    self.send(Command::LoadJobs { limit: FEED_LIMIT });
                    // Every unfinished job continues; the list of them is not needed here.
                    let (reply, _) = oneshot::channel();
                    self.send(Command::ResumeAll { reply });
                }
                Event::Fatal(message) => {
                    self.status = Some(format!("Moodgrid could not start: {message}"))
                }
                Event::JobChanged(job) => self.job_changed(*job),
                Event::Stalled { message, .. } => self.status = Some(message),
                Event::Notice(message) => self.status = Some(message),
                Event::Jobs(jobs) => {
                    for job in jobs.into_iter().rev() {
                        self.job_changed(job);
                    }
                }
                Event::Images { job_id, images } => {
                    self.images.insert(job_id, images);
                }
            }
        }
        self.submissions
            .retain_mut(|answer| match answer.try_recv() {
                Ok(Ok(job)) => {
                    self.selected = Some(job.id);
                    false
                }
                Ok(Err(e)) => {
                    self.status = Some(e.to_string());
                    false
                }
                Err(oneshot::error::TryRecvError::Empty) => true,
                Err(oneshot::error::TryRecvError::Closed) => false,
            });
    }

    fn job_changed(&mut self, job: JobRecord) {
        if job.state == JobState::Succeeded {
            self.images_asked.remove(&job.id);
        }
        match self.jobs.iter_mut().find(|j| j.id == job.id) {
            Some(existing) => {
                if !existing.state.is_final() && job.state.is_final() {
                    self.status = Some(match job.state {
                        JobState::Succeeded => format!("Done: {}", short(&job.prompt, 60)),
                        _ => format!(
                            "{} failed: {}",
                            job.action,
                            job.message.clone().unwrap_or_default()
                        ),
                    });
                }
                *existing = job;
            }
            None => {
                let at = self
                    .jobs
                    .iter()
                    .position(|j| j.id < job.id)
                    .unwrap_or(self.jobs.len());
                self.jobs.insert(at, job);
            }
        }
    }

    fn job(&self, id: i64) -> Option<&JobRecord> {
        self.jobs.iter().find(|j| j.id == id)
    }

    /// The image files of a finished job, asking the engine for them once.
    fn images_of(&mut self, job: &JobRecord) -> Option<&Vec<ImageFile>> {
        if job.state == JobState::Succeeded && self.images_asked.insert(job.id) {
            self.send(Command::LoadImages { job_id: job.id });
        }
        self.images.get(&job.id)
    }

    /// The thumbnail of a job's main image (its grid or single image) and that image's aspect ratio.
    fn thumbnail(&mut self, job: &JobRecord, size: u32) -> Option<(egui::TextureHandle, f32)> {
        let (path, aspect): (PathBuf, f32) = {
            let images = self.images_of(job)?;
            let main = images
                .iter()
                .find(|i| matches!(i.record.role, ImageRole::Grid | ImageRole::Upscale))
                .or(images.first())?;
            let path = main
                .thumbnails
                .iter()
                .find(|(side, _)| *side == size)?
                .1
                .clone();
            (
                path,
                main.record.width as f32 / main.record.height.max(1) as f32,
            )
        };
        self.textures.get(&path).map(|t| (t, aspect))
    }

    fn update_title(&mut self, ctx: &egui::Context) {
        let running = self.jobs.iter().filter(|j| !j.state.is_final()).count();
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

    /// Keys 1–4 press U1–U4 on the selected grid (when no text field has the keyboard).
    fn handle_keys(&mut self, ctx: &egui::Context) {
        if ctx.egui_wants_keyboard_input() {
            return;
        }
        let Some(job) = self.selected.and_then(|id| self.job(id)).cloned() else {
            return;
        };
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
                self.submit(NewSubmission::Action {
                    parent: job.id,
                    action,
                    timeout: None,
                });
            }
        }
    }

    fn prompt_bar(&mut self, ui: &mut egui::Ui) {
        if let Some(reason) = &self.offline {
            ui.add_space(4.0);
            ui.colored_label(
                Color32::from_rgb(230, 180, 80),
                "Offline demo — set TTAPI_API_KEY (or store a key in the OS keyring) to use Midjourney",
            )
            .on_hover_text(reason);
        }
        ui.add_space(6.0);
        let mut submit = false;
        ui.horizontal(|ui| {
            let width = ui.available_width() - 200.0;
            let edit = egui::TextEdit::multiline(&mut self.prompt)
                .hint_text("Describe an image… (Ctrl+Enter to imagine)")
                .desired_rows(2)
                .desired_width(width.max(200.0));
            let response = ui.add(edit);
            if response.has_focus()
                && ui.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::Enter))
            {
                submit = true;
            }
            ui.vertical(|ui| {
                egui::ComboBox::from_label("Mode")
                    .selected_text(self.mode.as_str())
                    .show_ui(ui, |ui| {
                        for mode in Mode::ALL {
                            ui.selectable_value(&mut self.mode, mode, mode.as_str());
                        }
                    });
                let can_submit = self.ready && !self.prompt.trim().is_empty();
                if ui
                    .add_enabled(can_submit, egui::Button::new("Imagine"))
                    .clicked()
                {
                    submit = true;
                }
            });
        });
        if submit && self.ready && !self.prompt.trim().is_empty() {
            // The prompt stays in the box, for the next variation of it.
            self.submit(NewSubmission::Imagine {
                prompt: self.prompt.trim().to_owned(),
                mode: self.mode,
                timeout: None,
            });
        }
        if let Some(status) = &self.status {
            ui.label(RichText::new(status).small());
        }
        ui.add_space(4.0);
    }

    fn feed(&mut self, ui: &mut egui::Ui) {
        ui.heading("Jobs");
        if self.jobs.is_empty() {
            ui.label(if self.ready {
                "Nothing yet: type a prompt above."
            } else {
                "Opening the library…"
            });
            return;
        }
        let count = self.jobs.len();
        ScrollArea::vertical()
            .auto_shrink([false, false])
            .show_rows(ui, FEED_ROW_HEIGHT, count, |ui, rows| {
                for index in rows {
                    let job = self.jobs[index].clone();
                    let selected = self.selected == Some(job.id);
                    let thumb = self.thumbnail(&job, 256);
                    let response = ui
                        .horizontal(|ui| {
                            ui.set_height(FEED_ROW_HEIGHT - 4.0);
                            match thumb {
                                Some((texture, aspect)) => {
                                    let size = if aspect >= 1.0 {
                                        egui::vec2(FEED_THUMB, FEED_THUMB / aspect)
                                    } else {
                                        egui::vec2(FEED_THUMB * aspect, FEED_THUMB)
                                    };
                                    ui.add(
                                        egui::Image::new(&texture)
                                            .fit_to_exact_size(size)
                                            .alt_text(short(&job.prompt, 40)),
                                    );
                                }
                                None => {
                                    ui.add_sized(
                                        [FEED_THUMB, FEED_THUMB],
                                        egui::Label::new(state_icon(&job)),
                                    );
                                }
                            }
                            ui.vertical(|ui| {
                                ui.add(
                                    egui::Label::new(
                                        RichText::new(short(&job.prompt, 48)).strong(),
                                    )
                                    .truncate(),
                                );
                                ui.label(
                                    RichText::new(format!("{} · {}", job.action, state_text(&job)))
                                        .small(),
                                );
                                if !job.state.is_final() {
                                    ui.add(
                                        egui::ProgressBar::new(
                                            f32::from(job.progress.unwrap_or(0)) / 100.0,
                                        )
                                        .desired_height(6.0),
                                    );
                                }
                            });
                        })
                        .response
                        .interact(egui::Sense::click());
                    if selected {
                        ui.painter().rect_stroke(
                            response.rect,
                            4.0,
                            ui.visuals().selection.stroke,
                            egui::StrokeKind::Inside,
                        );
                    }
                    if response.clicked() {
                        self.selected = Some(job.id);
                    }
                }
            });
    }

    fn job_view(&mut self, ui: &mut egui::Ui) {
        let Some(job) = self.selected.and_then(|id| self.job(id)).cloned() else {
            ui.centered_and_justified(|ui| ui.label("Select a job, or imagine something new."));
            return;
        };
        ui.horizontal(|ui| {
            ui.heading(if job.prompt.is_empty() {
                job.action.clone()
            } else {
                short(&job.prompt, 80)
            });
        });
        ui.label(RichText::new(format!(
            "{} · {} · {}{}",
            job.action,
            job.mode.map_or("—", Mode::as_str),
            state_text(&job),
            job.width
                .zip(job.height)
                .map(|(w, h)| format!(" · {w}×{h}"))
                .unwrap_or_default()
        )));
        if let Some(message) = job
            .message
            .as_deref()
            .filter(|_| job.state != JobState::Succeeded)
        {
            ui.colored_label(ui.visuals().warn_fg_color, message);
        }
        if !job.state.is_final() {
            ui.add(
                egui::ProgressBar::new(f32::from(job.progress.unwrap_or(0)) / 100.0)
                    .show_percentage(),
            );
        }
        ui.separator();
        self.buttons(ui, &job);
        ui.separator();
        let available = ui.available_size();
        match self.thumbnail(&job, 512) {
            Some((texture, aspect)) => {
                let width = available.x.min(available.y * aspect).max(64.0);
                ui.with_layout(Layout::top_down(Align::Center), |ui| {
                    ui.add(
                        egui::Image::new(&texture)
                            .fit_to_exact_size(egui::vec2(width, width / aspect))
                            .alt_text(job.prompt.clone()),
                    );
                });
            }
            None if job.state == JobState::Succeeded => {
                ui.spinner();
            }
            None => {}
        }
    }

    /// One button per component string, in Midjourney's rows; disabled with the reason until the job succeeded.
    fn buttons(&mut self, ui: &mut egui::Ui, job: &JobRecord) {
        let disabled_reason = match job.state {
            JobState::Succeeded => None,
            state if state.is_final() => Some(format!(
                "This job {}; it has no follow-ups.",
                state.as_str()
            )),
            _ => Some("Available once the job has succeeded.".to_owned()),
        };
        let mut pressed = None;
        for (_, actions) in button_rows(&job.components) {
            ui.horizontal(|ui| {
                for action in actions {
                    let button = ui
                        .add_enabled(disabled_reason.is_none(), egui::Button::new(action.label()));
                    let button = match &disabled_reason {
                        Some(reason) => button.on_disabled_hover_text(reason),
                        None => button.on_hover_text(action.wire_name()),
                    };
                    if button.clicked() {
                        pressed = Some(action.wire_name());
                    }
                }
            });
        }
        if let Some(action) = pressed {
            self.submit(NewSubmission::Action {
                parent: job.id,
                action,
                timeout: None,
            });
        }
    }
}

fn short(text: &str, chars: usize) -> String {
    let first = text.lines().next().unwrap_or("");
    if first.chars().count() > chars || text.lines().count() > 1 {
        format!("{}…", first.chars().take(chars).collect::<String>())
    } else {
        first.to_owned()
    }
}

fn state_text(job: &JobRecord) -> String {
    match job.state {
        JobState::Queued => "queued here".into(),
        JobState::Pending => "waiting at TTAPI".into(),
        JobState::Running => format!("running {}%", job.progress.unwrap_or(0)),
        JobState::Downloading => "saving images".into(),
        other => other.as_str().into(),
    }
}

fn state_icon(job: &JobRecord) -> &'static str {
    match job.state {
        // Characters every default egui font has: a missing glyph would draw as a box.
        JobState::Succeeded => "ok",
        JobState::Failed | JobState::Rejected | JobState::Abandoned | JobState::Unconfirmed => "!",
        _ => "…",
    }
}
