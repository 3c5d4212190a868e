//! The prompt studio and the account: parameters as chips, the Parameters popover, a dragged reference, a
//! dropped file explained, a permutation batch with its estimate and the threshold's question, and the
//! Account window with a mode down.

use egui_kittest::kittest::Queryable;
use moodgrid::domain::Mode;
use moodgrid::domain::pricing::PriceTable;
use moodgrid::library::JobState;
use moodgrid::sim::SimConfig;

use super::harness::*;

fn ready(harness: &mut Window) {
    frames_until(harness, "the engine", |h| shows(h, "Offline demo"));
}

fn press(harness: &mut Window, label: &str) {
    harness.get_by_label(label).click_accesskit();
    harness.run_steps(3);
}

#[test]
fn parameters_show_as_chips_that_edit_the_text_and_the_popover_writes_it() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = open(data.path());
    ready(&mut harness);
    type_into(
        &mut harness,
        "Prompt",
        "a fox --arr 16:9 --chaos 150 --tile",
    );
    harness.run_steps(2);
    assert!(shows(&harness, "⚠ arr 16:9"), "an unknown flag is marked");
    assert!(
        shows(&harness, "⚠ chaos 150"),
        "a value out of range is marked"
    );
    assert!(
        harness.query_by_label("tile").is_some(),
        "a flag alone is a chip"
    );

    press(&mut harness, "⚠ arr 16:9");
    press(&mut harness, "Change to --ar");
    assert_eq!(
        prompt_text(&harness).as_deref(),
        Some("a fox --ar 16:9 --chaos 150 --tile")
    );
    press(&mut harness, "⚠ chaos 150");
    press(&mut harness, "Remove");
    assert_eq!(
        prompt_text(&harness).as_deref(),
        Some("a fox --ar 16:9 --tile")
    );
    assert!(
        harness.query_by_label("ar 16:9").is_some(),
        "a sound parameter is a plain chip"
    );

    press(&mut harness, "Parameters");
    press(&mut harness, "9:16");
    assert_eq!(
        prompt_text(&harness).as_deref(),
        Some("a fox --ar 9:16 --tile")
    );
    press(&mut harness, "Style raw");
    assert_eq!(
        prompt_text(&harness).as_deref(),
        Some("a fox --ar 9:16 --tile --style raw")
    );
}

#[test]
fn a_permutation_previews_its_prompts_sends_one_job_each_and_asks_above_the_threshold() {
    let data = tempfile::tempdir().unwrap();
    let mut prices = PriceTable::default();
    prices.set_from("imagine=3").unwrap();
    let mut harness = open_with(
        data.path(),
        mock_keys(),
        SimConfig {
            prices,
            ..SimConfig::fast()
        },
    );
    ready(&mut harness);
    type_into(&mut harness, "Prompt", "a {red, blue} kite --r 2");
    harness.run_steps(2);
    assert!(shows(&harness, "4 prompts"), "the preview counts them");
    assert!(
        shows(&harness, "≈ 8 quota · 4 jobs"),
        "the default price, 2 each"
    );
    press(&mut harness, "Imagine");
    frames_until(&mut harness, "four finished jobs", |_| {
        let jobs = stored_jobs(data.path());
        jobs.len() == 4 && jobs.iter().all(|j| j.state == JobState::Succeeded)
    });
    let mut prompts: Vec<String> = stored_jobs(data.path())
        .into_iter()
        .map(|j| j.prompt)
        .collect();
    prompts.sort();
    assert_eq!(
        prompts,
        ["a blue kite", "a blue kite", "a red kite", "a red kite"]
    );
    assert!(
        stored_jobs(data.path())
            .iter()
            .all(|j| j.quota == Some(3.0))
    );
    frames_until(&mut harness, "the learned price", |h| {
        shows(h, "≈ 12 quota · 4 jobs")
    });

    // Seven at 3 is 21, above the default threshold of 20: the window asks, and Cancel sends nothing.
    imagine_anew(&mut harness, "{a, b, c, d, e, f, g} kite");
    frames_until(&mut harness, "the question", |h| {
        shows(h, "Send this batch?")
    });
    assert!(shows(&harness, "7 jobs for about 21 quota"));
    press(&mut harness, "Cancel");
    assert!(!shows(&harness, "Send this batch?"));
    // Only once nothing is on its way can "nothing was sent" be told from "not sent yet".
    settle(&mut harness);
    assert_eq!(stored_jobs(data.path()).len(), 4, "Cancel sent nothing");
    press(&mut harness, "Imagine");
    frames_until(&mut harness, "the question again", |h| {
        shows(h, "Send this batch?")
    });
    press(&mut harness, "Send");
    frames_until(&mut harness, "eleven jobs", |_| {
        stored_jobs(data.path()).len() == 11
    });
}

