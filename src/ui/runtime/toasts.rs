//! Short notices at the bottom centre (a job finished or failed, a file was saved…) that fade on their own,
//! counted from when they are first drawn: what happened while the window was minimised is still said when
//! it comes back. Clicking one that names a job opens it, once it has been shown a moment (a fresh one lets
//! clicks through to what is under it).

use std::time::{Duration, Instant};

use egui::RichText;

const SHOWN_FOR: Duration = Duration::from_secs(6);
/// A toast lets clicks through for this long after it appears: one that pops up under the pointer must not
/// take the click the user (or a test) aimed at the control beneath it.
const CLICKABLE_AFTER: Duration = Duration::from_millis(600);
const MAX_SHOWN: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToastKind {
    Success,
    Info,
    Error,
}

struct Toast {
    text: String,
    kind: ToastKind,
    job: Option<i64>,
    /// Set when it is first drawn.
    until: Option<Instant>,
}

#[derive(Default)]
pub struct Toasts {
    toasts: Vec<Toast>,
}

impl Toasts {
    pub fn push(&mut self, kind: ToastKind, text: impl Into<String>, job: Option<i64>) {
        self.toasts.push(Toast {
            text: text.into(),
            kind,
            job,
            until: None,
        });
        if self.toasts.len() > MAX_SHOWN {
            self.toasts.remove(0);
        }
    }

    /// What the toasts waiting to be shown say.
    #[cfg(test)]
    pub fn texts(&self) -> Vec<&str> {
        self.toasts.iter().map(|t| t.text.as_str()).collect()
    }

    /// Draws the live toasts; returns the job of a toast the user clicked.
    pub fn show(&mut self, ctx: &egui::Context) -> Option<i64> {
        let now = Instant::now();
        for toast in &mut self.toasts {
            toast.until.get_or_insert(now + SHOWN_FOR);
        }
        self.toasts
            .retain(|t| t.until.is_some_and(|until| until > now));
        let next_expiry = self.toasts.iter().filter_map(|t| t.until).min()?;
        ctx.request_repaint_after(next_expiry - now);
        let settled = |toast: &Toast| {
            toast
                .until
                .is_some_and(|until| until <= now + SHOWN_FOR - CLICKABLE_AFTER)
        };
        let clickable = self.toasts.iter().all(settled);
        if !clickable {
            ctx.request_repaint_after(CLICKABLE_AFTER);
        }
        let mut clicked = None;
        let mut dismissed = None;
        // Bottom centre, over the picture rather than the job's buttons on the right: a notice must not
        // sit on the button the user reaches for next (a click there would open the toast's job instead).
        egui::Area::new(egui::Id::unique("toasts"))
            .anchor(egui::Align2::CENTER_BOTTOM, [0.0, -16.0])
            .order(egui::Order::Foreground)
            .interactable(clickable)
            .show(ctx, |ui| {
                for (index, toast) in self.toasts.iter().enumerate() {
                    let accent = match toast.kind {
                        ToastKind::Success => crate::ui::kit::theme::palette(ui).success,
                        ToastKind::Info => ui.visuals().hyperlink_color,
                        ToastKind::Error => ui.visuals().error_fg_color,
                    };
                    let response = egui::Frame::popup(ui.style())
                        .stroke(egui::Stroke::new(1.0, accent))
                        .show(ui, |ui| {
                            ui.set_max_width(360.0);
                            ui.label(RichText::new(&toast.text).color(accent));
                        })
                        .response
                        .interact(egui::Sense::click());
                    if response.clicked() {
                        clicked = toast.job;
                        dismissed = Some(index);
                    }
                }
            });
        if let Some(index) = dismissed {
            self.toasts.remove(index);
        }
        clicked
    }
}
