//! One designer's whole session, step by step, each asserting on the payload and the downloaded pixels.

use std::collections::HashSet;
use std::time::Instant;

use image::{Rgba, RgbaImage};
use moodgrid::api::{
    ActionRequest, BlendRequest, DescribeRequest, FetchListQuery, ImagineRequest, InpaintRequest,
    JobRequest,
};
use moodgrid::domain::{Action, BlendDimensions, JobStatus, Mode};
use moodgrid::imaging;
use moodgrid::sim::SimConfig;

use super::{download, start, wait_done};

fn gradient_file(
    dir: &std::path::Path,
    name: &str,
    (w, h): (u32, u32),
    colour: [u8; 3],
) -> std::path::PathBuf {
    let img = RgbaImage::from_fn(w, h, |x, _| {
        let t = x as f32 / w as f32;
        Rgba([
            (colour[0] as f32 * (0.6 + 0.4 * t)) as u8,
            (colour[1] as f32 * (0.6 + 0.4 * t)) as u8,
            (colour[2] as f32 * (0.6 + 0.4 * t)) as u8,
            255,
        ])
    });
    let path = dir.join(name);
    std::fs::write(&path, imaging::encode_png(&img).unwrap()).unwrap();
    path
}

#[tokio::test]
async fn imagine_upsample_upscale_inpaint_blend_describe_seed() {
    let (sim, client) = start(SimConfig::fast()).await;
    let balance_before = sim.balance();

    // Imagine: a 2048² grid of four 1024² images, progress rising as the job runs.
    let id = client
        .imagine(&ImagineRequest::new(
            "a teal lighthouse at dusk",
            Mode::Fast,
        ))
        .await
        .unwrap();
    let (grid_job, seen) = wait_done(&client, &id).await;
    assert_eq!(grid_job.status, JobStatus::Success, "{}", grid_job.message);
    // What the latency benchmark measures from: when it became SUCCESS, and when a fetch first said so.
    let record = sim.jobs().into_iter().find(|j| j.id == id).unwrap();
    let (succeeded, reported) = (
        record.succeeded_at.unwrap(),
        record.success_reported_at.unwrap(),
    );
    assert!(
        succeeded <= reported && reported <= Instant::now(),
        "{record:?}"
    );
    assert!(
        seen.iter().any(|(s, _)| !s.is_terminal()),
        "the job was seen in progress: {seen:?}"
    );
    let progress: Vec<u8> = seen.iter().filter_map(|(_, p)| *p).collect();
    assert!(
        progress.windows(2).all(|w| w[0] <= w[1]),
        "progress never goes back: {progress:?}"
    );
    assert_eq!(grid_job.data.action.as_deref(), Some("imagine"));
    assert_eq!(grid_job.data.progress, Some(100));
    assert_eq!(grid_job.data.components, Action::grid_components());
    assert_eq!(
        (grid_job.data.width, grid_job.data.height),
        (Some(2048), Some(2048))
    );
    assert_eq!(grid_job.data.quota, Some(2.0));
    let grid = download(&client, grid_job.image_url().unwrap()).await;
    assert_eq!(grid.dimensions(), (2048, 2048));
    assert_eq!(grid_job.data.images.len(), 4);
    let mut quadrants = Vec::new();
    for url in &grid_job.data.images {
        quadrants.push(download(&client, url).await);
    }
    assert!(quadrants.iter().all(|q| q.dimensions() == (1024, 1024)));
    assert_eq!(
        quadrants.iter().collect::<HashSet<_>>().len(),
        4,
        "four distinct images"
    );
    assert_eq!(
        image::imageops::crop_imm(&grid, 1024, 0, 1024, 1024).to_image(),
        quadrants[1],
        "images[1] is the grid's top-right quarter"
    );

    // U2: the top-right image on its own, offering the single-image buttons.
    let u2 = client
        .action(&ActionRequest::new(&id, "upsample2"))
        .await
        .unwrap();
    assert_ne!(u2, id, "an action is a new job");
    let (u2_job, _) = wait_done(&client, &u2).await;
    assert_eq!(u2_job.status, JobStatus::Success, "{}", u2_job.message);
    assert_eq!(u2_job.data.action.as_deref(), Some("upsample2"));
    assert_eq!(u2_job.data.components, Action::single_components(true));
    assert!(u2_job.data.images.is_empty());
    let single = download(&client, u2_job.image_url().unwrap()).await;
    assert_eq!(single, quadrants[1]);

    // Upscale (Subtle): twice the size.
    let up = client
        .action(&ActionRequest::new(&u2, "upscale_subtle"))
        .await
        .unwrap();
    let (up_job, _) = wait_done(&client, &up).await;
    assert_eq!(up_job.status, JobStatus::Success, "{}", up_job.message);
    assert_eq!(
        (up_job.data.width, up_job.data.height),
        (Some(2048), Some(2048))
    );
    let upscaled = download(&client, up_job.image_url().unwrap()).await;
    assert_eq!(upscaled.dimensions(), (2048, 2048));

    // Vary (Region): a painted rectangle is repainted in all four results; every other pixel is kept.
    let (x0, y0, x1, y1) = (600u32, 500u32, 1400u32, 1100u32);
    let inside = |x: u32, y: u32| (x0..x1).contains(&x) && (y0..y1).contains(&y);
    let mask = RgbaImage::from_fn(2048, 2048, |x, y| {
        if inside(x, y) {
            Rgba([255, 255, 255, 255])
        } else {
            Rgba([0, 0, 0, 255])
        }
    });
    let request = InpaintRequest {
        job_id: up.clone(),
        mask: imaging::to_base64(&imaging::encode_png(&mask).unwrap()),
        prompt: Some("a golden moon".into()),
        ..Default::default()
    };
    let region = client.inpaint(&request).await.unwrap();
    let (region_job, _) = wait_done(&client, &region).await;
    assert_eq!(
        region_job.status,
        JobStatus::Success,
        "{}",
        region_job.message
    );
    assert_eq!(region_job.data.action.as_deref(), Some("inpaint"));
    assert_eq!(region_job.data.prompt.as_deref(), Some("a golden moon"));
    assert_eq!(
        (region_job.data.width, region_job.data.height),
        (Some(4096), Some(4096))
    );
    assert_eq!(region_job.data.components, Action::grid_components());
    let repainted = download(&client, &region_job.data.images[0]).await;
    assert_eq!(repainted.dimensions(), (2048, 2048));
    let mut changed_inside = 0usize;
    for (x, y, p) in repainted.enumerate_pixels() {
        if inside(x, y) {
            changed_inside += usize::from(p != upscaled.get_pixel(x, y));
        } else {
            assert_eq!(
                p,
                upscaled.get_pixel(x, y),
                "pixel {x},{y} outside the mask changed"
            );
        }
    }
    assert!(
        changed_inside > ((x1 - x0) * (y1 - y0) / 2) as usize,
        "the region was repainted ({changed_inside} px)"
    );

    // Blend of two files on disk: a landscape grid in which both show.
    let dir = tempfile::tempdir().unwrap();
    let red = gradient_file(dir.path(), "red.png", (640, 480), [230, 30, 30]);
    let blue = gradient_file(dir.path(), "blue.png", (300, 500), [30, 40, 230]);
    let uris = [&red, &blue].map(|p| imaging::to_data_uri(&std::fs::read(p).unwrap()).unwrap());
    let request = BlendRequest {
        img_base64_array: uris.to_vec(),
        dimensions: Some(BlendDimensions::Landscape),
        mode: Some(Mode::Turbo),
        ..Default::default()
    };
    let blend = client.blend(&request).await.unwrap();
    let (blend_job, _) = wait_done(&client, &blend).await;
    assert_eq!(
        blend_job.status,
        JobStatus::Success,
        "{}",
        blend_job.message
    );
    assert_eq!(blend_job.data.action.as_deref(), Some("blend"));
    assert_eq!(blend_job.data.quota, Some(4.0), "turbo costs double");
    let (w, h) = (
        blend_job.data.width.unwrap(),
        blend_job.data.height.unwrap(),
    );
    assert!(w > h, "landscape: {w}×{h}");
    let blended = download(&client, &blend_job.data.images[3]).await;
    assert_eq!(blended.dimensions(), (w / 2, h / 2));
    let mean = |c: usize| {
        blended.pixels().map(|p| u64::from(p[c])).sum::<u64>()
            / u64::from(blended.width() * blended.height())
    };
    assert!(
        mean(0) > 50 && mean(2) > 50,
        "both inputs show: red {} blue {}",
        mean(0),
        mean(2)
    );

    // Describe the red file: four different prompts that name its colour, and the image kept.
    let request = DescribeRequest {
        base64: Some(uris[0].clone()),
        ..Default::default()
    };
    let described = client.describe(&request).await.unwrap();
    let (describe_job, _) = wait_done(&client, &described).await;
    assert_eq!(
        describe_job.status,
        JobStatus::Success,
        "{}",
        describe_job.message
    );
    assert_eq!(describe_job.data.action.as_deref(), Some("describe"));
    let text = describe_job.data.prompt.clone().unwrap();
    let prompts: Vec<&str> = text.split("\n\n").collect();
    assert_eq!(prompts.len(), 4, "{text}");
    assert_eq!(prompts.iter().collect::<HashSet<_>>().len(), 4);
    assert!(
        prompts
            .iter()
            .all(|p| p.contains("red") && p.contains("--ar 4:3")),
        "{text}"
    );
    assert!(describe_job.data.components.is_empty());
    assert_eq!(
        download(&client, describe_job.image_url().unwrap())
            .await
            .dimensions(),
        (640, 480)
    );

    // Seed of the first grid: a numeric string on the seed job, then on the grid itself.
    let seed = client.seed(&JobRequest::new(&id)).await.unwrap();
    let (seed_job, _) = wait_done(&client, &seed).await;
    assert_eq!(seed_job.status, JobStatus::Success, "{}", seed_job.message);
    assert_eq!(seed_job.data.action.as_deref(), Some("seed"));
    let value = seed_job.data.seed.clone().unwrap();
    assert!(value.parse::<u32>().is_ok(), "seed {value}");
    assert_eq!(client.fetch(&id).await.unwrap().data.seed, Some(value));

    // The account saw it all: the history lists the jobs, and the balance was charged.
    let rows = client
        .fetch_list(&FetchListQuery {
            limit: 100,
            status: Some("SUCCESS".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let listed: HashSet<_> = rows.iter().filter_map(|r| r.job_id.clone()).collect();
    for job in [&id, &u2, &up, &region, &blend, &described, &seed] {
        assert!(
            listed.contains(job.as_str()),
            "{job} missing from fetch-list"
        );
    }
    assert_eq!(
        rows[0].job_id.as_deref(),
        Some(seed.as_str()),
        "newest first"
    );
    let info = client.info().await.unwrap();
    assert!(info.balance.unwrap() < balance_before);
    assert_eq!(info.max_queue, Some(10));
    assert_eq!(sim.accepted_submissions(), 7);
}

#[tokio::test]
async fn every_single_image_action_renders_at_the_expected_size() {
    let (_sim, client) = start(SimConfig::fast()).await;
    let id = client
        .imagine(&ImagineRequest::new("orange dunes --ar 2:3", Mode::Fast))
        .await
        .unwrap();
    let (grid, _) = wait_done(&client, &id).await;
    let (qw, qh) = (grid.data.width.unwrap() / 2, grid.data.height.unwrap() / 2);
    assert!(qw < qh, "--ar 2:3 gives portrait images: {qw}×{qh}");
    let u1 = client
        .action(&ActionRequest::new(&id, "upsample1"))
        .await
        .unwrap();
    let (single, _) = wait_done(&client, &u1).await;
    assert!(
        single.data.components.contains(&"make_square".to_owned()),
        "a portrait offers Make Square"
    );
    let cases = [
        ("variation2", &id, (qw * 2, qh * 2)),
        ("reroll", &id, (qw * 2, qh * 2)),
        ("high_variation", &u1, (qw * 2, qh * 2)),
        ("low_variation", &u1, (qw * 2, qh * 2)),
        ("zoom_out_2", &u1, (qw * 2, qh * 2)),
        ("zoom_out_1_5", &u1, (qw * 2, qh * 2)),
        ("pan_left", &u1, ((qw + qw / 2) * 2, qh * 2)),
        ("pan_down", &u1, (qw * 2, (qh + qh / 2) * 2)),
        ("make_square", &u1, (qh * 2, qh * 2)),
        ("upscale_creative", &u1, (qw * 2, qh * 2)),
    ];
    let mut started = Vec::new();
    for (action, parent, size) in cases {
        started.push((
            action,
            client
                .action(&ActionRequest::new(parent.as_str(), action))
                .await
                .unwrap(),
            size,
        ));
    }
    let parent_grid = download(&client, grid.image_url().unwrap()).await;
    for (action, child, size) in started {
        let (job, _) = wait_done(&client, &child).await;
        assert_eq!(job.status, JobStatus::Success, "{action}: {}", job.message);
        assert_eq!(
            (job.data.width.unwrap(), job.data.height.unwrap()),
            size,
            "{action}"
        );
        let image = download(&client, job.image_url().unwrap()).await;
        assert_eq!(image.dimensions(), size, "{action}");
        if image.dimensions() == parent_grid.dimensions() {
            // Same frame as the parent grid, so compare pixels: a variation or reroll must visibly differ.
            let differing = image
                .pixels()
                .zip(parent_grid.pixels())
                .filter(|(a, b)| a != b)
                .count();
            assert!(
                differing > image.pixels().len() / 4,
                "{action} changed only {differing} pixels"
            );
        }
    }
}
