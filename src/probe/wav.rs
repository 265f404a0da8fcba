//! WAV (RIFF WAVE and RF64): duration from the data size and block align.
//!
//! Follows the Microsoft RIFF/WAVE layout (`fmt ` chunk: format tag,
//! channels, sample rate, byte rate, block align; `data` chunk) and EBU Tech
//! 3306 (RF64 with a `ds64` chunk holding 64-bit sizes). Recorders and pipes
//! write 0xFFFFFFFF, 0x7FFFF000 or sizes past the end of the file, so the
//! data size is never taken beyond the bytes actually present.

use super::source::{Fault, Source, corrupt, le16, le32, le64};
use super::{Measured, Tags};
use std::io::{Read, Seek};

/// Chunks we look through before giving up on finding `data`.
const MAX_CHUNKS: usize = 64;

/// The `fmt ` fields we use.
#[derive(Debug, Default, Clone, Copy)]
struct Format {
    tag: u16,
    channels: u16,
    rate: u32,
    byte_rate: u32,
    block_align: u16,
}

/// Measures a WAV file.
pub(crate) fn probe<R: Read + Seek>(src: &mut Source<R>) -> Result<Measured, Fault> {
    let rf64 = src.peek(0, 4)? == b"RF64";
    let (mut fmt, mut ds64_data, mut fact) = (None, None, None);
    let mut pos = 12u64;
    for _ in 0..MAX_CHUNKS {
        let Some(h) = src.exact(pos, 8)? else { break };
        let (id, size) = (
            <[u8; 4]>::try_from(&h[..4]).unwrap_or_default(),
            u64::from(le32(h, 4)),
        );
        let body = pos + 8;
        match &id {
            b"fmt " => fmt = src.exact(body, 16)?.map(parse_fmt),
            b"ds64" => ds64_data = src.exact(body, 16)?.map(|b| le64(b, 8)),
            b"fact" => fact = src.exact(body, 4)?.map(|b| u64::from(le32(b, 0))),
            b"data" => {
                let Some(fmt) = fmt else {
                    return corrupt("the data chunk comes before any fmt chunk");
                };
                let declared = if rf64 && size == 0xFFFF_FFFF {
                    ds64_data.unwrap_or(size)
                } else {
                    size
                };
                return measure(src.len(), body, declared, fmt, fact);
            }
            _ => {}
        }
        pos = body + size + (size & 1);
    }
    corrupt("no data chunk found")
}

/// The `fmt ` chunk fields.
fn parse_fmt(b: &[u8]) -> Format {
    Format {
        tag: le16(b, 0),
        channels: le16(b, 2),
        rate: le32(b, 4),
        byte_rate: le32(b, 8),
        block_align: le16(b, 12),
    }
}

/// Samples in a data chunk at `body` declared as `declared` bytes.
fn measure(
    len: u64,
    body: u64,
    declared: u64,
    fmt: Format,
    fact: Option<u64>,
) -> Result<Measured, Fault> {
    if fmt.block_align == 0 || fmt.channels == 0 {
        return corrupt("fmt chunk has block align or channel count 0");
    }
    let present = len.saturating_sub(body);
    let mut warnings = Vec::new();
    let bytes = if declared > present || declared == 0 {
        warnings.push(format!(
            "data chunk declares {declared} bytes but {present} are present (streamed or truncated recording); using what is there"
        ));
        present
    } else {
        declared
    };
    // PCM, IEEE float, A-law, µ-law and WAVE_FORMAT_EXTENSIBLE are sample-aligned.
    let aligned = matches!(fmt.tag, 1 | 3 | 6 | 7 | 0xFFFE);
    let samples = match (aligned, fact) {
        (true, _) => bytes / u64::from(fmt.block_align),
        (false, Some(n)) if bytes == declared => n,
        (false, _) if fmt.byte_rate > 0 => {
            warnings.push(
                "compressed WAV without a usable fact chunk: duration estimated from the byte rate"
                    .into(),
            );
            bytes * u64::from(fmt.rate) / u64::from(fmt.byte_rate)
        }
        _ => return corrupt("compressed WAV with byte rate 0"),
    };
    Ok(Measured {
        container: "wav",
        codec: if aligned { "pcm" } else { "wav-compressed" },
        mime: "audio/wav",
        sample_rate: fmt.rate,
        channels: fmt.channels,
        samples,
        audio_bytes: bytes,
        tags: Tags::default(),
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn wav(data_size: u32, data_len: usize) -> Vec<u8> {
        let mut v = b"RIFF\xFF\xFF\xFF\xFFWAVEfmt \x10\0\0\0\x01\0\x02\0\x44\xAC\0\0\x10\xB1\x02\0\x04\0\x10\0data".to_vec();
        v.extend(data_size.to_le_bytes());
        v.extend(vec![0u8; data_len]);
        v
    }

    fn run(data: Vec<u8>) -> Result<Measured, Fault> {
        let len = data.len() as u64;
        probe(&mut Source::new(Cursor::new(data), len))
    }

    #[test]
    fn exact_size_divides_by_block_align() {
        let m = run(wav(4000, 4000)).expect("probes");
        assert_eq!((m.samples, m.channels, m.sample_rate), (1000, 2, 44100));
        assert!(m.warnings.is_empty());
    }

    #[test]
    fn streamed_sizes_are_capped_at_the_bytes_present() {
        for size in [0xFFFF_FFFF, 0x7FFF_F000, 0] {
            let m = run(wav(size, 4002)).expect("probes");
            assert_eq!(m.samples, 1000);
            assert_eq!(m.warnings.len(), 1);
        }
    }

    #[test]
    fn missing_fmt_is_corrupt() {
        assert!(matches!(
            run(b"RIFF\0\0\0\0WAVEdata\0\0\0\0".to_vec()),
            Err(Fault::Corrupt(_))
        ));
    }
}
