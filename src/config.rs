//! `feed-config.toml`: the channel settings, the theme vocabulary and the
//! server settings.
//!
//! Parsing is split from I/O: [`Config::parse`] is pure and turns text into a
//! validated [`Config`] (typed values, paths still relative), [`Config::load`]
//! reads the file and resolves paths against the file's folder. Every error
//! names the file, the key and the line, so a producer can fix it at once.

mod apple;
mod loudness;
mod raw;

use std::path::{Path, PathBuf};

use url::Url;

pub use apple::{Category, is_apple_category};
pub use loudness::LoudnessTarget;

/// One theme of the controlled vocabulary episodes are tagged with.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Theme {
    /// URL-safe identifier used in episode files and URLs.
    pub slug: String,
    /// Display name, e.g. "Mänskliga rättigheter".
    pub name: String,
    /// One or two sentences shown on the theme page.
    pub description: String,
}

/// The owner Apple and directories contact about the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    /// Owner's name.
    pub name: String,
    /// Owner's e-mail address.
    pub email: String,
}

/// Channel-level settings that go into the feed and the website.
#[derive(Debug, Clone, PartialEq)]
pub struct Channel {
    /// Show title.
    pub title: String,
    /// Show description (plain text, at most 4000 bytes as Apple requires).
    pub description: String,
    /// Language tag (ISO 639-1 code, optionally with a region: `sv`, `sv-SE`).
    pub language: String,
    /// `itunes:author`.
    pub author: String,
    /// `itunes:owner`; `None` when the config names none (`check --publish`
    /// reports it: Apple and the Podcast Index need a contact).
    pub owner: Option<Owner>,
    /// Public base URL from which feed, page and enclosure URLs are built; ends with `/`.
    pub base_url: Url,
    /// `channel.base_url` exactly as configured, which `--base-url` and a
    /// local preview's port do not change: `podcast:guid`s are derived from
    /// it, because a guid must never change once the feed is published.
    pub configured_base_url: Url,
    /// `channel.podcast_guid`: the show's `podcast:guid` when set; otherwise
    /// it is derived from the configured feed URL (Podcast Index namespace).
    pub podcast_guid: Option<uuid::Uuid>,
    /// Show artwork, a path under the media directory or an absolute URL.
    pub image: String,
    /// Apple categories, in order of importance.
    pub categories: Vec<Category>,
    /// `itunes:explicit` for the show.
    pub explicit: bool,
    /// `itunes:type`.
    pub kind: ShowType,
    /// Copyright line.
    pub copyright: String,
    /// WebSub hub (`atom:link rel="hub"`) pinged after every change, if any.
    pub websub_hub: Option<Url>,
    /// `podcast:locked`: other platforms may not import the feed.
    pub locked: bool,
    /// The show in Apple Podcasts (https), linked from the website.
    pub apple_podcasts_url: Option<Url>,
    /// The show in Spotify (https), linked from the website.
    pub spotify_url: Option<Url>,
    /// `channel.new_feed_url`: the show has moved to this feed; written as
    /// `itunes:new-feed-url` so apps and directories follow it (the way out).
    pub new_feed_url: Option<Url>,
    /// `[[channel.people]]`: the people the producer states take part in the
    /// whole show. Only these go into the channel's `podcast:person` tags,
    /// which every item without people of its own inherits (Podcast Index
    /// namespace, `person`), so they are never inferred from episodes.
    pub people: Vec<ChannelPerson>,
}

/// A person credited for the whole show (`[[channel.people]]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelPerson {
    /// Their name as published.
    pub name: String,
    /// A Podcasting 2.0 taxonomy role in English (`host`, `producer`, …).
    pub role: String,
    /// A page about them (`podcast:person href`), if given.
    pub href: Option<Url>,
    /// A picture of them (`podcast:person img`), if given.
    pub img: Option<Url>,
}

/// `itunes:type`: how apps order and present episodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ShowType {
    /// Newest first; episodes stand alone.
    Episodic,
    /// Oldest first; episodes build on each other.
    Serial,
}

/// Where things live and where the server listens, resolved to real paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    /// Listen address, e.g. `127.0.0.1:8080`.
    pub listen: String,
    /// SQLite catalogue file.
    pub database: PathBuf,
    /// Folder of audio and artwork files served under `/media/`.
    pub media_dir: PathBuf,
    /// Folder of human-editable episode files.
    pub episodes_dir: PathBuf,
    /// Where the show's feed is published under the base URL (`feed.xml`).
    pub feed_path: String,
}

/// `[stats]`: listening statistics (see `src/stats`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stats {
    /// Count downloads and feed clients in `serve` (default on: only counts
    /// are kept, never an address or an agent).
    pub enabled: bool,
    /// Reverse proxies whose `X-Forwarded-For`/`Forwarded` is believed;
    /// anyone else could forge those headers.
    pub trusted_proxies: Vec<IpNet>,
    /// Serve the statistics page at `/statistik` (default: a 404).
    pub public: bool,
    /// Put OP3's prefix (`https://op3.dev/e/`) before enclosure URLs, for
    /// producers who want open third-party counting too.
    pub op3: bool,
}

impl Default for Stats {
    fn default() -> Stats {
        Stats {
            enabled: true,
            trusted_proxies: Vec::new(),
            public: false,
            op3: false,
        }
    }
}

