//! MP3 (MPEG-1/2/2.5 audio) duration by walking every frame header.
//!
//! Never trusts a header alone: skips ID3v2 at the start and ID3v1/APEv2 at
//! the end (see `id3`), locks on to the first frame only when the following
//! headers confirm it, then hops from header to header without reading frame
//! bodies, counting complete frames. The Xing/Info frame's LAME encoder delay
//! and padding are applied only when its frame count agrees with the walk
//! (LAME technical specification, gabriel.mp3-tech.org/mp3infotag.html), so
//! a stale header from `cat` or a cut upload cannot shift the result.

use super::mp3_frame::{self, Frame, Xing};
use super::source::{Fault, Source};
use super::{Measured, Tags, end_tags, id3};
use super::{mp3_parallel, mp3_sampled};
use std::io::{Read, Seek};

/// How far to search for a frame when locking on or after losing sync.
const SEARCH: u64 = 1 << 20;
/// Headers that must follow a candidate frame before we believe it.
const CONFIRM: usize = 3;
/// Bytes to look at per frame: header plus enough for a Xing tag.
const PEEK: usize = 200;

/// Counts gathered by the frame walk.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Walk {
    /// Audio frames (not Xing/Info frames).
    pub frames: u64,
    /// Samples per channel in them.
    pub samples: u64,
    /// Their bytes.
    pub bytes: u64,
    /// Bytes between or after frames that are not audio.
    pub skipped: u64,
    /// Xing/Info frames found inside the stream.
    pub info_frames: u64,
    /// Bytes present of a final frame that runs past the end.
    pub truncated: Option<(u64, u32)>,
}

impl Walk {
    /// Adds the counts of the walk that follows this one.
    pub(crate) fn then(self, next: Walk) -> Walk {
        Walk {
            frames: self.frames + next.frames,
            samples: self.samples + next.samples,
            bytes: self.bytes + next.bytes,
            skipped: self.skipped + next.skipped,
            info_frames: self.info_frames + next.info_frames,
            truncated: next.truncated,
        }
    }
}

/// Measures an MPEG audio file.
pub(crate) fn probe<R: Read + Seek>(src: &mut Source<R>) -> Result<Measured, Fault> {
    let mut tags = Tags::default();
    let start = id3::skip_v2(src, 0, &mut tags)?;
    let end = end_tags::audio_end(src, &mut tags)?.max(start);
    let Some((first_pos, first)) = find_sync(src, start, end, start + SEARCH)? else {
        return Err(Fault::Unsupported("no MPEG audio frames found".into()));
    };
    let mut warnings = Vec::new();
    if first_pos > start {
        warnings.push(format!(
            "{} bytes of junk before the first MPEG frame",
            first_pos - start
        ));
    }
    let head = src.peek(first_pos, PEEK)?;
    let xing = mp3_frame::parse_xing(&first, head);
    let audio_pos = first_pos
        + if xing.is_some() {
            u64::from(first.len)
        } else {
            0
        };
    let sampled = match src.sampled() {
        true => mp3_sampled::walk(src, first_pos, audio_pos, end, &first, xing)?,
        false => None,
    };
    let walk = match sampled {
        Some(w) => w,
        None => mp3_parallel::walk(src, audio_pos, end, &first)?,
    };
    report_walk(&walk, &mut warnings);
    let samples = gapless(&walk, xing, &mut warnings);
    Ok(Measured {
        container: "mp3",
        codec: if first.layer == 3 {
            "mp3"
        } else if first.layer == 2 {
            "mp2"
        } else {
            "mp1"
        },
        mime: "audio/mpeg",
        sample_rate: first.sample_rate,
        channels: first.channels,
        samples,
        audio_bytes: walk.bytes,
        tags,
        warnings,
    })
}

/// First frame at or after `from` (before `limit`) confirmed by the next
/// headers, or by reaching `end` exactly.
pub(crate) fn find_sync<R: Read + Seek>(
    src: &mut Source<R>,
    from: u64,
    end: u64,
    limit: u64,
) -> Result<Option<(u64, Frame)>, Fault> {
    let mut pos = from;
    while pos + 4 <= end.min(limit.max(from + 4)) {
        let h = src.peek(pos, 4)?;
        if h.len() < 4 {
            break;
        }
        if h[0] == 0xFF {
            if let Some(f) = mp3_frame::parse(h) {
                if confirmed(src, pos, &f, end)? {
                    return Ok(Some((pos, f)));
                }
            }
        }
        pos += 1;
    }
    Ok(None)
}

/// Whether `CONFIRM` consistent headers follow the frame `f` at `pos`.
fn confirmed<R: Read + Seek>(
    src: &mut Source<R>,
    pos: u64,
    f: &Frame,
    end: u64,
) -> Result<bool, Fault> {
    let mut next = pos + u64::from(f.len);
    for _ in 0..CONFIRM {
        if next == end {
            return Ok(true);
        }
        let h = src.peek(next, 4)?;
        match mp3_frame::parse(h) {
            Some(g) if g.same_stream(f) => next += u64::from(g.len),
            _ => return Ok(false),
        }
    }
    Ok(true)
}

