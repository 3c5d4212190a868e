//! Taking back what was not sent: the account runs one job at a time, so of four imagined at once three wait
//! in `queued` for a place. Each can be cancelled from its feed row, with Del, or all at once; the job that
//! was sent says why it cannot be. A cancelled job is never sent and costs nothing.

use std::time::Duration;

use egui_kittest::kittest::Queryable;
use moodgrid::engine::Timing;
use moodgrid::library::JobState;
use moodgrid::sim::SimConfig;

use super::harness::*;

fn state_of(data: &std::path::Path, id: i64) -> JobState {
    moodgrid::library::Library::open(data)
        .unwrap()
        .job(id)
        .unwrap()
        .state
}

#[test]
fn queued_jobs_are_cancelled_from_the_feed_with_del_or_all_at_once_and_a_sent_one_says_why_not() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = open_timed(
        data.path(),
        mock_keys(),
        SimConfig {
            run_time: Duration::from_secs(10),
            ..SimConfig::fast()
        },
        Timing {
            max_in_progress: 1,
            ..Timing::scaled(Duration::from_millis(30))
        },
    );
    frames_until(&mut harness, "the engine", |h| shows(h, "Offline demo"));
    imagine(&mut harness, "a {red, blue, green, grey} kite");
    frames_until(&mut harness, "three jobs waiting", |h| {
        shows(h, "Cancel all queued (3)")
    });
    // Which job took the one place is up to the engine's tasks.
    let jobs = stored_jobs(data.path());
    let sent = jobs
        .iter()
        .find(|j| j.state != JobState::Queued)
        .unwrap()
        .id;
    let mut waiting: Vec<i64> = jobs
        .iter()
        .filter(|j| j.state == JobState::Queued)
        .map(|j| j.id)
        .collect();
    waiting.sort_unstable();

    // From its feed row.
    harness
        .get_by_label(&format!("Cancel #{}", waiting[0]))
        .click();
    frames_until(&mut harness, "the first cancelled", |h| {
        shows(
            h,
            &format!(
                "Cancelled #{}: it was never sent, nothing is charged",
                waiting[0]
            ),
        )
    });
    assert_eq!(state_of(data.path(), waiting[0]), JobState::Cancelled);

    // Del on a queued job takes it back (on a finished one it moves it to the Trash).
    harness.get_by_label("Gallery").click();
    let tile = |id: i64| format!("Job #{id}:");
    frames_until(&mut harness, "the gallery", |h| {
        h.query_by_label_contains(&tile(waiting[1])).is_some()
    });
    harness.get_by_label_contains(&tile(waiting[1])).click();
    harness.step();
    harness.key_press(egui::Key::Delete);
    frames_until(&mut harness, "the second cancelled", |h| {
        shows(
            h,
            &format!(
                "Cancelled #{}: it was never sent, nothing is charged",
                waiting[1]
            ),
        )
    });

    // The rest at once, from the feed's heading.
    harness.get_by_label("Cancel all queued (1)").click();
    frames_until(&mut harness, "the third cancelled", |h| {
        shows(
            h,
            &format!(
                "Cancelled #{}: it was never sent, nothing is charged",
                waiting[2]
            ),
        )
    });
    frames_until(&mut harness, "nothing queued", |h| {
        !shows(h, "Cancel all queued")
    });

    // The job that was sent cannot be: its Cancel is disabled (TTAPI has no cancel).
    harness.get_by_label_contains(&tile(sent)).click();
    harness.step();
    harness.key_press(egui::Key::Enter);
    frames_until(&mut harness, "the sent job's view", |h| {
        shows(h, &format!("#{sent} · imagine"))
            && (shows(h, "running") || shows(h, "waiting at TTAPI"))
    });
    assert!(
        !enabled(&harness, "Cancel"),
        "a sent job cannot be cancelled"
    );

    // It finishes; the cancelled ones were never sent, and stay cancelled.
    frames_until(&mut harness, "the sent job done", |_| {
        state_of(data.path(), sent) == JobState::Succeeded
    });
    for id in &waiting {
        let job = moodgrid::library::Library::open(data.path())
            .unwrap()
            .job(*id)
            .unwrap();
        assert_eq!(job.state, JobState::Cancelled, "#{id}");
        assert_eq!(job.remote_id, None, "#{id} never became a TTAPI job");
    }
    // A cancelled job's view says so, and offers to send it after all.
    harness.get_by_label("Gallery").click();
    frames_until(&mut harness, "the gallery again", |h| {
        h.query_by_label_contains(&tile(waiting[2])).is_some()
    });
    harness.get_by_label_contains(&tile(waiting[2])).click();
    harness.step();
    harness.key_press(egui::Key::Enter);
    frames_until(&mut harness, "the cancelled job's view", |h| {
        shows(h, "Cancelled before it was sent: nothing was charged.")
    });
    assert!(enabled(&harness, "Send it"));
}
