//! Ogg pages: header parsing, CRC check, and finding the last page of a
//! logical stream from the end of the file.
//!
//! Follows RFC 3533 (the Ogg encapsulation format): a 27-byte header with
//! `OggS`, header-type flags, 64-bit granule position, serial number,
//! sequence number and CRC-32 (polynomial 0x04C11DB7, computed with the CRC
//! field zeroed), then the segment (lacing) table and the body. Codec
//! headers are interpreted in `ogg`.

use super::source::{Fault, Source, le32, le64};
use std::io::{Read, Seek};

/// Largest possible page: 27-byte header, 255 lacing values, 255 × 255 body.
pub(crate) const MAX_PAGE: u64 = 27 + 255 + 255 * 255;
/// Granule position meaning "no packet ends on this page".
pub(crate) const NO_GRANULE: u64 = u64::MAX;

/// A page header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Page {
    /// Header-type flags (0x04: end of stream).
    pub flags: u8,
    /// Granule position.
    pub granule: u64,
    /// Logical stream serial number.
    pub serial: u32,
    /// Lacing values.
    pub lacing: Vec<u8>,
}

impl Page {
    /// Header length: 27 bytes plus the lacing table.
    pub(crate) fn header_len(&self) -> u64 {
        27 + self.lacing.len() as u64
    }

    /// Whole page length.
    pub(crate) fn len(&self) -> u64 {
        self.header_len() + self.lacing.iter().map(|&l| u64::from(l)).sum::<u64>()
    }
}

/// Parses a page header at the start of `b` (which must hold the lacing table).
pub(crate) fn parse(b: &[u8]) -> Option<Page> {
    if b.len() < 27 || &b[..4] != b"OggS" || b[4] != 0 {
        return None;
    }
    let segments = usize::from(b[26]);
    let lacing = b.get(27..27 + segments)?.to_vec();
    Some(Page {
        flags: b[5],
        granule: le64(b, 6),
        serial: le32(b, 14),
        lacing,
    })
}

/// Reads the page header at `pos`, if there is one.
pub(crate) fn read<R: Read + Seek>(src: &mut Source<R>, pos: u64) -> Result<Option<Page>, Fault> {
    Ok(parse(src.peek(pos, 27 + 255)?))
}

/// The last page of stream `serial` that is complete, CRC-valid and ends a
/// packet; plus whether an incomplete page follows it (a cut file).
pub(crate) fn last_page<R: Read + Seek>(
    src: &mut Source<R>,
    serial: u32,
) -> Result<(Option<Page>, bool), Fault> {
    let len = src.len();
    let mut end = len;
    let mut cut = false;
    while end > 0 {
        let from = end.saturating_sub(MAX_PAGE);
        let Some(tail) = src.read_vec(from, (len.min(end + MAX_PAGE) - from) as usize)? else {
            break;
        };
        let limit = (end - from) as usize;
        for i in (0..limit.min(tail.len())).rev() {
            if !tail[i..].starts_with(b"OggS") {
                continue;
            }
            let Some(page) = parse(&tail[i..]) else {
                continue;
            };
            let Some(bytes) = tail.get(i..i + page.len() as usize) else {
                cut |= from + i as u64 + page.len() > len;
                continue;
            };
            if crc_ok(bytes) && page.serial == serial && page.granule != NO_GRANULE {
                return Ok((Some(page), cut));
            }
        }
        end = from;
    }
    Ok((None, cut))
}

/// Whether a whole page's CRC-32 holds.
fn crc_ok(page: &[u8]) -> bool {
    let mut crc = 0u32;
    for (i, &b) in page.iter().enumerate() {
        let b = if (22..26).contains(&i) { 0 } else { b };
        crc ^= u32::from(b) << 24;
        for _ in 0..8 {
            crc = if crc & 0x8000_0000 != 0 {
                (crc << 1) ^ 0x04C1_1DB7
            } else {
                crc << 1
            };
        }
    }
    crc == le32(page, 22)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_lengths_add_up() {
        let mut b = b"OggS\0\x04".to_vec();
        b.extend(1234u64.to_le_bytes());
        b.extend([7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 255, 10]);
        let p = parse(&b).expect("valid header");
        assert_eq!(
            (p.granule, p.serial, p.header_len(), p.len()),
            (1234, 7, 29, 294)
        );
        assert!(parse(&b[..28]).is_none());
    }
}