/// An address block, `192.0.2.0/24` or a single address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    /// The block's first address.
    pub addr: std::net::IpAddr,
    /// Its prefix length in bits.
    pub prefix: u8,
}

impl IpNet {
    /// Parses `10.0.0.0/8`, `::1` or `2001:db8::/32`.
    pub fn parse(text: &str) -> Option<IpNet> {
        let (addr, prefix) = match text.trim().split_once('/') {
            Some((a, p)) => (a.parse().ok()?, p.parse().ok()?),
            None => {
                let addr: std::net::IpAddr = text.trim().parse().ok()?;
                (addr, if addr.is_ipv4() { 32 } else { 128 })
            }
        };
        let max = if matches!(addr, std::net::IpAddr::V4(_)) {
            32
        } else {
            128
        };
        (prefix <= max).then_some(IpNet { addr, prefix })
    }

    /// Whether `ip` is inside the block.
    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        use std::net::IpAddr::{V4, V6};
        let (a, b, bits) = match (self.addr, ip) {
            (V4(a), V4(b)) => (
                u128::from(u32::from(a)) << 96,
                u128::from(u32::from(b)) << 96,
                self.prefix,
            ),
            (V6(a), V6(b)) => (u128::from(a), u128::from(b), self.prefix),
            // Different families never match (a mapped `::ffff:a.b.c.d`
            // arrives as IPv4 once the socket address is canonical).
            _ => return false,
        };
        let mask = if bits == 0 {
            0
        } else {
            u128::MAX << (128 - u32::from(bits))
        };
        a & mask == b & mask
    }
}

/// The validated configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Channel settings.
    pub channel: Channel,
    /// The theme vocabulary, in the order declared.
    pub themes: Vec<Theme>,
    /// Server and storage settings.
    pub server: Server,
    /// The loudness `check --publish` holds episodes to (`[loudness]`).
    pub loudness: LoudnessTarget,
    /// Listening statistics.
    pub stats: Stats,
}

/// Why the configuration could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: cannot read: {source}")]
    Read {
        /// The config file.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// TOML syntax, a missing key, an unknown key, or a wrong type.
    #[error("{path}: {message}")]
    Syntax {
        /// The config file.
        path: String,
        /// The parser's message, with line and column.
        message: String,
    },
    /// A key holds a value that parses but is not acceptable.
    #[error("{path}: line {line}: `{key}`: {reason}")]
    Invalid {
        /// The config file.
        path: String,
        /// 1-based line of the value.
        line: usize,
        /// The dotted key, e.g. `channel.language`.
        key: String,
        /// What is wrong and what would be right.
        reason: String,
    },
}

impl Config {
    /// Parses and validates configuration text; `path` is only used in messages.
    /// Paths in `[server]` stay as written (see [`Config::load`]).
    pub fn parse(text: &str, path: &str) -> Result<Config, ConfigError> {
        // CRLF from a Windows editor: see `catalog::file::parse`.
        raw::parse(&text.replace("\r\n", "\n"), path)
    }

    /// Reads the file at `path`, validates it, and resolves the `[server]`
    /// paths against the file's folder, so the tool works from any directory.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: shown.clone(),
            source,
        })?;
        let mut config = Config::parse(&text, &shown)?;
        config.resolve_paths(path);
        Ok(config)
    }

    /// Resolves the relative `[server]` paths against the folder of the
    /// config file at `path` (what [`Config::load`] does after parsing).
    pub fn resolve_paths(&mut self, path: &Path) {
        let base = path.parent().unwrap_or_else(|| Path::new("."));
        let server = &mut self.server;
        for p in [
            &mut server.database,
            &mut server.media_dir,
            &mut server.episodes_dir,
        ] {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        }
    }

    /// Looks up a theme by slug.
    pub fn theme(&self, slug: &str) -> Option<&Theme> {
        self.themes.iter().find(|t| t.slug == slug)
    }

    /// The theme slug closest to `unknown`, for did-you-mean messages.
    pub fn closest_theme(&self, unknown: &str) -> Option<&str> {
        closest(unknown, self.themes.iter().map(|t| t.slug.as_str()))
    }
}

/// The candidate most similar to `word` when it is similar enough to be a
/// plausible typo (Jaro-Winkler ≥ 0.7), for "did you mean" hints.
pub fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score >= 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Turns a TOML/serde error into one line a producer can act on:
/// `line 4: unknown field `gust` (did you mean `guest`?)`.
pub(crate) fn describe_toml_error(err: &toml::de::Error, text: &str) -> String {
    let message = err.message().trim().to_string();
    let hint = did_you_mean_field(&message).unwrap_or_default();
    match err.span() {
        Some(span) => format!("line {}: {message}{hint}", line_of(text, span.start)),
        None => format!("{message}{hint}"),
    }
}

/// For serde's "unknown field `x`, expected one of `a`, `b`" messages, the
/// closest expected field as a hint.
fn did_you_mean_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (unknown, expected) = rest.split_once('`')?;
    let candidates = expected.split('`').skip(1).step_by(2);
    closest(unknown, candidates).map(|c| format!(" (did you mean `{c}`?)"))
}

/// 1-based line number of byte offset `pos` in `text`.
pub(crate) fn line_of(text: &str, pos: usize) -> usize {
    text.as_bytes()[..pos.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests;
