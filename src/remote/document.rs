//! Fetching a whole document (a podcast feed) with hard limits: the same URL
//! rules and hand-followed, checked redirects as audio, a cap on the bytes
//! received *and* on the bytes a gzip body expands to (a gzip bomb is a
//! few kilobytes that inflate to gigabytes).

use std::io::Read;

use reqwest::Method;
use reqwest::header;
use url::Url;

use super::http::{Http, header_str};
use super::{Remote, RemoteError, target};

/// A fetched document.
#[derive(Debug, Clone)]
pub struct Document {
    /// The body, decompressed.
    pub bytes: Vec<u8>,
    /// The URL after redirects (relative links in it resolve against this).
    pub url: Url,
    /// `Content-Type`, if sent.
    pub content_type: Option<String>,
}

impl Remote {
    /// GETs `url` whole, refusing bodies over `limit` bytes before or after
    /// decompression.
    pub fn fetch_document(&self, url: &str, limit: u64) -> Result<Document, RemoteError> {
        let (shown, parsed) = target::validate(url, &self.opts)?;
        let mut http = Http::new(self.client.clone(), shown, &self.opts);
        http.accept_encoding = "gzip";
        let resp = http.send(&Method::GET, &parsed, None)?;
        if !resp.status().is_success() {
            return Err(http.status_error(resp.status()));
        }
        let too_large = |how| RemoteError::TooLarge {
            url: http.shown.clone(),
            limit,
            how,
        };
        let declared = header_str(resp.headers(), header::CONTENT_LENGTH)
            .and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit) {
            return Err(too_large(""));
        }
        let gzip = header_str(resp.headers(), header::CONTENT_ENCODING)
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("gzip"));
        let content_type = header_str(resp.headers(), header::CONTENT_TYPE).map(str::to_string);
        let final_url = resp.url().clone();
        let raw = read_capped(&http, resp, limit).ok_or_else(|| too_large(""))??;
        let bytes = if gzip {
            let inflater = flate2::read::GzDecoder::new(raw.as_slice());
            read_capped(&http, inflater, limit)
                .ok_or_else(|| too_large(", once decompressed"))??
        } else {
            raw
        };
        Ok(Document {
            bytes,
            url: final_url,
            content_type,
        })
    }
}

/// Reads at most `limit` bytes; `None` when there is more.
fn read_capped(http: &Http, body: impl Read, limit: u64) -> Option<Result<Vec<u8>, RemoteError>> {
    let mut out = Vec::new();
    let mut taken = body.take(limit + 1);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        if let Err(e) = http.check_deadline() {
            return Some(Err(e));
        }
        match taken.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Some(Err(http.read_error(e))),
        }
    }
    (out.len() as u64 <= limit).then_some(Ok(out))
}
