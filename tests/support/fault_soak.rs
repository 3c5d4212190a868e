//! One run of the fault soak: `processes` real `moodgrid imagine … --wait` commands, each a batch of
//! `jobs_each` jobs, on one library, against the simulator that `moodgrid sim --fail-rate 0.3 --seed N`
//! runs (a share of every request answered 500/502/503, 429, or cut: `FaultConfig::failing`). What counts:
//! how many jobs succeeded unaided (no Look again, no Retry), and whether any request was charged twice
//! (the simulator's own record of the jobs it made, by prompt). Shared by the journal test (one seed) and
//! `cargo bench --bench fault_soak` (ten). A library `used` before has one earlier job in the account's
//! history (as any library that has made a job has), sent first and not counted; a fresh one has none, so
//! the first sends of the run have nothing to anchor the proof that they never arrived.

use std::collections::HashMap;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use moodgrid::library::{JobState, Library};
use moodgrid::sim::{FaultConfig, SimConfig, Simulator};

pub const FAIL_RATE: f64 = 0.3;

pub struct Soak {
    pub jobs: usize,
    pub succeeded: usize,
    /// Jobs that did not succeed, with their state and message.
    pub not_succeeded: Vec<String>,
    /// Prompts the simulator made more than one job for.
    pub charged_twice: Vec<String>,
    /// Requests the simulator answered with a fault.
    pub faults: usize,
    pub took: Duration,
}

pub async fn run(seed: u64, processes: usize, jobs_each: usize, used: bool) -> Soak {
    let sim = Simulator::start(SimConfig {
        run_time: Duration::from_secs(1),
        queue_time: Duration::from_millis(150),
        faults: FaultConfig {
            seed,
            ..FaultConfig::failing(FAIL_RATE)
        },
        seed,
        ..SimConfig::default()
    })
    .await
    .expect("the simulator starts");
    let data = tempfile::tempdir().expect("a temporary library folder");
    let moodgrid = |args: &[&str]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_moodgrid"));
        command
            .args(args)
            .env("TTAPI_API_KEY", "soak-key")
            .env("TTAPI_BASE_URL", sim.base_url().to_string())
            .env("MOODGRID_DATA_DIR", data.path())
            .env("MOODGRID_POLL_MS", "40")
            .env_remove("RUST_LOG")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    };
    if used {
        // The faults hit it too: sent again as a user would (Retry) until it has made a job.
        for _ in 0..5 {
            let mut earlier = moodgrid(&["imagine", "an earlier job", "--wait"]);
            let made = tokio::task::spawn_blocking(move || earlier.status())
                .await
                .expect("the earlier job was waited for")
                .is_ok_and(|status| status.success());
            if made {
                break;
            }
        }
    }
    let options: Vec<String> = (0..jobs_each).map(|n| format!("option{n}")).collect();
    let started = Instant::now();
    let commands: Vec<_> = (0..processes)
        .map(|p| {
            let prompt = format!("soak {seed} process{p} {{{}}}", options.join(", "));
            moodgrid(&["imagine", &prompt, "--yes", "--wait", "--json"])
                .spawn()
                .expect("moodgrid starts")
        })
        .collect();
    let outputs: Vec<Output> = tokio::task::spawn_blocking(move || {
        commands
            .into_iter()
            .map(|c| c.wait_with_output().expect("moodgrid ends"))
            .collect()
    })
    .await
    .expect("the commands were waited for");
    let took = started.elapsed();
    let library = Library::open(data.path()).expect("the library opens");
    let jobs: Vec<_> = library
        .recent_jobs(1_000)
        .expect("the library reads")
        .into_iter()
        .filter(|job| job.prompt.starts_with("soak "))
        .collect();
    let mut not_succeeded: Vec<String> = jobs
        .iter()
        .filter(|job| job.state != JobState::Succeeded)
        .map(|job| {
            format!(
                "#{} {} ({}): {}",
                job.id,
                job.prompt,
                job.state.as_str(),
                job.message.as_deref().unwrap_or("")
            )
        })
        .collect();
    for output in &outputs {
        if !output.status.success() {
            not_succeeded.push(format!(
                "a command exited {:?}: {}",
                output.status.code(),
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
    }
    let mut made: HashMap<String, usize> = HashMap::new();
    for job in sim
        .jobs()
        .into_iter()
        .filter(|j| j.prompt.starts_with("soak "))
    {
        *made.entry(job.prompt).or_default() += 1;
    }
    let faults = sim
        .fault_log()
        .iter()
        .filter(|(_, fault)| *fault != moodgrid::sim::InjectedFault::None)
        .count();
    Soak {
        jobs: jobs.len(),
        succeeded: jobs
            .iter()
            .filter(|job| job.state == JobState::Succeeded)
            .count(),
        not_succeeded,
        charged_twice: made
            .into_iter()
            .filter(|(_, n)| *n > 1)
            .map(|(prompt, n)| format!("{prompt} ×{n}"))
            .collect(),
        faults,
        took,
    }
}
