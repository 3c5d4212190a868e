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
mod paused_sender;
#[path = "../support/png_text.rs"]
mod png_text;
mod shared_library;
mod sources;
mod spend;
mod stop_signals;
mod terminal_output;
mod under_faults;
mod unread_events;
mod window_and_cli;

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

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

/// A `moodgrid` process on the service at `base` and the library `data`, its output piped, started at once;
/// `env` adds to (or overrides) what every test runs with.
pub fn spawn_moodgrid(base: &str, data: &Path, args: &[&str], env: &[(&str, &str)]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_moodgrid"))
        .args(args)
        .env("TTAPI_API_KEY", KEY)
        .env("TTAPI_BASE_URL", base)
        .env("MOODGRID_DATA_DIR", data)
        .env("MOODGRID_POLL_MS", "40")
        .env_remove("RUST_LOG")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// What a spawned `moodgrid` printed once it exited, waited for off the async workers.
pub async fn finished(child: Child) -> Output {
    tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap()
}

/// Each job succeeded with its five images (the grid and its four splits) saved.
pub fn assert_saved<'a>(
    library: &moodgrid::library::Library,
    jobs: impl IntoIterator<Item = &'a moodgrid::library::JobRecord>,
) {
    for job in jobs {
        assert_eq!(
            job.state,
            moodgrid::library::JobState::Succeeded,
            "#{}: {:?}",
            job.id,
            job.message
        );
        assert_eq!(library.images(job.id).unwrap().len(), 5, "#{}", job.id);
    }
}

/// Sends a process a signal as a user's shell would (`-STOP` for Ctrl+Z, `-INT` for Ctrl+C, …).
pub fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([name, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// An earlier job that succeeded: the account's history then reaches back past the jobs a test sends next.
pub async fn earlier_job(sim: &Simulator, data: &Path) {
    let job = one_job(
        &moodgrid(
            sim,
            data,
            &["imagine", "an earlier job", "--wait", "--json"],
        )
        .await,
        0,
    );
    assert_eq!(job["status"], "SUCCESS");
}

/// A simulator whose jobs run for `run_time` (and are quick to queue).
pub async fn sim_running_for(run_time: std::time::Duration) -> Simulator {
    Simulator::start(moodgrid::sim::SimConfig {
        run_time,
        ..moodgrid::sim::SimConfig::fast()
    })
    .await
    .unwrap()
}

/// A simulator that makes every imagine job at once but answers the submission only 30 s later: a command
/// is mid-send for that long.
pub async fn sim_answering_imagine_late() -> Simulator {
    Simulator::start(moodgrid::sim::SimConfig {
        faults: moodgrid::sim::FaultConfig {
            slow_answer_rate: 1.0,
            slow_by: std::time::Duration::from_secs(30),
            only_paths: vec!["/midjourney/v1/imagine".into()],
            ..moodgrid::sim::FaultConfig::default()
        },
        ..moodgrid::sim::SimConfig::fast()
    })
    .await
    .unwrap()
}

/// Takes `count` of the account's ten in-flight places on `base` with jobs another live process is sending
/// (as a busy window would), so that a command's next jobs wait in `queued` for a place, sending nothing.
pub fn busy_elsewhere(base: &str, data: &Path, count: usize) {
    let library = moodgrid::library::Library::open(data).unwrap();
    let elsewhere = moodgrid::library::Owner::new(None, std::time::Duration::from_secs(600));
    for n in 0..count {
        let params = moodgrid::library::JobParams::Imagine {
            prompt: format!("sent elsewhere {n}"),
            mode: moodgrid::domain::Mode::Fast,
            timeout: None,
        };
        let new = moodgrid::library::NewJob::asking(base, params, None);
        let job = library.create_job(&new, Some(&elsewhere), &[]).unwrap();
        library
            .begin_submission(job.id, &elsewhere, usize::MAX, std::time::Duration::ZERO)
            .unwrap()
            .unwrap();
    }
}

/// The JSON objects a `--json` command printed, one per line, after checking it exited with `exit` (a
/// command that failed early prints nothing, and an empty list must not pass for "nothing found").
pub fn json_lines(output: &Output, exit: i32) -> Vec<Value> {
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(exit),
        "stderr: {}\nstdout: {stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// The single job a command printed, after checking the exit code.
pub fn one_job(output: &Output, exit: i32) -> Value {
    let mut jobs = json_lines(output, exit);
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
