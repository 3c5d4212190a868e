//! Every example payload of the contract (tests/fixtures/) served over real HTTP and read by the real client,
//! checking the fields, not just that parsing succeeded. Also checks what the client puts on the wire.

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use moodgrid::api::{
    ActionRequest, ApiError, ApiKey, BaseUrl, ErrorKind, FetchListQuery, ImagineRequest,
    JobRequest, PromptVerdict, TtapiClient,
};
use moodgrid::domain::{JobStatus, Mode};

const KEY: &str = "test-key-7f3a";

#[derive(Debug, Clone, Default)]
struct Seen {
    method: String,
    path_and_query: String,
    key_header: Option<String>,
    body: String,
}

/// A one-answer HTTP server: every request gets `status` and the fixture's text; the last request is kept.
async fn replay(status: u16, fixture: &str) -> (TtapiClient, Arc<Mutex<Seen>>) {
    let body = std::fs::read_to_string(format!(
        "{}/tests/fixtures/{fixture}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    serve(status, body).await
}

async fn serve(status: u16, body: String) -> (TtapiClient, Arc<Mutex<Seen>>) {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let record = seen.clone();
    let app = Router::new().fallback(move |request: Request| {
        let (record, body) = (record.clone(), body.clone());
        async move {
            let (parts, request_body) = request.into_parts();
            let bytes: Bytes = axum::body::to_bytes(request_body, usize::MAX)
                .await
                .unwrap();
            *record.lock().unwrap() = Seen {
                method: parts.method.to_string(),
                path_and_query: parts
                    .uri
                    .path_and_query()
                    .map(|p| p.to_string())
                    .unwrap_or_default(),
                key_header: parts
                    .headers
                    .get("TT-API-KEY")
                    .map(|v| v.to_str().unwrap().to_owned()),
                body: String::from_utf8(bytes.to_vec()).unwrap(),
            };
            (StatusCode::from_u16(status).unwrap(), body).into_response()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let base = BaseUrl::parse(&format!("http://{addr}")).unwrap();
    (
        TtapiClient::new(base, ApiKey::new(KEY).unwrap()).unwrap(),
        seen,
    )
}

#[tokio::test]
async fn submit_answers_give_the_job_id_under_either_spelling() {
    for (fixture, want) in [
        (
            "submit_success.json",
            "b8bd3ff0-4349-4b71-8938-5e13aefa64fe",
        ),
        (
            "submit_success_empty_message.json",
            "afa774a3-1aee-5aba-4510-14818d6875e4",
        ),
        (
            "submit_success_snake_case.json",
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        ),
    ] {
        let (client, seen) = replay(200, fixture).await;
        let id = client
            .imagine(&ImagineRequest::new("a cat", Mode::Relax))
            .await
            .unwrap();
        assert_eq!(id, want, "{fixture}");
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen.method, "POST");
        assert_eq!(seen.path_and_query, "/midjourney/v1/imagine");
        assert_eq!(seen.key_header.as_deref(), Some(KEY));
        let body: serde_json::Value = serde_json::from_str(&seen.body).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"prompt": "a cat", "mode": "relax"})
        );
    }
}

#[tokio::test]
async fn a_parameter_error_is_a_rejection_with_the_services_words() {
    let (client, _) = replay(400, "failure_parameter_error.json").await;
    let err = client
        .action(&ActionRequest::new("job", "upsample1"))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        ApiError::Rejected {
            status: 400,
            message: "Parameter error".into()
        }
    );
    // The same envelope inside an HTTP 200 is still a rejection, not a job id.
    let (client, _) = replay(200, "failure_parameter_error.json").await;
    let err = client
        .imagine(&ImagineRequest::new("x", Mode::Fast))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Rejected);
}

#[tokio::test]
async fn the_401_body_without_data_means_a_wrong_key() {
    let (client, _) = replay(401, "failure_unauthorized.json").await;
    let err = client.info().await.unwrap_err();
    assert_eq!(err, ApiError::Unauthorized);
    assert!(!err.to_string().contains(KEY));
}

