//! The prompt under the navigation row: the text with its mode, history and optional prompt check, and
//! the Imagine button.

use egui::{Id, Key, KeyboardShortcut, Modifiers, RichText};

use super::controls::IconButton;
use super::icons;
use super::pending::{Pending, take_ready};
use super::services::{PromptEdit, Services};
use crate::api::{ApiError, PromptVerdict};
use crate::domain::Mode;
use crate::domain::prompt::first_line;
use crate::engine::{Command, NewSubmission};

const PROMPT_ID: &str = "prompt";
const HISTORY_SHOWN: usize = 30;
/// The prompt is what the screen is for: its text is larger than the rest.
const PROMPT_TEXT_SIZE: f32 = 16.0;
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
    /// Another panel's change to the prompt.
    pub fn apply(&mut self, edit: PromptEdit) {
        self.prompt = match edit {
            PromptEdit::Replace(prompt) => prompt,
            PromptEdit::Seed(seed) => crate::domain::prompt::with_seed(&self.prompt, &seed),
            PromptEdit::ImagePrompts(urls) => {
                crate::domain::prompt::with_image_prompts(&self.prompt, &urls)
            }
        };
    }

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

pub fn show(bar: &mut PromptBar, services: &mut Services, ui: &mut egui::Ui) {
    receive_verdict(bar, services);
    ui.add_space(2.0);
    let focused = ui.memory(|m| m.has_focus(Id::unique(PROMPT_ID)));
    let mut submit = false;
    if focused {
        submit |= ui.input_mut(|i| i.consume_shortcut(&SUBMIT));
        if ui.input_mut(|i| i.consume_shortcut(&HISTORY_BACK)) {
            step_history(bar, services, 1);
        }
        if ui.input_mut(|i| i.consume_shortcut(&HISTORY_FORWARD)) {
            step_history(bar, services, -1);
        }
    }
    ui.horizontal(|ui| {
        let width = ui.available_width() - 290.0;
        let label = ui.label(RichText::new("Prompt").color(super::theme::palette(ui).weak_text));
        let edit = egui::TextEdit::multiline(&mut bar.prompt)
            .id(Id::unique(PROMPT_ID))
            .font(egui::FontId::proportional(PROMPT_TEXT_SIZE))
            .hint_text(
                "Describe an image… (Ctrl+Enter imagines, Ctrl+Up/Down recalls earlier prompts)",
            )
            .margin(egui::vec2(8.0, 6.0))
            .desired_rows(2)
            .desired_width(width.max(200.0));
        let response = ui.add(edit).labelled_by(label.id);
        if response.changed() {
            bar.history_at = None;
        }
        ui.vertical(|ui| {
            super::controls::mode_segmented(ui, &mut bar.mode);
            ui.horizontal(|ui| {
                let has_prompt = !bar.prompt.trim().is_empty();
                let busy = bar.checking.is_some();
                let can = services.ready && has_prompt && !busy;
                if ui
                    .add_enabled(
                        can,
                        IconButton::labelled(icons::IMAGINE, "Imagine").primary(),
                    )
                    .on_hover_text("Ctrl+Enter")
                    .clicked()
                {
                    submit = true;
                }
                if ui
                    .add_enabled(can, IconButton::new(icons::CHECK, "Check"))
                    .on_hover_text("Ask TTAPI whether the prompt has banned words (free)")
                    .clicked()
                {
                    start_check(bar, services, false);
                }
                history_menu(bar, services, ui);
                if busy {
                    ui.spinner();
                }
            });
        });
    });
    if submit && services.ready && !bar.prompt.trim().is_empty() {
        if services.settings.check_prompts {
            start_check(bar, services, true);
        } else {
            imagine(bar, services);
        }
    }
    verdict_line(bar, services, ui);
    if let Some(trouble) = &services.trouble {
        ui.colored_label(ui.visuals().error_fg_color, trouble);
    }
    ui.add_space(4.0);
}

/// Submits the prompt as it is in the box; it stays there, for the next variation of it.
fn imagine(bar: &mut PromptBar, services: &mut Services) {
    let prompt = bar.prompt.trim().to_owned();
    let mode = bar.mode;
    services.submit(NewSubmission::Imagine {
        prompt,
        mode,
        timeout: None,
    });
}

fn start_check(bar: &mut PromptBar, services: &mut Services, then_imagine: bool) {
    let prompt = bar.prompt.trim().to_owned();
    let (reply, answer) = Pending::channel();
    if services.send(Command::CheckPrompt {
        prompt: prompt.clone(),
        reply,
    }) {
        bar.check = Some(answer);
        bar.checking = Some((prompt, then_imagine));
    } else if then_imagine {
        imagine(bar, services);
    }
}

fn receive_verdict(bar: &mut PromptBar, services: &mut Services) {
    let Some(outcome) = take_ready(&mut bar.check) else {
        return;
    };
    let Some((prompt, then_imagine)) = bar.checking.take() else {
        return;
    };
    let verdict = match outcome {
        Some(Ok(PromptVerdict::Allowed)) => Verdict::Allowed,
        Some(Ok(PromptVerdict::Refused(reason))) => Verdict::Refused(reason),
        Some(Err(e)) => Verdict::Unavailable(e.to_string()),
        None => Verdict::Unavailable("the engine restarted".into()),
    };
    let refused = matches!(verdict, Verdict::Refused(_));
    bar.verdict = Some((prompt.clone(), verdict));
    // A check that could not run does not stand in the way: it is only a courtesy.
    if then_imagine && !refused && bar.prompt.trim() == prompt {
        imagine(bar, services);
    }
}

fn verdict_line(bar: &mut PromptBar, services: &mut Services, ui: &mut egui::Ui) {
    let current = bar.prompt.trim().to_owned();
    let Some((prompt, verdict)) = &bar.verdict else {
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
        imagine(bar, services);
    }
}

fn history_menu(bar: &mut PromptBar, services: &mut Services, ui: &mut egui::Ui) {
    let history = services.jobs.prompt_history(HISTORY_SHOWN);
    ui.add_enabled_ui(!history.is_empty(), |ui| {
        super::controls::icon_menu(ui, icons::HISTORY, "History", |ui| {
            for prompt in history {
                let shown = first_line(&prompt, 70);
                if ui.button(shown).on_hover_text(&prompt).clicked() {
                    bar.prompt = prompt;
                    bar.history_at = None;
                    ui.close();
                }
            }
        });
    });
}

/// Ctrl+Up goes to older prompts, Ctrl+Down back to newer ones.
fn step_history(bar: &mut PromptBar, services: &mut Services, older: isize) {
    let history = services.jobs.prompt_history(usize::MAX);
    if history.is_empty() {
        return;
    }
    let next = match bar.history_at {
        None if older > 0 => 0,
        None => return,
        Some(at) => at.saturating_add_signed(older).min(history.len() - 1),
    };
    bar.history_at = Some(next);
    bar.prompt = history[next].clone();
}
