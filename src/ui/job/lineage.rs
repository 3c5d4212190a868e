//! The job's family at the bottom of the details column: every relative with a thumbnail, read once per
//! change of the job list (an older family is read from the library whole).

use egui::{RichText, vec2};

use crate::engine::Command;
use crate::library::JobRecord;
use crate::ui::job::labels::state_text;
use crate::ui::runtime::services::Services;

pub(super) struct Family {
    generation: u64,
    job: i64,
    /// (depth, id), depth first from the oldest ancestor.
    members: Vec<(usize, i64)>,
}

/// The job's whole family as a tree (imagine → U2 → Vary (Strong) → Pan left…) with thumbnails, the
/// current job marked; a click opens another member. `kept` holds the tree read for this job.
pub(super) fn show(
    kept: &mut Option<Family>,
    services: &mut Services,
    ui: &mut egui::Ui,
    job: &JobRecord,
) {
    let generation = services.jobs.records_generation();
    let same_job = kept.as_ref().is_some_and(|f| f.job == job.id);
    if !same_job {
        // The window holds the newest jobs; an older family is read whole (drawn as it arrives).
        if !services.send(Command::ReadFamily { id: job.id }) {
            services.refused("the job's older relatives were not read");
        }
    }
    let fresh = same_job && kept.as_ref().is_some_and(|f| f.generation == generation);
    if !fresh {
        *kept = Some(Family {
            generation,
            job: job.id,
            members: services.jobs.family(job.id),
        });
    }
    let family = kept.as_ref().map(|f| f.members.clone()).unwrap_or_default();
    if family.len() < 2 {
        return;
    }
    let palette = crate::ui::kit::theme::palette(ui);
    ui.add_space(4.0);
    ui.label(RichText::new("Family").weak());
    let mut open = None;
    for (depth, id) in family {
        let Some(member) = services.jobs.get(id).cloned() else {
            continue;
        };
        ui.horizontal(|ui| {
            ui.add_space(depth as f32 * 14.0);
            let side = 28.0;
            match crate::ui::runtime::thumbnails::thumbnail(services, id, 256) {
                Some((texture, aspect)) => {
                    // Beside its link, which names it: no alt text to read twice.
                    ui.add(
                        egui::Image::new(&texture)
                            .fit_to_exact_size(crate::ui::kit::fit(aspect, side)),
                    );
                }
                None => {
                    ui.allocate_exact_size(vec2(side, side), egui::Sense::hover());
                }
            }
            if id == job.id {
                ui.label(
                    RichText::new(format!("{} (this job)", link_text(&member)))
                        .strong()
                        .color(palette.accent),
                );
            } else if ui.link(link_text(&member)).clicked() {
                open = Some(id);
            }
        });
    }
    if let Some(id) = open {
        services.open_job(id);
    }
}

fn link_text(job: &JobRecord) -> String {
    format!("#{} {} · {}", job.id, job.action, state_text(job))
}
