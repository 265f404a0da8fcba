//! The `person` and `person_alias` tables: one row per real person however
//! the newsletters spell them, so "Nils Munte" and "Nils Munthe" are one
//! host with one page.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;

use super::CatalogError;
use super::model::EpisodeData;
use crate::slug::slugify;

/// A person with how often they appear, for listings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonSummary {
    /// Canonical name.
    pub name: String,
    /// URL slug.
    pub slug: String,
    /// Other spellings.
    pub aliases: Vec<String>,
    /// Personal web page.
    pub href: Option<String>,
    /// Portrait image.
    pub image: Option<String>,
    /// Number of episodes they appear in.
    pub episodes: u32,
    /// Distinct roles they have had, e.g. `["host"]`.
    pub roles: Vec<String>,
}

/// What a producer may say about a person beyond their name (`people.toml`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonInfo {
    /// Canonical name.
    pub name: String,
    /// Other spellings that mean this person.
    pub aliases: Vec<String>,
    /// Personal web page.
    pub href: Option<String>,
    /// Portrait image.
    pub image: Option<String>,
}

/// The canonical name and slug for `name` (matched by name or alias,
/// ignoring case), if the person is known.
pub fn resolve(conn: &Connection, name: &str) -> Result<Option<(String, String)>, CatalogError> {
    Ok(conn
        .query_row(
            "SELECT name, slug FROM person WHERE name = ?1 COLLATE NOCASE
             UNION ALL
             SELECT p.name, p.slug FROM person_alias a JOIN person p ON p.id = a.person_id
             WHERE a.alias = ?1 LIMIT 1",
            [name.trim()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// `data` with every credit's name replaced by the canonical spelling and
/// its slug filled in, so comparisons with stored episodes are exact.
pub(crate) fn canonical_credits(
    conn: &Connection,
    data: &EpisodeData,
) -> Result<EpisodeData, CatalogError> {
    let mut out = data.clone();
    for credit in &mut out.credits {
        credit.name = credit.name.trim().to_string();
        match resolve(conn, &credit.name)? {
            Some((name, slug)) => (credit.name, credit.slug) = (name, slug),
            None => credit.slug = slugify(&credit.name),
        }
    }
    Ok(out)
}

/// The id of the person called `name` (or with that alias), created if new.
pub(crate) fn ensure(tx: &Transaction, name: &str) -> Result<i64, CatalogError> {
    let existing: Option<i64> = tx
        .query_row(
            "SELECT id FROM person WHERE name = ?1 COLLATE NOCASE
             UNION ALL SELECT person_id FROM person_alias WHERE alias = ?1 LIMIT 1",
            [name.trim()],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = existing {
        return Ok(id);
    }
    let slug = free_slug(tx, &slugify(name))?;
    tx.execute(
        "INSERT INTO person (name, slug) VALUES (?1, ?2)",
        params![name.trim(), slug],
    )?;
    Ok(tx.last_insert_rowid())
}

/// `base`, or `base-2`, `base-3`… when another person already has it.
fn free_slug(conn: &Connection, base: &str) -> Result<String, CatalogError> {
    let base = if base.is_empty() { "person" } else { base };
    for n in 1.. {
        let candidate = if n == 1 {
            base.to_string()
        } else {
            format!("{base}-{n}")
        };
        let taken: bool = conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM person WHERE slug = ?1)",
            [&candidate],
            |r| r.get(0),
        )?;
        if !taken {
            return Ok(candidate);
        }
    }
    unreachable!("an unbounded range always yields a free slug")
}

/// Records aliases, web page and image for a person (created if new).
/// An alias that names a different person is a conflict.
pub fn upsert_info(tx: &Transaction, info: &PersonInfo) -> Result<bool, CatalogError> {
    let id = ensure(tx, &info.name)?;
    let before = info_of(tx, id)?;
    tx.execute(
        "UPDATE person SET href = ?2, image = ?3 WHERE id = ?1",
        params![id, info.href, info.image],
    )?;
    tx.execute("DELETE FROM person_alias WHERE person_id = ?1", [id])?;
    for alias in &info.aliases {
        let other: Option<String> = tx
            .query_row(
                "SELECT name FROM person WHERE name = ?1 COLLATE NOCASE AND id <> ?2
                 UNION ALL SELECT p.name FROM person_alias a JOIN person p ON p.id = a.person_id
                 WHERE a.alias = ?1 AND p.id <> ?2",
                params![alias, id],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(other) = other {
            return Err(CatalogError::Conflict(format!(
                "alias \"{alias}\" of {} already names {other}",
                info.name
            )));
        }
        tx.execute(
            "INSERT INTO person_alias (alias, person_id) VALUES (?1, ?2)",
            params![alias, id],
        )?;
    }
    let changed = info_of(tx, id)? != before;
    if changed {
        super::search_index::reindex_all(tx)?;
        super::bump_revision(tx)?;
    }
    Ok(changed)
}

fn info_of(conn: &Connection, id: i64) -> Result<PersonInfo, CatalogError> {
    let (name, href, image) = conn.query_row(
        "SELECT name, href, image FROM person WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let mut stmt =
        conn.prepare("SELECT alias FROM person_alias WHERE person_id = ?1 ORDER BY alias")?;
    let aliases = stmt
        .query_map([id], |r| r.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    Ok(PersonInfo {
        name,
        aliases,
        href,
        image,
    })
}

/// Removes people who appear in no episode and have nothing recorded about them.
pub(crate) fn delete_orphans(tx: &Transaction) -> Result<(), CatalogError> {
    tx.execute(
        "DELETE FROM person WHERE id NOT IN (SELECT person_id FROM appearance)
           AND id NOT IN (SELECT person_id FROM person_alias) AND href IS NULL AND image IS NULL",
        [],
    )?;
    Ok(())
}

/// Everyone in the catalogue with their episode counts, by name.
pub fn list(conn: &Connection) -> Result<Vec<PersonSummary>, CatalogError> {
    let mut stmt = conn.prepare(
        "SELECT p.id, p.name, p.slug, p.href, p.image,
                (SELECT count(DISTINCT episode_id) FROM appearance WHERE person_id = p.id),
                (SELECT group_concat(role, '|') FROM (SELECT DISTINCT role FROM appearance WHERE person_id = p.id ORDER BY role))
         FROM person p ORDER BY p.name COLLATE NOCASE",
    )?;
    let rows = stmt.query_map([], |r| {
        let roles: Option<String> = r.get(6)?;
        Ok((
            r.get::<_, i64>(0)?,
            PersonSummary {
                name: r.get(1)?,
                slug: r.get(2)?,
                aliases: Vec::new(),
                href: r.get(3)?,
                image: r.get(4)?,
                episodes: r.get(5)?,
                roles: roles
                    .map(|s| s.split('|').map(String::from).collect())
                    .unwrap_or_default(),
            },
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, mut person) = row?;
        person.aliases = info_of(conn, id)?.aliases;
        out.push(person);
    }
    Ok(out)
}
