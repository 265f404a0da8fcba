//! MP3 duration without reading the whole file, for remote sources where
//! the frame walk (see `mp3`) would download every byte. Two cases are
//! measured from a few sampled places, each cross-checked so a lying header
//! falls back to the full walk rather than into a wrong duration:
//!
//! - a Xing/Info header with frame and byte counts, when the byte count is
//!   exactly the stream's length (a cut, joined or re-tagged file fails
//!   that) and frames at the middle and end are of the same stream;
//! - no such header, but a constant bit rate: the first frames, a frame in
//!   the middle and one at the end all have the first frame's bit rate.
//!   The frame count is the audio bytes over the nominal frame length
//!   (ISO 11172-3: `samples / 8 × bitrate / sample rate`), exact to a frame.
//!
//! Invariant: a `Some` answer's `frames` agrees with the Xing count when
//! there is one, so `gapless` applies the LAME delay and padding as usual.

use std::io::{Read, Seek};

use super::mp3::{Walk, find_sync};
use super::mp3_frame::{self, Frame, Xing};
use super::source::{Fault, Source};

/// Frames checked at the start of a constant-bit-rate stream.
const HEAD_FRAMES: usize = 16;
/// How far before a sampled place to look for a frame header.
const LOOK: u64 = 8 * 1024;

/// The walk's counts from samples, or `None` when the file must be walked.
pub(crate) fn walk<R: Read + Seek>(
    src: &mut Source<R>,
    first_pos: u64,
    audio_pos: u64,
    end: u64,
    first: &Frame,
    xing: Option<Xing>,
) -> Result<Option<Walk>, Fault> {
    let audio = end.saturating_sub(audio_pos);
    if audio < u64::from(first.len) * 64 {
        return Ok(None); // short: walking costs little
    }
    let frames = match xing {
        Some(Xing {
            frames: Some(n),
            bytes: Some(b),
            ..
        }) if u64::from(b) == end - first_pos => {
            if !same_stream_at(src, (audio_pos + end) / 2, end, first, None)?
                || !same_stream_at(src, end - LOOK, end, first, None)?
            {
                return Ok(None);
            }
            u64::from(n)
        }
        Some(_) => return Ok(None),
        None => match constant_bitrate(src, audio_pos, end, first)? {
            Some(n) => n,
            None => return Ok(None),
        },
    };
    Ok(Some(Walk {
        frames,
        samples: frames * u64::from(first.samples),
        bytes: audio,
        ..Walk::default()
    }))
}

/// Frames in a constant-bit-rate stream, if the samples show it is one.
fn constant_bitrate<R: Read + Seek>(
    src: &mut Source<R>,
    audio_pos: u64,
    end: u64,
    first: &Frame,
) -> Result<Option<u64>, Fault> {
    let mut pos = audio_pos;
    for _ in 0..HEAD_FRAMES {
        match mp3_frame::parse(src.peek(pos, 4)?) {
            Some(f) if f.same_stream(first) && f.bitrate == first.bitrate => {
                pos += u64::from(f.len)
            }
            _ => return Ok(None),
        }
    }
    for at in [(audio_pos + end) / 2, end - LOOK] {
        if !same_stream_at(src, at, end, first, Some(first.bitrate))? {
            return Ok(None);
        }
    }
    // audio × 8 × rate / (samples × bitrate), rounded to the nearest frame.
    let num = u128::from(end - audio_pos) * 8 * u128::from(first.sample_rate);
    let den = u128::from(first.samples) * u128::from(first.bitrate);
    if den == 0 {
        return Ok(None);
    }
    Ok(u64::try_from((num + den / 2) / den).ok())
}

