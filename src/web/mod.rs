//! The HTTP server podcast apps talk to: the feeds and the media files.
//!
//! [`app`] lists every route; handlers extract, call `feed` or the file
//! system, and build a response; [`Error`] maps failures to statuses in one
//! place. [`serve`] takes an already-bound listener (tests bind
//! `127.0.0.1:0`) and a shutdown future. SQLite is only touched through
//! `spawn_blocking`. The listener website (HTML pages, search and its JSON
//! API, the stylesheet and script) lives in [`pages`] and [`assets`]; every
//! response gets the security headers of [`headers`], and text responses
//! are compressed ([`compress`]). The accept loop, its connection limits and
//! the request limits are in [`server`] and [`limits`]; the request log in
//! [`access`]. Big feeds and media leave the process from files, with
//! `sendfile` on Linux or plain writes ([`Io`]), in the private `bodies`.

pub mod access;
pub mod assets;
mod bodies;
mod buffers;
pub mod compress;
mod conditional;
mod counting;
mod error;
mod feeds;
pub mod headers;
pub mod i18n;
pub mod limits;
mod media;
pub mod memory;
pub mod pages;
pub mod path;
pub mod range;
pub mod server;
mod stall;
mod statistics;

use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use rusqlite::Connection;
use tokio::net::TcpListener;
use tower_http::timeout::TimeoutLayer;

pub use bodies::{Io, PORTABLE_IO_ENV};
pub use conditional::{Validators, accepts_gzip};
pub use error::Error;
pub use feeds::POLL_INTERVAL;
pub use media::content_type;
pub use server::Limits;

use crate::config::Config;

/// How long a handler may take to produce response headers. Streaming a
/// body afterwards is not limited (a slow listener may take an hour).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// What every handler shares: the config, the catalogue, the feed cache.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
    /// How big bodies are sent; set before the server starts.
    io: Io,
}

struct Inner {
    config: Config,
    db: Mutex<Connection>,
    media_root: PathBuf,
    cache: feeds::FeedCache,
    pages: pages::Cache,
    stats: Option<Arc<crate::stats::live::Recorder>>,
    /// Bytes this server sent with `sendfile` (see [`AppState::sendfile_bytes`]).
    sent_by_sendfile: Arc<AtomicU64>,
}

impl AppState {
    /// State for serving `config` from the open catalogue `conn`. The media
    /// folder must exist (its canonical path bounds every file served).
    pub fn new(config: Config, conn: Connection) -> anyhow::Result<AppState> {
        use anyhow::Context as _;
        let media_root = std::fs::canonicalize(&config.server.media_dir)
            .with_context(|| format!("media folder {}", config.server.media_dir.display()))?;
        let revision = crate::catalog::revision(&conn)?;
        let search = crate::search::Search::new(config.server.database.clone());
        let stats = if config.stats.enabled {
            let episodes = crate::catalog::episodes::list(&conn)?;
            let index = crate::stats::index::MediaIndex::new(&episodes, &config.server.media_dir);
            let proxies = config.stats.trusted_proxies.clone();
            Some(Arc::new(crate::stats::live::Recorder::new(index, proxies)))
        } else {
            None
        };
        Ok(AppState {
            inner: Arc::new(Inner {
                config,
                db: Mutex::new(conn),
                media_root,
                cache: feeds::FeedCache::new(revision),
                pages: pages::Cache::new(search),
                stats,
                sent_by_sendfile: Arc::default(),
            }),
            io: Io::native(),
        })
    }

    /// The same state, sending big bodies the way `io` says (the default
    /// is [`Io::native`]). Call before serving.
    #[must_use]
    pub fn with_io(mut self, io: Io) -> AppState {
        self.io = io;
        self
    }

    /// How this state's server sends big bodies.
    pub fn io(&self) -> Io {
        self.io
    }

    /// Bytes the server sent with `sendfile(2)` so far: how a test tells
    /// that the fast path ran (a fallback to plain writes sends the same
    /// bytes), and the benchmark that the portable path did not.
    pub fn sendfile_bytes(&self) -> u64 {
        self.inner.sent_by_sendfile.load(Ordering::Relaxed)
    }

    /// The configuration being served.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The download counter, when `[stats] enabled` (the default).
    pub fn stats(&self) -> Option<&Arc<crate::stats::live::Recorder>> {
        self.inner.stats.as_ref()
    }
}