#[tokio::test]
async fn a_finished_imagine_has_every_field() {
    let (client, seen) = replay(200, "fetch_imagine_success.json").await;
    let job = client
        .fetch("c679a92e-dae0-462d-b70f-dcfeaf2189fa")
        .await
        .unwrap();
    assert_eq!(
        seen.lock().unwrap().path_and_query,
        "/midjourney/v1/fetch?jobId=c679a92e-dae0-462d-b70f-dcfeaf2189fa"
    );
    assert_eq!(job.id, "c679a92e-dae0-462d-b70f-dcfeaf2189fa");
    assert_eq!(job.status, JobStatus::Success);
    assert_eq!(job.message, "");
    let d = &job.data;
    assert_eq!(d.action.as_deref(), Some("imagine"));
    assert_eq!(d.progress, Some(100));
    assert_eq!(d.prompt.as_deref(), Some("a cat"));
    assert_eq!(d.quota, Some(2.0));
    assert_eq!((d.width, d.height), (Some(1024), Some(1024)));
    assert_eq!(d.components.len(), 9);
    assert_eq!(d.components[4], "reroll");
    assert_eq!(d.seed, None);
    assert_eq!(d.hook_url, None);
    assert_eq!(d.images.len(), 4);
    assert!(d.images[1].ends_with("tr.png"));
    assert_eq!(
        job.image_url(),
        Some("https://cdn.ttapi.io/midjourney/2025-11-14/20260302_050724_554d43430e2e80dd.png")
    );
}

#[tokio::test]
async fn the_quick_start_example_keeps_its_hook_and_portrait_size() {
    let (client, _) = replay(200, "fetch_quick_start.json").await;
    let job = client
        .fetch("8ddd973f-b5ff-4192-b418-b37fb65c65f3")
        .await
        .unwrap();
    assert_eq!((job.data.width, job.data.height), (Some(960), Some(1200)));
    assert_eq!(
        job.data.hook_url.as_deref(),
        Some("https://webhook-test.com/40bb50795afa242aee8c837617cd72e9")
    );
    assert_eq!(job.data.prompt.as_deref(), Some("A cute kitten"));
    // The source elides the four URLs into one placeholder string; it is kept, not rejected.
    assert_eq!(job.data.images, ["…4 URLs…"]);
}

#[tokio::test]
async fn a_failed_job_carries_its_reason_and_null_progress() {
    let (client, _) = replay(200, "fetch_failed.json").await;
    let job = client
        .fetch("f6a5a78d-35d0-b976-1624-3049aa8c8868")
        .await
        .unwrap();
    assert_eq!(job.status, JobStatus::Failed);
    assert_eq!(job.message, "[Bad response] Internal Error.");
    assert_eq!(job.data.progress, None);
    assert!(job.data.components.is_empty() && job.data.images.is_empty());
    assert_eq!(job.image_url(), None);
    assert_eq!(job.data.quota, None);
}

#[tokio::test]
async fn the_old_callback_spells_action_as_actions() {
    let (client, _) = replay(200, "callback_old_actions.json").await;
    let job = client
        .fetch("f5850038-90a3-8a97-0476-107ea4b8dac4")
        .await
        .unwrap();
    assert_eq!(job.data.action.as_deref(), Some("imagine"));
    assert_eq!(job.status, JobStatus::Success);
    assert!(
        job.image_url()
            .unwrap()
            .starts_with("https://cdn.discordapp.com/")
    );
    assert!(job.data.prompt.unwrap().ends_with("--ar 1280:720"));
}

