//! Every subcommand with `--wait --json`, checking the JSON and that the files decode to the reported sizes;
//! then the exit codes of what goes wrong.

use image::{Rgba, RgbaImage};
use moodgrid::domain::Action;
use moodgrid::domain::board::{Board, Content, V2};
use moodgrid::imaging;
use moodgrid::library::{ImageFile, Library};
use moodgrid::sim::{SimConfig, Simulator};

use super::{file_sizes, json_lines, moodgrid, one_job};

fn write_png(dir: &std::path::Path, name: &str, img: &RgbaImage) -> String {
    let path = dir.join(name);
    std::fs::write(&path, imaging::encode_png(img).unwrap()).unwrap();
    path.display().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_subcommand_waits_and_reports_its_files() {
    let sim = Simulator::start(SimConfig::fast()).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let inputs = tempfile::tempdir().unwrap();
    let dir = data.path();

    // imagine: a grid and its four images, the grid first.
    let grid = one_job(
        &moodgrid(
            &sim,
            dir,
            &[
                "imagine",
                "a copper teapot --ar 3:2",
                "--mode",
                "turbo",
                "--wait",
                "--json",
            ],
        )
        .await,
        0,
    );
    assert_eq!(grid["status"], "SUCCESS");
    assert_eq!(grid["action"], "imagine");
    assert_eq!(grid["mode"], "turbo");
    assert_eq!(grid["progress"], 100);
    assert_eq!(grid["parentJobId"], serde_json::Value::Null);
    assert_eq!(
        grid["components"],
        serde_json::json!(Action::grid_components())
    );
    let (w, h) = (
        grid["width"].as_u64().unwrap() as u32,
        grid["height"].as_u64().unwrap() as u32,
    );
    assert!(w > h, "--ar 3:2 is landscape");
    let sizes = file_sizes(&grid);
    assert_eq!(sizes.len(), 5);
    assert_eq!(
        sizes[0],
        (w, h),
        "the grid file decodes to the reported size"
    );
    assert!(sizes[1..].iter().all(|s| *s == (w / 2, h / 2)));
    let grid_id = grid["jobId"].as_str().unwrap().to_owned();

    // action by a unique prefix of the id: U2, then an upscale of it.
    let u2 = one_job(
        &moodgrid(
            &sim,
            dir,
            &["action", &grid_id[..8], "upsample2", "--wait", "--json"],
        )
        .await,
        0,
    );
    assert_eq!(
        (u2["action"].as_str(), u2["parentJobId"].as_str()),
        (Some("upsample2"), Some(grid_id.as_str()))
    );
    assert_eq!(file_sizes(&u2), [(w / 2, h / 2)]);
    assert!(
        u2["components"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "upscale_subtle")
    );
    let u2_id = u2["jobId"].as_str().unwrap().to_owned();
    let up = one_job(
        &moodgrid(
            &sim,
            dir,
            &["action", &u2_id, "upscale_subtle", "--wait", "--json"],
        )
        .await,
        0,
    );
    assert_eq!(file_sizes(&up), [(w, h)]);
    assert_eq!(
        (up["width"].as_u64(), up["height"].as_u64()),
        (Some(u64::from(w)), Some(u64::from(h)))
    );

    // inpaint with a grey-and-white mask file (thresholded), on the upsampled image.
    let (uw, uh) = (w / 2, h / 2);
    let mask = RgbaImage::from_fn(uw, uh, |x, _| {
        if x < uw / 3 {
            Rgba([230, 230, 230, 255])
        } else {
            Rgba([40, 40, 40, 255])
        }
    });
    let mask_path = write_png(inputs.path(), "mask.png", &mask);
    let inpainted = moodgrid(
        &sim,
        dir,
        &[
            "inpaint",
            &u2_id,
            "--mask",
            &mask_path,
            "--prompt",
            "green ivy",
            "--wait",
            "--json",
        ],
    )
    .await;
    assert!(
        String::from_utf8_lossy(&inpainted.stderr)
            .contains("is not pure black and white; pixels at least half bright are repainted"),
        "the thresholding is announced"
    );
    let region = one_job(&inpainted, 0);
    assert_eq!(
        (region["action"].as_str(), region["prompt"].as_str()),
        (Some("inpaint"), Some("green ivy"))
    );
    let sizes = file_sizes(&region);
    assert_eq!(sizes[0], (uw * 2, uh * 2));
    assert_eq!(sizes.len(), 5);

    // blend two files; describe a file and the simulator's own image URL.
    let red = write_png(
        inputs.path(),
        "red.png",
        &RgbaImage::from_pixel(300, 200, Rgba([220, 30, 30, 255])),
    );
    let blue = write_png(
        inputs.path(),
        "blue.png",
        &RgbaImage::from_pixel(200, 300, Rgba([30, 30, 220, 255])),
    );
    let blend = one_job(
        &moodgrid(
            &sim,
            dir,
            &[
                "blend",
                &red,
                &blue,
                "--dimensions",
                "portrait",
                "--wait",
                "--json",
            ],
        )
        .await,
        0,
    );
    assert_eq!(blend["action"], "blend");
    let sizes = file_sizes(&blend);
    assert!(sizes[0].0 < sizes[0].1, "portrait: {sizes:?}");
    let described = one_job(
        &moodgrid(&sim, dir, &["describe", &red, "--wait", "--json"]).await,
        0,
    );
    let prompts = described["prompt"].as_str().unwrap();
    assert_eq!(prompts.split("\n\n").count(), 4, "{prompts}");
    assert!(prompts.contains("red"));
    assert_eq!(
        file_sizes(&described),
        [(300, 200)],
        "describe keeps the described image"
    );
    let sim_url = format!("{}/cdn/{grid_id}/tl.png", sim.base_url());
    let by_url = one_job(
        &moodgrid(
            &sim,
            dir,
            &["describe", "--url", &sim_url, "--wait", "--json"],
        )
        .await,
        0,
    );
    assert_eq!(file_sizes(&by_url), [(w / 2, h / 2)]);

    // seed: shown on the seed job and stored on the grid.
    let seed = one_job(
        &moodgrid(&sim, dir, &["seed", &grid_id, "--wait", "--json"]).await,
        0,
    );
    let value = seed["seed"].as_str().unwrap().to_owned();
    assert!(value.parse::<u32>().is_ok(), "a seed is a number: {value}");
    let fetched = one_job(
        &moodgrid(&sim, dir, &["fetch", &grid_id, "--json"]).await,
        0,
    );
    assert_eq!(fetched["seed"].as_str(), Some(value.as_str()));
    assert_eq!(fetched["status"], "SUCCESS");

    // list: newest first, everything kept.
    let listed = json_lines(
        &moodgrid(&sim, dir, &["list", "--limit", "50", "--json"]).await,
        0,
    );
    assert_eq!(listed.len(), 8);
    assert_eq!(listed[0]["jobId"], seed["jobId"]);
    assert!(listed.iter().all(|j| j["status"] == "SUCCESS"));
    // search: the same lines for the jobs found; a describe is found by its answers, and a search may
    // start with an exclusion.
    let found = |query: &'static str| {
        let sim = &sim;
        async move {
            json_lines(&moodgrid(sim, dir, &["search", query, "--json"]).await, 0)
                .iter()
                .map(|j| j["jobId"].as_str().unwrap_or_default().to_owned())
                .collect::<Vec<_>>()
        }
    };
    let described_id = described["jobId"].as_str().unwrap().to_owned();
    assert!(found("red").await.contains(&described_id));
    let not_describes: Vec<String> = listed
        .iter()
        .filter(|j| j["action"] != "describe")
        .map(|j| j["jobId"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(found("-describe").await, not_describes);
    assert!(found("\"no such words\"").await.is_empty());
    // rate and flag: written to the library and listed; more than five stars is a usage error.
    for args in [
        ["rate", grid_id.as_str(), "4"],
        ["flag", grid_id.as_str(), "pick"],
    ] {
        assert_eq!(
            moodgrid(&sim, dir, &args).await.status.code(),
            Some(0),
            "{args:?}"
        );
    }
    let marked = json_lines(
        &moodgrid(&sim, dir, &["search", &grid_id, "--json"]).await,
        0,
    );
    assert_eq!(
        (marked[0]["rating"].as_u64(), marked[0]["flag"].as_str()),
        (Some(4), Some("pick"))
    );
    assert_eq!(
        moodgrid(&sim, dir, &["rate", &grid_id, "6"])
            .await
            .status
            .code(),
        Some(2)
    );
    // list and search keep only what --rating and --since allow.
    let rated = json_lines(
        &moodgrid(&sim, dir, &["list", "--rating", "4", "--json"]).await,
        0,
    );
    assert_eq!(rated.len(), 1);
    assert_eq!(rated[0]["jobId"].as_str(), Some(grid_id.as_str()));
    for args in [
        ["list", "--rating", "5", "--json"],
        ["list", "--since", "2999-01-01", "--json"],
    ] {
        assert!(
            json_lines(&moodgrid(&sim, dir, &args).await, 0).is_empty(),
            "{args:?}"
        );
    }
    let since_2000 = json_lines(
        &moodgrid(
            &sim,
            dir,
            &["search", "", "--since", "2000-01-01", "--json"],
        )
        .await,
        0,
    );
    assert_eq!(since_2000.len(), listed.len());
    assert_eq!(
        moodgrid(&sim, dir, &["list", "--since", "last week"])
            .await
            .status
            .code(),
        Some(2)
    );
    let resumed = moodgrid(&sim, dir, &["resume", "--wait", "--json"]).await;
    assert_eq!(resumed.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&resumed.stderr).contains("Nothing to resume"));
    assert_eq!(
        sim.accepted_submissions(),
        8,
        "one submission per job, none repeated"
    );

    // Without --wait a command returns once the service has the job; resume finishes it.
    let quick = one_job(
        &moodgrid(&sim, dir, &["imagine", "a paper boat", "--json"]).await,
        0,
    );
    assert!(
        ["PENDING_QUEUE", "ON_QUEUE"].contains(&quick["status"].as_str().unwrap()),
        "{quick}"
    );
    let finished = json_lines(
        &moodgrid(&sim, dir, &["resume", "--wait", "--json"]).await,
        0,
    );
    assert_eq!(finished.len(), 1);
    assert_eq!(
        (finished[0]["jobId"].clone(), finished[0]["status"].as_str()),
        (quick["jobId"].clone(), Some("SUCCESS"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_goes_wrong_gets_its_exit_code_and_a_message() {
    let sim = Simulator::start(SimConfig::fast()).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let dir = data.path();
    let files = tempfile::tempdir().unwrap();
    let grid = one_job(
        &moodgrid(&sim, dir, &["imagine", "a kite", "--wait", "--json"]).await,
        0,
    );
    let grid_id = grid["jobId"].as_str().unwrap().to_owned();
    let text = files.path().join("notes.png");
    std::fs::write(&text, "these are notes, not pixels").unwrap();
    let text = text.display().to_string();
    let small_mask = write_png(
        files.path(),
        "small.png",
        &RgbaImage::from_pixel(10, 10, Rgba([255, 255, 255, 255])),
    );
    let before = sim.accepted_submissions();

    let cases: Vec<(Vec<&str>, i32, &str)> = vec![
        (
            vec!["action", &grid_id, "upscale_subtle"],
            2,
            "does not offer `upscale_subtle`",
        ),
        (
            vec!["action", "no-such-job", "upsample1"],
            2,
            "no job matches",
        ),
        (vec!["blend", &text, &text], 2, "notes.png: not an image"),
        (
            vec!["describe", "/definitely/missing.png"],
            2,
            "cannot read",
        ),
        (
            vec!["inpaint", &grid_id, "--mask", &small_mask],
            2,
            "must be exactly the image's size",
        ),
        (
            vec!["imagine", "x", "--timeout", "30"],
            2,
            "between 300 and 1200",
        ),
        (vec!["imagine"], 2, "PROMPT"),
    ];
    for (args, code, says) in cases {
        let output = moodgrid(&sim, dir, &args).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    assert_eq!(
        sim.accepted_submissions(),
        before,
        "nothing invalid was sent"
    );

    let banned = moodgrid(
        &sim,
        dir,
        &["imagine", "a bannedword parade", "--wait", "--json"],
    )
    .await;
    let job = one_job(&banned, 1);
    assert_eq!(job["status"], "FAILED");
    assert!(
        job["message"]
            .as_str()
            .unwrap()
            .starts_with("[Banned prompt detected]")
    );
    assert!(String::from_utf8_lossy(&banned.stderr).contains("[Banned prompt detected]"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_and_network_problems_exit_3_and_4() {
    let locked = Simulator::start(SimConfig {
        api_key: Some("another-key".into()),
        ..SimConfig::fast()
    })
    .await
    .unwrap();
    let data = tempfile::tempdir().unwrap();
    let job = one_job(
        &moodgrid(&locked, data.path(), &["imagine", "a cat", "--json"]).await,
        3,
    );
    assert_eq!(job["state"], "rejected");
    assert!(
        job["message"]
            .as_str()
            .unwrap()
            .contains("rejected the API key")
    );

    let poor = Simulator::start(SimConfig {
        balance: 0.5,
        ..SimConfig::fast()
    })
    .await
    .unwrap();
    let job = one_job(
        &moodgrid(&poor, data.path(), &["imagine", "a cat", "--json"]).await,
        3,
    );
    assert!(job["message"].as_str().unwrap().contains("balance"));

    let gone = Simulator::start(SimConfig::fast()).await.unwrap();
    let address = gone.base_url();
    gone.shutdown().await;
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_moodgrid"));
    command
        .args(["imagine", "a cat", "--json"])
        .env("TTAPI_API_KEY", super::KEY)
        .env("TTAPI_BASE_URL", address.to_string())
        .env("MOODGRID_DATA_DIR", data.path())
        .env("MOODGRID_POLL_MS", "5");
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    let job = one_job(&output, 4);
    assert_eq!(
        job["state"], "queued",
        "never sent, so safe to send later: {job}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_outside_ttapi_needs_consent_and_a_damaged_settings_file_only_warns() {
    let data = tempfile::tempdir().unwrap();
    let run = |args: Vec<&'static str>| {
        let data = data.path().to_owned();
        tokio::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_moodgrid"))
                .args(args)
                .env("TTAPI_API_KEY", super::KEY)
                .env("MOODGRID_DATA_DIR", data)
                .env_remove("TTAPI_BASE_URL")
                .env_remove("RUST_LOG")
                // Never read: a refusal must not wait for an answer.
                .stdin(std::process::Stdio::null())
                .output()
                .unwrap()
        })
    };
    let settings_file = moodgrid::settings::Settings::path(data.path());

    let refused = run(vec!["--base-url", "https://proxy.example.com", "resume"])
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("https://proxy.example.com is not one of TTAPI's hosts")
            && stderr.contains("--trust-host")
            && stderr.contains("trusted_hosts"),
        "{stderr}"
    );
    assert!(!settings_file.exists(), "nothing recorded without consent");

    let trusted = run(vec![
        "--base-url",
        "https://proxy.example.com",
        "--trust-host",
        "resume",
    ])
    .await
    .unwrap();
    assert_eq!(
        trusted.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&trusted.stderr)
    );
    let settings = moodgrid::settings::Settings::load(data.path()).unwrap();
    assert_eq!(settings.trusted_hosts, ["https://proxy.example.com"]);
    let again = run(vec!["--base-url", "https://proxy.example.com", "resume"])
        .await
        .unwrap();
    assert_eq!(
        again.status.code(),
        Some(0),
        "consent is asked once per host"
    );

    std::fs::write(&settings_file, "{ damaged").unwrap();
    let warned = run(vec!["--base-url", "https://api.ttapi.io", "resume"])
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&warned.stderr);
    assert_eq!(warned.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("warning")
            && stderr.contains("settings.json")
            && stderr.contains("defaults"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn traffic_to_this_machine_never_goes_through_a_proxy() {
    let sim = Simulator::start(SimConfig::fast()).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_moodgrid"));
    command
        .args(["imagine", "past the proxy", "--wait", "--json"])
        .env("TTAPI_API_KEY", super::KEY)
        .env("TTAPI_BASE_URL", sim.base_url().to_string())
        .env("MOODGRID_DATA_DIR", data.path())
        .env("MOODGRID_POLL_MS", "40")
        // A proxy that refuses every connection: any request sent through it would fail.
        .env("HTTP_PROXY", "http://127.0.0.1:9")
        .env("HTTPS_PROXY", "http://127.0.0.1:9")
        .env("ALL_PROXY", "http://127.0.0.1:9")
        .env_remove("NO_PROXY")
        .env_remove("no_proxy");
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    let job = super::one_job(&output, 0);
    assert_eq!(job["status"], "SUCCESS");
}

/// Which of an image's files are on disk: the original, then each thumbnail.
fn on_disk(file: &ImageFile) -> Vec<bool> {
    std::iter::once(&file.path)
        .chain(file.thumbnails.iter().map(|(_, path)| path))
        .map(|path| path.exists())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trash_hides_restore_brings_back_and_empty_deletes_for_good() {
    let sim = Simulator::start(SimConfig::fast()).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let inputs = tempfile::tempdir().unwrap();
    let dir = data.path();
    let local_id = |job: &serde_json::Value| job["localId"].as_i64().unwrap();
    let mut ids = Vec::new();
    let mut local = Vec::new();
    for prompt in ["a kept kite", "a thrown kite"] {
        let job = one_job(
            &moodgrid(&sim, dir, &["imagine", prompt, "--wait", "--json"]).await,
            0,
        );
        ids.push(job["jobId"].as_str().unwrap().to_owned());
        local.push(local_id(&job));
    }
    // Two describes of one file: the same picture, stored once, used by both jobs.
    let red = write_png(
        inputs.path(),
        "red.png",
        &RgbaImage::from_pixel(300, 200, Rgba([220, 30, 30, 255])),
    );
    let mut describes = Vec::new();
    for _ in 0..2 {
        let job = one_job(
            &moodgrid(&sim, dir, &["describe", &red, "--wait", "--json"]).await,
            0,
        );
        describes.push(local_id(&job));
    }
    // A board holds one of the thrown kite's images, as the window's board would.
    let library = Library::open(dir).unwrap();
    let files = |id: i64| library.image_files(id).unwrap();
    let (kept, thrown) = (files(local[0]), files(local[1]));
    let shared = files(describes[0]);
    assert_eq!((kept.len(), thrown.len(), shared.len()), (5, 5, 1));
    assert_eq!(shared[0].record.hash, files(describes[1])[0].record.hash);
    for file in kept.iter().chain(&thrown).chain(&shared) {
        assert_eq!(on_disk(file), [true, true, true], "{:?}", file.path);
    }
    let pinned = &thrown[2].record;
    let mut board = Board::new("Kites");
    board.add(
        Content::Image {
            hash: pinned.hash.clone(),
            file: pinned.path.clone(),
            job: Some(local[1]),
            width: pinned.width,
            height: pinned.height,
        },
        V2::new(0.0, 0.0),
    );
    let board_id = library.create_board(&board).unwrap();

    let listed = |args: &'static [&'static str]| {
        let sim = &sim;
        async move { json_lines(&moodgrid(sim, dir, args).await, 0).len() }
    };
    let trashed = moodgrid(&sim, dir, &["trash", &ids[1]]).await;
    assert_eq!(trashed.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&trashed.stderr).contains("1 job(s) moved to the Trash"));
    assert_eq!(
        listed(&["list", "--json"]).await,
        3,
        "a trashed job leaves the list"
    );
    let in_trash = moodgrid(&sim, dir, &["trash"]).await;
    assert_eq!(in_trash.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&in_trash.stdout).contains("a thrown kite"));

    assert_eq!(
        moodgrid(&sim, dir, &["restore", &ids[1]])
            .await
            .status
            .code(),
        Some(0)
    );
    assert_eq!(listed(&["list", "--json"]).await, 4);

    // Emptied with one of the describes: the thrown kite's files go, but not the one on the board, and
    // not the described picture the other describe still uses.
    let to_trash = format!("#{}", describes[0]);
    let again = moodgrid(&sim, dir, &["trash", &ids[1], &to_trash]).await;
    assert_eq!(again.status.code(), Some(0));
    let emptied = moodgrid(&sim, dir, &["trash", "--empty"]).await;
    assert_eq!(emptied.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&emptied.stderr).contains("2 job(s) deleted, 4 file(s)"),
        "{}",
        String::from_utf8_lossy(&emptied.stderr)
    );
    for file in &thrown {
        let want = if file.record.hash == pinned.hash {
            [true, true, true]
        } else {
            [false, false, false]
        };
        assert_eq!(on_disk(file), want, "{:?}", file.path);
    }
    for file in kept.iter().chain(&shared) {
        assert_eq!(on_disk(file), [true, true, true], "{:?}", file.path);
    }
    let boards = library.boards().unwrap();
    assert_eq!(boards.len(), 1);
    assert_eq!(boards[0].id, board_id);
    assert!(
        matches!(&boards[0].board.items()[0].content, Content::Image { hash, job: None, .. } if *hash == pinned.hash),
        "the board keeps its image, its link to the deleted job dropped"
    );
    assert_eq!(listed(&["list", "--json"]).await, 2);
    let gone = moodgrid(&sim, dir, &["restore", &ids[1]]).await;
    assert_eq!(gone.status.code(), Some(2), "deleted for good: no such job");

    // The second describe emptied too: now nothing uses the described picture.
    let last = format!("#{}", describes[1]);
    assert_eq!(
        moodgrid(&sim, dir, &["trash", &last]).await.status.code(),
        Some(0)
    );
    let emptied = moodgrid(&sim, dir, &["trash", "--empty"]).await;
    assert_eq!(emptied.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&emptied.stderr).contains("1 job(s) deleted, 1 file(s)"),
        "{}",
        String::from_utf8_lossy(&emptied.stderr)
    );
    assert_eq!(on_disk(&shared[0]), [false, false, false]);
    for file in &kept {
        assert_eq!(on_disk(file), [true, true, true], "{:?}", file.path);
    }
}
