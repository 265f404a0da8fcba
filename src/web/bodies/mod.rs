//! Big response bodies kept in files: the feed of a large catalogue and
//! the audio and artwork of `/media/`, sent the way nginx sends a static
//! file instead of copied out of the heap.
//!
//! Why: the feed of a large catalogue is tens of MB (22 MB plain for 10,000
//! episodes). Held in the heap, it counts whole in the server's resident
//! memory. Kept in a file, its pages are the page cache's, which the kernel
//! may drop and read back.
//!
//! How: a [`Spool`] collects a body as it is produced; past [`SPILL_AT`] it
//! moves to an anonymous temporary file (unlinked on Unix, delete-on-close
//! and unshared on Windows, so it vanishes with the process and no other
//! program can open it). What happens next is the server's [`Io`]:
//!
//! - [`Io::Sendfile`] (Linux only): the file is mapped read-only and the
//!   mapping handed on as ordinary [`Bytes`]; media ranges are mapped the
//!   same way ([`media`]). Every mapping's address range is registered, and
//!   the socket wrapper the accept loop gives hyper ([`Conn`]) sends any
//!   buffer inside one with `sendfile(2)` from the file at the same offset
//!   instead of `write(2)`, so the bytes are neither copied into the socket
//!   nor part of the process's resident set. The safety argument for the
//!   mappings is in `mapped.rs`.
//! - [`Io::Portable`] (every system, and on Linux when chosen): the body is
//!   read back from the file in [`CHUNK`]s on the blocking pool and written
//!   with ordinary writes: one copy more per request, the same HTTP.
//!
//! Either way the callers see a [`Spooled`] body (a feed) or `Option<Bytes>`
//! (a media range) and never the trick.

#[cfg(target_os = "linux")]
mod mapped;
#[cfg(target_os = "linux")]
mod sendfile;
mod spool;
#[cfg(test)]
mod tests;

use std::fs::File;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use axum::body::Body;
use bytes::Bytes;
use futures_util::Stream;
use tokio::net::TcpStream;

pub use spool::Spool;

/// Bodies up to this size stay in the heap: copying them is cheaper than a
/// file, a mapping and a second system call. Measured: the gzip feed of
/// 1,000 episodes (84 kB) spent 45% of its CPU in the copy into the socket
/// when kept in the heap; sent from a file it costs nginx's CPU per request.
pub const SPILL_AT: usize = 64 << 10;

/// Read size when a body is streamed from its file: small, so memory per
/// connection stays low (a chunk in flight, one being read).
pub const CHUNK: u64 = 64 * 1024;

/// The environment variable that chooses [`Io::Portable`] on Linux (any
/// value but `0` or empty): how CI and the benchmark run the portable path.
pub const PORTABLE_IO_ENV: &str = "PODCATALOG_PORTABLE_IO";

/// How the server sends bodies kept in files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Io {
    /// Mapped files sent with `sendfile(2)`, response heads with
    /// `MSG_MORE` (Linux).
    #[cfg(target_os = "linux")]
    Sendfile,
    /// Ordinary reads from the file and writes to the socket (everywhere).
    Portable,
}

impl Io {
    /// Every way this build can send, for tests that run the server each way.
    pub const ALL: &[Io] = &[
        #[cfg(target_os = "linux")]
        Io::Sendfile,
        Io::Portable,
    ];

    /// The fastest way this system has.
    pub fn native() -> Io {
        #[cfg(target_os = "linux")]
        return Io::Sendfile;
        #[cfg(not(target_os = "linux"))]
        return Io::Portable;
    }

    /// [`Io::native`], unless [`PORTABLE_IO_ENV`] asks for the portable way.
    pub fn from_env() -> Io {
        match std::env::var_os(PORTABLE_IO_ENV) {
            Some(v) if !v.is_empty() && v != "0" => Io::Portable,
            _ => Io::native(),
        }
    }
}

