//! Big response bodies kept in files and sent with `sendfile(2)`, the way
//! nginx sends a static file, instead of copied out of the heap.
//!
//! Why: the feed of a large catalogue is tens of MB (22 MB plain for 10,000
//! episodes). Held in the heap, it counts whole in the server's resident
//! memory, and every `write(2)` of it copies it into the socket: that copy
//! was most of the CPU a feed request cost. nginx keeps the same bytes in
//! the page cache, which the kernel may drop and read back, and hands its
//! pages to the socket without a copy.
//!
//! How: a [`Spool`] collects a body as it is produced; past [`SPILL_AT`]
//! it moves to an anonymous temporary file (unlinked, so it vanishes with
//! the process, even after `SIGKILL`). [`Spool::finish`] maps the file
//! read-only and returns the mapping as ordinary [`Bytes`], which work
//! everywhere bytes do (a test reading the body in-process reads the file).
//! The mapping's address range is registered; [`Sendfile`], the socket
//! wrapper the accept loop gives hyper, looks up every buffer hyper asks it
//! to write, and for one inside a registered range calls `sendfile` from
//! the file at the same offset instead of `write`. The process never touches
//! those pages, so they are not part of its resident set.
//!
//! Audio and images go the same way: [`map_media`] maps the requested range
//! of the media file itself, so a 1 MiB range or a whole episode is sent
//! without being read into the process (see its SAFETY note for files
//! changed by other programs while mapped).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, IoSlice, Write};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use rustix::net::{SendAncillaryBuffer, SendFlags};
use tokio::io::{AsyncRead, AsyncWrite, Interest, ReadBuf};
use tokio::net::TcpStream;

/// Bodies up to this size stay in the heap: copying them is cheaper than a
/// file, a mapping and a second system call. Measured: the gzip feed of
/// 1,000 episodes (84 kB) spent 45% of its CPU in the copy into the socket
/// when kept in the heap; sent from a file it costs nginx's CPU per request.
pub const SPILL_AT: usize = 64 << 10;

/// A registered mapping: the address range of its bytes, and the file
/// that holds them from offset `base` on.
struct Region {
    id: u64,
    len: usize,
    file: Arc<File>,
    base: u64,
}

/// Every live mapping, by start address: the feeds' made by
/// [`Spool::finish`] (the show's feed in three codings, and the previous
/// revision's while a response still sends it) and one per media response
/// in flight ([`map_media`]).
static REGIONS: RwLock<BTreeMap<usize, Region>> = RwLock::new(BTreeMap::new());

/// Names regions, so a mapping removes its own entry and no other.
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

/// The file behind `buf` and the offset of `buf` in it, when `buf` lies
/// wholly inside a registered mapping.
fn lookup(buf: &[u8]) -> Option<(Arc<File>, u64)> {
    if buf.is_empty() {
        return None;
    }
    let addr = buf.as_ptr().addr();
    let regions = REGIONS.read().unwrap_or_else(PoisonError::into_inner);
    let (start, r) = regions.range(..=addr).next_back()?;
    if addr + buf.len() > start + r.len {
        return None;
    }
    let offset = r.base + u64::try_from(addr - start).ok()?;
    Some((Arc::clone(&r.file), offset))
}

/// Registers `map`, whose bytes are those of `file` from `base` on, and
/// returns it as [`Bytes`] that unregister it when the last clone drops.
fn register(map: memmap2::Mmap, file: Arc<File>, base: u64) -> Bytes {
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    REGIONS
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(
            map.as_ptr().addr(),
            Region {
                id,
                len: map.len(),
                file,
                base,
            },
        );
    Bytes::from_owner(Mapped { map, id })
}

/// The owner of a mapping inside [`Bytes`]: unregisters it before it is
/// unmapped, so an address reused by a later mapping never finds this file.
struct Mapped {
    map: memmap2::Mmap,
    id: u64,
}

impl AsRef<[u8]> for Mapped {
    fn as_ref(&self) -> &[u8] {
        &self.map
    }
}

impl Drop for Mapped {
    fn drop(&mut self) {
        let start = self.map.as_ptr().addr();
        let mut regions = REGIONS.write().unwrap_or_else(PoisonError::into_inner);
        if regions.get(&start).is_some_and(|r| r.id == self.id) {
            regions.remove(&start);
        }
    }
}

/// Maps `file` read-only.
#[allow(unsafe_code)]
fn map(file: &File) -> io::Result<memmap2::Mmap> {
    // SAFETY: a mapping is only sound while nobody changes the file. This
    // one is an unlinked temporary file that no other process can open by
    // name; its only descriptor is ours, it was written completely before
    // this call and is never written, truncated or resized again.
    unsafe { memmap2::Mmap::map(file) }
}

