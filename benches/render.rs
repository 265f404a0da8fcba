//! Feed rendering time for 1,000 and 10,000 synthetic episodes (issue 4:
//! < 10 ms and < 100 ms). Run with `cargo bench --bench render`; prints the
//! median and best of repeated renders, and the gzip time the server adds
//! once per change.

use std::io::Write as _;
use std::time::{Duration, Instant};

use chrono::Utc;
use podcatalog::config::Config;
use podcatalog::feed::{self, synthetic};

fn main() {
    let config = Config::parse(include_str!("../feed-config.toml"), "feed-config.toml")
        .expect("the shipped config is valid");
    let now = Utc::now();
    println!("episodes  bytes        render median  render best  render CPU  gzip median");
    for n in [1_000, 10_000] {
        let episodes = synthetic::episodes(n);
        let runs = if n > 5_000 { 15 } else { 50 };
        let mut xml = String::new();
        let cpu_before = cpu_seconds();
        let render = time(runs, || xml = feed::render(&config, &episodes, now));
        // CPU time per render (wall-clock figures suffer on a shared machine).
        let cpu = (cpu_seconds() - cpu_before) / (runs + 2) as f64;
        let notes = time(runs, || {
            for e in &episodes {
                std::hint::black_box(feed::show_notes(&e.data.description));
            }
        });
        let quality = if xml.len() > 4 << 20 { 4 } else { 9 };
        let mut br_len = 0;
        let br = time(3, || {
            let mut w = brotli::CompressorWriter::new(Vec::new(), 1 << 16, quality, 22);
            w.write_all(xml.as_bytes()).expect("brotli");
            w.flush().expect("brotli");
            br_len = w.into_inner().len();
        });
        eprintln!(
            "  ({n}: of which Markdown {:.2} ms; brotli q{quality}: {:.1} ms, {br_len} bytes)",
            ms(notes.0),
            ms(br.0)
        );
        let gzip = time(runs.min(10), || {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            gz.write_all(xml.as_bytes()).expect("gzip");
            std::hint::black_box(gz.finish().expect("gzip"));
        });
        println!(
            "{n:>8}  {:>11}  {:>10.2} ms  {:>8.2} ms  {:>7.2} ms  {:>8.2} ms",
            xml.len(),
            ms(render.0),
            ms(render.1),
            cpu * 1000.0,
            ms(gzip.0)
        );
    }
}

/// Median and best of `runs` timed calls, after two warm-up calls.
fn time(runs: usize, mut f: impl FnMut()) -> (Duration, Duration) {
    f();
    f();
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    (times[times.len() / 2], times[0])
}

/// User + system CPU seconds of this process so far, from `/proc/self/stat`
/// (Linux; clock ticks of 10 ms, fine when summed over many runs). NaN
/// elsewhere.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return f64::NAN;
    };
    // Fields after the parenthesised command name; utime and stime are the
    // 14th and 15th fields of the whole line.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
