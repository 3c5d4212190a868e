//! The prompt studio and the account from the command line against a simulator with prices of its own:
//! permutation batches and their estimate (default, then learned), the confirm threshold, a balance run
//! down, refunds, invalid parameters, a mode that is down, and `spend`/`account`/`params`.

use moodgrid::domain::Mode;
use moodgrid::domain::pricing::{PriceTable, format_quota};
use moodgrid::sim::{SimConfig, Simulator};

use super::{json_lines, moodgrid};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_are_estimated_learned_charged_and_refunded_as_the_price_table_says() {
    let mut prices = PriceTable::default();
    prices.set_from("imagine=3").unwrap();
    let sim = Simulator::start(SimConfig {
        prices,
        balance: 30.0,
        ..SimConfig::fast()
    })
    .await
    .unwrap();
    let data = tempfile::tempdir().unwrap();
    let dir = data.path();

    // A dry run lists the permutation and estimates it at the default price: nothing is sent.
    let dry = moodgrid(
        &sim,
        dir,
        &["imagine", "a {red, blue} fox --ar {1:1, 16:9}", "--dry-run"],
    )
    .await;
    assert_eq!(dry.status.code(), Some(0), "{}", text(&dry.stderr));
    assert_eq!(
        text(&dry.stdout),
        "a red fox --ar 1:1\na red fox --ar 16:9\na blue fox --ar 1:1\na blue fox --ar 16:9\n\
         4 jobs, estimated 8 quota (default prices)\n"
    );
    assert_eq!(sim.accepted_submissions(), 0);

    // Two jobs, charged what the simulator's table says (3, not the default 2), each in its own job.
    let sent = moodgrid(
        &sim,
        dir,
        &["imagine", "a {red, blue} fox", "--wait", "--json"],
    )
    .await;
    assert_eq!(sent.status.code(), Some(0), "{}", text(&sent.stderr));
    let foxes = json_lines(&sent, 0);
    let prompts: Vec<&str> = foxes
        .iter()
        .map(|j| j["prompt"].as_str().unwrap())
        .collect();
    assert_eq!(prompts, ["a red fox", "a blue fox"]);
    assert!(
        foxes
            .iter()
            .all(|j| j["status"] == "SUCCESS" && j["quota"] == 3.0),
        "{foxes:?}"
    );

    // The estimate has learned the price.
    let dry = moodgrid(&sim, dir, &["imagine", "a {green, grey} fox", "--dry-run"]).await;
    assert!(
        text(&dry.stdout).ends_with("2 jobs, estimated 6 quota (learned from your charges)\n"),
        "{}",
        text(&dry.stdout)
    );

    // Over the confirm threshold (20 by default), a script must say --yes.
    let refused = moodgrid(&sim, dir, &["imagine", "a fox --r 8"]).await;
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        text(&refused.stderr).contains("8 jobs, estimated 24 quota"),
        "{}",
        text(&refused.stderr)
    );
    assert!(text(&refused.stderr).contains("--yes"));
    assert_eq!(sim.accepted_submissions(), 2);

    // A refused prompt fails, and its quota comes back.
    let banned = moodgrid(
        &sim,
        dir,
        &["imagine", "a bannedword fox", "--wait", "--json"],
    )
    .await;
    let banned = json_lines(&banned, 1);
    assert_eq!(
        (banned[0]["status"].as_str(), banned[0]["quota"].as_f64()),
        (Some("FAILED"), Some(3.0)),
        "priced, then failed"
    );
    assert_eq!(sim.balance(), 24.0, "30 − 2 × 3; the failed job refunded");

    // An out-of-range parameter: warned before sending, then failed by the service as Midjourney does.
    let invalid = moodgrid(
        &sim,
        dir,
        &["imagine", "a fox --chaos 500", "--wait", "--json"],
    )
    .await;
    assert!(
        text(&invalid.stderr).contains("warning: --chaos: 500 is outside 0–100"),
        "{}",
        text(&invalid.stderr)
    );
    let invalid = json_lines(&invalid, 1);
    assert!(
        invalid[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("[Invalid parameter]")
    );

    // Run the balance down: 24 pays for 8 of 9 repeats at 3 each; the ninth is refused with 402.
    let many = moodgrid(
        &sim,
        dir,
        &["imagine", "a cat --r 9", "--yes", "--wait", "--json"],
    )
    .await;
    let cats = json_lines(&many, 3); // 3: the account ran out
    assert_eq!(cats.len(), 9, "{}", text(&many.stderr));
    assert_eq!(cats.iter().filter(|j| j["status"] == "SUCCESS").count(), 8);
    assert!(
        cats.iter().all(|j| j["prompt"] == "a cat"),
        "--r is taken out of what is sent"
    );
    assert_eq!(sim.balance(), 0.0);

    // The ledger, worked out from the jobs printed above: every job TTAPI priced (all but the cat refused
    // with 402) is one imagine in it, spent if it succeeded, refunded if it failed; what was spent is what
    // left the balance.
    let priced: Vec<&serde_json::Value> = [&foxes, &banned, &invalid, &cats]
        .into_iter()
        .flatten()
        .filter(|j| j["quota"].is_number())
        .collect();
    assert_eq!(priced.len(), foxes.len() + 2 + 8, "{priced:?}");
    let settled = |j: &serde_json::Value| match j["status"].as_str() {
        Some("SUCCESS") => "charged",
        Some("FAILED") => "refunded (failed)",
        other => panic!("not settled: {other:?} {j}"),
    };
    let quota_where = |settlement: &str| -> f64 {
        priced
            .iter()
            .filter(|j| settled(j) == settlement)
            .map(|j| j["quota"].as_f64().unwrap())
            .sum()
    };
    let (spent, refunded) = (quota_where("charged"), quota_where("refunded (failed)"));
    assert_eq!(
        spent,
        30.0 - sim.balance(),
        "spent is what left the balance"
    );
    let by_kind = moodgrid(&sim, dir, &["spend", "--by", "kind", "--csv"]).await;
    assert_eq!(by_kind.status.code(), Some(0), "{}", text(&by_kind.stderr));
    assert_eq!(
        text(&by_kind.stdout),
        format!(
            "\"group\",\"jobs\",\"spent\",\"refunded\"\n\"imagine\",{},{},{}\n",
            priced.len(),
            format_quota(spent),
            format_quota(refunded)
        )
    );
    // By job: one row per priced job, with its TTAPI id, quota, what it spent and how it settled.
    let by_job = moodgrid(&sim, dir, &["spend", "--by", "job", "--csv"]).await;
    assert_eq!(by_job.status.code(), Some(0), "{}", text(&by_job.stderr));
    let mut rows: Vec<[String; 4]> = csv::Reader::from_reader(by_job.stdout.as_slice())
        .records()
        .map(|row| {
            let row = row.unwrap();
            [1, 5, 6, 7].map(|column| row[column].to_owned())
        })
        .collect();
    let mut expected: Vec<[String; 4]> = priced
        .iter()
        .map(|j| {
            let quota = j["quota"].as_f64().unwrap();
            let spent = if settled(j) == "charged" { quota } else { 0.0 };
            [
                j["jobId"].as_str().unwrap().to_owned(),
                format_quota(quota),
                format_quota(spent),
                settled(j).to_owned(),
            ]
        })
        .collect();
    rows.sort();
    expected.sort();
    assert_eq!(rows, expected, "{}", text(&by_job.stdout));

    let account = moodgrid(&sim, dir, &["account", "--json"]).await;
    assert_eq!(account.status.code(), Some(0), "{}", text(&account.stderr));
    let account = &json_lines(&account, 0)[0];
    assert_eq!(account["balance"], 0.0);
    assert_eq!(account["status"]["fast"]["status"], 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mode_that_is_down_is_reported_and_its_jobs_refused() {
    let sim = Simulator::start(SimConfig {
        modes_down: vec![Mode::Relax],
        ..SimConfig::fast()
    })
    .await
    .unwrap();
    let data = tempfile::tempdir().unwrap();
    let account = moodgrid(&sim, data.path(), &["account"]).await;
    let said = text(&account.stdout);
    assert!(
        said.contains("relax  down: Endpoints unavailable"),
        "{said}"
    );
    assert!(said.contains("fast   about "), "{said}");
    let relax = moodgrid(
        &sim,
        data.path(),
        &["imagine", "a fox", "--mode", "relax", "--wait", "--json"],
    )
    .await;
    assert_eq!(relax.status.code(), Some(2), "{}", text(&relax.stderr));
    assert!(
        text(&relax.stderr).contains("No available accounts for relax mode"),
        "{}",
        text(&relax.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn params_prints_what_moodgrid_reads_and_the_warnings() {
    let sim = Simulator::start(SimConfig::fast()).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let clean = moodgrid(&sim, data.path(), &["params", "a fox --ar 16:9 --s 250"]).await;
    assert_eq!(clean.status.code(), Some(0));
    let said = text(&clean.stdout);
    assert!(said.starts_with("text: a fox\n"), "{said}");
    assert!(
        said.contains("--ar         Aspect ratio             16:9"),
        "{said}"
    );
    assert!(
        said.contains("--stylize    Stylize                  250"),
        "{said}"
    );
    let typo = moodgrid(&sim, data.path(), &["params", "a {cat, dog} --arr 16:9"]).await;
    assert_eq!(typo.status.code(), Some(1));
    let said = text(&typo.stdout);
    assert!(
        said.contains("warning: --arr: did you mean --ar?"),
        "{said}"
    );
    assert!(
        said.contains("expands to 2 prompts:\n  a cat --arr 16:9\n  a dog --arr 16:9\n"),
        "{said}"
    );
}
