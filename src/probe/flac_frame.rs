//! FLAC frame headers, and finding the stream's last complete frame from
//! the end of the file.
//!
//! Follows RFC 9639 §9.1 (frame header: 0xFFF8/0xFFF9 sync, block size and
//! sample rate codes, UTF-8-style coded frame or sample number, CRC-8) and
//! §9.3 (frame footer CRC-16). A candidate header counts only if its CRC-8
//! holds and an earlier header in the tail precedes it consistently; the
//! final frame is complete when its CRC-16 over the bytes to the end holds.

use super::flac::StreamInfo;
use super::source::{Fault, Source};
use std::io::{Read, Seek};

/// Tail window searched when STREAMINFO gives no maximum frame size.
const DEFAULT_WINDOW: u64 = 1 << 20;

/// A frame header found in the tail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LastFrame {
    /// First sample of the frame.
    pub first_sample: u64,
    /// Samples in the frame.
    pub block: u32,
    /// Whether the frame's CRC-16 holds over the bytes to the end.
    pub complete: bool,
}

impl LastFrame {
    /// Samples up to the end of the last complete frame.
    pub(crate) fn end_sample(&self) -> u64 {
        self.first_sample
            + if self.complete {
                u64::from(self.block)
            } else {
                0
            }
    }
}

/// A parsed header at some offset.
#[derive(Debug, Clone, Copy)]
struct Header {
    pos: u64,
    first_sample: u64,
    block: u32,
}

/// The last frame of the stream, from a tail window; `None` if none found.
pub(crate) fn find_last<R: Read + Seek>(
    src: &mut Source<R>,
    audio_start: u64,
    info: &StreamInfo,
) -> Result<Option<LastFrame>, Fault> {
    let window = if info.max_frame > 0 {
        2 * u64::from(info.max_frame) + 64
    } else {
        DEFAULT_WINDOW
    };
    let from = src.len().saturating_sub(window).max(audio_start);
    if from >= src.len() {
        return Ok(None);
    }
    let Some(tail) = src.read_vec(from, (src.len() - from) as usize)? else {
        return Ok(None);
    };
    let headers: Vec<Header> = (0..tail.len().saturating_sub(1))
        .filter(|&i| tail[i] == 0xFF && tail[i + 1] & 0xFE == 0xF8)
        .filter_map(|i| {
            parse(&tail[i..], info).map(|(first_sample, block)| Header {
                pos: i as u64,
                first_sample,
                block,
            })
        })
        .collect();
    for (k, h) in headers.iter().enumerate().rev() {
        let consistent = k == 0 && from == audio_start
            || headers[..k]
                .iter()
                .any(|p| p.first_sample + u64::from(p.block) == h.first_sample);
        if consistent {
            let body = tail.get(h.pos as usize..).unwrap_or(&[]);
            let complete = body.len() >= 2 && crc16(body) == 0;
            return Ok(Some(LastFrame {
                first_sample: h.first_sample,
                block: h.block,
                complete,
            }));
        }
    }
    Ok(None)
}

/// Parses a frame header at the start of `b`: (first sample, block size).
fn parse(b: &[u8], info: &StreamInfo) -> Option<(u64, u32)> {
    let variable = b.get(1)? & 1 == 1;
    let (bs_code, sr_code) = (b.get(2)? >> 4, b.get(2)? & 0x0F);
    if bs_code == 0 || sr_code == 15 || b.get(3)? & 1 != 0 || (b[3] >> 4) > 10 {
        return None;
    }
    let (number, mut pos) = coded_number(b, 4)?;
    let block = match bs_code {
        1 => 192,
        2..=5 => 576 << (bs_code - 2),
        6 => {
            pos += 1;
            u32::from(*b.get(pos - 1)?) + 1
        }
        7 => {
            pos += 2;
            u32::from(u16::from_be_bytes([*b.get(pos - 2)?, *b.get(pos - 1)?])) + 1
        }
        _ => 256 << (bs_code - 8),
    };
    pos += match sr_code {
        12 => 1,
        13 | 14 => 2,
        _ => 0,
    };
    if crc8(b.get(..pos)?) != *b.get(pos)? {
        return None;
    }
    let first = if variable {
        number
    } else {
        number * u64::from(info.block_size)
    };
    Some((first, block))
}

/// The UTF-8-style coded number at `at`; returns it and the offset after it.
fn coded_number(b: &[u8], at: usize) -> Option<(u64, usize)> {
    let lead = *b.get(at)?;
    let extra = match lead.leading_ones() {
        0 => 0,
        n @ 2..=7 => n as usize - 1,
        _ => return None,
    };
    let mut value = u64::from(lead & (0x7F >> extra));
    for i in 1..=extra {
        let c = *b.get(at + i)?;
        if c & 0xC0 != 0x80 {
            return None;
        }
        value = (value << 6) | u64::from(c & 0x3F);
    }
    Some((value, at + 1 + extra))
}

/// CRC-8, polynomial 0x07, as in the frame header.
fn crc8(b: &[u8]) -> u8 {
    b.iter().fold(0u8, |mut crc, &x| {
        crc ^= x;
        for _ in 0..8 {
            crc = if crc & 0x80 != 0 {
                (crc << 1) ^ 0x07
            } else {
                crc << 1
            };
        }
        crc
    })
}

/// CRC-16, polynomial 0x8005; 0 over a whole frame including its footer.
fn crc16(b: &[u8]) -> u16 {
    b.iter().fold(0u16, |mut crc, &x| {
        crc ^= u16::from(x) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x8005
            } else {
                crc << 1
            };
        }
        crc
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coded_numbers_decode() {
        assert_eq!(coded_number(&[0x05], 0), Some((5, 1)));
        assert_eq!(coded_number(&[0xC2, 0x80], 0), Some((128, 2)));
        assert_eq!(coded_number(&[0x80], 0), None);
    }

    #[test]
    fn crc8_matches_reference() {
        // RFC 9639 appendix example header (fixed block size 4096, 44.1 kHz).
        assert_eq!(crc8(b"123456789"), 0xF4);
        assert_eq!(crc16(b"123456789"), 0xFEE8);
    }
}
