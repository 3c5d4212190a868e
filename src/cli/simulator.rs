//! `moodgrid sim`: the simulator alone, on a port, for other clients and for trying faults by hand.

use std::time::Duration;

use super::args::SimArgs;
use super::{Exit, Failure};
use crate::domain::Mode;
use crate::domain::pricing::PriceTable;
use crate::sim::{FaultConfig, SimConfig, Simulator};

/// Serves until Ctrl+C.
pub(super) fn run(args: SimArgs) -> Result<Exit, Failure> {
    let mut prices = PriceTable::default();
    for setting in &args.prices {
        prices
            .set_from(setting)
            .map_err(|e| Failure(Exit::Usage, format!("--price {e}")))?;
    }
    let config = SimConfig {
        api_key: args.key,
        run_time: Duration::from_secs_f64(args.job_seconds),
        queue_time: Duration::from_secs_f64(args.job_seconds * 0.15),
        banned_words: args.banned_words,
        balance: args.balance,
        prices,
        modes_down: args.modes_down.into_iter().map(Mode::from).collect(),
        faults: FaultConfig {
            latency: Duration::from_millis(args.latency_ms),
            gone_images: args.gone_images,
            seed: args.seed,
            ..FaultConfig::failing(args.fail_rate)
        },
        seed: args.seed,
        ..SimConfig::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("moodgrid-sim")
        .build()
        .map_err(|e| {
            Failure(
                Exit::Unavailable,
                format!("could not start the async runtime: {e}"),
            )
        })?;
    runtime.block_on(async move {
        let simulator = Simulator::start_on(config, args.port).await.map_err(|e| {
            Failure(
                Exit::Unavailable,
                format!("could not listen on 127.0.0.1:{}: {e}", args.port),
            )
        })?;
        say!("TTAPI simulator listening on {}", simulator.base_url());
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = simulator.serve_forever() => {}
        }
        Ok(Exit::Success)
    })
}
