//! Decoding a track and feeding the EBU R128 meters, in a pipeline of
//! three threads: this one decodes, one meters loudness (integrated and
//! range), one meters true peak (4× oversampling, the costliest part).
//!
//! The invariant that makes this equal to a single pass: every meter sees
//! every decoded packet, whole and in order (one bounded channel per
//! meter, FIFO), and loudness and true peak share no state inside
//! `ebur128`, so two meters give bit for bit what one meter with both modes
//! gives (`tests::pipeline_equals_one_meter` checks it on real files). The
//! file itself is never cut into parts: an MP3 decoded from a cut point
//! lacks its bit reservoir and the 400 ms blocks overlap the cut.
//! Memory: at most [`QUEUE`] packets wait per meter.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::mpsc::sync_channel;

use ebur128::{EbuR128, Mode};
use symphonia::core::codecs::audio::AudioDecoder;
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::{FormatReader, TrackType};

use super::loudness::clock;

/// Packets that may wait for a meter.
const QUEUE: usize = 32;

/// One packet of decoded audio, interleaved.
#[derive(Clone)]
pub(super) struct Chunk {
    samples: Arc<Vec<f32>>,
    channels: usize,
    rate: u32,
}

/// One meter and the audio format it measures (that of the first packet).
pub(super) struct Gauge {
    mode: Mode,
    pub(super) ebu: Option<EbuR128>,
    /// Frames (samples per channel) measured.
    pub(super) frames: u64,
    /// Packets of another channel count or rate, not measured.
    pub(super) other_format: u64,
}

impl Gauge {
    pub(super) fn new(mode: Mode) -> Gauge {
        Gauge {
            mode,
            ebu: None,
            frames: 0,
            other_format: 0,
        }
    }

    /// Measures one packet.
    fn add(&mut self, c: &Chunk) {
        if c.samples.is_empty() || c.channels == 0 {
            return;
        }
        let ebu = match &mut self.ebu {
            Some(e) if e.channels() as usize == c.channels && e.rate() == c.rate => e,
            Some(_) => {
                self.other_format += 1;
                return;
            }
            None => match EbuR128::new(c.channels as u32, c.rate, self.mode) {
                Ok(e) => self.ebu.insert(e),
                Err(_) => {
                    self.other_format += 1;
                    return;
                }
            },
        };
        if ebu.add_frames_f32(&c.samples).is_ok() {
            self.frames += (c.samples.len() / c.channels) as u64;
        }
    }
}

/// What decoding met.
#[derive(Default)]
pub(super) struct Decoded {
    /// Packets that failed to decode.
    pub(super) skipped: u64,
    /// Frames decoded and the rate of the first packet, for positions.
    frames: u64,
    rate: u32,
    pub(super) warnings: Vec<String>,
}

impl Decoded {
    fn at(&self) -> String {
        clock(
            (self.frames * 1000)
                .checked_div(u64::from(self.rate))
                .unwrap_or(0),
        )
    }
}

/// Decodes the track and measures it: loudness in one meter, true peak in
/// another, each on its own thread.
pub(super) fn measure(
    reader: Box<dyn FormatReader>,
    decoder: Box<dyn AudioDecoder>,
) -> (Decoded, Gauge, Gauge) {
    let meter = |mode: Mode, rx: std::sync::mpsc::Receiver<Chunk>| {
        move || {
            let mut g = Gauge::new(mode);
            for c in rx {
                g.add(&c);
            }
            g
        }
    };
    std::thread::scope(|s| {
        let (to_loud, loud_rx) = sync_channel::<Chunk>(QUEUE);
        let (to_peak, peak_rx) = sync_channel::<Chunk>(QUEUE);
        let loud = s.spawn(meter(Mode::I | Mode::LRA, loud_rx));
        let peak = s.spawn(meter(Mode::TRUE_PEAK, peak_rx));
        let decoded = decode(reader, decoder, &mut |c: Chunk| {
            to_loud.send(c.clone()).is_ok() && to_peak.send(c).is_ok()
        });
        drop((to_loud, to_peak));
        let crashed = |_| Gauge::new(Mode::I);
        (
            decoded,
            loud.join().unwrap_or_else(crashed),
            peak.join().unwrap_or_else(crashed),
        )
    })
}

