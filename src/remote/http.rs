//! The HTTP client and the first look at a URL: a blocking reqwest client,
//! redirects followed by hand (so every hop is validated), and the `HEAD`
//! that tells the length, type and range support of the file.

use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use reqwest::blocking::{Client, Response};
use reqwest::header::{self, HeaderMap};
use reqwest::{Method, StatusCode};
use url::Url;

use super::{RemoteError, RemoteOptions, target};

/// The shared client plus what one probe's errors need: the URL as the user
/// gave it, and the deadline of the whole probe.
pub(crate) struct Http {
    client: Client,
    pub(crate) opts: RemoteOptions,
    /// The URL as given (password hidden), named in every error.
    pub(crate) shown: String,
    deadline: Instant,
    /// Requests sent, redirect hops included.
    pub(crate) requests: AtomicU64,
    /// `Accept-Encoding` sent: `identity` for audio (byte ranges must
    /// address the file itself), `gzip` for a feed document.
    pub(crate) accept_encoding: &'static str,
}

/// What the `HEAD` (or its `GET` stand-in) said about the file.
#[derive(Debug, Clone)]
pub(crate) struct Resource {
    /// The URL after redirects; later range requests go straight to it.
    pub url: Url,
    /// Length in bytes.
    pub len: u64,
    /// `Content-Type` as sent, if any.
    pub content_type: Option<String>,
    /// `Accept-Ranges: none` was sent: do not even try ranges.
    pub refuses_ranges: bool,
    /// What identifies this version of the file: a strong `ETag`, else
    /// `Last-Modified` (RFC 9110 section 8.8), if the server sent one.
    pub validator: Option<String>,
}

/// Builds the client. Timeouts: reqwest's blocking `timeout` bounds the wait
/// for the response head *and* each body read separately, so it is a read
/// timeout, not a cap on a whole (possibly long) download.
pub(crate) fn client(opts: &RemoteOptions) -> reqwest::Result<Client> {
    Client::builder()
        .connect_timeout(opts.connect_timeout)
        .timeout(opts.read_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("podcatalog/", env!("CARGO_PKG_VERSION")))
        .build()
}

impl Http {
    /// Starts one probe of `shown` with a (cheaply cloned) client.
    pub(crate) fn new(client: Client, shown: String, opts: &RemoteOptions) -> Self {
        Self {
            client,
            opts: opts.clone(),
            shown,
            deadline: Instant::now() + opts.total_timeout,
            requests: AtomicU64::new(0),
            accept_encoding: "identity",
        }
    }

    /// Fails once the whole probe has taken longer than `total_timeout`.
    pub(crate) fn check_deadline(&self) -> Result<(), RemoteError> {
        if Instant::now() < self.deadline {
            return Ok(());
        }
        Err(RemoteError::Timeout {
            url: self.shown.clone(),
            what: "the whole probe".into(),
            after: self.opts.total_timeout,
        })
    }

    /// Sends `method` to `url` (with `Range: bytes=first-last` when given),
    /// following at most `max_redirects` redirects, each checked like the
    /// original URL. Returns the final answer, which is never a redirect.
    pub(crate) fn send(
        &self,
        method: &Method,
        url: &Url,
        range: Option<(u64, u64)>,
    ) -> Result<Response, RemoteError> {
        let mut chain = vec![url.clone()];
        loop {
            self.check_deadline()?;
            let current = chain.last().unwrap_or(url).clone();
            let mut req = self
                .client
                .request(method.clone(), current.clone())
                .header(header::ACCEPT_ENCODING, self.accept_encoding);
            if let Some((first, last)) = range {
                req = req.header(header::RANGE, format!("bytes={first}-{last}"));
            }
            self.requests.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(%method, url = %current, ?range, "remote request");
            let resp = req.send().map_err(|e| self.transport(e))?;
            if !is_redirect(resp.status()) {
                return Ok(resp);
            }
            let next = self.redirect_target(&current, resp.headers())?;
            if chain.contains(&next) {
                chain.push(next);
                let chain: Vec<&str> = chain.iter().map(Url::as_str).collect();
                return Err(RemoteError::RedirectLoop {
                    url: self.shown.clone(),
                    chain: chain.join(" -> "),
                });
            }
            if chain.len() > self.opts.max_redirects {
                return Err(RemoteError::TooManyRedirects {
                    url: self.shown.clone(),
                    max: self.opts.max_redirects,
                    last: target::display(next.as_str()),
                });
            }
            chain.push(next);
        }
    }

    fn redirect_target(&self, current: &Url, headers: &HeaderMap) -> Result<Url, RemoteError> {
        let bad = |location: &str, reason: String| RemoteError::BadRedirect {
            url: self.shown.clone(),
            location: target::display(location),
            reason,
        };
        let location = headers
            .get(header::LOCATION)
            .ok_or_else(|| bad("(none)", "redirect without a Location header".into()))?;
        let location = location
            .to_str()
            .map_err(|_| bad("(binary)", "Location is not valid text".into()))?;
        if location.len() > self.opts.max_url_len {
            return Err(bad(location, "Location is too long".into()));
        }
        let next = current
            .join(location)
            .map_err(|e| bad(location, format!("not a valid URL: {e}")))?;
        target::check(&next, self.opts.allow_plain_http).map_err(|reason| bad(location, reason))?;
        Ok(next)
    }

