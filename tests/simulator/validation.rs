//! Each kind of bad request sent straight to the simulator (bypassing the client's own checks), with the
//! status code and message it must answer.

use std::time::Duration;

use image::{Rgba, RgbaImage};
use moodgrid::api::{ApiError, ImagineRequest};
use moodgrid::domain::{JobStatus, Mode};
use moodgrid::imaging;
use moodgrid::sim::{BANNED_PROMPT_MESSAGE, SimConfig, Simulator};
use serde_json::{Value, json};

use super::{start, wait_done};

struct Raw {
    http: reqwest::Client,
    base: String,
}

impl Raw {
    fn new(sim: &Simulator) -> Raw {
        Raw {
            http: reqwest::Client::new(),
            base: sim.base_url().to_string(),
        }
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        key: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .request(method.parse().unwrap(), format!("{}{path}", self.base));
        if let Some(key) = key {
            request = request.header("TT-API-KEY", key);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send("POST", path, Some("k"), Some(body)).await
    }
}

fn png_b64(w: u32, h: u32, white: bool) -> String {
    let colour = if white { 255 } else { 0 };
    imaging::to_base64(
        &imaging::encode_png(&RgbaImage::from_pixel(
            w,
            h,
            Rgba([colour, colour, colour, 255]),
        ))
        .unwrap(),
    )
}

fn jpeg_b64(w: u32, h: u32) -> String {
    let img = image::RgbImage::from_pixel(w, h, image::Rgb([255, 255, 255]));
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new(&mut out)
        .encode_image(&img)
        .unwrap();
    imaging::to_base64(&out)
}

#[tokio::test]
async fn bad_requests_get_the_documented_status_and_a_clear_message() {
    // Slow enough that the relax job below is still running while the cases are sent.
    let (sim, client) = start(SimConfig {
        run_time: Duration::from_secs(1),
        ..SimConfig::fast()
    })
    .await;
    let raw = Raw::new(&sim);
    // A finished grid, its upsample (1024²), and a grid still running, to act on.
    let done = client
        .imagine(&ImagineRequest::new("a quiet harbour", Mode::Fast))
        .await
        .unwrap();
    wait_done(&client, &done).await;
    let (_, single) = raw
        .post(
            "/midjourney/v1/action",
            json!({"jobId": done, "action": "upsample1"}),
        )
        .await;
    let single = single["data"]["jobId"].as_str().unwrap().to_owned();
    wait_done(&client, &single).await;
    let (_, running) = raw
        .post(
            "/midjourney/v1/imagine",
            json!({"prompt": "x", "mode": "relax"}),
        )
        .await;
    let running = running["data"]["jobId"].as_str().unwrap().to_owned();
    let small_png = format!("data:image/png;base64,{}", png_b64(4, 4, true));

    let cases: Vec<(&str, Value, u16, &str)> = vec![
        (
            "/midjourney/v1/imagine",
            json!({"prompt": "  "}),
            400,
            "prompt must not be empty",
        ),
        (
            "/midjourney/v1/imagine",
            json!({"prompt": "a", "mode": "slow"}),
            400,
            "unknown variant `slow`",
        ),
        (
            "/midjourney/v1/imagine",
            json!({"prompt": "a", "timeout": 100}),
            400,
            "between 300 and 1200 seconds, not 100",
        ),
        (
            "/midjourney/v1/imagine",
            json!({"prompt": "a", "timeout": "5000"}),
            400,
            "not 5000",
        ),
        (
            "/midjourney/v1/imagine",
            json!({"prompt": "a", "timeout": "soon"}),
            400,
            "whole number",
        ),
        (
            "/midjourney/v1/imagine",
            json!(["not", "an", "object"]),
            400,
            "Parameter error",
        ),
        (
            "/midjourney/v1/blend",
            json!({"imgBase64Array": [small_png]}),
            400,
            "2 to 5 images, not 1",
        ),
        (
            "/midjourney/v1/blend",
            json!({"imgBase64Array": vec![small_png.clone(); 6]}),
            400,
            "2 to 5 images, not 6",
        ),
        (
            "/midjourney/v1/blend",
            json!({"imgBase64Array": [small_png, "data:image/png;base64,aGVsbG8="]}),
            400,
            "imgBase64Array[1] is not a usable image",
        ),
        (
            "/midjourney/v1/blend",
            json!({"imgBase64Array": [small_png, small_png], "dimensions": "WIDE"}),
            400,
            "unknown variant `WIDE`",
        ),
        (
            "/midjourney/v1/describe",
            json!({}),
            400,
            "give base64 or url",
        ),
        (
            "/midjourney/v1/describe",
            json!({"base64": "", "url": ""}),
            400,
            "give base64 or url",
        ),
        (
            "/midjourney/v1/describe",
            json!({"base64": "data:image/png;base64,bm90IGFuIGltYWdl"}),
            400,
            "cannot be described",
        ),
        (
            "/midjourney/v1/inpaint",
            json!({"jobId": single, "mask": jpeg_b64(1024, 1024)}),
            400,
            "mask must be a PNG",
        ),
        (
            "/midjourney/v1/inpaint",
            json!({"jobId": single, "mask": png_b64(512, 512, true)}),
            400,
            "mask is 512×512 but the job's image is 1024×1024",
        ),
        (
            "/midjourney/v1/inpaint",
            json!({"jobId": single, "mask": png_b64(1024, 1024, false)}),
            400,
            "no white region",
        ),
        (
            "/midjourney/v1/inpaint",
            json!({"jobId": single, "mask": format!("data:image/png;base64,{}", png_b64(8, 8, true))}),
            400,
            "without a data: prefix",
        ),
        (
            "/midjourney/v1/inpaint",
            json!({"jobId": single}),
            400,
            "mask must not be empty",
        ),
        (
            "/midjourney/v1/action",
            json!({"jobId": done, "action": "upscale_subtle"}),
            400,
            "not available on job",
        ),
        (
            "/midjourney/v1/action",
            json!({"jobId": single, "action": "upsample1"}),
            400,
            "it offers: upscale_subtle",
        ),
        (
            "/midjourney/v1/action",
            json!({"jobId": running, "action": "upsample1"}),
            400,
            "has not succeeded (it is",
        ),
        (
            "/midjourney/v1/action",
            json!({"jobId": "no-such-job", "action": "upsample1"}),
            400,
            "Job no-such-job not found",
        ),
        (
            "/midjourney/v1/action",
            json!({"jobId": done}),
            400,
            "action must not be empty",
        ),
        (
            "/midjourney/v1/seed",
            json!({"jobId": running}),
            400,
            "has not succeeded",
        ),
        (
            "/midjourney/v1/fetch",
            json!({"jobId": "no-such-job"}),
            400,
            "Job no-such-job not found",
        ),
        (
            "/midjourney/v1/fetch",
            json!({}),
            400,
            "jobId must not be empty",
        ),
        (
            "/midjourney/v1/promptCheck",
            json!({"prompt": "a BannedWord cat"}),
            400,
            "banned prompt words: [bannedword]",
        ),
        (
            "/midjourney/v1/promptCheck",
            json!({"prompt": "a cat --ar 16x9 --v 6"}),
            400,
            "Invalid params [--ar 16x9 --v 6]",
        ),
        (
            "/midjourney/v1/fetch-list",
            json!({"status": "DONE"}),
            400,
            "status must be",
        ),
        (
            "/midjourney/image-edits/submit",
            json!({}),
            404,
            "Not found",
        ),
    ];
    for (path, body, status, says) in cases {
        let (got, answer) = raw.post(path, body.clone()).await;
        assert_eq!(got, status, "{path} {body}: {answer}");
        assert_eq!(answer["status"], "FAILED", "{path} {body}");
        assert!(answer["data"].is_null());
        let message = answer["message"].as_str().unwrap();
        assert!(message.contains(says), "{path} {body}: {message}");
    }

    // The well-formed twins of some of the above are accepted.
    let (status, answer) = raw
        .send(
            "GET",
            &format!("/midjourney/v1/fetch?jobId={done}"),
            Some("k"),
            None,
        )
        .await;
    assert_eq!((status, answer["status"].as_str()), (200, Some("SUCCESS")));
    let (status, answer) = raw
        .post("/midjourney/v1/fetch", json!({"jobId": done}))
        .await;
    assert_eq!(
        (status, answer["jobId"].as_str()),
        (200, Some(done.as_str())),
        "fetch also by POST body"
    );
    let (status, answer) = raw
        .post(
            "/midjourney/v1/action",
            json!({"jobId": done, "action": "upsample3", "timeout": "300"}),
        )
        .await;
    assert_eq!(
        (status, answer["status"].as_str()),
        (200, Some("SUCCESS")),
        "string timeout as in the docs: {answer}"
    );
    let (status, answer) = raw
        .post(
            "/midjourney/v1/promptCheck",
            json!({"prompt": "a cat --ar 16:9"}),
        )
        .await;
    assert_eq!(
        (status, answer["data"].as_str()),
        (200, Some("Prompt verification successful."))
    );
}

#[tokio::test]
async fn keys_are_checked_with_the_documented_401() {
    let sim = Simulator::start(SimConfig {
        api_key: Some("right".into()),
        ..SimConfig::fast()
    })
    .await
    .unwrap();
    let raw = Raw::new(&sim);
    for key in [None, Some(""), Some("wrong")] {
        let (status, answer) = raw.send("GET", "/midjourney/v1/info", key, None).await;
        assert_eq!(status, 401, "{key:?}");
        assert_eq!(
            answer,
            json!({"status": "FAILED", "message": "Wrong TT-API-KEY or email is not activated."})
        );
    }
    let (status, answer) = raw
        .send("GET", "/midjourney/v1/info", Some("right"), None)
        .await;
    assert_eq!((status, answer["status"].as_str()), (200, Some("SUCCESS")));
}

#[tokio::test]
async fn the_eleventh_running_job_gets_499_and_an_empty_balance_402() {
    let slow = SimConfig {
        run_time: Duration::from_secs(30),
        ..SimConfig::fast()
    };
    let (_sim, client) = start(slow).await;
    for i in 0..10 {
        client
            .imagine(&ImagineRequest::new(format!("job {i}"), Mode::Fast))
            .await
            .unwrap();
    }
    let err = client
        .imagine(&ImagineRequest::new("one too many", Mode::Fast))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ApiError::QueueFull { ref message } if message.contains("at most 10")),
        "{err}"
    );

    let poor = SimConfig {
        balance: 3.0,
        ..SimConfig::fast()
    };
    let (sim, client) = start(poor).await;
    client
        .imagine(&ImagineRequest::new("affordable", Mode::Fast))
        .await
        .unwrap();
    let err = client
        .imagine(&ImagineRequest::new("one too many", Mode::Fast))
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::InsufficientBalance { .. }), "{err}");
    assert_eq!(sim.balance(), 1.0);
}

