//! The prompt bar's studio: the prompt's parameters as chips (click to edit, ✕ to remove; the text is the
//! one source of truth, every edit rewrites it), the warnings of `domain::params` with their reasons on
//! hover, the Parameters popover (aspect with a shape preview, stylize, chaos, weird, version, style raw),
//! and a permutation's preview with its count.

use egui::{Color32, RichText, Sense, Stroke, vec2};

use crate::domain::params::{self, Certainty, Param, Warning};
use crate::domain::permute;
use crate::ui::kit::controls::IconButton;
use crate::ui::kit::icons;
use crate::ui::kit::theme;

/// Aspect ratios the popover offers, portrait to landscape.
const ASPECTS: [&str; 9] = [
    "9:16", "2:3", "3:4", "4:5", "1:1", "5:4", "4:3", "3:2", "16:9",
];

/// Models the popover offers: the value written, and how it reads.
const MODELS: [(&str, Option<&str>, &str); 5] = [
    ("--v", None, "Account default"),
    ("--v", Some("7"), "V7"),
    ("--v", Some("6.1"), "V6.1"),
    ("--v", Some("6.0"), "V6.0"),
    ("--niji", Some("6"), "Niji 6"),
];

/// The chip being edited: its parameter's place and the value typed so far.
#[derive(Default)]
pub struct ChipEdit {
    editing: Option<(usize, String)>,
}

/// The chips row under the prompt. Returns whether the prompt was edited.
pub fn chips(prompt: &mut String, edit: &mut ChipEdit, ui: &mut egui::Ui) -> bool {
    let parsed = params::parse(prompt);
    let warnings = params::check(prompt);
    let mut edited: Option<String> = None;
    if !parsed.params.is_empty() {
        ui.horizontal_wrapped(|ui| {
            ui.spacing_mut().item_spacing = vec2(4.0, 4.0);
            for (index, param) in parsed.params.iter().enumerate() {
                let about: Vec<&Warning> =
                    warnings.iter().filter(|w| w.span == param.span).collect();
                chip(prompt, index, param, &about, edit, &mut edited, ui);
            }
        });
    }
    let loose: Vec<&Warning> = warnings
        .iter()
        .filter(|w| !parsed.params.iter().any(|p| p.span == w.span))
        .collect();
    for warning in loose {
        warning_label(warning, ui);
    }
    match edited {
        Some(text) => {
            *prompt = text;
            true
        }
        None => false,
    }
}

fn warning_colour(ui: &egui::Ui, warnings: &[&Warning]) -> Option<Color32> {
    let worst = warnings.iter().map(|w| w.certainty()).min()?;
    Some(match worst {
        Certainty::Confirmed => ui.visuals().warn_fg_color,
        Certainty::Unconfirmed => theme::palette(ui).weak_text,
    })
}

fn hover_text(param: &Param, warnings: &[&Warning]) -> String {
    let mut text = match param.spec {
        Some(spec) => format!("{} ({})", spec.label, spec.flag),
        None => format!("{}: not a Midjourney parameter", param.written),
    };
    for warning in warnings {
        text.push_str(&format!(
            "\n⚠ {}\n   source: {}",
            warning.message,
            warning.source.describe()
        ));
    }
    text.push_str("\nClick to edit");
    text
}

fn chip(
    prompt: &str,
    index: usize,
    param: &Param,
    warnings: &[&Warning],
    edit: &mut ChipEdit,
    edited: &mut Option<String>,
    ui: &mut egui::Ui,
) {
    let name = param.flag().trim_start_matches('-');
    let text = if param.value.is_empty() {
        name.to_owned()
    } else {
        format!(
            "{name} {}",
            crate::domain::prompt::first_line(&param.value, 24)
        )
    };
    let palette = theme::palette(ui);
    let colour = warning_colour(ui, warnings);
    let mut label = RichText::new(if colour.is_some() {
        format!("⚠ {text}")
    } else {
        text
    });
    if let Some(colour) = colour {
        label = label.color(colour);
    }
    let button = egui::Button::new(label)
        .small()
        .fill(palette.raised)
        .stroke(Stroke::new(1.0, colour.unwrap_or(palette.raised)))
        .corner_radius(10.0);
    let response = ui.add(button).on_hover_text(hover_text(param, warnings));
    egui::Popup::menu(&response)
        .close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside)
        .show(|ui| {
            ui.set_min_width(220.0);
            ui.strong(param.spec.map_or(param.written.as_str(), |s| s.label));
            if !matches!(&edit.editing, Some((at, _)) if *at == index) {
                edit.editing = Some((index, param.value.clone()));
            }
            let Some((_, value)) = &mut edit.editing else {
                return;
            };
            let takes_value = param.spec.is_none_or(|s| s.takes != params::Takes::Nothing);
            let mut apply = false;
            if takes_value {
                let field = ui.add(
                    egui::TextEdit::singleline(value)
                        .hint_text("value")
                        .desired_width(200.0),
                );
                apply = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            }
            for warning in warnings {
                ui.label(
                    RichText::new(&warning.message)
                        .small()
                        .color(ui.visuals().warn_fg_color),
                );
            }
            ui.horizontal(|ui| {
                if takes_value && ui.button("Apply").clicked() {
                    apply = true;
                }
                if ui
                    .add(IconButton::labelled(icons::DELETE, "Remove"))
                    .clicked()
                {
                    *edited = Some(params::remove(prompt, param.span.clone()));
                    ui.close();
                }
                if param.spec.is_none()
                    && let Some(near) = params::nearest_flag(&param.written)
                    && ui.button(format!("Change to {near}")).clicked()
                {
                    *edited = Some(replace_span(prompt, param, near, &param.value));
                    ui.close();
                }
            });
            if apply {
                *edited = Some(replace_span(prompt, param, &param.written, value));
                edit.editing = None;
                ui.close();
            }
        });
}

