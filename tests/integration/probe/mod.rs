//! Integration tests of `podcatalog probe`: the real binary on committed
//! fixtures with known sample counts (`tests/fixtures/audio/expected.json`,
//! written by `scripts/make-probe-fixtures.sh`), on variants derived from
//! them here (patched headers, cut files, hostile files), and property
//! tests of the library on arbitrary and mutated bytes. No audio tools are
//! needed at test time.

mod containers;
mod derived;
mod fixtures;
mod hostile;
mod props;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The committed fixture folder.
pub fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/audio")
}

/// Bytes of a committed fixture.
pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture_dir().join(name)).expect("fixture is committed")
}

/// One manifest entry.
#[derive(Debug, Clone)]
pub struct Expected {
    pub file: String,
    pub samples: u64,
    pub sample_rate: u64,
    pub tolerance: u64,
}

/// The manifest of committed fixtures.
pub fn manifest() -> Vec<Expected> {
    let text = std::fs::read_to_string(fixture_dir().join("expected.json"))
        .expect("manifest is committed");
    let v: Value = serde_json::from_str(&text).expect("manifest is JSON");
    let entries = v.as_array().expect("manifest is an array");
    entries
        .iter()
        .map(|e| Expected {
            file: e["file"].as_str().expect("file").to_owned(),
            samples: e["samples"].as_u64().expect("samples"),
            sample_rate: e["sample_rate"].as_u64().expect("sample_rate"),
            tolerance: e["tolerance"].as_u64().expect("tolerance"),
        })
        .collect()
}

/// The manifest entry for `file`.
pub fn expected(file: &str) -> Expected {
    manifest()
        .into_iter()
        .find(|e| e.file == file)
        .expect("file is in the manifest")
}

use crate::common::Run;

/// Runs `podcatalog probe ARGS...`.
pub fn probe(args: &[&Path], json: bool) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_podcatalog"));
    cmd.arg("probe").args(args);
    if json {
        cmd.arg("--json");
    }
    cmd.output().expect("the binary runs").into()
}

/// Probes one file with `--json`, expecting success; returns its object.
pub fn probe_ok(path: &Path) -> Value {
    let run = probe(&[path], true);
    assert_eq!(run.code, 0, "{}: {}", path.display(), run.stderr);
    run.json().remove(0)
}

/// Asserts `samples` is within `tolerance` of `want`.
pub fn assert_samples(got: &Value, want: u64, tolerance: u64, what: &str) {
    let samples = got["samples"].as_u64().expect("samples");
    assert!(
        samples.abs_diff(want) <= tolerance,
        "{what}: probe says {samples} samples, truth is {want} (tolerance {tolerance}): {got}"
    );
}

/// Whether any warning contains `needle`.
pub fn warns(got: &Value, needle: &str) -> bool {
    got["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .any(|w| w.as_str().is_some_and(|w| w.contains(needle)))
}
