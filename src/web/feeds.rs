//! The feeds as HTTP resources: rendered once, kept in memory as plain,
//! gzip and brotli bytes with a strong ETag each ([`rendered`]), and
//! rendered again only when the catalogue's revision changes (a background
//! watcher polls it) or when a future episode's publication time passes.
//!
//! Requests that changed nothing never render: they read an `Arc` under a
//! read lock. Renders are serialised so a burst after a change renders once.

mod rendered;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::extract::{Path, Request, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, Utc};

use self::rendered::{Rendered, render};
use super::conditional::Validators;
use super::{AppState, Error};
use crate::catalog::{self, Episode};
use crate::feed::Scope;

/// How often the watcher asks SQLite whether anything changed. One small
/// indexed read; well inside the "new feed within one second" promise.
pub const POLL_INTERVAL: Duration = Duration::from_millis(250);

#[derive(Default)]
struct Cached {
    revision: i64,
    episodes: Option<Arc<Vec<Episode>>>,
    feeds: HashMap<Scope, Arc<Rendered>>,
    /// ETag and date of the last bytes per scope, so an unchanged feed
    /// re-rendered after an unrelated change keeps its `Last-Modified`.
    previous: HashMap<Scope, Validators>,
}

/// The feed cache shared by all requests.
#[derive(Default)]
pub struct FeedCache {
    cached: RwLock<Cached>,
    render: tokio::sync::Mutex<()>,
    /// When the watcher last read the catalogue's revision.
    watched: Mutex<Option<Instant>>,
}

impl FeedCache {
    /// A cache for a catalogue currently at `revision`.
    pub fn new(revision: i64) -> FeedCache {
        let cache = FeedCache::default();
        if let Ok(mut c) = cache.cached.write() {
            c.revision = revision;
        }
        cache
    }

    /// The newest catalogue revision seen.
    pub fn revision(&self) -> i64 {
        self.cached.read().map_or(0, |c| c.revision)
    }

    /// The catalogue's revision as the running watcher read it within the
    /// last two poll intervals; `None` when no watcher runs (or it lags),
    /// and the caller must ask SQLite itself.
    pub(super) fn watched_revision(&self) -> Option<i64> {
        let at = (*self.watched.lock().ok()?)?;
        (at.elapsed() < 2 * POLL_INTERVAL).then(|| self.revision())
    }

    /// The episode list of the newest revision, when it has been read.
    pub(super) fn episodes(&self) -> Option<(i64, Arc<Vec<Episode>>)> {
        let c = self.cached.read().ok()?;
        Some((c.revision, Arc::clone(c.episodes.as_ref()?)))
    }

    fn fresh(&self, scope: &Scope, now: DateTime<Utc>) -> Option<Arc<Rendered>> {
        let c = self.cached.read().ok()?;
        let r = c.feeds.get(scope)?;
        let current = r.revision == c.revision && r.expires.is_none_or(|t| t > now);
        current.then(|| Arc::clone(r))
    }

    /// Records the catalogue's current revision; a newer one drops every
    /// rendered feed (they are rendered again on their next request).
    /// Revisions only grow, so a late answer from an older read is ignored.
    pub fn observe(&self, revision: i64) {
        let Ok(mut c) = self.cached.write() else {
            return;
        };
        if revision > c.revision {
            c.revision = revision;
            c.episodes = None;
            let old: Vec<_> = c.feeds.drain().collect();
            for (scope, r) in old {
                c.previous.insert(scope, r.validators().clone());
            }
        }
    }
}

