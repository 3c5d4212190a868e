//! The prompt under the navigation row: the text with its mode, history and optional prompt check, and
//! the Imagine button.

use egui::{Id, Key, KeyboardShortcut, Modifiers, RichText};

use crate::api::{ApiError, ModeHealth, PromptVerdict};
use crate::domain::Mode;
use crate::domain::pricing::format_quota;
use crate::domain::prompt::first_line;
use crate::engine::Command;
use crate::library::JobRecord;
use crate::ui::kit::controls::IconButton;
use crate::ui::kit::icons;
use crate::ui::runtime::intents::PromptEdit;
use crate::ui::runtime::pending::{Pending, take_ready};
use crate::ui::runtime::services::Services;

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
    chip_edit: crate::ui::studio::parameters::ChipEdit,
    /// Expand `{a, b}` into one prompt each (on), or send braces as typed.
    pub permute: bool,
    /// A batch over the Settings threshold, waiting for the user's yes: its prompts and estimate.
    confirming: Option<(Vec<String>, f64)>,
    /// Whether Enter may answer the question: `None` on the frame it opens, then whether Enter has been up
    /// since. The key that opened the question (a held Ctrl+Enter, Enter on a focused Imagine) and its
    /// repeats must not also send the batch: only a fresh press does, or a click.
    enter_ready: Option<bool>,
    plan: crate::ui::studio::parameters::PlanCache,
    /// Jobs dropped on the prompt, waiting for how to use them (image prompt, --sref, --cref, --oref).
    dropped_jobs: Vec<i64>,
    /// The user's own files dropped on the prompt: they have no web address, so Blend or Describe.
    pub dropped_files: Vec<crate::ui::sources::inputs::SourceInput>,
    /// Where the prompt's text was drawn last frame (files dropped there are the bar's).
    pub rect: Option<egui::Rect>,
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
            PromptEdit::Reference(use_as, urls) => use_as.apply(&self.prompt, &urls),
        };
    }

    /// Whether the bar is asking the user something (a batch over the threshold).
    pub fn is_asking(&self) -> bool {
        self.confirming.is_some()
    }

    pub fn new(mode: Mode) -> PromptBar {
        PromptBar {
            prompt: String::new(),
            mode,
            history_at: None,
            check: None,
            checking: None,
            verdict: None,
            chip_edit: Default::default(),
            permute: true,
            confirming: None,
            enter_ready: None,
            plan: Default::default(),
            dropped_jobs: Vec::new(),
            dropped_files: Vec::new(),
            rect: None,
        }
    }
}

pub fn show(bar: &mut PromptBar, services: &mut Services, ui: &mut egui::Ui) {
    receive_verdict(bar, services);
    ui.add_space(2.0);
    let mut submit = prompt_keys(bar, services, ui);
    ui.horizontal(|ui| {
        prompt_field(bar, ui);
        ui.vertical(|ui| {
            ui.horizontal(|ui| {
                crate::ui::kit::controls::mode_segmented(ui, &mut bar.mode);
                mode_status(bar.mode, services, ui);
            });
            ui.horizontal(|ui| submit |= actions(bar, services, ui));
        });
    });
    if crate::ui::studio::parameters::chips(&mut bar.prompt, &mut bar.chip_edit, ui) {
        bar.history_at = None;
    }
    let plan = bar.plan.get(&bar.prompt, bar.permute);
    crate::ui::studio::parameters::batch_preview(&mut bar.permute, plan, ui);
    if submit && services.status.ready && !bar.prompt.trim().is_empty() {
        if services.settings.check_prompts {
            start_check(bar, services, true);
        } else {
            imagine(bar, services);
        }
    }
    verdict_line(bar, services, ui);
    confirm_batch(bar, services, ui);
    reference_choice(bar, services, ui);
    own_files_notice(bar, services, ui);

    if let Some(trouble) = &services.status.trouble {
        ui.colored_label(ui.visuals().error_fg_color, trouble);
    }
    ui.add_space(4.0);
}

/// The prompt's keys while it has focus: Ctrl+Up/Down step through the history. Whether Ctrl+Enter asked
/// to imagine.
fn prompt_keys(bar: &mut PromptBar, services: &mut Services, ui: &mut egui::Ui) -> bool {
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
    submit
}