/// Every route of the server.
pub fn app(state: AppState) -> Router {
    let feed = format!("/{}", state.config().server.feed_path);
    Router::new()
        .route("/media/{*path}", get(media::file))
        .route("/", get(pages::home))
        .route("/avsnitt/{slug}", get(pages::episode))
        .route("/kapitel/{file}", get(pages::chapters::file))
        .route("/kapitel/{slug}/{file}", get(pages::chapters::image))
        .route("/personer", get(pages::people))
        .route("/personer/{slug}", get(pages::person))
        .route("/teman/{slug}", get(pages::theme))
        .route("/sok", get(pages::search_page))
        .route("/api/search", get(pages::search_api))
        .route("/statistik", get(statistics::page))
        .route("/assets/{name}", get(assets::file))
        // Compression for the routes above only: the feeds below are kept
        // precompressed, and their polls (mostly 304s) are the hot path.
        .route_layer(compress::layer())
        .route(&feed, get(feeds::show))
        .route("/personer/{slug}/feed.xml", get(feeds::person))
        .route("/teman/{slug}/feed.xml", get(feeds::theme))
        .fallback(pages::not_found)
        .layer(axum::middleware::map_response(finish))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .with_state(state)
}

/// Last touches on every response, after compression: the security
/// headers, and a weak ETag on what was compressed.
///
/// A `304` gets no security headers: RFC 9110 §15.4.5 lists what it
/// carries (validators, `Cache-Control`, `Vary`, …) and asks for no other
/// metadata, and a cache keeps the stored response's headers. Feed polls
/// are mostly `304`s, so this also keeps the hottest answer small.
async fn finish(res: Response) -> Response {
    if res.status() == StatusCode::NOT_MODIFIED {
        return res;
    }
    let mut res = headers::add(res).await;
    compress::weaken_etag(&mut res);
    res
}

/// Serves `state` on `listener` until `shutdown` completes, then finishes
/// the requests in flight. The catalogue watcher runs as long as the server.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, state, Limits::default(), shutdown).await
}

/// [`serve`] with other connection limits than the defaults.
pub async fn serve_with(
    listener: TcpListener,
    state: AppState,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let watcher = tokio::spawn(feeds::watch(state.clone()));
    let flusher = tokio::spawn(counting::flush_every(state.clone()));
    let front = Front::new(state.clone());
    let result = server::run(listener, front, limits, shutdown).await;
    watcher.abort();
    flusher.abort();
    // The last counts, after the last response.
    let _ = tokio::task::spawn_blocking(move || counting::flush(&state, None)).await;
    result
}

/// What the accept loop hands each request to: the show's feed straight
/// from the feed cache, everything else to the router.
///
/// Why a path around the router: apps poll the feed all day, mostly
/// answered `304`, and for those the router's layers (the request timeout's
/// timer, the response middleware, routing) were a third of the server's
/// own CPU per request, putting it level with nginx instead of under it.
/// The answer is the same as the router's ([`feeds::show`] then
/// [`finish`]); anything unusual (a render error, another method) goes
/// through the router as before.
#[derive(Clone)]
pub(crate) struct Front {
    router: Router,
    state: AppState,
    feed_path: Arc<str>,
}

impl Front {
    fn new(state: AppState) -> Front {
        Front {
            router: app(state.clone()),
            feed_path: format!("/{}", state.config().server.feed_path).into(),
            state,
        }
    }

    /// The response to `req`.
    pub(crate) async fn call<B>(&self, req: axum::http::Request<B>) -> Response
    where
        B: axum::body::HttpBody<Data = bytes::Bytes> + Send + 'static,
        B::Error: Into<axum::BoxError>,
    {
        let is_feed = req.uri().path() == &*self.feed_path
            && matches!(
                *req.method(),
                axum::http::Method::GET | axum::http::Method::HEAD
            );
        if is_feed {
            if let Ok(Some(rendered)) = feeds::get(&self.state, crate::feed::Scope::All).await {
                let res = rendered.response(req.headers());
                return finish(res).await;
            }
        }
        let mut router = self.router.clone();
        match tower::Service::call(&mut router, req.map(axum::body::Body::new)).await {
            Ok(res) => res,
            Err(never) => match never {},
        }
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
