//! Searching the gallery: the library's full-text index answers what is typed in the filter.

use egui_kittest::kittest::Queryable;

use super::harness::*;

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
    harness.get_by_label("Gallery").click_accesskit();
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

#[test]
fn filters_by_shape_parameters_and_boards_show_as_chips_and_save_as_a_named_search() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = open(data.path());
    frames_until(&mut harness, "the engine", |h| shows(h, "Offline demo"));
    for prompt in [
        "a wide harbour --ar 16:9",
        "a tall lighthouse --ar 2:3 --sref 77",
        "a square courtyard",
    ] {
        imagine_anew(&mut harness, prompt);
    }
    frames_until(&mut harness, "the third grid", |h| {
        shows(h, "#3 · imagine") && enabled(h, "Add to board")
    });
    // The courtyard, open now, goes on a board.
    harness.get_by_label("Add to board").click_accesskit();
    frames_until(&mut harness, "the board saved", |_| {
        let library = moodgrid::library::Library::open(data.path()).unwrap();
        library.jobs_on_boards().unwrap().contains(&3)
    });
    harness.get_by_label("Gallery").click_accesskit();
    frames_until(&mut harness, "three jobs", |h| shows(h, "3 of 3 jobs"));

    let choose = |harness: &mut Window, choice: &str| {
        if harness.query_by_label(choice).is_none() {
            click_with_pointer(harness, "More filters");
            frames_until(harness, "the filter panel", |h| {
                h.query_by_label(choice).is_some()
            });
        }
        // A popup's first frame only measures it; it is placed on the next.
        harness.run_steps(2);
        click_with_pointer(harness, choice);
    };
    choose(&mut harness, "Landscape");
    frames_until(&mut harness, "the wide one", |h| shows(h, "1 of 3 jobs"));
    assert!(shows(&harness, "Job #1: a wide harbour"));
    choose(&mut harness, "Style reference (--sref)");
    frames_until(&mut harness, "wide and with --sref: none", |h| {
        shows(h, "0 of 3 jobs")
    });
    // Each chip takes away its own filter only.
    harness.key_press(egui::Key::Escape);
    harness.step();
    harness
        .get_by_label("Remove filter: Landscape")
        .click_accesskit();
    frames_until(&mut harness, "the --sref job", |h| shows(h, "1 of 3 jobs"));
    assert!(shows(&harness, "Job #2: a tall lighthouse"));
    assert!(harness.query_by_label("Remove filter: --sref").is_some());

    harness.get_by_label("Save search").click_accesskit();
    frames_until(&mut harness, "the saved search", |h| {
        h.query_by_label("--sref").is_some()
    });
    harness.get_by_label("Clear all").click_accesskit();
    frames_until(&mut harness, "everything", |h| shows(h, "3 of 3 jobs"));
    harness.get_by_label("--sref").click_accesskit();
    frames_until(&mut harness, "the saved search applied", |h| {
        shows(h, "1 of 3 jobs")
    });
    harness
        .get_by_label("Remove filter: --sref")
        .click_accesskit();
    choose(&mut harness, "On a board");
    frames_until(&mut harness, "the job on the board", |h| {
        shows(h, "1 of 3 jobs") && shows(h, "Job #3: a square courtyard")
    });
    choose(&mut harness, "On no board");
    frames_until(&mut harness, "the two elsewhere", |h| {
        shows(h, "2 of 3 jobs")
    });
    harness.key_press(egui::Key::Escape);
    harness.step();

    // A custom date range: today to today keeps today's jobs.
    harness
        .get_by_label("Remove filter: On no board")
        .click_accesskit();
    harness.run_steps(2);
    harness.get_by_label("Made").click_accesskit();
    frames_until(&mut harness, "the date choices", |h| {
        h.query_by_label("Custom range…").is_some()
    });
    harness.get_by_label("Custom range…").click_accesskit();
    frames_until(&mut harness, "the date pickers", |h| {
        h.query_by_label("from").is_some() && shows(h, "3 of 3 jobs")
    });

    // The last search and the saved ones come back in the next window.
    let remembered = harness.state().remembered();
    assert_eq!(remembered.saved_searches.len(), 1);
    assert_eq!(remembered.saved_searches[0].name, "--sref");
    assert!(remembered.gallery_filter.made.is_some());
    drop(harness);
    let mut again = open(data.path());
    again.state_mut().restore(remembered);
    again.get_by_label("Gallery").click_accesskit();
    frames_until(&mut again, "the remembered filter", |h| {
        h.query_by_label("from").is_some() && h.query_by_label("--sref").is_some()
    });
}

