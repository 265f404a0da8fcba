//! What every page is rendered from: the config and one consistent snapshot
//! of the catalogue ([`Catalogue`]), seen at one instant ([`Site`]).
//! Rendering is pure over these values, so the server and `podcatalog
//! build` produce the same bytes and tests need no database.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::catalog::people::PersonSummary;
use crate::catalog::themes::ThemeSummary;
use crate::catalog::{self, CatalogError, Episode};
use crate::config::Config;
use crate::feed::Links;
use crate::web::i18n::{SV, Strings};

/// One read of the catalogue, with lookups by slug. People's and themes'
/// episode counts are of the episodes published when it was read; it goes
/// stale at [`Catalogue::next_release`].
#[derive(Debug, Default)]
pub struct Catalogue {
    /// The revision it was read at.
    pub revision: i64,
    /// Every episode, newest first (scheduled ones included; [`Site`]
    /// hides them until their time). Shared with the feed cache when both
    /// read the same revision: one copy of a big catalogue in memory.
    pub episodes: Arc<Vec<Episode>>,
    /// Everyone, by name.
    pub people: Vec<PersonSummary>,
    /// The theme vocabulary, in configured order.
    pub themes: Vec<ThemeSummary>,
    /// When the next scheduled episode is published (and the counts change).
    pub next_release: Option<DateTime<Utc>>,
    /// Indices into `people` of everyone with a published episode, most
    /// episodes first (the start page shows the first few).
    pub busiest_people: Vec<usize>,
    episode_index: HashMap<String, usize>,
    person_index: HashMap<String, usize>,
}

impl Catalogue {
    /// Reads everything in one transaction, so the parts agree; counts as of `now`.
    pub fn load(conn: &mut Connection, now: DateTime<Utc>) -> Result<Catalogue, CatalogError> {
        Catalogue::load_sharing(conn, now, None)
    }

    /// [`Catalogue::load`], taking the episodes from `known` (a revision
    /// and its episode list, e.g. the feed cache's) when it is of the
    /// revision read, instead of reading and holding a second copy.
    pub fn load_sharing(
        conn: &mut Connection,
        now: DateTime<Utc>,
        known: Option<(i64, Arc<Vec<Episode>>)>,
    ) -> Result<Catalogue, CatalogError> {
        let tx = conn.transaction()?;
        let revision = catalog::revision(&tx)?;
        let episodes = match known {
            Some((r, episodes)) if r == revision => episodes,
            _ => Arc::new(catalog::episodes::list(&tx)?),
        };
        let people = catalog::people::list(&tx)?;
        let themes = catalog::themes::list(&tx)?;
        Ok(Catalogue::new(revision, episodes, people, themes, now))
    }

    /// A snapshot of values already read (tests and benchmarks build these).
    pub fn new(
        revision: i64,
        episodes: impl Into<Arc<Vec<Episode>>>,
        mut people: Vec<PersonSummary>,
        mut themes: Vec<ThemeSummary>,
        now: DateTime<Utc>,
    ) -> Catalogue {
        let episodes: Arc<Vec<Episode>> = episodes.into();
        let mut per_person: HashMap<&str, u32> = HashMap::new();
        let mut per_theme: HashMap<&str, u32> = HashMap::new();
        for e in episodes.iter().filter(|e| e.data.published_at <= now) {
            for c in &e.data.credits {
                *per_person.entry(c.slug.as_str()).or_default() += 1;
            }
            for t in &e.data.themes {
                *per_theme.entry(t.as_str()).or_default() += 1;
            }
        }
        for p in &mut people {
            p.episodes = per_person.get(p.slug.as_str()).copied().unwrap_or(0);
        }
        for t in &mut themes {
            t.episodes = per_theme.get(t.slug.as_str()).copied().unwrap_or(0);
        }
        let mut busiest_people: Vec<usize> = (0..people.len())
            .filter(|&i| people[i].episodes > 0)
            .collect();
        busiest_people.sort_by(|&a, &b| {
            let (a, b) = (&people[a], &people[b]);
            b.episodes
                .cmp(&a.episodes)
                .then_with(|| a.name.cmp(&b.name))
        });
        let next_release = episodes
            .iter()
            .map(|e| e.data.published_at.with_timezone(&Utc))
            .filter(|t| *t > now)
            .min();
        let episode_index = episodes
            .iter()
            .enumerate()
            .map(|(i, e)| (e.data.slug.clone(), i))
            .collect();
        let person_index = people
            .iter()
            .enumerate()
            .map(|(i, p)| (p.slug.clone(), i))
            .collect();
        Catalogue {
            revision,
            episodes,
            people,
            themes,
            next_release,
            busiest_people,
            episode_index,
            person_index,
        }
    }
}

