//! What the catalogue already holds that an imported feed is matched
//! against: episodes by guid, taken numbers and slugs, and people by a
//! loose key (case, diacritics and spacing ignored), so "Åsa  Lind" in the
//! old feed is the "Asa Lind" already credited here.

use std::collections::{HashMap, HashSet};

use rusqlite::Connection;

use crate::catalog::{CatalogError, Episode, episodes, people, unverified};

/// The catalogue as the import sees it.
#[derive(Debug, Default)]
pub struct Known {
    /// Stored episodes by guid.
    pub by_guid: HashMap<String, Episode>,
    /// Episode number → (guid, title) of its holder.
    pub numbers: HashMap<u32, (String, String)>,
    /// Slug → guid of its holder.
    pub slugs: HashMap<String, String>,
    /// Loose person key → canonical name (names and aliases).
    pub people: HashMap<String, String>,
    /// Ids of episodes whose audio figures are unverified.
    pub unverified: HashSet<i64>,
}

impl Known {
    /// Reads it all from the catalogue.
    pub fn load(conn: &Connection) -> Result<Known, CatalogError> {
        let mut known = Known::default();
        for ep in episodes::list(conn)? {
            if let Some(n) = ep.data.number {
                known
                    .numbers
                    .insert(n, (ep.guid.clone(), ep.data.title.clone()));
            }
            known.slugs.insert(ep.data.slug.clone(), ep.guid.clone());
            known.by_guid.insert(ep.guid.clone(), ep);
        }
        for p in people::list(conn)? {
            for alias in &p.aliases {
                known.people.insert(person_key(alias), p.name.clone());
            }
            known.people.insert(person_key(&p.name), p.name.clone());
        }
        known.unverified = unverified::all(conn)?;
        Ok(known)
    }

    /// The canonical name for `name`, and whether the person is new. A new
    /// spelling is remembered, so later items of the same feed agree.
    pub fn person(&mut self, name: &str) -> (String, bool) {
        let key = person_key(name);
        match self.people.get(&key) {
            Some(canonical) => (canonical.clone(), false),
            None => {
                let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
                self.people.insert(key, name.clone());
                (name, true)
            }
        }
    }

    /// `base`, or `base-2`, `base-3`… when another episode holds it.
    pub fn free_slug(&mut self, base: &str, guid: &str) -> String {
        let base = if base.is_empty() { "episode" } else { base };
        let mut n = 1;
        loop {
            let candidate = match n {
                1 => base.to_string(),
                n => format!("{base}-{n}"),
            };
            match self.slugs.get(&candidate) {
                Some(holder) if holder != guid => n += 1,
                _ => {
                    self.slugs.insert(candidate.clone(), guid.to_string());
                    return candidate;
                }
            }
        }
    }
}

/// Case, diacritics and spacing do not tell people apart.
pub fn person_key(name: &str) -> String {
    deunicode::deunicode(name)
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_match_ignoring_case_diacritics_and_spacing() {
        let mut k = Known::default();
        k.people.insert(person_key("Åsa Lind"), "Åsa Lind".into());
        assert_eq!(k.person("asa  LIND"), ("Åsa Lind".to_string(), false));
        assert_eq!(
            k.person(" Nils  Munthe "),
            ("Nils Munthe".to_string(), true)
        );
        assert_eq!(k.person("nils munthe"), ("Nils Munthe".to_string(), false));
    }

    #[test]
    fn slugs_held_by_other_episodes_get_a_number() {
        let mut k = Known::default();
        k.slugs.insert("trailer".into(), "g1".into());
        assert_eq!(k.free_slug("trailer", "g1"), "trailer");
        assert_eq!(k.free_slug("trailer", "g2"), "trailer-2");
        assert_eq!(k.free_slug("trailer", "g3"), "trailer-3");
    }
}
