//! Money under faults: 20 jobs from 5 `moodgrid` processes on one library against the simulator with
//! `--fail-rate 0.3`, once per seed (ten by default; `MOODGRID_SOAK_SEEDS=1-30` for more), on a fresh library
//! and on one used before (one earlier job in the account's history). Prints, per run, how many jobs
//! succeeded unaided and whether any was charged twice; the goal is at least 19 of 20 in every run and no
//! double charge. `cargo bench --bench fault_soak`.

#[path = "../tests/support/fault_soak.rs"]
mod fault_soak;

fn seeds() -> Vec<u64> {
    let asked = std::env::var("MOODGRID_SOAK_SEEDS").unwrap_or_else(|_| "1-10".into());
    let (first, last) = asked.split_once('-').unwrap_or((&asked, &asked));
    let first: u64 = first.trim().parse().unwrap_or(1);
    let last: u64 = last.trim().parse().unwrap_or(first);
    (first..=last).collect()
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    for (used, library) in [(false, "fresh library"), (true, "library used before")] {
        println!("{library}:");
        let (mut worst, mut twice) = (usize::MAX, 0);
        for seed in seeds() {
            let soak = runtime.block_on(fault_soak::run(seed, 5, 4, used));
            println!(
                "seed {seed:>3}: {:>2} of {} succeeded unaided, {} charged twice, {} faults injected, {:.1} s",
                soak.succeeded,
                soak.jobs,
                soak.charged_twice.len(),
                soak.faults,
                soak.took.as_secs_f64()
            );
            for line in soak.not_succeeded.iter().chain(&soak.charged_twice) {
                println!("           {line}");
            }
            worst = worst.min(soak.succeeded);
            twice += soak.charged_twice.len();
        }
        println!("{library}, worst run: {worst} of 20 succeeded unaided; charged twice: {twice}");
    }
}
