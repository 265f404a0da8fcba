//! The socket wrapper of the sendfile path (Linux): buffers inside a
//! registered mapping ([`super::mapped`]) go out with `sendfile(2)` from
//! the file at the same offset, a response head before one with `MSG_MORE`;
//! everything else passes through to the socket unchanged.

use std::fs::File;
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, ready};

use rustix::net::{SendAncillaryBuffer, SendFlags};
use tokio::io::{AsyncRead, AsyncWrite, Interest, ReadBuf};
use tokio::net::TcpStream;

use super::mapped::lookup;

/// A TCP stream that sends buffers of registered mappings with
/// `sendfile(2)`; everything else passes through unchanged.
#[derive(Debug)]
pub struct Sendfile {
    inner: TcpStream,
    /// Bytes sent with `sendfile`, added up per server; `None` on the
    /// portable path, where nothing is looked up.
    sent: Option<Arc<AtomicU64>>,
}

impl Sendfile {
    /// Wraps `inner`; `sent: None` passes every buffer through.
    pub fn new(inner: TcpStream, sent: Option<Arc<AtomicU64>>) -> Sendfile {
        Sendfile { inner, sent }
    }

    /// The file and offset to send `buf` from, on the sendfile path.
    fn mapped(&self, buf: &[u8]) -> Option<(Arc<File>, u64)> {
        self.sent.as_ref()?;
        lookup(buf)
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
        let sent = ready!(self.poll_op(cx, || {
            let mut at = offset;
            let n = rustix::fs::sendfile(&self.inner, file, Some(&mut at), len)?;
            if n == 0 {
                // The file is shorter than its mapping: never loop on it.
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            Ok(n)
        }))?;
        if let Some(total) = &self.sent {
            total.fetch_add(sent as u64, Ordering::Relaxed);
        }
        Poll::Ready(Ok(sent))
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
        match self.mapped(buf) {
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
            .find_map(|(i, b)| Some((i, self.mapped(b)?)));
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
