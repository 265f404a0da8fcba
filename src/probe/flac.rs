//! Native FLAC: duration from STREAMINFO, checked against the last frame.
//!
//! Follows RFC 9639 (FLAC): metadata blocks after `fLaC` (STREAMINFO with a
//! 36-bit total sample count, VORBIS_COMMENT, PICTURE), then frames whose
//! headers carry the frame or sample number, a block size code and a CRC-8.
//! When STREAMINFO says 0 samples (streamed encoders) or the file is cut
//! short, the last complete frame found in the tail (see `flac_frame`)
//! gives the count. Metadata blocks we do not read are skipped by offset.

use super::flac_frame::{self, LastFrame};
use super::source::{Fault, Source, be32, corrupt};
use super::tags::read_vorbis_comments;
use super::{Measured, Tags};
use std::io::{Read, Seek};

/// Largest VORBIS_COMMENT block we read (covers live in PICTURE blocks).
const MAX_COMMENTS: usize = 1 << 20;

/// The STREAMINFO fields we use.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct StreamInfo {
    /// Fixed block size (max block size) of the stream.
    pub block_size: u32,
    /// Largest frame in bytes, 0 if unknown.
    pub max_frame: u32,
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// Channels.
    pub channels: u16,
    /// Total samples per channel, 0 if unknown.
    pub total: u64,
}

/// Measures a FLAC file.
pub(crate) fn probe<R: Read + Seek>(src: &mut Source<R>) -> Result<Measured, Fault> {
    let mut tags = Tags::default();
    let (info, audio_start) = read_metadata(src, &mut tags)?;
    let mut warnings = Vec::new();
    let last = flac_frame::find_last(src, audio_start, &info)?;
    let samples = reconcile(&info, last, &mut warnings);
    Ok(Measured {
        container: "flac",
        codec: "flac",
        mime: "audio/flac",
        sample_rate: info.sample_rate,
        channels: info.channels,
        samples,
        audio_bytes: src.len().saturating_sub(audio_start),
        tags,
        warnings,
    })
}

/// Chooses between STREAMINFO's total and the tail scan.
fn reconcile(info: &StreamInfo, last: Option<LastFrame>, warnings: &mut Vec<String>) -> u64 {
    match last {
        Some(l) if info.total == 0 => {
            warnings.push(
                "STREAMINFO has no sample count (streamed encode); counted from the last frame"
                    .into(),
            );
            if !l.complete {
                warnings.push(
                    "truncated: the last frame is incomplete; duration counts complete frames only"
                        .into(),
                );
            }
            l.end_sample()
        }
        Some(l) if !l.complete || l.end_sample() < info.total => {
            warnings.push(format!(
                "truncated: STREAMINFO says {} samples but complete frames hold {}",
                info.total,
                l.end_sample()
            ));
            l.end_sample()
        }
        _ => info.total,
    }
}

/// Reads the metadata blocks; returns STREAMINFO and where audio starts.
fn read_metadata<R: Read + Seek>(
    src: &mut Source<R>,
    tags: &mut Tags,
) -> Result<(StreamInfo, u64), Fault> {
    let mut pos = 4u64;
    let mut info = None;
    loop {
        let Some(h) = src.exact(pos, 4)? else {
            return corrupt("metadata blocks run past the end of the file");
        };
        let (last, kind, len) = (h[0] & 0x80 != 0, h[0] & 0x7F, be32(h, 0) & 0x00FF_FFFF);
        let body = pos + 4;
        match kind {
            0 => info = src.exact(body, 34)?.map(parse_streaminfo),
            4 if (len as usize) <= MAX_COMMENTS => {
                if let Some(b) = src.read_vec(body, len as usize)? {
                    read_vorbis_comments(&b, tags);
                }
            }
            6 => tags.has_cover = true,
            127 => return corrupt("invalid metadata block type 127"),
            _ => {}
        }
        pos = body + u64::from(len);
        if last {
            break;
        }
    }
    match info {
        Some(i) if i.sample_rate > 0 => Ok((i, pos)),
        _ => corrupt("no valid STREAMINFO block"),
    }
}

/// Parses the 34-byte STREAMINFO body.
fn parse_streaminfo(b: &[u8]) -> StreamInfo {
    let max_block = u32::from(u16::from_be_bytes([b[2], b[3]]));
    let max_frame = u32::from_be_bytes([0, b[7], b[8], b[9]]);
    let packed = u64::from(be32(b, 10)) << 32 | u64::from(be32(b, 14));
    StreamInfo {
        block_size: max_block,
        max_frame,
        sample_rate: (packed >> 44) as u32,
        channels: ((packed >> 41) & 7) as u16 + 1,
        total: packed & 0xF_FFFF_FFFF,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streaminfo_fields_unpack() {
        let mut b = [0u8; 34];
        b[2..4].copy_from_slice(&4096u16.to_be_bytes());
        // 22050 Hz, 1 channel, 16 bits, 72689 samples.
        let packed: u64 = (22050 << 44) | (15 << 36) | 72689;
        b[10..18].copy_from_slice(&packed.to_be_bytes());
        let i = parse_streaminfo(&b);
        assert_eq!(
            (i.block_size, i.sample_rate, i.channels, i.total),
            (4096, 22050, 1, 72689)
        );
    }

    #[test]
    fn zero_total_uses_the_scan() {
        let info = StreamInfo {
            total: 0,
            sample_rate: 8000,
            ..StreamInfo::default()
        };
        let last = LastFrame {
            first_sample: 8192,
            block: 100,
            complete: true,
        };
        let mut w = Vec::new();
        assert_eq!(reconcile(&info, Some(last), &mut w), 8292);
        assert_eq!(w.len(), 1);
    }
}
