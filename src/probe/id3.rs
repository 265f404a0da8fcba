//! ID3v2 tags at the start of MPEG audio and ADTS: where the audio starts,
//! and the few tags a producer cares about.
//!
//! Follows the ID3v2.2/2.3/2.4 structure documents (id3.org: header with a
//! syncsafe size, optional extended header and footer, frames with 3- or
//! 4-byte ids; several tags may follow each other). Frame bodies other than
//! short text frames are skipped by offset, never read, so a cover of
//! several megabytes costs one seek. Tags at the end of the file live in
//! `end_tags`; frame walking in `mp3`.

use super::source::{Fault, Source, be32};
use super::tags::{Tags, set_once};
use std::io::{Read, Seek};

/// Text frames longer than this are not read (titles are short).
const MAX_TEXT: usize = 4096;

/// Total size of an ID3v2 tag starting with `head` (10+ bytes), header and
/// footer included; `None` if `head` is not an ID3v2 header.
pub(crate) fn v2_size(head: &[u8]) -> Option<u64> {
    if head.len() < 10 || &head[..3] != b"ID3" || !(2..=4).contains(&head[3]) {
        return None;
    }
    let size = syncsafe(&head[6..10])?;
    let footer = if head[5] & 0x10 != 0 { 10 } else { 0 };
    Some(10 + u64::from(size) + footer)
}

/// A 28-bit syncsafe integer (7 bits per byte); `None` if a high bit is set.
fn syncsafe(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, &x| {
        (x < 0x80).then_some((acc << 7) | u32::from(x))
    })
}

/// Skips every ID3v2 tag at `pos` (some files carry two), reading their
/// title, artist, album and cover into `tags`. Returns where the tags end.
pub(crate) fn skip_v2<R: Read + Seek>(
    src: &mut Source<R>,
    mut pos: u64,
    tags: &mut Tags,
) -> Result<u64, Fault> {
    while let Some(head) = src.exact(pos, 10)? {
        let Some(size) = v2_size(head) else { break };
        let (major, flags) = (head[3], head[5]);
        read_frames(src, pos, size, major, flags, tags)?;
        pos += size;
    }
    Ok(pos)
}

/// Walks the frames of one tag of `size` bytes at `tag`, skipping bodies.
fn read_frames<R: Read + Seek>(
    src: &mut Source<R>,
    tag: u64,
    size: u64,
    major: u8,
    flags: u8,
    tags: &mut Tags,
) -> Result<(), Fault> {
    let end = (tag + size).min(src.len());
    let mut pos = tag + 10;
    if flags & 0x40 != 0 {
        let Some(ext) = src.exact(pos, 4)? else {
            return Ok(());
        };
        pos += if major == 4 {
            u64::from(syncsafe(ext).unwrap_or(0))
        } else {
            4 + u64::from(be32(ext, 0))
        };
    }
    let head_len: u64 = if major == 2 { 6 } else { 10 };
    while pos + head_len <= end {
        let Some(h) = src.exact(pos, head_len as usize)? else {
            break;
        };
        let Some((id, body)) = frame_header(h, major) else {
            break;
        };
        let body_pos = pos + head_len;
        if body_pos + body > end {
            break;
        }
        let plain = major == 2 || be16_flags(h) & 0x00C0 == 0 && be16_flags(h) & 0x000C == 0;
        match id.as_str() {
            "CHAP" if plain && major > 2 => {
                super::chapters::id3::chap(src, body_pos, body, major, &mut tags.chapters)?;
            }
            "CTOC" if plain && major > 2 => {
                super::chapters::id3::ctoc(src, body_pos, body, &mut tags.chapters)?;
            }
            _ => read_frame(src, &id, body_pos, body, plain, tags)?,
        }
        pos = body_pos + body;
    }
    Ok(())
}

/// The two flag bytes of a v2.3/2.4 frame header (compression, encryption).
fn be16_flags(h: &[u8]) -> u16 {
    u16::from_be_bytes([h[8], h[9]])
}

