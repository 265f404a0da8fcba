//! A real HTTP server on `127.0.0.1:0` for `import-feed`: feeds and audio
//! from memory with range support (files can change between runs), a slow
//! mode that trickles audio so a download can be killed half-way, and the
//! bad answers an old host can give. It records every `Range` asked for.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// The running server; stops when dropped.
pub struct Server {
    addr: SocketAddr,
    state: Arc<Files>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

#[derive(Default)]
struct Files {
    files: Mutex<HashMap<String, Vec<u8>>>,
    ranges: Mutex<Vec<String>>,
    slow: AtomicBool,
}

impl Server {
    pub fn start() -> Self {
        let state = Arc::new(Files::default());
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        listener.set_nonblocking(true).expect("nonblocking");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = Router::new()
            .route("/f/{name}", get(file).head(file))
            .route("/status/{code}", get(status))
            .route("/loop/a", get(|| async { redirect("/loop/b") }))
            .route("/loop/b", get(|| async { redirect("/loop/a") }))
            .route("/slow", get(slow))
            .route("/endless", get(endless))
            .with_state(Arc::clone(&state));
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await;
            });
        });
        Self {
            addr,
            state,
            _stop: stop,
        }
    }

    /// `http://127.0.0.1:port{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Serves `bytes` at `/f/{name}` from now on.
    pub fn put(&self, name: &str, bytes: impl Into<Vec<u8>>) {
        let mut files = self.state.files.lock().expect("lock");
        files.insert(name.to_string(), bytes.into());
    }

    /// Trickles audio bodies (a few KB every 50 ms) while `on`.
    pub fn set_slow(&self, on: bool) {
        self.state.slow.store(on, Ordering::SeqCst);
    }

    /// Every `Range` header received, in order.
    pub fn ranges(&self) -> Vec<String> {
        self.state.ranges.lock().expect("lock").clone()
    }
}

async fn file(
    State(s): State<Arc<Files>>,
    Path(name): Path<String>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    let Some(bytes) = s.files.lock().expect("lock").get(&name).cloned() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let len = bytes.len() as u64;
    let range = headers.get(header::RANGE).and_then(|v| v.to_str().ok());
    if let Some(r) = range {
        s.ranges.lock().expect("lock").push(r.to_string());
    }
    let (status, first, last) = match range.and_then(|r| parse_range(r, len)) {
        Some((a, b)) => (StatusCode::PARTIAL_CONTENT, a, b),
        None => (StatusCode::OK, 0, len.saturating_sub(1)),
    };
    let body = bytes[first as usize..=last as usize].to_vec();
    let kind = match name.rsplit('.').next() {
        Some("mp3") => "audio/mpeg",
        Some("html") => "text/html; charset=utf-8",
        Some("json") => "application/json",
        _ => "application/rss+xml",
    };
    // A strong ETag per content, as static file servers send.
    let etag = format!("\"{:x}\"", {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        bytes.hash(&mut h);
        h.finish()
    });
    let mut resp = Response::builder()
        .status(status)
        .header(header::ETAG, etag)
        .header(header::CONTENT_TYPE, kind)
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::CONTENT_LENGTH, body.len());
    if name.ends_with(".gz") {
        resp = resp.header(header::CONTENT_ENCODING, "gzip");
    }
    if status == StatusCode::PARTIAL_CONTENT {
        resp = resp.header(header::CONTENT_RANGE, format!("bytes {first}-{last}/{len}"));
    }
    if method == Method::HEAD {
        return resp.body(Body::empty()).expect("response");
    }
    if s.slow.load(Ordering::SeqCst) && kind == "audio/mpeg" {
        let chunks: Vec<Vec<u8>> = body.chunks(2048).map(<[u8]>::to_vec).collect();
        let stream = futures_util::stream::iter(chunks).then(|c| async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            Ok::<_, std::io::Error>(c)
        });
        return resp.body(Body::from_stream(stream)).expect("response");
    }
    resp.body(Body::from(body)).expect("response")
}

use futures_util::StreamExt as _;

/// `bytes=a-b` or `bytes=a-` within `len`.
fn parse_range(v: &str, len: u64) -> Option<(u64, u64)> {
    let (a, b) = v.strip_prefix("bytes=")?.split_once('-')?;
    let first: u64 = a.parse().ok()?;
    let last = b
        .parse::<u64>()
        .map_or(len.checked_sub(1)?, |b| b.min(len - 1));
    (first <= last).then_some((first, last))
}

async fn status(Path(code): Path<u16>) -> Response {
    StatusCode::from_u16(code)
        .unwrap_or(StatusCode::IM_A_TEAPOT)
        .into_response()
}

fn redirect(to: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, to.to_string())]).into_response()
}

async fn slow() -> Response {
    tokio::time::sleep(Duration::from_secs(5)).await;
    StatusCode::OK.into_response()
}

/// 60 MB of feed-looking bytes, with no Content-Length (chunked).
async fn endless() -> Response {
    let chunk = vec![b' '; 1 << 20];
    let stream =
        futures_util::stream::iter((0..60).map(move |_| Ok::<_, std::io::Error>(chunk.clone())));
    Response::builder()
        .header(header::CONTENT_TYPE, "application/rss+xml")
        .body(Body::from_stream(stream))
        .expect("response")
}
