//! The accept loop: our own, on hyper's HTTP/1 connection, instead of
//! `axum::serve`, which has no header deadline, no connection cap and no
//! `TCP_NODELAY` by default, and whose limits cannot be set.
//!
//! Every accepted socket gets `TCP_NODELAY` (a small response otherwise
//! waits ~40 ms for the client's delayed ACK). A semaphore caps open
//! connections: at the cap the loop stops accepting, so new clients wait in
//! the kernel's backlog instead of costing a file descriptor and memory
//! each. hyper closes a connection that has not sent a complete request
//! head within [`Limits::header_timeout`] of starting to wait for one, which
//! is the slowloris deadline on a new connection and the idle keep-alive
//! timeout between requests; a connection on which nothing has moved for
//! [`Limits::stall_timeout`] (a client that stopped reading) is closed too.
//! Accept errors that mean "out of descriptors or
//! memory" pause the loop briefly rather than spinning on them. On shutdown
//! the loop stops accepting, asks every connection to close after its
//! response in flight, and returns when the last one has.
//!
//! HTTP/1.1 only (no h2c): clients reach plain HTTP over HTTP/1.1, and a
//! TLS proxy in front speaks HTTP/1.1 to us; every limit here is an HTTP/1
//! setting of hyper's, and a second protocol would need its own.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, Response};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};

use super::Front;
use super::bodies::{self, Conn};
use super::stall::Stalls;
use super::{access, limits};

/// Deadline for a complete request head, counted from when the server
/// starts waiting for it: on a new connection, and after each response on a
/// kept-alive one (so it is also the idle keep-alive timeout).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// A connection on which no byte has moved either way for this long is
/// closed (see [`super::stall`]); longer than [`super::REQUEST_TIMEOUT`], so
/// a slow handler is never cut off by it.
pub const STALL_TIMEOUT: Duration = Duration::from_secs(60);

/// Connection cap when the descriptor limit cannot be read.
pub const MAX_CONNECTIONS: usize = 512;

/// How long the loop pauses after an accept error such as `EMFILE`.
const ACCEPT_PAUSE: Duration = Duration::from_millis(100);

/// The server's connection limits. Tests shorten them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Open connections at most; further clients wait in the backlog.
    pub max_connections: usize,
    /// See [`HEADER_TIMEOUT`].
    pub header_timeout: Duration,
    /// See [`STALL_TIMEOUT`].
    pub stall_timeout: Duration,
}

impl Default for Limits {
    /// [`HEADER_TIMEOUT`], [`STALL_TIMEOUT`], and a connection cap that fits the process's
    /// descriptor limit: two descriptors a connection (the socket and a
    /// media file being sent), 64 kept back for the catalogue and logs.
    fn default() -> Limits {
        let max_connections = descriptor_limit().map_or(MAX_CONNECTIONS, |n| {
            (n.saturating_sub(64) / 2).clamp(16, 8192)
        });
        Limits {
            max_connections,
            header_timeout: HEADER_TIMEOUT,
            stall_timeout: STALL_TIMEOUT,
        }
    }
}

