//! Moodgrid's own controls, drawn with the theme: buttons with an icon (each keeps a name for its tooltip
//! and for screen readers, which is also how the window tests find it), the segmented choice (the mode, the
//! theme, a blend's aspect), a drop-down with its label before it, and a job's progress drawn as a ring.

use egui::{Button, Response, RichText, Ui, Widget, WidgetInfo, vec2};

use crate::ui::kit::icons::Icon;
use crate::ui::kit::theme;

/// The size icons are drawn at in buttons; large enough to read at a glance, as toolbars in design tools do.
const ICON_SIZE: f32 = 18.0;
/// An icon-only button is square and at least this big: a comfortable target for a pointer.
const ICON_BUTTON_SIDE: f32 = 30.0;

/// A button showing an icon, alone or before a word. Its name is what it does: shown as the tooltip of an
/// icon-only button and given to assistive technology (not the icon's private-use character).
pub struct IconButton<'a> {
    icon: Icon,
    name: &'a str,
    show_name: bool,
    selected: Option<bool>,
    primary: bool,
    framed: bool,
}

impl<'a> IconButton<'a> {
    /// The icon alone; `name` is its tooltip.
    pub fn new(icon: Icon, name: &'a str) -> IconButton<'a> {
        IconButton {
            icon,
            name,
            show_name: false,
            selected: None,
            primary: false,
            framed: false,
        }
    }

    /// The icon followed by its name.
    pub fn labelled(icon: Icon, name: &'a str) -> IconButton<'a> {
        IconButton {
            show_name: true,
            ..IconButton::new(icon, name)
        }
    }

    /// A button that stays down while something is chosen (a tab, a tool).
    pub fn selected(mut self, selected: bool) -> IconButton<'a> {
        self.selected = Some(selected);
        self
    }

    /// An icon-only button framed like the word buttons beside it (the pan arrows among U and V keys).
    pub fn framed(mut self) -> IconButton<'a> {
        self.framed = true;
        self
    }

    /// The one action a screen leads to (Imagine): filled with the accent.
    pub fn primary(mut self) -> IconButton<'a> {
        self.primary = true;
        self
    }
}

impl Widget for IconButton<'_> {
    fn ui(self, ui: &mut Ui) -> Response {
        let palette = theme::palette(ui);
        let on_fill = |text: RichText| {
            if self.primary {
                text.color(palette.on_accent).strong()
            } else {
                text
            }
        };
        let glyph = on_fill(self.icon.rich_text().size(ICON_SIZE));
        let mut button = if self.show_name {
            Button::new((glyph, on_fill(RichText::new(self.name))))
        } else {
            Button::new(glyph).min_size(vec2(ICON_BUTTON_SIDE, ICON_BUTTON_SIDE))
        };
        if self.primary {
            button = button.fill(palette.accent);
        }
        // Tabs, tools and toolbar icons show a frame only when hovered or chosen, as design tools draw them.
        if let Some(selected) = self.selected {
            button = button.selected(selected).frame_when_inactive(selected);
        } else if !self.show_name && !self.primary && !self.framed {
            button = button.frame_when_inactive(false);
        }
        let response = ui.add(button);
        let enabled = ui.is_enabled();
        let (name, selected) = (self.name, self.selected);
        response.widget_info(|| match selected {
            Some(selected) => WidgetInfo::selected(egui::Role::Button, enabled, selected, name),
            None => WidgetInfo::labeled(egui::Role::Button, enabled, name),
        });
        if self.show_name {
            response
        } else {
            response.on_hover_text(name).on_disabled_hover_text(name)
        }
    }
}

/// An icon beside the words that say the same (a status, a field's label): painted only, so a screen
/// reader reads the words and not the icon's private-use character.
pub fn decoration(ui: &mut Ui, icon: Icon, color: egui::Color32) {
    let (rect, _) = ui.allocate_exact_size(vec2(ICON_SIZE, ICON_SIZE), egui::Sense::hover());
    paint_icon(ui.painter(), rect.center(), icon, ICON_SIZE, color);
}