#[test]
fn tiles_grow_with_the_size_slider_and_lose_their_prompts_when_asked_and_the_window_remembers() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = with_grid(data.path(), "a harbour seen large");
    harness.get_by_label("Gallery").click_accesskit();
    frames_until(&mut harness, "the gallery", |h| shows(h, "1 of 1 jobs"));
    let tile = |h: &Window| h.get_by_label_contains("Job #1:").rect();
    let before = tile(&harness);
    // The slider dragged to its far end: the largest tiles.
    let slider = harness
        .get_by(|node| {
            node.role() == egui::accesskit::Role::Slider && node.label().as_deref() == Some("Size")
        })
        .rect();
    drag(
        &mut harness,
        slider.center(),
        slider.right_center() + egui::vec2(40.0, 0.0),
        egui::Modifiers::NONE,
    );
    frames_until(&mut harness, "larger tiles", |h| {
        tile(h).width() > before.width() + 100.0
    });
    let large = tile(&harness);
    harness.get_by_label("Prompts").click_accesskit();
    frames_until(&mut harness, "tiles without their prompt", |h| {
        tile(h).height() < large.height() - 20.0
    });
    let remembered = harness.state().remembered();
    assert!(!remembered.gallery_tiles.captions);
    drop(harness);
    let mut again = open(data.path());
    again.state_mut().restore(remembered);
    again.get_by_label("Gallery").click_accesskit();
    frames_until(&mut again, "the same tiles next time", |h| {
        h.query_by_label_contains("Job #1:").is_some()
            && tile(h).size() == large.size() - egui::vec2(0.0, 32.0)
    });
}

#[test]
fn the_list_view_reads_its_rows_from_the_library_sorted_by_the_header_clicked() {
    use egui_kittest::kittest::NodeT;
    let data = tempfile::tempdir().unwrap();
    let mut harness = open(data.path());
    frames_until(&mut harness, "the engine", |h| shows(h, "Offline demo"));
    for prompt in ["b harbour", "c harbour", "a harbour"] {
        imagine_anew(&mut harness, prompt);
    }
    frames_until(&mut harness, "the third grid", |h| {
        shows(h, "#3 · imagine") && enabled(h, "U1")
    });
    moodgrid::library::Library::open(data.path())
        .unwrap()
        .mark_job(2, moodgrid::library::Mark::Stars(5))
        .unwrap();
    harness.get_by_label("Gallery").click_accesskit();
    frames_until(&mut harness, "three jobs", |h| shows(h, "3 of 3 jobs"));
    harness.get_by_label("List").click_accesskit();
    // The rows' prompts, top to bottom (the feed, on the left, and the toasts have them too).
    let rows = |h: &Window| -> Vec<String> {
        let mut cells: Vec<(f32, String)> = h
            .query_all_by_role(egui::accesskit::Role::Label)
            .filter(|node| node.rect().min.x > 300.0)
            .filter_map(|node| {
                let text = node.accesskit_node().value()?;
                text.ends_with(" harbour")
                    .then(|| (node.rect().min.y, text.to_owned()))
                    .filter(|(_, text)| !text.contains(':'))
            })
            .collect();
        cells.sort_by(|a, b| a.0.total_cmp(&b.0));
        cells.into_iter().map(|(_, text)| text).collect()
    };
    frames_until(&mut harness, "newest first", |h| {
        rows(h) == ["a harbour", "c harbour", "b harbour"]
    });
    let header = |h: &Window, title: &str| {
        h.query_all_by_label_contains(title)
            .find(|node| {
                node.accesskit_node().role() == egui::accesskit::Role::Button
                    && node.rect().min.x > 300.0
            })
            .unwrap()
            .rect()
            .center()
    };
    let click = |h: &mut Window, at: egui::Pos2| {
        pointer(h, egui::Event::PointerMoved(at));
        pointer(h, button(at, true));
        pointer(h, button(at, false));
    };
    let at = header(&harness, "Prompt");
    click(&mut harness, at);
    frames_until(&mut harness, "A to Z", |h| {
        rows(h) == ["a harbour", "b harbour", "c harbour"]
    });
    let at = header(&harness, "Prompt");
    click(&mut harness, at);
    frames_until(&mut harness, "Z to A", |h| {
        rows(h) == ["c harbour", "b harbour", "a harbour"]
    });
    let at = header(&harness, "Rating");
    click(&mut harness, at);
    frames_until(&mut harness, "the five stars first", |h| {
        rows(h) == ["c harbour", "a harbour", "b harbour"]
    });
    // The keys walk the list in its own order: End to the last row, up one, Enter opens that job.
    harness.key_press(egui::Key::End);
    harness.key_press(egui::Key::ArrowUp);
    assert!(!shows(&harness, "#3 · imagine"));
    harness.key_press(egui::Key::Enter);
    frames_until(&mut harness, "the row above the last, opened", |h| {
        shows(h, "#3 · imagine")
    });
    harness.get_by_label("Gallery").click_accesskit();
    frames_until(&mut harness, "the list again", |h| {
        rows(h) == ["c harbour", "a harbour", "b harbour"]
    });
    // The list is filtered like the tiles.
    // `-c`, not `-c*`: the index holds TTAPI ids too, and a random one may start with a c.
    type_into(&mut harness, "Filter", "-c");
    frames_until(&mut harness, "the search in the list", |h| {
        rows(h) == ["a harbour", "b harbour"] || rows(h) == ["b harbour", "a harbour"]
    });
    assert!(harness.state().remembered().gallery_list);
}