/// The prompt with `param`'s words replaced by `flag value`.
fn replace_span(prompt: &str, param: &Param, flag: &str, value: &str) -> String {
    let written = if value.trim().is_empty() {
        flag.to_owned()
    } else {
        format!("{flag} {}", value.trim())
    };
    format!(
        "{}{written}{}",
        &prompt[..param.span.start],
        &prompt[param.span.end..]
    )
}

fn warning_label(warning: &Warning, ui: &mut egui::Ui) {
    let colour = warning_colour(ui, &[warning]).unwrap_or(ui.visuals().warn_fg_color);
    ui.label(
        RichText::new(format!("⚠ {}", warning.message))
            .small()
            .color(colour),
    )
    .on_hover_text(format!("source: {}", warning.source.describe()));
}

fn number_of(parsed: &params::ParsedPrompt, flag: &str, default: f64) -> f64 {
    parsed
        .get(flag)
        .and_then(|p| p.value.parse().ok())
        .unwrap_or(default)
}

/// The Parameters button and its popover, which writes the text: the prompt as edited, when it was.
pub fn parameters_button(prompt: &str, ui: &mut egui::Ui) -> Option<String> {
    let parsed = params::parse(prompt);
    let mut edited = None;
    parameters_popover(prompt, &parsed, &mut edited, ui);
    edited
}

fn parameters_popover(
    prompt: &str,
    parsed: &params::ParsedPrompt,
    edited: &mut Option<String>,
    ui: &mut egui::Ui,
) {
    let response = ui
        .add(IconButton::new(icons::PARAMETERS, "Parameters"))
        .on_hover_text(
            "Aspect, stylize, chaos, weird, version and style raw, written into the prompt",
        );
    egui::Popup::menu(&response)
        .close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside)
        .show(|ui| {
            ui.set_min_width(320.0);
            let mut text = edited.clone().unwrap_or_else(|| prompt.to_owned());
            let before = text.clone();
            aspect_choice(parsed, &mut text, ui);
            ui.add_space(6.0);
            egui::Grid::new("parameter_sliders")
                .num_columns(2)
                .show(ui, |ui| {
                    sliders(parsed, &mut text, ui);
                    version_choice(parsed, &mut text, ui);
                    style_raw(parsed, &mut text, ui);
                });
            if text != before {
                *edited = Some(text);
            }
        });
}

/// The aspect ratios as shapes; 1:1, Midjourney's default, is written as no `--ar` at all.
fn aspect_choice(parsed: &params::ParsedPrompt, text: &mut String, ui: &mut egui::Ui) {
    ui.strong("Aspect ratio");
    let current = parsed.get("--ar").map_or("1:1", |p| p.value.as_str());
    ui.horizontal_wrapped(|ui| {
        for aspect in ASPECTS {
            if aspect_button(ui, aspect, current == aspect).clicked() {
                *text = if aspect == "1:1" {
                    params::remove_all(text, "--ar")
                } else {
                    params::set(text, "--ar", Some(aspect))
                };
            }
        }
    });
}

/// Stylize, chaos and weird as sliders, one grid row each; a value back at its default leaves the text.
fn sliders(parsed: &params::ParsedPrompt, text: &mut String, ui: &mut egui::Ui) {
    for (flag, label, max, default) in [
        ("--stylize", "Stylize", 1000.0, 100.0),
        ("--chaos", "Chaos", 100.0, 0.0),
        ("--weird", "Weird", 3000.0, 0.0),
    ] {
        ui.label(label);
        let mut value = number_of(parsed, flag, default);
        let slider = ui.add(egui::Slider::new(&mut value, 0.0..=max).integer());
        if slider.changed() {
            *text = if (value - default).abs() < f64::EPSILON {
                params::remove_all(text, flag)
            } else {
                params::set(text, flag, Some(&format!("{value:.0}")))
            };
        }
        ui.end_row();
    }
}

