//! Searching the gallery: the library's full-text index answers what is typed in the filter.

use egui_kittest::kittest::Queryable;

use super::harness::*;

/// Replaces whatever the prompt holds with `prompt` and imagines it.
fn imagine_anew(harness: &mut Window, prompt: &str) {
    harness.get_by(text_field("Prompt")).focus();
    harness.step();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.step();
    harness.get_by(text_field("Prompt")).type_text(prompt);
    harness.step();
    harness.get_by_label("Imagine").click();
    harness.step();
}

#[test]
fn the_gallery_search_finds_words_prefixes_phrases_and_leaves_out_exclusions() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = open(data.path());
    frames_until(&mut harness, "the engine", |h| shows(h, "Offline demo"));
    for prompt in [
        "a lighthouse at dusk, oil painting",
        "portrait of a fox in a scarf",
        "lightning over a painted sea",
    ] {
        imagine_anew(&mut harness, prompt);
    }
    // Imagine opens each new job once it is written; the gallery comes after the last has opened.
    frames_until(&mut harness, "the third job", |h| shows(h, "#3 · imagine"));
    harness.get_by_label("Gallery").click();
    frames_until(&mut harness, "three jobs", |h| shows(h, "3 of 3 jobs"));

    for (typed, expected) in [
        ("light*", "2 of 3 jobs"),
        ("\"oil painting\"", "1 of 3 jobs"),
        ("light* -lighthouse", "1 of 3 jobs"),
        ("-light*", "1 of 3 jobs"),
        ("whale", "0 of 3 jobs"),
        // Not FTS5 syntax: plain words, and no error.
        ("fox OR (", "0 of 3 jobs"),
    ] {
        harness.get_by(text_field("Filter")).focus();
        harness.step();
        harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
        harness.step();
        harness.get_by(text_field("Filter")).type_text(typed);
        frames_until(&mut harness, typed, |h| shows(h, expected));
    }
    // The right jobs, too: an exclusion-only search shows the fox and nothing else.
    harness.get_by(text_field("Filter")).focus();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.step();
    harness.get_by(text_field("Filter")).type_text("-light*");
    frames_until(&mut harness, "the fox alone", |h| {
        shows(h, "Job #2: portrait of a fox") && !shows(h, "Job #1:") && !shows(h, "Job #3:")
    });
    assert!(!shows(&harness, "Search failed"));
}
