//! Audio probing: a file (or any seekable byte source) in, [`AudioInfo`] out.
//!
//! Owns container/codec detection and exact duration measurement. Knows
//! nothing about the catalogue, the database or HTTP (see `remote` for URLs).

use std::io::{Read, Seek};
use std::path::Path;

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
    /// Non-fatal findings (truncation, stale Xing header, extension/content mismatch).
    pub warnings: Vec<String>,
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
}

/// Why a file could not be probed. Every message names the file.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// The file could not be opened or read.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The file.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The content is not audio in a format we understand.
    #[error("{path}: {reason}")]
    Unsupported {
        /// The file.
        path: String,
        /// What is wrong, in words a producer can act on.
        reason: String,
    },
}

/// Probes the file at `path`.
pub fn probe_file(path: &Path) -> Result<AudioInfo, ProbeError> {
    let _ = path;
    Err(ProbeError::Unsupported {
        path: path.display().to_string(),
        reason: "probe not implemented yet".into(),
    })
}

/// Probes any seekable byte source of `len` bytes; `name` is used in errors and
/// for the extension-mismatch warning.
pub fn probe_reader<R: Read + Seek>(src: R, len: u64, name: &str) -> Result<AudioInfo, ProbeError> {
    let _ = (src, len);
    Err(ProbeError::Unsupported {
        path: name.to_string(),
        reason: "probe not implemented yet".into(),
    })
}
