//! After a session with the key in `TTAPI_API_KEY`, its bytes are nowhere in the data directory and in no
//! output, even with debug logging on.

use moodgrid::sim::{SimConfig, Simulator};

use super::KEY;

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|entry| entry.unwrap())
        .filter(|entry| entry.file_type().is_file())
        .map(walkdir::DirEntry::into_path)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_never_reaches_disk_or_logs() {
    let sim = Simulator::start(SimConfig {
        api_key: Some(KEY.into()),
        ..SimConfig::fast()
    })
    .await
    .unwrap();
    let data = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for _ in 0..2 {
        imagine_with_debug_logs(&mut outputs, &sim, data.path()).await;
    }
    let grid = outputs[0].0.clone();
    assert!(grid.contains("\"status\":\"SUCCESS\""), "{grid}");
    let files = files_under(data.path());
    assert!(
        files
            .iter()
            .any(|f| f.extension().is_some_and(|e| e == "sqlite3"))
    );
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        assert!(
            !bytes.windows(KEY.len()).any(|w| w == KEY.as_bytes()),
            "the key is in {}",
            file.display()
        );
    }
    for (stdout, stderr) in &outputs {
        assert!(!stdout.contains(KEY) && !stderr.contains(KEY));
        assert!(
            stderr.len() > 100,
            "debug logging was on, so something was logged: {stderr}"
        );
    }
}

/// Runs one imagine with debug logs (the shared helper clears RUST_LOG; this test needs it set).
async fn imagine_with_debug_logs(
    outputs: &mut Vec<(String, String)>,
    sim: &Simulator,
    data: &std::path::Path,
) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_moodgrid"));
    command
        .args(["imagine", "a quiet harbour at dawn", "--wait", "--json"])
        .env("TTAPI_API_KEY", KEY)
        .env("TTAPI_BASE_URL", sim.base_url().to_string())
        .env("MOODGRID_DATA_DIR", data)
        .env("MOODGRID_POLL_MS", "40")
        .env("RUST_LOG", "debug");
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    outputs.push((
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    ));
}