/// The prompt's text, which also takes jobs dragged onto it (outlined while they hover).
fn prompt_field(bar: &mut PromptBar, ui: &mut egui::Ui) {
    let width = ui.available_width() - 410.0;
    let label =
        ui.label(RichText::new("Prompt").color(crate::ui::kit::theme::palette(ui).weak_text));
    let edit = egui::TextEdit::multiline(&mut bar.prompt)
        .id(Id::unique(PROMPT_ID))
        .font(egui::FontId::proportional(PROMPT_TEXT_SIZE))
        .hint_text("Describe an image… (Ctrl+Enter imagines, Ctrl+Up/Down recalls earlier prompts)")
        .margin(egui::vec2(8.0, 6.0))
        .desired_rows(2)
        .desired_width(width.max(200.0));
    let response = ui.add(edit).labelled_by(label.id);
    if response
        .dnd_hover_payload::<crate::ui::board::panel::DraggedJobs>()
        .is_some()
    {
        ui.painter().rect_stroke(
            response.rect,
            4.0,
            egui::Stroke::new(2.0, crate::ui::kit::theme::palette(ui).accent),
            egui::StrokeKind::Outside,
        );
    }
    bar.rect = Some(response.rect);
    if let Some(dropped) = response.dnd_release_payload::<crate::ui::board::panel::DraggedJobs>() {
        bar.dropped_jobs = dropped.0.clone();
    }
    if response.changed() {
        bar.history_at = None;
    }
}

/// Imagine, Check, History and Parameters, with the estimate after them. Whether Imagine was pressed.
fn actions(bar: &mut PromptBar, services: &mut Services, ui: &mut egui::Ui) -> bool {
    let has_prompt = !bar.prompt.trim().is_empty();
    let busy = bar.checking.is_some();
    let can = services.status.ready && has_prompt && !busy;
    let mut submit = false;
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
    if let Some(text) = crate::ui::studio::parameters::parameters_button(&bar.prompt, ui) {
        bar.prompt = text;
        bar.history_at = None;
    }
    if busy {
        ui.spinner();
    }
    estimate_label(bar, services, ui);
    submit
}

/// Submits the prompt as it is in the box (it stays there, for the next variation of it): one job, or one
/// per prompt of a permutation or repeat. Over the Settings threshold, it asks first.
fn imagine(bar: &mut PromptBar, services: &mut Services) {
    let prompts = match crate::ui::studio::parameters::planned(&bar.prompt, bar.permute) {
        Ok(prompts) => prompts,
        Err(e) => {
            services.toasts.push(
                crate::ui::runtime::toasts::ToastKind::Error,
                format!("Nothing was sent: the prompt's braces: {e}"),
                None,
            );
            return;
        }
    };
    let (quota, _) = services
        .status
        .account
        .prices()
        .estimate_imagines(bar.mode, &prompts);
    if quota > services.settings.confirm_above_quota {
        bar.confirming = Some((prompts, quota));
        bar.enter_ready = None;
        return;
    }
    services.submit_batch(prompts, bar.mode);
}

/// "Send 12 jobs for about 24 quota?" until the user answers.
fn confirm_batch(bar: &mut PromptBar, services: &mut Services, ui: &mut egui::Ui) {
    let Some((prompts, quota)) = &bar.confirming else {
        return;
    };
    let mut answer = None;
    let fresh_enter = fresh_enter(&mut bar.enter_ready, ui);
    egui::Modal::new(Id::unique("confirm_batch")).show(ui.ctx(), |ui| {
        ui.set_max_width(420.0);
        ui.heading("Send this batch?");
        ui.label(format!(
            "{} for about {} quota: above the {} quota Settings asks about.",
            match prompts.len() {
                1 => "1 job".to_owned(),
                n => format!("{n} jobs"),
            },
            format_quota(*quota),
            format_quota(services.settings.confirm_above_quota)
        ));
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            // The keys are the question's: Esc must not also leave the view behind it.
            if ui.button(RichText::new("Send").strong()).clicked() || fresh_enter {
                answer = Some(true);
            }
            if ui.button("Cancel").clicked()
                || ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape))
            {
                answer = Some(false);
            }
        });
    });
    match answer {
        Some(true) => {
            if let Some((prompts, _)) = bar.confirming.take() {
                services.submit_batch(prompts, bar.mode);
            }
        }
        Some(false) => bar.confirming = None,
        None => {}
    }
}

