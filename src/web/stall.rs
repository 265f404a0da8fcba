//! A socket wrapper that fails once no byte has moved either way for a
//! whole period: the defence against a client that asks for an episode and
//! then stops reading (the "slow read" attack), which the header deadline
//! cannot see because its request head arrived in time. Without it such a
//! connection would hold its place under the connection cap for ever.
//!
//! Cheap on the hot path: a read or write that makes progress only sets a
//! flag; the timer is looked at only when an operation has to wait. A
//! stall is therefore noticed between one and two periods after it began.

use std::future::Future as _;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

/// `inner`, failing with `TimedOut` when stalled for `period`.
#[derive(Debug)]
pub struct Stalls<S> {
    inner: S,
    period: Duration,
    timer: Pin<Box<Sleep>>,
    progress: bool,
}

impl<S> Stalls<S> {
    /// Wraps `inner`.
    pub fn new(inner: S, period: Duration) -> Stalls<S> {
        Stalls {
            inner,
            period,
            timer: Box::pin(tokio::time::sleep(period)),
            progress: false,
        }
    }

    /// Called when an operation waits: an error if a whole period has
    /// passed without progress, else the timer is armed for the next one.
    fn check(&mut self, cx: &mut Context<'_>) -> io::Result<()> {
        while self.timer.as_mut().poll(cx).is_ready() {
            if !std::mem::take(&mut self.progress) {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "no data moved on the connection",
                ));
            }
            let next = Instant::now() + self.period;
            self.timer.as_mut().reset(next);
        }
        Ok(())
    }

    /// Notes progress for a finished write of `n` bytes, or checks the
    /// timer for one that waits.
    fn wrote(
        &mut self,
        cx: &mut Context<'_>,
        poll: Poll<io::Result<usize>>,
    ) -> Poll<io::Result<usize>> {
        match poll {
            Poll::Ready(Ok(n)) => {
                self.progress |= n > 0;
                Poll::Ready(Ok(n))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => match self.check(cx) {
                Ok(()) => Poll::Pending,
                Err(e) => Poll::Ready(Err(e)),
            },
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Stalls<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(r) => {
                this.progress |= buf.filled().len() > before;
                Poll::Ready(r)
            }
            Poll::Pending => match this.check(cx) {
                Ok(()) => Poll::Pending,
                Err(e) => Poll::Ready(Err(e)),
            },
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Stalls<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.wrote(cx, poll)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.wrote(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
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

    use super::*;

    #[tokio::test]
    async fn a_stalled_read_fails_and_a_moving_one_does_not() {
        let (client, server) = tokio::io::duplex(64);
        let mut server = Stalls::new(server, Duration::from_secs(1));
        let mut client = client;
        let mut buf = [0u8; 8];
        // A byte every 100 ms: never a whole period without progress.
        for _ in 0..5 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            client.write_all(b"x").await.expect("write");
            assert_eq!(server.read(&mut buf).await.expect("read"), 1);
        }
        // Then nothing: an error within two periods.
        let started = std::time::Instant::now();
        let err = server.read(&mut buf).await.expect_err("stalled");
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert!(started.elapsed() >= Duration::from_millis(900));
    }

    #[tokio::test]
    async fn a_stalled_write_fails() {
        let (_client, server) = tokio::io::duplex(16);
        let mut server = Stalls::new(server, Duration::from_millis(200));
        let err = server.write_all(&[0u8; 1024]).await.expect_err("stalled");
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
    }
}
