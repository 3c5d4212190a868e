//! Imagine from the prompt bar, the buttons under a job, the feed and a refused prompt.

use std::time::Duration;

use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};
use moodgrid::sim::SimConfig;

use super::harness::*;

#[test]
fn imagine_then_u2_from_the_window() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = open(data.path());
    frames_until(&mut harness, "the offline banner", |h| {
        shows(h, "Offline demo — add your TTAPI key in Settings")
    });
    assert!(!enabled(&harness, "Imagine"), "nothing to imagine yet");

    imagine(&mut harness, "a lighthouse made of glass");
    frames_until(&mut harness, "U1–U4 enabled", |h| {
        ["U1", "U2", "U3", "U4"].iter().all(|b| enabled(h, b))
    });
    assert!(enabled(&harness, "V3") && enabled(&harness, "Reroll"));
    assert_eq!(
        prompt_text(&harness).as_deref(),
        Some("a lighthouse made of glass"),
        "the prompt stays in the box after submitting"
    );
    frames_until(&mut harness, "the finished toast", |h| {
        shows(h, "Done: imagine · a lighthouse made of glass")
    });

    harness.get_by_label("U2").click_accesskit();
    frames_until(&mut harness, "the upscaled child's buttons", |h| {
        enabled(h, "Upscale (Subtle)")
    });
    assert!(enabled(&harness, "Vary (Strong)") && enabled(&harness, "Zoom Out 2x"));
    assert!(
        harness.query_by_label("U1").is_none(),
        "the child is a single image: no U buttons"
    );
    // Lineage: the child links back to its grid, and the link opens it.
    harness.get_by_label("#1 imagine").click_accesskit();
    frames_until(&mut harness, "the parent's view", |h| enabled(h, "U4"));
    assert!(shows(&harness, "#2 upsample2"), "the grid lists its child");

    // The seed arrives through a seed job and lands on the grid.
    harness.get_by_label("Get seed").click_accesskit();
    frames_until(&mut harness, "the seed", |h| enabled(h, "Reuse"));
    harness.get_by_label("Reuse").click_accesskit();
    harness.run_steps(3);
    let prompt = prompt_text(&harness).unwrap();
    assert!(
        prompt.starts_with("a lighthouse made of glass --seed ") && prompt.len() > 35,
        "{prompt}"
    );

    // Ctrl+Up in the prompt recalls the newest prompt imagined.
    harness.get_by(text_field("Prompt")).focus();
    harness.step();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::ArrowUp);
    harness.run_steps(2);
    assert_eq!(
        prompt_text(&harness).as_deref(),
        Some("a lighthouse made of glass")
    );
}

#[test]
fn a_double_click_a_held_key_or_a_second_upscale_start_no_second_job() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = open(data.path());
    frames_until(&mut harness, "the engine", |h| shows(h, "Offline demo"));
    // Imagine double-clicked: two clicks in two frames.
    type_into(&mut harness, "Prompt", "a kite over dunes");
    harness.get_by_label("Imagine").click_accesskit();
    harness.step();
    harness.get_by_label("Imagine").click_accesskit();
    harness.step();
    // Ctrl+Enter held down: the first press and its repeats.
    harness.get_by(text_field("Prompt")).focus();
    harness.step();
    for _ in 0..5 {
        harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
        harness.step();
    }
    frames_until(&mut harness, "the grid", |h| enabled(h, "U1"));
    assert_eq!(
        stored_jobs(data.path()).len(),
        1,
        "one job for all those presses"
    );

    // U2, then U2 again later: the second opens the first upscale instead of paying for it twice.
    harness.get_by_label("U2").click_accesskit();
    frames_until(&mut harness, "the upscale", |h| {
        enabled(h, "Upscale (Subtle)")
    });
    harness.get_by_label("#1 imagine").click_accesskit();
    frames_until(&mut harness, "the grid again", |h| enabled(h, "U2"));
    // A press within a second of the last one is taken for the same press: wait that out.
    frames_for(&mut harness, Duration::from_millis(1100));
    harness.get_by_label("U2").click_accesskit();
    frames_until(&mut harness, "the existing upscale opened", |h| {
        shows(h, "U2 of this image already exists") && enabled(h, "Run again")
    });
    assert_eq!(stored_jobs(data.path()).len(), 2);
    // Run again is the explicit way to pay for it twice.
    harness.get_by_label("Run again").click_accesskit();
    frames_until(&mut harness, "the second upscale", |_| {
        stored_jobs(data.path()).len() == 3
    });
    let upscales = stored_jobs(data.path())
        .into_iter()
        .filter(|j| j.action == "upsample2")
        .count();
    assert_eq!(upscales, 2);
}

#[test]
fn a_refused_prompt_is_explained_and_retried_and_the_gallery_finds_jobs() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = open(data.path());
    frames_until(&mut harness, "the engine", |h| shows(h, "Offline demo"));

    type_into(&mut harness, "Prompt", "a bannedword poster");
    harness.get_by_label("Check").click();
    frames_until(&mut harness, "the prompt check", |h| {
        shows(h, "TTAPI would refuse this prompt")
    });
    harness.get_by_label("Imagine anyway").click();
    frames_until(&mut harness, "the failure", |h| {
        shows(h, "Midjourney's moderator refused the prompt")
    });
    assert!(shows(&harness, "TTAPI said: [Banned prompt detected]"));
    harness.get_by_label("Retry").click();
    frames_until(&mut harness, "the retried job", |h| {
        shows(h, "#2 · imagine")
    });

    harness.get_by_label("Gallery").click();
    frames_until(&mut harness, "the gallery", |h| shows(h, "2 of 2 jobs"));
    // The retry is selected; Right steps to the older job and Enter opens it.
    harness.key_press(egui::Key::ArrowRight);
    harness.step();
    harness.key_press(egui::Key::Enter);
    frames_until(&mut harness, "job #1 in the job view", |h| {
        shows(h, "#1 · imagine")
    });

    harness.get_by_label("Gallery").click();
    harness.step();
    type_into(&mut harness, "Filter", "lighthouse");
    frames_until(&mut harness, "the text filter", |h| {
        shows(h, "0 of 2 jobs") && shows(h, "No job matches these filters.")
    });
}

