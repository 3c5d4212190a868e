//! How long the simulator takes to make the images it serves, so its latency can be told apart from the
//! configured job time. Prints the median of several runs: `cargo bench --bench simulator`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use image::RgbaImage;
use moodgrid::sim::render;

fn median_ms(runs: usize, mut work: impl FnMut(u64)) -> f64 {
    let mut samples: Vec<Duration> = (0..runs as u64)
        .map(|i| {
            let started = Instant::now();
            work(i);
            started.elapsed()
        })
        .collect();
    samples.sort();
    samples[samples.len() / 2].as_secs_f64() * 1000.0
}

fn encode_grid(quadrants: &[RgbaImage; 4]) -> usize {
    let grid = render::grid(quadrants);
    let mut bytes = render::png(&grid).map_or(0, |b| b.len());
    for q in quadrants {
        bytes += render::png(q).map_or(0, |b| b.len());
    }
    bytes
}

fn main() {
    let runs = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7);
    println!("simulator render times, median of {runs} runs, milliseconds");
    let size = (1024, 1024);
    let paint = median_ms(runs, |i| {
        black_box(render::imagine_grid("a teal lighthouse at dusk", i, size));
    });
    let quadrants = render::imagine_grid("a teal lighthouse at dusk", 1, size);
    let encode = median_ms(runs, |_| {
        black_box(encode_grid(&quadrants));
    });
    println!("  imagine 2048² grid: paint four 1024² images  {paint:>8.1}");
    println!("  imagine 2048² grid: join + encode five PNGs  {encode:>8.1}");
    println!(
        "  imagine 2048² grid: total                    {:>8.1}",
        paint + encode
    );
    let single = &quadrants[0];
    let upscale = median_ms(runs, |i| {
        black_box(render::png(&render::upscale(single, 2, false, i)).map_or(0, |b| b.len()));
    });
    println!("  upscale 1024² → 2048² + encode               {upscale:>8.1}");
    let variations = median_ms(runs, |i| {
        black_box(encode_grid(&render::variations(single, 0.5, i)));
    });
    println!("  variation grid from a 1024² image + encode   {variations:>8.1}");
}
