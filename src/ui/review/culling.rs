//! Culling: the gallery's picks (or, without picks, every finished job it shows) one at a time over the whole
//! window, rated as they go by Lightroom's keys: ←/→ step, 0–5 stars, P pick, X reject, U unflag. Here the
//! digits are free (no grid's U1–U4 to press), so they rate.

use egui::{Key, RichText};

use crate::ui::kit::controls::IconButton;
use crate::ui::kit::icons;
use crate::ui::review::image_pane::{self, WHOLE};
use crate::ui::runtime::services::Services;

pub struct Culling {
    jobs: Vec<i64>,
    at: usize,
    looking_at: egui::Rect,
}

impl Culling {
    /// Steps through `jobs` from the first; `None` when there is nothing to cull.
    pub fn new(jobs: Vec<i64>) -> Option<Culling> {
        (!jobs.is_empty()).then_some(Culling {
            jobs,
            at: 0,
            looking_at: WHOLE,
        })
    }

    pub fn current(&self) -> i64 {
        self.jobs[self.at]
    }

    fn step(&mut self, by: isize) {
        let last = self.jobs.len() as isize - 1;
        let at = (self.at as isize + by).clamp(0, last) as usize;
        if at != self.at {
            self.at = at;
            self.looking_at = WHOLE;
        }
    }
}

/// Draws the current picture with its place in the run, prompt and verdict. Whether to close.
pub fn show(culling: &mut Culling, services: &mut Services, ui: &mut egui::Ui) -> bool {
    let mut close = false;
    let id = culling.current();
    let Some(job) = services.jobs.get(id).cloned() else {
        if !services.jobs.gone(id) {
            // An older job, being read from the library.
            ui.centered_and_justified(|ui| ui.spinner());
            return false;
        }
        // Trashed meanwhile (here or by another process): go on to the next.
        culling.jobs.remove(culling.at);
        culling.at = culling.at.min(culling.jobs.len().saturating_sub(1));
        return culling.jobs.is_empty();
    };
    ui.horizontal(|ui| {
        if ui
            .add(IconButton::labelled(icons::GALLERY, "Back to the gallery"))
            .on_hover_text("Esc")
            .clicked()
        {
            close = true;
        }
        if ui
            .add_enabled(culling.at > 0, IconButton::new(icons::PAN_LEFT, "Previous"))
            .clicked()
        {
            culling.step(-1);
        }
        ui.label(RichText::new(format!("{} of {}", culling.at + 1, culling.jobs.len())).strong());
        if ui
            .add_enabled(
                culling.at + 1 < culling.jobs.len(),
                IconButton::new(icons::PAN_RIGHT, "Next"),
            )
            .clicked()
        {
            culling.step(1);
        }
        ui.separator();
        crate::ui::job::verdict::controls(services, ui, &job);
        ui.separator();
        ui.label(
            RichText::new("⬅/➡ step · 0–5 stars · P pick · X reject · U unflag · Esc back")
                .weak()
                .small(),
        );
    });
    ui.label(
        RichText::new(format!(
            "#{} · {} — {}",
            job.id,
            job.action,
            crate::domain::prompt::first_line(&job.prompt, 160)
        ))
        .weak(),
    );
    ui.separator();
    if let Some(looking_at) = image_pane::show(services, ui, id, culling.looking_at) {
        culling.looking_at = looking_at;
    }
    close
}

/// Culling's keys. Whether to close (Esc).
pub fn handle_keys(culling: &mut Culling, services: &mut Services, ctx: &egui::Context) -> bool {
    let pressed = |key: Key| ctx.input(|i| i.key_pressed(key));
    if let Some(mark) = crate::ui::job::verdict::key_mark(ctx, true) {
        crate::ui::job::verdict::mark(services, culling.current(), mark);
    }
    let steps = [
        (Key::ArrowRight, 1),
        (Key::ArrowLeft, -1),
        (Key::Home, isize::MIN / 2),
        (Key::End, isize::MAX / 2),
    ];
    for (key, by) in steps {
        if pressed(key) {
            culling.step(by);
        }
    }
    pressed(Key::Escape) && !egui::Popup::is_any_open(ctx)
}

#[cfg(test)]
mod tests {
    use egui_kittest::Harness;
    use egui_kittest::kittest::{NodeT, Queryable};

    use super::*;
    use crate::library::Library;
    use crate::ui::runtime::testing::{finished_job, frames_until};

    type Cull<'a> = Harness<'a, (Culling, Services)>;

    fn lit(harness: &Cull<'_>, star: &str) -> bool {
        harness.get_by_label(star).accesskit_node().toggled()
            == Some(egui::accesskit::Toggled::True)
    }

    /// Culling drawn alone over `Services` on an offline engine: a star click rates the job on show and a
    /// digit key rates it again; each verdict goes to the library and comes back lit.
    #[test]
    fn a_star_click_or_a_digit_rates_the_job_on_show() {
        let data = tempfile::tempdir().unwrap();
        let job = finished_job(data.path(), "a harbour at dawn");
        let mut services = Services::for_tests(data.path());
        services.jobs.replace_all(vec![job.clone()]);
        let culling = Culling::new(vec![job.id]).unwrap();
        let mut harness = Harness::builder()
            .with_size(egui::vec2(1000.0, 700.0))
            .with_context_setup(crate::ui::kit::icons::install)
            .build_ui_state(
                |ui, (culling, services): &mut (Culling, Services)| {
                    services.receive();
                    handle_keys(culling, services, ui.ctx());
                    show(culling, services, ui);
                },
                (culling, services),
            );
        harness.step();
        assert!(!lit(&harness, "1 star"), "not rated yet");

        harness.get_by_label("4 stars").click();
        frames_until(&mut harness, "four stars lit", |h| lit(h, "4 stars"));
        assert!(!lit(&harness, "5 stars"));

        harness.key_press(egui::Key::Num2);
        frames_until(&mut harness, "two stars lit", |h| {
            lit(h, "2 stars") && !lit(h, "3 stars")
        });
        let stored = Library::open(data.path()).unwrap().job(job.id).unwrap();
        assert_eq!(stored.rating, 2, "kept in the library");
    }
}