/// How the later pages of a paged list are addressed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Paging {
    /// `path?page=N`, which the server reads.
    #[default]
    Query,
    /// `path/sida/N`, a file each (`path/sida/N.html`): static hosts ignore
    /// the query string, so `?page=N` would show the first page again.
    /// (`sida` cannot clash with a slug's own pages: those are `path.html`
    /// and `path/feed.xml`.)
    Files,
}

/// The catalogue as the public sees it at `now`, with the URL builders.
#[derive(Debug, Clone)]
pub struct Site<'a> {
    /// The configuration.
    pub config: &'a Config,
    /// The snapshot.
    pub catalogue: &'a Catalogue,
    /// The instant pages are rendered for.
    pub now: DateTime<Utc>,
    /// Absolute URLs (canonical, Open Graph, feeds).
    pub links: Links,
    /// The UI language.
    pub text: &'static Strings,
    /// How paged lists link their pages.
    pub paging: Paging,
    origin_len: usize,
}

impl<'a> Site<'a> {
    /// The site for `config` and `catalogue` at `now`.
    pub fn new(config: &'a Config, catalogue: &'a Catalogue, now: DateTime<Utc>) -> Site<'a> {
        let base = &config.channel.base_url;
        Site {
            config,
            catalogue,
            now,
            links: Links::for_config(config),
            text: &SV,
            paging: Paging::Query,
            origin_len: base.origin().ascii_serialization().len(),
        }
    }

    /// The same site with its paged lists linked as `paging` says.
    pub fn with_paging(&self, paging: Paging) -> Site<'a> {
        Site {
            paging,
            ..self.clone()
        }
    }

    /// `abs` (a URL under the base URL) as a root-relative path, so links
    /// keep working when the site is previewed on another host or port.
    /// Other URLs (remote audio) stay as they are.
    pub fn local(&self, abs: &str) -> String {
        let home = self.links.home();
        if abs.starts_with(home) {
            abs[self.origin_len..].to_string()
        } else {
            abs.to_string()
        }
    }

    /// Whether listeners may see `e` yet.
    pub fn is_public(&self, e: &Episode) -> bool {
        e.data.published_at <= self.now
    }

    /// Published episodes, newest first.
    pub fn published(&self) -> impl Iterator<Item = &'a Episode> + '_ {
        self.catalogue
            .episodes
            .iter()
            .filter(move |e| self.is_public(e))
    }

    /// The published episode with `slug` and its neighbours: (older, this, newer).
    pub fn episode(
        &self,
        slug: &str,
    ) -> Option<(Option<&'a Episode>, &'a Episode, Option<&'a Episode>)> {
        let eps = &self.catalogue.episodes;
        let i = *self.catalogue.episode_index.get(slug)?;
        let this = &eps[i];
        if !self.is_public(this) {
            return None;
        }
        let older = eps[i + 1..].iter().find(|e| self.is_public(e));
        let newer = eps[..i].iter().rev().find(|e| self.is_public(e));
        Some((older, this, newer))
    }

    /// A published episode by slug, for search results.
    pub fn episode_by_slug(&self, slug: &str) -> Option<&'a Episode> {
        let e = &self.catalogue.episodes[*self.catalogue.episode_index.get(slug)?];
        self.is_public(e).then_some(e)
    }

    /// The person with `slug`, if a published episode credits them.
    pub fn person(&self, slug: &str) -> Option<&'a PersonSummary> {
        let p = &self.catalogue.people[*self.catalogue.person_index.get(slug)?];
        (p.episodes > 0).then_some(p)
    }

    /// The theme with `slug`.
    pub fn theme(&self, slug: &str) -> Option<&'a ThemeSummary> {
        self.catalogue.themes.iter().find(|t| t.slug == slug)
    }

    /// A theme's display name (its slug when unknown).
    pub fn theme_name(&self, slug: &'a str) -> &'a str {
        self.theme(slug).map_or(slug, |t| t.name.as_str())
    }

    /// The show's artwork as an absolute URL.
    pub fn artwork(&self) -> String {
        self.links.media_or_url(&self.config.channel.image)
    }
}
