//! Security headers on every response. The Content-Security-Policy allows
//! scripts, styles and fetches from this origin only, with no inline code
//! at all (the pages link `/assets/site.*.{css,js}`; the JSON-LD block is
//! data, which CSP does not govern); images and audio may also come from
//! https hosts, because artwork and remote episodes may live on a CDN.

use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::response::Response;

/// The policy, one directive per concern.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
style-src 'self'; img-src 'self' https: data:; media-src 'self' https:; connect-src 'self'; \
form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const HEADERS: [(HeaderName, &str); 5] = [
    (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    ),
];

/// Adds the security headers (response middleware for the whole router).
pub async fn add(mut res: Response) -> Response {
    insert(res.headers_mut());
    res
}

/// The security headers, into `h`: for answers made outside the router.
/// A handler's own, stricter policy (the statistics page allows its one
/// style element by hash) is kept.
pub fn insert(h: &mut HeaderMap) {
    for (name, value) in HEADERS {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    }
}
