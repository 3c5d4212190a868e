//! The job view: the full image with zoom and pan, and beside it the details column (`details`: what the
//! job is, its component buttons, what can be done with the image, its family). With no job open, where
//! to start (`nothing_open`).

use egui::{Align, Layout, Rect, RichText, Scene, Vec2, vec2};

use crate::library::{ImageFile, JobRecord, JobState};
use crate::ui::job::labels::state_text;
use crate::ui::job::lineage::Family;
use crate::ui::kit::controls::IconButton;
use crate::ui::kit::icons;
use crate::ui::runtime::services::Services;

/// The shell asks it too, for the M key.
pub(in crate::ui) use crate::ui::job::buttons::can_vary_region;

pub(in crate::ui) const ZOOM_RANGE: std::ops::RangeInclusive<f32> = 0.02..=16.0;

#[derive(Default)]
pub struct JobViewState {
    picture: Picture,
    /// The open job's family tree, for one generation of the job list.
    family: Option<Family>,
}

/// Where the picture pane is zoomed and panned to.
#[derive(Default)]
struct Picture {
    /// The part of the image in view (image pixels); `None` fits the whole image.
    view: Option<Rect>,
    /// The image the view is of; another one (a new job, or a grid replacing a blend's input) refits.
    showing: Option<std::path::PathBuf>,
    /// The size of the image area last frame, for "100%".
    area: Vec2,
}

pub fn show(job_view: &mut JobViewState, services: &mut Services, ui: &mut egui::Ui) {
    let Some(job) = services
        .nav()
        .selected()
        .and_then(|id| services.jobs.get(id))
        .cloned()
    else {
        match services.nav().selected() {
            // An older job, being read from the library.
            Some(id) if !services.jobs.gone(id) => {
                ui.centered_and_justified(|ui| ui.spinner());
            }
            _ => crate::ui::job::nothing_open::show(services, ui),
        }
        return;
    };
    egui::Panel::right("job_details")
        .default_size(340.0)
        .min_size(280.0)
        .resizable(true)
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("job_details")
                .auto_shrink([false, false])
                .show(ui, |ui| {
                    crate::ui::job::details::show(&mut job_view.family, services, ui, &job)
                });
        });
    let Some(file) = services.jobs.main_image(job.id).cloned() else {
        no_image(ui, &job);
        return;
    };
    picture(&mut job_view.picture, services, ui, &job, &file);
}

/// Until the image is there: the progress where the grid will be, or why there is none.
fn no_image(ui: &mut egui::Ui, job: &JobRecord) {
    if job.state.is_final() {
        ui.centered_and_justified(|ui| {
            if job.state == JobState::Succeeded {
                ui.spinner();
            } else {
                ui.label("This job has no image.");
            }
        });
    } else {
        // Where the grid will be: its progress, large.
        let area = Rect::from_center_size(
            ui.max_rect().center(),
            Vec2::splat(ui.available_size().min_elem().min(360.0)),
        );
        crate::ui::kit::controls::paint_progress(
            ui,
            ui.painter(),
            area,
            job.progress,
            &state_text(job),
        );
    }
}

/// The image, fading in once decoded, under a row of zoom controls; the wheel zooms and a drag pans.
fn picture(
    picture: &mut Picture,
    services: &mut Services,
    ui: &mut egui::Ui,
    job: &JobRecord,
    file: &ImageFile,
) {
    if picture.showing.as_ref() != Some(&file.path) {
        picture.showing = Some(file.path.clone());
        picture.view = None;
    }
    let size = vec2(file.record.width as f32, file.record.height as f32).max(Vec2::splat(1.0));
    let whole = Rect::from_min_size(egui::Pos2::ZERO, size);
    // The full image when it is decoded; the 512 px thumbnail stands in meanwhile.
    let texture = services.textures.get(&file.path).or_else(|| {
        let thumbnail = file.thumbnails.last()?.1.clone();
        services.textures.get(&thumbnail)
    });
    let shown = crate::ui::kit::fade_in(
        ui,
        egui::Id::unique(("job_image", job.id)),
        texture.is_some(),
    );
    let mut view = picture.view.unwrap_or(whole);
    zoom_controls(ui, &mut view, whole, picture.area);
    picture.area = ui.available_size();
    ui.with_layout(Layout::top_down(Align::Center), |ui| {
        Scene::new()
            .zoom_range(ZOOM_RANGE)
            .max_inner_size(size)
            .scroll_zooms(true)
            .show(ui, &mut view, |ui| match &texture {
                Some(texture) => {
                    ui.add(
                        egui::Image::new(texture)
                            .fit_to_exact_size(size)
                            .tint(egui::Color32::WHITE.gamma_multiply(shown))
                            .alt_text(job.prompt.clone()),
                    );
                }
                None => {
                    ui.allocate_exact_size(size, egui::Sense::hover());
                }
            });
    });
    picture.view = Some(view);
}

/// Fit, 100% (in an image `area` last frame) and the zoom now.
fn zoom_controls(ui: &mut egui::Ui, view: &mut Rect, whole: Rect, area: Vec2) {
    ui.horizontal(|ui| {
        if ui
            .add(IconButton::new(icons::FIT, "Fit"))
            .on_hover_text("Show the whole image")
            .clicked()
        {
            *view = whole;
        }
        if ui
            .button("100%")
            .on_hover_text("One image pixel per screen pixel")
            .clicked()
        {
            *view = Rect::from_center_size(view.center(), area);
        }
        let zoom = if view.width() > 0.0 && view.height() > 0.0 {
            (area.x / view.width()).min(area.y / view.height())
        } else {
            1.0
        };
        ui.label(RichText::new(format!("{:.0}%", zoom * 100.0)).weak());
        ui.label(
            RichText::new("Wheel zooms at the pointer, drag pans")
                .weak()
                .small(),
        );
    });
}

#[cfg(test)]
mod tests {
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    use super::*;
    use crate::domain::Action;
    use crate::library::JobKind;
    use crate::ui::runtime::intents::Intent;
    use crate::ui::runtime::job_list::tests::job;
    use crate::ui::runtime::testing::ready_services;

    type Viewing = (JobViewState, Services);

    /// The job view drawn alone on a succeeded grid whose U1 was made before: pressing U1 reaches
    /// `Services` as that action, which opens the upscale there is instead of paying for another.
    #[test]
    fn a_component_button_presses_its_action() {
        let data = tempfile::tempdir().unwrap();
        let mut services = ready_services(data.path());
        services.status.backend = "simulator".into();
        let mut grid = job(1, JobKind::Imagine, JobState::Succeeded, "a red fox");
        grid.components = Action::grid_components();
        let mut upscale = job(2, JobKind::Action, JobState::Succeeded, "a red fox");
        upscale.action = Action::Upsample(1).wire_name();
        upscale.parent_id = Some(1);
        services.jobs.replace_all(vec![grid, upscale]);
        services.select(Some(1));
        let mut harness = Harness::builder()
            .with_context_setup(icons::install)
            .build_ui_state(
                |ui, (job_view, services): &mut Viewing| show(job_view, services, ui),
                (JobViewState::default(), services),
            );
        // Its image is not read (a spinner waits for it): frames are stepped, not run until still.
        harness.run_steps(3);
        assert!(harness.state_mut().1.take_intents().is_empty());
        harness.get_by_label("U1").click();
        harness.run_steps(2);
        assert!(matches!(
            harness.state_mut().1.take_intents()[..],
            [Intent::OpenJob(2)]
        ));
    }
}
