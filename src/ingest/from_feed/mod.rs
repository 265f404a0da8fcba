//! `import-feed`'s plan: a parsed feed (see `crate::import_feed`) matched
//! against the catalogue, item by item, into episodes ready to save; then
//! the audio measured (`audio`), and everything written in one transaction
//! (`write`). The channel becomes a proposed config (`channel`).
//!
//! Every item ends with an [`Action`] and its problems (it cannot be
//! imported) and notes (kept, but worth a look), so one run lists all of
//! them; the caller decides whether any problem stops the import.

mod audio;
mod channel;
mod episode;
mod known;
mod themes;
mod write;

use std::collections::{BTreeSet, HashMap};

use crate::catalog::{Credit, EpisodeData, Role};
use crate::import_feed::{Feed, Item};

pub use audio::{AudioMode, Measurer, forget_partials, partial_path};
pub use channel::{Proposal, propose};
pub use episode::notes_markdown;
use episode::{episode, same};
pub use known::Known;
pub use themes::ThemeMap;
pub use write::write;

/// What the import does with an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// A new episode.
    Add,
    /// A stored episode (same guid) changes.
    Update,
    /// A stored episode already says the same.
    Unchanged,
    /// Not imported: it has problems.
    Skip,
}

/// One item of the feed, planned.
#[derive(Debug, Clone)]
pub struct Planned {
    /// The item as the feed has it.
    pub item: Item,
    /// Its guid (empty when it has none and no enclosure either).
    pub guid: String,
    /// What happens to it; settled by [`Plan::settle`].
    pub action: Action,
    /// The episode to save, audio filled in by [`Measurer`].
    pub data: Option<EpisodeData>,
    /// Where the duration came from: `probe` or `feed`.
    pub duration_source: &'static str,
    /// Whether the audio figures were measured.
    pub verified: bool,
    /// A media file this run created (removed again if the write fails).
    pub created_file: Option<std::path::PathBuf>,
    /// People credited: canonical name, role, group.
    pub people: Vec<(String, String, String)>,
    /// What stops it.
    pub problems: Vec<String>,
    /// What was odd but is kept.
    pub notes: Vec<String>,
}

/// A person credited in the feed who is not in the catalogue yet.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NewPerson {
    /// The name, as the feed spells it first.
    pub name: String,
    /// `podcast:person href`.
    pub href: Option<String>,
    /// `podcast:person img`.
    pub img: Option<String>,
}

/// The whole import, planned.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Every item, in feed order.
    pub items: Vec<Planned>,
    /// People the catalogue does not know yet.
    pub new_people: Vec<NewPerson>,
    /// Old categories and keywords no `--theme-map` entry maps.
    pub unmapped: BTreeSet<String>,
}

impl Plan {
    /// Matches every item of `feed` against `known`.
    pub fn new(feed: &Feed, known: &mut Known, themes: &ThemeMap) -> Plan {
        let mut plan = Plan::default();
        let mut numbers: HashMap<u32, usize> = HashMap::new();
        let channel_explicit = feed.channel.explicit.unwrap_or(false);
        for item in &feed.items {
            let mut p = Planned {
                guid: item.guid.clone().unwrap_or_default(),
                item: item.clone(),
                action: Action::Add,
                data: None,
                duration_source: "feed",
                verified: false,
                created_file: None,
                people: Vec::new(),
                problems: item.problems.clone(),
                notes: item.notes.clone(),
            };
            if item
                .enclosure
                .as_ref()
                .is_some_and(|e| e.url.starts_with("http:"))
            {
                p.notes.push(
                    "the enclosure is plain http; move the audio to https before publishing".into(),
                );
            }
            if item.transcripts.len() > 1 {
                p.notes.push(format!(
                    "{} transcripts: the catalogue keeps one per episode (captions first); the others are left out",
                    item.transcripts.len()
                ));
            }
            different_episode(&mut p, known);
            let number = plan.number(&mut p, known, &mut numbers);
            let themes = themes.themes_for(&item.keywords, &mut plan.unmapped);
            let credits = plan.credits(&mut p, known);
            p.data = episode(&p, known, number, credits, themes, channel_explicit);
            plan.items.push(p);
        }
        plan
    }

