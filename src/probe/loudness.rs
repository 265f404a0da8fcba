//! EBU R128 loudness of a whole file: integrated loudness, loudness range
//! and true peak, measured on the decoded audio.
//!
//! Decoding is symphonia's (MP3, AAC/M4A, Vorbis, FLAC, WAV); measuring is
//! the `ebur128` crate's (a port of libebur128, which follows ITU-R
//! BS.1770-4 and EBU Tech 3341/3342: K-weighting, 400 ms blocks overlapping
//! 75 %, −70 LUFS absolute and −10 LU relative gates, true peak by 4×
//! oversampling below 96 kHz). A file is decoded in one pass, packet by
//! packet, with loudness and true peak metered on two more threads
//! (`loudness_meter`, which states why that equals one meter), so memory
//! stays a few packets plus the meter's block history (8 bytes per 100 ms:
//! about 0.3 MB per hour). Long files are not cut into parts: an MP3's bit
//! reservoir and the overlapping blocks make a joined measurement differ
//! from a single pass; a batch is spread across cores file by file instead
//! (see `cli::probe`, `ingest::analysis`).
//!
//! Codecs symphonia cannot decode (Opus) give [`ProbeError::NoDecoder`],
//! never a number. Damage stops nothing that can be decoded: packets that
//! fail are skipped and counted, a truncated tail ends the measurement, a
//! decoder panic (symphonia has some on hostile input) is caught; each adds
//! a warning, and the figures are those of the audio that decoded.

use std::io::{Read, Seek};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use symphonia::core::codecs::audio::{AudioDecoder, AudioDecoderOptions};
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, FormatReader, TrackType};
use symphonia::core::io::{MediaSourceStream, MediaSourceStreamOptions};
use symphonia::core::meta::MetadataOptions;

use super::ProbeError;
use super::loudness_meter::{Decoded, Gauge};
use super::media_source::Shared;

/// The loudness of one file's audio.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Loudness {
    /// Integrated loudness in LUFS; `None` when every block is below the
    /// −70 LUFS absolute gate (silence).
    pub lufs: Option<f64>,
    /// Loudness range in LU (EBU Tech 3342); `None` when silent.
    pub lra: Option<f64>,
    /// The highest true peak of any channel, in dBTP; `None` when silent.
    pub true_peak_dbtp: Option<f64>,
    /// Milliseconds of audio measured.
    pub measured_ms: u64,
    /// Damage met on the way (skipped packets, a truncated tail).
    pub warnings: Vec<String>,
}

/// Measures the file at `path`.
pub fn loudness_file(path: &Path) -> Result<Loudness, ProbeError> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| ProbeError::Io {
        path: name.clone(),
        source,
    })?;
    let len = file
        .metadata()
        .map_err(|source| ProbeError::Io {
            path: name.clone(),
            source,
        })?
        .len();
    loudness_reader(file, len, &name)
}

/// Measures `len` bytes of audio read from `src`; `name` is used in
/// messages and its extension as a hint to symphonia.
pub fn loudness_reader<R: Read + Seek + Send + 'static>(
    src: R,
    len: u64,
    name: &str,
) -> Result<Loudness, ProbeError> {
    if len == 0 {
        return Err(ProbeError::Empty {
            path: name.to_owned(),
        });
    }
    let undecodable = |reason: String| ProbeError::Undecodable {
        path: name.to_owned(),
        reason,
    };
    let shared = Shared::new(Box::new(src), len);
    let mss = MediaSourceStream::new(Box::new(shared), MediaSourceStreamOptions::default());
    let mut hint = Hint::new();
    if let Some(ext) = Path::new(name).extension().and_then(|e| e.to_str()) {
        hint.with_extension(ext);
    }
    let opened = catch_unwind(AssertUnwindSafe(|| open(mss, &hint)))
        .unwrap_or_else(|_| Err(Open::Bad("symphonia crashed reading the headers".into())));
    let (reader, decoder) = match opened {
        Ok(pair) => pair,
        Err(Open::NoDecoder(codec)) => {
            return Err(ProbeError::NoDecoder {
                path: name.to_owned(),
                codec,
            });
        }
        Err(Open::Bad(reason)) => return Err(undecodable(reason)),
    };
    let (decoded, loud, peak) = super::loudness_meter::measure(reader, decoder);
    finish(decoded, loud, peak).map_err(undecodable)
}