#[tokio::test]
async fn a_banned_prompt_is_accepted_then_fails_and_is_refunded() {
    // Running long enough to look at the account while the job holds its quota.
    let (sim, client) = start(SimConfig {
        run_time: Duration::from_secs(3),
        ..SimConfig::fast()
    })
    .await;
    let before = sim.balance();
    let id = client
        .imagine(&ImagineRequest::new("a BANNEDWORD at noon", Mode::Fast))
        .await
        .unwrap();
    // Charged at submission, as any job: its quota frozen while it runs.
    let running = client.fetch(&id).await.unwrap();
    assert!(!running.status.is_terminal(), "{:?}", running.status);
    let quota = running.data.quota.unwrap();
    assert!(quota > 0.0, "{quota}");
    let account = client.info().await.unwrap();
    assert_eq!(
        (account.balance, account.freeze_balance),
        (Some(before - quota), Some(quota)),
        "charged before it fails"
    );

    let (job, _) = wait_done(&client, &id).await;
    assert_eq!(job.status, JobStatus::Failed);
    assert_eq!(job.message, BANNED_PROMPT_MESSAGE);
    assert_eq!(job.data.progress, None);
    assert!(job.image_url().is_none() && job.data.components.is_empty());
    let account = client.info().await.unwrap();
    assert_eq!(
        (account.balance, account.freeze_balance),
        (Some(before), Some(0.0)),
        "the quota refunded: a failed job costs nothing"
    );
}

#[tokio::test]
async fn a_link_the_simulator_cannot_fetch_fails_the_describe_job_clearly() {
    let (_sim, client) = start(SimConfig::fast()).await;
    let request = moodgrid::api::DescribeRequest {
        url: Some("https://example.com/cat.png".into()),
        ..Default::default()
    };
    let id = client.describe(&request).await.unwrap();
    let (job, _) = wait_done(&client, &id).await;
    assert_eq!(job.status, JobStatus::Failed);
    assert!(
        job.message.starts_with("[Invalid link!]"),
        "{}",
        job.message
    );
}
