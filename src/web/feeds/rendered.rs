//! One feed rendered for serving: the bytes in every coding we keep, their
//! validators and ready-made header values, and the response for a request.

use std::io::Write as _;
use std::time::SystemTime;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use sha2::Digest;

use super::super::Error;
use super::super::conditional::{Coding, Validators, negotiate};
use crate::catalog::Episode;
use crate::config::Config;
use crate::feed::{Feed, Scope};

/// `Cache-Control` for feeds: short, because revalidation is a cheap 304.
const FEED_CACHE_CONTROL: &str = "public, max-age=60";

/// The feed's media type (RSS has no registered one; this is what Apple and
/// the Podcast Index accept and browsers do not try to render).
const FEED_CONTENT_TYPE: &str = "application/rss+xml; charset=utf-8";

/// Headers a feed response ends up with (ours and `headers::add`'s).
const RESPONSE_HEADERS: usize = 16;

/// One encoding of a rendered feed with its header values, built once.
#[derive(Debug)]
struct Encoded {
    body: Bytes,
    validators: Validators,
    etag: HeaderValue,
    last_modified: HeaderValue,
    length: HeaderValue,
}

impl Encoded {
    fn new(body: Bytes, validators: Validators) -> Result<Encoded, Error> {
        let value = |s: &str| {
            HeaderValue::from_str(s).map_err(|e| Error::Internal(format!("header value: {e}")))
        };
        Ok(Encoded {
            etag: value(&validators.etag)?,
            last_modified: value(&validators.http_date())?,
            length: HeaderValue::from(body.len()),
            body,
            validators,
        })
    }
}

/// One feed, rendered.
#[derive(Debug)]
pub struct Rendered {
    plain: Encoded,
    gzip: Encoded,
    brotli: Encoded,
    /// Catalogue revision the bytes were rendered from.
    pub(super) revision: i64,
    /// When a future episode becomes due and the bytes go stale.
    pub(super) expires: Option<DateTime<Utc>>,
}

impl Rendered {
    /// Validators of the uncompressed bytes (kept across re-renders).
    pub(super) fn validators(&self) -> &Validators {
        &self.plain.validators
    }

    /// The response to a `GET`/`HEAD` with `headers`: the negotiated coding,
    /// or `304` when the client's copy is current.
    pub(super) fn response(&self, headers: &HeaderMap) -> Response {
        let coding = negotiate(headers);
        let enc = match coding {
            Coding::Identity => &self.plain,
            Coding::Gzip => &self.gzip,
            Coding::Brotli => &self.brotli,
        };
        let not_modified = enc.validators.not_modified(headers);
        let mut res = if not_modified {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            Response::new(Body::from(enc.body.clone()))
        };
        // Room for ours and the security headers, so the map never grows.
        let h = res.headers_mut();
        h.reserve(RESPONSE_HEADERS);
        h.insert(header::ETAG, enc.etag.clone());
        h.insert(header::LAST_MODIFIED, enc.last_modified.clone());
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(FEED_CACHE_CONTROL),
        );
        h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
        if !not_modified {
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(FEED_CONTENT_TYPE),
            );
            h.insert(header::CONTENT_LENGTH, enc.length.clone());
            match coding {
                Coding::Identity => {}
                Coding::Gzip => {
                    h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
                }
                Coding::Brotli => {
                    h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
                }
            }
        }
        res
    }
}

/// Renders the feed for `scope`, or `None` when the person or theme does
/// not exist; `modified` gives `Last-Modified` for the bytes' ETag (the
/// first time those bytes were served, kept in the catalogue).
pub(super) fn render(
    config: &Config,
    scope: &Scope,
    episodes: &[Episode],
    revision: i64,
    modified: impl FnOnce(&str) -> SystemTime,
    now: DateTime<Utc>,
) -> Result<Option<Rendered>, Error> {
    let feed = match scope {
        Scope::All => Some(Feed::main(config, episodes)),
        Scope::Person(slug) => Feed::person(config, episodes, slug),
        Scope::Theme(slug) => Feed::theme(config, episodes, slug),
    };
    let Some(feed) = feed else { return Ok(None) };
    let plain = kept(feed.render(config, now).into_bytes());
    // Both compressions at once: the wait after a change is the longer one.
    let (gzip, brotli) = rayon::join(|| gzip_bytes(&plain), || brotli_bytes(&plain));
    let (gzip, brotli) = (kept(gzip?), kept(brotli?));
    let digest = sha2::Sha256::digest(&plain);
    let tag = hex::encode(&digest[..12]);
    let etag = format!("\"{tag}\"");
    let modified = modified(&etag);
    Ok(Some(Rendered {
        plain: Encoded::new(plain, Validators::new(etag, modified))?,
        gzip: Encoded::new(gzip, Validators::new(format!("\"{tag}-gzip\""), modified))?,
        brotli: Encoded::new(brotli, Validators::new(format!("\"{tag}-br\""), modified))?,
        revision,
        expires: feed.next_release(now),
    }))
}

/// Bytes to keep for as long as the feed is current: without the spare
/// capacity reserved while writing (`Bytes` keeps a `Vec`'s whole
/// allocation; for a big feed that is MBs per encoding).
fn kept(mut bytes: Vec<u8>) -> Bytes {
    bytes.shrink_to_fit();
    Bytes::from(bytes)
}

fn gzip_bytes(plain: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut gz = flate2::write::GzEncoder::new(
        Vec::with_capacity(plain.len() / 4),
        flate2::Compression::default(),
    );
    gz.write_all(plain)?;
    gz.finish()
}

/// Brotli at a quality that keeps a re-render after a change quick: 9 for
/// ordinary feeds (~75 ms for 1,000 episodes), 4 above 4 MiB.
fn brotli_bytes(plain: &[u8]) -> std::io::Result<Vec<u8>> {
    let quality = if plain.len() > 4 << 20 { 4 } else { 9 };
    let mut w =
        brotli::CompressorWriter::new(Vec::with_capacity(plain.len() / 5), 1 << 16, quality, 22);
    w.write_all(plain)?;
    w.flush()?;
    Ok(w.into_inner())
}
