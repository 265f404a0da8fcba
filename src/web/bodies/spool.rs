//! [`Spool`]: a body being written, in the heap until it is big, then in an
//! anonymous file (see the parent module).

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;

use super::{Io, SPILL_AT, Spooled};

/// A body being written: in the heap until it reaches [`SPILL_AT`], then in
/// an anonymous file in `dir`. Without a `dir`, or when no file can be made
/// there, it stays in the heap.
#[derive(Debug)]
pub struct Spool {
    dir: Option<PathBuf>,
    io: Io,
    heap: Vec<u8>,
    file: Option<io::BufWriter<File>>,
    /// Bytes written so far.
    len: u64,
    /// The first write error, returned again by [`Spool::finish`]: a
    /// writer above (brotli's) may drop an error when it finishes.
    failed: Option<(io::ErrorKind, String)>,
}

impl Spool {
    /// An empty spool that spills to `dir`, if given, for a server that
    /// sends the way `io` says.
    pub fn new(dir: Option<&Path>, io: Io) -> Spool {
        Spool {
            dir: dir.map(Path::to_path_buf),
            io,
            heap: Vec::new(),
            file: None,
            len: 0,
            failed: None,
        }
    }

    /// Moves the bytes so far to a new anonymous file; stays in the heap
    /// when the file cannot be made (a read-only folder, say).
    fn spill(&mut self) -> io::Result<()> {
        let Some(dir) = self.dir.take() else {
            return Ok(());
        };
        let file = match tempfile::tempfile_in(&dir) {
            Ok(file) => file,
            Err(e) => {
                tracing::debug!(dir = %dir.display(), error = %e, "feed kept in memory");
                return Ok(());
            }
        };
        let mut file = io::BufWriter::with_capacity(SPILL_AT, file);
        file.write_all(&std::mem::take(&mut self.heap))?;
        self.file = Some(file);
        Ok(())
    }

    /// The bytes written: from the heap, or from the file (mapped on the
    /// sendfile path).
    pub fn finish(self) -> io::Result<Spooled> {
        if let Some((kind, message)) = self.failed {
            return Err(io::Error::new(kind, message));
        }
        let Some(file) = self.file else {
            let mut heap = self.heap;
            heap.shrink_to_fit();
            return Ok(Spooled::Bytes(Bytes::from(heap)));
        };
        let file = file.into_inner().map_err(io::IntoInnerError::into_error)?;
        match self.io {
            #[cfg(target_os = "linux")]
            Io::Sendfile => super::mapped::map_spool(file).map(Spooled::Bytes),
            Io::Portable => Ok(Spooled::File {
                file: Arc::new(file),
                len: self.len,
            }),
        }
    }

    fn write_inner(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = match &mut self.file {
            Some(file) => file.write(buf)?,
            None => {
                self.heap.extend_from_slice(buf);
                if self.heap.len() >= SPILL_AT {
                    self.spill()?;
                }
                buf.len()
            }
        };
        self.len += n as u64;
        Ok(n)
    }

    /// Remembers the first error of `result`.
    fn note<T>(&mut self, result: io::Result<T>) -> io::Result<T> {
        if let Err(e) = &result {
            self.failed.get_or_insert_with(|| (e.kind(), e.to_string()));
        }
        result
    }
}

impl Write for Spool {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.write_inner(buf);
        self.note(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        let flushed = self.file.as_mut().map_or(Ok(()), Write::flush);
        self.note(flushed)
    }
}
