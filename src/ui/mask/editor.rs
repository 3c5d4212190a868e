//! The inpaint mask editor ("Vary region"): a job's image on the shared canvas with its mask as a tinted
//! overlay, the painting tools, import and export of the mask file, the region's prompt, and Submit. The
//! canvas, tools and overlay are `ui::paint`; the mask itself (operations, raster, history) is
//! `domain::mask::Mask`. Encoding and file dialogs run as chores.

use std::path::PathBuf;

use egui::RichText;

use crate::domain::mask::{Mask, MaskOp};
use crate::library::JobRecord;
use crate::ui::kit::controls::IconButton;
use crate::ui::kit::icons;
use crate::ui::paint::brush::Brush;
use crate::ui::paint::canvas::Canvas;
use crate::ui::paint::layer::MaskLayer;
use crate::ui::runtime::services::Services;
use crate::ui::runtime::toasts::ToastKind;

pub struct MaskEditor {
    /// The job whose image is repainted.
    pub parent: i64,
    image: PathBuf,
    /// Shown until the original is decoded.
    stand_in: Option<PathBuf>,
    pub prompt: String,
    layer: MaskLayer,
    brush: Brush,
    canvas: Canvas,
}

/// What the toolbar was asked this frame, done once the frame is drawn.
#[derive(Default)]
struct Asked {
    submit: bool,
    export: bool,
    import: bool,
    close: bool,
}

impl MaskEditor {
    /// An editor on `job`'s image (`image` the original file), starting from `ops` when reopened.
    pub fn open(
        job: &JobRecord,
        image: PathBuf,
        stand_in: Option<PathBuf>,
        size: (u32, u32),
        ops: Vec<MaskOp>,
    ) -> MaskEditor {
        MaskEditor {
            parent: job.id,
            image,
            stand_in,
            prompt: job.prompt.clone(),
            layer: MaskLayer::new(Mask::from_ops(size.0, size.1, ops)),
            brush: Brush::default(),
            canvas: Canvas::default(),
        }
    }

    pub fn size(&self) -> (u32, u32) {
        self.layer.mask().size()
    }

    /// Starts again from imported mask pixels (one brightness byte per pixel).
    pub fn import(&mut self, luma: &[u8]) {
        self.layer.import(luma);
    }
}

/// An editor on job `job_id`'s main image with `ops` already painted, or `None` (told) while the image
/// is still loading.
pub fn open_on_job(services: &mut Services, job_id: i64, ops: Vec<MaskOp>) -> Option<MaskEditor> {
    let job = services.jobs.get(job_id).cloned()?;
    let Some(image) = services.jobs.main_image(job_id).cloned() else {
        services.toasts.push(
            ToastKind::Error,
            "The image is still loading; try again.",
            Some(job_id),
        );
        return None;
    };
    let size = (image.record.width, image.record.height);
    let stand_in = image.thumbnails.last().map(|(_, path)| path.clone());
    Some(MaskEditor::open(
        &job,
        image.path.clone(),
        stand_in,
        size,
        ops,
    ))
}

pub fn show(mask_editor: &mut Option<MaskEditor>, services: &mut Services, ui: &mut egui::Ui) {
    let ctx = ui.ctx().clone();
    let Some(editor) = mask_editor.as_mut() else {
        ui.centered_and_justified(|ui| ui.label("Open an upscaled image and press “Vary region”."));
        return;
    };
    editor.layer.sync(&ctx);
    let mut asked = Asked::default();
    egui::Panel::left("mask_tools")
        .default_size(250.0)
        .resizable(false)
        .show(ui, |ui| toolbar(editor, ui, &mut asked));
    crate::ui::paint::controls::keys(
        &mut editor.brush,
        &mut editor.layer,
        &mut editor.canvas,
        &ctx,
    );
    canvas(editor, services, ui);
    if editor.layer.is_stale() {
        // The mask changed after this frame's overlay upload: show it now, not at the next input.
        ctx.request_repaint();
    }
    carry_out(mask_editor, services, asked);
}

/// Submit, export, import and close, asked in the toolbar.
fn carry_out(mask_editor: &mut Option<MaskEditor>, services: &mut Services, asked: Asked) {
    let Some(editor) = mask_editor.as_ref() else {
        return;
    };
    let (parent, size) = (editor.parent, editor.size());
    let mask = editor.layer.mask();
    if asked.submit {
        let prompt = editor.prompt.trim().to_owned();
        services.chores.encode_mask(
            parent,
            size,
            mask.black_and_white(),
            Some(prompt),
            mask.ops().to_vec(),
        );
    }
    if asked.export {
        services.chores.export_mask(size, mask.black_and_white());
    }
    if asked.import {
        services.chores.import_mask(size);
    }
    if asked.close {
        *mask_editor = None;
        services.open_job(parent);
    }
}

