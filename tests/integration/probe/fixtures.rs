//! Every committed fixture against its true sample count, through the real
//! binary, plus the output formats.

use super::{assert_samples, fixture_dir, manifest, probe, warns};
use std::path::PathBuf;

/// MIME type expected for a fixture's extension.
fn mime(file: &str) -> &'static str {
    match file.rsplit('.').next() {
        Some("mp3") => "audio/mpeg",
        Some("m4a") => "audio/mp4",
        Some("aac") => "audio/aac",
        Some("ogg" | "opus") => "audio/ogg",
        Some("flac") => "audio/flac",
        Some("wav") => "audio/wav",
        _ => panic!("fixture with an unknown extension: {file}"),
    }
}

#[test]
fn every_fixture_matches_its_true_sample_count() {
    let entries = manifest();
    assert!(
        entries.len() >= 13,
        "manifest lists every committed fixture"
    );
    let paths: Vec<PathBuf> = entries
        .iter()
        .map(|e| fixture_dir().join(&e.file))
        .collect();
    let args: Vec<&std::path::Path> = paths.iter().map(PathBuf::as_path).collect();
    let run = probe(&args, true);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines = run.json();
    assert_eq!(lines.len(), entries.len(), "one line per input, in order");
    for ((e, got), path) in entries.iter().zip(&lines).zip(&paths) {
        assert_eq!(got["path"], path.display().to_string());
        assert_samples(got, e.samples, e.tolerance, &e.file);
        assert_eq!(
            got["sample_rate"].as_u64(),
            Some(e.sample_rate),
            "{}",
            e.file
        );
        let size = std::fs::metadata(path).expect("fixture exists").len();
        assert_eq!(got["bytes"].as_u64(), Some(size), "{}", e.file);
        assert_eq!(got["mime"], mime(&e.file), "{}", e.file);
        let samples = got["samples"].as_u64().expect("samples");
        let ms = (samples * 1000 + e.sample_rate / 2) / e.sample_rate;
        assert_eq!(got["duration_ms"].as_u64(), Some(ms), "{}", e.file);
        assert_eq!(
            got["channels"].as_u64(),
            Some(1),
            "{}: fixtures are mono",
            e.file
        );
    }
}

#[test]
fn joined_mp3_reports_its_stale_xing_header() {
    let got = super::probe_ok(&fixture_dir().join("joined.mp3"));
    assert!(warns(&got, "stale Xing header"), "{got}");
    assert!(warns(&got, "joined"), "{got}");
}

#[test]
fn tags_are_read_from_id3_mp4_and_vorbis_comments() {
    let got = super::probe_ok(&fixture_dir().join("vbr-tagged.mp3"));
    assert_eq!(
        got["tags"]["title"],
        "Episode 1: Exact <durations> & \"gaps\""
    );
    assert_eq!(got["tags"]["artist"], "Åsa Öberg");
    assert_eq!(got["tags"]["has_cover"], true);
    let m4a = super::probe_ok(&fixture_dir().join("moov-start.m4a"));
    assert_eq!(m4a["tags"]["title"], "M4A title");
    let opus = super::probe_ok(&fixture_dir().join("opus.opus"));
    assert_eq!(
        (opus["tags"]["artist"].as_str(), opus["codec"].as_str()),
        (Some("Opus artist"), Some("opus"))
    );
    let flac = super::probe_ok(&fixture_dir().join("flac.flac"));
    assert_eq!(flac["tags"]["title"], "FLAC title");
}

#[test]
fn json_lines_have_the_documented_shape() {
    let got = super::probe_ok(&fixture_dir().join("cbr.mp3"));
    for key in [
        "path",
        "duration_ms",
        "bytes",
        "mime",
        "container",
        "codec",
        "sample_rate",
        "channels",
        "bitrate",
    ] {
        assert!(!got[key].is_null(), "{key} missing: {got}");
    }
    assert!(got["warnings"].is_array() && got["tags"].is_object());
    assert!(got.get("error").is_none());
}

#[test]
fn table_output_has_a_header_and_one_row_per_file() {
    let a = fixture_dir().join("cbr.mp3");
    let b = fixture_dir().join("opus.opus");
    let run = probe(&[&a, &b], false);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    assert!(lines[0].contains("DURATION") && lines[0].contains("PATH"));
    assert!(
        lines[1].contains("0:00:03.296")
            && lines[1].contains("audio/mpeg")
            && lines[1].ends_with("cbr.mp3")
    );
    assert!(lines[2].contains("opus") && lines[2].contains("48000"));
    assert!(
        run.stderr.is_empty(),
        "no progress bar when stderr is not a terminal: {}",
        run.stderr
    );
}
