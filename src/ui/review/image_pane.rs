//! One job's picture in a pane that zooms (wheel) and pans (drag), for compare and culling. Where it looks is
//! kept as a rectangle in the picture's own 0–1 coordinates, so panes showing pictures of different sizes
//! can follow one another. The full image when it is decoded, the 512 px thumbnail meanwhile.

use egui::{Rect, Scene, Vec2, vec2};

use crate::ui::runtime::services::Services;

/// The whole picture.
pub const WHOLE: Rect = Rect::from_min_max(egui::Pos2::ZERO, egui::pos2(1.0, 1.0));

/// Draws the job's main image in the space left in `ui`. Returns where the pane now looks when the user
/// moved it (the pointer is over it), so the caller can make other panes follow; `None` otherwise.
pub fn show(
    services: &mut Services,
    ui: &mut egui::Ui,
    job_id: i64,
    looking_at: Rect,
) -> Option<Rect> {
    let Some(file) = services.jobs.main_image(job_id).cloned() else {
        ui.centered_and_justified(|ui| ui.spinner());
        return None;
    };
    let size = vec2(file.record.width as f32, file.record.height as f32).max(Vec2::splat(1.0));
    let texture = services.textures.get(&file.path).or_else(|| {
        let thumbnail = file.thumbnails.last()?.1.clone();
        services.textures.get(&thumbnail)
    });
    let mut scene_rect = Rect::from_min_max(
        (looking_at.min.to_vec2() * size).to_pos2(),
        (looking_at.max.to_vec2() * size).to_pos2(),
    );
    let before = scene_rect;
    let pane = ui.available_rect_before_wrap();
    Scene::new()
        .zoom_range(crate::ui::job::view::ZOOM_RANGE)
        .max_inner_size(size)
        .scroll_zooms(true)
        .show(ui, &mut scene_rect, |ui| match &texture {
            Some(texture) => {
                ui.add(egui::Image::new(texture).fit_to_exact_size(size));
            }
            None => {
                ui.allocate_exact_size(size, egui::Sense::hover());
            }
        });
    let touched = ui.rect_contains_pointer(pane) && scene_rect != before;
    touched.then(|| {
        Rect::from_min_max(
            (scene_rect.min.to_vec2() / size).to_pos2(),
            (scene_rect.max.to_vec2() / size).to_pos2(),
        )
    })
}