#[tokio::test]
async fn a_captured_data_object_ignores_the_numeric_status_inside() {
    let data = std::fs::read_to_string(format!(
        "{}/tests/fixtures/job_data_captured_2024.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let (client, _) = serve(
        200,
        format!(r#"{{"status":"SUCCESS","message":"","data":{data}}}"#),
    )
    .await;
    let job = client
        .fetch("9d2060f3-aab6-4a5e-a2e5-52a61fd4aad9")
        .await
        .unwrap();
    assert_eq!(
        job.status,
        JobStatus::Success,
        "the envelope status wins over data.status 255"
    );
    assert_eq!(job.id, "9d2060f3-aab6-4a5e-a2e5-52a61fd4aad9");
    assert_eq!(job.data.quota, Some(4.0));
    assert_eq!((job.data.width, job.data.height), (Some(2048), Some(2048)));
    assert!(
        job.image_url()
            .unwrap()
            .starts_with("https://mjcdn.ttapi.io/")
    );
    assert_eq!(job.data.images.len(), 4);
}

#[tokio::test]
async fn an_in_progress_job_with_partial_data_is_read() {
    let (client, _) = replay(200, "fetch_in_progress.json").await;
    let job = client
        .fetch("f5850038-90a3-8a97-0476-107ea4b8dac4")
        .await
        .unwrap();
    assert_eq!(job.status, JobStatus::OnQueue);
    assert_eq!(job.data.progress, Some(50));
    assert_eq!(
        job.id, "f5850038-90a3-8a97-0476-107ea4b8dac4",
        "taken from the envelope"
    );
    assert_eq!(job.data.action, None);
}

#[test]
fn the_documented_action_request_with_a_string_timeout_is_accepted() {
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/request_action.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let request: ActionRequest = serde_json::from_str(&text).unwrap();
    assert_eq!(request.job_id, "<string>");
    assert_eq!(request.action, "upsample1");
    assert_eq!(request.options.timeout, Some(300));
    assert_eq!(request.options.hook_url.as_deref(), Some("<string>"));
    assert!(request.validate().is_ok());
    // Sent back out, the timeout is an integer as the schema says.
    let out = serde_json::to_value(&request).unwrap();
    assert_eq!(out["timeout"], 300);
}

#[tokio::test]
async fn prompt_check_answers_become_verdicts() {
    let (client, seen) = replay(200, "prompt_check_allowed.json").await;
    assert_eq!(
        client.prompt_check("a cat").await.unwrap(),
        PromptVerdict::Allowed
    );
    assert_eq!(
        seen.lock().unwrap().path_and_query,
        "/midjourney/v1/promptCheck"
    );
    for status in [200, 400] {
        let (client, _) = replay(status, "prompt_check_banned.json").await;
        assert_eq!(
            client.prompt_check("a word").await.unwrap(),
            PromptVerdict::Refused("banned prompt words: [word]".into())
        );
    }
}

#[tokio::test]
async fn service_status_reads_each_mode() {
    let (client, seen) = replay(200, "service_status.json").await;
    let status = client.service_status().await.unwrap();
    assert_eq!(seen.lock().unwrap().path_and_query, "/midjourney/status");
    let fast = status.fast.unwrap();
    assert_eq!(fast.status, Some(200));
    assert_eq!(fast.running_message.as_deref(), Some("Endpoints running"));
    assert_eq!(fast.average_execute, Some(46.42));
    assert_eq!(status.turbo.unwrap().average_execute, Some(23.87));
}

#[tokio::test]
async fn account_info_reads_balance_and_queue() {
    let (client, seen) = replay(200, "account_info.json").await;
    let info = client.info().await.unwrap();
    assert_eq!(seen.lock().unwrap().method, "GET");
    assert_eq!(info.email.as_deref(), Some("xxxx@xx.com"));
    assert_eq!(info.balance, Some(10.0));
    assert_eq!(info.freeze_balance, Some(0.0));
    assert_eq!(info.max_queue, Some(5));
    assert_eq!(info.created_at.as_deref(), Some("2023-11-10 17:44:30"));
}

#[tokio::test]
async fn fetch_list_reads_snake_case_rows_with_numeric_status() {
    let (client, seen) = replay(200, "fetch_list.json").await;
    let query = FetchListQuery {
        status: Some("SUCCESS".into()),
        limit: 500,
        ..FetchListQuery::default()
    };
    let rows = client.fetch_list(&query).await.unwrap();
    assert_eq!(
        seen.lock().unwrap().path_and_query,
        "/midjourney/v1/fetch-list?page=1&limit=100&status=SUCCESS",
        "limit is capped at the documented 100"
    );
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(
        row.job_id.as_deref(),
        Some("ec5429d6-3d66-74cd-4fc6-5e98e6c56569")
    );
    assert_eq!(row.model.as_deref(), Some("fast"));
    assert_eq!(row.action.as_deref(), Some("upsample4"));
    assert_eq!(row.quota, Some(2.0));
    assert_eq!(row.status.as_deref(), Some("2"));
    assert_eq!(row.progress, Some(100));
    assert!(
        row.cdn_image
            .as_deref()
            .unwrap()
            .starts_with("https://mjcdn.ttapi.io/")
    );
}

#[tokio::test]
async fn seed_posts_the_job_id() {
    let (client, seen) = replay(200, "submit_success.json").await;
    client.seed(&JobRequest::new("abc")).await.unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.path_and_query, "/midjourney/v1/seed");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&seen.body).unwrap(),
        serde_json::json!({"jobId": "abc"})
    );
}