/// Whether a confirmed frame of `first`'s stream (and `bitrate`, if given)
/// starts within [`LOOK`] bytes after `at`.
fn same_stream_at<R: Read + Seek>(
    src: &mut Source<R>,
    at: u64,
    end: u64,
    first: &Frame,
    bitrate: Option<u32>,
) -> Result<bool, Fault> {
    let Some((_, f)) = find_sync(src, at, end, at + LOOK)? else {
        return Ok(false);
    };
    Ok(f.same_stream(first) && bitrate.is_none_or(|b| f.bitrate == b))
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::super::mp3;
    use super::super::source::Source;

    /// `n` MPEG-1 layer III 128 kbit/s 44.1 kHz frames as an encoder
    /// writes them: 417 bytes, padded to 418 often enough to keep the rate
    /// (144 × 128000 / 44100 = 417.96 bytes a frame on average).
    fn cbr(n: usize) -> Vec<u8> {
        let mut out = Vec::new();
        let mut owed = 0.0f64;
        for _ in 0..n {
            owed += 144.0 * 128_000.0 / 44_100.0;
            let padded = owed - out.len() as f64 >= 418.0;
            let mut frame = vec![0u8; if padded { 418 } else { 417 }];
            frame[..4].copy_from_slice(&[0xFF, 0xFB, if padded { 0x92 } else { 0x90 }, 0x64]);
            out.extend(frame);
        }
        out
    }

    fn both(data: &[u8]) -> (u64, u64) {
        let len = data.len() as u64;
        let full = mp3::probe(&mut Source::new(Cursor::new(data.to_vec()), len)).expect("full");
        let sampled = mp3::probe(&mut Source::new(Cursor::new(data.to_vec()), len).sampled_reads())
            .expect("sampled");
        (full.samples, sampled.samples)
    }

    #[test]
    fn constant_bitrate_gives_the_walks_answer() {
        let data = cbr(2000);
        let (full, sampled) = both(&data);
        assert_eq!(full, 2000 * 1152);
        assert_eq!(sampled, full);
    }

    #[test]
    fn a_bitrate_change_falls_back_to_the_walk() {
        let mut data = cbr(1000);
        // 160 kbit/s frames (522 bytes) in the second half: not CBR.
        let mut other = vec![0u8; 522];
        other[..4].copy_from_slice(&[0xFF, 0xFB, 0xA0, 0x64]);
        data.extend(other.repeat(1000));
        let (full, sampled) = both(&data);
        assert_eq!(full, 2000 * 1152);
        assert_eq!(
            sampled, full,
            "the sampled probe must not estimate a VBR file"
        );
    }

    /// A VBR stream: a Xing frame stating `frames` and `bytes`, then
    /// alternating 128 and 160 kbit/s frames.
    fn vbr(n: usize, frames: u32, bytes: Option<u32>) -> Vec<u8> {
        let mut xing = vec![0u8; 417];
        xing[..4].copy_from_slice(&[0xFF, 0xFB, 0x90, 0x64]);
        xing[36..40].copy_from_slice(b"Xing");
        xing[40..44].copy_from_slice(&3u32.to_be_bytes());
        xing[44..48].copy_from_slice(&frames.to_be_bytes());
        let mut body = Vec::new();
        for i in 0..n {
            let (len, b2) = if i % 2 == 0 { (417, 0x90) } else { (522, 0xA0) };
            let mut f = vec![0u8; len];
            f[..4].copy_from_slice(&[0xFF, 0xFB, b2, 0x64]);
            body.extend(f);
        }
        let total = bytes.unwrap_or((xing.len() + body.len()) as u32);
        xing[48..52].copy_from_slice(&total.to_be_bytes());
        xing.extend(body);
        xing
    }

    #[test]
    fn a_xing_header_whose_byte_count_matches_is_trusted() {
        let (full, sampled) = both(&vbr(2000, 2000, None));
        assert_eq!((full, sampled), (2000 * 1152, 2000 * 1152));
        // A header that lies about the frames but not the bytes is believed:
        // this is the one case the sampled probe cannot see (and the reason
        // it is used only where reading everything is the alternative).
        let (_, trusted) = both(&vbr(2000, 1990, None));
        assert_eq!(trusted, 1990 * 1152);
        // A byte count that does not match (cut or joined): walked in full.
        let (full, sampled) = both(&vbr(2000, 2100, Some(5)));
        assert_eq!((full, sampled), (2000 * 1152, 2000 * 1152));
    }
}
