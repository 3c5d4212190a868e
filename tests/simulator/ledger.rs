//! The simulator's charges against its price table: each mode, kind and model charged what the table
//! says, a failed job refunded, a mode down refused, and parameters a documented rule forbids failed.

use moodgrid::api::{ActionRequest, ApiError, ImagineRequest};
use moodgrid::domain::pricing::{PriceKey, PriceTable};
use moodgrid::domain::{JobStatus, Mode};
use moodgrid::sim::SimConfig;

use super::{start, wait_done};

#[tokio::test]
async fn every_job_is_charged_what_the_price_table_says_and_failures_are_refunded() {
    let mut prices = PriceTable::default();
    prices.set_from("imagine=4").unwrap();
    prices.set_from("upsample=1.5").unwrap();
    let (sim, client) = start(SimConfig {
        prices: prices.clone(),
        balance: 1000.0,
        modes_down: vec![Mode::Turbo],
        ..SimConfig::fast()
    })
    .await;
    let mut expected = 1000.0;
    let cases = [
        ("a red fox", Mode::Fast),
        ("a red fox", Mode::Relax),
        ("a red fox --v 6.0", Mode::Fast),
        ("a red fox --v 7", Mode::Relax),
    ];
    let mut grid = String::new();
    for (prompt, mode) in cases {
        let id = client
            .imagine(&ImagineRequest::new(prompt, mode))
            .await
            .unwrap();
        let (job, _) = wait_done(&client, &id).await;
        assert_eq!(job.status, JobStatus::Success, "{}", job.message);
        let price = prices.price(&PriceKey::new(mode, "imagine", prompt));
        assert_eq!(job.data.quota, Some(price), "{prompt} in {mode}");
        expected -= price;
        grid = id;
    }
    assert_eq!(sim.balance(), expected, "4 + 2 + 6 + 2 taken");
    assert_eq!(expected, 1000.0 - 14.0);

    let id = client
        .action(&ActionRequest::new(&grid, "upsample3"))
        .await
        .unwrap();
    let (job, _) = wait_done(&client, &id).await;
    assert_eq!(
        job.data.quota,
        Some(0.75),
        "1.5 in relax, the parent's mode"
    );
    assert_eq!(sim.balance(), expected - 0.75);

    // A documented rule broken: the job fails as Midjourney's do, and the quota comes back.
    let id = client
        .imagine(&ImagineRequest::new("a fox --chaos 101", Mode::Fast))
        .await
        .unwrap();
    let (job, _) = wait_done(&client, &id).await;
    assert_eq!(job.status, JobStatus::Failed);
    assert_eq!(
        job.message,
        "[Invalid parameter] --chaos: 101 is outside 0–100"
    );
    assert_eq!(sim.balance(), expected - 0.75, "refunded");
    // An unconfirmed rule is not enforced.
    let id = client
        .imagine(&ImagineRequest::new("a fox --relax", Mode::Fast))
        .await
        .unwrap();
    assert_eq!(wait_done(&client, &id).await.0.status, JobStatus::Success);

    // Turbo is down: its status says so and its submissions are refused.
    let status = client.service_status().await.unwrap();
    assert_eq!(status.turbo.unwrap().status, Some(503));
    assert_eq!(status.fast.unwrap().status, Some(200));
    let refused = client
        .imagine(&ImagineRequest::new("a fox", Mode::Turbo))
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, ApiError::Rejected { .. })
            && refused
                .to_string()
                .contains("No available accounts for turbo mode"),
        "{refused:?}"
    );
}
