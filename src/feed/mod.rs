//! The podcast feed: catalogue values in, RSS 2.0 bytes out.
//!
//! A pure transformation (no SQL, no I/O, the time is a parameter), so the
//! server can render once and cache, `podcatalog build` can write static
//! files, and tests can snapshot the result. It follows Apple's podcast RSS
//! requirements (the `itunes` namespace) and the Podcast Index namespace
//! (`https://podcastindex.org/namespace/1.0`), and writes every byte itself
//! through [`xml`] so escaping is exact. What a feed contains is chosen with
//! [`Feed::main`], [`Feed::person`] and [`Feed::theme`]; URLs come from
//! [`Links`]. Serving, caching and compression belong to `web`.

mod channel;
pub mod chapters;
mod item;
pub mod links;
#[cfg(any(test, feature = "synthetic"))]
pub mod synthetic;
pub mod xml;

use chrono::{DateTime, Utc};

use crate::catalog::Episode;
use crate::config::Config;

pub use channel::podcast_guid;
pub use item::{description as item_description, rfc2822, show_notes, whole_seconds};
pub use links::Links;

/// Which subset of the catalogue a feed carries.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Every episode: the show's feed.
    All,
    /// Episodes a person takes part in, by person slug.
    Person(String),
    /// Episodes tagged with a theme, by theme slug.
    Theme(String),
}

/// A feed ready to render: its scope, its channel texts and its episodes.
#[derive(Debug, Clone)]
pub struct Feed<'a> {
    /// What it selects.
    pub scope: Scope,
    /// Channel title.
    pub title: String,
    /// Channel description (plain text).
    pub description: String,
    /// The web page the channel links to.
    pub link: String,
    /// Where the feed itself is published (`atom:link rel="self"`).
    pub self_url: String,
    /// `podcast:guid`: configured for the show, else derived from the feed's
    /// URL under the *configured* base URL, so a preview on another port or
    /// `--base-url` publishes the same one (it must never change).
    pub guid: String,
    /// The selected episodes, newest first, future ones included (they are
    /// filtered at render time, so a cached selection stays valid).
    pub episodes: Vec<&'a Episode>,
}

