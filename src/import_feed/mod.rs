//! Reading a published podcast's RSS feed: bytes in, typed channel and
//! items out. One job only: no SQL, no HTTP, no files (the caller fetches
//! the bytes and decides what to keep).
//!
//! Tolerant of what real feeds do (see `text` and `tree`): a BOM, Latin-1,
//! the iTunes namespace under any prefix or URI case, CDATA or escaped
//! HTML, HTML entities, whitespace around URLs, relative URLs (resolved
//! against the feed's address). Strict where leniency would hurt: entity
//! declarations are refused, a feed cut short is an error, show notes are
//! sanitised with `ammonia` (no script, style, event handlers or
//! `javascript:` URLs). What a single item gets wrong is recorded on the
//! item as a problem (blocking) or a note (kept anyway), so the caller can
//! list every one of them at once.

mod extract;
mod html;
mod text;
mod tree;
pub mod values;

use chrono::{DateTime, FixedOffset};
use url::Url;

/// Why a document could not be read as a feed at all.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    /// It is something else: HTML, JSON, an Atom feed, nothing.
    #[error("not an RSS feed: {0}")]
    NotAFeed(String),
    /// Its declared encoding is unknown.
    #[error("cannot decode the feed: {0}")]
    Encoding(String),
    /// It is not well-formed XML.
    #[error("not well-formed XML: {0}")]
    Syntax(String),
    /// It contains something we refuse to process.
    #[error("refused: {0}")]
    Refused(String),
}

/// The show as the feed describes it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Channel {
    /// `title`.
    pub title: Option<String>,
    /// `description` (or `itunes:summary`), as plain text.
    pub description: Option<String>,
    /// `language`, e.g. `sv-se`.
    pub language: Option<String>,
    /// `itunes:author`.
    pub author: Option<String>,
    /// `itunes:owner` name and e-mail.
    pub owner: (Option<String>, Option<String>),
    /// `itunes:category` as `"Name"` or `"Name > Sub"`.
    pub categories: Vec<String>,
    /// `itunes:explicit`.
    pub explicit: Option<bool>,
    /// `itunes:type` (`episodic` or `serial`).
    pub kind: Option<String>,
    /// `itunes:image href` (else `image/url`), absolute.
    pub image: Option<String>,
    /// `copyright`.
    pub copyright: Option<String>,
    /// `podcast:guid`: the show's identity, kept across the move.
    pub podcast_guid: Option<String>,
    /// `podcast:locked`.
    pub locked: Option<bool>,
    /// `podcast:funding`: (URL, text).
    pub funding: Vec<(String, String)>,
    /// `link`: the show's web page.
    pub link: Option<String>,
    /// `itunes:new-feed-url`: the old feed already points elsewhere.
    pub new_feed_url: Option<String>,
    /// `itunes:keywords` and plain `category` of the channel.
    pub keywords: Vec<String>,
}

/// A `podcast:person`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Person {
    /// The name, as written.
    pub name: String,
    /// `role`, default `host` (namespace spec).
    pub role: String,
    /// `group`, default `cast`.
    pub group: String,
    /// `img`.
    pub img: Option<String>,
    /// `href`.
    pub href: Option<String>,
}

/// A `podcast:transcript`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Transcript {
    /// Absolute URL.
    pub url: String,
    /// MIME type, e.g. `text/vtt`.
    #[serde(rename = "type")]
    pub mime: String,
    /// Language, when given.
    pub language: Option<String>,
    /// `rel`, e.g. `captions`.
    pub rel: Option<String>,
}

/// An `enclosure`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enclosure {
    /// Absolute URL.
    pub url: String,
    /// `length` in bytes, when a positive number.
    pub length: Option<u64>,
    /// `type`.
    pub mime: Option<String>,
}

