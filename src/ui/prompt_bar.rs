//! The bar pinned at the top: the offline banner and view switch, the prompt with its mode, history and
//! optional prompt check, and the Imagine button.

use egui::{Color32, Id, Key, KeyboardShortcut, Modifiers, RichText};

use super::app::{MoodgridApp, SETTINGS_SHORTCUT, View};
use super::pending::{Pending, take_ready};
use crate::api::{ApiError, PromptVerdict};
use crate::domain::Mode;
use crate::domain::prompt::first_line;
use crate::engine::{Command, NewSubmission};

const PROMPT_ID: &str = "prompt";
const HISTORY_SHOWN: usize = 30;
const SUBMIT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Enter);
const HISTORY_BACK: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::ArrowUp);
const HISTORY_FORWARD: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::ArrowDown);

pub struct PromptBar {
    pub prompt: String,
    pub mode: Mode,
    /// Position in the prompt history while stepping through it with Ctrl+Up/Down.
    history_at: Option<usize>,
    check: Option<Pending<Result<PromptVerdict, ApiError>>>,
    /// The prompt being checked, and whether to imagine it once the check allows it.
    checking: Option<(String, bool)>,
    verdict: Option<(String, Verdict)>,
}

enum Verdict {
    Allowed,
    Refused(String),
    Unavailable(String),
}

impl PromptBar {
    pub fn new(mode: Mode) -> PromptBar {
        PromptBar {
            prompt: String::new(),
            mode,
            history_at: None,
            check: None,
            checking: None,
            verdict: None,
        }
    }
}

pub fn show(app: &mut MoodgridApp, ui: &mut egui::Ui) {
    receive_verdict(app);
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        if !app.ready {
            ui.spinner();
            ui.label(RichText::new("Connecting…").weak());
        } else if let Some(reason) = app.offline.clone() {
            let banner = egui::Button::new(
                RichText::new("Offline demo — add your TTAPI key in Settings to use Midjourney")
                    .color(Color32::from_rgb(230, 180, 80)),
            )
            .frame(false);
            if ui
                .add(banner)
                .on_hover_text(format!("{reason}. Jobs run on the built-in simulator."))
                .clicked()
            {
                app.settings_panel.open = true;
            }
        } else {
            ui.label(RichText::new(format!("Connected to {}", app.backend)).weak());
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            ui.menu_button("Help", |ui| {
                if ui
                    .add(egui::Button::new("Keyboard shortcuts").shortcut_text("F1"))
                    .clicked()
                {
                    app.shortcuts_open = true;
                }
                match crate::logs::dir() {
                    Some(dir) => {
                        if ui
                            .button("Open log folder")
                            .on_hover_text(dir.display().to_string())
                            .clicked()
                        {
                            app.chores.open_folder(dir);
                        }
                    }
                    None => {
                        ui.add_enabled(false, egui::Button::new("Open log folder"))
                            .on_disabled_hover_text("No home folder: the log goes to stderr only");
                    }
                }
            });
            let settings = ui
                .button("Settings")
                .on_hover_text(ui.ctx().format_shortcut(&SETTINGS_SHORTCUT));
            if settings.clicked() {
                app.settings_panel.open = !app.settings_panel.open;
            }
            ui.separator();
            if app.mask_editor.is_some() {
                ui.selectable_value(&mut app.view, View::Mask, "Mask")
                    .on_hover_text("The open mask editor");
            }
            let boards = ui
                .selectable_value(&mut app.view, View::Board, "Boards")
                .on_hover_text("Moodboards of your images and notes");
            // Dragging jobs over the tab opens the board, so they can be dropped on it.
            if boards
                .dnd_hover_payload::<super::board::DraggedJobs>()
                .is_some()
            {
                app.view = View::Board;
            }
            ui.selectable_value(&mut app.view, View::Describe, "Describe")
                .on_hover_text("Four prompts for an image of yours");
            ui.selectable_value(&mut app.view, View::Blend, "Blend")
                .on_hover_text("Blend two to five images of yours");
            ui.selectable_value(&mut app.view, View::Gallery, "Gallery")
                .on_hover_text("Every job in the library (Enter opens the selected one)");
            ui.selectable_value(&mut app.view, View::Job, "Job")
                .on_hover_text("The selected job (Esc goes back to the gallery)");
        });
    });
    ui.add_space(2.0);
    let focused = ui.memory(|m| m.has_focus(Id::unique(PROMPT_ID)));
    let mut submit = false;
    if focused {
        submit |= ui.input_mut(|i| i.consume_shortcut(&SUBMIT));
        if ui.input_mut(|i| i.consume_shortcut(&HISTORY_BACK)) {
            step_history(app, 1);
        }
        if ui.input_mut(|i| i.consume_shortcut(&HISTORY_FORWARD)) {
            step_history(app, -1);
        }
    }
    ui.horizontal(|ui| {
        let width = ui.available_width() - 260.0;
        let label = ui.label("Prompt");
        let edit = egui::TextEdit::multiline(&mut app.prompt_bar.prompt)
            .id(Id::unique(PROMPT_ID))
            .hint_text(
                "Describe an image… (Ctrl+Enter imagines, Ctrl+Up/Down recalls earlier prompts)",
            )
            .desired_rows(2)
            .desired_width(width.max(200.0));
        let response = ui.add(edit).labelled_by(label.id);
        if response.changed() {
            app.prompt_bar.history_at = None;
        }
        ui.vertical(|ui| {
            ui.horizontal(|ui| {
                super::mode_picker(ui, "Mode", &mut app.prompt_bar.mode);
                history_menu(app, ui);
            });
            ui.horizontal(|ui| {
                let has_prompt = !app.prompt_bar.prompt.trim().is_empty();
                let busy = app.prompt_bar.checking.is_some();
                if ui
                    .add_enabled(
                        app.ready && has_prompt && !busy,
                        egui::Button::new("Imagine"),
                    )
                    .on_hover_text("Ctrl+Enter")
                    .clicked()
                {
                    submit = true;
                }
                if ui
                    .add_enabled(app.ready && has_prompt && !busy, egui::Button::new("Check"))
                    .on_hover_text("Ask TTAPI whether the prompt has banned words (free)")
                    .clicked()
                {
                    start_check(app, false);
                }
                if busy {
                    ui.spinner();
                }
            });
        });
    });
    if submit && app.ready && !app.prompt_bar.prompt.trim().is_empty() {
        if app.settings.check_prompts {
            start_check(app, true);
        } else {
            imagine(app);
        }
    }
    verdict_line(app, ui);
    if let Some(trouble) = &app.trouble {
        ui.colored_label(ui.visuals().error_fg_color, trouble);
    }
    ui.add_space(4.0);
}

