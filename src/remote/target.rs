//! Which URLs we are willing to fetch, checked before any byte goes out and
//! again for every redirect `Location`.
//!
//! The rule is one sentence: `https` anywhere, plain `http` only to a loopback
//! host (`127.0.0.0/8`, `::1`, `localhost`). Loopback `http` is allowed so a
//! test server on `127.0.0.1:0` goes through exactly the same checks as a CDN,
//! with no test-only switch that production code could leave on. The one
//! exception is a producer's explicit request (`import-feed` of an old host
//! that still serves `http://`): [`RemoteOptions::allow_plain_http`](super::RemoteOptions).

use std::net::IpAddr;

use url::{Host, Url};

/// Checks `raw` and returns the parsed URL, or why it is refused.
pub(crate) fn parse(raw: &str, max_len: usize, plain_http: bool) -> Result<Url, String> {
    if raw.len() > max_len {
        return Err(format!(
            "URL is {} characters long, the limit is {max_len}",
            raw.len()
        ));
    }
    let url = Url::parse(raw.trim()).map_err(|e| format!("not a valid URL: {e}"))?;
    check(&url, plain_http)?;
    Ok(url)
}

/// [`parse`] with the options' limits, as a typed error; returns the URL as
/// safe to print (see [`display`]) with the parsed URL.
pub(crate) fn validate(
    raw: &str,
    opts: &super::RemoteOptions,
) -> Result<(String, Url), super::RemoteError> {
    let shown = display(raw);
    match parse(raw, opts.max_url_len, opts.allow_plain_http) {
        Ok(url) => Ok((shown, url)),
        Err(reason) => Err(super::RemoteError::InvalidUrl { url: shown, reason }),
    }
}

/// Checks an already-parsed URL (a redirect target) against the same rules;
/// `plain_http` lets `http` go to any host.
pub(crate) fn check(url: &Url, plain_http: bool) -> Result<(), String> {
    match url.scheme() {
        "https" => {}
        "http" if plain_http || is_loopback(url) => {}
        "http" => {
            return Err(
                "plain http is not allowed (only https, or http to a loopback address)".into(),
            );
        }
        other => return Err(format!("scheme `{other}:` is not allowed (only https)")),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("URL has no host".into());
    }
    // Credentials in a URL end up in logs, feeds and error messages; the
    // catalogue never needs them for public podcast audio.
    if !url.username().is_empty() || url.password().is_some() {
        return Err("URL contains a user name or password".into());
    }
    Ok(())
}

/// `url` as safe to print: any password is replaced, long URLs are shortened.
pub(crate) fn display(raw: &str) -> String {
    const MAX: usize = 200;
    let shown = match Url::parse(raw) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        _ => raw.to_string(),
    };
    if shown.len() <= MAX {
        return shown;
    }
    let mut cut = MAX;
    while !shown.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}…", &shown[..cut])
}

/// Whether `url` points at this machine (a loopback address or
/// `localhost`).
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        // RFC 6761 section 6.3: `localhost` always resolves to loopback.
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(raw: &str) -> String {
        parse(raw, 2048, false).expect_err(raw)
    }

    #[test]
    fn https_is_accepted() {
        let url = parse("https://cdn.example.com/ep/001.mp3?x=1", 2048, false).expect("valid");
        assert_eq!(url.host_str(), Some("cdn.example.com"));
    }

    #[test]
    fn http_is_accepted_only_for_loopback() {
        for ok in [
            "http://127.0.0.1:8080/a.mp3",
            "http://127.1.2.3/a.mp3",
            "http://[::1]:9/a.mp3",
            "http://localhost/a.mp3",
        ] {
            assert!(parse(ok, 2048, false).is_ok(), "{ok}");
        }
        assert!(parse("http://example.com/a.mp3", 2048, true).is_ok());
        assert!(parse("file:///etc/passwd", 2048, true).is_err());
        assert!(refused("http://example.com/a.mp3").contains("plain http"));
        assert!(refused("http://10.0.0.1/a.mp3").contains("plain http"));
        assert!(refused("http://localhost.example.com/a.mp3").contains("plain http"));
    }

    #[test]
    fn other_schemes_are_refused() {
        for raw in [
            "file:///etc/passwd",
            "ftp://example.com/a.mp3",
            "javascript:alert(1)",
            "data:audio/mpeg;base64,AAAA",
        ] {
            assert!(refused(raw).contains("is not allowed"), "{raw}");
        }
    }

    #[test]
    fn credentials_are_refused() {
        assert!(refused("https://user@example.com/a.mp3").contains("user name or password"));
        assert!(refused("https://user:pw@example.com/a.mp3").contains("user name or password"));
        assert!(refused("https://:pw@example.com/a.mp3").contains("user name or password"));
    }

    #[test]
    fn empty_host_and_garbage_are_refused() {
        assert!(refused("https://").contains("not a valid URL"));
        assert!(refused("https://:443/a.mp3").contains("not a valid URL"));
        assert!(refused("not a url").contains("not a valid URL"));
        assert!(refused("").contains("not a valid URL"));
    }

    #[test]
    fn over_long_urls_are_refused() {
        let long = format!("https://example.com/{}", "a".repeat(3000));
        assert!(refused(&long).contains("limit is 2048"));
    }

    #[test]
    fn display_hides_passwords_and_shortens() {
        assert_eq!(
            display("https://u:secret@example.com/a"),
            "https://u:***@example.com/a"
        );
        let long = format!("https://example.com/{}", "é".repeat(300));
        let shown = display(&long);
        assert!(shown.ends_with('…') && shown.len() < 210);
    }
}
