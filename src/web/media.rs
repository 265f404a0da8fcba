//! `GET`/`HEAD /media/…`: audio, artwork, transcripts and chapters from the
//! media folder, with byte ranges (RFC 9110 §14), `If-Range`, conditional
//! requests and exact lengths.
//!
//! Each request costs one trip to the blocking pool: resolving symlinks,
//! opening, `fstat`, the conditional and range decisions. On Linux, audio
//! and images of 64 KiB or more are then mapped, not read: the socket
//! wrapper sends them with `sendfile` ([`super::bodies`]), as nginx does, so
//! neither a 1 MiB range nor a whole episode to many listeners passes
//! through the process's memory. Other bodies (transcripts, chapters, small
//! files; any file where mapping fails; every body on the portable path)
//! are read in the same trip, up to [`SHORT`], into a pooled buffer, or
//! else streamed in [`bodies::CHUNK`] positional reads, never read whole.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

use super::bodies::{self, Io, SPILL_AT, SendOnly};
use super::buffers::Pool;
use super::compress;
use super::conditional::Validators;
use super::range::{self, Ranged};
use super::{AppState, Error, path};

/// Bodies up to this size are read in one positional read in the same
/// blocking-pool trip as the open, into a pooled buffer; longer ones (or
/// any while all pooled buffers are out) are streamed in [`bodies::CHUNK`]s.
const SHORT: usize = 1024 * 1024;

/// Pooled 1 MiB buffers at most: bounds the memory of short bodies in
/// flight to 16 MiB however many clients ask at once.
const POOLED: usize = 16;

static BUFFERS: LazyLock<Arc<Pool>> = LazyLock::new(|| Pool::new(SHORT, POOLED));

/// `Cache-Control` for media: files are replaced under new names, not edited.
const MEDIA_CACHE_CONTROL: &str = "public, max-age=86400";

/// Serves one file under the media folder.
pub async fn file(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let raw = uri.path().strip_prefix("/media/").ok_or(Error::NotFound)?;
    let wanted = path::resolve(&state.inner.media_root, raw).map_err(|refused| {
        tracing::debug!(%refused, path = raw, "media path refused");
        Error::NotFound
    })?;
    let head = method == Method::HEAD;
    let prepared = tokio::task::spawn_blocking(move || {
        let io = state.io();
        prepare(&state.inner.media_root, &wanted, &headers, head, io)
    })
    .await??;
    Ok(prepared.into_response())
}

/// What the blocking trip found out and read.
struct Prepared {
    validators: Validators,
    sent: Sent,
}

/// The response's status and body.
enum Sent {
    /// `304 Not Modified`.
    NotModified,
    /// `200` or `206` with the bytes `start..start + count`.
    Bytes {
        status: StatusCode,
        start: u64,
        count: u64,
        len: u64,
        content_type: &'static str,
        body: Content,
    },
}

/// A body read already, mapped to be sent unread, streamed later, or none
/// (`HEAD`).
enum Content {
    Empty,
    Read(Bytes),
    Mapped(SendOnly),
    Stream(Arc<File>),
}

/// Resolves, opens and checks the file, decides what to send and reads a
/// short body: everything blocking a request needs, in one go.
fn prepare(
    root: &Path,
    wanted: &Path,
    headers: &HeaderMap,
    head: bool,
    io: Io,
) -> Result<Prepared, Error> {
    let (file, real) = open_inside(root, wanted)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(Error::NotFound);
    }
    let len = meta.len();
    let modified = meta.modified()?;
    let nanos = modified
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let validators = Validators::new(format!("\"{len:x}-{nanos:x}\""), modified);
    if validators.not_modified(headers) {
        return Ok(Prepared {
            validators,
            sent: Sent::NotModified,
        });
    }
    let ranged = match headers.get(header::RANGE).and_then(|v| v.to_str().ok()) {
        Some(h) if validators.range_allowed(headers) => range::parse(h, len),
        _ => Ranged::Full,
    };
    let (status, start, count) = match ranged {
        Ranged::Full => (StatusCode::OK, 0, len),
        Ranged::Partial { start, end } => (StatusCode::PARTIAL_CONTENT, start, end - start + 1),
        Ranged::Unsatisfiable => return Err(Error::RangeNotSatisfiable { len }),
    };
    let content_type = content_type(&real);
    let body = if head {
        Content::Empty
    } else {
        body(file, start, count, content_type, io)?
    };
    Ok(Prepared {
        validators,
        sent: Sent::Bytes {
            status,
            start,
            count,
            len,
            content_type,
            body,
        },
    })
}

