//! MPEG audio frame headers and the Xing/Info + LAME tag in the first frame.
//!
//! Follows ISO/IEC 11172-3 and 13818-3 (the 32-bit header: sync, version,
//! layer, bitrate and sample-rate indexes, padding, channel mode) with the
//! unofficial MPEG 2.5 extension, and the LAME technical specification
//! (gabriel.mp3-tech.org/mp3infotag.html) for the Xing/Info header and the
//! encoder delay and padding stored after it. Pure functions over bytes; the
//! walk over a file lives in `mp3`.

use super::source::be32;

/// One parsed frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Frame {
    /// 1 for MPEG-1, 2 for MPEG-2, 25 for MPEG-2.5.
    pub version: u8,
    /// Layer 1, 2 or 3.
    pub layer: u8,
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// 1 (mono) or 2.
    pub channels: u16,
    /// Samples per channel in this frame.
    pub samples: u32,
    /// Frame length in bytes, header included.
    pub len: u32,
    /// Bit rate in bit/s.
    pub bitrate: u32,
}

impl Frame {
    /// Whether `other` belongs to the same stream (same version, layer, rate).
    pub(crate) fn same_stream(&self, other: &Frame) -> bool {
        self.version == other.version
            && self.layer == other.layer
            && self.sample_rate == other.sample_rate
    }

    /// Offset of a Xing/Info tag from the frame start: after the side info.
    fn xing_offset(&self) -> usize {
        match (self.version == 1, self.channels == 1) {
            (true, false) => 36,
            (true, true) | (false, false) => 21,
            (false, true) => 13,
        }
    }
}

/// Bitrates in kbit/s by [table][index]; tables: V1 L1, V1 L2, V1 L3, V2 L1, V2 L2/L3.
const BITRATES: [[u16; 15]; 5] = [
    [
        0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448,
    ],
    [
        0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384,
    ],
    [
        0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
    ],
    [
        0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256,
    ],
    [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
];

/// Parses a 4-byte frame header; `None` for anything invalid, including
/// free-format bitrate (its frame length cannot be known from the header).
pub(crate) fn parse(h: &[u8]) -> Option<Frame> {
    if h.len() < 4 || h[0] != 0xFF || h[1] & 0xE0 != 0xE0 {
        return None;
    }
    let version = match (h[1] >> 3) & 3 {
        0 => 25,
        2 => 2,
        3 => 1,
        _ => return None,
    };
    let layer = match (h[1] >> 1) & 3 {
        1 => 3,
        2 => 2,
        3 => 1,
        _ => return None,
    };
    let br_index = usize::from(h[2] >> 4);
    let sr_index = usize::from((h[2] >> 2) & 3);
    if br_index == 0 || br_index == 15 || sr_index == 3 || h[3] & 3 == 2 {
        return None;
    }
    let table = match (version, layer) {
        (1, l) => usize::from(l) - 1,
        (_, 1) => 3,
        _ => 4,
    };
    let bitrate = u32::from(BITRATES[table][br_index]) * 1000;
    let base = [44100, 48000, 32000][sr_index];
    let sample_rate = match version {
        1 => base,
        2 => base / 2,
        _ => base / 4,
    };
    let pad = u32::from((h[2] >> 1) & 1);
    let (samples, len) = match (layer, version) {
        (1, _) => (384, (12 * bitrate / sample_rate + pad) * 4),
        (3, 2 | 25) => (576, 72 * bitrate / sample_rate + pad),
        _ => (1152, 144 * bitrate / sample_rate + pad),
    };
    let channels = if h[3] >> 6 == 3 { 1 } else { 2 };
    Some(Frame {
        version,
        layer,
        sample_rate,
        channels,
        samples,
        len,
        bitrate,
    })
}

/// What a Xing/Info frame says about the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Xing {
    /// Frame count, when the header carries one.
    pub frames: Option<u32>,
    /// Stream bytes (this frame included), when the header carries them.
    pub bytes: Option<u32>,
    /// LAME encoder delay and padding in samples, when a LAME tag is present.
    pub delay_padding: Option<(u32, u32)>,
}

/// Reads a Xing/Info header (and LAME extension) from the start of `frame`'s
/// bytes; `None` when the frame is ordinary audio.
pub(crate) fn parse_xing(frame: &Frame, bytes: &[u8]) -> Option<Xing> {
    let at = frame.xing_offset();
    let magic = bytes.get(at..at + 4)?;
    if magic != b"Xing" && magic != b"Info" {
        return None;
    }
    let flags = be32(bytes, at + 4);
    let mut pos = at + 8;
    let mut xing = Xing::default();
    if flags & 1 != 0 {
        xing.frames = Some(be32(bytes, pos));
        pos += 4;
    }
    if flags & 2 != 0 {
        xing.bytes = Some(be32(bytes, pos));
        pos += 4;
    }
    pos += if flags & 4 != 0 { 100 } else { 0 };
    pos += if flags & 8 != 0 { 4 } else { 0 };
    xing.delay_padding = lame_delay(bytes.get(pos..pos + 24).unwrap_or(&[]));
    Some(xing)
}

/// Encoder delay and padding from a LAME tag (written by LAME and by
/// FFmpeg's `Lavc`/`Lavf`): 12 + 12 bits, 21 bytes after the version string.
fn lame_delay(tag: &[u8]) -> Option<(u32, u32)> {
    if tag.len() < 24
        || !(tag.starts_with(b"LAME") || tag.starts_with(b"Lav") || tag.starts_with(b"L3.99"))
    {
        return None;
    }
    let d = &tag[21..24];
    let delay = (u32::from(d[0]) << 4) | (u32::from(d[1]) >> 4);
    let padding = ((u32::from(d[1]) & 0x0F) << 8) | u32::from(d[2]);
    Some((delay, padding))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_mpeg1_layer3_128k() {
        let f = parse(&[0xFF, 0xFB, 0x90, 0x64]).expect("valid header");
        assert_eq!(
            (f.version, f.layer, f.sample_rate, f.channels),
            (1, 3, 44100, 2)
        );
        assert_eq!((f.samples, f.len), (1152, 417));
    }

    #[test]
    fn parses_mpeg25_mono() {
        let f = parse(&[0xFF, 0xE3, 0x10, 0xC4]).expect("valid header");
        assert_eq!(
            (f.version, f.sample_rate, f.channels, f.samples),
            (25, 11025, 1, 576)
        );
    }

    #[test]
    fn rejects_free_format_and_reserved_values() {
        assert!(parse(&[0xFF, 0xFB, 0x00, 0x64]).is_none());
        assert!(parse(&[0xFF, 0xFB, 0xF0, 0x64]).is_none());
        assert!(parse(&[0xFF, 0xFB, 0x9C, 0x64]).is_none());
        assert!(parse(&[0xFF, 0xE9, 0x90, 0x64]).is_none());
        assert!(parse(&[0xFF, 0xFB]).is_none());
    }

    #[test]
    fn reads_lame_delay_and_padding() {
        let mut tag = b"LAME3.100".to_vec();
        tag.resize(21, 0);
        tag.extend([0x24, 0x02, 0x1C]);
        assert_eq!(lame_delay(&tag), Some((576, 540)));
    }
}
