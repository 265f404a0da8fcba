//! Chapters in MP4/M4A: Nero's `moov/udta/chpl` list (start in 100 ns
//! units, title), and QuickTime chapter tracks (the audio track's
//! `tref/chap` names a text track whose samples are the titles, timed by
//! its `stts`; Apple's QuickTime File Format, "Chapter lists"). ffmpeg
//! writes both; when both are present, the QuickTime track wins (Apple's
//! players read it), and `chpl` fills in when it is missing.

use std::io::{Read, Seek};

use super::{Chapter, Found, MAX_CHAPTERS};
use crate::probe::mp4_boxes::{child, children, path};
use crate::probe::mp4_present::samples;
use crate::probe::source::{Fault, Source, be32, be64};

/// Reads the chapters of the movie `moov` (in memory) into `found`.
pub(crate) fn read<R: Read + Seek>(
    moov: &[u8],
    src: &mut Source<R>,
    found: &mut Found,
) -> Result<(), Fault> {
    let mut track = Found::default();
    if let Some(text) = chapter_track(moov) {
        read_track(text, src, &mut track)?;
    }
    if !track.is_empty() {
        *found = track;
    } else if let Some(chpl) = path(moov, &[b"udta", b"chpl"]) {
        read_chpl(chpl, found);
    }
    Ok(())
}

/// Nero `chpl`: version, flags, (v1: 4 reserved bytes), count, then per
/// chapter a 64-bit start in 100 ns units and a length-prefixed title.
fn read_chpl(b: &[u8], found: &mut Found) {
    let mut pos = if b.first() == Some(&1) { 8 } else { 4 };
    let count = b.get(pos).copied().unwrap_or(0);
    pos += 1;
    for _ in 0..count {
        let Some(head) = b.get(pos..pos + 9) else {
            found.finding("the chpl chapter list is cut short".into());
            return;
        };
        let len = usize::from(head[8]);
        let Some(title) = b.get(pos + 9..pos + 9 + len) else {
            found.finding("the chpl chapter list is cut short".into());
            return;
        };
        found.push(None, chapter(be64(head, 0) / 10_000, title));
        pos += 9 + len;
    }
}

/// The text track that an audio track's `tref/chap` points at.
fn chapter_track(moov: &[u8]) -> Option<&[u8]> {
    let traks: Vec<&[u8]> = children(moov)
        .filter(|(k, _)| k == b"trak")
        .map(|(_, t)| t)
        .collect();
    let wanted = traks.iter().find_map(|t| {
        let chap = path(t, &[b"tref", b"chap"])?;
        Some(be32(chap, 0))
    })?;
    traks.into_iter().find(|t| {
        child(t, b"tkhd").is_some_and(|h| {
            let at = if h.first() == Some(&1) { 20 } else { 12 };
            h.len() >= at + 4 && be32(h, at) == wanted
        })
    })
}

/// Reads the titles and times of a QuickTime chapter text track.
fn read_track<R: Read + Seek>(
    trak: &[u8],
    src: &mut Source<R>,
    found: &mut Found,
) -> Result<(), Fault> {
    let Some(mdia) = child(trak, b"mdia") else {
        return Ok(());
    };
    let timescale = child(mdia, b"mdhd").map_or(0, |m| {
        if m.first() == Some(&1) {
            be32(m, 20)
        } else {
            be32(m, 12)
        }
    });
    let Some(stbl) = path(mdia, &[b"minf", b"stbl"]) else {
        return Ok(());
    };
    if timescale == 0 {
        found.finding("the chapter track has timescale 0; ignored".into());
        return Ok(());
    }
    let starts = sample_starts(child(stbl, b"stts").unwrap_or(&[]));
    let places: Vec<(u64, u64)> = samples(stbl)
        .map(|s| s.take(MAX_CHAPTERS + 1).collect())
        .unwrap_or_default();
    for (i, (&start, &(offset, size))) in starts.iter().zip(&places).enumerate() {
        if i > MAX_CHAPTERS {
            break;
        }
        let ms =
            u64::try_from(u128::from(start) * 1000 / u128::from(timescale)).unwrap_or(u64::MAX);
        let want = size.min(2 + 1024) as usize;
        let Some(sample) = src.read_vec(offset, want)? else {
            found.finding(format!("chapter {} lies outside the file", i + 1));
            continue;
        };
        let len = sample
            .get(..2)
            .map_or(0, |l| usize::from(u16::from_be_bytes([l[0], l[1]])));
        let title = sample
            .get(2..2 + len.min(sample.len().saturating_sub(2)))
            .unwrap_or(&[]);
        found.push(None, chapter(ms, title));
    }
    Ok(())
}

/// Start of each sample in media units, from `stts` (capped).
fn sample_starts(stts: &[u8]) -> Vec<u64> {
    let n = be32(stts, 4) as usize;
    let mut out = Vec::new();
    let mut t = 0u64;
    for e in stts.get(8..).unwrap_or(&[]).chunks_exact(8).take(n) {
        for _ in 0..be32(e, 0) {
            if out.len() > MAX_CHAPTERS {
                return out;
            }
            out.push(t);
            t = t.saturating_add(u64::from(be32(e, 4)));
        }
    }
    out
}

/// A chapter from a start and a title in UTF-8 (or UTF-16 with a BOM).
fn chapter(start_ms: u64, title: &[u8]) -> Chapter {
    let title = if title.starts_with(&[0xFE, 0xFF]) || title.starts_with(&[0xFF, 0xFE]) {
        let mut b = vec![1u8];
        b.extend_from_slice(title);
        crate::probe::id3::decode_text(&b)
    } else {
        String::from_utf8_lossy(title).trim().to_owned()
    };
    Chapter {
        start_ms,
        end_ms: None,
        title,
        url: None,
        image: None,
    }
}