/// The body: audio and images of [`SPILL_AT`] or more mapped for
/// `sendfile` on that path (see [`bodies::media`]); else read into a pooled
/// buffer now, or streamed in chunks when none is free or it is longer.
fn body(file: File, start: u64, count: u64, content_type: &str, io: Io) -> Result<Content, Error> {
    let file = Arc::new(file);
    let n = usize::try_from(count).map_err(|e| Error::Internal(e.to_string()))?;
    if n >= SPILL_AT && !compress::is_text_type(content_type) {
        if let Some(mapped) = bodies::media(io, &file, start, n) {
            return Ok(Content::Mapped(mapped));
        }
    }
    Ok(match BUFFERS.take(n) {
        Some(mut buf) => {
            crate::platform::read_exact_at(&file, buf.as_mut(), start)?;
            Content::Read(buf.into_bytes())
        }
        None => Content::Stream(file),
    })
}

/// Opens `wanted` after resolving symlinks, refusing anything whose real
/// path lies outside `root` (a symlink in the folder pointing out of it).
fn open_inside(root: &Path, wanted: &Path) -> Result<(File, PathBuf), Error> {
    let real = std::fs::canonicalize(wanted).map_err(|_| Error::NotFound)?;
    if !real.starts_with(root) {
        return Err(Error::NotFound);
    }
    let file = File::open(&real).map_err(|_| Error::NotFound)?;
    Ok((file, real))
}

impl IntoResponse for Prepared {
    fn into_response(self) -> Response {
        let mut res = match self.sent {
            Sent::NotModified => StatusCode::NOT_MODIFIED.into_response(),
            Sent::Bytes {
                status,
                start,
                count,
                len,
                content_type,
                body,
            } => {
                let body = match body {
                    Content::Empty => Body::empty(),
                    Content::Read(bytes) => Body::from(bytes),
                    Content::Mapped(mapped) => Body::from(mapped),
                    Content::Stream(file) => Body::from_stream(bodies::chunks(file, start, count)),
                };
                let mut res = (status, body).into_response();
                let h = res.headers_mut();
                h.insert(header::CONTENT_LENGTH, HeaderValue::from(count));
                h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
                if status == StatusCode::PARTIAL_CONTENT {
                    let range = format!("bytes {start}-{}/{len}", start + count - 1);
                    put(h, header::CONTENT_RANGE, &range);
                }
                res
            }
        };
        let h = res.headers_mut();
        h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
        put(h, header::ETAG, &self.validators.etag);
        put(h, header::LAST_MODIFIED, &self.validators.http_date());
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(MEDIA_CACHE_CONTROL),
        );
        h.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        res
    }
}

fn put(h: &mut HeaderMap, name: header::HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        h.insert(name, v);
    }
}

/// The MIME type for a media file by extension (the probe checked the
/// audio's content when it was added; names come from the catalogue).
pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "mp3" => "audio/mpeg",
        "m4a" | "mp4a" => "audio/mp4",
        "aac" => "audio/aac",
        "ogg" | "oga" | "opus" => "audio/ogg",
        "flac" => "audio/flac",
        "wav" => "audio/wav",
        "mp4" | "m4v" => "video/mp4",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "vtt" => "text/vtt; charset=utf-8",
        "srt" => "application/x-subrip; charset=utf-8",
        "json" => "application/json",
        "txt" => "text/plain; charset=utf-8",
        "html" | "htm" => "text/html; charset=utf-8",
        _ => "application/octet-stream",
    }
}
