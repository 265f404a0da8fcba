//! `GET`/`HEAD /media/…`: audio, artwork, transcripts and chapters from the
//! media folder, with byte ranges (RFC 9110 §14), `If-Range`, conditional
//! requests and exact lengths. Files are streamed in 256 KiB reads, never
//! read whole, so memory stays flat however long the file is.

use std::io::{Read as _, Seek as _, SeekFrom};
use std::path::Path;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::Stream;

use super::conditional::Validators;
use super::range::{self, Ranged};
use super::{AppState, Error, path};

/// Read size for short responses (up to [`SHORT`], e.g. the 1 MiB ranges
/// players ask for): one blocking-pool hop and one read per chunk, so a
/// 1 MiB range costs four. (A single 1 MiB read measured no faster.)
const CHUNK: u64 = 256 * 1024;

/// Read size for long streams (whole episodes to many listeners): smaller,
/// so memory per connection stays low (a chunk in flight, one being read).
const LONG_CHUNK: u64 = 64 * 1024;

/// Responses up to this size use [`CHUNK`], longer ones [`LONG_CHUNK`].
const SHORT: u64 = 1024 * 1024;

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
    let file = tokio::fs::File::open(&real)
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
            Body::from_stream(chunks(file.into_std().await, start, count))
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

/// `count` bytes of `file` from `start`, read in chunks on the
/// blocking pool: one read straight into the buffer that is sent, rather
/// than tokio's file (which reads into its own buffer and copies).
fn chunks(
    file: std::fs::File,
    start: u64,
    count: u64,
) -> impl Stream<Item = std::io::Result<Bytes>> + Send {
    let chunk = if count <= SHORT { CHUNK } else { LONG_CHUNK };
    futures_util::stream::try_unfold(
        (Some(file), start, count),
        move |(file, pos, left)| async move {
            let Some(mut file) = file.filter(|_| left > 0) else {
                return Ok(None);
            };
            let (file, buf) = tokio::task::spawn_blocking(move || {
                // One read straight into the buffer that is sent. (Zeroing it
                // first costs less than `read_to_end`, which starts with 8 KiB
                // reads and grows them: several syscalls per chunk.)
                let mut buf = vec![0; chunk.min(left) as usize];
                file.seek(SeekFrom::Start(pos))?;
                file.read_exact(&mut buf)?;
                Ok::<_, std::io::Error>((file, buf))
            })
            .await
            .map_err(std::io::Error::other)??;
            let n = buf.len() as u64;
            Ok(Some((Bytes::from(buf), (Some(file), pos + n, left - n))))
        },
    )
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
