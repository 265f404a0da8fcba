//! The website's stylesheet and script, embedded in the binary and served
//! under content-hashed names (`/assets/site.1a2b3c4d5e6f.css`) that may be
//! cached for a year, and under their plain names with an ETag for anyone
//! who links to them directly. Separate files rather than inline blocks,
//! because the Content-Security-Policy allows no inline style or script.

use std::sync::LazyLock;

use axum::body::Body;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::Digest;

use super::Error;

/// One embedded file.
#[derive(Debug)]
pub struct Asset {
    /// Plain name, e.g. `site.css`.
    pub name: &'static str,
    /// Name with the content hash, e.g. `site.1a2b3c4d5e6f.css`.
    pub hashed: String,
    /// `Content-Type`.
    pub mime: &'static str,
    /// The bytes.
    pub body: &'static str,
    /// Strong ETag (the hash, quoted).
    pub etag: String,
}

impl Asset {
    fn new(name: &'static str, mime: &'static str, body: &'static str) -> Asset {
        let digest = sha2::Sha256::digest(body.as_bytes());
        let hash = hex::encode(&digest[..6]);
        let (stem, ext) = name.split_once('.').unwrap_or((name, ""));
        Asset {
            name,
            hashed: format!("{stem}.{hash}.{ext}"),
            mime,
            body,
            etag: format!("\"{hash}\""),
        }
    }

    /// The path the pages link to.
    pub fn path(&self) -> String {
        format!("/assets/{}", self.hashed)
    }
}

/// The stylesheet.
pub static CSS: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "site.css",
        "text/css; charset=utf-8",
        include_str!("assets/site.css"),
    )
});

/// The script.
pub static JS: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "site.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/site.js"),
    )
});

/// Every asset, for `podcatalog build`.
pub fn all() -> [&'static Asset; 2] {
    [&CSS, &JS]
}

/// `GET /assets/{name}`: hashed names are immutable; plain names revalidate.
pub async fn file(Path(name): Path<String>, headers: HeaderMap) -> Result<Response, Error> {
    let asset = all()
        .into_iter()
        .find(|a| a.name == name || a.hashed == name)
        .ok_or(Error::NotFound)?;
    let cache = if asset.hashed == name {
        "public, max-age=31536000, immutable"
    } else {
        "public, no-cache"
    };
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            // Weak comparison (RFC 9110 §13.1.2): a compressed copy carries
            // the tag as `W/"…"` (see `compress`).
            v.split(',')
                .map(|t| t.trim())
                .any(|t| t.strip_prefix("W/").unwrap_or(t) == asset.etag)
        });
    let mut res = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        Response::new(Body::from(asset.body))
    };
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(v) = HeaderValue::from_str(&asset.etag) {
        h.insert(header::ETAG, v);
    }
    if !matches {
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.mime));
    }
    Ok(res)
}
