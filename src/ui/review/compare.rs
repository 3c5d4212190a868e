//! Compare: two to four gallery picks side by side over the whole window, zoomed and panned together. Each
//! pane says what it is (job, action, seed) and carries its stars and flag; the focused pane (arrows) takes
//! the flag keys. 1–4 maximise a pane, A/B shows two in one place to flip between with Space.

use egui::{Key, RichText};

use crate::ui::kit::controls::IconButton;
use crate::ui::kit::icons;
use crate::ui::review::image_pane::{self, WHOLE};
use crate::ui::runtime::services::Services;

pub const MOST: usize = 4;
pub const FEWEST: usize = 2;

pub struct Compare {
    jobs: Vec<i64>,
    /// Where every pane looks, in picture coordinates (0–1).
    looking_at: egui::Rect,
    focus: usize,
    maximised: Option<usize>,
    /// A/B: one place showing one of two panes at a time; which one.
    flipping: Option<usize>,
}

/// What the user asked of compare this frame.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Stay,
    Close,
}

impl Compare {
    /// Compares the first [`MOST`] of `jobs`; `None` for fewer than [`FEWEST`].
    pub fn new(mut jobs: Vec<i64>) -> Option<Compare> {
        jobs.truncate(MOST);
        (jobs.len() >= FEWEST).then_some(Compare {
            jobs,
            looking_at: WHOLE,
            focus: 0,
            maximised: None,
            flipping: None,
        })
    }

    /// The panes on show now: all, the maximised one, or the one A/B shows.
    fn on_show(&self) -> Vec<usize> {
        match (self.maximised, self.flipping) {
            (Some(pane), _) | (None, Some(pane)) => vec![pane],
            (None, None) => (0..self.jobs.len()).collect(),
        }
    }
}

pub fn show(compare: &mut Compare, services: &mut Services, ui: &mut egui::Ui) -> Outcome {
    let mut outcome = Outcome::Stay;
    ui.horizontal(|ui| {
        if ui
            .add(IconButton::labelled(icons::GALLERY, "Back to the gallery"))
            .on_hover_text("Esc")
            .clicked()
        {
            outcome = Outcome::Close;
        }
        if ui
            .add(IconButton::labelled(icons::FIT, "Fit all"))
            .on_hover_text("Show every picture whole")
            .clicked()
        {
            compare.looking_at = WHOLE;
        }
        let flipping = compare.flipping.is_some();
        if ui
            .add(IconButton::labelled(icons::COMPARE, "A/B").selected(flipping))
            .on_hover_text("Show two in one place; Space flips between them")
            .clicked()
        {
            compare.flipping = if flipping { None } else { Some(compare.focus.min(1)) };
            compare.maximised = None;
        }
        ui.label(
            RichText::new("Wheel zooms and drag pans every picture together · ⬅/➡ focus · 1–4 maximise · P/X/U flag the focused one · Esc back")
                .weak()
                .small(),
        );
    });
    ui.separator();
    let shown = compare.on_show();
    let columns = shown.len();
    let spacing = ui.spacing().item_spacing.x;
    let width = (ui.available_width() - spacing * (columns as f32 - 1.0)) / columns as f32;
    let height = ui.available_height();
    let mut moved = None;
    ui.horizontal_top(|ui| {
        for pane in shown {
            let (rect, _) = ui.allocate_exact_size(egui::vec2(width, height), egui::Sense::hover());
            let mut child = ui.new_child(
                egui::UiBuilder::new()
                    .max_rect(rect)
                    .layout(egui::Layout::top_down(egui::Align::Min))
                    .id_salt(("compare_pane", pane)),
            );
            if let Some(looking_at) = pane_ui(compare, services, &mut child, pane) {
                moved = Some(looking_at);
            }
        }
    });
    if let Some(looking_at) = moved {
        compare.looking_at = looking_at;
    }
    outcome
}

/// One pane: its label and verdict above, the picture below; framed in the accent when focused.
fn pane_ui(
    compare: &mut Compare,
    services: &mut Services,
    ui: &mut egui::Ui,
    pane: usize,
) -> Option<egui::Rect> {
    let id = compare.jobs[pane];
    let job = services.jobs.get(id).cloned()?;
    let focused = compare.focus == pane;
    let palette = crate::ui::kit::theme::palette(ui);
    let stroke = if focused {
        egui::Stroke::new(2.0, palette.accent)
    } else {
        egui::Stroke::new(1.0, ui.visuals().widgets.noninteractive.bg_stroke.color)
    };
    ui.painter()
        .rect_stroke(ui.max_rect(), 6.0, stroke, egui::StrokeKind::Inside);
    let mut moved = None;
    egui::Frame::new().inner_margin(6.0).show(ui, |ui| {
        let letter = ["A", "B", "C", "D"][pane];
        let seed = job
            .seed
            .as_deref()
            .map(|seed| format!(" · seed {seed}"))
            .unwrap_or_default();
        let label = ui.label(
            RichText::new(format!("{letter} · #{} · {}{seed}", job.id, job.action)).strong(),
        );
        if label.clicked() {
            compare.focus = pane;
        }
        crate::ui::job::verdict::controls(services, ui, &job);
        if ui.ui_contains_pointer() && ui.input(|i| i.pointer.any_pressed()) {
            compare.focus = pane;
        }
        moved = image_pane::show(services, ui, id, compare.looking_at);
    });
    moved
}

/// Compare's keys: arrows move the focus, 1–4 maximise (the same number again restores), Space flips A/B,
/// P/X/U flag the focused picture, Esc goes back (from a maximised pane first).
pub fn handle_keys(compare: &mut Compare, services: &mut Services, ctx: &egui::Context) -> Outcome {
    let pressed = |key: Key| ctx.input(|i| i.key_pressed(key));
    let count = compare.jobs.len();
    if pressed(Key::ArrowRight) {
        compare.focus = (compare.focus + 1) % count;
    }
    if pressed(Key::ArrowLeft) {
        compare.focus = (compare.focus + count - 1) % count;
    }
    for (pane, key) in [Key::Num1, Key::Num2, Key::Num3, Key::Num4]
        .into_iter()
        .enumerate()
    {
        if pane < count && pressed(key) {
            compare.maximised = (compare.maximised != Some(pane)).then_some(pane);
            compare.flipping = None;
            compare.focus = pane;
        }
    }
    if pressed(Key::Space)
        && let Some(showing) = compare.flipping
    {
        let other = 1 - showing.min(1);
        compare.flipping = Some(other);
        compare.focus = other;
    }
    // 1–4 maximise here, so only the flag keys give a verdict; stars are the pane's own.
    if let Some(mark) = crate::ui::job::verdict::key_mark(ctx, false) {
        crate::ui::job::verdict::mark(services, compare.jobs[compare.focus], mark);
    }
    if pressed(Key::Escape) && !egui::Popup::is_any_open(ctx) && compare.maximised.take().is_none()
    {
        return Outcome::Close;
    }
    Outcome::Stay
}
