//! Remote audio: probe an episode's audio at an http(s) URL without
//! downloading all of it. The only module that talks HTTP out.
//!
//! [`probe_url`] validates the URL (see `target` for the rules: https, or
//! http to loopback only), asks `HEAD` for length and type, then hands the
//! probe a [`RangeReader`], which fetches just the blocks the probe reads:
//! the headers at the start, the tail for Ogg, ID3v1 or `moov`-at-end, and a
//! growing read-ahead for an MP3 frame walk. It does not parse audio (that is
//! `probe`) and does not store anything (that is the catalogue).
//!
//! [`Remote`] keeps one client for many probes (a feed's episodes on one
//! CDN share connections). The API is blocking (reqwest's blocking client
//! runs its own runtime thread): call it from CLI threads or
//! `spawn_blocking`, never directly inside an async task.

use std::time::Duration;

use crate::probe::{self, AudioInfo, ProbeError};

mod cache;
mod content_range;
mod document;
mod download;
mod http;
mod reader;
mod target;
pub mod websub;

pub use document::Document;
pub use download::{Downloaded, Resume};
pub use reader::{RangeReader, TransferStats};
pub use target::is_loopback;

/// Timeouts and limits for one remote probe. `Default` suits a CDN; tests
/// shrink them.
#[derive(Debug, Clone)]
pub struct RemoteOptions {
    /// Longest wait to open a connection.
    pub connect_timeout: Duration,
    /// Longest wait for an answer's head, or between two reads of its body.
    pub read_timeout: Duration,
    /// Longest time for the whole probe, however busy the connection.
    /// Checked before each request and between reads, so a stalled read can
    /// overrun it by up to `read_timeout`.
    pub total_timeout: Duration,
    /// Redirects followed per request before giving up.
    pub max_redirects: usize,
    /// Longest URL accepted, given or in a `Location`.
    pub max_url_len: usize,
    /// Size of a cached block, in bytes.
    pub block_size: usize,
    /// Blocks kept in memory; memory use is about `block_size × cache_blocks`.
    pub cache_blocks: usize,
    /// Most blocks one sequential request reads ahead (capped at `cache_blocks`).
    pub max_read_ahead: usize,
    /// How often a server that ignores ranges may be asked for the whole
    /// file again, when the probe seeks back before what is cached.
    pub max_restarts: u32,
    /// Whether plain `http` may go to any host, not just loopback: only
    /// when the producer named such a URL (an old host's feed and its
    /// enclosures, in `import-feed`), never for URLs found elsewhere.
    pub allow_plain_http: bool,
    /// Measure MP3s from sampled places (Xing/Info header or constant bit
    /// rate, cross-checked) instead of walking every frame, which reads the
    /// whole file: `probe::probe_reader_sampled`. For imports of many
    /// episodes, where reading a few percent of each file is the point.
    pub sample_mp3: bool,
}

impl Default for RemoteOptions {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            total_timeout: Duration::from_secs(300),
            max_redirects: 5,
            max_url_len: 2048,
            block_size: 64 * 1024,
            cache_blocks: 48,
            max_read_ahead: 32,
            max_restarts: 3,
            allow_plain_http: false,
            sample_mp3: false,
        }
    }
}

/// Why a URL could not be probed. Every message starts with the URL as
/// given (any password hidden).
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    /// The URL is refused before any request (scheme, credentials, length...).
    #[error("{url}: refused: {reason}")]
    InvalidUrl {
        /// The URL.
        url: String,
        /// Why, e.g. "scheme `ftp:` is not allowed (only https)".
        reason: String,
    },
    /// The server could not be reached.
    #[error("{url}: cannot connect: {source}")]
    Connect {
        /// The URL.
        url: String,
        /// The underlying error.
        source: reqwest::Error,
    },
    /// The server was too slow.
    #[error("{url}: timed out {what} (limit {after:?})")]
    Timeout {
        /// The URL.
        url: String,
        /// What took too long, e.g. "waiting for the server's answer".
        what: String,
        /// The limit that was hit.
        after: Duration,
    },
    /// Any other HTTP-level failure.
    #[error("{url}: HTTP request failed: {source}")]
    Transport {
        /// The URL.
        url: String,
        /// The underlying error.
        source: reqwest::Error,
    },
    /// The connection failed while a body was being read.
    #[error("{url}: reading the answer failed: {source}")]
    Read {
        /// The URL.
        url: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The server answered with an error status.
    #[error("{url}: server answered HTTP {status} {reason}")]
    Status {
        /// The URL.
        url: String,
        /// The status code, e.g. 404.
        status: u16,
        /// Its canonical reason phrase, e.g. "Not Found".
        reason: String,
    },
    /// The server answered with a web page, not audio.
    #[error(
        "{url}: server sent a web page ({content_type}), not audio: the link probably points at an error or landing page"
    )]
    NotAudio {
        /// The URL.
        url: String,
        /// The `Content-Type` sent.
        content_type: String,
    },
    /// Redirects went round in a circle.
    #[error("{url}: redirect loop: {chain}")]
    RedirectLoop {
        /// The URL.
        url: String,
        /// The hops, `a -> b -> a`.
        chain: String,
    },
    /// More redirects than allowed.
    #[error("{url}: more than {max} redirects (the last one to {last})")]
    TooManyRedirects {
        /// The URL.
        url: String,
        /// The limit.
        max: usize,
        /// Where the redirect that broke the limit pointed.
        last: String,
    },
    /// A redirect to somewhere we refuse to go.
    #[error("{url}: refused redirect to {location}: {reason}")]
    BadRedirect {
        /// The URL.
        url: String,
        /// The `Location` sent.
        location: String,
        /// Why it is refused.
        reason: String,
    },
    /// The server did not tell the file's length.
    #[error("{url}: server did not tell the file's length (no Content-Length)")]
    NoLength {
        /// The URL.
        url: String,
    },
    /// A `206` answer that does not match the range asked for.
    #[error("{url}: invalid answer to a range request: {reason}")]
    BadRange {
        /// The URL.
        url: String,
        /// What did not match.
        reason: String,
    },
    /// The file's length changed between requests.
    #[error("{url}: file changed while probing: {reason}")]
    Changed {
        /// The URL.
        url: String,
        /// What changed.
        reason: String,
    },
    /// The downloaded bytes could not be written to disk.
    #[error("{url}: cannot write the download to disk: {source}")]
    Disk {
        /// The URL.
        url: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// An answer larger than we accept (a feed over the cap, a gzip bomb).
    #[error("{url}: the answer is larger than {limit} bytes{how}; refused")]
    TooLarge {
        /// The URL.
        url: String,
        /// The cap.
        limit: u64,
        /// ", once decompressed" for a compressed body.
        how: &'static str,
    },
    /// The server ignores ranges and the probe kept seeking backwards.
    #[error(
        "{url}: server ignores range requests and the probe needed to restart the download more than {max} times"
    )]
    TooManyRestarts {
        /// The URL.
        url: String,
        /// The limit.
        max: u32,
    },
    /// The HTTP client could not be started (TLS roots, runtime thread).
    #[error("cannot start the HTTP client: {source}")]
    Setup {
        /// The underlying error.
        source: reqwest::Error,
    },
    /// The bytes arrived but are not audio the probe understands.
    #[error(transparent)]
    Probe(#[from] ProbeError),
}

