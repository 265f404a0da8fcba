//! Container variants derived from committed fixtures by rewriting boxes or
//! building headers: an M4A cut before its `moov`, an M4A whose gapless
//! length comes from `iTunSMPB` instead of an edit list, and an AIFF (read
//! through symphonia).

use super::derived::probe_bytes;
use super::{assert_samples, fixture, probe, warns};

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

/// A minimal AIFF: COMM (mono, 16-bit, 11025 Hz) and SSND with `frames` samples.
pub(super) fn aiff(frames: u32) -> Vec<u8> {
    let mut comm = vec![0, 1];
    comm.extend(frames.to_be_bytes());
    comm.extend([0, 16, 0x40, 0x0C]);
    comm.extend((11025u64 << 50).to_be_bytes());
    let mut ssnd = vec![0u8; 8];
    ssnd.extend(vec![0u8; 2 * frames as usize]);
    let mut body = b"AIFF".to_vec();
    for (id, chunk) in [(b"COMM", comm), (b"SSND", ssnd)] {
        body.extend(id);
        body.extend((chunk.len() as u32).to_be_bytes());
        body.extend(chunk);
    }
    let mut file = b"FORM".to_vec();
    file.extend((body.len() as u32).to_be_bytes());
    file.extend(body);
    file
}

#[test]
fn aiff_is_read_through_symphonia_with_a_warning() {
    let (_d, _p, got) = probe_bytes("a.aiff", &aiff(36_341));
    assert_samples(&got, 36_341, 0, "AIFF header");
    assert_eq!(
        (got["mime"].as_str(), got["sample_rate"].as_u64()),
        (Some("audio/aiff"), Some(11025))
    );
    assert!(warns(&got, "symphonia"), "{got}");
}

/// The child boxes of `b` (32-bit sizes only, as FFmpeg writes small files).
fn mp4_children(b: &[u8]) -> Vec<([u8; 4], Vec<u8>)> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos + 8 <= b.len() {
        let size = u32::from_be_bytes([b[pos], b[pos + 1], b[pos + 2], b[pos + 3]]) as usize;
        let kind = [b[pos + 4], b[pos + 5], b[pos + 6], b[pos + 7]];
        out.push((kind, b[pos + 8..pos + size].to_vec()));
        pos += size;
    }
    out
}

/// One box.
fn mp4_box(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut v = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    v.extend(kind);
    v.extend(body);
    v
}

#[test]
fn itunsmpb_gives_the_gapless_length_without_an_edit_list() {
    // moov-end.m4a with its edit list removed and Apple's iTunSMPB added;
    // moov is last, so chunk offsets into mdat stay valid.
    let file = fixture("moov-end.m4a");
    let top = mp4_children(&file);
    let mut out = Vec::new();
    for (kind, body) in &top {
        if kind != b"moov" {
            out.extend(mp4_box(kind, body));
            continue;
        }
        let mut moov = Vec::new();
        for (k, b) in mp4_children(body) {
            if &k == b"trak" {
                let kept: Vec<u8> = mp4_children(&b)
                    .into_iter()
                    .filter(|(k, _)| k != b"edts")
                    .flat_map(|(k, b)| mp4_box(&k, &b))
                    .collect();
                moov.extend(mp4_box(b"trak", &kept));
            } else if &k != b"udta" {
                moov.extend(mp4_box(&k, &b));
            }
        }
        let smpb = b"\0\0\0\x01\0\0\0\0 00000000 00000400 00000000 00000000000237DD 00000000";
        let mut free = mp4_box(b"mean", b"\0\0\0\0com.apple.iTunes");
        free.extend(mp4_box(b"name", b"\0\0\0\0iTunSMPB"));
        free.extend(mp4_box(b"data", smpb));
        let ilst = mp4_box(b"ilst", &mp4_box(b"----", &free));
        let mut meta = vec![0u8; 4];
        meta.extend(ilst);
        moov.extend(mp4_box(b"udta", &mp4_box(b"meta", &meta)));
        out.extend(mp4_box(b"moov", &moov));
    }
    assert_eq!(0x237DD, 145_373);
    let (_d, _p, got) = probe_bytes("smpb.m4a", &out);
    assert_samples(&got, 145_373, 0, "iTunSMPB without edit list");
}