/// One `<item>`, with what could be read of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// 1-based position in the feed, for messages.
    pub position: usize,
    /// `guid` verbatim, or the enclosure URL when the item has none.
    pub guid: Option<String>,
    /// `title` (or `itunes:title`).
    pub title: Option<String>,
    /// `pubDate`.
    pub published: Option<DateTime<FixedOffset>>,
    /// Show notes from `content:encoded` or `description`, sanitised HTML.
    pub notes_html: Option<String>,
    /// `itunes:subtitle`, else a short `itunes:summary`, as plain text.
    pub summary: Option<String>,
    /// `itunes:episode`.
    pub number: Option<u32>,
    /// `itunes:season`.
    pub season: Option<u32>,
    /// `itunes:episodeType`, lower case.
    pub episode_type: Option<String>,
    /// `itunes:explicit`.
    pub explicit: Option<bool>,
    /// `itunes:image href`.
    pub image: Option<String>,
    /// `enclosure`.
    pub enclosure: Option<Enclosure>,
    /// `itunes:duration`, milliseconds.
    pub duration_ms: Option<u64>,
    /// `podcast:person`.
    pub people: Vec<Person>,
    /// Every `podcast:transcript`.
    pub transcripts: Vec<Transcript>,
    /// `podcast:chapters url`.
    pub chapters_url: Option<String>,
    /// `link`.
    pub link: Option<String>,
    /// `category` and `itunes:keywords`, for `--theme-map`.
    pub keywords: Vec<String>,
    /// What stops this item from being imported.
    pub problems: Vec<String>,
    /// What was odd but is kept.
    pub notes: Vec<String>,
}

/// A parsed feed.
#[derive(Debug, Clone, PartialEq)]
pub struct Feed {
    /// The show.
    pub channel: Channel,
    /// The items, in feed order.
    pub items: Vec<Item>,
    /// Things about the whole document worth telling (encoding guesses).
    pub warnings: Vec<String>,
}

/// Parses feed bytes. `base` is where the feed came from (relative URLs
/// resolve against it; for a local file, the feed's own `atom:link
/// rel="self"` or `link` is used).
pub fn parse(bytes: &[u8], base: Option<&Url>) -> Result<Feed, FeedError> {
    let decoded = text::decode(bytes)?;
    text::sniff(&decoded.text)?;
    let root = tree::parse(&decoded.text)?;
    let mut feed = extract::feed(&root, base)?;
    feed.warnings.extend(decoded.warning);
    Ok(feed)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    /// Pieces real and hostile items are made of, shuffled into items.
    fn fragment() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "<title>t &amp; å</title>",
            "<guid>g</guid>",
            "<guid>h</guid>",
            "<pubDate>Mon, 7 Nov 22 06:00 GMT</pubDate>",
            "<pubDate>garbage</pubDate>",
            "<enclosure url=\"javascript:alert(1)\"/>",
            "<enclosure url=\"data:audio/mpeg;base64,AA\"/>",
            "<enclosure url=\" https://a.example/a.mp3 \" length=\"9\"/>",
            "<enclosure url=\"rel/a.mp3\"/>",
            "<description><![CDATA[<script>x</script><p onclick=\"y\">z</p>]]></description>",
            "<description>&lt;script&gt;alert(1)&lt;/script&gt;&lt;a href=\"javascript:x\"&gt;l&lt;/a&gt;</description>",
            "<content:encoded xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><![CDATA[<style>a</style><img src=x onerror=y>]]></content:encoded>",
            "<itunes:duration>1:2:3:4</itunes:duration>",
            "<itunes:duration>62:03</itunes:duration>",
            "<podcast:person role=\"Guest\">p</podcast:person>",
            "&nbsp;",
            "&bogus;",
            "&#229;",
            " & ",
            "<!-- c -->",
        ])
    }

    fn item() -> impl Strategy<Value = String> {
        prop::collection::vec(fragment(), 0..8).prop_map(|f| format!("<item>{}</item>", f.concat()))
    }

    proptest! {
        /// Whatever the items hold: no panic, and what comes out is safe.
        #[test]
        fn any_items_parse_into_safe_values(items in prop::collection::vec(item(), 0..12)) {
            let doc = format!(
                "\u{feff}<rss xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\"><channel>{}</channel></rss>",
                items.concat()
            );
            let feed = super::parse(doc.as_bytes(), None);
            prop_assert!(feed.is_ok(), "{:?}", feed.err());
            let feed = feed.map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(feed.items.len(), items.len());
            for item in &feed.items {
                if let Some(e) = &item.enclosure {
                    prop_assert!(e.url.starts_with("https://"), "{}", e.url);
                }
                let notes = item.notes_html.as_deref().unwrap_or("").to_lowercase();
                for bad in ["<script", "onclick", "onerror", "<style", "javascript:"] {
                    prop_assert!(!notes.contains(bad), "{bad} in {notes}");
                }
            }
        }
    }
}