/// Variants the contract lists that no fixture shows in full: progress as a number or with %, quota and
/// seed as numbers, unknown status strings, unknown fields, `data` null.
#[tokio::test]
async fn every_documented_variant_of_a_job_is_read() {
    type Check = Box<dyn Fn(&moodgrid::api::Job)>;
    let cases: [(&str, Check); 5] = [
        (
            r#"{"status":"ON_QUEUE","data":{"progress":37,"quota":1.5,"seed":123456}}"#,
            Box::new(|j| {
                assert_eq!(
                    (j.data.progress, j.data.quota, j.data.seed.as_deref()),
                    (Some(37), Some(1.5), Some("123456"))
                );
            }),
        ),
        (
            r#"{"status":"ON_QUEUE","data":{"progress":"80%","seed":"987","width":"512"}}"#,
            Box::new(|j| {
                assert_eq!(
                    (j.data.progress, j.data.seed.as_deref(), j.data.width),
                    (Some(80), Some("987"), Some(512))
                );
            }),
        ),
        (
            r#"{"status":"MODAL","message":"","data":{"brandNew":{"x":1},"progress":"oops"}}"#,
            Box::new(|j| {
                assert_eq!(j.status, JobStatus::Unknown("MODAL".into()));
                assert_eq!(j.data.progress, None);
            }),
        ),
        (
            r#"{"status":"PENDING_QUEUE","message":"","jobId":"top","data":null}"#,
            Box::new(|j| {
                assert_eq!(
                    (j.id.as_str(), j.status.clone()),
                    ("top", JobStatus::PendingQueue)
                );
            }),
        ),
        (
            r#"{"status":"SUCCESS","data":{"components":["upsample1",7,null,"mystery_button"],"images":null}}"#,
            Box::new(|j| {
                assert_eq!(j.data.components, ["upsample1", "mystery_button"]);
            }),
        ),
    ];
    for (body, check) in cases {
        let (client, _) = serve(200, body.into()).await;
        let job = client
            .fetch("asked")
            .await
            .unwrap_or_else(|e| panic!("{body}: {e}"));
        check(&job);
    }
}

/// Answers that are not TTAPI JSON at all give a clear error, never a panic or a half-read job.
#[tokio::test]
async fn garbage_answers_are_errors_that_say_what_came() {
    let cases: [(u16, &str, ErrorKind, &str); 6] = [
        (
            200,
            "<html><head><title>Attention Required! | Cloudflare</title></head><body></body></html>",
            ErrorKind::BadResponse,
            "Attention Required",
        ),
        (
            200,
            "{\"status\":\"SUCCESS\",\"data\":",
            ErrorKind::BadResponse,
            "not the JSON",
        ),
        (200, "", ErrorKind::BadResponse, "empty"),
        (200, "[1,2,3]", ErrorKind::BadResponse, "not a JSON object"),
        (
            200,
            r#"{"status":"SUCCESS","data":{"jobId":""}}"#,
            ErrorKind::BadResponse,
            "no job id",
        ),
        (
            500,
            "<html><body>oops</body></html>",
            ErrorKind::Server,
            "HTML page",
        ),
    ];
    for (status, body, kind, says) in cases {
        let (client, _) = serve(status, body.into()).await;
        let err = client
            .imagine(&ImagineRequest::new("x", Mode::Fast))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), kind, "{body}");
        assert!(err.to_string().contains(says), "{body}: {err}");
    }
}