#[test]
fn a_finished_image_dragged_onto_the_prompt_becomes_a_reference_and_a_file_is_explained() {
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let mut harness = with_grid(data.path(), "harbour lights in fog");
    let prompt = harness.get_by(text_field("Prompt")).rect();
    let row = harness
        .query_all_by_label_contains("harbour lights in fog")
        .map(|n| n.rect())
        .find(|r| r.min.y > prompt.max.y + 30.0 && r.max.x < 420.0)
        .unwrap();
    drag(
        &mut harness,
        row.center(),
        prompt.center(),
        egui::Modifiers::NONE,
    );
    frames_until(&mut harness, "the choice of use", |h| shows(h, "Use #1 as"));
    press(&mut harness, "Style reference (--sref)");
    let text = prompt_text(&harness).unwrap();
    assert!(
        text.starts_with("harbour lights in fog --sref http://127.0.0.1:")
            && text.ends_with(".png"),
        "{text}"
    );
    assert!(
        harness.query_by_label_contains("sref http://").is_some(),
        "a chip for it"
    );

    // A file of the user's own has no address TTAPI can read: the bar says so and offers Describe.
    let mine = picture(files.path(), "mine.png", [200, 40, 40]);
    pointer(&mut harness, egui::Event::PointerMoved(prompt.center()));
    drop_files(&mut harness, &[mine]);
    frames_until(&mut harness, "the explanation", |h| {
        shows(h, "Your own files have no web address TTAPI can read")
    });
    press(&mut harness, "Describe it");
    frames_until(&mut harness, "the file in Describe", |h| {
        shows(h, "mine.png")
    });
}

#[test]
fn the_account_window_shows_the_balance_each_modes_status_and_the_spend() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = open_with(
        data.path(),
        mock_keys(),
        SimConfig {
            balance: 500.0,
            modes_down: vec![Mode::Relax],
            ..SimConfig::fast()
        },
    );
    ready(&mut harness);
    imagine(&mut harness, "a quiet pond");
    frames_until(&mut harness, "the grid", |h| enabled(h, "U1"));
    press(&mut harness, "Account");
    frames_until(&mut harness, "the balance", |h| shows(h, "498 quota"));
    assert!(
        shows(&harness, "down: Endpoints unavailable"),
        "relax is down"
    );
    assert!(shows(&harness, "about"), "the other modes' times");
    frames_until(&mut harness, "the ledger", |h| {
        shows(h, "Spend, last 30 days") && shows(h, "Biggest spenders")
    });
    assert!(shows(&harness, "Refunded for failed jobs: 0 quota"));
    assert!(
        enabled(&harness, "Export CSV…"),
        "there is a ledger to export"
    );

    // The mode picker marks the mode that is down.
    press(&mut harness, "Relax");
    assert!(shows(&harness, "⚠ relax down"));
}

#[test]
fn the_batch_question_needs_a_fresh_enter_not_the_held_one_that_asked_it() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = open(data.path());
    ready(&mut harness);
    // Eleven at the default 2 is 22, above the threshold of 20: the window asks.
    type_into(
        &mut harness,
        "Prompt",
        "{a, b, c, d, e, f, g, h, i, j, k} kite",
    );
    // Ctrl+Enter pressed and held: it asks the question...
    harness.key_down_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    harness.step();
    assert!(shows(&harness, "Send this batch?"));
    assert!(shows(&harness, "11 jobs for about 22 quota"));
    // ...and its repeats, with Ctrl still down and then let go, answer nothing.
    let repeat = |modifiers| egui::Event::Key {
        key: egui::Key::Enter,
        pressed: true,
        repeat: true,
        modifiers,
        physical_key: None,
    };
    for modifiers in [egui::Modifiers::COMMAND, egui::Modifiers::NONE] {
        for _ in 0..5 {
            harness.event(repeat(modifiers));
            harness.step();
        }
    }
    assert!(
        shows(&harness, "Send this batch?"),
        "a held key is no answer"
    );
    // Let go and press again: that is an answer.
    harness.key_up(egui::Key::Enter);
    harness.step();
    assert!(shows(&harness, "Send this batch?"));
    harness.key_press(egui::Key::Enter);
    harness.run_steps(2);
    assert!(!shows(&harness, "Send this batch?"));
    frames_until(&mut harness, "the eleven jobs", |_| {
        stored_jobs(data.path()).len() == 11
    });
}