/// An icon centred on `at` (in place of a picture that is not there).
pub fn paint_icon(
    painter: &egui::Painter,
    at: egui::Pos2,
    icon: Icon,
    size: f32,
    color: egui::Color32,
) {
    painter.text(
        at,
        egui::Align2::CENTER_CENTER,
        icon.codepoint,
        egui::FontId::new(size, icon.font_family()),
        color,
    );
}

/// A menu opened by an icon button (Help, Render): named like [`IconButton`].
pub fn icon_menu<R>(
    ui: &mut Ui,
    icon: Icon,
    name: &str,
    contents: impl FnOnce(&mut Ui) -> R,
) -> Response {
    let button = Button::new(icon.rich_text().size(ICON_SIZE))
        .frame_when_inactive(false)
        .min_size(vec2(ICON_BUTTON_SIDE, ICON_BUTTON_SIDE));
    menu(ui, button, name, None, contents).on_hover_text(name)
}

/// A panel of choices opened by a button showing its icon and `label` ("More filters (2)"); `name` for
/// screen readers. It stays open while choices are made in it, until a click outside.
pub fn choices_menu<R>(
    ui: &mut Ui,
    icon: Icon,
    (name, label): (&str, &str),
    contents: impl FnOnce(&mut Ui) -> R,
) -> Response {
    let button = Button::new((icon.rich_text().size(ICON_SIZE), RichText::new(label)));
    let stays_open = egui::containers::menu::MenuConfig::new()
        .close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside);
    menu(ui, button, name, Some(stays_open), contents)
}

fn menu<R>(
    ui: &mut Ui,
    button: Button<'_>,
    name: &str,
    config: Option<egui::containers::menu::MenuConfig>,
    contents: impl FnOnce(&mut Ui) -> R,
) -> Response {
    let mut menu = egui::containers::menu::MenuButton::from_button(button);
    if let Some(config) = config {
        menu = menu.config(config);
    }
    let response = menu.ui(ui, contents).0;
    let enabled = ui.is_enabled();
    response.widget_info(|| WidgetInfo::labeled(egui::Role::Button, enabled, name));
    response
}

/// A removable chip: what one active filter keeps, with a cross. Its name says what a click does.
pub fn chip(ui: &mut Ui, text: &str) -> Response {
    let palette = theme::palette(ui);
    let cross = crate::ui::kit::icons::CLOSE
        .rich_text()
        .size(14.0)
        .color(palette.weak_text);
    let response = ui.add(
        Button::new((RichText::new(text), cross))
            .corner_radius(12.0)
            .fill(palette.accent.gamma_multiply(0.18))
            .stroke(egui::Stroke::new(1.0, palette.accent.gamma_multiply(0.5))),
    );
    let name = format!("Remove filter: {text}");
    let enabled = ui.is_enabled();
    response.widget_info(|| WidgetInfo::labeled(egui::Role::Button, enabled, &name));
    response.on_hover_text("Remove this filter")
}

/// Side-by-side buttons of which one is chosen (the mode: fast, relax, turbo); `hint` is their tooltip.
pub fn segmented<T: PartialEq + Copy>(
    ui: &mut Ui,
    hint: &str,
    value: &mut T,
    choices: &[(T, &str)],
) {
    let radius = ui.visuals().widgets.inactive.corner_radius.nw;
    ui.horizontal(|ui| {
        // Joined, with the outer corners rounded, so the choices read as one control.
        ui.spacing_mut().item_spacing.x = 0.0;
        let last = choices.len().saturating_sub(1);
        for (index, (choice, text)) in choices.iter().enumerate() {
            let chosen = *value == *choice;
            let corners = egui::CornerRadius {
                nw: if index == 0 { radius } else { 0 },
                sw: if index == 0 { radius } else { 0 },
                ne: if index == last { radius } else { 0 },
                se: if index == last { radius } else { 0 },
            };
            let text = if chosen {
                RichText::new(*text).strong()
            } else {
                RichText::new(*text)
            };
            let segment = Button::selectable(chosen, text)
                .frame_when_inactive(true)
                .corner_radius(corners)
                .min_size(vec2(54.0, ICON_BUTTON_SIDE));
            if ui.add(segment).on_hover_text(hint).clicked() {
                *value = *choice;
            }
        }
    });
}

