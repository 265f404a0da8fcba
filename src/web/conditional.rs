//! Validators and conditional requests (RFC 9110 §8.8, §13): strong ETags,
//! `Last-Modified`, `If-None-Match`, `If-Modified-Since`, `If-Range`, and
//! `Accept-Encoding` negotiation for the compressed copies of the feed.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, header};

/// A representation's validators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validators {
    /// Strong entity tag, quoted: `"abc"`.
    pub etag: String,
    /// Modification time, whole seconds (HTTP dates have no fractions).
    pub last_modified: SystemTime,
}

impl Validators {
    /// Validators with `last_modified` truncated to the second.
    pub fn new(etag: String, last_modified: SystemTime) -> Validators {
        let secs = last_modified
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Validators {
            etag,
            last_modified: UNIX_EPOCH + Duration::from_secs(secs),
        }
    }

    /// `Last-Modified` as an IMF-fixdate.
    pub fn http_date(&self) -> String {
        httpdate::fmt_http_date(self.last_modified)
    }

    /// Whether a GET/HEAD with these headers gets `304 Not Modified`:
    /// `If-None-Match` decides when present (weak comparison), else
    /// `If-Modified-Since` (§13.2.2).
    pub fn not_modified(&self, headers: &HeaderMap) -> bool {
        if let Some(inm) = headers.get(header::IF_NONE_MATCH) {
            let Ok(list) = inm.to_str() else { return false };
            return list.split(',').map(str::trim).any(|tag| {
                tag == "*" || opaque(tag).is_some_and(|t| Some(t) == opaque(&self.etag))
            });
        }
        let since = headers
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| httpdate::parse_http_date(v).ok());
        since.is_some_and(|since| self.last_modified <= since)
    }

    /// Whether a `Range` may be honoured given `If-Range` (§13.1.5): absent,
    /// or a strongly matching ETag. A weak tag never matches (§8.8.3.2
    /// forbids it), and neither does a date: `Last-Modified` has whole
    /// seconds, so a file replaced twice within one second keeps its date,
    /// and a player would splice bytes of two files. The answer is then the
    /// whole file (`200`), which is always correct.
    pub fn range_allowed(&self, headers: &HeaderMap) -> bool {
        let Some(value) = headers.get(header::IF_RANGE) else {
            return true;
        };
        let Ok(value) = value.to_str() else {
            return false;
        };
        let value = value.trim();
        value.starts_with('"') && value == self.etag
    }
}

/// The quoted part of an entity tag, ignoring a weak `W/` prefix.
fn opaque(tag: &str) -> Option<&str> {
    let tag = tag.strip_prefix("W/").unwrap_or(tag);
    (tag.len() >= 2 && tag.starts_with('"') && tag.ends_with('"')).then_some(tag)
}

/// A content coding the feed is kept in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    /// The bytes as rendered.
    Identity,
    /// `gzip`.
    Gzip,
    /// `br` (RFC 7932).
    Brotli,
}

/// The client's weight (q) for each coding we have: listed explicitly, or
/// covered by `*` (§12.5.3). Unlisted codings weigh 0.
fn weights(headers: &HeaderMap) -> (f32, f32) {
    let (mut gzip, mut br, mut star) = (None, None, None::<f32>);
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or("").trim();
            // Compared without lower-casing a copy: this runs per request.
            let slot =
                if coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip") {
                    &mut gzip
                } else if coding.eq_ignore_ascii_case("br") {
                    &mut br
                } else if coding == "*" {
                    &mut star
                } else {
                    continue;
                };
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .filter_map(|q| q.trim().parse::<f32>().ok())
                .next()
                .unwrap_or(1.0);
            *slot = Some(q);
        }
    }
    let star = star.unwrap_or(0.0);
    (gzip.unwrap_or(star), br.unwrap_or(star))
}

