//! The probe's error type: every message names the file and says what is
//! wrong in words a producer can act on (STYLE.md, "errors in three tiers").

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
    /// The path is a directory, pipe or device, not a file.
    #[error("{path}: not a regular file ({what})")]
    NotAFile {
        /// The path.
        path: String,
        /// What it is instead.
        what: &'static str,
    },
    /// The file has no bytes at all.
    #[error("{path}: empty file (0 bytes)")]
    Empty {
        /// The file.
        path: String,
    },
    /// The content is not audio in a format we understand.
    #[error("{path}: {reason}")]
    Unsupported {
        /// The file.
        path: String,
        /// What is wrong, in words a producer can act on.
        reason: String,
    },
    /// The format is recognised but the file is damaged or incomplete.
    #[error("{path}: damaged {container} file: {reason}")]
    Corrupt {
        /// The file.
        path: String,
        /// The container recognised, e.g. `mp4`.
        container: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A bug in the probe (a caught panic); the file is worth reporting.
    #[error("{path}: internal error while probing ({detail}); please report this file")]
    Internal {
        /// The file.
        path: String,
        /// The panic message.
        detail: String,
    },
    /// The codec has no decoder in this build (Opus: symphonia has none),
    /// so the audio cannot be measured; never reported as a number.
    #[error("{path}: not measured: no decoder for {codec}")]
    NoDecoder {
        /// The file.
        path: String,
        /// The codec, e.g. `Opus`.
        codec: String,
    },
    /// Not one packet of the audio could be decoded.
    #[error("{path}: cannot decode the audio: {reason}")]
    Undecodable {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
}
