//! ISO base media file format boxes: finding `moov` in a file and walking
//! boxes inside it.
//!
//! Follows ISO/IEC 14496-12 §4.2 (box header: 32-bit size, 4-byte type,
//! 64-bit `largesize` when size is 1, "to the end of the file" when 0). The
//! top level is walked by offset so a `moov` after a large `mdat` costs two
//! small reads; only `moov` itself is read into memory. Interpreting the
//! boxes is `mp4`'s job.

use super::source::{Fault, Source, be32, be64, corrupt};
use std::io::{Read, Seek};

/// Largest `moov` we read into memory (sample tables of a long episode are
/// a few MB).
const MAX_MOOV: u64 = 256 << 20;
/// Top-level boxes we walk before giving up.
const MAX_TOP_BOXES: usize = 100_000;

/// Reads the `moov` box body from anywhere at the top level of the file.
pub(crate) fn read_moov<R: Read + Seek>(src: &mut Source<R>) -> Result<Vec<u8>, Fault> {
    let len = src.len();
    let mut pos = 0u64;
    for _ in 0..MAX_TOP_BOXES {
        let Some(h) = src.exact(pos, 8)? else { break };
        let kind = [h[4], h[5], h[6], h[7]];
        let (size, header) = match be32(h, 0) {
            0 => (len - pos, 8),
            1 => match src.exact(pos, 16)? {
                Some(h) => (be64(h, 8), 16),
                None => break,
            },
            s => (u64::from(s), 8),
        };
        if size < header {
            return corrupt(format!(
                "box `{}` at byte {pos} has an invalid size",
                name(&kind)
            ));
        }
        let end = pos.saturating_add(size);
        if &kind == b"moov" {
            if end > len {
                return corrupt("the moov box is cut off: the file is truncated");
            }
            if size > MAX_MOOV {
                return corrupt(format!(
                    "moov box of {size} bytes is larger than the probe reads"
                ));
            }
            return match src.read_vec(pos + header, (size - header) as usize)? {
                Some(body) => Ok(body),
                None => corrupt("the moov box is cut off: the file is truncated"),
            };
        }
        if end > len {
            return corrupt(format!(
                "no moov box, and `{}` runs past the end: the file is truncated or still being written",
                name(&kind)
            ));
        }
        pos = end;
    }
    corrupt("no moov box: the file is incomplete (still being written, or an upload cut short?)")
}

/// A box type as text for messages.
fn name(kind: &[u8; 4]) -> String {
    kind.iter()
        .map(|&b| {
            if b.is_ascii_graphic() {
                char::from(b)
            } else {
                '?'
            }
        })
        .collect()
}

/// The child boxes in `b` as (type, body) pairs; stops at the first
/// malformed header.
pub(crate) fn children(b: &[u8]) -> impl Iterator<Item = ([u8; 4], &[u8])> {
    let mut pos = 0usize;
    std::iter::from_fn(move || {
        let h = b.get(pos..pos + 8)?;
        let kind = [h[4], h[5], h[6], h[7]];
        let (size, header) = match be32(h, 0) {
            0 => (b.len() - pos, 8),
            1 => (usize::try_from(be64(b.get(pos..pos + 16)?, 8)).ok()?, 16),
            s => (s as usize, 8),
        };
        let body = b.get(pos + header..pos.checked_add(size)?)?;
        pos += size.max(header);
        Some((kind, body))
    })
}

/// The body of the first child of type `kind`.
pub(crate) fn child<'a>(b: &'a [u8], kind: &[u8; 4]) -> Option<&'a [u8]> {
    children(b).find(|(k, _)| k == kind).map(|(_, body)| body)
}

/// The body at the end of a path of first children, e.g. `[mdia, minf, stbl]`.
pub(crate) fn path<'a>(b: &'a [u8], kinds: &[&[u8; 4]]) -> Option<&'a [u8]> {
    kinds.iter().try_fold(b, |body, kind| child(body, kind))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn bx(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut v = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        v.extend(kind);
        v.extend(body);
        v
    }

    #[test]
    fn finds_moov_after_mdat() {
        let mut data = bx(b"ftyp", b"M4A ");
        data.extend(bx(b"mdat", &[0u8; 100_000]));
        data.extend(bx(b"moov", &bx(b"trak", b"x")));
        let len = data.len() as u64;
        let moov = read_moov(&mut Source::new(Cursor::new(data), len)).expect("found");
        assert_eq!(child(&moov, b"trak"), Some(&b"x"[..]));
    }

    #[test]
    fn missing_moov_is_corrupt() {
        let mut data = bx(b"ftyp", b"M4A ");
        data.extend(&bx(b"mdat", &[0u8; 100])[..50]);
        let len = data.len() as u64;
        let err = read_moov(&mut Source::new(Cursor::new(data), len)).expect_err("no moov");
        assert!(matches!(err, Fault::Corrupt(m) if m.contains("truncated")));
    }

    #[test]
    fn children_stop_at_bad_sizes() {
        let mut b = bx(b"abcd", b"12");
        b.extend([0, 0, 0, 4, b'x', b'y', b'z', b'w']);
        assert_eq!(children(&b).count(), 1);
    }
}