/// Submits the prompt as it is in the box; it stays there, for the next variation of it.
fn imagine(app: &mut MoodgridApp) {
    let prompt = app.prompt_bar.prompt.trim().to_owned();
    let mode = app.prompt_bar.mode;
    app.submit(NewSubmission::Imagine {
        prompt,
        mode,
        timeout: None,
    });
}

fn start_check(app: &mut MoodgridApp, then_imagine: bool) {
    let prompt = app.prompt_bar.prompt.trim().to_owned();
    let (reply, answer) = Pending::channel();
    if app.send(Command::CheckPrompt {
        prompt: prompt.clone(),
        reply,
    }) {
        app.prompt_bar.check = Some(answer);
        app.prompt_bar.checking = Some((prompt, then_imagine));
    } else if then_imagine {
        imagine(app);
    }
}

fn receive_verdict(app: &mut MoodgridApp) {
    let Some(outcome) = take_ready(&mut app.prompt_bar.check) else {
        return;
    };
    let Some((prompt, then_imagine)) = app.prompt_bar.checking.take() else {
        return;
    };
    let verdict = match outcome {
        Some(Ok(PromptVerdict::Allowed)) => Verdict::Allowed,
        Some(Ok(PromptVerdict::Refused(reason))) => Verdict::Refused(reason),
        Some(Err(e)) => Verdict::Unavailable(e.to_string()),
        None => Verdict::Unavailable("the engine restarted".into()),
    };
    let refused = matches!(verdict, Verdict::Refused(_));
    app.prompt_bar.verdict = Some((prompt.clone(), verdict));
    // A check that could not run does not stand in the way: it is only a courtesy.
    if then_imagine && !refused && app.prompt_bar.prompt.trim() == prompt {
        imagine(app);
    }
}

fn verdict_line(app: &mut MoodgridApp, ui: &mut egui::Ui) {
    let current = app.prompt_bar.prompt.trim().to_owned();
    let Some((prompt, verdict)) = &app.prompt_bar.verdict else {
        return;
    };
    if *prompt != current {
        return;
    }
    let mut anyway = false;
    ui.horizontal(|ui| match verdict {
        Verdict::Allowed => {
            ui.label(RichText::new("Prompt check: no banned words found.").small());
        }
        Verdict::Refused(reason) => {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!("TTAPI would refuse this prompt: {reason}"),
            );
            anyway = ui.small_button("Imagine anyway").clicked();
        }
        Verdict::Unavailable(problem) => {
            ui.label(RichText::new(format!("Could not check the prompt: {problem}")).small());
        }
    });
    if anyway {
        imagine(app);
    }
}

fn history_menu(app: &mut MoodgridApp, ui: &mut egui::Ui) {
    let history = app.jobs.prompt_history(HISTORY_SHOWN);
    ui.add_enabled_ui(!history.is_empty(), |ui| {
        ui.menu_button("History", |ui| {
            for prompt in history {
                let shown = first_line(&prompt, 70);
                if ui.button(shown).on_hover_text(&prompt).clicked() {
                    app.prompt_bar.prompt = prompt;
                    app.prompt_bar.history_at = None;
                    ui.close();
                }
            }
        });
    });
}

/// Ctrl+Up goes to older prompts, Ctrl+Down back to newer ones.
fn step_history(app: &mut MoodgridApp, older: isize) {
    let history = app.jobs.prompt_history(usize::MAX);
    if history.is_empty() {
        return;
    }
    let next = match app.prompt_bar.history_at {
        None if older > 0 => 0,
        None => return,
        Some(at) => at.saturating_add_signed(older).min(history.len() - 1),
    };
    app.prompt_bar.history_at = Some(next);
    app.prompt_bar.prompt = history[next].clone();
}
