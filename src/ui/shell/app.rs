//! The window's shell: one frame takes in what the engine and the chores said, lays the panels out, and
//! carries out the [`Intent`]s they asked of one another. Each panel owns its state and draws with
//! [`Services`], which every panel shares.

use std::sync::Arc;

use egui::{ColorImage, Key, Modifiers};

use crate::api::wire::BLEND_MAX_IMAGES;
use crate::domain::Action;
use crate::engine::{EngineHandle, NewSubmission, PreparedSource, Waker};
use crate::library::JobState;
use crate::ui::Launch;
use crate::ui::board::panel::BoardsState;
use crate::ui::gallery::grid::GalleryState;
use crate::ui::job::export::ExportState;
use crate::ui::job::view::JobViewState;
use crate::ui::kit::fonts;
use crate::ui::kit::keys::EXPORT_SHORTCUT;
use crate::ui::mask::editor::MaskEditor;
use crate::ui::runtime::chores::ChoreResult;
use crate::ui::runtime::intents::Intent;
use crate::ui::runtime::nav::View;
use crate::ui::runtime::services::Services;
use crate::ui::runtime::textures::{DEFAULT_BUDGET_BYTES, TextureCache};
use crate::ui::runtime::toasts::ToastKind;
use crate::ui::shell::settings::SettingsPanel;
use crate::ui::shell::shortcuts::{SETTINGS_SHORTCUT, VARY_REGION_KEY, VIEW_SHORTCUTS};
use crate::ui::sources::blend::BlendPanel;
use crate::ui::sources::describe::DescribePanel;
use crate::ui::sources::inputs::{SlotState, SourceInput, SourceSlot, SourceTarget};
use crate::ui::studio::prompt_bar::PromptBar;

/// The open view and job, the gallery's last search and the saved ones, kept between runs.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Remembered {
    pub view: View,
    pub selected: Option<i64>,
    /// Absent in what an older window kept: no search, none saved.
    #[serde(default)]
    pub gallery_filter: crate::ui::gallery::filter::GalleryFilter,
    #[serde(default)]
    pub saved_searches: Vec<crate::ui::gallery::filter::SavedSearch>,
    #[serde(default)]
    pub gallery_tiles: crate::ui::gallery::grid::TileLayout,
    #[serde(default)]
    pub gallery_list: bool,
    #[serde(default)]
    pub gallery_sort: crate::library::Sort,
}

pub struct MoodgridApp {
    pub(in crate::ui) services: Services,
    prompt_bar: PromptBar,
    settings_panel: SettingsPanel,
    account_panel: crate::ui::studio::account::AccountPanel,
    /// Help → Keyboard shortcuts (F1).
    shortcuts_open: bool,
    gallery: GalleryState,
    job_view: JobViewState,
    blend: BlendPanel,
    describe: DescribePanel,
    mask_editor: Option<MaskEditor>,
    boards: BoardsState,
    pub(in crate::ui) export: ExportState,
    title: String,
}

/// The widest the feed can be dragged: room for long titles, never more than the view beside it needs.
const FEED_MAX_WIDTH: f32 = 480.0;

impl MoodgridApp {
    /// See [`Services::is_settled`].
    pub fn is_settled(&self) -> bool {
        self.services.is_settled()
    }

    pub fn new(ctx: &egui::Context, launch: Launch) -> std::io::Result<MoodgridApp> {
        let repaint = ctx.clone();
        // Not zero: egui answers an immediate request with two frames. Events that arrive while a frame is
        // drawn are all taken by the next one.
        let waker: Waker =
            Arc::new(move || repaint.request_repaint_after(std::time::Duration::from_millis(1)));
        let wake = waker.clone();
        let textures = TextureCache::new(DEFAULT_BUDGET_BYTES, move || wake())?;
        let engine = EngineHandle::start(launch.engine.clone(), waker.clone())?;
        crate::ui::kit::theme::install(ctx);
        crate::ui::kit::icons::install(ctx);
        crate::ui::kit::theme::choose(ctx, launch.settings.theme);
        let default_mode = launch.settings.default_mode;
        let settings_panel = SettingsPanel::new(&launch.settings);
        let mut services = Services::new(engine, launch.engine, waker, textures, launch.settings);
        services.chores.load_cjk_font();
        services.chores.follow_system_theme();
        if let Some(problem) = launch.settings_problem {
            services.toasts.push(ToastKind::Error, problem, None);
        }
        Ok(MoodgridApp {
            services,
            prompt_bar: PromptBar::new(default_mode),
            settings_panel,
            account_panel: Default::default(),
            shortcuts_open: false,
            gallery: GalleryState::default(),
            job_view: JobViewState::default(),
            blend: BlendPanel {
                mode: default_mode,
                ..BlendPanel::default()
            },
            describe: DescribePanel::default(),
            mask_editor: None,
            boards: BoardsState::default(),
            export: ExportState::new(launch.export_folder),
            title: String::new(),
        })
    }

