//! The real client against the embedded simulator over real HTTP on loopback.

#![allow(clippy::unwrap_used)]

mod cli;
mod faults;
mod ledger;
mod session;
mod validation;

use std::time::{Duration, Instant};

use image::RgbaImage;
use moodgrid::api::{ApiKey, ClientOptions, DEFAULT_MAX_DOWNLOAD_BYTES, Job, TtapiClient};
use moodgrid::domain::JobStatus;
use moodgrid::sim::{SimConfig, Simulator};

pub async fn start(config: SimConfig) -> (Simulator, TtapiClient) {
    start_with(config, ClientOptions::default()).await
}

pub async fn start_with(config: SimConfig, options: ClientOptions) -> (Simulator, TtapiClient) {
    let sim = Simulator::start(config).await.unwrap();
    let client =
        TtapiClient::with_options(sim.base_url(), ApiKey::new("any-key").unwrap(), options)
            .unwrap();
    (sim, client)
}

/// Polls until the job ends, returning it and every status seen on the way.
pub async fn wait_done(client: &TtapiClient, job_id: &str) -> (Job, Vec<(JobStatus, Option<u8>)>) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = Vec::new();
    loop {
        let job = client.fetch(job_id).await.unwrap();
        seen.push((job.status.clone(), job.data.progress));
        if job.status.is_terminal() {
            return (job, seen);
        }
        assert!(
            Instant::now() < deadline,
            "job {job_id} did not finish: {seen:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub async fn download(client: &TtapiClient, url: &str) -> RgbaImage {
    let bytes = client
        .download(url, DEFAULT_MAX_DOWNLOAD_BYTES)
        .await
        .unwrap();
    moodgrid::imaging::decode_rgba(&bytes).unwrap()
}
