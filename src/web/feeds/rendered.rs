//! One feed rendered for serving: the bytes in every coding we keep, their
//! validators and ready-made header values, and the response for a request.

use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};
use std::time::SystemTime;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use sha2::Digest;

use super::super::Error;
use super::super::Io;
use super::super::bodies::{Spool, Spooled};
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
    body: Spooled,
    validators: Validators,
    etag: HeaderValue,
    last_modified: HeaderValue,
    length: HeaderValue,
}

impl Encoded {
    fn new(body: Spooled, validators: Validators) -> Result<Encoded, Error> {
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
    pub(in crate::web) fn response(&self, headers: &HeaderMap) -> Response {
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
            Response::new(enc.body.body())
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
    io: Io,
) -> Result<Option<Rendered>, Error> {
    let feed = match scope {
        Scope::All => Some(Feed::main(config, episodes)),
        Scope::Person(slug) => Feed::person(config, episodes, slug),
        Scope::Theme(slug) => Feed::theme(config, episodes, slug),
    };
    let Some(feed) = feed else { return Ok(None) };
    let spill = spill_dir(config);
    let bodies = match encode(&feed, config, now, spill.as_deref(), io) {
        Ok(bodies) => bodies,
        Err(e) if spill.is_some() => {
            // A full disk, say: the feed still works from memory.
            tracing::warn!(error = %e, "cannot keep the feed in a file; keeping it in memory");
            encode(&feed, config, now, None, io)?
        }
        Err(e) => return Err(e.into()),
    };
    let Bodies {
        plain,
        gzip,
        brotli,
        tag,
    } = bodies;
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

/// Where big feed bodies are kept as files (see [`bodies`]): beside
/// the catalogue, a folder the server can write to and usually on disk, so
/// the kernel may drop their pages under memory pressure and read them back.
///
/// [`bodies`]: super::super::bodies
fn spill_dir(config: &Config) -> Option<PathBuf> {
    let parent = config.server.database.parent()?;
    Some(if parent.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        parent.to_path_buf()
    })
}

/// A feed's bytes in each coding, and the tag naming them.
struct Bodies {
    plain: Spooled,
    gzip: Spooled,
    brotli: Spooled,
    /// Hex of the first 12 bytes of the plain bytes' SHA-256.
    tag: String,
}

/// Parts of the feed queued for each compressor: bounded, so a slow one
/// holds back the render instead of letting parts pile up in memory.
const QUEUED_PARTS: usize = 8;

/// Renders `feed` once, in parts, into its plain bytes and, on two threads
/// at the same time, its gzip and brotli bytes, each into a [`Spool`]
/// spilling to `dir`: no coding is ever held whole in the heap on its way.
fn encode(
    feed: &Feed<'_>,
    config: &Config,
    now: DateTime<Utc>,
    dir: Option<&Path>,
    io: Io,
) -> io::Result<Bodies> {
    let quality = brotli_quality(feed.published(now).count());
    std::thread::scope(|s| {
        let (gz_parts, gz_rx) = mpsc::sync_channel::<Arc<String>>(QUEUED_PARTS);
        let (br_parts, br_rx) = mpsc::sync_channel::<Arc<String>>(QUEUED_PARTS);
        let gzip = s.spawn(move || gzip_parts(gz_rx, Spool::new(dir, io)));
        let brotli = s.spawn(move || brotli_parts(br_rx, Spool::new(dir, io), quality));
        let mut plain = Spool::new(dir, io);
        let mut hash = sha2::Sha256::new();
        let stopped = || io::Error::other("a feed compressor stopped");
        let rendered = feed.render_to(config, now, &mut |part: String| {
            hash.update(part.as_bytes());
            plain.write_all(part.as_bytes())?;
            let part = Arc::new(part);
            gz_parts.send(Arc::clone(&part)).map_err(|_| stopped())?;
            br_parts.send(part).map_err(|_| stopped())
        });
        drop((gz_parts, br_parts));
        let joined = |h: std::thread::ScopedJoinHandle<'_, io::Result<Spooled>>| {
            h.join()
                .map_err(|_| io::Error::other("a feed compressor panicked"))?
        };
        // A compressor's own error explains a "stopped" from the render.
        let (gzip, brotli) = (joined(gzip), joined(brotli));
        let (gzip, brotli) = (gzip?, brotli?);
        rendered?;
        let digest = hash.finalize();
        Ok(Bodies {
            plain: plain.finish()?,
            gzip,
            brotli,
            tag: hex::encode(&digest[..12]),
        })
    })
}

fn gzip_parts(parts: mpsc::Receiver<Arc<String>>, out: Spool) -> io::Result<Spooled> {
    let mut gz = flate2::write::GzEncoder::new(out, flate2::Compression::default());
    for part in parts {
        gz.write_all(part.as_bytes())?;
    }
    gz.finish()?.finish()
}

/// Brotli at a quality that keeps a re-render after a change quick: 9 for
/// ordinary feeds (~75 ms for 1,000 episodes), 4 above 2,000 items (about
/// 4 MiB).
fn brotli_quality(items: usize) -> u32 {
    if items > 2000 { 4 } else { 9 }
}

fn brotli_parts(
    parts: mpsc::Receiver<Arc<String>>,
    out: Spool,
    quality: u32,
) -> io::Result<Spooled> {
    let mut w = brotli::CompressorWriter::new(out, 1 << 16, quality, 22);
    for part in parts {
        w.write_all(part.as_bytes())?;
    }
    w.flush()?;
    w.into_inner().finish()
}
