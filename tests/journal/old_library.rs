//! A library written by Moodgrid before job parameters were typed (schema 3, `tests/fixtures/library-v3`,
//! made with that code and checked in): it opens, its rows are converted, and each kind of queued job in it
//! is sent again by `resume` exactly as it was asked.

use std::path::Path;

use moodgrid::domain::Mode;
use moodgrid::domain::search::SearchQuery;
use moodgrid::library::{JobKind, JobParams, Library, PARAMS_VERSION};
use moodgrid::sim::{SimConfig, Simulator};

use super::{json_lines, moodgrid, one_job};

/// The fixture's service; its two finished parents carry these made-up TTAPI ids.
const FIXTURE_BACKEND: &str = "http://127.0.0.1:9";
const FIXTURE_GRID: &str = "fixture-grid";
const FIXTURE_UPSCALE: &str = "fixture-upscale";

fn copy_fixture(to: &Path) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/library-v3");
    for entry in walkdir::WalkDir::new(&from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(&from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Real parents on `sim` (a grid and its U1, made in a scratch library), so the fixture's follow-ups have
/// something to act on: returns their TTAPI ids.
async fn parents_on(sim: &Simulator) -> (String, String) {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path();
    let grid = one_job(
        &moodgrid(sim, dir, &["imagine", "fixture parent", "--wait", "--json"]).await,
        0,
    );
    let grid = grid["jobId"].as_str().unwrap().to_owned();
    let upscale = one_job(
        &moodgrid(
            sim,
            dir,
            &["action", &grid, "upsample1", "--wait", "--json"],
        )
        .await,
        0,
    );
    (grid, upscale["jobId"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn a_library_from_before_typed_parameters_opens_and_resends_every_kind() {
    let data = tempfile::tempdir().unwrap();
    copy_fixture(data.path());

    // Opening migrates: every row now holds typed parameters of the current format.
    let library = Library::open(data.path()).unwrap();
    let jobs = library.recent_jobs(100).unwrap();
    assert_eq!(jobs.len(), 9);
    for job in &jobs {
        let params = job.params.as_ref().unwrap();
        assert_eq!(params.kind(), job.kind, "#{}", job.id);
    }
    let params_of = |id: i64| {
        jobs.iter()
            .find(|j| j.id == id)
            .unwrap()
            .params
            .clone()
            .unwrap()
    };
    assert_eq!(
        params_of(3),
        JobParams::Imagine {
            prompt: "a lighthouse at dusk --ar 3:2".into(),
            mode: Mode::Relax,
            timeout: Some(600),
        }
    );
    assert_eq!(
        params_of(4),
        JobParams::Action {
            action: "variation2".into(),
            timeout: Some(400),
        }
    );
    assert!(matches!(
        params_of(9),
        JobParams::Inpaint { prompt, mask_ops: Some(ops) } if prompt == "a red door" && ops.len() == 1
    ));
    let stored: String = rusqlite::Connection::open(data.path().join("moodgrid.sqlite3"))
        .unwrap()
        .query_row("SELECT params FROM jobs WHERE id = 8", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, format!(r#"{{"v":{PARAMS_VERSION},"kind":"seed"}}"#));
    // The search index was built for the jobs already there.
    let found: Vec<i64> = library
        .search(
            &SearchQuery::parse("lighthouse dusk"),
            &Default::default(),
            10,
        )
        .unwrap()
        .iter()
        .map(|hit| hit.id)
        .collect();
    assert_eq!(found, [3]);
    let found_door = library
        .search(&SearchQuery::parse("\"red door\""), &Default::default(), 10)
        .unwrap();
    assert!(found_door.iter().any(|hit| hit.id == 9), "{found_door:?}");
    // Every image the fixture holds is still there after the migration, byte for byte, with its
    // thumbnails: the blend's two sources, the describe's, the inpaint's mask.
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/library-v3");
    let mut kept = 0;
    for job in &jobs {
        for file in library.image_files(job.id).unwrap() {
            let original = std::fs::read(&file.path)
                .unwrap_or_else(|e| panic!("#{}: {:?}: {e}", job.id, file.path));
            assert_eq!(
                original,
                std::fs::read(fixture.join(&file.record.path)).unwrap(),
                "#{}: {}",
                job.id,
                file.record.path
            );
            for (_, thumbnail) in &file.thumbnails {
                assert!(thumbnail.exists(), "#{}: {thumbnail:?}", job.id);
            }
            kept += 1;
        }
    }
    assert_eq!(kept, 4, "two blend sources, a described image, a mask");
    drop(library);

    // Point the fixture at a live simulator: its parents become real jobs there.
    let sim = Simulator::start(SimConfig::fast()).await.unwrap();
    let (grid, upscale) = parents_on(&sim).await;
    let base = sim.base_url().to_string();
    {
        let db = rusqlite::Connection::open(data.path().join("moodgrid.sqlite3")).unwrap();
        for (old, new) in [(FIXTURE_GRID, &grid), (FIXTURE_UPSCALE, &upscale)] {
            db.execute(
                "UPDATE jobs SET remote_id = ?2 WHERE remote_id = ?1",
                [old, new.as_str()],
            )
            .unwrap();
        }
        db.execute(
            "UPDATE jobs SET backend = ?2 WHERE backend = ?1",
            [FIXTURE_BACKEND, base.as_str()],
        )
        .unwrap();
    }
    let before = sim.jobs().len();

    let resumed = moodgrid(&sim, data.path(), &["resume", "--wait", "--json"]).await;
    let finished = json_lines(&resumed, 1);
    assert_eq!(
        finished.len(),
        7,
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );

    // What the simulator received, in the order it came: each kind as it was asked.
    let sent: Vec<_> = sim.jobs().into_iter().skip(before).collect();
    assert_eq!(sent.len(), 7, "each queued job was sent once: {sent:?}");
    let find = |action: &str| {
        sent.iter()
            .filter(|j| j.action == action)
            .collect::<Vec<_>>()
    };
    let imagine = find("imagine");
    assert_eq!(
        (imagine.len(), imagine[0].prompt.as_str(), imagine[0].mode),
        (1, "a lighthouse at dusk --ar 3:2", Mode::Relax)
    );
    assert_eq!(find("variation2").len(), 1);
    assert_eq!(find("blend").len(), 1);
    assert_eq!(find("describe").len(), 2);
    assert_eq!(find("seed").len(), 1);
    let inpaint = find("inpaint");
    assert_eq!(
        (inpaint.len(), inpaint[0].prompt.as_str()),
        (1, "a red door")
    );

    // And how each ended: every kind succeeded but the described link, which this simulator cannot fetch
    // (its answer names the link the job asked about).
    let library = Library::open(data.path()).unwrap();
    for id in 3..=9 {
        let job = library.job(id).unwrap();
        let want_parent = match job.kind {
            JobKind::Action | JobKind::Seed => Some(grid.as_str()),
            JobKind::Inpaint => Some(upscale.as_str()),
            _ => None,
        };
        let parent = job
            .parent_id
            .map(|p| library.job(p).unwrap().remote_id.unwrap());
        assert_eq!(parent.as_deref(), want_parent, "#{id}");
        if id == 7 {
            let message = job.message.clone().unwrap_or_default();
            assert!(
                message.contains("https://cdn.example.com/reference.png"),
                "{message}"
            );
        } else {
            assert_eq!(job.state.as_str(), "succeeded", "#{id}: {:?}", job.message);
        }
    }
    // Every image of every job, old and new, is on disk: the original decoding to its recorded size, and
    // its thumbnails; each job that makes pictures and succeeded has its grid and four splits.
    for id in 1..=9 {
        let job = library.job(id).unwrap();
        let files = library.image_files(id).unwrap();
        for file in &files {
            let size = image::image_dimensions(&file.path)
                .unwrap_or_else(|e| panic!("#{id}: {:?}: {e}", file.path));
            assert_eq!(size, (file.record.width, file.record.height), "#{id}");
            for (_, thumbnail) in &file.thumbnails {
                assert!(thumbnail.exists(), "#{id}: {thumbnail:?}");
            }
        }
        let outputs = files.iter().filter(|f| f.record.role.is_output()).count();
        let makes_pictures = matches!(
            job.kind,
            JobKind::Imagine | JobKind::Action | JobKind::Blend | JobKind::Inpaint
        );
        if makes_pictures && (3..=9).contains(&id) {
            assert_eq!(outputs, 5, "#{id} ({:?})", job.kind);
        }
    }
    let blend = library.job(5).unwrap();
    assert!(
        blend.width < blend.height,
        "the blend was asked as a portrait: {:?}×{:?}",
        blend.width,
        blend.height
    );
}
