//! A job's verdict as the user gives it: five stars (clicking the lit last star again clears them) and a pick
//! or reject flag, sent to the engine (`Command::MarkJob`); the job comes back changed, here and in every
//! other Moodgrid process on the library.

use egui::{Key, RichText};

use crate::engine::Command;
use crate::library::{Flag, JobRecord, MAX_RATING, Mark};
use crate::ui::kit::controls::IconButton;
use crate::ui::kit::icons;
use crate::ui::runtime::services::Services;

/// Keys that flag the selected job, as in Lightroom: P picks, X rejects, U takes the flag away.
pub const FLAG_KEYS: [(Key, Option<Flag>); 3] = [
    (Key::P, Some(Flag::Pick)),
    (Key::X, Some(Flag::Reject)),
    (Key::U, None),
];

/// The verdict a key pressed this frame gives, Lightroom's way: P, X and U flag; with `stars`, 0–5 rate.
/// (Only where digits are free: on a grid 1–4 are U1–U4, in compare they maximise a pane.)
pub fn key_mark(ctx: &egui::Context, stars: bool) -> Option<Mark> {
    let pressed = |key: Key| ctx.input(|i| i.key_pressed(key));
    if let Some((_, flag)) = FLAG_KEYS.iter().find(|(key, _)| pressed(*key)) {
        return Some(Mark::Flag(*flag));
    }
    const DIGITS: [Key; 6] = [
        Key::Num0,
        Key::Num1,
        Key::Num2,
        Key::Num3,
        Key::Num4,
        Key::Num5,
    ];
    let rating = DIGITS.iter().position(|key| stars && pressed(*key))?;
    Some(Mark::Stars(u8::try_from(rating).unwrap_or(0)))
}

pub fn mark(services: &mut Services, job: i64, mark: Mark) {
    if !services.send(Command::MarkJob { job_id: job, mark }) {
        services.refused("the rating was not saved");
    }
}

/// The stars, then Pick and Reject.
pub fn controls(services: &mut Services, ui: &mut egui::Ui, job: &JobRecord) {
    let palette = crate::ui::kit::theme::palette(ui);
    ui.horizontal(|ui| {
        ui.spacing_mut().item_spacing.x = 0.0;
        for star in 1..=MAX_RATING {
            let lit = star <= job.rating;
            let (glyph, color) = if lit {
                ("★", palette.warning)
            } else {
                ("☆", palette.weak_text)
            };
            let name = match star {
                1 => "1 star".to_owned(),
                n => format!("{n} stars"),
            };
            let button = egui::Button::new(RichText::new(glyph).size(18.0).color(color))
                .frame_when_inactive(false);
            let response = ui.add(button);
            response
                .widget_info(|| egui::WidgetInfo::selected(egui::Role::Button, true, lit, &name));
            if response.on_hover_text(&name).clicked() {
                // The rating's own star again clears it, so a slip is one click to undo.
                let stars = if star == job.rating { 0 } else { star };
                mark(services, job.id, Mark::Stars(stars));
            }
        }
        ui.add_space(10.0);
        for (flag, icon, name, hint) in [
            (
                Flag::Pick,
                icons::PICK,
                "Pick",
                "Keep it (P; U takes the flag away)",
            ),
            (
                Flag::Reject,
                icons::REJECT,
                "Reject",
                "Throw it out (X; U takes the flag away)",
            ),
        ] {
            let flagged = job.flag == Some(flag);
            if ui
                .add(IconButton::new(icon, name).selected(flagged))
                .on_hover_text(hint)
                .clicked()
            {
                let flag = (!flagged).then_some(flag);
                mark(services, job.id, Mark::Flag(flag));
            }
        }
    });
}
