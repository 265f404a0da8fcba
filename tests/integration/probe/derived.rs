//! Variants derived from committed fixtures by patching or cutting bytes:
//! a large ID3v2 cover, junk before the first frame, truncation, a
//! zero-frame Xing header, streamed WAV sizes, FLAC without a sample count,
//! trailing tags and a lying extension.

use super::{assert_samples, expected, fixture, probe, probe_ok, warns};
use serde_json::Value;
use std::path::PathBuf;

/// Writes `bytes` as `name` in a fresh temp dir and probes it.
fn probe_bytes(name: &str, bytes: &[u8]) -> (tempfile::TempDir, PathBuf, Value) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write variant");
    let got = probe_ok(&path);
    assert_eq!(got["bytes"].as_u64(), Some(bytes.len() as u64));
    (dir, path, got)
}

/// An ID3v2.3 tag with a title and a cover of `cover` bytes.
fn id3_with_cover(cover: usize) -> Vec<u8> {
    let mut frames = b"TIT2\0\0\0\x0A\0\0\0Big cover".to_vec();
    let body = cover + 13;
    frames.extend(b"APIC");
    frames.extend((body as u32).to_be_bytes());
    frames.extend(b"\0\0\0image/png\0\x03\0");
    frames.extend((0..cover).map(|i| (i * 7 % 256) as u8));
    let n = frames.len();
    let mut tag = b"ID3\x03\0\0".to_vec();
    tag.extend(
        [
            (n >> 21) & 0x7F,
            (n >> 14) & 0x7F,
            (n >> 7) & 0x7F,
            n & 0x7F,
        ]
        .map(|b| b as u8),
    );
    tag.extend(frames);
    tag
}

/// Offset of the first `needle` in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len())
        .position(|w| w == needle)
        .expect("marker present")
}

#[test]
fn large_id3v2_cover_is_skipped_not_read() {
    let mut bytes = id3_with_cover(600_000);
    bytes.extend(fixture("cbr.mp3"));
    let (_d, _p, got) = probe_bytes("cover.mp3", &bytes);
    assert_samples(&got, 145_373, 0, "cbr.mp3 behind a 600 kB ID3v2 tag");
    assert_eq!(got["tags"]["title"], "Big cover");
    assert_eq!(got["tags"]["has_cover"], true);
}

#[test]
fn junk_with_false_syncs_before_the_first_frame() {
    let mut bytes: Vec<u8> = (0..3000usize)
        .map(|i| match i % 97 {
            0 => 0xFF,
            1 => 0xFB,
            _ => (i * 31 % 251) as u8,
        })
        .collect();
    bytes.extend(fixture("vbr-tagged.mp3"));
    let (_d, _p, got) = probe_bytes("junk.mp3", &bytes);
    assert_samples(&got, 145_373, 0, "vbr-tagged.mp3 after 3000 bytes of junk");
    assert!(warns(&got, "junk before the first MPEG frame"), "{got}");
}

#[test]
fn truncated_mp3_counts_complete_frames_and_warns() {
    let full = fixture("vbr-tagged.mp3");
    let (_d, _p, got) = probe_bytes("cut.mp3", &full[..full.len() * 6 / 10]);
    let samples = got["samples"].as_u64().expect("samples");
    assert_eq!(samples % 1152, 0, "no delay applied with a stale header");
    assert!((50_000..110_000).contains(&samples), "{samples}");
    assert!(
        warns(&got, "truncated") && warns(&got, "stale Xing header"),
        "{got}"
    );
}

#[test]
fn zero_frame_xing_falls_back_to_the_walk() {
    let mut bytes = fixture("vbr-tagged.mp3");
    let at = find(&bytes, b"Xing");
    assert_eq!(bytes[at + 7] & 1, 1, "frame count flag set");
    bytes[at + 8..at + 12].copy_from_slice(&[0, 0, 0, 0]);
    let (_d, _p, got) = probe_bytes("zero-xing.mp3", &bytes);
    let e = expected("vbr-noxing.mp3");
    assert_samples(&got, e.samples, e.tolerance, "zero-frame Xing");
    assert!(warns(&got, "it says 0 frames"), "{got}");
}

