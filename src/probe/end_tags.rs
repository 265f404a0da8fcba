//! Tags at the end of MPEG audio and ADTS files: ID3v1, Lyrics3v2 and
//! APEv2, which must not be mistaken for audio.
//!
//! Follows ID3v1 (the 128-byte `TAG` trailer: title, artist, album as
//! fixed Latin-1 fields), Lyrics3 v2.00 (a block ending in a 6-digit size and
//! `LYRICS200`) and APEv2 (the 32-byte `APETAGEX` footer with the tag size
//! and a "has header" flag; wiki.hydrogenaud.io/index.php?title=APEv2_specification).
//! Only offsets are computed; ID3v1 text fills tags the ID3v2 tag left empty.

use super::source::{Fault, Source, le32};
use super::tags::{Tags, set_once};
use std::io::{Read, Seek};

/// Where the audio ends: `len` minus any ID3v1, Lyrics3v2 and APEv2 tags at
/// the end (in the order writers stack them). Fills `tags` from ID3v1 only
/// where the ID3v2 tag left gaps.
pub(crate) fn audio_end<R: Read + Seek>(
    src: &mut Source<R>,
    tags: &mut Tags,
) -> Result<u64, Fault> {
    let mut end = src.len();
    if end >= 128 {
        if let Some(v1) = src.exact(end - 128, 128)? {
            if v1.starts_with(b"TAG") {
                let field = |r: std::ops::Range<usize>| {
                    let s: String = v1[r]
                        .iter()
                        .take_while(|&&b| b != 0)
                        .map(|&b| char::from(b))
                        .collect();
                    s.trim().to_owned()
                };
                let (t, a, l) = (field(3..33), field(33..63), field(63..93));
                set_once(&mut tags.title, t);
                set_once(&mut tags.artist, a);
                set_once(&mut tags.album, l);
                end -= 128;
            }
        }
    }
    end = strip_lyrics3(src, end)?;
    strip_ape(src, end)
}

/// Removes a Lyrics3v2 block ending at `end` (`LYRICS200` after a 6-digit size).
fn strip_lyrics3<R: Read + Seek>(src: &mut Source<R>, end: u64) -> Result<u64, Fault> {
    if end < 15 {
        return Ok(end);
    }
    let Some(tail) = src.exact(end - 15, 15)? else {
        return Ok(end);
    };
    if &tail[6..] != b"LYRICS200" {
        return Ok(end);
    }
    let size: u64 = std::str::from_utf8(&tail[..6])
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Ok(end.saturating_sub(15 + size))
}

/// Removes an APEv2 tag whose 32-byte footer ends at `end`.
fn strip_ape<R: Read + Seek>(src: &mut Source<R>, end: u64) -> Result<u64, Fault> {
    if end < 32 {
        return Ok(end);
    }
    let Some(f) = src.exact(end - 32, 32)? else {
        return Ok(end);
    };
    if !f.starts_with(b"APETAGEX") {
        return Ok(end);
    }
    let size = u64::from(le32(f, 12));
    let header = if le32(f, 20) & 0x8000_0000 != 0 {
        32
    } else {
        0
    };
    Ok(end.saturating_sub(size + header))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn strips_id3v1_and_ape_at_the_end() {
        let mut data = vec![0u8; 100];
        data.extend(b"APETAGEX");
        data.extend([0xD0, 0x07, 0, 0, 32, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        data.extend([0u8; 8]);
        let mut v1 = b"TAGTitle".to_vec();
        v1.resize(128, 0);
        data.extend(v1);
        let mut src = Source::new(Cursor::new(data.clone()), data.len() as u64);
        let mut tags = Tags::default();
        assert_eq!(audio_end(&mut src, &mut tags).expect("reads"), 100);
        assert_eq!(tags.title.as_deref(), Some("Title"));
    }
}
