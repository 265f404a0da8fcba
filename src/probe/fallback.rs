//! Containers the probe has no parser of its own for (AIFF, CAF,
//! Matroska/WebM), measured through symphonia's demuxers.
//!
//! Symphonia 0.6 reads these from their headers (AIFF `COMM` frame count,
//! CAF packet table, Matroska `Duration`), so the figure is the container's
//! claim, not a count: a warning says so. It runs inside the probe's
//! `catch_unwind` (its tracker records panics on corrupt input) and only on
//! local files, through an independent reader (see `positional`); it is not
//! used for MP3, MP4, Ogg, FLAC or WAV, where its durations are wrong (MP3
//! without Xing is extrapolated, MP4 edit-list priming and Opus pre-skip are
//! left in).

use super::media_source::Shared;
use super::source::{Fault, Source};
use super::{Measured, Tags};
use std::io::{Read, Seek};
use std::panic::{AssertUnwindSafe, catch_unwind};
use symphonia::core::codecs::CodecParameters;
use symphonia::core::formats::FormatOptions;
use symphonia::core::formats::probe::Hint;
use symphonia::core::io::{MediaSourceStream, MediaSourceStreamOptions};
use symphonia::core::meta::MetadataOptions;

/// Whether `head` is a container only symphonia reads.
pub(crate) fn handles(head: &[u8]) -> Option<&'static str> {
    match (head.get(..4)?, head.get(8..12)) {
        (b"FORM", Some(b"AIFF" | b"AIFC")) => Some("aiff"),
        (b"caff", _) => Some("caf"),
        (b"\x1A\x45\xDF\xA3", _) => Some("mkv"),
        _ => None,
    }
}

/// What symphonia says about the first audio track.
struct Found {
    rate: u32,
    channels: u16,
    samples: Option<u64>,
}

/// Measures through symphonia; `Unsupported` when the source cannot fork.
pub(crate) fn probe<R: Read + Seek>(
    src: &mut Source<R>,
    container: &'static str,
) -> Result<Measured, Fault> {
    let Some(fork) = src.fork() else {
        return Err(Fault::Unsupported(format!(
            "{container} is only probed in local files"
        )));
    };
    let shared = Shared::new(fork()?, src.len());
    // Symphonia 0.6.1 panics on some damaged headers (e.g. an AIFF with an
    // absurd channel count overflows in symphonia-format-riff): that is the
    // file's fault, not a probe bug, so it is reported as damage.
    let found =
        catch_unwind(AssertUnwindSafe(|| read_track(shared, container))).unwrap_or_else(|_| {
            Err(Fault::Corrupt(
                "symphonia crashed reading its headers; the file is probably damaged".into(),
            ))
        })?;
    // Symphonia 0.6's Matroska reader leaves both counts unset for WebM.
    let Some(samples) = found.samples else {
        return Err(Fault::Unsupported(format!(
            "{container}: no duration in the headers symphonia reads"
        )));
    };
    Ok(Measured {
        container,
        codec: "other",
        mime: match container {
            "aiff" => "audio/aiff",
            "caf" => "audio/x-caf",
            _ => "audio/webm",
        },
        sample_rate: found.rate,
        channels: found.channels,
        samples,
        audio_bytes: src.len(),
        tags: Tags::default(),
        warnings: vec![format!(
            "{container}: duration is the container header's claim (read with symphonia), not counted"
        )],
    })
}

/// Runs symphonia's probe and reads the first audio track.
fn read_track(shared: Shared, container: &str) -> Result<Found, Fault> {
    let mss = MediaSourceStream::new(Box::new(shared), MediaSourceStreamOptions::default());
    let reader = symphonia::default::get_probe()
        .probe(
            &Hint::new(),
            mss,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .map_err(|e| Fault::Corrupt(format!("symphonia cannot read it: {e}")))?;
    let no_audio = || Fault::Unsupported(format!("{container} file without an audio track"));
    let (track, params) = reader
        .tracks()
        .iter()
        .find_map(|t| match &t.codec_params {
            Some(CodecParameters::Audio(p)) => Some((t, p)),
            _ => None,
        })
        .ok_or_else(no_audio)?;
    let rate = params.sample_rate.unwrap_or(0);
    let from_duration = || {
        let time = track.time_base?.calc_duration(track.duration?)?;
        u64::try_from(time.as_nanos() * i128::from(rate) / 1_000_000_000).ok()
    };
    Ok(Found {
        rate,
        channels: params.channels.as_ref().map_or(0, |c| c.count() as u16),
        samples: track.num_frames.or_else(from_duration),
    })
}
