//! `GET`/`HEAD /media/…`: audio, artwork, transcripts and chapters from the
//! media folder, with byte ranges (RFC 9110 §14), `If-Range`, conditional
//! requests and exact lengths. Files are streamed in 64 KiB reads, never
//! read whole, so memory stays flat however many listeners download.

use std::io::SeekFrom;
use std::path::Path;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use tokio::io::{AsyncReadExt as _, AsyncSeekExt as _};
use tokio_util::io::ReaderStream;

use super::conditional::Validators;
use super::range::{self, Ranged};
use super::{AppState, Error, path};

/// Read size for streaming: large enough for few syscalls, small enough
/// that thousands of concurrent downloads stay in tens of megabytes.
const CHUNK: usize = 64 * 1024;

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
    let root = &state.inner.media_root;
    let wanted = path::resolve(root, raw).map_err(|refused| {
        tracing::debug!(%refused, path = raw, "media path refused");
        Error::NotFound
    })?;
    // Resolve symlinks and check the result is still inside the folder.
    let real = tokio::fs::canonicalize(&wanted)
        .await
        .map_err(|_| Error::NotFound)?;
    if !real.starts_with(root) {
        return Err(Error::NotFound);
    }
    let mut file = tokio::fs::File::open(&real)
        .await
        .map_err(|_| Error::NotFound)?;
    let meta = file.metadata().await?;
    if !meta.is_file() {
        return Err(Error::NotFound);
    }
    let len = meta.len();
    let modified = meta.modified()?;
    let nanos = modified
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let validators = Validators::new(format!("\"{len:x}-{nanos:x}\""), modified);

    let mut res = if validators.not_modified(&headers) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let ranged = match headers.get(header::RANGE).and_then(|v| v.to_str().ok()) {
            Some(h) if validators.range_allowed(&headers) => range::parse(h, len),
            _ => Ranged::Full,
        };
        let (status, start, count) = match ranged {
            Ranged::Full => (StatusCode::OK, 0, len),
            Ranged::Partial { start, end } => (StatusCode::PARTIAL_CONTENT, start, end - start + 1),
            Ranged::Unsatisfiable => return Err(Error::RangeNotSatisfiable { len }),
        };
        let body = if method == Method::HEAD {
            Body::empty()
        } else {
            file.seek(SeekFrom::Start(start)).await?;
            Body::from_stream(ReaderStream::with_capacity(file.take(count), CHUNK))
        };
        let mut res = (status, body).into_response();
        let h = res.headers_mut();
        put(h, header::CONTENT_LENGTH, &count.to_string());
        put(h, header::CONTENT_TYPE, content_type(&real));
        if status == StatusCode::PARTIAL_CONTENT {
            let range = format!("bytes {start}-{}/{len}", start + count - 1);
            put(h, header::CONTENT_RANGE, &range);
        }
        res
    };
    let h = res.headers_mut();
    put(h, header::ACCEPT_RANGES, "bytes");
    put(h, header::ETAG, &validators.etag);
    put(h, header::LAST_MODIFIED, &validators.http_date());
    put(h, header::CACHE_CONTROL, MEDIA_CACHE_CONTROL);
    put(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    Ok(res)
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
