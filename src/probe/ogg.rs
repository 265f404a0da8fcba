//! Ogg Vorbis, Ogg Opus and Ogg FLAC: duration from the last granule position.
//!
//! Reads the first two packets of the first logical stream (identification
//! and comment headers) from the start, and the last complete page of that
//! stream from the end (see `ogg_page`); nothing in between. Vorbis (Vorbis I
//! specification §4.2) counts granules in samples; Opus (RFC 7845 §4)
//! counts at 48 kHz and the playable length is the last granule minus the
//! pre-skip from `OpusHead`; Ogg FLAC (xiph.org "FLAC to Ogg mapping")
//! counts samples like Vorbis.

use super::ogg_page::{self, MAX_PAGE};
use super::source::{Fault, Source, be32, corrupt, le16, le32};
use super::tags::read_vorbis_comments;
use super::{Measured, Tags};
use std::io::{Read, Seek};

/// Bytes of header packets we collect (a comment packet may hold a cover).
const MAX_HEADER_BYTES: usize = 4 << 20;
/// Pages we read looking for the two header packets.
const MAX_HEADER_PAGES: usize = 512;

/// What the identification header says.
#[derive(Debug, Clone, Copy)]
struct Ident {
    codec: &'static str,
    sample_rate: u32,
    channels: u16,
    /// Samples to drop from the start (Opus pre-skip).
    skip: u64,
    /// Bytes before the comment block in the comment packet.
    comment_offset: usize,
}

/// Measures an Ogg file.
pub(crate) fn probe<R: Read + Seek>(src: &mut Source<R>) -> Result<Measured, Fault> {
    let (serial, packets, audio_start) = header_packets(src)?;
    let Some(first) = packets.first() else {
        return corrupt("no complete identification header packet");
    };
    let ident = identify(first)?;
    let mut tags = Tags::default();
    if let Some(comments) = packets.get(1).and_then(|p| p.get(ident.comment_offset..)) {
        read_vorbis_comments(comments, &mut tags);
    }
    let (last, cut) = ogg_page::last_page(src, serial)?;
    let Some(last) = last else {
        return corrupt("no complete page with a granule position");
    };
    let mut warnings = Vec::new();
    if cut {
        warnings.push(
            "truncated: the last Ogg page is incomplete; duration counts complete pages only"
                .into(),
        );
    } else if last.flags & 4 == 0 {
        warnings.push(
            "the last page has no end-of-stream flag: truncated or still being written?".into(),
        );
    }
    Ok(Measured {
        container: "ogg",
        codec: ident.codec,
        mime: "audio/ogg",
        sample_rate: ident.sample_rate,
        channels: ident.channels,
        samples: last.granule.saturating_sub(ident.skip),
        audio_bytes: src.len().saturating_sub(audio_start),
        tags,
        warnings,
    })
}

/// Reads the identification header packet.
fn identify(p: &[u8]) -> Result<Ident, Fault> {
    if p.starts_with(b"\x01vorbis") && p.len() >= 16 {
        let ident = Ident {
            codec: "vorbis",
            sample_rate: le32(p, 12),
            channels: u16::from(p[11]),
            skip: 0,
            comment_offset: 7,
        };
        return Ok(ident);
    }
    if p.starts_with(b"OpusHead") && p.len() >= 19 {
        let skip = u64::from(le16(p, 10));
        return Ok(Ident {
            codec: "opus",
            sample_rate: 48000,
            channels: u16::from(p[9]),
            skip,
            comment_offset: 8,
        });
    }
    if p.starts_with(b"\x7FFLAC") && p.len() >= 51 && &p[9..13] == b"fLaC" {
        let packed = u64::from(be32(p, 27)) << 32 | u64::from(be32(p, 31));
        let rate = (packed >> 44) as u32;
        let channels = ((packed >> 41) & 7) as u16 + 1;
        return Ok(Ident {
            codec: "flac",
            sample_rate: rate,
            channels,
            skip: 0,
            comment_offset: 4,
        });
    }
    let name: String = p
        .iter()
        .take(8)
        .filter(|b| b.is_ascii_graphic())
        .map(|&b| char::from(b))
        .collect();
    Err(Fault::Unsupported(format!(
        "Ogg stream with an unsupported codec ({name:?}); Vorbis, Opus and FLAC are supported"
    )))
}

/// The first logical stream's serial, its first two packets, and the offset
/// after the page that completed them.
fn header_packets<R: Read + Seek>(src: &mut Source<R>) -> Result<(u32, Vec<Vec<u8>>, u64), Fault> {
    let mut pos = 0u64;
    let (mut packets, mut current) = (Vec::new(), Vec::new());
    let mut serial = None;
    for _ in 0..MAX_HEADER_PAGES {
        let Some(page) = ogg_page::read(src, pos)? else {
            break;
        };
        let serial = *serial.get_or_insert(page.serial);
        let body_pos = pos + page.header_len();
        pos += page.len();
        if page.serial != serial {
            continue;
        }
        let body_len = (page.len() - page.header_len()) as usize;
        let Some(body) = src.read_vec(body_pos, body_len.min(MAX_PAGE as usize))? else {
            break;
        };
        let mut off = 0;
        for &l in &page.lacing {
            let seg = body.get(off..off + usize::from(l)).unwrap_or(&[]);
            if current.len() < MAX_HEADER_BYTES {
                current.extend_from_slice(seg);
            }
            off += usize::from(l);
            if l < 255 {
                packets.push(std::mem::take(&mut current));
                if packets.len() == 2 {
                    return Ok((serial, packets, pos));
                }
            }
        }
    }
    if !current.is_empty() {
        packets.push(current);
    }
    match serial {
        Some(s) => Ok((s, packets, pos)),
        None => corrupt("no Ogg page at the start"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opus_head_gives_pre_skip_at_48k() {
        let mut p = b"OpusHead\x01\x02".to_vec();
        p.extend(312u16.to_le_bytes());
        p.extend(44100u32.to_le_bytes());
        p.extend([0, 0, 0]);
        let i = identify(&p).expect("opus");
        assert_eq!(
            (i.codec, i.sample_rate, i.channels, i.skip),
            ("opus", 48000, 2, 312)
        );
    }

    #[test]
    fn speex_is_unsupported_by_name() {
        let err = identify(b"Speex   1.2").expect_err("unsupported");
        assert!(matches!(err, Fault::Unsupported(m) if m.contains("Speex")));
    }
}
