//! The listener website: start page, episode, person and theme pages, the
//! participants list, search (page and JSON API), rendered on the server in
//! Swedish with maud (compile-time-checked, escaping by default).
//!
//! Handlers extract, take the catalogue snapshot, and call a pure renderer
//! over [`Site`]; `podcatalog build` calls the same renderers. The snapshot
//! ([`Catalogue`]) is read once per catalogue revision: a request looks at
//! the revision at most every [`POLL_INTERVAL`](super::POLL_INTERVAL), so a
//! CLI edit shows within a second. Search pages come from the
//! [`Search`](crate::search::Search) component for the snapshot's
//! generation; this module only renders them.

pub mod chapters;
pub mod episode;
pub mod home;
pub mod layout;
pub mod media_text;
pub mod notes;
pub mod person;
pub mod search;
pub mod site;
pub mod static_site;
pub mod theme;
pub mod view;

use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::Utc;
use maud::{Markup, html};

use super::{AppState, Error};
use crate::catalog::{self, CatalogError};
pub use site::{Catalogue, Paging, Site};

/// The snapshot shared by all requests, and the search over it.
pub struct Cache {
    snapshot: RwLock<Option<Arc<Catalogue>>>,
    checked: Mutex<Option<Instant>>,
    reload: tokio::sync::Mutex<()>,
    search: Arc<crate::search::Search>,
}

impl Cache {
    /// No snapshot read yet; searches through `search`.
    pub(super) fn new(search: Arc<crate::search::Search>) -> Cache {
        Cache {
            snapshot: RwLock::default(),
            checked: Mutex::default(),
            reload: tokio::sync::Mutex::default(),
            search,
        }
    }

    /// The last snapshot read, current or not.
    pub(super) fn snapshot(&self) -> Option<Arc<Catalogue>> {
        self.snapshot.read().ok()?.clone()
    }

    fn current(&self) -> Option<Arc<Catalogue>> {
        let fresh = self
            .checked
            .lock()
            .ok()?
            .is_some_and(|t| t.elapsed() < super::POLL_INTERVAL);
        if !fresh {
            return None;
        }
        let snapshot = self.snapshot.read().ok()?.clone()?;
        let due = snapshot.next_release.is_some_and(|t| t <= Utc::now());
        (!due).then_some(snapshot)
    }
}

/// The catalogue snapshot, re-read when the revision has moved on.
async fn catalogue(state: &AppState) -> Result<Arc<Catalogue>, Error> {
    let cache = &state.inner.pages;
    if let Some(c) = cache.current() {
        return Ok(c);
    }
    // The server's watcher read the revision moments ago: no trip through
    // the shared connection (where a request may wait behind a search).
    if let Some(c) = cache.snapshot() {
        let due = c.next_release.is_some_and(|t| t <= Utc::now());
        if !due && state.inner.cache.watched_revision() == Some(c.revision) {
            return Ok(c);
        }
    }
    let _one_at_a_time = cache.reload.lock().await;
    if let Some(c) = cache.current() {
        return Ok(c);
    }
    let old = cache.snapshot.read().ok().and_then(|s| s.clone());
    let s = state.clone();
    let fresh = tokio::task::spawn_blocking(move || {
        let mut conn = s.db()?;
        let revision = catalog::revision(&conn)?;
        let now = Utc::now();
        match old {
            Some(old) if old.revision == revision && old.next_release.is_none_or(|t| t > now) => {
                Ok::<_, Error>(old)
            }
            _ => {
                let known = s.inner.cache.episodes();
                Ok(Arc::new(Catalogue::load_sharing(&mut conn, now, known)?))
            }
        }
    })
    .await??;
    if let Ok(mut snap) = cache.snapshot.write() {
        *snap = Some(Arc::clone(&fresh));
    }
    if let Ok(mut checked) = cache.checked.lock() {
        *checked = Some(Instant::now());
    }
    Ok(fresh)
}

impl AppState {
    fn db(&self) -> Result<std::sync::MutexGuard<'_, rusqlite::Connection>, Error> {
        self.inner
            .db
            .lock()
            .map_err(|_| Error::Internal("catalogue lock poisoned".into()))
    }
}

/// An HTML response; pages change with the catalogue, so caches revalidate.
fn html_page(status: StatusCode, markup: Markup) -> Response {
    let mut res = (status, Html(markup.into_string())).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}

/// The 404 page.
pub fn not_found_page(site: &Site) -> Markup {
    let t = site.text;
    let head = layout::Head {
        title: t.not_found_title.to_string(),
        description: t.not_found_text.to_string(),
        canonical: site.links.home().to_string(),
        og_type: "website",
        feeds: Vec::new(),
        audio: None,
        json_ld: serde_json::json!({"@context": "https://schema.org", "@type": "WebPage", "name": t.not_found_title}),
        section: layout::Section::Other,
    };
    let body = html! {
        h1 { (t.not_found_title) }
        p { (t.not_found_text) }
        (home::search_box(site))
        p { a href=(site.local(site.links.home())) { (t.nav_home) } }
    };
    layout::page(site, head, body)
}

/// Renders with a [`Site`] over the current snapshot.
async fn with_site(
    state: &AppState,
    render: impl FnOnce(&Site) -> Option<Markup>,
) -> Result<Response, Error> {
    let catalogue = catalogue(state).await?;
    let site = Site::new(state.config(), &catalogue, Utc::now());
    Ok(match render(&site) {
        Some(m) => html_page(StatusCode::OK, m),
        None => html_page(StatusCode::NOT_FOUND, not_found_page(&site)),
    })
}

/// `GET /`.
pub async fn home(State(state): State<AppState>) -> Result<Response, Error> {
    with_site(&state, |site| Some(home::render(site))).await
}

