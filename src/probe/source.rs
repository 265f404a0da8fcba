//! Random access to the bytes under probe, through one reusable buffer.
//!
//! Owns all I/O of the probe: every format parser asks for "n bytes at
//! offset p" and this module serves them from a 256 KiB window, refilling it
//! with one seek and one read only when the request falls outside. A frame
//! walk therefore reads the file sequentially in large blocks while parsers
//! skip frame bodies, and a tail lookup (ID3v1, Ogg's last page, `moov` at
//! the end) costs one small read. Nothing here ever holds the whole file, so
//! an HTTP-range-backed reader (see `remote`) fetches only what is needed.

use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Arc;

/// A reader that can move to another thread.
pub(crate) trait ReadSeek: Read + Seek + Send {}
impl<T: Read + Seek + Send> ReadSeek for T {}

/// Opens another independent reader over the same bytes.
pub(crate) type Fork = Arc<dyn Fn() -> io::Result<Box<dyn ReadSeek>> + Send + Sync>;

/// Size of the read window. Large enough that a frame walk makes few system
/// calls, small enough to stay in cache.
const WINDOW: usize = 256 * 1024;

/// Read-ahead of a sampled source (a remote file): what the MP3 header
/// checks need at one place, a few frames.
const SAMPLED_WINDOW: usize = 16 * 1024;

/// Why a format parser gave up; `probe::mod` turns it into a `ProbeError`
/// that names the file.
#[derive(Debug)]
pub(crate) enum Fault {
    /// Reading failed.
    Io(io::Error),
    /// The content is recognised but broken, e.g. "no moov box".
    Corrupt(String),
    /// The content is not audio we understand.
    Unsupported(String),
}

impl From<io::Error> for Fault {
    fn from(e: io::Error) -> Self {
        Fault::Io(e)
    }
}

/// Shorthand for a `Fault::Corrupt`.
pub(crate) fn corrupt<T>(reason: impl Into<String>) -> Result<T, Fault> {
    Err(Fault::Corrupt(reason.into()))
}

/// A seekable byte source of known length with a read window.
pub(crate) struct Source<R> {
    inner: R,
    len: u64,
    buf: Vec<u8>,
    /// File offset of `buf[0]`.
    start: u64,
    /// How to open more readers, when the source allows it (local files).
    fork: Option<Fork>,
    /// Every byte is expensive (a remote file): parsers may measure from
    /// headers they can cross-check instead of reading the whole stream.
    sampled: bool,
    /// Bytes read ahead on a miss: [`WINDOW`], or [`SAMPLED_WINDOW`] when
    /// sampling (each sampled place then costs a few KB, not 256).
    read_ahead: usize,
}

impl<R: Read + Seek> Source<R> {
    /// Wraps `inner`, which holds `len` bytes.
    pub(crate) fn new(inner: R, len: u64) -> Self {
        Source {
            inner,
            len,
            buf: Vec::with_capacity(WINDOW),
            start: 0,
            fork: None,
            sampled: false,
            read_ahead: WINDOW,
        }
    }

    /// Marks the source as expensive to read (see `mp3_sampled`).
    pub(crate) fn sampled_reads(mut self) -> Self {
        self.sampled = true;
        self.read_ahead = SAMPLED_WINDOW;
        self
    }

    /// Whether parsers should sample rather than read everything.
    pub(crate) fn sampled(&self) -> bool {
        self.sampled
    }

    /// Lets parsers open independent readers with `fork`.
    pub(crate) fn with_fork(mut self, fork: Fork) -> Self {
        self.fork = Some(fork);
        self
    }

    /// The fork function, if this source has one.
    pub(crate) fn fork(&self) -> Option<Fork> {
        self.fork.clone()
    }

    /// Total length in bytes.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// Up to `n` bytes at `pos` (`n` at most the window size); fewer only at
    /// the end of the source.
    pub(crate) fn peek(&mut self, pos: u64, n: usize) -> io::Result<&[u8]> {
        let n = n.min(WINDOW);
        let end = self.start + self.buf.len() as u64;
        let want_end = (pos + n as u64).min(self.len);
        if pos < self.start || want_end > end {
            self.fill(pos, n)?;
        }
        let from = (pos - self.start) as usize;
        let to = (from + n).min(self.buf.len());
        Ok(self.buf.get(from..to).unwrap_or(&[]))
    }

