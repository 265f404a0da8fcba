//! Loudness of damaged and undecodable input: the loudness of what decodes
//! with a warning, or a clear error; never a panic, never a wrong number.

use super::{probe_loudness, sine};

use crate::probe::fixture_dir;

#[test]
fn opus_is_reported_as_not_measured_not_as_a_number() {
    let v = probe_loudness(&fixture_dir().join("opus.opus"));
    assert_eq!(v["codec"], "opus");
    assert!(v.get("lufs").is_none(), "{v}");
    let err = v["loudness_error"].as_str().expect("loudness_error");
    assert!(err.ends_with("not measured: no decoder for Opus"), "{err}");
}

#[test]
fn a_truncated_file_gives_the_loudness_of_what_decodes_with_a_warning() {
    let dir = tempfile::tempdir().expect("tempdir");
    let wav = dir.path().join("tone.wav");
    sine(&wav, 1000, -23.0, 2, 10);
    let mp3 = dir.path().join("tone.mp3");
    super::encode(&wav, &mp3, &[]);
    let bytes = std::fs::read(&mp3).expect("read");
    let cut = dir.path().join("cut.mp3");
    std::fs::write(&cut, &bytes[..bytes.len() / 2 + 77]).expect("write");
    let v = probe_loudness(&cut);
    let lufs = v["lufs"].as_f64().unwrap_or_else(|| panic!("{v}"));
    let (theirs, _, _) = super::ffmpeg_r128(&cut);
    assert!((lufs - theirs).abs() <= 0.15, "{v}: ffmpeg says {theirs}");
    let warnings = format!("{} {}", v["warnings"], v["loudness_warnings"]);
    assert!(warnings.contains("truncated"), "{v}");

    // Garbage after a valid header: decodes what it can, or says why not.
    let mut junk = bytes[..4000].to_vec();
    junk.extend((0..200_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    let bad = dir.path().join("junk.mp3");
    std::fs::write(&bad, &junk).expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_podcatalog"))
        .args(["probe", "--loudness", "--json"])
        .arg(&bad)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn silence_is_reported_as_silent_not_minus_infinity() {
    let dir = tempfile::tempdir().expect("tempdir");
    let wav = dir.path().join("silence.wav");
    sine(&wav, 1000, -200.0, 1, 3);
    let v = probe_loudness(&wav);
    assert!(v["lufs"].is_null(), "{v}");
    assert!(v.get("loudness_error").is_none(), "{v}");
}