    /// The item's number, unless another episode holds it: one in the
    /// catalogue (a problem: the import would renumber someone else's
    /// episode) or an earlier item of the feed (seasons restart numbering;
    /// the catalogue numbers a show once, so the later item goes unnumbered).
    fn number(
        &self,
        p: &mut Planned,
        known: &Known,
        seen: &mut HashMap<u32, usize>,
    ) -> Option<u32> {
        let n = p.item.number?;
        if let Some((guid, title)) = known.numbers.get(&n).filter(|(g, _)| *g != p.guid) {
            p.problems.push(format!(
                "episode number {n} is already taken by \"{title}\" (guid {guid})"
            ));
            return None;
        }
        if let Some(first) = seen.insert(n, p.item.position) {
            seen.insert(n, first);
            p.notes.push(format!(
                "episode number {n} is also item {first}'s; imported without a number"
            ));
            return None;
        }
        Some(n)
    }

    /// Credits from `podcast:person` only: `itunes:author` is often the
    /// network's name, never a person to credit.
    fn credits(&mut self, p: &mut Planned, known: &mut Known) -> Vec<Credit> {
        let mut out: Vec<Credit> = Vec::new();
        for person in &p.item.people {
            // An unknown role is not guessed at (a close spelling may mean
            // something else entirely): the person is credited as a guest.
            let role = Role::parse(&person.role).unwrap_or_else(|_| {
                p.notes.push(format!(
                    "{}: role `{}` is not in the Podcasting 2.0 taxonomy; credited as guest",
                    person.name, person.role
                ));
                Role::parse("guest").unwrap_or_else(|_| Role::host())
            });
            let (name, new) = known.person(&person.name);
            p.people.push((
                name.clone(),
                role.as_str().to_string(),
                person.group.clone(),
            ));
            if new {
                self.new_people.push(NewPerson {
                    name: name.clone(),
                    href: person.href.clone(),
                    img: person.img.clone(),
                });
            }
            if !out.iter().any(|c| c.name == name && c.role == role) {
                out.push(Credit {
                    name,
                    slug: String::new(),
                    role,
                    affiliation: None,
                });
            }
        }
        out
    }

    /// Settles each item's action once its audio is known: problems skip
    /// it, a stored episode with equal values is unchanged.
    pub fn settle(&mut self, known: &Known) {
        for p in &mut self.items {
            p.action = match (&p.data, known.by_guid.get(&p.guid)) {
                _ if !p.problems.is_empty() => Action::Skip,
                (None, _) => Action::Skip,
                (Some(_), None) => Action::Add,
                (Some(data), Some(old)) => {
                    let was_verified = !known.unverified.contains(&old.id);
                    if same(data, &old.data) && was_verified == p.verified {
                        Action::Unchanged
                    } else {
                        Action::Update
                    }
                }
            };
        }
    }

    /// Every problem, each naming its item.
    pub fn problems(&self) -> Vec<String> {
        self.items
            .iter()
            .flat_map(|p| {
                p.problems
                    .iter()
                    .map(move |e| format!("{}: {e}", label(&p.item)))
            })
            .collect()
    }
}

/// A stored episode with the item's guid whose title *and* day of
/// publication both differ is another episode, not an edit of this one
/// (hand-made feeds reuse guids such as `1`): updating it would overwrite
/// it, so that is a problem. An edited title or a moved date alone is an
/// update.
fn different_episode(p: &mut Planned, known: &Known) {
    let Some(old) = known.by_guid.get(&p.guid) else {
        return;
    };
    let (Some(title), Some(published)) = (&p.item.title, p.item.published) else {
        return;
    };
    let day =
        |d: &chrono::DateTime<chrono::FixedOffset>| d.with_timezone(&chrono::Utc).date_naive();
    let same_day = day(&old.data.published_at)
        .signed_duration_since(day(&published))
        .num_days()
        .abs()
        <= 1;
    if old.data.title != *title && !same_day {
        p.problems.push(format!(
            "guid `{}` is already used by a different episode, \"{}\" of {}",
            p.guid,
            old.data.title,
            old.data.published_at.format("%Y-%m-%d")
        ));
    }
}

/// `item 3 "Title" (guid …)`, how messages name an item.
pub fn label(item: &Item) -> String {
    let title = item.title.as_deref().unwrap_or("(no title)");
    match &item.guid {
        Some(g) => format!("item {} \"{title}\" (guid {g})", item.position),
        None => format!("item {} \"{title}\"", item.position),
    }
}
