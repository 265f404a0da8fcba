//! M4A/MP4 audio: duration from the sample tables minus encoder priming.
//!
//! Follows ISO/IEC 14496-12 (`mvhd`/`mdhd` timescales, `stts` sample
//! durations, `stsz` sizes, `elst` edit list) and Apple's conventions for
//! gapless AAC: the edit list's media time is the priming to skip and its
//! segment duration the playable length; without an edit list, the
//! `iTunSMPB` freeform tag (priming, padding, original length in hex).
//! Tags come from `moov/udta/meta/ilst` (Apple's iTunes metadata atoms).
//! `moov` may sit before or after `mdat` (see `mp4_boxes`).

use super::mp4_boxes::{child, children, path, read_moov};
use super::source::{Fault, Source, be16, be32, be64, corrupt};
use super::tags::set_once;
use super::{Measured, Tags};
use super::{mp4_esds, mp4_present};
use std::io::{Read, Seek};

/// What one audio track's tables say.
#[derive(Debug, Default, Clone, Copy)]
struct Track {
    codec: &'static str,
    timescale: u32,
    sample_rate: u32,
    channels: u16,
    /// Sum of `stts` durations, in `timescale` units.
    units: u64,
    /// Sum of `stsz` sample sizes.
    bytes: u64,
    /// First non-empty edit: (media time, segment duration in movie units).
    edit: Option<(u64, u64)>,
    /// For a cut file: (units, samples, of total samples) actually present.
    present: Option<(u64, u64, u64)>,
}

/// Measures an MP4 file.
pub(crate) fn probe<R: Read + Seek>(src: &mut Source<R>) -> Result<Measured, Fault> {
    let moov = read_moov(src)?;
    let movie_ts = child(&moov, b"mvhd").map_or(0, |m| {
        if m.first() == Some(&1) {
            be32(m, 20)
        } else {
            be32(m, 12)
        }
    });
    let has_video = children(&moov).any(|(k, t)| &k == b"trak" && handler(t) == Some(*b"vide"));
    let Some(track) = children(&moov)
        .filter(|(k, _)| k == b"trak")
        .find_map(|(_, t)| audio_track(t, src.len()))
    else {
        return Err(Fault::Unsupported("MP4 file without an audio track".into()));
    };
    if track.timescale == 0 {
        return corrupt("audio track has timescale 0");
    }
    let mut tags = Tags::default();
    let smpb = read_ilst(&moov, &mut tags);
    super::chapters::mp4::read(&moov, src, &mut tags.chapters)?;
    let mut warnings = Vec::new();
    let units = match track.present {
        Some((units, have, total)) => {
            warnings.push(format!(
                "truncated: the file holds {have} of its {total} audio frames; duration counts complete frames only"
            ));
            units.saturating_sub(track.edit.map_or(0, |(start, _)| start))
        }
        None => playable_units(&track, movie_ts, smpb, &mut warnings),
    };
    let rate = if track.sample_rate > 0 {
        track.sample_rate
    } else {
        track.timescale
    };
    let samples = (u128::from(units) * u128::from(rate) / u128::from(track.timescale)) as u64;
    Ok(Measured {
        container: "mp4",
        codec: track.codec,
        mime: if has_video { "video/mp4" } else { "audio/mp4" },
        sample_rate: rate,
        channels: track.channels,
        samples,
        audio_bytes: track.bytes,
        tags,
        warnings,
    })
}

/// Playable length in media units: after the edit list's priming, or
/// `iTunSMPB`'s, or the whole table.
fn playable_units(
    t: &Track,
    movie_ts: u32,
    smpb: Option<(u64, u64, u64)>,
    warnings: &mut Vec<String>,
) -> u64 {
    if let Some((start, segment)) = t.edit {
        let after = t.units.saturating_sub(start);
        if segment == 0 || movie_ts == 0 {
            return after;
        }
        // The segment is in movie units, often 1/1000 s, which FFmpeg rounds
        // down: within one movie unit the table is the exact figure, beyond
        // that the segment trims real padding.
        let (ts, movie) = (u128::from(t.timescale), u128::from(movie_ts));
        let seg = u64::try_from(u128::from(segment) * ts / movie).unwrap_or(u64::MAX);
        let unit = ts.div_ceil(movie) as u64;
        return if seg.saturating_add(unit) < after {
            seg
        } else {
            after
        };
    }
    if let Some((priming, padding, length)) = smpb {
        if length > 0 && priming.saturating_add(length) <= t.units {
            return length;
        }
        warnings.push("iTunSMPB disagrees with the sample table; priming and padding removed from the table length".into());
        return t.units.saturating_sub(priming.saturating_add(padding));
    }
    t.units
}

/// The handler type of a `trak`.
fn handler(trak: &[u8]) -> Option<[u8; 4]> {
    let h = path(trak, &[b"mdia", b"hdlr"])?;
    h.get(8..12)?.try_into().ok()
}

