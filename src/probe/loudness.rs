//! EBU R128 loudness of a whole file: integrated loudness, loudness range
//! and true peak, measured on the decoded audio.
//!
//! Decoding is symphonia's (MP3, AAC/M4A, Vorbis, FLAC, WAV); measuring is
//! the `ebur128` crate's (a port of libebur128, which follows ITU-R
//! BS.1770-4 and EBU Tech 3341/3342: K-weighting, 400 ms blocks overlapping
//! 75 %, −70 LUFS absolute and −10 LU relative gates, true peak by 4×
//! oversampling below 96 kHz). A file is decoded in one pass, packet by
//! packet, so memory stays that of one packet plus the meter's block history
//! (8 bytes per 100 ms: about 0.3 MB per hour). Long files are not cut into
//! parts: an MP3's bit reservoir and the overlapping blocks make a joined
//! measurement differ from a single pass, so a batch is spread across cores
//! file by file instead (see `cli::probe`, `ingest::analysis`).
//!
//! Codecs symphonia cannot decode (Opus) give [`ProbeError::NoDecoder`],
//! never a number. Damage stops nothing that can be decoded: packets that
//! fail are skipped and counted, a truncated tail ends the measurement, a
//! decoder panic (symphonia has some on hostile input) is caught; each adds
//! a warning, and the figures are those of the audio that decoded.

use std::io::{Read, Seek};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use ebur128::{EbuR128, Mode};
use symphonia::core::codecs::audio::{AudioDecoder, AudioDecoderOptions};
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, FormatReader, TrackType};
use symphonia::core::io::{MediaSourceStream, MediaSourceStreamOptions};
use symphonia::core::meta::MetadataOptions;

use super::ProbeError;
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
    let mut meter = Meter::default();
    let run = catch_unwind(AssertUnwindSafe(|| meter.run(reader, decoder)));
    if run.is_err() {
        meter.warn(format!(
            "the decoder crashed after {}; loudness is that of the audio before it",
            clock(meter.measured_ms())
        ));
    }
    meter.finish().map_err(undecodable)
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

/// The meter and what happened while feeding it.
#[derive(Default)]
struct Meter {
    /// Created at the first decoded packet, from its channels and rate.
    ebu: Option<EbuR128>,
    /// Frames (samples per channel) measured.
    frames: u64,
    /// Packets that failed to decode.
    skipped: u64,
    /// Packets whose format differs from the first (not measured).
    other_format: u64,
    /// Interleaved samples of the current packet, reused.
    samples: Vec<f32>,
    warnings: Vec<String>,
}

impl Meter {
    fn warn(&mut self, w: String) {
        self.warnings.push(w);
    }

    fn measured_ms(&self) -> u64 {
        let rate = self.ebu.as_ref().map_or(0, |e| u64::from(e.rate()));
        (self.frames * 1000).checked_div(rate).unwrap_or(0)
    }

    /// Decodes every packet of the track and feeds the meter.
    fn run(&mut self, mut reader: Box<dyn FormatReader>, mut decoder: Box<dyn AudioDecoder>) {
        let track = reader.default_track(TrackType::Audio).map(|t| t.id);
        loop {
            let packet = match reader.next_packet() {
                Ok(Some(p)) => p,
                Ok(None) => break,
                Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    self.warn(format!(
                        "the file ends inside a packet after {}: truncated?",
                        clock(self.measured_ms())
                    ));
                    break;
                }
                Err(e) => {
                    self.warn(format!(
                        "reading stopped after {}: {e}",
                        clock(self.measured_ms())
                    ));
                    break;
                }
            };
            if Some(packet.track_id) != track {
                continue;
            }
            match decoder.decode(&packet) {
                Ok(buf) => {
                    let (channels, rate) = (buf.spec().channels().count(), buf.spec().rate());
                    buf.copy_to_vec_interleaved(&mut self.samples);
                    self.add(channels, rate);
                }
                Err(SymError::DecodeError(_)) => self.skipped += 1,
                Err(e) => {
                    self.warn(format!(
                        "decoding stopped after {}: {e}",
                        clock(self.measured_ms())
                    ));
                    break;
                }
            }
        }
    }

    /// Feeds the samples of one packet.
    fn add(&mut self, channels: usize, rate: u32) {
        if self.samples.is_empty() || channels == 0 {
            return;
        }
        let ebu = match &mut self.ebu {
            Some(e) if e.channels() as usize == channels && e.rate() == rate => e,
            Some(_) => {
                self.other_format += 1;
                return;
            }
            None => {
                match EbuR128::new(channels as u32, rate, Mode::I | Mode::LRA | Mode::TRUE_PEAK) {
                    Ok(e) => self.ebu.insert(e),
                    Err(e) => {
                        self.warn(format!(
                            "cannot measure {channels} channels at {rate} Hz: {e}"
                        ));
                        self.other_format += 1;
                        return;
                    }
                }
            }
        };
        if ebu.add_frames_f32(&self.samples).is_ok() {
            self.frames += (self.samples.len() / channels) as u64;
        }
    }

    /// The figures, or why there are none.
    fn finish(mut self) -> Result<Loudness, String> {
        if self.skipped > 0 {
            let n = self.skipped;
            self.warn(format!(
                "{n} damaged packet(s) could not be decoded and were skipped"
            ));
        }
        if self.other_format > 0 {
            let n = self.other_format;
            self.warn(format!(
                "{n} packet(s) change the channel count or sample rate and were not measured"
            ));
        }
        let measured_ms = self.measured_ms();
        let Some(ebu) = self.ebu.filter(|_| self.frames > 0) else {
            return Err(match self.warnings.first() {
                Some(w) => format!("no audio could be decoded ({w})"),
                None => "no audio could be decoded".into(),
            });
        };
        // Two decimals: finer than any meter agrees on (ffmpeg prints one).
        let round = |x: f64| (x * 100.0).round() / 100.0;
        let finite = |v: Result<f64, ebur128::Error>| v.ok().filter(|x| x.is_finite()).map(round);
        let lufs = finite(ebu.loudness_global());
        let peak = (0..ebu.channels())
            .filter_map(|c| ebu.true_peak(c).ok())
            .fold(0.0f64, f64::max);
        Ok(Loudness {
            lufs,
            lra: lufs.and(finite(ebu.loudness_range())),
            true_peak_dbtp: (peak > 0.0).then(|| round(20.0 * peak.log10())),
            measured_ms,
            warnings: self.warnings,
        })
    }
}

/// `m:ss.s` for a position in milliseconds, in warnings.
fn clock(ms: u64) -> String {
    format!("{}:{:02}.{}", ms / 60_000, ms / 1000 % 60, ms / 100 % 10)
}
