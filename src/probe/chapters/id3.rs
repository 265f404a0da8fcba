//! ID3v2 chapter frames (id3.org, "ID3v2 Chapter Frame Addendum" 1.0):
//! `CHAP` = element id, start and end in ms, byte offsets, then sub-frames
//! (`TIT2` title, `WXXX` link, `APIC` image); `CTOC` = element id, flags,
//! child element ids. Bodies are read through the probe's window with
//! caps, and an image sub-frame is noted by its header, never read.

use std::io::{Read, Seek};

use super::{Chapter, Found, ImageRef};
use crate::probe::id3::{decode_text, frame_header};
use crate::probe::source::{Fault, Source, be32};

/// Longest element id read (the addendum sets none; tools use a few bytes).
const MAX_ID: usize = 256;
/// Longest title or link sub-frame read.
const MAX_TEXT: u64 = 4096;

/// Reads a `CHAP` frame body of `size` bytes at `pos` in a v2.`major` tag.
pub(crate) fn chap<R: Read + Seek>(
    src: &mut Source<R>,
    pos: u64,
    size: u64,
    major: u8,
    found: &mut Found,
) -> Result<(), Fault> {
    let head = src.peek(pos, (size as usize).min(MAX_ID + 17))?.to_vec();
    let Some(nul) = head.iter().position(|&b| b == 0) else {
        found.finding("a CHAP frame has no element id; ignored".into());
        return Ok(());
    };
    let Some(times) = head.get(nul + 1..nul + 17) else {
        found.finding("a CHAP frame is too short for its times; ignored".into());
        return Ok(());
    };
    let id = String::from_utf8_lossy(&head[..nul]).into_owned();
    let (start, end) = (be32(times, 0), be32(times, 4));
    let mut chapter = Chapter {
        start_ms: u64::from(start),
        end_ms: (end != u32::MAX && end > start).then_some(u64::from(end)),
        title: String::new(),
        url: None,
        image: None,
    };
    sub_frames(src, pos + nul as u64 + 17, pos + size, major, &mut chapter)?;
    found.push(Some(id), chapter);
    Ok(())
}

/// Walks the sub-frames of a `CHAP` between `pos` and `end`.
fn sub_frames<R: Read + Seek>(
    src: &mut Source<R>,
    mut pos: u64,
    end: u64,
    major: u8,
    chapter: &mut Chapter,
) -> Result<(), Fault> {
    while pos + 10 <= end {
        let Some(h) = src.exact(pos, 10)? else { break };
        let Some((id, size)) = frame_header(h, major) else {
            break;
        };
        let body = pos + 10;
        if body + size > end {
            break;
        }
        let text = |src: &mut Source<R>| -> Result<Option<Vec<u8>>, Fault> {
            Ok(if size <= MAX_TEXT {
                src.read_vec(body, size as usize)?
            } else {
                None
            })
        };
        match id.as_str() {
            "TIT2" => chapter.title = text(src)?.map(|b| decode_text(&b)).unwrap_or_default(),
            "WXXX" => chapter.url = text(src)?.and_then(|b| user_link(&b)),
            "WOAR" | "WOAS" | "WORS" if chapter.url.is_none() => {
                chapter.url = text(src)?.map(|b| latin1(&b)).filter(|u| !u.is_empty());
            }
            "APIC" => chapter.image = picture(src, body, size)?,
            _ => {}
        }
        pos = body + size;
    }
    Ok(())
}

/// Largest chapter image published (Apple asks for chapter art of at most
/// a few hundred KB; anything bigger is not meant for a feed).
const MAX_IMAGE: u64 = 1024 * 1024;

/// Where the JPEG or PNG of an `APIC` body of `size` bytes at `pos` lies:
/// encoding, MIME type, picture type, description, then the data.
fn picture<R: Read + Seek>(
    src: &mut Source<R>,
    pos: u64,
    size: u64,
) -> Result<Option<ImageRef>, Fault> {
    let head = src.peek(pos, (size as usize).min(512))?.to_vec();
    let Some((&enc, rest)) = head.split_first() else {
        return Ok(None);
    };
    let Some(mime_end) = rest.iter().position(|&b| b == 0) else {
        return Ok(None);
    };
    let mime = String::from_utf8_lossy(&rest[..mime_end]).to_ascii_lowercase();
    let mime = match mime.as_str() {
        "image/jpeg" | "image/jpg" | "jpg" | "jpeg" => "image/jpeg",
        "image/png" | "png" => "image/png",
        _ => return Ok(None),
    };
    let Some(desc) = rest.get(mime_end + 2..) else {
        return Ok(None);
    };
    let desc_len = if enc == 1 || enc == 2 {
        desc.chunks(2).position(|c| c == [0, 0]).map(|i| i * 2 + 2)
    } else {
        desc.iter().position(|&b| b == 0).map(|i| i + 1)
    };
    let Some(desc_len) = desc_len else {
        return Ok(None);
    };
    let start = 1 + mime_end + 2 + desc_len;
    let bytes = size.saturating_sub(start as u64);
    Ok((bytes > 0 && bytes <= MAX_IMAGE).then(|| ImageRef {
        offset: pos + start as u64,
        bytes,
        mime: mime.to_owned(),
    }))
}

/// Reads a `CTOC` frame body: its id and children, kept to check them.
pub(crate) fn ctoc<R: Read + Seek>(
    src: &mut Source<R>,
    pos: u64,
    size: u64,
    found: &mut Found,
) -> Result<(), Fault> {
    let body = src.peek(pos, (size as usize).min(64 * 1024))?.to_vec();
    let Some(nul) = body.iter().position(|&b| b == 0) else {
        found.finding("a CTOC frame has no element id; ignored".into());
        return Ok(());
    };
    let id = String::from_utf8_lossy(&body[..nul]).into_owned();
    let count = body.get(nul + 2).copied().unwrap_or(0) as usize;
    let kids = body
        .get(nul + 3..)
        .unwrap_or(&[])
        .split(|&b| b == 0)
        .take(count)
        .map(|k| String::from_utf8_lossy(k).into_owned())
        .collect();
    found.toc(id, kids);
    Ok(())
}

/// The URL of a `WXXX` body: encoding, description (terminated per its
/// encoding), then the URL in ISO-8859-1.
fn user_link(b: &[u8]) -> Option<String> {
    let (&enc, rest) = b.split_first()?;
    let start = if enc == 1 || enc == 2 {
        rest.chunks(2)
            .position(|c| c == [0, 0])
            .map(|i| i * 2 + 2)?
    } else {
        rest.iter().position(|&x| x == 0)? + 1
    };
    Some(latin1(rest.get(start..)?)).filter(|u| !u.is_empty())
}

/// ISO-8859-1 text up to the first NUL, trimmed.
fn latin1(b: &[u8]) -> String {
    let s: String = b
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| char::from(c))
        .collect();
    s.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wxxx_skips_the_description_in_each_encoding() {
        assert_eq!(
            user_link(b"\x00desc\x00https://a.se/").as_deref(),
            Some("https://a.se/")
        );
        assert_eq!(
            user_link(b"\x01\xFF\xFEd\x00\x00\x00https://b.se/").as_deref(),
            Some("https://b.se/")
        );
        assert_eq!(user_link(b"\x03\x00"), None);
    }
}
