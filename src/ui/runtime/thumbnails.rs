//! A job's thumbnail as a texture, whether the job list holds the job or a gallery page read it.

use crate::ui::runtime::services::Services;
use crate::ui::runtime::textures::TextureCache;

/// The thumbnail texture (`size` 256 or 512) of a job's main image and that image's aspect ratio, or
/// `None` while it loads.
pub(in crate::ui) fn thumbnail(
    services: &mut Services,
    job_id: i64,
    size: u32,
) -> Option<(egui::TextureHandle, f32)> {
    let main = services.jobs.main_image(job_id);
    thumbnail_texture(main, &mut services.textures, size)
}

/// The same for a job as a page of the gallery read it, which the job list need not hold.
pub(in crate::ui) fn thumbnail_of(
    services: &mut Services,
    job: &crate::library::JobRecord,
    size: u32,
) -> Option<(egui::TextureHandle, f32)> {
    let main = services.jobs.main_image_of(job);
    thumbnail_texture(main, &mut services.textures, size)
}

/// A main image's thumbnail texture of a size, and the picture's aspect ratio.
fn thumbnail_texture(
    main: Option<&crate::library::ImageFile>,
    textures: &mut TextureCache,
    size: u32,
) -> Option<(egui::TextureHandle, f32)> {
    let main = main?;
    let path = &main.thumbnails.iter().find(|(side, _)| *side == size)?.1;
    let aspect = main.record.width as f32 / main.record.height.max(1) as f32;
    textures.get(path).map(|texture| (texture, aspect))
}
