//! Audio probing: a file (or any seekable byte source) in, [`AudioInfo`] out.
//!
//! Owns container/codec detection and exact duration measurement. Knows
//! nothing about the catalogue, the database or HTTP (see `remote` for URLs).
//! `sniff` picks the container from the content; one module per format
//! measures it (`mp3`, `adts`, `mp4`, `ogg`, `flac`, `wav`) by reading only
//! headers, tables and the file's tail through `source`, never decoding and
//! never holding the whole file; chapter marks are read on the way
//! (`chapters`). Each format module cites the spec it follows. The one
//! part that decodes is `loudness` (EBU R128, on demand: `probe
//! --loudness` and ingest's analysis), streaming packet by packet.

use std::fs;
use std::io::{Read, Seek};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::Arc;

mod adts;
pub mod chapters;
mod end_tags;
mod error;
mod fallback;
mod flac;
mod flac_frame;
mod id3;
mod loudness;
mod loudness_meter;
mod media_source;
pub(crate) use id3::v2_size as id3v2_size;
mod mp3;
mod mp3_frame;
mod mp3_parallel;
mod mp3_sampled;
mod mp4;
mod mp4_boxes;
mod mp4_esds;
mod mp4_present;
mod ogg;
mod ogg_page;
mod positional;
mod sniff;
mod source;
mod tags;
mod wav;

pub use error::ProbeError;
pub use loudness::{Loudness, loudness_file, loudness_reader};
use positional::Positional;
use source::{Fault, Source};

/// What the probe learned about one audio file.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AudioInfo {
    /// Playable duration in milliseconds (gapless: encoder delay and padding removed when known).
    pub duration_ms: u64,
    /// Exact byte length of the file.
    pub bytes: u64,
    /// MIME type sniffed from the content, e.g. `audio/mpeg`.
    pub mime: String,
    /// Container name, e.g. `mp3`, `mp4`, `ogg`, `flac`, `wav`, `adts`.
    pub container: String,
    /// Codec name, e.g. `mp3`, `aac`, `vorbis`, `opus`, `flac`, `pcm`.
    pub codec: String,
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// Number of channels.
    pub channels: u16,
    /// Average bitrate in bits per second (bytes of audio × 8 / duration).
    pub bitrate: u64,
    /// Exact number of playable samples per channel, when known.
    pub samples: Option<u64>,
    /// Embedded tags a producer finds useful.
    pub tags: Tags,
    /// Non-fatal findings (truncation, stale Xing header, extension/content
    /// mismatch, odd chapters).
    pub warnings: Vec<String>,
    /// Chapter marks embedded in the file, in start order (see `chapters`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub chapters: Vec<chapters::Chapter>,
}

/// Embedded metadata (ID3, MP4 atoms, Vorbis comments).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Tags {
    /// Title tag.
    pub title: Option<String>,
    /// Artist tag.
    pub artist: Option<String>,
    /// Album tag.
    pub album: Option<String>,
    /// Whether embedded cover art is present.
    pub has_cover: bool,
    /// Chapter marks as read, checked in [`finish`] once the duration is known.
    #[serde(skip)]
    pub(crate) chapters: chapters::Found,
}

/// What a format module measured, before conversion to [`AudioInfo`].
#[derive(Debug)]
pub(crate) struct Measured {
    container: &'static str,
    codec: &'static str,
    mime: &'static str,
    sample_rate: u32,
    channels: u16,
    /// Playable samples per channel at `sample_rate`.
    samples: u64,
    /// Bytes of coded audio, for the average bitrate.
    audio_bytes: u64,
    tags: Tags,
    warnings: Vec<String>,
}

/// Probes the file at `path`. Directories, pipes and devices are refused
/// before opening, so a FIFO cannot block the probe.
pub fn probe_file(path: &Path) -> Result<AudioInfo, ProbeError> {
    let name = path.display().to_string();
    let io = |source| ProbeError::Io {
        path: name.clone(),
        source,
    };
    let meta = fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        let what = if meta.is_dir() {
            "a directory"
        } else {
            "a pipe, socket or device"
        };
        return Err(ProbeError::NotAFile { path: name, what });
    }
    let file = Arc::new(fs::File::open(path).map_err(io)?);
    let len = meta.len();
    let fork: source::Fork = {
        let file = file.clone();
        Arc::new(move || Ok(Box::new(Positional::new(file.clone(), len))))
    };
    let src = Source::new(Positional::new(file, len), len).with_fork(fork);
    probe_source(src, &name)
}

