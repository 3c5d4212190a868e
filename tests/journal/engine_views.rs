//! What the window will ask the engine for instead of touching disk itself: the job list, and a job's
//! image files with their thumbnails.

use std::time::Duration;

use moodgrid::domain::Mode;
use moodgrid::engine::{Command, Event, NewSubmission, Timing};
use moodgrid::library::{ImageRole, JobState};
use moodgrid::sim::{SimConfig, Simulator};

use super::start_engine;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_engine_answers_the_job_list_and_a_jobs_files() {
    let sim = Simulator::start(SimConfig::fast()).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let (base, dir) = (sim.base_url(), data.path().to_owned());
    tokio::task::spawn_blocking(move || {
        let mut engine = start_engine(base, &dir, Timing::scaled(Duration::from_millis(30)));
        let job = engine
            .submit_blocking(NewSubmission::Imagine {
                prompt: "a glass owl".into(),
                mode: Mode::Fast,
                timeout: None,
            })
            .unwrap();
        loop {
            if let Some(Event::JobChanged(j)) = engine.recv_blocking()
                && j.id == job.id
                && j.state == JobState::Succeeded
            {
                break;
            }
        }
        engine.try_send(Command::LoadJobs { limit: 10 }).unwrap();
        engine
            .try_send(Command::LoadImages {
                job_ids: vec![job.id],
            })
            .unwrap();
        let (mut jobs, mut images) = (None, None);
        while jobs.is_none() || images.is_none() {
            match engine.recv_blocking().unwrap() {
                Event::Jobs(list) => jobs = Some(list),
                Event::Images(mut answer) => {
                    assert_eq!(answer.len(), 1, "one answer per asked job");
                    let (job_id, files) = answer.remove(0);
                    assert_eq!(job_id, job.id);
                    images = Some(files);
                }
                _ => {}
            }
        }
        let jobs = jobs.unwrap();
        assert_eq!(jobs.len(), 1);
        assert_eq!(
            (jobs[0].id, jobs[0].prompt.as_str()),
            (job.id, "a glass owl")
        );
        let images = images.unwrap();
        let roles: Vec<(ImageRole, u32)> = images
            .iter()
            .map(|i| (i.record.role, i.record.ordinal))
            .collect();
        assert_eq!(
            roles,
            [
                (ImageRole::Grid, 0),
                (ImageRole::Split, 1),
                (ImageRole::Split, 2),
                (ImageRole::Split, 3),
                (ImageRole::Split, 4)
            ]
        );
        for image in &images {
            assert!(image.path.is_absolute());
            let (w, h) = image::image_dimensions(&image.path).unwrap();
            assert_eq!((w, h), (image.record.width, image.record.height));
            for (side, thumb) in &image.thumbnails {
                let (tw, th) = image::image_dimensions(thumb).unwrap();
                assert_eq!(tw.max(th), *side, "{}", thumb.display());
            }
        }
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_engine_with_a_full_command_queue_still_stops_at_once_and_releases_its_claims() {
    let sim = Simulator::start(SimConfig {
        run_time: Duration::from_secs(30),
        ..SimConfig::fast()
    })
    .await
    .unwrap();
    let data = tempfile::tempdir().unwrap();
    let (base, dir) = (sim.base_url(), data.path().to_owned());
    let took = tokio::task::spawn_blocking(move || {
        let engine = start_engine(base, &dir, Timing::scaled(Duration::from_millis(30)));
        let job = engine
            .submit_blocking(NewSubmission::Imagine {
                prompt: "still running when the window closes".into(),
                mode: Mode::Fast,
                timeout: None,
            })
            .unwrap();
        // Nobody drains the events and the queue is filled until the engine says it is busy.
        let mut sent = 0;
        while engine.try_send(Command::LoadJobs { limit: 1000 }).is_ok() {
            sent += 1;
            assert!(sent < 10_000, "the command queue is bounded");
        }
        let started = std::time::Instant::now();
        drop(engine);
        let took = started.elapsed();
        let library = moodgrid::library::Library::open(&dir).unwrap();
        let left = library.job(job.id).unwrap();
        assert!(!left.state.is_final(), "{left:?}");
        assert_eq!(left.owner, None, "its claim was released on the way out");
        took
    })
    .await
    .unwrap();
    assert!(took < Duration::from_secs(5), "stopping took {took:?}");
}