/// A form's label, centred on the height of the controls beside it (a segmented choice, icon buttons).
pub fn form_label(ui: &mut Ui, text: &str) -> Response {
    ui.horizontal(|ui| {
        ui.set_min_height(ICON_BUTTON_SIDE);
        ui.label(text)
    })
    .inner
}

/// What the user answered to [`confirm`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Not yet: the question stays.
    Open,
    Go,
    Cancel,
}

/// A question before something that cannot be undone: `title`, what will happen, the button that does it
/// and Cancel (Esc or a click beside it cancels too).
pub fn confirm(ctx: &egui::Context, id: &str, title: &str, text: &str, go: &str) -> Answer {
    let mut answer = Answer::Open;
    let modal = egui::Modal::new(egui::Id::unique(id)).show(ctx, |ui| {
        ui.heading(title);
        ui.label(text);
        ui.horizontal(|ui| {
            if ui.button(go).clicked() {
                answer = Answer::Go;
            }
            if ui.button("Cancel").clicked() {
                answer = Answer::Cancel;
            }
        });
    });
    if answer == Answer::Open && modal.should_close() {
        answer = Answer::Cancel;
    }
    answer
}

/// A drop-down with its label before it (read first, as in a form), named by that label for screen readers.
pub fn labelled_combo(
    ui: &mut Ui,
    label: &str,
    selected: impl Into<egui::WidgetText>,
    choices: impl FnOnce(&mut Ui),
) {
    let add = |ui: &mut Ui| {
        let name = ui.label(label);
        egui::ComboBox::from_id_salt(label)
            .selected_text(selected)
            .show_ui(ui, choices)
            .response
            .labelled_by(name.id);
    };
    if ui.layout().main_wrap {
        // In a wrapping row (a filter bar) the pair goes on as two widgets, which wrap, where a group would
        // run past the edge; a new line first if the pair would not fit, so it is never split.
        let label_width = ui
            .fonts_mut(|fonts| {
                fonts.layout_no_wrap(
                    label.to_owned(),
                    egui::TextStyle::Body.resolve(ui.style()),
                    egui::Color32::WHITE,
                )
            })
            .size()
            .x;
        let spacing = ui.spacing();
        let needed =
            label_width + spacing.combo_width + spacing.icon_width + 3.0 * spacing.item_spacing.x;
        if ui.available_size_before_wrap().x < needed {
            ui.end_row();
        }
        add(ui);
    } else {
        ui.horizontal(add);
    }
}

/// Midjourney's speed modes as they are offered: the one a new user wants first, first.
const MODES: [(crate::domain::Mode, &str); 3] = [
    (crate::domain::Mode::Fast, "Fast"),
    (crate::domain::Mode::Relax, "Relax"),
    (crate::domain::Mode::Turbo, "Turbo"),
];

/// The speed mode as a segmented choice (the prompt bar, Blend).
pub fn mode_segmented(ui: &mut Ui, mode: &mut crate::domain::Mode) {
    segmented(
        ui,
        "Fast uses fast hours, Relax queues for free, Turbo is fastest and costs most",
        mode,
        &MODES,
    );
}