/// Probes any seekable byte source of `len` bytes; `name` is used in errors and
/// for the extension-mismatch warning. Reads only headers, tables and the
/// tail the format needs, through a 256 KiB window.
pub fn probe_reader<R: Read + Seek>(src: R, len: u64, name: &str) -> Result<AudioInfo, ProbeError> {
    probe_source(Source::new(src, len), name)
}

/// [`probe_reader`] for a source where every byte costs (a remote file):
/// an MP3 is measured from its Xing/Info header when the header's byte
/// count matches the stream, or from its constant bit rate when frames at
/// the start, middle and end agree, instead of walking every frame header
/// (which reads the whole file). Anything else is probed in full.
pub fn probe_reader_sampled<R: Read + Seek>(
    src: R,
    len: u64,
    name: &str,
) -> Result<AudioInfo, ProbeError> {
    probe_source(Source::new(src, len).sampled_reads(), name)
}

/// Probes audio held in memory exactly as [`probe_file`] probes a local
/// file: the source can fork, so the symphonia fallback (AIFF, CAF,
/// Matroska) and the parallel MP3 walk run too, which [`probe_reader`]
/// leaves out. It exists for the fuzzer and for tests, which then reach
/// every code path the CLI reaches without touching the disk.
pub fn probe_bytes(bytes: impl Into<Arc<[u8]>>, name: &str) -> Result<AudioInfo, ProbeError> {
    let bytes: Arc<[u8]> = bytes.into();
    let len = bytes.len() as u64;
    let fork: source::Fork = {
        let bytes = bytes.clone();
        Arc::new(move || Ok(Box::new(std::io::Cursor::new(bytes.clone()))))
    };
    probe_source(
        Source::new(std::io::Cursor::new(bytes), len).with_fork(fork),
        name,
    )
}

/// Probes a prepared source, turning faults and panics into errors.
fn probe_source<R: Read + Seek>(mut src: Source<R>, name: &str) -> Result<AudioInfo, ProbeError> {
    let len = src.len();
    if len == 0 {
        return Err(ProbeError::Empty {
            path: name.to_owned(),
        });
    }
    let mut container = "audio";
    let measured = catch_unwind(AssertUnwindSafe(|| measure(&mut src, &mut container)));
    let path = name.to_owned();
    match measured {
        Ok(Ok(m)) => finish(m, len, name),
        Ok(Err(Fault::Io(source))) => Err(ProbeError::Io { path, source }),
        Ok(Err(Fault::Corrupt(reason))) => Err(ProbeError::Corrupt {
            path,
            container,
            reason,
        }),
        Ok(Err(Fault::Unsupported(reason))) => Err(ProbeError::Unsupported { path, reason }),
        Err(panic) => {
            let detail = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic".into());
            Err(ProbeError::Internal { path, detail })
        }
    }
}

/// Sniffs the container and runs its measurement.
fn measure<R: Read + Seek>(
    src: &mut Source<R>,
    container: &mut &'static str,
) -> Result<Measured, Fault> {
    let head = src.peek(0, 512)?.to_vec();
    match sniff::kind(&head) {
        sniff::Kind::Wav => run(container, "wav", || wav::probe(src)),
        sniff::Kind::Flac => run(container, "flac", || flac::probe(src)),
        sniff::Kind::Ogg => run(container, "ogg", || ogg::probe(src)),
        sniff::Kind::Mp4 => run(container, "mp4", || mp4::probe(src)),
        sniff::Kind::MpegOrAdts if fallback::handles(&head).is_some() => {
            let name = fallback::handles(&head).unwrap_or("audio");
            run(container, name, || fallback::probe(src, name))
        }
        sniff::Kind::MpegOrAdts => {
            let mut ignored = Tags::default();
            let start = id3::skip_v2(src, 0, &mut ignored)?;
            let adts_first = adts::is_header(src.peek(start, 7)?);
            let (first, second): (Prober<R>, Prober<R>) = if adts_first {
                (adts::probe, mp3::probe)
            } else {
                (mp3::probe, adts::probe)
            };
            *container = if adts_first { "adts" } else { "mp3" };
            match first(src) {
                Err(Fault::Unsupported(_)) => match second(src) {
                    Err(Fault::Unsupported(_)) => {
                        Err(Fault::Unsupported(sniff::describe_non_audio(&head)))
                    }
                    other => other,
                },
                other => other,
            }
        }
    }
}

