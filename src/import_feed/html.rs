//! URLs and HTML as feeds carry them: URLs trimmed, resolved against the
//! feed's address and kept only when http(s); show notes sanitised with
//! `ammonia`; titles and summaries reduced to plain text.

use url::Url;

/// An absolute http(s) URL from `raw` (trimmed, resolved against `base`).
pub(super) fn resolve(base: Option<&Url>, raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    let url = match Url::parse(raw) {
        Ok(u) => u,
        Err(url::ParseError::RelativeUrlWithoutBase) => match base {
            Some(b) => b.join(raw).map_err(|e| format!("`{raw}`: {e}"))?,
            None => {
                return Err(format!(
                    "`{raw}` is relative and the feed's own address is unknown"
                ));
            }
        },
        Err(e) => return Err(format!("`{raw}` is not a URL: {e}")),
    };
    match url.scheme() {
        "http" | "https" if url.host_str().is_some() => Ok(url.to_string()),
        scheme => Err(format!(
            "`{}` is a `{scheme}:` URL; only http and https can be fetched",
            shorten(raw)
        )),
    }
}

fn shorten(s: &str) -> String {
    match s.char_indices().nth(80) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
    }
}

/// The show-notes sanitiser for a feed at `base`, built once per feed (a
/// builder holds its tag tables): ammonia's defaults drop `script`,
/// `style`, event handlers and any URL scheme but http(s)/mailto and the
/// like; relative links are made absolute against the feed's address.
pub(super) fn notes_cleaner(base: Option<&Url>) -> ammonia::Builder<'static> {
    let mut b = ammonia::Builder::default();
    match base {
        Some(base) => b.url_relative(ammonia::UrlRelative::RewriteWithBase(base.clone())),
        None => b.url_relative(ammonia::UrlRelative::Deny),
    };
    b
}

/// Show notes HTML made safe by `cleaner` (see [`notes_cleaner`]).
pub(super) fn sanitise(html: &str, cleaner: &ammonia::Builder) -> String {
    cleaner.clean(html).to_string().trim().to_string()
}

/// Text without tags or entities, whitespace collapsed (titles, summaries).
pub(super) fn plain(text: &str) -> String {
    static TEXT_ONLY: std::sync::OnceLock<ammonia::Builder<'static>> = std::sync::OnceLock::new();
    let collapse = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    if !text.contains(['<', '&']) {
        return collapse(text);
    }
    let stripped = TEXT_ONLY
        .get_or_init(ammonia::Builder::empty)
        .clean(text)
        .to_string();
    let decoded = quick_xml::escape::unescape(&stripped)
        .map(|c| c.into_owned())
        .unwrap_or(stripped);
    collapse(&decoded)
}