/// A finished body: in the heap (small bodies; mapped ones on the
/// sendfile path), or in a file that the portable path reads back.
/// Cloning it is cheap.
#[derive(Debug, Clone)]
pub enum Spooled {
    /// Bytes, in the heap or a registered mapping.
    Bytes(Bytes),
    /// An anonymous file holding the body whole.
    File {
        /// The file, shared by every response sending it.
        file: Arc<File>,
        /// Its length.
        len: u64,
    },
}

impl Spooled {
    /// The body's length in bytes.
    pub fn len(&self) -> u64 {
        match self {
            Spooled::Bytes(b) => b.len() as u64,
            Spooled::File { len, .. } => *len,
        }
    }

    /// A response body sending these bytes.
    pub fn body(&self) -> Body {
        match self {
            Spooled::Bytes(b) => Body::from(b.clone()),
            Spooled::File { file, len } => Body::from_stream(chunks(Arc::clone(file), 0, *len)),
        }
    }
}

/// Bytes of a media file mapped for `sendfile`. Another program may change
/// the file while it is mapped, so this process must never read them (see
/// `mapped.rs`): all they can become is a response body, which the
/// compression layer passes through (audio and images only) and
/// [`Conn`] sends from the file.
#[derive(Debug)]
pub struct SendOnly(Bytes);

impl From<SendOnly> for Body {
    fn from(mapped: SendOnly) -> Body {
        Body::from(mapped.0)
    }
}

/// `count` bytes of the media file `file` from `start`, mapped for
/// [`Io::Sendfile`] to send without reading them; `None` on the portable
/// path (or where mapping fails), for the caller to read the file instead.
/// Only for audio and images, which no layer reads.
pub fn media(io: Io, file: &Arc<File>, start: u64, count: usize) -> Option<SendOnly> {
    match io {
        #[cfg(target_os = "linux")]
        Io::Sendfile => match mapped::map_media(Arc::clone(file), start, count) {
            Ok(bytes) => Some(bytes),
            // A file system without mmap: the copying way.
            Err(e) => {
                tracing::debug!(error = %e, "cannot map a media file");
                None
            }
        },
        Io::Portable => {
            let _ = (file, start, count);
            None
        }
    }
}

/// `count` bytes of `file` from `start`, in [`CHUNK`] positional reads on
/// the blocking pool (no seek: the file is shared, not moved around).
pub fn chunks(
    file: Arc<File>,
    start: u64,
    count: u64,
) -> impl Stream<Item = std::io::Result<Bytes>> + Send {
    futures_util::stream::try_unfold((file, start, count), |(file, pos, left)| async move {
        if left == 0 {
            return Ok(None);
        }
        let n = CHUNK.min(left);
        let f = Arc::clone(&file);
        let bytes = tokio::task::spawn_blocking(move || {
            let len = usize::try_from(n).map_err(std::io::Error::other)?;
            crate::platform::read_vec_at(&f, pos, len).map(Bytes::from)
        })
        .await
        .map_err(std::io::Error::other)??;
        Ok(Some((bytes, (file, pos + n, left - n))))
    })
}

/// The socket type the accept loop hands hyper.
#[cfg(target_os = "linux")]
pub type Conn = sendfile::Sendfile;
/// The socket type the accept loop hands hyper.
#[cfg(not(target_os = "linux"))]
pub type Conn = TcpStream;

/// Wraps an accepted socket for `io`; on the sendfile path, every byte sent
/// with `sendfile` is added to `sent`.
pub fn conn(stream: TcpStream, io: Io, sent: &Arc<AtomicU64>) -> Conn {
    match io {
        #[cfg(target_os = "linux")]
        Io::Sendfile => sendfile::Sendfile::new(stream, Some(Arc::clone(sent))),
        #[cfg(target_os = "linux")]
        Io::Portable => sendfile::Sendfile::new(stream, None),
        #[cfg(not(target_os = "linux"))]
        Io::Portable => {
            let _ = sent;
            stream
        }
    }
}