/// A library larger than what the window reads at start (the newest 2,000 jobs): the gallery pages through
/// it under a heading for each day, End reaches the oldest job on a page read for it, and opening that job
/// reads it from the library.
#[test]
fn a_library_past_what_the_window_reads_at_start_is_paged_and_its_oldest_job_opens() {
    use moodgrid::library::{JobParams, JobState, JobUpdate, Library, NewJob};
    let data = tempfile::tempdir().unwrap();
    let library = Library::open(data.path()).unwrap();
    for n in 0..2_100 {
        let prompt = format!("archive study {n}");
        let new = NewJob {
            backend: "simulator".into(),
            params: JobParams::Imagine {
                prompt: prompt.clone(),
                mode: moodgrid::domain::Mode::Fast,
                timeout: None,
            },
            action: "imagine".into(),
            prompt,
            mode: None,
            parent_id: None,
            timeout_secs: 300,
        };
        let job = library.insert_job(&new).unwrap();
        library
            .update_job(
                job.id,
                &JobUpdate::transition(JobState::Queued, JobState::Succeeded),
            )
            .unwrap();
    }
    drop(library);
    // The oldest 100 were made two days ago: the tiles come under two day headings.
    let two_days_ago = moodgrid::library::now_ms() - 2 * 24 * 60 * 60 * 1000;
    rusqlite::Connection::open(data.path().join(moodgrid::library::DATABASE_FILE))
        .unwrap()
        .execute(
            "UPDATE jobs SET created_at = ?1 WHERE id <= 100",
            [two_days_ago],
        )
        .unwrap();
    let mut harness = open(data.path());
    frames_until(&mut harness, "the engine", |h| shows(h, "Offline demo"));
    harness.get_by_label("Gallery").click_accesskit();
    frames_until(&mut harness, "every job counted", |h| {
        shows(h, "2100 of 2100 jobs")
    });
    frames_until(&mut harness, "today's heading", |h| {
        shows(h, "Today · 2000 jobs")
    });
    frames_until(&mut harness, "the newest tile", |h| {
        h.query_by_label("Job #2100: archive study 2099").is_some()
    });
    assert!(
        harness.query_by_label("Job #1: archive study 0").is_none(),
        "the oldest job is pages away"
    );
    click_tile(&mut harness, 2100, egui::Modifiers::NONE);
    harness.key_press(egui::Key::End);
    frames_until(&mut harness, "the oldest tile, on its own page", |h| {
        h.query_by_label("Job #1: archive study 0").is_some()
    });
    // Its day's heading stays at the top while its rows are on screen; today's is far above.
    assert!(shows(&harness, "· 100 jobs"));
    assert!(!shows(&harness, "Today · 2000 jobs"));
    harness.key_press(egui::Key::Enter);
    frames_until(&mut harness, "the oldest job open", |h| {
        shows(h, "#1 · imagine")
    });
    assert!(shows(&harness, "archive study 0"));
}