/// `count` bytes of the media file `file` from `start`, as [`Bytes`] that
/// [`Sendfile`] sends with `sendfile`: no read into the heap, no copy into
/// the socket, no resident memory however many listeners download.
///
/// Only for bodies the server never reads itself: audio and images, which
/// the compression layer passes through untouched (see the SAFETY note).
pub fn map_media(file: Arc<File>, start: u64, count: usize) -> io::Result<Bytes> {
    let map = map_range(&file, start, count)?;
    Ok(register(map, file, start))
}

#[allow(unsafe_code)]
fn map_range(file: &File, start: u64, count: usize) -> io::Result<memmap2::Mmap> {
    // SAFETY: unlike a spooled feed, a media file can be changed by another
    // program while mapped (a producer copying over it in place), and then
    // reading the mapping could see bytes change or, past a truncation,
    // fault with SIGBUS. The server never reads it: the bytes only go to a
    // socket through `Sendfile`, which hands the kernel the file and offset
    // instead (and gets a short count, not a fault, from a truncated file),
    // and `map_media`'s callers keep it to types no layer reads. The CLI
    // itself only replaces media files under new names, never in place.
    unsafe {
        memmap2::MmapOptions::new()
            .offset(start)
            .len(count)
            .map(file)
    }
}

/// A body being written: in the heap until it reaches [`SPILL_AT`], then in
/// an anonymous file in `dir` (see the module docs). Without a `dir`, or
/// when no file can be made there, it stays in the heap.
#[derive(Debug)]
pub struct Spool {
    dir: Option<PathBuf>,
    heap: Vec<u8>,
    file: Option<io::BufWriter<File>>,
    /// The first write error, returned again by [`Spool::finish`]: a
    /// writer above (brotli's) may drop an error when it finishes.
    failed: Option<(io::ErrorKind, String)>,
}

impl Spool {
    /// An empty spool that spills to `dir`, if given.
    pub fn new(dir: Option<&Path>) -> Spool {
        Spool {
            dir: dir.map(Path::to_path_buf),
            heap: Vec::new(),
            file: None,
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

    /// The bytes written, mapped from the file when they spilled.
    pub fn finish(self) -> io::Result<Bytes> {
        if let Some((kind, message)) = self.failed {
            return Err(io::Error::new(kind, message));
        }
        let Some(file) = self.file else {
            let mut heap = self.heap;
            heap.shrink_to_fit();
            return Ok(Bytes::from(heap));
        };
        let file = file.into_inner().map_err(io::IntoInnerError::into_error)?;
        let map = map(&file)?;
        Ok(register(map, Arc::new(file), 0))
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

impl Spool {
    fn write_inner(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Some(file) = &mut self.file {
            return file.write(buf);
        }
        self.heap.extend_from_slice(buf);
        if self.heap.len() >= SPILL_AT {
            self.spill()?;
        }
        Ok(buf.len())
    }

    /// Remembers the first error of `result`.
    fn note<T>(&mut self, result: io::Result<T>) -> io::Result<T> {
        if let Err(e) = &result {
            self.failed.get_or_insert_with(|| (e.kind(), e.to_string()));
        }
        result
    }
}

/// A TCP stream that sends buffers of registered mappings with
/// `sendfile(2)`; everything else passes through unchanged.
#[derive(Debug)]
pub struct Sendfile {
    inner: TcpStream,
}

impl Sendfile {
    /// Wraps `inner`.
    pub fn new(inner: TcpStream) -> Sendfile {
        Sendfile { inner }
    }

    /// Runs `op` once the socket is writable, again after each spurious
    /// wake-up (`WouldBlock` clears tokio's readiness).
    fn poll_op(
        &self,
        cx: &mut Context<'_>,
        op: impl Fn() -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        loop {
            ready!(self.inner.poll_write_ready(cx))?;
            match self.inner.try_io(Interest::WRITABLE, &op) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                done => return Poll::Ready(done),
            }
        }
    }

    /// Sends `len` bytes of `file` from `offset`; as much as the socket
    /// takes now.
    fn poll_sendfile(
        &self,
        cx: &mut Context<'_>,
        file: &File,
        offset: u64,
        len: usize,
    ) -> Poll<io::Result<usize>> {
        self.poll_op(cx, || {
            let mut at = offset;
            let n = rustix::fs::sendfile(&self.inner, file, Some(&mut at), len)?;
            if n == 0 {
                // The file is shorter than its mapping: never loop on it.
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            Ok(n)
        })
    }

    /// Writes `bufs` (the head of a response) telling the kernel more
    /// follows at once, so the head and the first file pages share packets
    /// despite `TCP_NODELAY`, as with nginx's `tcp_nopush`.
    fn poll_write_more(
        &self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.poll_op(cx, || {
            let flags = SendFlags::MORE | SendFlags::NOSIGNAL;
            let n = rustix::net::sendmsg(
                &self.inner,
                bufs,
                &mut SendAncillaryBuffer::default(),
                flags,
            )?;
            Ok(n)
        })
    }
}

impl AsyncRead for Sendfile {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Sendfile {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match lookup(buf) {
            Some((file, offset)) => self.poll_sendfile(cx, &file, offset, buf.len()),
            None => Pin::new(&mut self.get_mut().inner).poll_write(cx, buf),
        }
    }

    /// hyper hands the response head and body together: the buffers
    /// before the first mapped one go out with one `writev`-like call, a
    /// mapped one with `sendfile`; hyper calls again for the rest.
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let mapped = bufs
            .iter()
            .enumerate()
            .find_map(|(i, b)| Some((i, lookup(b)?)));
        match mapped {
            None => Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs),
            Some((0, (file, offset))) => self.poll_sendfile(cx, &file, offset, bufs[0].len()),
            Some((i, _)) => self.poll_write_more(cx, &bufs[..i]),
        }
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    use tokio::net::TcpListener;

    use super::*;

    fn spooled(dir: &Path, bytes: &[u8]) -> Bytes {
        let mut spool = Spool::new(Some(dir));
        for chunk in bytes.chunks(10_000) {
            spool.write_all(chunk).expect("write");
        }
        spool.finish().expect("finish")
    }

    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i % 251) as u8).collect()
    }

