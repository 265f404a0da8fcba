//! File operations whose system calls differ between Unix and Windows,
//! behind one signature: positional reads, and making a rename durable.
//!
//! Positional reads let several readers share one open file without a
//! cursor (the probe's parallel MP3 walk, the media server's concurrent
//! ranges). On Windows `seek_read` also moves the file's cursor, which no
//! caller here uses. The other platform differences live where they matter
//! and say so: the server's fast path in `web::bodies`, the allocator
//! setting in `web::memory`, shutdown signals in `web::shutdown_signal`,
//! `SIGXFSZ` in `main.rs` and the copy lock in `ingest::media`.
//! ARCHITECTURE.md lists them.

use std::fs::File;
use std::io;

/// Reads up to `buf.len()` bytes of `file` at `offset`; fewer only at the
/// end of the file (or on an interrupted read), `0` past it.
pub fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_at(file, buf, offset)
    }
    #[cfg(windows)]
    {
        std::os::windows::fs::FileExt::seek_read(file, buf, offset)
    }
}

/// Fills `buf` from `file` at `offset`, or fails with `UnexpectedEof` when
/// the file ends first.
pub fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    while !buf.is_empty() {
        match read_at(file, buf, offset) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// `len` bytes of `file` from `offset` in a new buffer. On Unix they are
/// read straight into the buffer's spare capacity, with no zeroing first
/// (a measurable share of serving a 1 MiB range).
pub fn read_vec_at(file: &File, offset: u64, len: usize) -> io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(len);
    #[cfg(unix)]
    while buf.len() < len {
        let at = offset + buf.len() as u64;
        let n = rustix::io::pread(file, rustix::buffer::spare_capacity(&mut buf), at)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
    }
    #[cfg(not(unix))]
    {
        buf.resize(len, 0);
        read_exact_at(file, &mut buf, offset)?;
    }
    Ok(buf)
}

/// Makes the entries of `dir` durable after a rename into it (the copy
/// into `media/`, a backup). On Unix that is an `fsync` of the folder; a
/// Windows folder cannot be opened as a file, and NTFS journals the rename
/// itself, so there it does nothing.
pub fn sync_dir(dir: &std::path::Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;

    fn file_with(bytes: &[u8]) -> File {
        let mut f = tempfile::tempfile().expect("temp file");
        f.write_all(bytes).expect("write");
        f
    }

    #[test]
    fn reads_at_an_offset_without_moving_anything_shared() {
        let f = file_with(b"0123456789");
        let mut buf = [0u8; 3];
        read_exact_at(&f, &mut buf, 4).expect("read");
        assert_eq!(&buf, b"456");
        read_exact_at(&f, &mut buf, 1).expect("read");
        assert_eq!(&buf, b"123");
        assert_eq!(read_vec_at(&f, 7, 3).expect("vec"), b"789");
        assert_eq!(read_at(&f, &mut buf, 10).expect("at end"), 0);
    }

    #[test]
    fn a_read_past_the_end_is_an_unexpected_eof() {
        let f = file_with(b"0123");
        let mut buf = [0u8; 3];
        let e = read_exact_at(&f, &mut buf, 2).expect_err("short");
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        let e = read_vec_at(&f, 2, 3).expect_err("short");
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
    }
}