/// Takes this frame's Enter keys for the batch question, and whether one is a fresh press that answers it:
/// not a repeat, not on the frame the question opened, and not while the Enter held since then is still
/// down (its release has to come first). A held Ctrl+Enter would otherwise confirm a 40-job batch.
fn fresh_enter(ready: &mut Option<bool>, ui: &egui::Ui) -> bool {
    ui.input_mut(|input| {
        let Some(was_ready) = *ready else {
            // The frame the question opened: whatever Enter did here opened it.
            *ready = Some(!input.key_down(Key::Enter));
            input.events.retain(|e| {
                !matches!(
                    e,
                    egui::Event::Key {
                        key: Key::Enter,
                        ..
                    }
                )
            });
            return false;
        };
        let mut up = was_ready;
        let mut fresh = false;
        input.events.retain(|event| match event {
            egui::Event::Key {
                key: Key::Enter,
                pressed,
                repeat,
                modifiers,
                ..
            } => {
                if !pressed {
                    up = true;
                } else if !repeat && up && modifiers.is_none() {
                    fresh = true;
                    up = false;
                }
                false
            }
            _ => true,
        });
        *ready = Some(up);
        fresh
    })
}

/// Jobs dragged onto the prompt: their TTAPI image addresses go where the chosen use needs them.
fn reference_choice(bar: &mut PromptBar, services: &mut Services, ui: &mut egui::Ui) {
    if bar.dropped_jobs.is_empty() {
        return;
    }
    let jobs: Vec<JobRecord> = bar
        .dropped_jobs
        .iter()
        .filter_map(|id| services.jobs.get(*id).cloned())
        .collect();
    // An address from another backend (the offline simulator's, say) would not load at this one.
    let urls: Vec<String> = jobs
        .iter()
        .filter(|job| job.backend == services.status.backend)
        .filter_map(|job| job.image_url.clone())
        .collect();
    let mut done = false;
    ui.horizontal_wrapped(|ui| {
        if urls.is_empty() {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                "That image has no TTAPI web address here (not finished, or made on another backend), so it \
                 cannot go into the prompt.",
            );
        } else {
            let what = match urls.len() {
                1 => format!("Use #{} as", jobs[0].id),
                n => format!("Use {n} images as"),
            };
            ui.label(what);
            for choice in crate::ui::studio::parameters::ReferenceUse::ALL {
                if ui.button(choice.label()).clicked() {
                    bar.prompt = choice.apply(&bar.prompt, &urls);
                    done = true;
                }
            }
        }
        if ui.button("Cancel").clicked() {
            done = true;
        }
    });
    if done {
        bar.dropped_jobs.clear();
    }
}

/// The user's own files dropped on the prompt: TTAPI reads references from web addresses only.
fn own_files_notice(bar: &mut PromptBar, services: &mut Services, ui: &mut egui::Ui) {
    if bar.dropped_files.is_empty() {
        return;
    }
    let mut target = None;
    ui.horizontal_wrapped(|ui| {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            "Your own files have no web address TTAPI can read, so they cannot be image prompts or \
             references. Blend them, or describe one to get a prompt from it.",
        );
        if ui.button("Blend them").clicked() {
            target = Some(Some(crate::ui::sources::inputs::SourceTarget::Blend));
        }
        if ui.button("Describe it").clicked() {
            target = Some(Some(crate::ui::sources::inputs::SourceTarget::Describe));
        }
        if ui.button("Cancel").clicked() {
            target = Some(None);
        }
    });
    match target {
        Some(Some(target)) => {
            let mut inputs = std::mem::take(&mut bar.dropped_files);
            if target == crate::ui::sources::inputs::SourceTarget::Describe {
                inputs.truncate(1);
            }
            services.ask(crate::ui::runtime::intents::Intent::Sources {
                target,
                inputs,
                replace: false,
            });
            services.ask(crate::ui::runtime::intents::Intent::Show(match target {
                crate::ui::sources::inputs::SourceTarget::Describe => {
                    crate::ui::runtime::nav::View::Describe
                }
                _ => crate::ui::runtime::nav::View::Blend,
            }));
        }
        Some(None) => bar.dropped_files.clear(),
        None => {}
    }
}