/// Frame id (normalised to the v2.3 name) and body size; `None` at padding.
pub(crate) fn frame_header(h: &[u8], major: u8) -> Option<(String, u64)> {
    let id_len = if major == 2 { 3 } else { 4 };
    let id = &h[..id_len];
    if !id
        .iter()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    {
        return None;
    }
    let size = match major {
        2 => u32::from_be_bytes([0, h[3], h[4], h[5]]),
        3 => be32(h, 4),
        _ => syncsafe(&h[4..8]).unwrap_or_else(|| be32(h, 4)),
    };
    let id = String::from_utf8_lossy(id).into_owned();
    let id = match id.as_str() {
        "TT2" => "TIT2".to_owned(),
        "TP1" => "TPE1".to_owned(),
        "TAL" => "TALB".to_owned(),
        "PIC" => "APIC".to_owned(),
        _ => id,
    };
    Some((id, u64::from(size)))
}

/// Reads one frame body if it is one we report.
fn read_frame<R: Read + Seek>(
    src: &mut Source<R>,
    id: &str,
    pos: u64,
    size: u64,
    plain: bool,
    tags: &mut Tags,
) -> Result<(), Fault> {
    let slot = match id {
        "APIC" => {
            tags.has_cover = true;
            return Ok(());
        }
        "TIT2" => &mut tags.title,
        "TPE1" => &mut tags.artist,
        "TALB" => &mut tags.album,
        _ => return Ok(()),
    };
    if !plain || size == 0 || size > MAX_TEXT as u64 {
        return Ok(());
    }
    if let Some(body) = src.exact(pos, size as usize)? {
        set_once(slot, decode_text(body));
    }
    Ok(())
}

/// Decodes an ID3v2 text frame body (encoding byte, then text); the first
/// of several NUL-separated values.
pub(crate) fn decode_text(body: &[u8]) -> String {
    let Some((&enc, text)) = body.split_first() else {
        return String::new();
    };
    let s = match enc {
        0 => text.iter().map(|&b| char::from(b)).collect(),
        1 | 2 => utf16(text, enc == 2),
        _ => String::from_utf8_lossy(text).into_owned(),
    };
    s.split('\0').next().unwrap_or("").trim().to_owned()
}

/// UTF-16 with an optional byte-order mark (big-endian when `be` and none).
fn utf16(b: &[u8], mut be: bool) -> String {
    let mut b = b;
    if b.starts_with(&[0xFF, 0xFE]) {
        be = false;
        b = &b[2..];
    } else if b.starts_with(&[0xFE, 0xFF]) {
        be = true;
        b = &b[2..];
    }
    let units: Vec<u16> = b
        .chunks_exact(2)
        .map(|c| {
            if be {
                u16::from_be_bytes([c[0], c[1]])
            } else {
                u16::from_le_bytes([c[0], c[1]])
            }
        })
        .collect();
    String::from_utf16_lossy(&units)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn tag(frames: &[u8]) -> Vec<u8> {
        let n = frames.len() as u32;
        let mut v = b"ID3\x03\x00\x00".to_vec();
        v.extend([
            (n >> 21) as u8 & 0x7F,
            (n >> 14) as u8 & 0x7F,
            (n >> 7) as u8 & 0x7F,
            n as u8 & 0x7F,
        ]);
        v.extend_from_slice(frames);
        v
    }

    #[test]
    fn reads_v23_text_and_skips_a_large_cover() {
        let mut frames = b"TIT2\x00\x00\x00\x06\x00\x00\x00Hello".to_vec();
        frames.extend(b"APIC\x00\x10\x00\x00\x00\x00");
        frames.extend(vec![0u8; 0x10_0000]);
        let data = tag(&frames);
        let mut src = Source::new(Cursor::new(data.clone()), data.len() as u64);
        let mut tags = Tags::default();
        let end = skip_v2(&mut src, 0, &mut tags).expect("reads");
        assert_eq!(end, data.len() as u64);
        assert_eq!(tags.title.as_deref(), Some("Hello"));
        assert!(tags.has_cover);
    }

    #[test]
    fn decodes_utf16_with_bom() {
        assert_eq!(decode_text(b"\x01\xFF\xFEH\x00i\x00"), "Hi");
        assert_eq!(decode_text(b"\x03\xC3\xA5\x00rest"), "å");
    }
}
