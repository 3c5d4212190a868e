//! The job journal, the engine and the command line: the real `moodgrid` binary (and the engine in-process)
//! against the simulator over HTTP.

#![allow(clippy::unwrap_used)]

mod boards;
mod bounded;
mod commands;
mod crash;
mod engine_faults;
mod engine_limits;
mod engine_views;
mod export;
mod help;
mod hygiene;
mod lost_response;
mod offline_instances;
mod old_library;
#[path = "../support/png_text.rs"]
mod png_text;
mod shared_library;
mod sources;
mod spend;
mod window_and_cli;

use std::path::Path;
use std::process::{Command, Output};

use moodgrid::api::{ApiKey, BaseUrl};
use moodgrid::engine::{Backend, EngineConfig, EngineHandle, Event, Timing};
use moodgrid::sim::Simulator;
use serde_json::Value;

pub const KEY: &str = "tt-key-for-tests-5c1e";

/// Runs `moodgrid ARGS` against `sim` with `data_dir`, off the async threads so the simulator keeps serving.
pub async fn moodgrid(sim: &Simulator, data_dir: &Path, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_moodgrid"));
    command
        .args(args)
        .env("TTAPI_API_KEY", KEY)
        .env("TTAPI_BASE_URL", sim.base_url().to_string())
        .env("MOODGRID_DATA_DIR", data_dir)
        .env("MOODGRID_POLL_MS", "40")
        .env_remove("RUST_LOG");
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

/// The JSON objects a `--json` command printed, one per line.
pub fn json_lines(output: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// The single job a command printed, after checking the exit code.
pub fn one_job(output: &Output, exit: i32) -> Value {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(exit),
        "stderr: {stderr}\nstdout: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    let mut jobs = json_lines(output);
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    jobs.remove(0)
}

/// Every file of a job exists and decodes; returns their pixel sizes in order.
pub fn file_sizes(job: &Value) -> Vec<(u32, u32)> {
    job["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let path = f.as_str().unwrap();
            assert!(Path::new(path).is_absolute(), "{path}");
            image::image_dimensions(path).unwrap_or_else(|e| panic!("{path}: {e}"))
        })
        .collect()
}

/// An engine on the service at `base`, started and ready. Blocking: call it off the async threads.
pub fn start_engine(base: BaseUrl, data: &Path, timing: Timing) -> EngineHandle {
    let config = EngineConfig {
        data_dir: data.to_owned(),
        backend: Backend::Service {
            base,
            key: ApiKey::new("k").unwrap(),
        },
        timing,
        keys: std::sync::Arc::new(moodgrid::secrets::KeyStore::in_store(
            keyring_core::mock::Store::new().unwrap(),
        )),
        stop_on_interrupt: false,
    };
    let mut engine = EngineHandle::start(config, std::sync::Arc::new(|| {})).unwrap();
    assert!(matches!(engine.recv_blocking(), Some(Event::Ready { .. })));
    engine
}