    /// Maps a reqwest error to the variant a producer can act on.
    pub(crate) fn transport(&self, source: reqwest::Error) -> RemoteError {
        let url = self.shown.clone();
        if source.is_timeout() {
            let (what, after) = if source.is_connect() {
                ("connecting", self.opts.connect_timeout)
            } else {
                ("waiting for the server's answer", self.opts.read_timeout)
            };
            RemoteError::Timeout {
                url,
                what: what.into(),
                after,
            }
        } else if source.is_connect() {
            RemoteError::Connect { url, source }
        } else {
            RemoteError::Transport { url, source }
        }
    }

    /// Maps an error while reading a response body.
    pub(crate) fn read_error(&self, source: io::Error) -> RemoteError {
        let timed_out = source.kind() == io::ErrorKind::TimedOut
            || source
                .get_ref()
                .and_then(|e| e.downcast_ref::<reqwest::Error>())
                .is_some_and(reqwest::Error::is_timeout);
        if timed_out {
            return RemoteError::Timeout {
                url: self.shown.clone(),
                what: "waiting for more bytes".into(),
                after: self.opts.read_timeout,
            };
        }
        RemoteError::Read {
            url: self.shown.clone(),
            source,
        }
    }

    /// An error for an answer with an unexpected status.
    pub(crate) fn status_error(&self, status: StatusCode) -> RemoteError {
        RemoteError::Status {
            url: self.shown.clone(),
            status: status.as_u16(),
            reason: status.canonical_reason().unwrap_or("").to_string(),
        }
    }

    /// Reads exactly `len` body bytes, failing on a short body, a stall or
    /// the probe deadline.
    pub(crate) fn read_body(
        &self,
        body: &mut Response,
        len: usize,
    ) -> Result<Vec<u8>, RemoteError> {
        let mut buf = vec![0; len];
        let mut filled = 0;
        while filled < len {
            self.check_deadline()?;
            match body.read(&mut buf[filled..]) {
                Ok(0) => {
                    return Err(RemoteError::Changed {
                        url: self.shown.clone(),
                        reason: format!(
                            "the server closed the answer after {filled} of {len} bytes"
                        ),
                    });
                }
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.read_error(e)),
            }
        }
        Ok(buf)
    }
}

/// Looks at `url` with `HEAD`: final URL, length, type, range support.
/// Servers that refuse `HEAD` are asked with a one-byte `GET`: 405 and 501
/// say so plainly, and presigned S3/CDN URLs answer 403 because the
/// signature covers the method.
pub(crate) fn discover(http: &Http, url: &Url) -> Result<Resource, RemoteError> {
    let resp = http.send(&Method::HEAD, url, None)?;
    let status = resp.status();
    let refused = [
        StatusCode::FORBIDDEN,
        StatusCode::METHOD_NOT_ALLOWED,
        StatusCode::NOT_IMPLEMENTED,
    ];
    if refused.contains(&status) {
        return discover_with_get(http, url);
    }
    if !status.is_success() {
        return Err(http.status_error(status));
    }
    // Read the header, not `Response::content_length()`: for a HEAD answer
    // that reports the (empty) body's length, 0.
    let len = header_str(resp.headers(), header::CONTENT_LENGTH)
        .and_then(|v| v.trim().parse::<u64>().ok())
        .ok_or_else(|| RemoteError::NoLength {
            url: http.shown.clone(),
        })?;
    resource(http, &resp, len)
}

fn discover_with_get(http: &Http, url: &Url) -> Result<Resource, RemoteError> {
    let resp = http.send(&Method::GET, url, Some((0, 0)))?;
    let status = resp.status();
    let len = if status == StatusCode::PARTIAL_CONTENT {
        header_str(resp.headers(), header::CONTENT_RANGE)
            .and_then(super::content_range::ContentRange::parse)
            .and_then(|cr| cr.complete)
    } else if status.is_success() {
        // The server ignored the range; dropping the answer closes it.
        header_str(resp.headers(), header::CONTENT_LENGTH).and_then(|v| v.trim().parse().ok())
    } else {
        return Err(http.status_error(status));
    };
    let len = len.ok_or_else(|| RemoteError::NoLength {
        url: http.shown.clone(),
    })?;
    resource(http, &resp, len)
}

fn resource(http: &Http, resp: &Response, len: u64) -> Result<Resource, RemoteError> {
    let headers = resp.headers();
    let content_type = header_str(headers, header::CONTENT_TYPE).map(str::to_string);
    if let Some(ct) = &content_type {
        let essence = crate::remote::mime_essence(ct);
        if essence == "text/html" || essence == "application/xhtml+xml" {
            return Err(RemoteError::NotAudio {
                url: http.shown.clone(),
                content_type: ct.clone(),
            });
        }
    }
    let refuses_ranges = header_str(headers, header::ACCEPT_RANGES)
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("none"));
    let validator = header_str(headers, header::ETAG)
        .filter(|e| !e.trim_start().starts_with("W/"))
        .or_else(|| header_str(headers, header::LAST_MODIFIED))
        .map(|v| v.trim().to_string());
    Ok(Resource {
        url: resp.url().clone(),
        len,
        content_type,
        refuses_ranges,
        validator,
    })
}

/// A header as text, `None` when absent or not visible ASCII.
pub(crate) fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The redirect statuses of RFC 9110 section 15.4 that carry a `Location`.
fn is_redirect(status: StatusCode) -> bool {
    matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308)
}