fn toolbar(editor: &mut MaskEditor, ui: &mut egui::Ui, asked: &mut Asked) {
    ui.heading("Vary region");
    ui.label(RichText::new("Paint what Midjourney should repaint.").weak());
    ui.add_space(4.0);
    crate::ui::paint::controls::tools(&mut editor.brush, &mut editor.layer, ui);
    ui.separator();
    ui.horizontal_wrapped(|ui| {
        crate::ui::paint::controls::history_and_whole_mask(&mut editor.layer, ui);
        ui.separator();
        asked.import = ui
            .add(IconButton::new(icons::IMPORT, "Import mask…"))
            .clicked();
        asked.export = ui
            .add(IconButton::new(icons::SAVE, "Export mask…"))
            .clicked();
    });
    ui.separator();
    let label = ui.label("Prompt for the region");
    ui.add(
        egui::TextEdit::multiline(&mut editor.prompt)
            .desired_rows(3)
            .desired_width(f32::INFINITY),
    )
    .labelled_by(label.id);
    ui.add_space(4.0);
    let empty = editor.layer.mask().is_empty();
    asked.submit = ui
        .add_enabled(
            !empty,
            IconButton::labelled(icons::IMAGINE, "Submit region").primary(),
        )
        .on_disabled_hover_text("Paint the region to repaint first")
        .clicked();
    let (w, h) = editor.size();
    ui.label(
        RichText::new(format!("Mask {w} × {h} px, white = repaint"))
            .weak()
            .small(),
    );
    ui.add_space(8.0);
    asked.close = ui
        .add(IconButton::labelled(icons::CLOSE, "Close editor"))
        .clicked();
}

/// The image (the original once decoded, its thumbnail meanwhile) with the mask over it, painted on with
/// the brush unless the pointer pans.
fn canvas(editor: &mut MaskEditor, services: &mut Services, ui: &mut egui::Ui) {
    let frame = editor.canvas.show(ui, editor.size(), "Mask canvas");
    if !frame.panning {
        editor.brush.gesture(&mut editor.layer, ui, &frame);
    }
    let texture = services.textures.get(&editor.image).or_else(|| {
        editor
            .stand_in
            .as_ref()
            .and_then(|p| services.textures.get(p))
    });
    let painter = frame.paint_image(ui, texture.as_ref());
    editor.layer.paint(ui, &painter, frame.view);
    editor.brush.paint_outlines(&painter, &frame);
    frame.set_cursor(ui);
}

#[cfg(test)]
mod tests {
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    use super::*;
    use crate::library::{JobKind, JobState};
    use crate::ui::runtime::job_list::tests::job;

    type Editing = (Option<MaskEditor>, Services);

    /// The editor drawn alone over `Services` on an offline engine, on a 64 × 48 image that is never
    /// decoded (the canvas shows its placeholder).
    fn harness(services: Services) -> Harness<'static, Editing> {
        let parent = job(7, JobKind::Action, JobState::Succeeded, "a red fox");
        let editor = MaskEditor::open(
            &parent,
            PathBuf::from("not-decoded.png"),
            None,
            (64, 48),
            Vec::new(),
        );
        Harness::builder()
            .with_context_setup(crate::ui::kit::icons::install)
            .build_ui_state(
                |ui, (editor, services): &mut Editing| show(editor, services, ui),
                (Some(editor), services),
            )
    }

    fn mask<'h>(harness: &'h Harness<'_, Editing>) -> &'h Mask {
        let Some(editor) = &harness.state().0 else {
            panic!("the editor is open");
        };
        editor.layer.mask()
    }

    /// A brush click on the canvas paints the region, and Undo takes it back (and can be redone).
    #[test]
    fn a_brush_click_paints_and_undo_takes_it_back() {
        let data = tempfile::tempdir().unwrap();
        let mut harness = harness(Services::for_tests(data.path()));
        harness.run();
        assert!(mask(&harness).is_empty() && !mask(&harness).can_undo());
        harness.get_by_label("Mask canvas").click();
        harness.run();
        assert!(!mask(&harness).is_empty(), "the click painted");
        harness.get_by_label("Undo").click();
        harness.run();
        assert!(mask(&harness).is_empty(), "undo took the dab back");
        assert!(mask(&harness).can_redo());
    }
}
