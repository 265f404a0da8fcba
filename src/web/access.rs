//! The request log: one `info` line per request on the target
//! `podcatalog::access` (method, path, status, bytes, milliseconds to the
//! response head), on by default for `podcatalog serve`; `RUST_LOG`
//! overrides it (`RUST_LOG=warn` silences it).
//!
//! Cheap by construction: when the target is disabled nothing is copied or
//! formatted (one check of a cached callsite interest); when enabled, the
//! method and the URI are cloned (reference counts, no copying) and the line
//! is written when the response head is ready, so a long download is one
//! line with its length. The query string is left out: search terms are the
//! listener's business.

use std::time::Instant;

use axum::body::HttpBody;
use axum::http::{Method, Request, Response, Uri, header};

/// The log target, for `RUST_LOG` filters.
pub const TARGET: &str = "podcatalog::access";

/// A request being served.
#[derive(Debug)]
pub struct Entry {
    method: Method,
    uri: Uri,
    started: Instant,
}

impl Entry {
    /// Starts an entry, or `None` when the request log is off.
    pub fn start<B>(req: &Request<B>) -> Option<Entry> {
        tracing::enabled!(target: TARGET, tracing::Level::INFO).then(|| Entry {
            method: req.method().clone(),
            uri: req.uri().clone(),
            started: Instant::now(),
        })
    }

    /// Writes the line for the response about to be sent.
    pub fn finish<B: HttpBody>(self, res: &Response<B>) {
        let bytes = res
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .or_else(|| res.body().size_hint().exact());
        let ms = self.started.elapsed().as_secs_f64() * 1000.0;
        tracing::info!(
            target: TARGET,
            method = %self.method,
            path = self.uri.path(),
            status = res.status().as_u16(),
            bytes,
            ms = format_args!("{ms:.2}"),
        );
    }
}
