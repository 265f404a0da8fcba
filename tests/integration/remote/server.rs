//! A real HTTP server on `127.0.0.1:0` for the remote tests, serving files
//! from memory with and without range support, plus every kind of bad
//! answer a CDN can give. It counts the body bytes it sends.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The running server; stops when dropped.
pub struct Server {
    addr: SocketAddr,
    stall_addr: SocketAddr,
    state: Arc<Files>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

struct Files {
    files: HashMap<String, Vec<u8>>,
    bytes_served: AtomicU64,
    requests: AtomicU64,
}

impl Server {
    /// Starts a server with `files` (name, bytes) on a thread of its own.
    pub fn start(files: &[(&str, &[u8])]) -> Self {
        let state = Arc::new(Files {
            files: files
                .iter()
                .map(|(n, b)| ((*n).to_string(), b.to_vec()))
                .collect(),
            bytes_served: AtomicU64::new(0),
            requests: AtomicU64::new(0),
        });
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let stall = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let (addr, stall_addr) = (
            listener.local_addr().expect("addr"),
            stall.local_addr().expect("addr"),
        );
        listener.set_nonblocking(true).expect("nonblocking");
        stall.set_nonblocking(true).expect("nonblocking");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = router(Arc::clone(&state));
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                let stall = tokio::net::TcpListener::from_std(stall).expect("listener");
                tokio::spawn(serve_stalling(stall));
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await;
            });
        });
        Self {
            addr,
            stall_addr,
            state,
            _stop: stop,
        }
    }

    /// `http://127.0.0.1:port{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A server that answers a range request with a head and a few bytes,
    /// then goes silent.
    pub fn stalling_url(&self) -> String {
        format!("http://{}/stall.mp3", self.stall_addr)
    }

    /// Body bytes sent so far, all routes.
    pub fn bytes_served(&self) -> u64 {
        self.state.bytes_served.load(Ordering::SeqCst)
    }

    /// Requests answered so far, all routes.
    pub fn requests(&self) -> u64 {
        self.state.requests.load(Ordering::SeqCst)
    }
}

fn router(state: Arc<Files>) -> Router {
    Router::new()
        .route("/ranged/{name}", get(ranged).head(ranged))
        .route("/plain/{name}", get(plain).head(plain))
        .route(
            "/head-refused/{name}",
            get(ranged).head(StatusCode::METHOD_NOT_ALLOWED),
        )
        .route("/moved/{name}", get(moved).head(moved))
        .route("/html", get(html).head(html))
        .route("/loop/a", redirect_to("/loop/b"))
        .route("/loop/b", redirect_to("/loop/a"))
        .route("/chain/{n}", get(chain).head(chain))
        .route("/to-file", redirect_to("file:///etc/passwd"))
        .route("/slow", get(slow).head(slow))
        .route("/changing", get(changing).head(changing))
        .with_state(state)
}