/// Reads an audio `trak`; `None` for other tracks.
fn audio_track(trak: &[u8], len: u64) -> Option<Track> {
    if handler(trak)? != *b"soun" {
        return None;
    }
    let mdia = child(trak, b"mdia")?;
    let mdhd = child(mdia, b"mdhd")?;
    let timescale = if mdhd.first() == Some(&1) {
        be32(mdhd, 20)
    } else {
        be32(mdhd, 12)
    };
    let stbl = path(mdia, &[b"minf", b"stbl"])?;
    let entry = child(stbl, b"stsd").and_then(|s| s.get(8..))?;
    let esds = entry
        .get(36..)
        .and_then(|b| child(b, b"esds"))
        .and_then(mp4_esds::parse);
    let codec = match entry.get(4..8)? {
        b"mp4a" if esds.is_some_and(|c| c.object_type == 0x6B || c.object_type == 0x69) => "mp3",
        b"mp4a" => "aac",
        b"alac" => "alac",
        b"Opus" => "opus",
        b"fLaC" => "flac",
        b"ac-3" => "ac3",
        b"ec-3" => "eac3",
        _ => "unknown",
    };
    // Saturating: two entries of 2^32-1 samples of 2^32-1 units overflow a
    // u64 (found by the fuzzer); such a table is absurd, not a crash.
    let stts = child(stbl, b"stts").unwrap_or(&[]);
    let units = table(stts, 8)
        .map(|e| u64::from(be32(e, 0)) * u64::from(be32(e, 4)))
        .fold(0u64, u64::saturating_add);
    Some(Track {
        codec,
        timescale,
        sample_rate: u32::from(be16(entry, 32)),
        channels: esds
            .and_then(|c| c.channels)
            .unwrap_or_else(|| be16(entry, 24)),
        units,
        bytes: sample_bytes(child(stbl, b"stsz").unwrap_or(&[])),
        edit: path(trak, &[b"edts", b"elst"]).and_then(first_edit),
        present: mp4_present::truncated_units(stbl, len),
    })
}

/// Entries of a full-box table (version/flags, u32 count, entries of `size`).
fn table(b: &[u8], size: usize) -> impl Iterator<Item = &[u8]> {
    let count = be32(b, 4) as usize;
    b.get(8..).unwrap_or(&[]).chunks_exact(size).take(count)
}

/// Total bytes in an `stsz` table.
fn sample_bytes(stsz: &[u8]) -> u64 {
    let (fixed, count) = (u64::from(be32(stsz, 4)), u64::from(be32(stsz, 8)));
    if fixed > 0 {
        return fixed * count;
    }
    let entries = stsz
        .get(12..)
        .unwrap_or(&[])
        .chunks_exact(4)
        .take(count as usize);
    entries.map(|e| u64::from(be32(e, 0))).sum()
}

/// The first edit with a media time (empty edits are -1): (media time, segment duration).
fn first_edit(elst: &[u8]) -> Option<(u64, u64)> {
    let v1 = elst.first() == Some(&1);
    let size = if v1 { 20 } else { 12 };
    table(elst, size).find_map(|e| {
        let (segment, time) = if v1 {
            (be64(e, 0), be64(e, 8) as i64)
        } else {
            (u64::from(be32(e, 0)), i64::from(be32(e, 4) as i32))
        };
        u64::try_from(time).ok().map(|t| (t, segment))
    })
}

/// Reads title, artist, album and cover from `ilst`; returns `iTunSMPB`.
fn read_ilst(moov: &[u8], tags: &mut Tags) -> Option<(u64, u64, u64)> {
    let meta = path(moov, &[b"udta", b"meta"]).or_else(|| child(moov, b"meta"))?;
    let ilst = child(meta.get(4..)?, b"ilst")?;
    let mut smpb = None;
    for (kind, item) in children(ilst) {
        let data = child(item, b"data").and_then(|d| d.get(8..)).unwrap_or(&[]);
        let text = || String::from_utf8_lossy(data).into_owned();
        match &kind {
            b"\xA9nam" => set_once(&mut tags.title, text()),
            b"\xA9ART" => set_once(&mut tags.artist, text()),
            b"\xA9alb" => set_once(&mut tags.album, text()),
            b"covr" => tags.has_cover = true,
            b"----" if child(item, b"name").and_then(|n| n.get(4..)) == Some(b"iTunSMPB") => {
                smpb = parse_smpb(&text());
            }
            _ => {}
        }
    }
    smpb
}

/// `iTunSMPB`: " 00000000 PRIMING PADDING LENGTH ..." in hex.
fn parse_smpb(s: &str) -> Option<(u64, u64, u64)> {
    let f: Vec<u64> = s
        .split_whitespace()
        .take(4)
        .filter_map(|x| u64::from_str_radix(x, 16).ok())
        .collect();
    match f[..] {
        [_, priming, padding, length] => Some((priming, padding, length)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smpb_parses_hex_fields() {
        let s = " 00000000 00000840 000001CA 0000000000046A2D 00000000";
        assert_eq!(parse_smpb(s), Some((0x840, 0x1CA, 0x46A2D)));
        assert_eq!(parse_smpb("junk"), None);
    }

    #[test]
    fn edit_list_removes_priming_and_padding() {
        let t = Track {
            timescale: 44100,
            units: 1024 + 145_373 + 900,
            edit: Some((1024, 3_297)),
            ..Track::default()
        };
        let mut w = Vec::new();
        // 3297 ms at 1/1000 s is 145_397.7 units: padding beyond that is cut.
        assert_eq!(playable_units(&t, 1000, None, &mut w), 145_397);
        // FFmpeg writes 3296 ms for 145_373 samples (3296.4 ms): the table wins.
        let ffmpeg = Track {
            units: 1024 + 145_373,
            edit: Some((1024, 3_296)),
            ..t
        };
        assert_eq!(playable_units(&ffmpeg, 1000, None, &mut w), 145_373);
        let exact = Track {
            units: 1024 + 145_373,
            ..t
        };
        assert_eq!(playable_units(&exact, 1000, None, &mut w), 145_373);
    }

    #[test]
    fn smpb_applies_without_an_edit_list() {
        let t = Track {
            timescale: 44100,
            units: 2112 + 1000 + 500,
            ..Track::default()
        };
        assert_eq!(
            playable_units(&t, 1000, Some((2112, 500, 1000)), &mut Vec::new()),
            1000
        );
    }
}