    /// What must happen whether or not the window is drawn: take in what the engine said. eframe calls it
    /// before every frame, and also while the window is minimised or hidden, when no frame is drawn.
    pub fn logic(&mut self) {
        if self.services.receive() {
            self.settings_panel
                .engine_ready(self.services.status.offline.is_none());
        }
    }

    /// One frame: take in what the chores said, draw the panels, then carry out what they asked of one
    /// another. (The engine's events were taken in by [`MoodgridApp::logic`] just before.)
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.drain_chores(&ctx);
        self.services.textures.begin_frame(&ctx);
        self.update_title(&ctx);
        self.handle_keys(&ctx);
        self.take_dropped_and_pasted(&ctx);
        let MoodgridApp {
            services,
            prompt_bar,
            settings_panel,
            account_panel,
            shortcuts_open,
            gallery,
            job_view,
            blend,
            describe,
            mask_editor,
            boards,
            export,
            ..
        } = self;
        // Whatever view is open: images added from a job or the gallery are placed and saved now, not when
        // the board is next looked at.
        crate::ui::board::panel::receive(boards, services);
        if services.nav().view() == View::Gallery && gallery.review.is_some() {
            // Compare and culling take the whole window: nothing but the pictures and their verdicts.
            egui::CentralPanel::default().show(ui, |ui| {
                crate::ui::gallery::grid::show_review(gallery, services, ui);
            });
        } else {
            egui::Panel::top("prompt_bar").show(ui, |ui| {
                crate::ui::shell::navigation::show(services, mask_editor.is_some(), ui);
                crate::ui::studio::prompt_bar::show(prompt_bar, services, ui);
            });
            // A tab clicked (or files dropped on the prompt) shows its view in this frame.
            services.carry_out_moves();
            // A cap: a drag that starts on the panel's edge instead of a row must not leave the feed wider
            // than the board it was dragged to.
            egui::Panel::left("feed")
                .default_size(320.0)
                .min_size(260.0)
                .max_size(FEED_MAX_WIDTH)
                .resizable(true)
                .show(ui, |ui| crate::ui::job::feed::show(services, ui));
            egui::CentralPanel::default().show(ui, |ui| match services.nav().view() {
                View::Job => crate::ui::job::view::show(job_view, services, ui),
                View::Gallery => crate::ui::gallery::grid::show(gallery, services, ui),
                View::Blend => crate::ui::sources::blend::show(blend, services, ui),
                View::Describe => crate::ui::sources::describe::show(describe, services, ui),
                View::Mask => crate::ui::mask::editor::show(mask_editor, services, ui),
                View::Board => crate::ui::board::panel::show(boards, services, ui),
            });
        }
        drop_hint(services.nav().view(), &ctx);
        crate::ui::board::panel::show_drag_preview(&ctx);
        crate::ui::shell::settings::show(settings_panel, services, &ctx);
        services.refresh_account();
        crate::ui::studio::account::show(account_panel, services, &ctx);
        crate::ui::shell::shortcuts::show(shortcuts_open, &ctx);
        crate::ui::job::export::show(export, services, &ctx);
        if let Some(job) = services.toasts.show(&ctx) {
            services.open_job(job);
        }
        self.carry_out_intents(&ctx);
        self.services.request_jobs();
        self.services.request_images();
        if self.services.busy() {
            // Progress moves on its own; keep drawing while anything runs.
            ctx.request_repaint_after(std::time::Duration::from_millis(250));
        }
    }

    /// What the panels asked of one another this frame. The next frame follows at once: it draws the view or
    /// job an Intent moved to.
    fn carry_out_intents(&mut self, ctx: &egui::Context) {
        // An intent may lead to another (a board's sources become board items): a few rounds at most.
        for _ in 0..4 {
            let intents = self.services.take_intents();
            if intents.is_empty() {
                return;
            }
            ctx.request_repaint();
            for intent in intents {
                self.carry_out(intent);
            }
        }
    }

    fn carry_out(&mut self, intent: Intent) {
        let services = &mut self.services;
        match intent {
            Intent::OpenJob(job) => {
                services.select(Some(job));
                services.show_view(View::Job);
            }
            Intent::Select(job) => services.select(Some(job)),
            Intent::Show(view) => services.show_view(view),
            Intent::Prompt(edit) => self.prompt_bar.apply(edit),
            Intent::ImagineNow(prompt) => services.submit(NewSubmission::Imagine {
                prompt,
                mode: self.prompt_bar.mode,
                timeout: None,
            }),
            Intent::DefaultMode(mode) => self.prompt_bar.mode = mode,
            Intent::EditMask { job, ops } => {
                if let Some(editor) = crate::ui::mask::editor::open_on_job(services, job, ops) {
                    self.mask_editor = Some(editor);
                    services.show_view(View::Mask);
                }
            }
            Intent::Sources {
                target: SourceTarget::Board,
                inputs,
                ..
            } => {
                services.show_view(View::Board);
                crate::ui::board::panel::add_inputs(&mut self.boards, services, inputs, None);
            }
            Intent::Sources {
                target,
                inputs,
                replace,
            } => {
                if replace && target == SourceTarget::Blend {
                    self.blend.slots.clear();
                }
                add_sources(
                    &mut self.blend,
                    &mut self.describe,
                    services,
                    target,
                    inputs,
                );
            }
            Intent::AddToBoard { jobs, at, open } => {
                // Out of sight, the board says "Added to the board" once it has saved them.
                crate::ui::board::panel::add_jobs(&mut self.boards, services, &jobs, at, !open);
                if open {
                    services.show_view(View::Board);
                }
            }
            Intent::Export(jobs) => crate::ui::job::export::open(&mut self.export, jobs),
            Intent::OpenSettings => self.settings_panel.open = true,
            Intent::ToggleSettings => self.settings_panel.open = !self.settings_panel.open,
            Intent::ToggleAccount => self.account_panel.open = !self.account_panel.open,
            Intent::ShowShortcuts => self.shortcuts_open = true,
        }
    }

    /// What Export… acts on: the gallery's picks when there are any, else the selected job.
    fn export_selection(&self) -> Vec<i64> {
        crate::ui::gallery::grid::export_selection(&self.gallery, &self.services.nav())
    }

    /// What the window reopens with next time (eframe keeps it beside the window's size and position).
    pub fn remembered(&self) -> Remembered {
        Remembered {
            view: self.services.nav().view(),
            selected: self.services.nav().selected(),
            gallery_filter: self.gallery.filter.clone(),
            saved_searches: self.gallery.saved.clone(),
            gallery_tiles: self.gallery.tiles,
            gallery_list: self.gallery.list,
            gallery_sort: self.gallery.table.sort,
        }
    }

    /// Reopens what was open when the window last closed. The mask editor's work is not kept, so it reopens
    /// on its job instead.
    pub fn restore(&mut self, remembered: Remembered) {
        self.services.show_view(match remembered.view {
            View::Mask => View::Job,
            view => view,
        });
        self.services.select(remembered.selected);
        self.gallery.filter = remembered.gallery_filter;
        self.gallery.saved = remembered.saved_searches;
        self.gallery.tiles = remembered.gallery_tiles;
        self.gallery.list = remembered.gallery_list;
        self.gallery.table.sort = remembered.gallery_sort;
    }

    /// The export choices kept between runs (template, images, folder).
    pub fn export_prefs(&self) -> &crate::ui::ExportPrefs {
        &self.export.prefs
    }

    /// Whether this frame draws the library's jobs (the feed is filled).
    pub(in crate::ui) fn shows_library(&self) -> bool {
        self.services.shows_library()
    }

    /// Uploaded textures and their bytes right now (benchmarks watch memory with it).
    pub fn texture_stats(&self) -> (usize, usize) {
        (
            self.services.textures.resident(),
            self.services.textures.used_bytes(),
        )
    }

    /// Files dropped on the window and images pasted (Ctrl+V outside a text field) go to the Describe
    /// panel or the board when one is open (on the board, where the pointer is), else to Blend.
    fn take_dropped_and_pasted(&mut self, ctx: &egui::Context) {
        let target = match self.services.nav().view() {
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
        let pointer = ctx.input(|i| i.pointer.hover_pos());
        let on_prompt = self
            .prompt_bar
            .rect
            .zip(pointer)
            .is_some_and(|(rect, at)| rect.contains(at));
        let dropped = ctx.input(|i| !i.raw.dropped_files.is_empty());
        if on_prompt && dropped {
            // The bar says why a file cannot be a reference, and offers Blend or Describe.
            self.prompt_bar.dropped_files = inputs;
            return;
        }
        if target == SourceTarget::Board {
            let pointer = ctx.input(|i| i.pointer.hover_pos());
            crate::ui::board::panel::add_inputs(
                &mut self.boards,
                &mut self.services,
                inputs,
                pointer,
            );
        } else {
            add_sources(
                &mut self.blend,
                &mut self.describe,
                &mut self.services,
                target,
                inputs,
            );
        }
    }

    fn drain_chores(&mut self, ctx: &egui::Context) {
        while let Some(result) = self.services.chores.try_recv() {
            let services = &mut self.services;
            match result {
                ChoreResult::Done(text) => services.toasts.push(ToastKind::Info, text, None),
                ChoreResult::Failed(text) => services.toasts.push(ToastKind::Error, text, None),
                ChoreResult::CopyImage(image) => {
                    ctx.copy_image(image);
                    services
                        .toasts
                        .push(ToastKind::Info, "Image copied to the clipboard", None);
                }
                ChoreResult::Font { path, bytes } => {
                    tracing::debug!("CJK fallback font: {}", path.display());
                    fonts::install(ctx, bytes);
                }
                ChoreResult::Picked { target, paths } => services.ask(Intent::Sources {
                    target,
                    inputs: paths.into_iter().map(SourceInput::File).collect(),
                    replace: false,
                }),
                ChoreResult::Source {
                    target,
                    slot,
                    result,
                } => source_loaded(
                    &mut self.blend,
                    &mut self.describe,
                    ctx,
                    target,
                    slot,
                    result,
                ),
                ChoreResult::MaskEncoded {
                    parent,
                    png,
                    prompt,
                    ops,
                } => services.submit(NewSubmission::Inpaint {
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
                ChoreResult::BoardFile { bytes } => {
                    crate::ui::board::panel::import(&mut self.boards, services, bytes)
                }
                ChoreResult::ExportFolder(folder) => {
                    crate::ui::job::export::folder_chosen(&mut self.export, folder)
                }
                ChoreResult::PastedPng { name, png, at } => crate::ui::board::panel::store(
                    &mut self.boards,
                    services,
                    vec![crate::engine::ImageInput::Bytes { name, bytes: png }],
                    at,
                ),
                // Used when the windowing system reports no theme (X11, Wayland) and Settings says follow.
                ChoreResult::SystemTheme(theme) => ctx.options_mut(|o| o.fallback_theme = theme),
                ChoreResult::LibrarySize(usage) => self.settings_panel.usage = Some(usage),
                ChoreResult::Nothing => {}
            }
        }
        self.carry_out_intents(ctx);
    }

    fn update_title(&mut self, ctx: &egui::Context) {
        let running = self.services.jobs.running();
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
        if self.prompt_bar.is_asking() {
            // A question is open (send this batch?): its Enter and Esc are its own.
            return;
        }
        if ctx.input_mut(|i| i.consume_shortcut(&SETTINGS_SHORTCUT)) {
            self.settings_panel.open = !self.settings_panel.open;
        }
        if ctx.input_mut(|i| {
            i.consume_key(Modifiers::NONE, crate::ui::shell::shortcuts::SHORTCUTS_KEY)
        }) {
            self.shortcuts_open = !self.shortcuts_open;
        }
        // Views change from anywhere, the prompt too (Ctrl+digit types nothing), as tabs do in a browser.
        for (shortcut, view) in VIEW_SHORTCUTS {
            if ctx.input_mut(|i| i.consume_shortcut(&shortcut)) {
                self.services.show_view(view);
                self.gallery.review = None;
            }
        }
        if ctx.egui_wants_keyboard_input() {
            return;
        }
        if self.services.nav().view() == View::Gallery && self.gallery.review.is_some() {
            // Compare and culling have keys of their own (digits rate or maximise, not U1–U4).
            crate::ui::gallery::grid::review_keys(&mut self.gallery, &mut self.services, ctx);
            return;
        }
        if ctx.input_mut(|i| i.consume_shortcut(&EXPORT_SHORTCUT)) {
            let jobs = self.export_selection();
            crate::ui::job::export::open(&mut self.export, jobs);
        }
        // The selected job's keys work where it is what the user looks at: not on a board, where 1 is 100 %.
        let on_jobs = matches!(self.services.nav().view(), View::Job | View::Gallery);
        if on_jobs && ctx.input_mut(|i| i.consume_shortcut(&crate::ui::kit::keys::UNDO)) {
            self.services.undo_trash();
        }
        if let Some(job) = self
            .services
            .nav()
            .selected()
            .filter(|_| on_jobs)
            .and_then(|id| self.services.jobs.get(id))
            .cloned()
        {
            self.selected_job_keys(&job, ctx);
        }
        self.view_keys(ctx);
        self.carry_out_intents(ctx);
    }

    /// Del, the verdict keys and 1–4 (U1–U4) on the selected job.
    fn selected_job_keys(&mut self, job: &crate::library::JobRecord, ctx: &egui::Context) {
        let services = &mut self.services;
        if ctx.input(|i| i.key_pressed(Key::Delete)) {
            let picks = &mut self.gallery.marked;
            if services.nav().view() == View::Gallery && !picks.is_empty() {
                services.trash(std::mem::take(picks).into_iter().collect());
            } else if job.state == JobState::Queued {
                // Not sent yet: deleting it takes it back.
                services.cancel(Some(vec![job.id]));
            } else {
                services.trash(vec![job.id]);
            }
        }
        if let Some(mark) = crate::ui::job::verdict::key_mark(ctx, false) {
            crate::ui::job::verdict::mark(services, job.id, mark);
        }
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
                services.press(job.id, action);
            }
        }
    }

    /// The open view's own window keys: the gallery's arrows, and on the job view M (vary region) and Esc.
    fn view_keys(&mut self, ctx: &egui::Context) {
        let services = &mut self.services;
        match services.nav().view() {
            View::Gallery => {
                crate::ui::gallery::grid::handle_keys(&mut self.gallery, services, ctx)
            }
            View::Job => {
                if ctx.input(|i| i.key_pressed(VARY_REGION_KEY))
                    && let Some(job) = services.nav().selected()
                    && crate::ui::job::view::can_vary_region(services, job)
                {
                    services.ask(Intent::EditMask {
                        job,
                        ops: Vec::new(),
                    });
                }
                // Esc closes what is on top first: a dialog or a menu, not the job view under it.
                if ctx.input(|i| i.key_pressed(Key::Escape))
                    && !self.settings_panel.open
                    && !self.shortcuts_open
                    && !self.export.is_open()
                    && !egui::Popup::is_any_open(ctx)
                {
                    services.show_view(View::Gallery);
                }
            }
            View::Blend | View::Describe | View::Mask | View::Board => {}
        }
    }
}