async fn ranged(
    State(s): State<Arc<Files>>,
    Path(name): Path<String>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    let Some(file) = s.files.get(&name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    serve_bytes(&s, file, &method, &headers, true)
}

async fn plain(
    State(s): State<Arc<Files>>,
    Path(name): Path<String>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    let Some(file) = s.files.get(&name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    serve_bytes(&s, file, &method, &headers, false)
}

/// Serves `file`, honouring `Range: bytes=a-b` / `a-` / `-n` when `ranges`.
fn serve_bytes(
    s: &Files,
    file: &[u8],
    method: &Method,
    headers: &HeaderMap,
    ranges: bool,
) -> Response {
    s.requests.fetch_add(1, Ordering::SeqCst);
    let len = file.len() as u64;
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .filter(|_| ranges)
        .map(|v| parse_range(v, len));
    let (status, first, last) = match range {
        None => (StatusCode::OK, 0, len.saturating_sub(1)),
        Some(Some((a, b))) => (StatusCode::PARTIAL_CONTENT, a, b),
        Some(None) => {
            let mut resp = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            resp.headers_mut()
                .insert(header::CONTENT_RANGE, value(&format!("bytes */{len}")));
            return resp;
        }
    };
    let body = if len == 0 {
        &[][..]
    } else {
        &file[first as usize..=last as usize]
    };
    let mut resp = Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "audio/mpeg")
        .header(header::CONTENT_LENGTH, body.len())
        .header(header::ETAG, "\"v1\"");
    if ranges {
        resp = resp.header(header::ACCEPT_RANGES, "bytes");
    }
    if status == StatusCode::PARTIAL_CONTENT {
        resp = resp.header(header::CONTENT_RANGE, format!("bytes {first}-{last}/{len}"));
    }
    let body = if method == Method::HEAD {
        Body::empty()
    } else {
        s.bytes_served
            .fetch_add(body.len() as u64, Ordering::SeqCst);
        Body::from(body.to_vec())
    };
    resp.body(body).expect("response")
}

/// `bytes=a-b`, `bytes=a-`, `bytes=-n` against a file of `len` bytes.
fn parse_range(v: &str, len: u64) -> Option<(u64, u64)> {
    let (a, b) = v.strip_prefix("bytes=")?.split_once('-')?;
    let (first, last) = match (a.parse::<u64>().ok(), b.parse::<u64>().ok()) {
        (Some(a), Some(b)) => (a, b.min(len.checked_sub(1)?)),
        (Some(a), None) => (a, len.checked_sub(1)?),
        (None, Some(n)) => (len.checked_sub(n)?, len.checked_sub(1)?),
        (None, None) => return None,
    };
    (first <= last && last < len).then_some((first, last))
}

async fn moved(Path(name): Path<String>) -> Response {
    redirect(&format!("/ranged/{name}"))
}

async fn chain(Path(n): Path<u32>) -> Response {
    redirect(&format!("/chain/{}", n + 1))
}

/// A route that always redirects to `to` (axum answers HEAD with GET's head).
fn redirect_to(to: &'static str) -> MethodRouter<Arc<Files>> {
    get(move || async move { redirect(to) })
}

fn redirect(to: &str) -> Response {
    let mut resp = StatusCode::FOUND.into_response();
    resp.headers_mut().insert(header::LOCATION, value(to));
    resp
}

async fn html() -> Response {
    let page = "<!DOCTYPE html><html><body>Episode not found</body></html>";
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response()
}

async fn slow() -> Response {
    tokio::time::sleep(Duration::from_secs(3)).await;
    StatusCode::OK.into_response()
}

/// A file that grows by 1000 bytes with every request.
async fn changing(State(s): State<Arc<Files>>, method: Method, headers: HeaderMap) -> Response {
    let n = s.requests.load(Ordering::SeqCst);
    let file = vec![7u8; 200_000 + n as usize * 1000];
    serve_bytes(&s, &file, &method, &headers, true)
}

fn value(s: &str) -> HeaderValue {
    HeaderValue::from_str(s).expect("header value")
}

/// Raw HTTP/1.1: a HEAD answer promising 100 000 bytes with ranges; a GET
/// gets a 206 head and 10 bytes of body, then silence.
async fn serve_stalling(listener: tokio::net::TcpListener) {
    while let Ok((mut conn, _)) = listener.accept().await {
        tokio::spawn(async move {
            let mut req = Vec::new();
            let mut buf = [0u8; 1024];
            while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                match conn.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => req.extend_from_slice(&buf[..n]),
                }
            }
            if req.starts_with(b"HEAD") {
                let head = "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\nAccept-Ranges: bytes\r\n\
                            Content-Type: audio/mpeg\r\nConnection: close\r\n\r\n";
                let _ = conn.write_all(head.as_bytes()).await;
                return;
            }
            let head = "HTTP/1.1 206 Partial Content\r\nContent-Length: 65536\r\n\
                        Content-Range: bytes 0-65535/100000\r\n\r\n0123456789";
            let _ = conn.write_all(head.as_bytes()).await;
            tokio::time::sleep(Duration::from_secs(10)).await;
        });
    }
}