/// The estimate beside Imagine: one job's, or the batch's with its count; how it was reached on hover.
fn estimate_label(bar: &mut PromptBar, services: &Services, ui: &mut egui::Ui) {
    let Ok(prompts) = &bar.plan.get(&bar.prompt, bar.permute).prompts else {
        return;
    };
    if bar.prompt.trim().is_empty() {
        return;
    }
    let (quota, basis) = services
        .status
        .account
        .prices()
        .estimate_imagines(bar.mode, prompts);
    let text = match prompts.len() {
        1 => format!("≈ {} quota", format_quota(quota)),
        n => format!("≈ {} quota · {n} jobs", format_quota(quota)),
    };
    let how = match basis {
        crate::domain::pricing::Basis::Default => {
            "An estimate from Moodgrid's default prices: no such job has been charged yet"
                .to_owned()
        }
        crate::domain::pricing::Basis::Learned { jobs } => {
            format!("An estimate: the median TTAPI charged for your last {jobs} such imagines")
        }
    };
    let over = quota > services.settings.confirm_above_quota;
    let mut label = RichText::new(text).small();
    label = if over {
        label.color(ui.visuals().warn_fg_color)
    } else {
        label.color(crate::ui::kit::theme::palette(ui).weak_text)
    };
    ui.label(label).on_hover_text(how);
}

/// Beside the mode picker: the chosen mode's expected time, or that it is down (TTAPI's service status);
/// every mode's on hover.
fn mode_status(mode: crate::domain::Mode, services: &Services, ui: &mut egui::Ui) {
    let account = &services.status.account;
    let all: Vec<String> = crate::domain::Mode::ALL
        .iter()
        .map(|m| {
            format!(
                "{m}: {}",
                crate::ui::studio::account::health_text(account.health(*m))
            )
        })
        .collect();
    let label = if account.is_down(mode) {
        RichText::new(format!("⚠ {mode} down"))
            .small()
            .color(ui.visuals().warn_fg_color)
    } else {
        let time = account
            .health(mode)
            .and_then(ModeHealth::typical_time)
            .map_or(String::new(), |time| format!("~{time}"));
        RichText::new(time)
            .small()
            .color(crate::ui::kit::theme::palette(ui).weak_text)
    };
    ui.add_space(6.0);
    ui.label(label).on_hover_text(all.join("\n"));
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
    } else {
        services.refused("the prompt was not checked");
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
        crate::ui::kit::controls::icon_menu(ui, icons::HISTORY, "History", |ui| {
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

#[cfg(test)]
mod tests {
    use egui_kittest::Harness;
    use egui_kittest::kittest::{NodeT, Queryable};

    use super::*;
    use crate::ui::runtime::intents::Intent;
    use crate::ui::runtime::testing::frames_until;
    use crate::ui::runtime::testing::ready_services;

    /// The prompt bar drawn alone over a ready engine: the typed prompt, sent by Imagine, becomes a job in
    /// the library, and the job is opened.
    #[test]
    fn imagine_sends_the_typed_prompt_and_opens_its_job() {
        let data = tempfile::tempdir().unwrap();
        let services = ready_services(data.path());
        let mut harness = Harness::builder()
            .with_context_setup(crate::ui::kit::icons::install)
            .build_ui_state(
                |ui, (bar, services, opened): &mut (PromptBar, Services, Vec<i64>)| {
                    services.receive();
                    show(bar, services, ui);
                    opened.extend(services.take_intents().into_iter().filter_map(|intent| {
                        match intent {
                            Intent::OpenJob(id) => Some(id),
                            _ => None,
                        }
                    }));
                },
                (PromptBar::new(Mode::Relax), services, Vec::new()),
            );
        harness.run();
        assert!(
            harness
                .get_by_label("Imagine")
                .accesskit_node()
                .is_disabled(),
            "nothing to imagine yet"
        );
        let field = |node: &egui_kittest::kittest::AccessKitNode<'_>| {
            node.role() == egui::accesskit::Role::MultilineTextInput
        };
        harness.get_by(field).focus();
        harness.step();
        harness.get_by(field).type_text("a lighthouse at dusk");
        harness.step();
        harness.get_by_label("Imagine").click();
        frames_until(&mut harness, "the job to open", |h| !h.state().2.is_empty());

        let opened = harness.state().2.clone();
        let jobs = crate::library::Library::open(data.path())
            .unwrap()
            .recent_jobs(10)
            .unwrap();
        let sent: Vec<(i64, &str)> = jobs.iter().map(|j| (j.id, j.prompt.as_str())).collect();
        assert_eq!(sent, [(opened[0], "a lighthouse at dusk")]);
        assert_eq!(
            harness.state().0.prompt,
            "a lighthouse at dusk",
            "the prompt stays for its next variation"
        );
    }
}