/// Whether a command-line input is meant as a URL rather than a path: it
/// parses as an absolute URL with a scheme longer than one letter (so
/// `C:\x.mp3` stays a path). `ftp://...` counts as a URL, to be refused
/// with a clear message rather than reported as a missing file.
pub fn is_url(input: &str) -> bool {
    url::Url::parse(input).is_ok_and(|u| u.scheme().len() > 1)
}

/// The type and subtype of a `Content-Type` value, lower-cased, without
/// parameters: `Audio/MPEG; charset=x` → `audio/mpeg`.
pub fn mime_essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Probes the audio at `url` with default options.
pub fn probe_url(url: &str) -> Result<AudioInfo, RemoteError> {
    probe_url_with(url, &RemoteOptions::default())
}

/// Probes the audio at `url`. `bytes` in the answer is the `HEAD` length.
pub fn probe_url_with(url: &str, opts: &RemoteOptions) -> Result<AudioInfo, RemoteError> {
    Remote::new(opts.clone())?.probe(url)
}

/// One HTTP client for many probes, so probing a whole feed reuses the
/// connections (and TLS sessions) to its CDN. Cheap to clone, and usable
/// from many threads at once.
#[derive(Debug, Clone)]
pub struct Remote {
    client: reqwest::blocking::Client,
    opts: RemoteOptions,
}

impl Remote {
    /// Starts the client (reqwest runs it on a thread of its own).
    pub fn new(opts: RemoteOptions) -> Result<Self, RemoteError> {
        let client = http::client(&opts).map_err(|source| RemoteError::Setup { source })?;
        Ok(Self { client, opts })
    }

    /// The options every probe of this client uses.
    pub fn options(&self) -> &RemoteOptions {
        &self.opts
    }

    /// Validates `url`, sends the `HEAD` and returns a reader positioned at 0.
    pub fn open(&self, url: &str) -> Result<RangeReader, RemoteError> {
        RangeReader::open_with(self.client.clone(), url, &self.opts)
    }

    /// Probes the audio at `url`. `bytes` in the answer is the `HEAD` length.
    pub fn probe(&self, url: &str) -> Result<AudioInfo, RemoteError> {
        let mut reader = self.open(url)?;
        let len = reader.len();
        // Without the query string: the probe compares the name's extension
        // with the content, and signed-URL tokens do not belong in messages.
        let shown = reader.shown_url().to_string();
        let name = shown
            .split(['?', '#'])
            .next()
            .unwrap_or_default()
            .to_string();
        let probed = if self.opts.sample_mp3 {
            probe::probe_reader_sampled(&mut reader, len, &name)
        } else {
            probe::probe_reader(&mut reader, len, &name)
        };
        // A transport failure reaches the probe as a bare io::Error; report
        // the typed error instead of the probe's wrapper around it.
        if let Some(err) = reader.take_error() {
            return Err(err);
        }
        let stats = reader.stats();
        tracing::debug!(url = name, len, ?stats, "probed remote audio");
        let mut info = probed?;
        info.bytes = len;
        Ok(info)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_can_be_shared_between_threads() {
        fn send_sync<T: Send + Sync + Clone + 'static>() {}
        send_sync::<Remote>();
    }

    #[test]
    fn urls_are_told_from_paths() {
        for url in [
            "https://a.example/x.mp3",
            "http://127.0.0.1:9/x",
            "ftp://a/b",
            "data:,x",
        ] {
            assert!(is_url(url), "{url}");
        }
        for path in [
            "episode.mp3",
            "/srv/audio/1.mp3",
            "./a:b.mp3",
            "C:\\x.mp3",
            "",
        ] {
            assert!(!is_url(path), "{path}");
        }
    }
}
