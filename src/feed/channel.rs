//! The `<rss>` root and the `<channel>` head: the show's own tags, as
//! Apple's podcast RSS requirements and the Podcast Index namespace list
//! them (title, link, description, language, `itunes:image`,
//! `itunes:category`, `itunes:explicit`, `itunes:author`, `itunes:owner`,
//! `itunes:type`, copyright, `atom:link rel="self"`, `podcast:guid`,
//! `podcast:locked`, `podcast:medium`, and `podcast:person` for the people
//! `[[channel.people]]` declares).

use uuid::Uuid;

use super::links::Links;
use super::xml::Xml;
use super::{Feed, item};
use crate::catalog::Episode;
use crate::config::{Config, ShowType};

/// Namespace URIs, exactly as the specifications spell them.
const NAMESPACES: &[(&str, &str)] = &[
    ("version", "2.0"),
    ("xmlns:itunes", "http://www.itunes.com/dtds/podcast-1.0.dtd"),
    ("xmlns:podcast", "https://podcastindex.org/namespace/1.0"),
    ("xmlns:atom", "http://www.w3.org/2005/Atom"),
    ("xmlns:content", "http://purl.org/rss/1.0/modules/content/"),
];

/// The Podcast Index's namespace for `podcast:guid` UUIDv5 values.
const PODCAST_GUID_NAMESPACE: Uuid = Uuid::from_u128(0xead4c236_bf58_58c6_a2c6_a6b28d128cb6);

/// `podcast:guid` for a feed URL: UUIDv5 of the URL with the scheme and
/// trailing slashes removed, in the podcast namespace (Podcast Index
/// namespace, `guid` tag: `podnews.net/rss` →
/// `9b024349-ccf0-5f69-a609-6b82873eab3c`).
pub fn podcast_guid(feed_url: &str) -> String {
    let without_scheme = feed_url
        .split_once("://")
        .map_or(feed_url, |(_, rest)| rest);
    let seed = without_scheme.trim_end_matches('/');
    Uuid::new_v5(&PODCAST_GUID_NAMESPACE, seed.as_bytes()).to_string()
}

/// Writes the root, the channel head, up to where the items begin.
pub(super) fn open(xml: &mut Xml, config: &Config, links: &Links, feed: &Feed, items: &[&Episode]) {
    let ch = &config.channel;
    xml.open("rss", NAMESPACES);
    xml.open("channel", &[]);
    xml.text("title", &[], &feed.title);
    xml.text("link", &[], &feed.link);
    xml.text("description", &[], &feed.description);
    xml.text("language", &[], &ch.language);
    xml.text("copyright", &[], &ch.copyright);
    xml.text("generator", &[], "podcatalog");
    if let Some(newest) = items.first() {
        let date = item::rfc2822(&newest.data.published_at);
        xml.text("pubDate", &[], &date);
        xml.text("lastBuildDate", &[], &date);
    }
    xml.empty(
        "atom:link",
        &[
            ("href", &feed.self_url),
            ("rel", "self"),
            ("type", "application/rss+xml"),
        ],
    );
    if let Some(hub) = &ch.websub_hub {
        // WebSub §4: the hub subscribers register with for push updates.
        xml.empty("atom:link", &[("href", hub.as_str()), ("rel", "hub")]);
    }
    let image = links.media_or_url(&ch.image);
    xml.open("image", &[]);
    xml.text("url", &[], &image);
    xml.text("title", &[], &feed.title);
    xml.text("link", &[], &feed.link);
    xml.close("image");
    xml.empty("itunes:image", &[("href", &image)]);
    for cat in &ch.categories {
        match &cat.sub {
            Some(sub) => {
                xml.open("itunes:category", &[("text", &cat.name)]);
                xml.empty("itunes:category", &[("text", sub)]);
                xml.close("itunes:category");
            }
            None => xml.empty("itunes:category", &[("text", &cat.name)]),
        }
    }
    xml.text("itunes:explicit", &[], bool_text(ch.explicit));
    xml.text("itunes:author", &[], &ch.author);
    if let Some(owner) = &ch.owner {
        xml.open("itunes:owner", &[]);
        xml.text("itunes:name", &[], &owner.name);
        xml.text("itunes:email", &[], &owner.email);
        xml.close("itunes:owner");
    }
    let kind = match ch.kind {
        ShowType::Episodic => "episodic",
        ShowType::Serial => "serial",
    };
    xml.text("itunes:type", &[], kind);
    if let Some(url) = ch.new_feed_url.as_ref().filter(|_| !feed.blocked()) {
        // Apple: apps and the directory move subscribers to this URL. Only
        // the show's own feed moves; person and theme feeds stay.
        xml.text("itunes:new-feed-url", &[], url.as_str());
    }
    if feed.blocked() {
        // Apple: `Yes` keeps the feed out of Apple Podcasts' directory; the
        // Podcast Index `block` tag (lower-case `yes`) asks every platform.
        xml.text("itunes:block", &[], "Yes");
    }
    xml.text("podcast:guid", &[], &feed.guid);
    let locked = if ch.locked { "yes" } else { "no" };
    match &ch.owner {
        Some(owner) => xml.text("podcast:locked", &[("owner", &owner.email)], locked),
        None => xml.text("podcast:locked", &[], locked),
    }
    xml.text("podcast:medium", &[], "podcast");
    if feed.blocked() {
        xml.text("podcast:block", &[], "yes");
    }
    // Only the people the producer declares for the whole show: every item
    // without people of its own inherits these (namespace, `person`), so
    // one inferred from some episodes would be credited on all the others.
    for p in &ch.people {
        let href = p.href.as_ref().map(url::Url::as_str);
        let img = p.img.as_ref().map(url::Url::as_str);
        item::person_tag(xml, &p.name, &p.role, href, img);
    }
}

/// Closes the channel and the root.
pub(super) fn close(xml: &mut Xml) {
    xml.close("channel");
    xml.close("rss");
}

/// Apple's spelling of booleans (`itunes:explicit`).
pub(super) fn bool_text(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}