/// The coding to send: the accepted one with the highest weight, brotli on
/// a tie (smaller), identity when neither is accepted.
pub fn negotiate(headers: &HeaderMap) -> Coding {
    let (gzip, br) = weights(headers);
    if br > 0.0 && br >= gzip {
        Coding::Brotli
    } else if gzip > 0.0 {
        Coding::Gzip
    } else {
        Coding::Identity
    }
}

/// Whether the client accepts gzip: listed with a non-zero q, or covered by
/// `*` without gzip being refused (§12.5.3).
pub fn accepts_gzip(headers: &HeaderMap) -> bool {
    weights(headers).0 > 0.0
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(k, HeaderValue::from_str(v).expect("value"));
        }
        h
    }

    fn validators() -> Validators {
        Validators::new(
            "\"abc\"".into(),
            UNIX_EPOCH + Duration::from_millis(1_700_000_000_500),
        )
    }

    #[test]
    fn if_none_match_wins_over_if_modified_since() {
        let v = validators();
        let date = v.http_date();
        assert!(v.not_modified(&headers(&[(header::IF_NONE_MATCH, "\"x\", W/\"abc\"")])));
        assert!(v.not_modified(&headers(&[(header::IF_NONE_MATCH, "*")])));
        assert!(!v.not_modified(&headers(&[
            (header::IF_NONE_MATCH, "\"x\""),
            (header::IF_MODIFIED_SINCE, &date)
        ])));
        assert!(v.not_modified(&headers(&[(header::IF_MODIFIED_SINCE, &date)])));
        assert!(!v.not_modified(&headers(&[(
            header::IF_MODIFIED_SINCE,
            "Sun, 06 Nov 1994 08:49:37 GMT"
        )])));
        assert!(!v.not_modified(&HeaderMap::new()));
    }

    #[test]
    fn if_range_needs_a_strong_etag_match() {
        let v = validators();
        assert!(v.range_allowed(&HeaderMap::new()));
        assert!(v.range_allowed(&headers(&[(header::IF_RANGE, "\"abc\"")])));
        assert!(!v.range_allowed(&headers(&[(header::IF_RANGE, "W/\"abc\"")])));
        assert!(!v.range_allowed(&headers(&[(header::IF_RANGE, "\"old\"")])));
        assert!(!v.range_allowed(&headers(&[(header::IF_RANGE, &v.http_date())])));
        assert!(!v.range_allowed(&headers(&[(
            header::IF_RANGE,
            "Sun, 06 Nov 1994 08:49:37 GMT"
        )])));
    }

    #[test]
    fn gzip_negotiation() {
        let yes = [
            "gzip",
            "br, gzip;q=0.5",
            "*",
            "deflate, GZIP",
            "identity, *;q=1",
        ];
        for v in yes {
            assert!(
                accepts_gzip(&headers(&[(header::ACCEPT_ENCODING, v)])),
                "{v}"
            );
        }
        let no = ["", "br", "gzip;q=0", "*;q=0", "gzip;q=0, *"];
        for v in no {
            assert!(
                !accepts_gzip(&headers(&[(header::ACCEPT_ENCODING, v)])),
                "{v}"
            );
        }
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn brotli_when_preferred_or_tied_gzip_when_heavier() {
        let cases = [
            ("br", Coding::Brotli),
            ("gzip, deflate, br", Coding::Brotli),
            ("gzip;q=1, br;q=0.5", Coding::Gzip),
            ("br;q=0, gzip", Coding::Gzip),
            ("*", Coding::Brotli),
            ("br;q=0, gzip;q=0", Coding::Identity),
            ("identity", Coding::Identity),
            ("", Coding::Identity),
        ];
        for (v, want) in cases {
            let h = headers(&[(header::ACCEPT_ENCODING, v)]);
            assert_eq!(negotiate(&h), want, "{v}");
        }
        assert_eq!(negotiate(&HeaderMap::new()), Coding::Identity);
    }
}