/// The model's grid row: the versions offered, the one written shown ("Other" for one not offered).
fn version_choice(parsed: &params::ParsedPrompt, text: &mut String, ui: &mut egui::Ui) {
    ui.label("Version");
    let model = parsed.model();
    let chosen = MODELS
        .iter()
        .find(|(flag, value, _)| match (model, value) {
            (params::Model::Default, None) => true,
            (params::Model::Version(v), Some(value)) => {
                *flag == "--v" && value.parse::<f32>().is_ok_and(|x| x == v)
            }
            (params::Model::Niji(n), Some(value)) => {
                *flag == "--niji" && n.map(|n| n.to_string()).as_deref() == Some(value)
            }
            _ => false,
        })
        .map_or("Other", |(_, _, label)| *label);
    egui::ComboBox::from_id_salt("parameter_version")
        .selected_text(chosen)
        .show_ui(ui, |ui| {
            for (flag, value, label) in MODELS {
                if ui.selectable_label(chosen == label, label).clicked() {
                    let cleared = params::remove_all(&params::remove_all(text, "--v"), "--niji");
                    *text = match value {
                        None => cleared,
                        Some(value) => params::set(&cleared, flag, Some(value)),
                    };
                }
            }
        });
    ui.end_row();
}

/// The style's grid row: `--style raw` on or off.
fn style_raw(parsed: &params::ParsedPrompt, text: &mut String, ui: &mut egui::Ui) {
    ui.label("Style");
    let mut raw = parsed.get("--style").is_some_and(|p| p.value == "raw");
    if ui.checkbox(&mut raw, "Style raw").changed() {
        *text = if raw {
            params::set(text, "--style", Some("raw"))
        } else {
            params::remove_all(text, "--style")
        };
    }
    ui.end_row();
}

/// A ratio's button: its shape drawn to scale, the ratio under it.
fn aspect_button(ui: &mut egui::Ui, aspect: &str, selected: bool) -> egui::Response {
    let (w, h) = crate::domain::prompt::aspect_ratio(&format!("--ar {aspect}")).unwrap_or((1, 1));
    let (rect, response) = ui.allocate_exact_size(vec2(38.0, 46.0), Sense::click());
    let palette = theme::palette(ui);
    let scale = 26.0 / w.max(h) as f32;
    let shape = egui::Rect::from_center_size(
        rect.center_top() + vec2(0.0, 16.0),
        vec2(w as f32 * scale, h as f32 * scale),
    );
    let colour = if selected || response.hovered() {
        palette.accent
    } else {
        palette.weak_text
    };
    ui.painter().rect_stroke(
        shape,
        2.0,
        Stroke::new(1.5, colour),
        egui::StrokeKind::Inside,
    );
    ui.painter().text(
        rect.center_bottom(),
        egui::Align2::CENTER_BOTTOM,
        aspect,
        egui::FontId::proportional(10.0),
        colour,
    );
    response.widget_info(|| egui::WidgetInfo::selected(egui::Role::Button, true, selected, aspect));
    response.on_hover_text(format!("--ar {aspect}"))
}

/// What a press of Imagine would send: the prompts, or why the braces cannot be read.
pub fn planned(prompt: &str, permute: bool) -> Result<Vec<String>, permute::PermuteError> {
    permute::batch(prompt, permute)
}

/// The plan of the prompt in the bar, and whether it is a batch at all.
pub struct Plan {
    pub is_batch: bool,
    pub prompts: Result<Vec<String>, permute::PermuteError>,
}

/// [`planned`] worked out again only when the prompt or the Permute toggle changes: the window draws
/// frames while nothing is typed (hover, progress, toasts), and a pasted prompt can be long.
#[derive(Default)]
pub struct PlanCache {
    current: Option<(String, bool, Plan)>,
    #[cfg(test)]
    worked_out: usize,
}

impl PlanCache {
    pub fn get(&mut self, prompt: &str, permute: bool) -> &Plan {
        let fresh = self
            .current
            .as_ref()
            .is_some_and(|(text, toggle, _)| text == prompt && *toggle == permute);
        if !fresh {
            self.current = None;
        }
        let (_, _, plan) = self.current.get_or_insert_with(|| {
            #[cfg(test)]
            {
                self.worked_out += 1;
            }
            let plan = Plan {
                is_batch: permute::is_batch(prompt),
                prompts: planned(prompt, permute),
            };
            (prompt.to_owned(), permute, plan)
        });
        plan
    }
}