/// While files are dragged over the window, say where they will go.
fn drop_hint(view: View, ctx: &egui::Context) {
    if ctx.input(|i| i.raw.hovered_files.is_empty()) {
        return;
    }
    let text = match view {
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

/// Adds images to a panel: each gets a slot at once and is read, checked and previewed on a chore
/// thread. Blend keeps at most five; describe keeps one (the newest).
/// (Images for a board go to the board: the app routes them there.)
pub fn add_sources(
    blend: &mut BlendPanel,
    describe: &mut DescribePanel,
    services: &mut Services,
    target: SourceTarget,
    inputs: Vec<SourceInput>,
) {
    services.show_view(match target {
        SourceTarget::Describe => View::Describe,
        SourceTarget::Blend | SourceTarget::Board => View::Blend,
    });
    for mut input in inputs {
        let id = services.next_slot_id();
        if let SourceInput::Pixels { name, .. } = &mut input {
            *name = format!("pasted image {id}");
        }
        let slot = SourceSlot {
            id,
            name: input.name(),
            state: SlotState::Loading,
        };
        match target {
            SourceTarget::Blend => {
                let slots = &mut blend.slots;
                if slots.len() >= BLEND_MAX_IMAGES {
                    services.toasts.push(
                        ToastKind::Error,
                        format!(
                            "A blend takes at most {BLEND_MAX_IMAGES} images; {} was not added",
                            slot.name
                        ),
                        None,
                    );
                    continue;
                }
                slots.push(slot);
            }
            SourceTarget::Describe => describe.slot = Some(slot),
            SourceTarget::Board => {}
        }
        services.chores.load_source(target, id, input);
    }
}

/// A chore finished preparing a source: fill its slot (if the user has not removed it meanwhile).
pub fn source_loaded(
    blend: &mut BlendPanel,
    describe: &mut DescribePanel,
    ctx: &egui::Context,
    target: SourceTarget,
    id: u64,
    result: Result<(PreparedSource, ColorImage), String>,
) {
    let slot = match target {
        SourceTarget::Blend => blend.slots.iter_mut().find(|s| s.id == id),
        SourceTarget::Describe => describe.slot.as_mut().filter(|s| s.id == id),
        SourceTarget::Board => None,
    };
    let Some(slot) = slot else { return };
    slot.state = match result {
        Ok((source, preview)) => SlotState::Ready {
            preview: ctx.load_texture(
                format!("source-{id}"),
                preview,
                egui::TextureOptions::LINEAR,
            ),
            source,
        },
        Err(message) => SlotState::Bad(message),
    };
}
