//! Export: the open job and the gallery picks, with their facts.

use egui_kittest::kittest::Queryable;
use moodgrid::ui::View;

use super::harness::*;
use super::png_text;

#[test]
fn export_writes_the_open_job_and_the_gallery_picks_with_their_facts() {
    use moodgrid::library::keyword;
    let data = tempfile::tempdir().unwrap();
    let exports = data.path().join("exports");
    let mut harness = with_grid(data.path(), "a glass harbour at dawn");
    harness.get_by_label("U2").click_accesskit();
    frames_until(&mut harness, "the upscale", |h| {
        enabled(h, "Upscale (Subtle)")
    });

    // The open job, from its view: a template typed in, one PNG in the export folder.
    harness.get_by_label("Export…").click_accesskit();
    frames_until(&mut harness, "the dialog", |h| shows(h, "Export 1 job"));
    // Esc closes the dialog, not the job view under it.
    harness.key_press(egui::Key::Escape);
    harness.run_steps(2);
    assert!(!shows(&harness, "Export 1 job"));
    assert_eq!(harness.state().remembered().view, View::Job);
    harness.get_by_label("Export…").click_accesskit();
    frames_until(&mut harness, "the dialog again", |h| {
        shows(h, "Export 1 job")
    });
    assert!(shows(&harness, "1 job has no seed yet."));
    type_into(&mut harness, "File names", "{colour}");
    assert!(shows(&harness, "`{colour}` is not a placeholder"));
    assert!(
        !enabled(&harness, "Export to folder"),
        "a bad template exports nothing"
    );
    harness.get_by_label("Reset").click_accesskit();
    harness.step();
    harness.get_by_label_contains("{action}").click_accesskit();
    harness.run_steps(2);
    assert!(
        shows(
            &harness,
            "e.g. a-glass-harbour-at-dawn-2-upscaleupsample2.png"
        ),
        "the example name follows the template"
    );
    // Get seeds asks once (a spinner meanwhile); the line goes once the seed is known.
    harness.get_by_label("Get seeds").click_accesskit();
    harness.run_steps(2);
    assert!(harness.query_by_label("Get seeds").is_none(), "asked once");
    frames_until(&mut harness, "the seed", |h| !shows(h, "no seed yet"));
    harness.get_by_label("Export to folder").click_accesskit();
    frames_until(&mut harness, "the export toast", |h| {
        shows(h, "Exported 1 image to")
    });
    assert!(!shows(&harness, "Export 1 job"), "the dialog closed");
    let written = exports.join("a-glass-harbour-at-dawn-2-upscaleupsample2.png");
    let texts = png_text::png_texts(&std::fs::read(&written).unwrap());
    assert_eq!(texts[keyword::PROMPT], "a glass harbour at dawn");
    assert_eq!(texts[keyword::ACTION], "upsample2");
    assert_eq!(texts[keyword::MOODGRID_JOB], "2");
    assert!(
        texts[keyword::SEED].parse::<u32>().is_ok(),
        "the seed asked for is in the file"
    );
    assert!(!texts[keyword::JOB_ID].is_empty());
    let lineage: serde_json::Value = serde_json::from_str(&texts[keyword::LINEAGE]).unwrap();
    assert_eq!(lineage[0]["moodgrid_job"], 1);
    assert_eq!(lineage[0]["action"], "imagine");

    // Both jobs picked in the gallery, every image, one zip (Ctrl+E opens the dialog).
    harness.get_by_label("Gallery").click_accesskit();
    harness.step();
    for tile in [
        "Job #1: a glass harbour at dawn",
        "Job #2: a glass harbour at dawn",
    ] {
        // The gallery reads its tiles from the library a page at a time.
        frames_until(&mut harness, tile, |h| h.query_by_label(tile).is_some());
        harness
            .get_by_label(tile)
            .click_modifiers(egui::Modifiers::COMMAND);
        harness.step();
    }
    assert!(enabled(&harness, "Export… (2)"));
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::E);
    frames_until(&mut harness, "the dialog for two", |h| {
        shows(h, "Export 2 jobs")
    });
    harness
        .get_by_label("Main and split images")
        .click_accesskit();
    harness.step();
    harness.get_by_label("Export as zip").click_accesskit();
    frames_until(&mut harness, "the zip toast", |h| {
        shows(h, "Exported 6 images to")
    });
    let zip_file = std::fs::read_dir(&exports)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "zip"))
        .expect("a zip in the export folder");
    let archive = zip::ZipArchive::new(std::fs::File::open(&zip_file).unwrap()).unwrap();
    let names: Vec<String> = archive
        .file_names()
        .map(|n| n.unwrap().into_owned())
        .collect();
    assert_eq!(names.len(), 6, "{names:?}");
    assert!(names.iter().all(|n| n.ends_with(".png")), "{names:?}");
    // The choices are kept for the next export (and, through eframe's storage, the next run).
    let prefs = harness.state().export_prefs();
    assert!(prefs.all_images);
    assert_eq!(prefs.template, "{prompt}-{job}-{image}{action}");
}