/// Opens the file at `path` for decoding (the tests' way in).
#[cfg(test)]
pub(super) fn open_file(path: &Path) -> Result<Opened, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mss = MediaSourceStream::new(Box::new(file), MediaSourceStreamOptions::default());
    open(mss, &Hint::new()).map_err(|_| "cannot open".to_owned())
}

/// Why a file could not be opened for decoding.
enum Open {
    /// The codec has no decoder here (Opus).
    NoDecoder(String),
    /// Not audio symphonia reads, or damaged headers.
    Bad(String),
}

/// A container reader and the decoder for its audio track.
type Opened = (Box<dyn FormatReader>, Box<dyn AudioDecoder>);

/// Probes the container and makes a decoder for its default audio track.
fn open(mss: MediaSourceStream<'static>, hint: &Hint) -> Result<Opened, Open> {
    let reader = symphonia::default::get_probe()
        .probe(
            hint,
            mss,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .map_err(|e| Open::Bad(format!("symphonia cannot read it: {e}")))?;
    let params = reader
        .default_track(TrackType::Audio)
        .and_then(|t| t.codec_params.as_ref())
        .and_then(|p| p.audio())
        .ok_or_else(|| Open::Bad("no audio track".into()))?
        .clone();
    let registry = symphonia::default::get_codecs();
    if registry.get_audio_decoder(params.codec).is_none() {
        let codec = match params.codec {
            symphonia::core::codecs::audio::well_known::CODEC_ID_OPUS => "Opus".to_owned(),
            other => other.to_string(),
        };
        return Err(Open::NoDecoder(codec));
    }
    let decoder = registry
        .make_audio_decoder(&params, &AudioDecoderOptions::default())
        .map_err(|e| Open::Bad(format!("cannot start the decoder: {e}")))?;
    Ok((reader, decoder))
}

/// The figures from the two meters, or why there are none.
fn finish(mut d: Decoded, loud: Gauge, peak: Gauge) -> Result<Loudness, String> {
    if d.skipped > 0 {
        let n = d.skipped;
        d.warnings.push(format!(
            "{n} damaged packet(s) could not be decoded and were skipped"
        ));
    }
    if loud.other_format > 0 {
        let n = loud.other_format;
        d.warnings.push(format!(
            "{n} packet(s) change the channel count or sample rate and were not measured"
        ));
    }
    let (Some(l), Some(p)) = (loud.ebu.filter(|_| loud.frames > 0), peak.ebu) else {
        return Err(match d.warnings.first() {
            Some(w) => format!("no audio could be decoded ({w})"),
            None => "no audio could be decoded".into(),
        });
    };
    // Two decimals: finer than any meter agrees on (ffmpeg prints one).
    let round = |x: f64| (x * 100.0).round() / 100.0;
    let finite = |v: Result<f64, ebur128::Error>| v.ok().filter(|x| x.is_finite()).map(round);
    let lufs = finite(l.loudness_global());
    let top = (0..p.channels())
        .filter_map(|c| p.true_peak(c).ok())
        .fold(0.0f64, f64::max);
    Ok(Loudness {
        lufs,
        lra: lufs.and(finite(l.loudness_range())),
        true_peak_dbtp: (top > 0.0).then(|| round(20.0 * top.log10())),
        measured_ms: (loud.frames * 1000) / u64::from(l.rate().max(1)),
        warnings: d.warnings,
    })
}

/// `m:ss.s` for a position in milliseconds, in warnings.
pub(super) fn clock(ms: u64) -> String {
    format!("{}:{:02}.{}", ms / 60_000, ms / 1000 % 60, ms / 100 % 10)
}