#[test]
fn trailing_id3v1_and_ape_tags_are_not_audio() {
    let mut bytes = fixture("cbr.mp3");
    bytes.extend(b"APETAGEX\xD0\x07\0\0\x20\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0");
    let mut v1 = b"TAGOld title".to_vec();
    v1.resize(128, 0);
    bytes.extend(v1);
    let (_d, _p, got) = probe_bytes("tails.mp3", &bytes);
    assert_samples(&got, 145_373, 0, "cbr.mp3 with APEv2 and ID3v1");
    assert_eq!(got["tags"]["title"], "Old title");
    assert!(
        got["warnings"].as_array().expect("array").is_empty(),
        "{got}"
    );
}

#[test]
fn streamed_wav_sizes_are_capped_at_the_bytes_present() {
    let base = fixture("pcm.wav");
    let data = find(&base, b"data");
    let present = (base.len() - data - 8) as u32;
    for size in [0xFFFF_FFFF, 0x7FFF_F000, present + 5000] {
        let mut bytes = base.clone();
        bytes[4..8].copy_from_slice(&size.to_le_bytes());
        bytes[data + 4..data + 8].copy_from_slice(&size.to_le_bytes());
        let (_d, _p, got) = probe_bytes("streamed.wav", &bytes);
        assert_samples(&got, 36_341, 0, &format!("WAV with data size {size:#x}"));
        assert!(warns(&got, "streamed or truncated"), "{got}");
    }
}

#[test]
fn flac_without_a_sample_count_is_scanned() {
    let mut bytes = fixture("flac.flac");
    bytes[8 + 13] &= 0xF0;
    bytes[8 + 14..8 + 18].copy_from_slice(&[0, 0, 0, 0]);
    let (_d, _p, got) = probe_bytes("streamed.flac", &bytes);
    assert_samples(&got, 72_689, 0, "FLAC with total samples 0");
    let cut = &bytes[..bytes.len() * 7 / 10];
    let (_d, _p, got) = probe_bytes("cut.flac", cut);
    let samples = got["samples"].as_u64().expect("samples");
    assert!(samples < 72_689 && samples % 4096 == 0, "{samples}");
    assert!(warns(&got, "truncated"), "{got}");
}

#[test]
fn truncated_ogg_and_adts_count_what_is_complete() {
    for (file, total) in [
        ("vorbis.ogg", 145_373),
        ("opus.opus", 158_417),
        ("raw.aac", 145_373),
    ] {
        let full = fixture(file);
        let (_d, _p, got) = probe_bytes(file, &full[..full.len() * 6 / 10]);
        let samples = got["samples"].as_u64().expect("samples");
        assert!(
            samples > total / 5 && samples < total * 8 / 10,
            "{file}: {samples}"
        );
        assert!(warns(&got, "truncated"), "{file}: {got}");
    }
}

#[test]
fn moov_at_end_cut_off_is_a_clear_error() {
    let full = fixture("moov-end.m4a");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("cut.m4a");
    std::fs::write(&path, &full[..full.len() - 200]).expect("write");
    let run = probe(&[&path], true);
    assert_eq!(run.code, 1);
    let error = run.json()[0]["error"].as_str().expect("error").to_owned();
    assert!(
        error.starts_with(&path.display().to_string()) && error.contains("truncated"),
        "{error}"
    );
}

#[test]
fn content_wins_over_a_lying_extension() {
    let (_d, _p, got) = probe_bytes("episode.mp3", &fixture("moov-start.m4a"));
    assert_eq!(got["mime"], "audio/mp4");
    assert_samples(&got, 145_373, 0, "M4A named .mp3");
    assert!(warns(&got, "extension suggests audio/mpeg"), "{got}");
}