/// A format's measuring function.
type Prober<R> = fn(&mut Source<R>) -> Result<Measured, Fault>;

/// Records the container name for error messages, then measures.
fn run(
    container: &mut &'static str,
    name: &'static str,
    f: impl FnOnce() -> Result<Measured, Fault>,
) -> Result<Measured, Fault> {
    *container = name;
    f()
}

/// Converts a measurement into the public [`AudioInfo`].
fn finish(m: Measured, len: u64, name: &str) -> Result<AudioInfo, ProbeError> {
    let corrupt = |reason: &str| ProbeError::Corrupt {
        path: name.to_owned(),
        container: m.container,
        reason: reason.to_owned(),
    };
    if m.sample_rate == 0 {
        return Err(corrupt("sample rate 0 in the header"));
    }
    if m.samples == 0 {
        return Err(corrupt("no complete audio frames"));
    }
    let rate = u128::from(m.sample_rate);
    let samples = u128::from(m.samples);
    let duration_ms = ((samples * 1000 + rate / 2) / rate) as u64;
    let bitrate = (u128::from(m.audio_bytes) * 8 * rate / samples) as u64;
    let mut warnings = m.warnings;
    let mut tags = m.tags;
    let found = std::mem::take(&mut tags.chapters).finish(duration_ms);
    warnings.extend(found.findings.iter().map(|f| format!("chapters: {f}")));
    if let Some(expected) = sniff::mime_for_extension(name) {
        if !expected.contains(&m.mime) {
            warnings.push(format!(
                "the extension suggests {} but the content is {}",
                expected[0], m.mime
            ));
        }
    }
    Ok(AudioInfo {
        duration_ms,
        bytes: len,
        mime: m.mime.to_owned(),
        container: m.container.to_owned(),
        codec: m.codec.to_owned(),
        sample_rate: m.sample_rate,
        channels: m.channels,
        bitrate,
        samples: Some(m.samples),
        tags,
        warnings,
        chapters: found.chapters,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_in_memory_probe_as_the_same_file_on_disk() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/audio");
        for entry in fs::read_dir(&dir).expect("fixtures") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "json") {
                continue;
            }
            let bytes = fs::read(&path).expect("read");
            let name = path.display().to_string();
            let in_memory = probe_bytes(bytes, &name).map_err(|e| e.to_string());
            let on_disk = probe_file(&path).map_err(|e| e.to_string());
            assert_eq!(in_memory, on_disk, "{name}");
        }
    }

    /// Inputs the fuzzer (`fuzz/fuzz_targets/probe.rs`) crashed on, one per
    /// bug, named after it: each must now give an answer or an ordinary
    /// error, never a caught panic. Debug builds check overflow, as the
    /// fuzzer's build does.
    #[test]
    fn fuzzer_findings_probe_without_panicking() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz/probe");
        let mut seen = 0;
        for entry in fs::read_dir(&dir).expect("fuzz fixtures") {
            let path = entry.expect("entry").path();
            let bytes = fs::read(&path).expect("read");
            let result = probe_bytes(bytes, &path.display().to_string());
            assert!(
                !matches!(result, Err(ProbeError::Internal { .. })),
                "{}: {result:?}",
                path.display()
            );
            seen += 1;
        }
        assert!(seen > 0, "no fixtures in {}", dir.display());
    }
}
