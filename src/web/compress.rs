//! Compression of text responses on the fly: HTML pages, the stylesheet
//! and script, search JSON, and transcripts, chapters and other text under
//! `/media/`. Never audio, video or images (already compressed: the CPU
//! would be spent for nothing, and a range of a compressed stream means
//! nothing to a player), never a `206` (tower-http skips a response with
//! `Content-Range`), and never the feeds, which [`super::feeds`] keeps
//! precompressed with one strong ETag per encoding (the layer is not even
//! on their routes: feed polls, mostly `304`s, are the hot path).
//!
//! A compressed response is a different representation, so its strong ETag
//! becomes weak (RFC 9110 §8.8.1): `If-None-Match` still matches it (weak
//! comparison), `If-Range` no longer does, which is right because a range
//! of the identity bytes is not a range of the compressed ones.

use axum::body::HttpBody;
use axum::http::{HeaderMap, HeaderValue, Response, StatusCode, header};
use tower_http::compression::{CompressionLayer, CompressionLevel, Predicate};

/// Media types worth compressing (the start of `Content-Type`).
const TEXT_TYPES: [&str; 8] = [
    "text/html",
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "text/vtt",
    "text/plain",
    "application/x-subrip",
];

/// Smaller bodies are sent as they are: the gzip header and a packet saved
/// are not worth the CPU.
const MIN_BYTES: u64 = 512;

/// Quality for gzip and brotli alike: brotli's default (11) costs
/// milliseconds per page; 4 is a few times faster than gzip's default
/// and still compresses better.
const QUALITY: i32 = 4;

/// The layer for the router.
pub fn layer() -> CompressionLayer<TextOnly> {
    CompressionLayer::new()
        .quality(CompressionLevel::Precise(QUALITY))
        .compress_when(TextOnly)
}

/// Compress a `200` text response of at least [`MIN_BYTES`] (or of unknown
/// length).
#[derive(Debug, Clone, Copy, Default)]
pub struct TextOnly;

impl Predicate for TextOnly {
    fn should_compress<B: HttpBody>(&self, res: &Response<B>) -> bool {
        let len = res
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .or_else(|| res.body().size_hint().exact());
        res.status() == StatusCode::OK
            && is_text(res.headers())
            && len.is_none_or(|n| n >= MIN_BYTES)
    }
}

/// Whether the response's `Content-Type` is one of [`TEXT_TYPES`].
pub fn is_text(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(is_text_type)
}

/// Whether `content_type` is one of [`TEXT_TYPES`]: the only bodies this
/// layer reads (media sent with `sendfile` must not be one).
pub fn is_text_type(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    TEXT_TYPES.iter().any(|t| essence.eq_ignore_ascii_case(t))
}

/// Makes the strong ETag of a response this layer compressed weak (see
/// the module doc). Feeds carry `Content-Encoding` from their handler with
/// their own strong tags, and are not text types here, so they keep them.
pub fn weaken_etag<B>(res: &mut Response<B>) {
    if !res.headers().contains_key(header::CONTENT_ENCODING) || !is_text(res.headers()) {
        return;
    }
    let Some(tag) = res.headers().get(header::ETAG) else {
        return;
    };
    if tag.as_bytes().starts_with(b"W/") {
        return;
    }
    let mut weak = b"W/".to_vec();
    weak.extend_from_slice(tag.as_bytes());
    if let Ok(v) = HeaderValue::from_bytes(&weak) {
        res.headers_mut().insert(header::ETAG, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(ct: &str, len: usize) -> Response<String> {
        let mut res = Response::new("x".repeat(len));
        res.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_str(ct).expect("ct"));
        res
    }

    #[test]
    fn text_is_compressed_audio_and_images_never() {
        for ct in [
            "text/html; charset=utf-8",
            "text/css; charset=utf-8",
            "text/javascript; charset=utf-8",
            "application/json",
            "text/vtt; charset=utf-8",
        ] {
            assert!(TextOnly.should_compress(&response(ct, 4096)), "{ct}");
        }
        for ct in [
            "audio/mpeg",
            "audio/mp4",
            "image/png",
            "image/jpeg",
            "video/mp4",
            "application/octet-stream",
            "application/rss+xml; charset=utf-8",
        ] {
            assert!(!TextOnly.should_compress(&response(ct, 4096)), "{ct}");
        }
        assert!(
            !TextOnly.should_compress(&response("text/html", 100)),
            "small"
        );
    }

    #[test]
    fn a_compressed_strong_etag_turns_weak() {
        let mut res = response("text/vtt", 4096);
        res.headers_mut()
            .insert(header::ETAG, HeaderValue::from_static("\"abc\""));
        weaken_etag(&mut res);
        assert_eq!(res.headers()[header::ETAG], "\"abc\"", "not compressed");
        res.headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        weaken_etag(&mut res);
        assert_eq!(res.headers()[header::ETAG], "W/\"abc\"");
        weaken_etag(&mut res);
        assert_eq!(res.headers()[header::ETAG], "W/\"abc\"");
    }
}