#[test]
fn the_feed_shows_a_grid_as_soon_as_it_is_saved_while_the_splits_follow() {
    // Every image download takes 700 ms: the grid has a lane of its own, the four splits follow one by one.
    let slow_downloads = SimConfig {
        faults: moodgrid::sim::FaultConfig {
            latency: Duration::from_millis(700),
            only_paths: vec!["/cdn/".into()],
            ..Default::default()
        },
        ..SimConfig::fast()
    };
    const PROMPT: &str = "a slow harbour at dawn";
    let feed_grid = |h: &Window| {
        h.query_all_by_label(PROMPT)
            .any(|node| node.accesskit_node().role() == Role::Image && node.rect().max.x < 400.0)
    };
    let data = tempfile::tempdir().unwrap();
    let mut harness = open_with(data.path(), mock_keys(), slow_downloads);
    frames_until(&mut harness, "the engine", |h| shows(h, "Offline demo"));
    imagine(&mut harness, PROMPT);
    frames_until(&mut harness, "the grid in the feed", feed_grid);
    assert!(
        shows(&harness, "saving images"),
        "the grid is drawn while the split images are still being saved"
    );
    assert!(
        !enabled(&harness, "U1"),
        "and the job is not done before they are"
    );
    frames_until(&mut harness, "the job done", |h| enabled(h, "U1"));
    assert!(
        feed_grid(&harness),
        "the grid stays drawn when the job succeeds"
    );
}

#[test]
fn cjk_prompts_render_with_a_system_fallback_font() {
    const PROMPT: &str = "夜の東京 네온 霓虹灯";
    let has_glyphs = |h: &Window| {
        h.ctx
            .fonts_mut(|f| f.has_glyphs(&egui::FontId::proportional(14.0), PROMPT))
    };
    let data = tempfile::tempdir().unwrap();
    let mut harness = open(data.path());
    frames_until(&mut harness, "the engine", |h| shows(h, "Offline demo"));
    frames_until(
        &mut harness,
        "a CJK fallback font (install fonts-noto-cjk)",
        has_glyphs,
    );
    imagine(&mut harness, PROMPT);
    frames_until(&mut harness, "the job", |h| enabled(h, "U1"));
    assert!(shows(&harness, PROMPT));
}

/// A first start: an empty library offers example prompts (one click fills the bar) and says what the
/// offline demo is.
#[test]
fn an_empty_library_offers_example_prompts_and_explains_the_demo() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = open(data.path());
    frames_until(&mut harness, "the engine", |h| shows(h, "Offline demo"));
    frames_until(&mut harness, "the first-run view", |h| {
        shows(h, "Start with a prompt") && shows(h, "simulator built into Moodgrid")
    });
    let example = "isometric cutaway of a tiny bakery, soft pastel colours, clay render";
    harness.get_by_label(example).click_accesskit();
    frames_until(&mut harness, "the example in the prompt bar", |h| {
        prompt_text(h).as_deref() == Some(example)
    });
}

#[test]
fn the_job_view_shows_the_whole_family_and_opens_any_member() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = with_grid(data.path(), "a family of harbours");
    harness.get_by_label("U2").click_accesskit();
    frames_until(&mut harness, "the upscale in its family", |h| {
        shows(h, "#2 upsample2 · succeeded (this job)")
    });
    // Its grid is above it in the tree (at the bottom of the details, scrolled to), a link.
    harness
        .get_by_label("#1 imagine · succeeded")
        .scroll_to_me();
    harness.run_steps(3);
    harness
        .get_by_label("#1 imagine · succeeded")
        .click_accesskit();
    frames_until(&mut harness, "the grid opened from the tree", |h| {
        shows(h, "#1 imagine · succeeded (this job)") && shows(h, "#2 upsample2 · succeeded")
    });
}

/// TTAPI made the grid but its CDN answers 404: the job ends saying so, with Download again (free) rather
/// than only Retry (charged).
#[test]
fn a_grid_gone_from_the_cdn_offers_download_again() {
    use moodgrid::sim::FaultConfig;
    let data = tempfile::tempdir().unwrap();
    let sim = SimConfig {
        faults: FaultConfig {
            gone_images: Some(404),
            ..FaultConfig::default()
        },
        ..SimConfig::fast()
    };
    let mut harness = open_with(data.path(), mock_keys(), sim);
    frames_until(&mut harness, "the offline banner", |h| {
        shows(h, "Offline demo")
    });
    imagine(&mut harness, "a grid the CDN lost");
    frames_until(&mut harness, "the job ended, saying why", |h| {
        shows(h, "TTAPI's image is gone (HTTP 404)")
    });
    assert!(enabled(&harness, "Download again"));
    assert!(enabled(&harness, "Retry"));
    let job = &stored_jobs(data.path())[0];
    assert!(job.remote_id.is_some(), "its TTAPI id kept for the fetch");
}
