//! `moodgrid export`: jobs made through the real binary against the simulator, exported to a folder and to
//! a zip, and the PNGs read back with the `png` crate: the prompt, seed, TTAPI job id and lineage are in
//! their text chunks.

use std::io::Read as _;

use moodgrid::library::keyword;
use moodgrid::sim::{SimConfig, Simulator};

use super::png_text::png_texts;
use super::{moodgrid, one_job};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exported_pngs_carry_prompt_seed_job_id_and_lineage() {
    let sim = Simulator::start(SimConfig::fast()).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let dir = data.path();
    let prompt = "夜の港 a lighthouse in fog --ar 3:2";

    let grid = one_job(
        &moodgrid(&sim, dir, &["imagine", prompt, "--wait", "--json"]).await,
        0,
    );
    let grid_id = grid["jobId"].as_str().unwrap().to_owned();
    let u3 = one_job(
        &moodgrid(
            &sim,
            dir,
            &["action", &grid_id, "upsample3", "--wait", "--json"],
        )
        .await,
        0,
    );
    let u3_id = u3["jobId"].as_str().unwrap().to_owned();
    let seed = one_job(
        &moodgrid(&sim, dir, &["seed", &u3_id, "--wait", "--json"]).await,
        0,
    );
    let seed = seed["seed"].as_str().unwrap().to_owned();

    // To a folder: the upscale, named by the template.
    let folder = out.path().join("picked");
    let exported = moodgrid(
        &sim,
        dir,
        &[
            "export",
            &u3_id,
            "--to",
            folder.to_str().unwrap(),
            "--template",
            "{id}-{seed}-{image}",
        ],
    )
    .await;
    let stderr = String::from_utf8_lossy(&exported.stderr);
    assert_eq!(exported.status.code(), Some(0), "{stderr}");
    let expected = folder.join(format!("{u3_id}-{seed}-upscale.png"));
    assert_eq!(
        String::from_utf8_lossy(&exported.stdout).trim(),
        expected.display().to_string()
    );
    assert!(stderr.contains("exported 1 image to"), "{stderr}");
    let texts = png_texts(&std::fs::read(&expected).unwrap());
    assert_eq!(texts[keyword::PROMPT], prompt);
    assert_eq!(texts[keyword::SEED], seed);
    assert_eq!(texts[keyword::JOB_ID], u3_id);
    assert_eq!(texts[keyword::ACTION], "upsample3");
    let lineage: serde_json::Value = serde_json::from_str(&texts[keyword::LINEAGE]).unwrap();
    assert_eq!(lineage[0]["job_id"], grid_id.as_str());
    assert_eq!(lineage[0]["action"], "imagine");
    assert_eq!(lineage.as_array().unwrap().len(), 1);
    // The image is the one in the library, pixel for pixel.
    let original = image::open(u3["files"][0].as_str().unwrap()).unwrap();
    assert_eq!(image::open(&expected).unwrap(), original);

    // Both jobs with every image into one zip: the grid, its four splits, the upscale.
    let zip_path = out.path().join("both.zip");
    let zipped = moodgrid(
        &sim,
        dir,
        &[
            "export",
            &grid_id[..8],
            &u3_id,
            "--zip",
            zip_path.to_str().unwrap(),
            "--all",
        ],
    )
    .await;
    assert_eq!(zipped.status.code(), Some(0));
    let names: Vec<String> = String::from_utf8_lossy(&zipped.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(names.len(), 6, "{names:?}");
    assert!(names[0].ends_with("-grid.png"), "{names:?}");
    let zip_stderr = String::from_utf8_lossy(&zipped.stderr);
    assert!(zip_stderr.contains("1 job has no seed yet"), "{zip_stderr}");
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    assert_eq!(archive.len(), 6);
    let mut grid_png = Vec::new();
    archive
        .by_name(&names[0])
        .unwrap()
        .read_to_end(&mut grid_png)
        .unwrap();
    let texts = png_texts(&grid_png);
    assert_eq!(texts[keyword::JOB_ID], grid_id);
    assert_eq!(texts[keyword::LINEAGE], "[]");
    assert!(!texts.contains_key(keyword::SEED));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_template_or_job_is_a_usage_error_and_writes_nothing() {
    let sim = Simulator::start(SimConfig::fast()).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("never");
    let grid = one_job(
        &moodgrid(
            &sim,
            data.path(),
            &["imagine", "a red kite", "--wait", "--json"],
        )
        .await,
        0,
    );
    let grid_id = grid["jobId"].as_str().unwrap();
    let to = target.to_str().unwrap();
    let cases: [(&[&str], &str); 3] = [
        (
            &["export", grid_id, "--to", to, "--template", "{colour}"],
            "`{colour}` is not a placeholder",
        ),
        (&["export", "no-such-job", "--to", to], "no job matches"),
        (&["export", grid_id], "--to"),
    ];
    for (args, says) in cases {
        let output = moodgrid(&sim, data.path(), args).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty());
    }
    assert!(!target.exists(), "nothing was written");
}
