//! Raw AAC in ADTS framing: duration by counting frames.
//!
//! Follows ISO/IEC 13818-7 §6.2 (adts_fixed_header / adts_variable_header:
//! 12-bit sync, layer 0, sampling-frequency index, channel configuration,
//! 13-bit frame length, raw data blocks per frame). Each raw data block
//! holds 1024 samples. ADTS carries no encoder delay, so the count includes
//! the encoder's priming and padding. Skips ID3 tags like `mp3` does.

use super::source::{Fault, Source};
use super::{Measured, Tags, id3};
use std::io::{Read, Seek};

/// How far past the ID3 tag to look for the first frame.
const SEARCH: u64 = 1 << 16;

/// Sample rates by sampling-frequency index.
const RATES: [u32; 13] = [
    96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
];

/// One parsed ADTS header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Header {
    sample_rate: u32,
    channels: u16,
    len: u32,
    samples: u32,
}

/// Parses a 7-byte ADTS header.
fn parse(h: &[u8]) -> Option<Header> {
    if h.len() < 7 || h[0] != 0xFF || h[1] & 0xF6 != 0xF0 {
        return None;
    }
    let sample_rate = *RATES.get(usize::from((h[2] >> 2) & 0x0F))?;
    let channels = u16::from(((h[2] & 1) << 2) | (h[3] >> 6));
    let len = (u32::from(h[3] & 3) << 11) | (u32::from(h[4]) << 3) | (u32::from(h[5]) >> 5);
    let header_len = if h[1] & 1 == 0 { 9 } else { 7 };
    if len < header_len {
        return None;
    }
    let samples = 1024 * (u32::from(h[6] & 3) + 1);
    Some(Header {
        sample_rate,
        channels,
        len,
        samples,
    })
}

/// Whether `h` starts with a plausible ADTS header (used by sniffing).
pub(crate) fn is_header(h: &[u8]) -> bool {
    parse(h).is_some()
}

/// Measures a raw ADTS stream.
pub(crate) fn probe<R: Read + Seek>(src: &mut Source<R>) -> Result<Measured, Fault> {
    let mut tags = Tags::default();
    let start = id3::skip_v2(src, 0, &mut tags)?;
    let end = id3::audio_end(src, &mut tags)?.max(start);
    let Some((mut pos, first)) = find_sync(src, start, end)? else {
        return Err(Fault::Unsupported("no ADTS frames found".into()));
    };
    let mut warnings = Vec::new();
    if pos > start {
        warnings.push(format!(
            "{} bytes of junk before the first ADTS frame",
            pos - start
        ));
    }
    let (mut samples, mut bytes) = (0u64, 0u64);
    while pos + 7 <= end {
        let Some(h) = parse(src.peek(pos, 7)?).filter(|h| h.sample_rate == first.sample_rate)
        else {
            warnings.push(format!(
                "{} bytes after the last ADTS frame ignored",
                end - pos
            ));
            break;
        };
        if pos + u64::from(h.len) > end {
            warnings.push(format!(
                "truncated: the last frame has {} of its {} bytes; duration counts complete frames only",
                end - pos,
                h.len
            ));
            break;
        }
        samples += u64::from(h.samples);
        bytes += u64::from(h.len);
        pos += u64::from(h.len);
    }
    Ok(Measured {
        container: "adts",
        codec: "aac",
        mime: "audio/aac",
        sample_rate: first.sample_rate,
        channels: first.channels,
        samples,
        audio_bytes: bytes,
        tags,
        warnings,
    })
}

/// First header within `SEARCH` of `from` that is followed by two more.
fn find_sync<R: Read + Seek>(
    src: &mut Source<R>,
    from: u64,
    end: u64,
) -> Result<Option<(u64, Header)>, Fault> {
    let mut pos = from;
    while pos + 7 <= end && pos < from + SEARCH {
        if let Some(h) = parse(src.peek(pos, 7)?) {
            let mut next = pos + u64::from(h.len);
            let mut ok = true;
            for _ in 0..2 {
                if next == end {
                    break;
                }
                match parse(src.peek(next, 7)?) {
                    Some(g) if g.sample_rate == h.sample_rate => next += u64::from(g.len),
                    _ => ok = false,
                }
                if !ok {
                    break;
                }
            }
            if ok {
                return Ok(Some((pos, h)));
            }
        }
        pos += 1;
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn frame(len: u16) -> Vec<u8> {
        let mut f = vec![0u8; usize::from(len)];
        let l = u32::from(len);
        f[..7].copy_from_slice(&[
            0xFF,
            0xF1,
            0x50,
            0x40 | (l >> 11) as u8,
            (l >> 3) as u8,
            ((l & 7) << 5) as u8 | 0x1F,
            0xFC,
        ]);
        f
    }

    #[test]
    fn counts_frames_and_ignores_a_cut_one() {
        let mut data: Vec<u8> = (0..4).flat_map(|_| frame(100)).collect();
        data.extend(&frame(100)[..50]);
        let len = data.len() as u64;
        let m = probe(&mut Source::new(Cursor::new(data), len)).expect("probes");
        assert_eq!((m.samples, m.sample_rate, m.channels), (4096, 44100, 1));
        assert!(m.warnings[0].contains("truncated"));
    }
}
