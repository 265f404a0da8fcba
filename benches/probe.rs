//! In-process timing of `probe::probe_file`: median and minimum over N runs.
//!
//! `cargo bench --bench probe -- FILE [RUNS]` times FILE (the benchmark
//! script passes a 60-minute VBR MP3 without a Xing header). Without FILE it
//! builds a 60-minute stand-in by repeating the committed `vbr-noxing.mp3`
//! fixture's frames, so the bench runs with no audio tools installed.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let runs: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(50);
    let _keep;
    let path = match args.first() {
        Some(p) => PathBuf::from(p),
        None => {
            let dir = tempfile::tempdir().expect("temp dir");
            let path = dir.path().join("hour.mp3");
            let fixture =
                Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/audio/vbr-noxing.mp3");
            let one = std::fs::read(fixture).expect("fixture is committed");
            std::fs::write(&path, one.repeat(1100)).expect("write stand-in");
            _keep = dir;
            path
        }
    };
    let info = podcatalog::probe::probe_file(&path).expect("the bench file probes");
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let again = podcatalog::probe::probe_file(&path).expect("probes");
            let took = start.elapsed();
            assert_eq!(again.duration_ms, info.duration_ms);
            took
        })
        .collect();
    times.sort();
    println!(
        "probe_file {}: {} bytes, {} ms of audio ({} samples); {runs} runs: median {:.2} ms, min {:.2} ms",
        path.display(),
        info.bytes,
        info.duration_ms,
        info.samples.unwrap_or(0),
        times[runs / 2].as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
    );
}
