//! A byte source symphonia can hold: its `MediaSource` must be `Sync`,
//! which a forked file reader or a remote range reader is not, so the
//! reader sits behind a mutex that is only ever taken by its owner.

use super::source::ReadSeek;
use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Mutex;
use symphonia::core::io::MediaSource;

/// A forked reader that symphonia can hold (`MediaSource` needs `Sync`).
pub(crate) struct Shared {
    inner: Mutex<Box<dyn ReadSeek>>,
    len: u64,
}

impl Shared {
    fn reader(&mut self) -> io::Result<&mut Box<dyn ReadSeek>> {
        self.inner
            .get_mut()
            .map_err(|_| io::Error::other("reader poisoned"))
    }
}

impl Read for Shared {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.reader()?.read(buf)
    }
}

impl Seek for Shared {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.reader()?.seek(pos)
    }
}

impl MediaSource for Shared {
    fn is_seekable(&self) -> bool {
        true
    }

    fn byte_len(&self) -> Option<u64> {
        Some(self.len)
    }
}

impl Shared {
    /// Wraps `inner`, which holds `len` bytes.
    pub(crate) fn new(inner: Box<dyn ReadSeek>, len: u64) -> Self {
        Shared {
            inner: Mutex::new(inner),
            len,
        }
    }
}
