//! Every public URL the feed points at, built from the configured base URL,
//! so the feed, the server's routes and `podcatalog build` agree on them.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use url::Url;

/// Characters kept as they are in a path segment: RFC 3986 `unreserved`.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The name of the show's feed file under the base URL (the default of
/// `server.feed_path`), and of every person's and theme's feed file.
pub const FEED_FILE: &str = "feed.xml";

/// URL builder rooted at the site's base URL (which ends with `/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Links {
    base: String,
    feed_path: String,
}

impl Links {
    /// Links under `base` (a trailing `/` is added when missing), with the
    /// show's feed at [`FEED_FILE`].
    pub fn new(base: &Url) -> Links {
        let mut base = base.to_string();
        if !base.ends_with('/') {
            base.push('/');
        }
        Links {
            base,
            feed_path: FEED_FILE.into(),
        }
    }

    /// Links for a configuration: its base URL and `server.feed_path`.
    pub fn for_config(config: &crate::config::Config) -> Links {
        Links {
            feed_path: config.server.feed_path.clone(),
            ..Links::new(&config.channel.base_url)
        }
    }

    /// Links under the base URL as configured, whatever `--base-url` or a
    /// preview port says: the URLs `podcast:guid`s are derived from.
    pub fn configured(config: &crate::config::Config) -> Links {
        Links {
            feed_path: config.server.feed_path.clone(),
            ..Links::new(&config.channel.configured_base_url)
        }
    }

    /// The website's home page.
    pub fn home(&self) -> &str {
        &self.base
    }

    /// The show's feed.
    pub fn feed(&self) -> String {
        format!("{}{}", self.base, self.feed_path)
    }

    /// An episode's page.
    pub fn episode(&self, slug: &str) -> String {
        format!("{}avsnitt/{}", self.base, segment(slug))
    }

    /// The chapters embedded in an episode's audio, as JSON chapters.
    pub fn chapters(&self, slug: &str) -> String {
        format!(
            "{}{}/{}.json",
            self.base,
            super::chapters::DIR,
            segment(slug)
        )
    }

    /// A person's page.
    pub fn person(&self, slug: &str) -> String {
        format!("{}personer/{}", self.base, segment(slug))
    }

    /// A person's feed.
    pub fn person_feed(&self, slug: &str) -> String {
        format!("{}/{FEED_FILE}", self.person(slug))
    }

    /// A theme's page.
    pub fn theme(&self, slug: &str) -> String {
        format!("{}teman/{}", self.base, segment(slug))
    }

    /// A theme's feed.
    pub fn theme_feed(&self, slug: &str) -> String {
        format!("{}/{FEED_FILE}", self.theme(slug))
    }

    /// A file under the media folder (`name` may contain `/`; each segment
    /// is percent-encoded).
    pub fn media(&self, name: &str) -> String {
        let mut out = format!("{}media", self.base);
        for part in name.split('/') {
            out.push('/');
            out.push_str(&segment(part));
        }
        out
    }

    /// `image` as a URL: absolute http(s) URLs stay, anything else is a
    /// file in the media folder.
    pub fn media_or_url(&self, image: &str) -> String {
        match Url::parse(image) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => u.to_string(),
            _ => self.media(image),
        }
    }
}

fn segment(s: &str) -> std::borrow::Cow<'_, str> {
    // Slugs and most file names need no encoding: skip the encoder for them.
    let plain = s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
    if plain {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(utf8_percent_encode(s, SEGMENT).to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_names_are_percent_encoded_per_segment() {
        let base = Url::parse("https://example.se/podd").expect("url");
        let links = Links::new(&base);
        assert_eq!(links.feed(), "https://example.se/podd/feed.xml");
        assert_eq!(
            links.media("å ä/#1?.mp3"),
            "https://example.se/podd/media/%C3%A5%20%C3%A4/%231%3F.mp3"
        );
        assert_eq!(
            links.person_feed("nils-munthe"),
            "https://example.se/podd/personer/nils-munthe/feed.xml"
        );
        assert_eq!(
            links.media_or_url("https://cdn.example/a.png"),
            "https://cdn.example/a.png"
        );
    }
}
