//! `/statistik`: the listening statistics page, only when the producer
//! chose `[stats] public = true` (some public bodies publish their
//! figures); otherwise the path is a 404 like any unknown one. The page is
//! the same document `stats --html` writes; its one `<style>` element is
//! allowed by hash, so the CSP stays free of `'unsafe-inline'`.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::{AppState, Error};
use crate::stats::html;
use crate::stats::report::Filter;

/// The page, or the site's 404.
pub async fn page(State(state): State<AppState>) -> Result<Response, Error> {
    if !state.config().stats.public {
        return super::pages::not_found(State(state)).await;
    }
    let st = state.clone();
    let body = tokio::task::spawn_blocking(move || -> Result<String, Error> {
        let conn = st
            .inner
            .db
            .lock()
            .map_err(|_| Error::Internal("catalogue lock poisoned".into()))?;
        let episodes = crate::catalog::episodes::list(&conn)?;
        let page = html::gather(&conn, st.config(), &episodes, &Filter::default())
            .map_err(|e| Error::Internal(format!("statistics: {e}")))?;
        Ok(html::render(&page))
    })
    .await??;
    let csp = super::headers::CONTENT_SECURITY_POLICY.replace(
        "style-src 'self'",
        &format!("style-src {}", html::style_source()),
    );
    let mut res = (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&csp) {
        res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
    }
    Ok(res)
}
