//! Bytes to text before any XML parsing: the byte-order mark, the encoding
//! the XML declaration names (ISO-8859-1 and windows-1252 feeds are still
//! common), and a first look that tells a web page, JSON or nothing at all
//! from a feed, so the producer hears "this is an HTML page", not an XML
//! syntax error at line 1.

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

use super::FeedError;

/// The feed as text, with what the decoding had to assume.
pub(super) struct Decoded {
    /// The text, BOM removed.
    pub text: String,
    /// Something a producer should know (a wrong declared encoding).
    pub warning: Option<String>,
}

/// Decodes `bytes`: a BOM wins, then the declared `encoding`, then UTF-8.
/// A feed that says UTF-8 but is not is read as windows-1252 (the usual
/// culprit) with a warning, rather than refused.
pub(super) fn decode(bytes: &[u8]) -> Result<Decoded, FeedError> {
    if let Some((enc, bom)) = Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom..]);
        return Ok(Decoded {
            text: text.into_owned(),
            warning: None,
        });
    }
    let declared = declared_encoding(bytes);
    let enc = match &declared {
        Some(label) => Encoding::for_label(label.as_bytes())
            .ok_or_else(|| FeedError::Encoding(format!("unknown encoding `{label}`")))?,
        None => UTF_8,
    };
    // ISO-8859-1 labels map to windows-1252 in encoding_rs, as browsers do.
    if enc == UTF_8 {
        if let Ok(text) = std::str::from_utf8(bytes) {
            return Ok(Decoded {
                text: text.to_string(),
                warning: None,
            });
        }
        let (text, _, _) = WINDOWS_1252.decode(bytes);
        return Ok(Decoded {
            text: text.into_owned(),
            warning: Some("the feed is not valid UTF-8; read it as windows-1252".into()),
        });
    }
    let (text, _, bad) = enc.decode(bytes);
    Ok(Decoded {
        text: text.into_owned(),
        warning: bad.then(|| format!("the feed has bytes that are not {}", enc.name())),
    })
}

/// The `encoding="…"` of an XML declaration at the start, if any.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(512)];
    let head = String::from_utf8_lossy(head);
    let decl = head.trim_start().strip_prefix("<?xml")?;
    let decl = &decl[..decl.find("?>")?];
    let at = decl.find("encoding")?;
    let rest = decl[at + "encoding".len()..]
        .trim_start()
        .strip_prefix('=')?;
    let rest = rest.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &rest[1..];
    Some(value[..value.find(quote)?].trim().to_string())
}

/// Refuses what is plainly not a feed, by its first characters.
pub(super) fn sniff(text: &str) -> Result<(), FeedError> {
    let start = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if start.is_empty() {
        return Err(FeedError::NotAFeed("the body is empty".into()));
    }
    if start.starts_with('{') || start.starts_with('[') {
        return Err(FeedError::NotAFeed(
            "it is JSON (a JSON Feed or an API answer?)".into(),
        ));
    }
    let lower: String = start
        .chars()
        .take(64)
        .collect::<String>()
        .to_ascii_lowercase();
    if lower.starts_with("<!doctype html") || lower.starts_with("<html") {
        return Err(FeedError::NotAFeed(
            "it is a web page (HTML): the address probably points at the show's page; look for its RSS link"
                .into(),
        ));
    }
    if !start.starts_with('<') {
        return Err(FeedError::NotAFeed(
            "it does not start with XML markup".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boms_and_declared_encodings_are_honoured() {
        let mut utf8 = b"\xEF\xBB\xBF<rss>\xC3\xA5</rss>".to_vec();
        assert_eq!(decode(&utf8).expect("utf8").text, "<rss>å</rss>");
        utf8.drain(..3);
        assert_eq!(decode(&utf8).expect("utf8").text, "<rss>å</rss>");
        let latin =
            b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss>\xE5\xE4\xF6 \x93q\x94</rss>";
        let text = decode(latin).expect("latin-1").text;
        assert!(text.ends_with("<rss>åäö “q”</rss>"), "{text}");
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("<rss>ö</rss>".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(&utf16).expect("utf16").text, "<rss>ö</rss>");
        let lying = b"<?xml version='1.0' encoding='utf-8'?><rss>\xE5</rss>";
        let d = decode(lying).expect("fallback");
        assert!(d.text.contains('å') && d.warning.is_some());
        assert!(decode(b"<?xml version='1.0' encoding='klingon'?><rss/>").is_err());
    }

    #[test]
    fn pages_json_and_nothing_are_told_apart() {
        let msg = |t: &str| sniff(t).expect_err(t).to_string();
        assert!(msg("  \n").contains("empty"));
        assert!(msg("{\"items\": []}").contains("JSON"));
        assert!(msg("<!DOCTYPE html><html>").contains("web page"));
        assert!(msg("<HTML><body>").contains("web page"));
        assert!(msg("Not Found").contains("XML"));
        assert!(sniff("<?xml version='1.0'?><rss/>").is_ok());
    }
}