/// A job's progress painted where its picture will be: a ring that fills with the accent as TTAPI reports
/// progress, the percentage inside it, and `caption` (what it waits for) under it when there is room.
/// `progress` is `None` before any is reported (queued, waiting at TTAPI): an empty ring.
pub fn paint_progress(
    ui: &Ui,
    painter: &egui::Painter,
    rect: egui::Rect,
    progress: Option<u8>,
    caption: &str,
) {
    let palette = theme::palette(ui);
    let center = rect.center();
    let radius = rect.width().min(rect.height()) * 0.24;
    let width = (radius * 0.16).clamp(2.0, 5.0);
    painter.circle_stroke(center, radius, egui::Stroke::new(width, palette.raised));
    let fraction = f32::from(progress.unwrap_or(0).min(100)) / 100.0;
    if fraction > 0.0 {
        let start = -std::f32::consts::FRAC_PI_2;
        let sweep = std::f32::consts::TAU * fraction;
        let steps = (72.0 * fraction).ceil().max(2.0) as usize;
        let points = (0..=steps)
            .map(|i| center + radius * egui::Vec2::angled(start + sweep * i as f32 / steps as f32))
            .collect();
        painter.add(egui::Shape::line(
            points,
            egui::Stroke::new(width, palette.accent),
        ));
    }
    if let Some(percent) = progress {
        painter.text(
            center,
            egui::Align2::CENTER_CENTER,
            format!("{percent}%"),
            egui::FontId::proportional((radius * 0.5).clamp(9.0, 18.0)),
            palette.text,
        );
    }
    if radius > 24.0 {
        painter.text(
            center + vec2(0.0, radius + 10.0),
            egui::Align2::CENTER_TOP,
            caption,
            egui::FontId::proportional(11.0),
            palette.weak_text,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui_kittest::Harness;
    use egui_kittest::kittest::{NodeT, Queryable};

    #[test]
    fn an_icon_button_is_found_and_pressed_by_its_name() {
        let mut pressed = 0;
        let mut harness = Harness::builder()
            .with_context_setup(crate::ui::kit::icons::install)
            .build_ui(|ui| {
                if ui
                    .add(IconButton::new(crate::ui::kit::icons::FIT, "Fit"))
                    .clicked()
                {
                    pressed += 1;
                }
                ui.add_enabled(
                    false,
                    IconButton::labelled(crate::ui::kit::icons::UNDO, "Undo"),
                );
            });
        harness.get_by_label("Fit").click();
        harness.run();
        let undo = harness.get_by_label("Undo");
        assert!(
            undo.accesskit_node().is_disabled(),
            "a disabled icon button says so"
        );
        drop(harness);
        assert_eq!(pressed, 1);
    }

    #[test]
    fn a_segmented_choice_takes_the_pressed_segment() {
        let mut mode = crate::domain::Mode::Fast;
        let mut harness = Harness::new_ui(|ui| {
            segmented(
                ui,
                "Mode",
                &mut mode,
                &[
                    (crate::domain::Mode::Fast, "Fast"),
                    (crate::domain::Mode::Relax, "Relax"),
                ],
            );
        });
        harness.get_by_label("Relax").click();
        harness.run();
        drop(harness);
        assert_eq!(mode, crate::domain::Mode::Relax);
    }

    /// The question before an undoable step: its button answers Go, Esc answers Cancel, and until then it
    /// stays open.
    #[test]
    fn a_confirm_question_goes_by_its_button_and_cancels_by_esc() {
        let ask = |ui: &mut Ui, answers: &mut Vec<Answer>| {
            answers.push(confirm(
                ui.ctx(),
                "delete_harbour",
                "Delete “Harbour”?",
                "The board goes away.",
                "Delete board",
            ));
        };
        let mut harness = Harness::builder().build_ui_state(ask, Vec::new());
        harness.run();
        assert!(harness.state().iter().all(|a| *a == Answer::Open));
        harness.get_by_label("Delete board").click();
        harness.run();
        assert!(harness.state().contains(&Answer::Go));
        assert!(!harness.state().contains(&Answer::Cancel));

        let mut harness = Harness::builder().build_ui_state(ask, Vec::new());
        harness.run();
        harness.key_press(egui::Key::Escape);
        harness.run();
        assert!(harness.state().contains(&Answer::Cancel));
        assert!(!harness.state().contains(&Answer::Go));
    }
}