/// The permutation's preview under the bar: its count, the prompts on opening, and the Permute toggle.
pub fn batch_preview(permute: &mut bool, plan: &Plan, ui: &mut egui::Ui) {
    if !plan.is_batch {
        return;
    }
    let plan = &plan.prompts;
    ui.horizontal(|ui| {
        ui.checkbox(permute, "Permute")
            .on_hover_text("Expand {a, b} into one prompt each; off sends the braces as typed");
        match plan {
            Ok(prompts) if prompts.len() > 1 => {
                egui::CollapsingHeader::new(format!("{} prompts", prompts.len()))
                    .id_salt("batch_preview")
                    .show(ui, |ui| {
                        egui::ScrollArea::vertical()
                            .max_height(140.0)
                            .show(ui, |ui| {
                                for (n, p) in prompts.iter().enumerate() {
                                    ui.label(RichText::new(format!("{}. {p}", n + 1)).small());
                                }
                            });
                    });
            }
            Ok(_) => {
                ui.label(RichText::new("1 prompt").small());
            }
            Err(e) => {
                ui.colored_label(ui.visuals().warn_fg_color, format!("The braces: {e}"));
            }
        }
    });
}

/// How a dragged image goes into the prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferenceUse {
    ImagePrompt,
    Style,
    Character,
    Omni,
}

impl ReferenceUse {
    pub const ALL: [ReferenceUse; 4] = [
        ReferenceUse::ImagePrompt,
        ReferenceUse::Style,
        ReferenceUse::Character,
        ReferenceUse::Omni,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ReferenceUse::ImagePrompt => "Image prompt",
            ReferenceUse::Style => "Style reference (--sref)",
            ReferenceUse::Character => "Character reference (--cref)",
            ReferenceUse::Omni => "Omni reference (--oref)",
        }
    }

    /// The prompt with `urls` where this use needs them: in front for an image prompt, after the flag
    /// (added to any already there) for a reference.
    pub fn apply(self, prompt: &str, urls: &[String]) -> String {
        let flag = match self {
            ReferenceUse::ImagePrompt => {
                return crate::domain::prompt::with_image_prompts(prompt, urls);
            }
            ReferenceUse::Style => "--sref",
            ReferenceUse::Character => "--cref",
            ReferenceUse::Omni => "--oref",
        };
        let parsed = params::parse(prompt);
        let mut values: Vec<String> = parsed
            .get(flag)
            .map(|p| p.value.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default();
        if flag == "--oref" {
            // Midjourney takes one omni reference: the new one replaces it.
            values.clear();
        }
        for url in urls {
            if !values.contains(url) {
                values.push(url.clone());
            }
        }
        if flag == "--oref" {
            values.truncate(1);
        }
        params::set(prompt, flag, Some(&values.join(" ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_is_worked_out_again_only_when_the_text_or_the_toggle_changes() {
        let mut cache = PlanCache::default();
        let wall = "{".repeat(100_000);
        for _frame in 0..5 {
            assert!(matches!(
                cache.get(&wall, true).prompts,
                Err(permute::PermuteError::TooDeep(_))
            ));
        }
        assert_eq!(cache.worked_out, 1, "five frames, one parse");
        assert_eq!(
            cache.get("a {b, c}", true).prompts.as_ref().map(Vec::len),
            Ok(2)
        );
        assert_eq!(
            cache.get("a {b, c}", false).prompts.as_ref().map(Vec::len),
            Ok(1)
        );
        assert!(cache.get("a {b, c}", false).is_batch);
        assert_eq!(cache.worked_out, 3);
    }

    #[test]
    fn a_dragged_image_goes_where_its_use_needs_it() {
        let url = |n: u8| format!("https://cdn.ttapi.io/midjourney/{n}.png");
        let one = [url(1)];
        assert_eq!(
            ReferenceUse::ImagePrompt.apply("a fox --ar 3:2", &one),
            format!("{} a fox --ar 3:2", url(1))
        );
        assert_eq!(
            ReferenceUse::Style.apply("a fox --ar 3:2", &one),
            format!("a fox --ar 3:2 --sref {}", url(1))
        );
        let two = ReferenceUse::Style.apply(&format!("a fox --sref {} --v 7", url(1)), &[url(2)]);
        assert_eq!(
            two,
            format!("a fox --sref {} {} --v 7", url(1), url(2)),
            "added to the codes there"
        );
        assert_eq!(
            ReferenceUse::Character.apply("a knight --v 6.0", &one),
            format!("a knight --v 6.0 --cref {}", url(1))
        );
        assert_eq!(
            ReferenceUse::Omni.apply(&format!("a knight --oref {}", url(1)), &[url(2)]),
            format!("a knight --oref {}", url(2)),
            "one omni reference: the new one replaces it"
        );
    }
}