/// Polls the catalogue revision until the task is aborted; after each
/// change, pings the WebSub hub when one is configured.
pub async fn watch(state: AppState) {
    let mut tick = tokio::time::interval(POLL_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut announced = state.inner.cache.revision();
    loop {
        tick.tick().await;
        let s = state.clone();
        let revision = tokio::task::spawn_blocking(move || {
            let conn = s.inner.db.lock().map_err(|_| "lock poisoned".to_string())?;
            catalog::revision(&conn).map_err(|e| e.to_string())
        })
        .await;
        match revision {
            Ok(Ok(rev)) => {
                state.inner.cache.observe(rev);
                if let Ok(mut at) = state.inner.cache.watched.lock() {
                    *at = Some(Instant::now());
                }
                if rev > announced {
                    announced = rev;
                    ping_hub(&state);
                }
            }
            Ok(Err(e)) => tracing::warn!(error = %e, "cannot read catalogue revision"),
            Err(e) => tracing::warn!(error = %e, "revision check failed"),
        }
    }
}

/// Tells the configured WebSub hub, if any, that the show's feed changed
/// (in the background: a slow hub never delays serving).
fn ping_hub(state: &AppState) {
    let config = &state.inner.config;
    let Some(hub) = config.channel.websub_hub.clone() else {
        return;
    };
    let topic = crate::feed::Links::for_config(config).feed();
    tokio::task::spawn_blocking(
        move || match crate::remote::websub::publish(&hub, &[topic]) {
            Ok(()) => tracing::info!(%hub, "WebSub hub notified"),
            Err(e) => tracing::warn!(error = %e, "WebSub ping failed"),
        },
    );
}

/// The rendered feed for `scope`, rendering it if needed; `None` when the
/// person or theme does not exist.
pub async fn get(state: &AppState, scope: Scope) -> Result<Option<Arc<Rendered>>, Error> {
    let cache = &state.inner.cache;
    if let Some(r) = cache.fresh(&scope, Utc::now()) {
        return Ok(Some(r));
    }
    let _one_at_a_time = cache.render.lock().await;
    let now = Utc::now();
    if let Some(r) = cache.fresh(&scope, now) {
        return Ok(Some(r));
    }
    let (revision, episodes) = episodes(state).await?;
    let previous = cache
        .cached
        .read()
        .ok()
        .and_then(|c| c.previous.get(&scope).cloned());
    let s = state.clone();
    let key = scope.clone();
    let rendered = tokio::task::spawn_blocking(move || {
        let modified = |etag: &str| last_modified(&s, &key, etag, previous.as_ref());
        render(
            &s.inner.config,
            &key,
            &episodes,
            revision,
            modified,
            now,
            s.io(),
        )
    })
    .await??;
    let Some(rendered) = rendered else {
        return Ok(None);
    };
    let rendered = Arc::new(rendered);
    if let Ok(mut c) = cache.cached.write() {
        if c.revision == revision {
            c.feeds.insert(scope, Arc::clone(&rendered));
        }
    }
    Ok(Some(rendered))
}

/// `Last-Modified` for bytes of `scope` tagged `etag`: when they were first
/// served, as recorded in the catalogue (so a restart does not move it). If
/// the catalogue cannot be written, the date of the previous bytes when they
/// are the same, else now.
fn last_modified(
    state: &AppState,
    scope: &Scope,
    etag: &str,
    previous: Option<&Validators>,
) -> SystemTime {
    let now = SystemTime::now();
    let secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let stamped = state
        .inner
        .db
        .lock()
        .map_err(|_| Error::Internal("catalogue lock poisoned".into()))
        .and_then(|conn| {
            let secs = i64::try_from(secs).unwrap_or(i64::MAX);
            Ok(catalog::feed_version::stamp(
                &conn,
                &scope_key(scope),
                etag,
                secs,
            )?)
        });
    match stamped {
        Ok(at) => UNIX_EPOCH + Duration::from_secs(u64::try_from(at).unwrap_or(0)),
        Err(e) => {
            tracing::warn!(error = %e, "cannot record the feed's modification time");
            match previous {
                Some(p) if p.etag == etag => p.last_modified,
                _ => now,
            }
        }
    }
}

/// The name a feed's modification time is stored under.
fn scope_key(scope: &Scope) -> String {
    match scope {
        Scope::All => "all".into(),
        Scope::Person(slug) => format!("person:{slug}"),
        Scope::Theme(slug) => format!("theme:{slug}"),
    }
}

/// The catalogue's episodes, loaded once per revision.
async fn episodes(state: &AppState) -> Result<(i64, Arc<Vec<Episode>>), Error> {
    if let Ok(c) = state.inner.cache.cached.read() {
        if let Some(eps) = &c.episodes {
            return Ok((c.revision, Arc::clone(eps)));
        }
    }
    let s = state.clone();
    // The website's snapshot holds the same list when it read the same
    // revision: share it rather than hold a second copy.
    let site = state.inner.pages.snapshot();
    let (revision, list) = tokio::task::spawn_blocking(move || {
        let mut conn = s
            .inner
            .db
            .lock()
            .map_err(|_| Error::Internal("catalogue lock poisoned".into()))?;
        // One read transaction: the revision and the episodes agree.
        let tx = conn
            .transaction()
            .map_err(|e| Error::Internal(e.to_string()))?;
        let revision = catalog::revision(&tx)?;
        let list = match site {
            Some(site) if site.revision == revision => Arc::clone(&site.episodes),
            _ => Arc::new(catalog::episodes::list(&tx)?),
        };
        Ok::<_, Error>((revision, list))
    })
    .await??;
    state.inner.cache.observe(revision);
    if let Ok(mut c) = state.inner.cache.cached.write() {
        if c.revision == revision {
            c.episodes = Some(Arc::clone(&list));
        }
    }
    Ok((revision, list))
}

/// `GET`/`HEAD` of the show's feed (`/feed.xml`, or `server.feed_path`).
/// Takes the request whole so its headers are read in place (the
/// `HeaderMap` extractor clones them, an allocation per header).
pub async fn show(State(state): State<AppState>, req: Request) -> Result<Response, Error> {
    respond(&state, Scope::All, req.headers()).await
}

/// `GET`/`HEAD /personer/{slug}/feed.xml`.
pub async fn person(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    req: Request,
) -> Result<Response, Error> {
    respond(&state, Scope::Person(slug), req.headers()).await
}

/// `GET`/`HEAD /teman/{slug}/feed.xml`.
pub async fn theme(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    req: Request,
) -> Result<Response, Error> {
    respond(&state, Scope::Theme(slug), req.headers()).await
}

async fn respond(state: &AppState, scope: Scope, headers: &HeaderMap) -> Result<Response, Error> {
    let rendered = get(state, scope).await?.ok_or(Error::NotFound)?;
    Ok(rendered.response(headers))
}