/// Hops from header to header from `pos` until the first frame starting at
/// or after `stop`, or `end`; returns the counts and where it stopped.
pub(crate) fn walk<R: Read + Seek>(
    src: &mut Source<R>,
    mut pos: u64,
    stop: u64,
    end: u64,
    first: &Frame,
) -> Result<(Walk, u64), Fault> {
    let mut w = Walk::default();
    while pos + 4 <= end {
        if pos >= stop {
            return Ok((w, pos));
        }
        let bytes = src.peek(pos, PEEK)?;
        match mp3_frame::parse(bytes).filter(|f| f.same_stream(first)) {
            Some(f) if pos + u64::from(f.len) > end => {
                w.truncated = Some((end - pos, f.len));
                return Ok((w, end));
            }
            Some(f) => {
                // A joined file's Info frame is silence, not audio.
                if mp3_frame::parse_xing(&f, bytes).is_some() {
                    w.info_frames += 1;
                } else {
                    w.frames += 1;
                    w.samples += u64::from(f.samples);
                    w.bytes += u64::from(f.len);
                }
                pos += u64::from(f.len);
            }
            None => match find_sync(src, pos + 1, end, pos + SEARCH)? {
                Some((p, _)) => {
                    w.skipped += p - pos;
                    pos = p;
                }
                None => {
                    w.skipped += end - pos;
                    return Ok((w, end));
                }
            },
        }
    }
    w.skipped += end.saturating_sub(pos);
    Ok((w, end))
}

/// Turns anomalies of the walk into warnings.
fn report_walk(w: &Walk, warnings: &mut Vec<String>) {
    if let Some((have, need)) = w.truncated {
        warnings.push(format!(
            "truncated: the last frame has {have} of its {need} bytes (cut upload or still being written?); \
             duration counts complete frames only"
        ));
    }
    if w.skipped > 0 {
        warnings.push(format!(
            "{} bytes of non-audio data between or after frames skipped",
            w.skipped
        ));
    }
    if w.info_frames > 0 {
        warnings.push(format!(
            "{} extra Xing/Info header(s) inside the stream: files joined together?",
            w.info_frames
        ));
    }
}

/// Samples a gapless player plays: the walk's count, minus the LAME delay and
/// padding when the Xing frame count agrees with the walk.
fn gapless(w: &Walk, xing: Option<Xing>, warnings: &mut Vec<String>) -> u64 {
    let Some(xing) = xing else { return w.samples };
    match xing.frames {
        Some(n) if u64::from(n) == w.frames => match xing.delay_padding {
            Some((d, p)) if u64::from(d + p) < w.samples => w.samples - u64::from(d + p),
            _ => w.samples,
        },
        Some(n) => {
            warnings.push(format!(
                "stale Xing header: it says {n} frames but the file has {}; encoder delay and padding not applied",
                w.frames
            ));
            w.samples
        }
        None => w.samples,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// `n` MPEG-1 layer III 128 kbit/s 44.1 kHz frames of 417 bytes.
    fn frames(n: usize) -> Vec<u8> {
        let mut one = vec![0u8; 417];
        one[..4].copy_from_slice(&[0xFF, 0xFB, 0x90, 0x64]);
        one.repeat(n)
    }

    fn run(data: Vec<u8>) -> Result<Measured, Fault> {
        let len = data.len() as u64;
        probe(&mut Source::new(Cursor::new(data), len))
    }

    #[test]
    fn counts_frames_after_junk_with_false_syncs() {
        let mut data = vec![0xFF, 0xFB, 0x90, 0x64, 1, 2, 3, 0xFF, 0xFF, 0xE0];
        data.extend(frames(10));
        let m = run(data).expect("probes");
        assert_eq!(m.samples, 11_520);
        assert!(
            m.warnings[0].contains("10 bytes of junk"),
            "{:?}",
            m.warnings
        );
    }

    #[test]
    fn truncated_last_frame_is_not_counted() {
        let mut data = frames(5);
        data.truncate(417 * 4 + 100);
        let m = run(data).expect("probes");
        assert_eq!(m.samples, 4 * 1152);
        assert!(m.warnings.iter().any(|w| w.contains("truncated")));
    }

    #[test]
    fn stale_xing_count_is_ignored() {
        let w = Walk {
            frames: 10,
            samples: 11_520,
            ..Walk::default()
        };
        let stale = Xing {
            frames: Some(20),
            bytes: None,
            delay_padding: Some((576, 1000)),
        };
        let mut warnings = Vec::new();
        assert_eq!(gapless(&w, Some(stale), &mut warnings), 11_520);
        assert_eq!(warnings.len(), 1);
        let good = Xing {
            frames: Some(10),
            ..stale
        };
        assert_eq!(gapless(&w, Some(good), &mut warnings), 11_520 - 1576);
    }

    #[test]
    fn no_frames_is_unsupported() {
        assert!(matches!(run(vec![0u8; 5000]), Err(Fault::Unsupported(_))));
    }
}