/// Decodes every packet of the default audio track, handing each to
/// `sink` until it returns false. A decoder panic ends the decoding with a
/// warning; what was decoded before it stands.
fn decode(
    mut reader: Box<dyn FormatReader>,
    mut decoder: Box<dyn AudioDecoder>,
    sink: &mut dyn FnMut(Chunk) -> bool,
) -> Decoded {
    let mut d = Decoded::default();
    let track = reader.default_track(TrackType::Audio).map(|t| t.id);
    let run = catch_unwind(AssertUnwindSafe(|| {
        loop {
            let packet = match reader.next_packet() {
                Ok(Some(p)) => p,
                Ok(None) => break,
                Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    let at = d.at();
                    d.warnings.push(format!(
                        "the file ends inside a packet after {at}: truncated?"
                    ));
                    break;
                }
                Err(e) => {
                    let at = d.at();
                    d.warnings.push(format!("reading stopped after {at}: {e}"));
                    break;
                }
            };
            if Some(packet.track_id) != track {
                continue;
            }
            let chunk = match decoder.decode(&packet) {
                Ok(buf) => {
                    let mut samples = Vec::new();
                    buf.copy_to_vec_interleaved(&mut samples);
                    let (channels, rate) = (buf.spec().channels().count(), buf.spec().rate());
                    Chunk {
                        samples: Arc::new(samples),
                        channels,
                        rate,
                    }
                }
                Err(SymError::DecodeError(_)) => {
                    d.skipped += 1;
                    continue;
                }
                Err(e) => {
                    let at = d.at();
                    d.warnings.push(format!("decoding stopped after {at}: {e}"));
                    break;
                }
            };
            if d.rate == 0 {
                d.rate = chunk.rate;
            }
            d.frames += (chunk.samples.len() / chunk.channels.max(1)) as u64;
            if !sink(chunk) {
                break;
            }
        }
    }));
    if run.is_err() {
        let at = d.at();
        d.warnings.push(format!(
            "the decoder crashed after {at}; loudness is that of the audio before it"
        ));
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference: one meter with every mode, fed on this thread.
    fn one_meter(path: &std::path::Path) -> Gauge {
        let (reader, decoder) = super::super::loudness::open_file(path).expect("opens");
        let mut g = Gauge::new(Mode::I | Mode::LRA | Mode::TRUE_PEAK);
        decode(reader, decoder, &mut |c| {
            g.add(&c);
            true
        });
        g
    }

    #[test]
    fn pipeline_equals_one_meter() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for name in [
            "tests/fixtures/audio/cbr.mp3",
            "tests/fixtures/audio/joined.mp3",
            "tests/fixtures/audio/moov-end.m4a",
            "tests/fixtures/audio/flac.flac",
            "tests/fixtures/audio/vorbis.ogg",
            "media/85-internationellt-ledarprogram-for-kvinnor.mp3",
        ] {
            let path = dir.join(name);
            let reference = one_meter(&path);
            let r = reference.ebu.as_ref().expect("measured");
            let (reader, decoder) = super::super::loudness::open_file(&path).expect("opens");
            let (_, loud, peak) = measure(reader, decoder);
            let (l, p) = (loud.ebu.expect("loudness"), peak.ebu.expect("peak"));
            let bits = |x: Result<f64, ebur128::Error>| x.expect("a figure").to_bits();
            assert_eq!(
                bits(l.loudness_global()),
                bits(r.loudness_global()),
                "{name}"
            );
            assert_eq!(bits(l.loudness_range()), bits(r.loudness_range()), "{name}");
            for ch in 0..r.channels() {
                assert_eq!(bits(p.true_peak(ch)), bits(r.true_peak(ch)), "{name}");
            }
            assert_eq!(
                (loud.frames, peak.frames),
                (reference.frames, reference.frames)
            );
        }
    }

    /// Cut and fuzzed files: an answer or an ordinary error, never a panic
    /// that escapes, whatever symphonia does inside.
    #[test]
    fn damaged_files_measure_or_fail_cleanly() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut inputs = Vec::new();
        for sub in ["audio", "fuzz/probe"] {
            for entry in std::fs::read_dir(dir.join(sub)).expect("fixtures") {
                let path = entry.expect("entry").path();
                let bytes = std::fs::read(&path).expect("read");
                for cut in [bytes.len(), bytes.len() / 3, 700] {
                    let name = format!("{}@{cut}", path.display());
                    inputs.push((name, bytes[..cut.min(bytes.len())].to_vec()));
                }
            }
        }
        // An AIFF claiming 65535 channels: symphonia 0.6.1 overflows (panics).
        let mut comm = [0xFF, 0xFF, 0, 0, 3, 0xE8, 0, 16].to_vec();
        comm.extend([0x40, 0x0E, 0xAC, 0x44, 0, 0, 0, 0, 0, 0]);
        let mut body = b"AIFFCOMM".to_vec();
        body.extend((comm.len() as u32).to_be_bytes());
        body.extend(comm);
        body.extend(b"SSND");
        body.extend(8008u32.to_be_bytes());
        body.extend([0u8; 8]);
        body.extend([1u8; 8000]);
        let mut aiff = b"FORM".to_vec();
        aiff.extend((body.len() as u32).to_be_bytes());
        aiff.extend(body);
        inputs.push(("evil.aiff".into(), aiff));
        for (name, bytes) in inputs {
            let len = bytes.len() as u64;
            let result = std::panic::catch_unwind(|| {
                super::super::loudness_reader(std::io::Cursor::new(bytes), len, &name)
            });
            assert!(result.is_ok(), "{name}: a panic escaped");
        }
    }
}