/// The soft `RLIMIT_NOFILE`, from `/proc/self/limits` (Linux; `None`
/// elsewhere or when unlimited).
fn descriptor_limit() -> Option<usize> {
    let text = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = text.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// Accepts connections on `listener` and serves `front` on each until
/// `shutdown` completes; then finishes the requests in flight.
pub(crate) async fn run(
    listener: TcpListener,
    front: Front,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let cap = u32::try_from(limits.max_connections.max(1)).unwrap_or(u32::MAX);
    let permits = Arc::new(Semaphore::new(cap as usize));
    let (stop, stopping) = watch::channel(false);
    let http = builder(limits);
    let mut warned: Option<Instant> = None;
    tokio::pin!(shutdown);
    loop {
        let next = tokio::select! {
            () = &mut shutdown => break,
            next = next(&listener, &permits) => next,
        };
        match next {
            Ok((stream, permit)) => {
                let peer = stream.peer_addr().ok().map(|a| a.ip());
                let io = front.state.io();
                let stream = bodies::conn(stream, io, &front.state.inner.sent_by_sendfile);
                let stream = Stalls::new(stream, limits.stall_timeout);
                let conn = connection(http.clone(), stream, peer, front.clone(), stopping.clone());
                tokio::spawn(async move {
                    conn.await;
                    drop(permit);
                });
            }
            Err(e) if is_per_connection(&e) => {}
            Err(e) => {
                warn_now_and_then(&e, &mut warned);
                tokio::select! {
                    () = &mut shutdown => break,
                    () = tokio::time::sleep(ACCEPT_PAUSE) => {}
                }
            }
        }
    }
    drop(listener);
    let _ = stop.send(true);
    // Every connection holds a permit until it has closed.
    let _all = permits.acquire_many(cap).await;
    Ok(())
}

/// Logs an accept error at most every ten seconds: it repeats every
/// [`ACCEPT_PAUSE`] for as long as descriptors are short.
fn warn_now_and_then(e: &io::Error, warned: &mut Option<Instant>) {
    if warned.is_none_or(|t| t.elapsed() > Duration::from_secs(10)) {
        tracing::warn!(error = %e, "cannot accept connections; pausing");
        *warned = Some(Instant::now());
    }
}

/// hyper's HTTP/1 settings: the timer its header deadline needs, the
/// deadline, and the longest head it reads (see [`limits::MAX_HEAD`]).
fn builder(limits: Limits) -> http1::Builder {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_header_size(limits::MAX_HEAD);
    http
}

/// A permit, then a connection.
async fn next(
    listener: &TcpListener,
    permits: &Arc<Semaphore>,
) -> io::Result<(TcpStream, OwnedSemaphorePermit)> {
    let permit = Arc::clone(permits)
        .acquire_owned()
        .await
        .map_err(io::Error::other)?;
    let stream = accept(listener).await?;
    Ok((stream, permit))
}

/// Accepts one connection, with `TCP_NODELAY` set: responses are written
/// whole, so Nagle's algorithm only delays their last segment.
pub async fn accept(listener: &TcpListener) -> io::Result<TcpStream> {
    let (stream, _) = listener.accept().await?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// Errors that concern one connection only (it was reset before we took
/// it); anything else, like `EMFILE`, concerns the whole process.
fn is_per_connection(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionRefused
            | io::ErrorKind::Interrupted
            | io::ErrorKind::NotConnected
    )
}

/// Serves one connection until it closes, or until shutdown is asked for
/// and its response in flight has been sent.
async fn connection(
    http: http1::Builder,
    stream: Stalls<Conn>,
    peer: Option<std::net::IpAddr>,
    front: Front,
    mut stopping: watch::Receiver<bool>,
) {
    let service = hyper::service::service_fn(move |req| handle(front.clone(), peer, req));
    let conn = http.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    let result = tokio::select! {
        result = conn.as_mut() => result,
        () = stopped(&mut stopping) => {
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = result {
        // Timeouts, resets and malformed requests hyper answered itself.
        tracing::debug!(error = %e, "connection closed");
    }
}

/// Completes once shutdown has been asked for (or the loop is gone).
async fn stopped(stopping: &mut watch::Receiver<bool>) {
    // The `Ref` it returns holds a lock: drop it here, not across an await.
    let _ = stopping.wait_for(|stop| *stop).await.is_ok();
}

/// One request: the limits, then the routes; logged, and counted for the
/// listening statistics when it is an audio or feed `GET`.
async fn handle(
    front: Front,
    peer: Option<std::net::IpAddr>,
    req: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    let entry = access::Entry::start(&req);
    let noted = peer.and_then(|_| super::counting::Noted::of(&front.state, &req));
    let res = match limits::check(&req) {
        Err(rejected) => rejected.response_for(req.uri().path()),
        Ok(()) => front.call(req).await,
    };
    if let (Some(noted), Some(peer)) = (noted, peer) {
        noted.count(&front.state, peer, &res);
    }
    if let Some(entry) = entry {
        entry.finish(&res);
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn accepted_sockets_have_nodelay() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let client = tokio::spawn(TcpStream::connect(addr));
        let server_side = accept(&listener).await.expect("accept");
        assert!(server_side.nodelay().expect("nodelay"), "TCP_NODELAY");
        client.await.expect("join").expect("connect");
    }

    #[test]
    fn only_resets_are_per_connection() {
        assert!(is_per_connection(&io::ErrorKind::ConnectionAborted.into()));
        let emfile = io::Error::from_raw_os_error(24);
        assert!(!is_per_connection(&emfile), "EMFILE pauses the loop");
    }

    #[test]
    fn the_default_cap_fits_the_descriptor_limit() {
        let limits = Limits::default();
        assert!(limits.max_connections >= 16);
        if let Some(n) = descriptor_limit() {
            assert!(limits.max_connections * 2 < n.max(64), "{limits:?} for {n}");
        }
    }
}