    #[test]
    fn small_bodies_stay_in_the_heap_and_big_ones_are_mapped() {
        let dir = tempfile::tempdir().expect("dir");
        let small = spooled(dir.path(), b"<rss/>");
        assert_eq!(&small[..], b"<rss/>");
        assert!(lookup(&small).is_none());
        let data = pattern(SPILL_AT * 3 + 17);
        let big = spooled(dir.path(), &data);
        assert_eq!(
            &big[..],
            &data[..],
            "read in-process, the mapping has the bytes"
        );
        let (_, offset) = lookup(&big[1000..2000]).expect("registered");
        assert_eq!(offset, 1000);
        // Nothing is left in the folder: the file has no name.
        assert_eq!(std::fs::read_dir(dir.path()).expect("ls").count(), 0);
        let id = {
            let regions = REGIONS.read().unwrap_or_else(PoisonError::into_inner);
            regions.get(&big.as_ptr().addr()).map(|r| r.id)
        };
        let id = id.expect("registered");
        drop(big);
        let regions = REGIONS.read().unwrap_or_else(PoisonError::into_inner);
        assert!(
            !regions.values().any(|r| r.id == id),
            "unregistered on drop"
        );
    }

    #[test]
    fn without_a_usable_folder_the_body_stays_in_the_heap() {
        let data = pattern(SPILL_AT * 2);
        let mut spool = Spool::new(Some(Path::new("/nonexistent/podcatalog")));
        spool.write_all(&data).expect("write");
        let bytes = spool.finish().expect("finish");
        assert_eq!(&bytes[..], &data[..]);
        assert!(lookup(&bytes).is_none());
    }

    /// The head goes out with `sendmsg`, the mapped body with `sendfile`,
    /// a slice of it from the right offset: the peer reads the very bytes.
    #[tokio::test]
    async fn mapped_buffers_reach_the_peer_intact() {
        let dir = tempfile::tempdir().expect("dir");
        let data = pattern(SPILL_AT * 8 + 5);
        let body = spooled(dir.path(), &data);
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let reader = tokio::spawn(async move {
            let mut client = TcpStream::connect(addr).await.expect("connect");
            let mut got = Vec::new();
            client.read_to_end(&mut got).await.expect("read");
            got
        });
        let (stream, _) = listener.accept().await.expect("accept");
        let mut conn = Sendfile::new(stream);
        let part = body.slice(3..);
        let mut bufs: Vec<&[u8]> = vec![b"HEAD\r\n", b"more\r\n", &part[..]];
        while !bufs.is_empty() {
            let slices: Vec<IoSlice<'_>> = bufs.iter().map(|b| IoSlice::new(b)).collect();
            let mut n = conn.write_vectored(&slices).await.expect("write");
            while n > 0 {
                let first = bufs[0];
                if n >= first.len() {
                    n -= first.len();
                    bufs.remove(0);
                } else {
                    bufs[0] = &first[n..];
                    n = 0;
                }
            }
        }
        conn.write_all(b"tail").await.expect("tail");
        conn.shutdown().await.expect("shutdown");
        drop(conn);
        let got = reader.await.expect("join");
        let mut want = b"HEAD\r\nmore\r\n".to_vec();
        want.extend_from_slice(&data[3..]);
        want.extend_from_slice(b"tail");
        assert_eq!(got.len(), want.len());
        assert!(got == want, "the peer got other bytes");
    }
}
