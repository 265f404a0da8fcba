//! Integration tests of loudness and embedded chapters: the real binary on
//! audio written at test time by independent tools (ffmpeg; mutagen for
//! ID3 chapters), compared with ffmpeg's own EBU R128 meter; the catalogue
//! storing each file's analysis once; the publish gate's loudness rules.
//! scripts/test.sh installs ffmpeg and mutagen; a missing tool fails the
//! test with that hint instead of skipping it.

mod accuracy;
mod catalog;
mod chapters;
mod hostile;

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// Runs ffmpeg quietly with `args`; panics with its stderr on failure.
pub fn ffmpeg(args: &[&str]) -> String {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostdin", "-y"])
        .args(args)
        .output()
        .expect("ffmpeg is needed for these tests: run scripts/test.sh, which installs it");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "ffmpeg {args:?} failed:\n{stderr}");
    stderr
}

/// Writes `seconds` of a sine at `freq` Hz with peak `dbfs` on each of
/// `channels` channels at 48 kHz, encoded to `path` by its extension.
pub fn sine(path: &Path, freq: u32, dbfs: f64, channels: u32, seconds: u32) {
    let amp = 10f64.powf(dbfs / 20.0);
    let one = format!("{amp}*sin(2*PI*{freq}*t)");
    let exprs = vec![one; channels as usize].join("|");
    let src = format!("aevalsrc=exprs={exprs}:s=48000:d={seconds}");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        &src,
        path.to_str().expect("utf-8 path"),
    ]);
}

/// Encodes `src` to `out` (codec by its extension) with ffmpeg, `extra`
/// options before the output.
pub fn encode(src: &Path, out: &Path, extra: &[&str]) {
    let mut args = vec!["-i", src.to_str().expect("utf-8 path")];
    args.extend(extra);
    args.push(out.to_str().expect("utf-8 path"));
    ffmpeg(&args);
}

/// ffmpeg's `ebur128=peak=true` summary: (integrated LUFS, LRA, true peak dBTP).
pub fn ffmpeg_r128(path: &Path) -> (f64, f64, f64) {
    let log = ffmpeg(&[
        "-nostats",
        "-i",
        path.to_str().expect("utf-8 path"),
        "-af",
        "ebur128=peak=true",
        "-f",
        "null",
        "-",
    ]);
    let summary = log.rsplit("Summary:").next().expect("a summary");
    let value = |label: &str| -> f64 {
        let line = summary
            .lines()
            .find(|l| l.trim_start().starts_with(label))
            .unwrap_or_else(|| panic!("no {label} in ffmpeg's summary:\n{summary}"));
        line.split_whitespace()
            .nth(1)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("cannot read {line}"))
    };
    (value("I:"), value("LRA:"), value("Peak:"))
}

/// `podcatalog probe --loudness --json` on one file, parsed.
pub fn probe_loudness(path: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_podcatalog"))
        .args(["probe", "--loudness", "--json"])
        .arg(path)
        .output()
        .expect("run podcatalog");
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "probe --loudness --json on {}: {e}\nstdout: {stdout}\nstderr: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}
