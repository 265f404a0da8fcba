//! The server's side of the listening statistics: note an audio or feed
//! `GET` before it is answered, hand it to the [`Recorder`] with what the
//! response carried, and flush the counts to the catalogue every few
//! seconds and at shutdown. The rules and the privacy live in `stats`.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderMap, Method, Request, Response, StatusCode, header};

use super::AppState;
use crate::stats::live::{Headers, Recorder};
use crate::stats::window::Served;

/// How often counts go to SQLite: what a crash can lose. Tests shorten it
/// with `PODCATALOG_STATS_FLUSH_MS`.
pub const FLUSH_EVERY: Duration = Duration::from_secs(5);

fn flush_interval() -> Duration {
    std::env::var("PODCATALOG_STATS_FLUSH_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(FLUSH_EVERY, Duration::from_millis)
}

/// What is counted of a request, copied before the request is consumed.
pub(crate) struct Noted {
    target: Target,
    user_agent: String,
    forwarded_for: Option<String>,
    forwarded: Option<String>,
}

enum Target {
    Media(String),
    Feed(Arc<str>),
}

impl Noted {
    /// `Some` for a `GET` of media or of a feed while counting is on.
    pub(crate) fn of<B>(state: &AppState, req: &Request<B>) -> Option<Noted> {
        state.stats()?;
        if req.method() != Method::GET {
            return None;
        }
        let path = req.uri().path();
        let target = if path.starts_with("/media/") {
            Target::Media(path.to_string())
        } else if is_feed(state, path) {
            Target::Feed(Arc::from(path.trim_start_matches('/')))
        } else {
            return None;
        };
        let text = |name| {
            req.headers()
                .get(name)
                .and_then(|v: &axum::http::HeaderValue| v.to_str().ok())
                .map(str::to_string)
        };
        Some(Noted {
            target,
            user_agent: text(header::USER_AGENT).unwrap_or_default(),
            forwarded_for: text(header::HeaderName::from_static("x-forwarded-for")),
            forwarded: text(header::FORWARDED),
        })
    }

    /// Counts the request now that its response is known. The first
    /// counted requests after start-up wait on the blocking pool while the
    /// user-agent list compiles, never on the server's async threads.
    pub(crate) fn count<B>(self, state: &AppState, peer: IpAddr, res: &Response<B>) {
        if state.stats().is_none() {
            return;
        }
        let served = match self.target {
            Target::Media(_) => match served(res.status(), res.headers()) {
                Some(s) => Some(s),
                None => return,
            },
            Target::Feed(_) => {
                let ok = res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED;
                if !ok {
                    return;
                }
                None
            }
        };
        if crate::stats::agents::Agents::is_ready() {
            self.record(state, peer, served);
        } else {
            let state = state.clone();
            tokio::task::spawn_blocking(move || self.record(&state, peer, served));
        }
    }

    fn record(self, state: &AppState, peer: IpAddr, served: Option<Served>) {
        let Some(recorder) = state.stats() else {
            return;
        };
        let headers = Headers {
            user_agent: &self.user_agent,
            forwarded_for: self.forwarded_for.as_deref(),
            forwarded: self.forwarded.as_deref(),
        };
        match (self.target, served) {
            (Target::Media(path), Some(served)) => recorder.media(peer, headers, &path, served),
            (Target::Feed(feed), _) => recorder.feed(peer, headers, &feed),
            (Target::Media(_), None) => {}
        }
    }
}

fn is_feed(state: &AppState, path: &str) -> bool {
    let main = path.strip_prefix('/') == Some(state.config().server.feed_path.as_str());
    let sub = (path.starts_with("/personer/") || path.starts_with("/teman/"))
        && path.ends_with("/feed.xml");
    main || sub
}

/// The bytes a `200` or `206` answer carries: the whole file from its
/// `Content-Length`, a range from its `Content-Range`.
fn served(status: StatusCode, headers: &HeaderMap) -> Option<Served> {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    match status {
        StatusCode::OK => {
            let len: u64 = text(header::CONTENT_LENGTH)?.trim().parse().ok()?;
            Some(Served::Range(0, len))
        }
        StatusCode::PARTIAL_CONTENT => {
            let range = text(header::CONTENT_RANGE)?.trim().strip_prefix("bytes ")?;
            let (span, _) = range.split_once('/')?;
            let (a, b) = span.split_once('-')?;
            let (a, b): (u64, u64) = (a.parse().ok()?, b.parse().ok()?);
            (a <= b).then_some(Served::Range(a, b + 1))
        }
        _ => None,
    }
}

/// Flushes every [`FLUSH_EVERY`] (or `PODCATALOG_STATS_FLUSH_MS`) until dropped, and keeps the recorder's
/// episode index in step with the catalogue.
pub(crate) async fn flush_every(state: AppState) {
    let mut conn: Option<rusqlite::Connection> = None;
    let mut revision = None;
    let every = flush_interval();
    loop {
        tokio::time::sleep(every).await;
        let st = state.clone();
        let taken = conn.take();
        let job = tokio::task::spawn_blocking(move || {
            let mut c = flush(&st, taken);
            let now = c.as_ref().and_then(|c| crate::catalog::revision(c).ok());
            (c.take(), now)
        });
        if let Ok((c, now)) = job.await {
            conn = c;
            if now.is_some() && now != revision {
                revision = now;
                refresh_index(&state, conn.as_ref());
            }
        }
    }
}

/// Flushes once (at shutdown, and from the loop above); returns the
/// connection for reuse. A failure is logged; the counts stay for later.
pub(crate) fn flush(
    state: &AppState,
    conn: Option<rusqlite::Connection>,
) -> Option<rusqlite::Connection> {
    let recorder: &Arc<Recorder> = state.stats()?;
    let mut conn = match conn {
        Some(c) => c,
        None => match crate::catalog::open(&state.config().server.database) {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "statistics: cannot open the catalogue; counts kept");
                return None;
            }
        },
    };
    if let Err(e) = recorder.flush(&mut conn) {
        tracing::warn!(error = %e, "statistics: flush failed; counts kept for the next one");
    }
    Some(conn)
}

fn refresh_index(state: &AppState, conn: Option<&rusqlite::Connection>) {
    let (Some(recorder), Some(conn)) = (state.stats(), conn) else {
        return;
    };
    match crate::catalog::episodes::list(conn) {
        Ok(eps) => recorder.set_index(crate::stats::index::MediaIndex::new(
            &eps,
            &state.config().server.media_dir,
        )),
        Err(e) => tracing::warn!(error = %e, "statistics: cannot list episodes"),
    }
}
