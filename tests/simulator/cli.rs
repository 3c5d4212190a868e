//! `moodgrid sim` as a standalone server, reached the way `curl` would reach it.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn moodgrid_sim_serves_the_api_standalone() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_moodgrid"))
        .args(["sim", "--port", "0", "--key", "k", "--job-seconds", "0.2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let _guard = Running(child);
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        line
    })
    .await
    .unwrap();
    let base = line.trim().rsplit(' ').next().unwrap().to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "{line}");

    let http = reqwest::Client::new();
    let submitted: Value = http
        .post(format!("{base}/midjourney/v1/imagine"))
        .header("TT-API-KEY", "k")
        .json(&serde_json::json!({"prompt": "a pink kite", "mode": "turbo"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let job_id = submitted["data"]["jobId"].as_str().unwrap().to_owned();
    let fetch = |id: String| {
        let (http, base) = (http.clone(), base.clone());
        async move {
            let response = http
                .get(format!("{base}/midjourney/v1/fetch"))
                .query(&[("jobId", id)])
                .header("TT-API-KEY", "k")
                .send()
                .await
                .unwrap();
            (
                response.status().as_u16(),
                response.json::<Value>().await.unwrap(),
            )
        }
    };
    let mut answer = Value::Null;
    for _ in 0..200 {
        let (status, body) = fetch(job_id.clone()).await;
        assert_eq!(status, 200);
        answer = body;
        if answer["status"] == "SUCCESS" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(answer["status"], "SUCCESS", "{answer}");
    assert_eq!(answer["jobId"], job_id.as_str());
    assert_eq!(answer["data"]["width"], 2048);
    let (status, unknown) = fetch("nope".into()).await;
    assert_eq!(
        (status, unknown["message"].as_str()),
        (400, Some("Job nope not found"))
    );
    let wrong_key = http
        .get(format!("{base}/midjourney/v1/info"))
        .header("TT-API-KEY", "x")
        .send()
        .await
        .unwrap();
    assert_eq!(
        wrong_key.status().as_u16(),
        401,
        "--key restricts the simulator to that key"
    );
}