impl<'a> Feed<'a> {
    /// The show's own feed with every episode.
    pub fn main(config: &Config, episodes: &'a [Episode]) -> Feed<'a> {
        let links = Links::for_config(config);
        let guid = config.channel.podcast_guid.map_or_else(
            || podcast_guid(&Links::configured(config).feed()),
            |g| g.to_string(),
        );
        Feed {
            scope: Scope::All,
            title: config.channel.title.clone(),
            description: config.channel.description.clone(),
            link: links.home().to_string(),
            self_url: links.feed(),
            guid,
            episodes: newest_first(episodes.iter()),
        }
    }

    /// The episodes a person takes part in (any role), or `None` when no
    /// episode credits that person.
    pub fn person(config: &Config, episodes: &'a [Episode], slug: &str) -> Option<Feed<'a>> {
        let name = episodes
            .iter()
            .flat_map(|e| &e.data.credits)
            .find(|c| c.slug == slug)?
            .name
            .clone();
        let links = Links::for_config(config);
        let show = &config.channel.title;
        Some(Feed {
            scope: Scope::Person(slug.to_string()),
            title: format!("{show}: {name}"),
            description: format!("Avsnitt av {show} där {name} medverkar."),
            link: links.person(slug),
            self_url: links.person_feed(slug),
            guid: podcast_guid(&Links::configured(config).person_feed(slug)),
            episodes: newest_first(
                episodes
                    .iter()
                    .filter(|e| e.data.credits.iter().any(|c| c.slug == slug)),
            ),
        })
    }

    /// The episodes tagged with a theme, or `None` when the theme is not in
    /// the configured vocabulary.
    pub fn theme(config: &Config, episodes: &'a [Episode], slug: &str) -> Option<Feed<'a>> {
        let theme = config.theme(slug)?;
        let links = Links::for_config(config);
        let show = &config.channel.title;
        let description = if theme.description.trim().is_empty() {
            format!("Avsnitt av {show} om {}.", theme.name)
        } else {
            theme.description.clone()
        };
        Some(Feed {
            scope: Scope::Theme(slug.to_string()),
            title: format!("{show}: {}", theme.name),
            description,
            link: links.theme(slug),
            self_url: links.theme_feed(slug),
            guid: podcast_guid(&Links::configured(config).theme_feed(slug)),
            episodes: newest_first(
                episodes
                    .iter()
                    .filter(|e| e.data.themes.iter().any(|t| t == slug)),
            ),
        })
    }

    /// The episodes published at `now` (future ones stay out until their time).
    pub fn published(&self, now: DateTime<Utc>) -> impl Iterator<Item = &'a Episode> + '_ {
        self.episodes
            .iter()
            .copied()
            .filter(move |e| e.data.published_at <= now)
    }

    /// When the rendered feed goes stale without any catalogue change: the
    /// earliest publication time still in the future.
    pub fn next_release(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.episodes
            .iter()
            .map(|e| e.data.published_at.with_timezone(&Utc))
            .filter(|t| *t > now)
            .min()
    }

    /// Whether directories must not list this feed as a show of its own:
    /// person and theme feeds are subsets of the show for subscribing only,
    /// and would otherwise appear as duplicates of it.
    pub fn blocked(&self) -> bool {
        self.scope != Scope::All
    }

    /// The RSS document as of `now`.
    pub fn render(&self, config: &Config, now: DateTime<Utc>) -> String {
        self.render_with(config, now, PARALLEL_ITEMS)
    }

    /// [`Feed::render`], with items rendered in parallel from `parallel`
    /// items on (tests compare both ways).
    fn render_with(&self, config: &Config, now: DateTime<Utc>, parallel: usize) -> String {
        let items = self.published(now).count();
        let mut out = String::with_capacity(4096 + items * ITEM_BYTES);
        let whole = self.render_parts(config, now, parallel, &mut |part: String| {
            out.push_str(&part);
            Ok::<(), std::convert::Infallible>(())
        });
        match whole {
            Ok(()) => out,
            Err(never) => match never {},
        }
    }

    /// The RSS document as of `now`, handed to `sink` in consecutive parts
    /// of a few MB at most (their concatenation is [`Feed::render`]'s
    /// text), so a server can write and compress a big feed as it is made
    /// instead of holding it whole in memory first. Stops at `sink`'s
    /// first error.
    pub fn render_to<E>(
        &self,
        config: &Config,
        now: DateTime<Utc>,
        sink: &mut dyn FnMut(String) -> Result<(), E>,
    ) -> Result<(), E> {
        self.render_parts(config, now, PARALLEL_ITEMS, sink)
    }

    fn render_parts<E>(
        &self,
        config: &Config,
        now: DateTime<Utc>,
        parallel: usize,
        sink: &mut dyn FnMut(String) -> Result<(), E>,
    ) -> Result<(), E> {
        let links = Links::for_config(config);
        let items: Vec<&Episode> = self.published(now).collect();
        let serial = items.len() < parallel;
        let capacity = if serial { items.len() * ITEM_BYTES } else { 0 };
        let mut xml = xml::Xml::new(4096 + capacity);
        channel::open(&mut xml, config, &links, self, &items);
        if serial {
            for episode in &items {
                item::write(&mut xml, config, &links, episode);
            }
        } else {
            // Items are independent of each other: render runs of them on
            // every core and pass them on in order (the same bytes). A
            // batch at a time, so the parts in flight stay a few MB rather
            // than a second copy of a big feed (server memory).
            use rayon::prelude::*;
            sink(xml.drain())?;
            for batch in items.chunks(BATCH_ITEMS) {
                let run = batch.len().div_ceil(rayon::current_num_threads() * 4);
                let parts: Vec<String> = batch
                    .par_chunks(run.max(MIN_RUN))
                    .map(|chunk| {
                        let mut part = xml.fragment(chunk.len() * ITEM_BYTES);
                        for episode in chunk {
                            item::write(&mut part, config, &links, episode);
                        }
                        part.into_string()
                    })
                    .collect();
                for part in parts {
                    sink(part)?;
                }
            }
        }
        channel::close(&mut xml);
        sink(xml.finish())
    }
}

/// Bytes reserved per item (a typical item with a page of notes is ~2 KiB).
const ITEM_BYTES: usize = 3072;

/// Feeds with at least this many items render their items in parallel;
/// below it, the threads cost more than they save.
const PARALLEL_ITEMS: usize = 128;

/// Items rendered in parallel before their parts are joined into the feed.
const BATCH_ITEMS: usize = 1024;

/// The fewest items one parallel task renders.
const MIN_RUN: usize = 32;

/// The show's feed as of `now`: shorthand for [`Feed::main`] + [`Feed::render`].
pub fn render(config: &Config, episodes: &[Episode], now: DateTime<Utc>) -> String {
    Feed::main(config, episodes).render(config, now)
}

/// Sorted newest first by publication instant, then by number; the
/// catalogue already returns this order, but the feed must not depend on it.
fn newest_first<'a>(episodes: impl Iterator<Item = &'a Episode>) -> Vec<&'a Episode> {
    let mut out: Vec<&Episode> = episodes.collect();
    out.sort_by(|a, b| {
        b.data
            .published_at
            .cmp(&a.data.published_at)
            .then(b.data.number.cmp(&a.data.number))
    });
    out
}

#[cfg(test)]
mod tests;
