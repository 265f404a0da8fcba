//! Request limits the server enforces before any handler runs, each
//! answered with its own status (RFC 9110 §15.5, RFC 6585 §5) and never a
//! 500. hyper enforces some itself, configured in [`super::server`]: more
//! than [`MAX_HEADER_FIELDS`] fields and a head longer than [`MAX_HEAD`]
//! bytes get `431`, a `Transfer-Encoding` other than `chunked` gets `400`.
//! [`check`] covers what hyper lets through: a long URL (`414`), too many
//! header bytes (`431`), a second `Host` (`400`) and a request body framed
//! by `Transfer-Encoding` (`400`).
//!
//! Why any `Transfer-Encoding` is refused: when a request has both
//! `Content-Length` and `Transfer-Encoding` (the request-smuggling pattern,
//! RFC 9112 §6.1), hyper drops `Content-Length` before the service sees the
//! request, so the pair cannot be told apart from `Transfer-Encoding` alone.
//! Every route here is a `GET` or `HEAD`, which carries no body, so refusing
//! a chunked body outright costs no real client anything.

use axum::body::Body;
use axum::http::{HeaderValue, Request, Response, StatusCode, header};

use super::i18n::SV;
use super::pages::search::INPUT_MAX_CHARS;

/// Longest request target (path and query) in bytes; longer gets `414`.
pub const MAX_URI: usize = 8 * 1024;

/// Most bytes of header fields (names, values, `: ` and CRLF) in one
/// request; more gets `431`.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

/// Most header fields in one request; more gets `431` from hyper. This is
/// hyper's default, which keeps the parser's field table on the stack
/// (setting it explicitly moves the table to the heap on every request).
pub const MAX_HEADER_FIELDS: usize = 100;

/// Longest request head hyper parses at all (request line plus fields):
/// room for the longest URL and the most header bytes we answer precisely,
/// plus the method and version. A longer head gets `431` from hyper,
/// before anyone can look at which part was too long.
pub const MAX_HEAD: usize = MAX_URI + MAX_HEADER_BYTES + 1024;

/// Why a request was refused before routing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Rejected {
    /// The request target is longer than [`MAX_URI`].
    #[error("request target longer than {MAX_URI} bytes")]
    UriTooLong,
    /// The header fields take more than [`MAX_HEADER_BYTES`].
    #[error("header fields larger than {MAX_HEADER_BYTES} bytes")]
    HeadersTooLarge,
    /// More than one `Host` field (RFC 9112 §3.2: a server must answer 400).
    #[error("more than one Host header")]
    DuplicateHost,
    /// A body framed by `Transfer-Encoding` (see the module doc).
    #[error("a request body framed by Transfer-Encoding")]
    TransferEncoding,
}

impl Rejected {
    /// The status a client gets.
    pub fn status(self) -> StatusCode {
        match self {
            Rejected::UriTooLong => StatusCode::URI_TOO_LONG,
            Rejected::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Rejected::DuplicateHost | Rejected::TransferEncoding => StatusCode::BAD_REQUEST,
        }
    }

    /// A short plain-text answer that closes the connection: after a
    /// malformed request the next bytes on it cannot be trusted to start a
    /// request (a refused body would otherwise be parsed as one).
    pub fn response(self) -> Response<Body> {
        self.answer(format!("{self}\n"), "text/plain; charset=utf-8")
    }

    /// [`Rejected::response`], except that a search too long for a URL
    /// (10 kB pasted into `/sok?q=…` by hand or by a client of the API)
    /// gets the `414` with a friendly answer in the site's language: an
    /// HTML page for `/sok`, JSON with a `message` for `/api/search`.
    pub fn response_for(self, path: &str) -> Response<Body> {
        match (self, path) {
            (Rejected::UriTooLong, "/sok") => {
                let mut res = self.answer(search_too_long_page(), "text/html; charset=utf-8");
                super::headers::insert(res.headers_mut());
                res
            }
            (Rejected::UriTooLong, "/api/search") => {
                let body = serde_json::json!({ "message": search_too_long_text() });
                self.answer(format!("{body}\n"), "application/json")
            }
            _ => self.response(),
        }
    }

    fn answer(self, body: String, content_type: &'static str) -> Response<Body> {
        let mut res = Response::new(Body::from(body));
        *res.status_mut() = self.status();
        let h = res.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        h.insert(header::CONNECTION, HeaderValue::from_static("close"));
        res
    }
}

fn search_too_long_text() -> String {
    let max = INPUT_MAX_CHARS.to_string();
    SV.search_too_long.replace("{max}", &max)
}

/// A small page of its own (no catalogue needed): the site's stylesheet,
/// the explanation, and a search box to try again.
fn search_too_long_page() -> String {
    let page = maud::html! {
        (maud::DOCTYPE)
        html lang=(SV.lang) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (SV.search_too_long_title) }
                link rel="stylesheet" href=(super::assets::CSS.path());
            }
            body {
                main {
                    h1 { (SV.search_too_long_title) }
                    p { (search_too_long_text()) }
                    form action="/sok" method="get" role="search" {
                        label for="q" { (SV.search_label) }
                        input #q type="search" name="q"
                            maxlength=(INPUT_MAX_CHARS);
                        button type="submit" { (SV.search_button) }
                    }
                }
            }
        }
    };
    page.into_string()
}

/// Checks a parsed request against the limits hyper does not enforce.
pub fn check<B>(req: &Request<B>) -> Result<(), Rejected> {
    let target = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if target > MAX_URI {
        return Err(Rejected::UriTooLong);
    }
    let headers = req.headers();
    let bytes: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if bytes > MAX_HEADER_BYTES {
        return Err(Rejected::HeadersTooLarge);
    }
    if headers.get_all(header::HOST).iter().nth(1).is_some() {
        return Err(Rejected::DuplicateHost);
    }
    if headers.contains_key(header::TRANSFER_ENCODING) {
        return Err(Rejected::TransferEncoding);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(uri: &str, headers: &[(&str, &str)]) -> Request<()> {
        let mut b = Request::get(uri);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(()).expect("request")
    }

    #[test]
    fn ordinary_requests_pass() {
        let req = request(
            "/feed.xml?x=1",
            &[
                ("host", "a"),
                ("accept-encoding", "gzip"),
                ("range", "bytes=0-1"),
            ],
        );
        assert_eq!(check(&req), Ok(()));
        let long_but_allowed = format!("/{}", "a".repeat(MAX_URI - 1));
        assert_eq!(check(&request(&long_but_allowed, &[])), Ok(()));
    }

    #[test]
    fn each_limit_has_its_status() {
        let long = format!("/{}", "a".repeat(MAX_URI));
        let err = check(&request(&long, &[])).expect_err("long URI");
        assert_eq!(err.status(), StatusCode::URI_TOO_LONG);
        let big = "v".repeat(MAX_HEADER_BYTES / 2);
        let err = check(&request("/", &[("a", &big), ("b", &big)])).expect_err("big");
        assert_eq!(err.status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
        let err = check(&request("/", &[("host", "a"), ("host", "b")])).expect_err("host");
        assert_eq!(err, Rejected::DuplicateHost);
        let err = check(&request("/", &[("transfer-encoding", "chunked")])).expect_err("te");
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);
        let res = err.response();
        assert_eq!(res.headers()[header::CONNECTION], "close");
    }
}