/// The 0-based page a `?page=N` query asks for (page 1 when absent or bad).
fn page_param(q: Option<&str>) -> usize {
    search::Request::parse(q).page as usize - 1
}

/// `GET /personer/{slug}?page=N`.
pub async fn person(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, Error> {
    let page = page_param(q.as_deref());
    with_site(&state, |site| {
        site.person(&slug)
            .and_then(|p| person::render(site, p, page))
    })
    .await
}

/// `GET /personer?page=N`.
pub async fn people(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
) -> Result<Response, Error> {
    let page = page_param(q.as_deref());
    with_site(&state, |site| person::index(site, page)).await
}

/// `GET /teman/{slug}?page=N`.
pub async fn theme(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, Error> {
    let page = page_param(q.as_deref());
    with_site(&state, |site| {
        site.theme(&slug).and_then(|t| theme::render(site, t, page))
    })
    .await
}

/// `GET /avsnitt/{slug}`; a former slug (or a number or guid) redirects
/// permanently to the current address.
pub async fn episode(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, Error> {
    let catalogue = catalogue(&state).await?;
    let now = Utc::now();
    let found = Site::new(state.config(), &catalogue, now)
        .episode(&slug)
        .is_some();
    if !found {
        return redirect_or_404(&state, catalogue, slug).await;
    }
    let s = state.clone();
    tokio::task::spawn_blocking(move || {
        let site = Site::new(s.config(), &catalogue, now);
        let Some(neighbours) = site.episode(&slug) else {
            return html_page(StatusCode::NOT_FOUND, not_found_page(&site));
        };
        let extras = episode::extras(&s.inner.media_root, neighbours.1);
        html_page(StatusCode::OK, episode::render(&site, neighbours, &extras))
    })
    .await
    .map_err(Error::from)
}

async fn redirect_or_404(
    state: &AppState,
    catalogue: Arc<Catalogue>,
    slug: String,
) -> Result<Response, Error> {
    let s = state.clone();
    let key = slug.clone();
    let current = tokio::task::spawn_blocking(move || {
        let conn = s.db()?;
        match catalog::episodes::find(&conn, &key) {
            Ok(e) => Ok(Some(e.data.slug)),
            Err(CatalogError::NotFound(_)) => Ok(None),
            Err(e) => Err(Error::from(e)),
        }
    })
    .await??;
    let site = Site::new(state.config(), &catalogue, Utc::now());
    match current.filter(|c| *c != slug && site.episode(c).is_some()) {
        Some(c) => {
            // 301, not axum's 308: the answer every client and crawler
            // treats as "this page has moved" for a GET.
            let to = site.local(&site.links.episode(&c));
            Ok((StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, to)]).into_response())
        }
        None => Ok(html_page(StatusCode::NOT_FOUND, not_found_page(&site))),
    }
}

/// Runs a search: asks [`Search::page`](crate::search::Search::page) for
/// the page in this snapshot's generation, and builds the answer to render.
async fn run_search(
    state: &AppState,
    raw: Option<String>,
) -> Result<(Arc<Catalogue>, search::Answer), Error> {
    let catalogue = catalogue(state).await?;
    let request = search::Request::parse(raw.as_deref());
    let now = Utc::now();
    let query = request.query(&Site::new(state.config(), &catalogue, now));
    let generation = crate::search::Generation {
        revision: catalogue.revision,
        next_release: catalogue.next_release,
    };
    let found = state.inner.pages.search.page(generation, &query).await?;
    let site = Site::new(state.config(), &catalogue, now);
    let answer = search::answer(&site, request, &found);
    Ok((catalogue, answer))
}

/// `GET /sok?q=&person=&theme=&page=`.
pub async fn search_page(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
) -> Result<Response, Error> {
    let (catalogue, answer) = run_search(&state, q).await?;
    let site = Site::new(state.config(), &catalogue, Utc::now());
    Ok(html_page(StatusCode::OK, search::render(&site, &answer)))
}

/// `GET /api/search?q=&person=&theme=&page=`: the same answer as JSON.
pub async fn search_api(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
) -> Result<Response, Error> {
    let (_, answer) = run_search(&state, q).await?;
    let mut res = Json(answer).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(res)
}

/// Fallback for every unknown path: the friendly 404 page.
pub async fn not_found(State(state): State<AppState>) -> Result<Response, Error> {
    with_site(&state, |_| None).await
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::catalogue;
    use crate::config::Config;
    use crate::feed::Scope;
    use crate::web::{AppState, feeds};

    fn state(dir: &std::path::Path) -> AppState {
        let config = Config::parse(
            include_str!("../../../feed-config.toml"),
            "feed-config.toml",
        )
        .expect("shipped config");
        let conn = crate::catalog::open(&dir.join("c.db")).expect("catalogue");
        AppState::new(config, conn).expect("state")
    }

    /// The feed cache and the website read the same revision: they hold
    /// one episode list between them, whichever reads first.
    #[tokio::test]
    async fn feeds_and_pages_share_one_episode_list() {
        for feed_first in [true, false] {
            let dir = tempfile::tempdir().expect("tempdir");
            let state = state(dir.path());
            if feed_first {
                feeds::get(&state, Scope::All).await.expect("feed");
            }
            let site = catalogue(&state).await.expect("site");
            if !feed_first {
                feeds::get(&state, Scope::All).await.expect("feed");
            }
            let (_, feed_list) = state.inner.cache.episodes().expect("feed list kept");
            assert!(
                Arc::ptr_eq(&feed_list, &site.episodes),
                "two copies (feed first: {feed_first})"
            );
        }
    }
}