    /// Exactly `n` bytes at `pos`, or `None` when the source ends first.
    pub(crate) fn exact(&mut self, pos: u64, n: usize) -> io::Result<Option<&[u8]>> {
        let got = self.peek(pos, n)?;
        Ok((got.len() == n).then_some(got))
    }

    /// Reads `n` bytes at `pos` into a new vector (for boxes larger than the
    /// window, e.g. a `moov`); `None` when the source ends first.
    pub(crate) fn read_vec(&mut self, pos: u64, n: usize) -> io::Result<Option<Vec<u8>>> {
        if pos.saturating_add(n as u64) > self.len {
            return Ok(None);
        }
        if n <= WINDOW {
            return Ok(self.exact(pos, n)?.map(<[u8]>::to_vec));
        }
        let mut out = vec![0; n];
        self.inner.seek(SeekFrom::Start(pos))?;
        match self.inner.read_exact(&mut out) {
            Ok(()) => Ok(Some(out)),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Refills the window starting at `pos`.
    fn fill(&mut self, pos: u64, n: usize) -> io::Result<()> {
        self.buf.clear();
        self.start = pos;
        if pos >= self.len {
            return Ok(());
        }
        self.inner.seek(SeekFrom::Start(pos))?;
        let want = (self.len - pos).min(n.max(self.read_ahead) as u64) as usize;
        self.buf.resize(want, 0);
        let mut got = 0;
        while got < want {
            match self.inner.read(&mut self.buf[got..]) {
                Ok(0) => break,
                Ok(k) => got += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.buf.truncate(got);
        Ok(())
    }
}

/// A new source over a forked reader.
pub(crate) fn forked(fork: &Fork, len: u64) -> io::Result<Source<Box<dyn ReadSeek>>> {
    Ok(Source::new(fork()?, len))
}

/// Big-endian u16 at `at` (0 when out of range: callers check lengths first).
pub(crate) fn be16(b: &[u8], at: usize) -> u16 {
    b.get(at..at + 2)
        .map_or(0, |s| u16::from_be_bytes([s[0], s[1]]))
}

/// Big-endian u32 at `at` (0 when out of range).
pub(crate) fn be32(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .map_or(0, |s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

/// Big-endian u64 at `at` (0 when out of range).
pub(crate) fn be64(b: &[u8], at: usize) -> u64 {
    (u64::from(be32(b, at)) << 32) | u64::from(be32(b, at + 4))
}

/// Little-endian u16 at `at` (0 when out of range).
pub(crate) fn le16(b: &[u8], at: usize) -> u16 {
    b.get(at..at + 2)
        .map_or(0, |s| u16::from_le_bytes([s[0], s[1]]))
}

/// Little-endian u32 at `at` (0 when out of range).
pub(crate) fn le32(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .map_or(0, |s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// Little-endian u64 at `at` (0 when out of range).
pub(crate) fn le64(b: &[u8], at: usize) -> u64 {
    u64::from(le32(b, at)) | (u64::from(le32(b, at + 4)) << 32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn peek_serves_across_window_refills() {
        let data: Vec<u8> = (0..600_000u32).map(|i| (i % 251) as u8).collect();
        let mut src = Source::new(Cursor::new(data.clone()), data.len() as u64);
        for pos in [0u64, 262_140, 5, 599_990, 300_000] {
            let got = src.peek(pos, 16).expect("cursor reads");
            let end = (pos as usize + 16).min(data.len());
            assert_eq!(got, &data[pos as usize..end]);
        }
        assert!(src.exact(599_999, 2).expect("cursor reads").is_none());
        let big = src.read_vec(1, 400_000).expect("cursor reads");
        assert_eq!(big.as_deref(), Some(&data[1..400_001]));
    }

    #[test]
    fn integer_helpers_never_panic_out_of_range() {
        assert_eq!(be32(&[1, 2], 0), 0);
        assert_eq!(le16(&[1, 2], 0), 0x0201);
        assert_eq!(be64(&[0, 0, 0, 0, 0, 0, 1, 0], 0), 256);
    }
}
