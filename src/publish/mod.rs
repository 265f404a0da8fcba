//! The publish gate: everything a directory would reject, or a listener
//! would notice, in what we are about to publish. `check --publish` prints
//! it; `serve` counts its errors at start-up.
//!
//! Each rule names its source (Apple's podcast RSS and artwork
//! requirements, the Podcast Index namespace, Spotify's delivery rules, the
//! Swedish accessibility law) and says what to do. The rules read the
//! configuration, the catalogue's episodes and the real files behind them
//! (artwork headers, audio, transcripts, chapters); with [`Depth::Full`]
//! they also re-measure audio and ask remote URLs through [`crate::remote`].
//! This module decides and reports; it writes nothing and renders no feed.

mod artwork;
mod channel;
mod episode;
mod links;
mod loudness;

use std::path::Path;

use serde::Serialize;

use crate::catalog::Episode;
use crate::config::Config;

pub use artwork::{ImageFormat, ImageInfo, read_image_header};
pub use channel::placeholder_email;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// A directory rejects the feed, or the feed states something false.
    Error,
    /// Works, but a directory or listener is worse served; fix when you can.
    Warning,
}

/// Where a rule comes from, quoted in every finding so a producer can read
/// the rule itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Source {
    /// Apple Podcasts: podcast RSS feed requirements.
    #[serde(rename = "Apple Podcasts RSS feed requirements")]
    Apple,
    /// Apple Podcasts: artwork requirements.
    #[serde(rename = "Apple Podcasts artwork requirements")]
    AppleArtwork,
    /// Apple Podcasts for Creators: audio requirements (loudness).
    #[serde(rename = "Apple Podcasts audio requirements")]
    AppleAudio,
    /// The Podcast Index `podcast` namespace 1.0.
    #[serde(rename = "Podcast Index namespace")]
    PodcastIndex,
    /// Spotify's podcast delivery specification.
    #[serde(rename = "Spotify podcast delivery specification")]
    Spotify,
    /// Lag (2018:1937) om tillgänglighet till digital offentlig service,
    /// which makes WCAG 2.1 AA binding on Swedish public bodies.
    #[serde(rename = "DOS-lagen (2018:1937), WCAG 2.1 AA 1.2.1")]
    Accessibility,
    /// podcatalog's own rule: publish only what is known and current.
    #[serde(rename = "podcatalog")]
    Podcatalog,
}

impl Source {
    /// The name printed next to a finding.
    pub fn name(self) -> &'static str {
        match self {
            Source::Apple => "Apple Podcasts RSS feed requirements",
            Source::AppleArtwork => "Apple Podcasts artwork requirements",
            Source::AppleAudio => "Apple Podcasts audio requirements",
            Source::PodcastIndex => "Podcast Index namespace",
            Source::Spotify => "Spotify podcast delivery specification",
            Source::Accessibility => "DOS-lagen (2018:1937), WCAG 2.1 AA 1.2.1",
            Source::Podcatalog => "podcatalog",
        }
    }
}

/// What a finding is about: the channel or one episode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// The show as a whole (`feed-config.toml`).
    Channel,
    /// One episode, by number (or slug when it has none) and title.
    Episode {
        /// Its number, if any.
        number: Option<u32>,
        /// Its slug.
        slug: String,
        /// Its title.
        title: String,
    },
}

impl Subject {
    fn of(ep: &Episode) -> Subject {
        Subject::Episode {
            number: ep.data.number,
            slug: ep.data.slug.clone(),
            title: ep.data.title.clone(),
        }
    }
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Subject::Channel => f.write_str("channel"),
            Subject::Episode {
                number: Some(n),
                title,
                ..
            } => write!(f, "#{n} \"{title}\""),
            Subject::Episode { slug, title, .. } => write!(f, "{slug} \"{title}\""),
        }
    }
}

/// One problem, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Error or warning.
    pub level: Level,
    /// A stable name for the rule, e.g. `owner-email-placeholder`.
    pub rule: &'static str,
    /// The channel or the episode.
    pub subject: Subject,
    /// The setting or field concerned, e.g. `channel.owner.email`.
    pub field: String,
    /// What is wrong and what to do, in one or two sentences.
    pub message: String,
    /// Where the rule comes from.
    pub source: Source,
}

/// How far the gate looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// Config, catalogue, file headers and sizes: milliseconds, no network.
    /// What `serve` runs at start-up.
    Quick,
    /// Also re-measures every local audio file (probe and hash) and asks
    /// every remote URL (audio, artwork, transcripts, chapters).
    Full,
}

/// Runs every rule over the channel and `episodes`, errors first.
/// `unverified` holds the ids of episodes whose audio figures came from an
/// imported feed unmeasured (`import-feed --no-probe`).
pub fn check(
    config: &Config,
    episodes: &[Episode],
    unverified: &std::collections::HashSet<i64>,
    depth: Depth,
) -> Vec<Finding> {
    let remote = match depth {
        Depth::Full => links::Remote::new(),
        Depth::Quick => None,
    };
    let mut out = channel::check(config, remote.as_ref());
    let per_episode: Vec<Vec<Finding>> = {
        use rayon::prelude::*;
        episodes
            .par_iter()
            .map(|ep| {
                let mut found = episode::check(config, ep, depth, remote.as_ref());
                if unverified.contains(&ep.id) {
                    found.push(episode::unverified(ep));
                }
                found
            })
            .collect()
    };
    out.extend(per_episode.into_iter().flatten());
    out.sort_by_key(|f| f.level);
    out
}

/// The number of errors in `findings`.
pub fn errors(findings: &[Finding]) -> usize {
    findings.iter().filter(|f| f.level == Level::Error).count()
}

/// A finding builder that keeps the rule's fixed parts together.
struct Rule {
    level: Level,
    rule: &'static str,
    source: Source,
}

impl Rule {
    const fn error(rule: &'static str, source: Source) -> Rule {
        Rule {
            level: Level::Error,
            rule,
            source,
        }
    }

    const fn warning(rule: &'static str, source: Source) -> Rule {
        Rule {
            level: Level::Warning,
            rule,
            source,
        }
    }

    fn at(&self, subject: &Subject, field: &str, message: String) -> Finding {
        Finding {
            level: self.level,
            rule: self.rule,
            subject: subject.clone(),
            field: field.to_string(),
            message,
            source: self.source,
        }
    }
}

/// Whether `name` is a file name inside the media folder rather than a URL.
fn local_name(name: &str) -> bool {
    !crate::remote::is_url(name)
}

/// `media_dir/name`, for a name the catalogue stores.
fn media_path(config: &Config, name: &str) -> std::path::PathBuf {
    Path::new(&config.server.media_dir).join(name)
}
