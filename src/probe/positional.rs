//! A file read with positional reads (`pread`), so several walkers can read
//! one open file at once without sharing a cursor.
//!
//! `probe_file` wraps its file in [`Positional`] and hands `Source` a way to
//! open more readers over the same file; `mp3_parallel` uses them to walk
//! the halves of a long file on different cores. Remote sources do not fork.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Arc;

/// A cursor over a shared file, reading with `read_at`.
#[derive(Debug, Clone)]
pub(crate) struct Positional {
    file: Arc<File>,
    len: u64,
    pos: u64,
}

impl Positional {
    /// A cursor at the start of `file`, which holds `len` bytes.
    pub(crate) fn new(file: Arc<File>, len: u64) -> Self {
        Positional { file, len, pos: 0 }
    }
}

impl Read for Positional {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = crate::platform::read_at(&self.file, buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for Positional {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = target
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before the start"))?;
        Ok(self.pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn two_cursors_read_independently() {
        let mut tmp = tempfile::tempfile().expect("temp file");
        tmp.write_all(b"0123456789").expect("write");
        let file = Arc::new(tmp);
        let (mut a, mut b) = (Positional::new(file.clone(), 10), Positional::new(file, 10));
        let mut buf = [0u8; 3];
        b.seek(SeekFrom::End(-3)).expect("seek");
        a.read_exact(&mut buf).expect("read");
        assert_eq!(&buf, b"012");
        b.read_exact(&mut buf).expect("read");
        assert_eq!(&buf, b"789");
        assert!(a.seek(SeekFrom::Current(-10)).is_err());
    }
}
