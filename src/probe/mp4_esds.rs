//! The `esds` box of an `mp4a` sample entry: which codec it really is and
//! how many channels it has.
//!
//! Follows ISO/IEC 14496-1 §7.2.6 (ES_Descriptor 0x03 holding a
//! DecoderConfigDescriptor 0x04 with the object type, holding a
//! DecoderSpecificInfo 0x05) and ISO/IEC 14496-3 §1.6.2.1
//! (AudioSpecificConfig: object type, sampling index, channel configuration).
//! Needed because FFmpeg and others write a channel count of 2 in the sample
//! entry whatever the stream holds.

/// What the decoder configuration says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Config {
    /// MPEG-4 object type indication (0x40 AAC, 0x6B/0x69 MP3).
    pub object_type: u8,
    /// Channels from the AudioSpecificConfig, when it names a count.
    pub channels: Option<u16>,
}

/// Reads the `esds` body (version/flags, then descriptors).
pub(crate) fn parse(esds: &[u8]) -> Option<Config> {
    let (tag, es, _) = descriptor(esds.get(4..)?)?;
    if tag != 0x03 || es.len() < 3 {
        return None;
    }
    let flags = es[2];
    let mut skip = 3;
    skip += if flags & 0x80 != 0 { 2 } else { 0 };
    if flags & 0x40 != 0 {
        skip += 1 + usize::from(*es.get(skip)?);
    }
    skip += if flags & 0x20 != 0 { 2 } else { 0 };
    let (tag, dc, _) = descriptor(es.get(skip..)?)?;
    if tag != 0x04 || dc.len() < 13 {
        return None;
    }
    let channels = descriptor(&dc[13..])
        .filter(|(t, _, _)| *t == 0x05)
        .and_then(|(_, asc, _)| asc_channels(asc));
    Some(Config {
        object_type: dc[0],
        channels,
    })
}

/// One descriptor: (tag, body, rest). Lengths use 7 bits per byte.
fn descriptor(b: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let tag = *b.first()?;
    let mut len = 0usize;
    let mut pos = 1;
    for _ in 0..4 {
        let c = *b.get(pos)?;
        pos += 1;
        len = (len << 7) | usize::from(c & 0x7F);
        if c & 0x80 == 0 {
            break;
        }
    }
    let body = b.get(pos..pos + len)?;
    Some((tag, body, &b[pos + len..]))
}

/// Channel configuration of an AudioSpecificConfig (1–6 channels, 7 = 8).
fn asc_channels(asc: &[u8]) -> Option<u16> {
    let bits = u32::from_be_bytes([*asc.first()?, *asc.get(1)?, *asc.get(2).unwrap_or(&0), 0]);
    let mut shift = 32 - 5;
    if (bits >> shift) & 0x1F == 31 {
        shift -= 6;
    }
    shift -= 4;
    if (bits >> shift) & 0x0F == 15 {
        return None;
    }
    let config = (bits >> (shift - 4)) & 0x0F;
    match config {
        1..=6 => Some(config as u16),
        7 => Some(8),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ffmpeg_mono_aac_config() {
        // version/flags, ES_Descriptor, DecoderConfig (AAC), ASC: AAC-LC 44.1 kHz mono.
        let esds = [
            0, 0, 0, 0, 0x03, 0x19, 0, 1, 0, 0x04, 0x11, 0x40, 0x15, 0, 0, 0, 0, 0, 0x5D, 0xC0, 0,
            0, 0x5D, 0xC0, 0x05, 0x02, 0x12, 0x08, 0x06, 0x01, 0x02,
        ];
        assert_eq!(
            parse(&esds),
            Some(Config {
                object_type: 0x40,
                channels: Some(1)
            })
        );
    }

    #[test]
    fn garbage_is_none() {
        assert_eq!(parse(&[0, 0, 0, 0, 0x03, 0xFF, 0xFF, 0xFF, 0x7F]), None);
        assert_eq!(parse(&[]), None);
    }
}
