//! The `episode` table with its appearances and themes: read whole
//! episodes, save (insert or update by guid) and delete them.

use std::collections::HashMap;

use chrono::DateTime;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::model::{Audio, AudioSource, Credit, Episode, EpisodeData, EpisodeType, Role};
use super::{CatalogError, bump_revision, people};

const COLUMNS: &str = "id, guid, number, season, episode_type, title, slug, summary, description,
    published_at, date_approximate, explicit, audio_file, audio_url, audio_bytes, audio_mime,
    audio_duration_ms, audio_sha256, image, transcript, chapters, created_at, updated_at";

/// What [`save`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    /// A new episode was inserted.
    Added,
    /// An existing episode changed.
    Updated,
    /// The stored episode already had exactly these values.
    Unchanged,
}

/// Every episode, newest first (by publication time, then number).
pub fn list(conn: &Connection) -> Result<Vec<Episode>, CatalogError> {
    let sql =
        format!("SELECT {COLUMNS} FROM episode ORDER BY published_utc DESC, number DESC, id DESC");
    let mut stmt = conn.prepare(&sql)?;
    let mut episodes = stmt
        .query_map([], row_to_episode)?
        .collect::<Result<Vec<_>, _>>()?;
    attach_relations(conn, &mut episodes)?;
    Ok(episodes)
}

/// Finds one episode by number (`85`, `#85`), slug (current or former) or guid.
pub fn find(conn: &Connection, selector: &str) -> Result<Episode, CatalogError> {
    let sel = selector.trim().trim_start_matches('#');
    let id: Option<i64> = if let Ok(n) = sel.parse::<u32>() {
        conn.query_row("SELECT id FROM episode WHERE number = ?1", [n], |r| {
            r.get(0)
        })
        .optional()?
    } else {
        conn.query_row(
            "SELECT id FROM episode WHERE slug = ?1 OR guid = ?1
             UNION ALL SELECT episode_id FROM old_slug WHERE slug = ?1 LIMIT 1",
            [sel],
            |r| r.get(0),
        )
        .optional()?
    };
    match id {
        Some(id) => by_id(conn, id)?.ok_or_else(|| CatalogError::NotFound(selector.into())),
        None => Err(CatalogError::NotFound(selector.into())),
    }
}

/// Every former slug with the current slug of its episode, for redirects
/// in a static build (the server asks [`find`] one at a time).
pub fn old_slugs(conn: &Connection) -> Result<Vec<(String, String)>, CatalogError> {
    let mut stmt = conn.prepare(
        "SELECT o.slug, e.slug FROM old_slug o JOIN episode e ON e.id = o.episode_id ORDER BY o.slug",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The episode with database id `id`, if any.
pub fn by_id(conn: &Connection, id: i64) -> Result<Option<Episode>, CatalogError> {
    one(conn, "id = ?1", id)
}

/// The episode with `guid`, if any.
pub fn by_guid(conn: &Connection, guid: &str) -> Result<Option<Episode>, CatalogError> {
    one(conn, "guid = ?1", guid)
}

fn one(
    conn: &Connection,
    filter: &str,
    key: impl rusqlite::ToSql,
) -> Result<Option<Episode>, CatalogError> {
    let sql = format!("SELECT {COLUMNS} FROM episode WHERE {filter}");
    let found = conn.query_row(&sql, [key], row_to_episode).optional()?;
    let Some(ep) = found else { return Ok(None) };
    let mut eps = vec![ep];
    attach_relations(conn, &mut eps)?;
    Ok(eps.pop())
}

/// Inserts the episode with `guid`, or updates it when it exists, together
/// with its people and themes. Call inside a transaction; `now` is the
/// RFC 3339 time recorded as created/updated.
pub fn save(
    tx: &Transaction,
    guid: &str,
    data: &EpisodeData,
    now: &str,
) -> Result<Saved, CatalogError> {
    let data = people::canonical_credits(tx, data)?;
    let existing = by_guid(tx, guid)?;
    if let Some(old) = &existing {
        if old.data == data {
            return Ok(Saved::Unchanged);
        }
    }
    check_unique(tx, guid, &data)?;
    let id = match &existing {
        Some(old) => {
            update_row(tx, old, &data, now)?;
            old.id
        }
        None => insert_row(tx, guid, &data, now)?,
    };
    write_relations(tx, id, &data)?;
    super::search_index::reindex(tx, id)?;
    bump_revision(tx)?;
    Ok(if existing.is_some() {
        Saved::Updated
    } else {
        Saved::Added
    })
}

/// Deletes an episode with its appearances and themes. People stay.
pub fn delete(tx: &Transaction, id: i64) -> Result<(), CatalogError> {
    tx.execute("DELETE FROM episode WHERE id = ?1", [id])?;
    people::delete_orphans(tx)?;
    bump_revision(tx)?;
    Ok(())
}

/// Turns UNIQUE violations into messages a producer can act on, before
/// SQLite reports them as bare constraint names.
fn check_unique(tx: &Transaction, guid: &str, data: &EpisodeData) -> Result<(), CatalogError> {
    if let Some(n) = data.number {
        let other: Option<String> = tx
            .query_row(
                "SELECT title FROM episode WHERE number = ?1 AND guid <> ?2",
                params![n, guid],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(title) = other {
            return Err(CatalogError::Conflict(format!(
                "episode number {n} is already taken by \"{title}\""
            )));
        }
    }
    let other: Option<String> = tx
        .query_row(
            "SELECT title FROM episode WHERE slug = ?1 AND guid <> ?2",
            params![data.slug, guid],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(title) = other {
        return Err(CatalogError::Conflict(format!(
            "slug `{}` is already taken by \"{title}\"",
            data.slug
        )));
    }
    Ok(())
}

/// The producer-controlled columns, in the order [`column_values`] yields them.
const DATA_COLUMNS: [&str; 20] = [
    "number",
    "season",
    "episode_type",
    "title",
    "slug",
    "summary",
    "description",
    "published_at",
    "published_utc",
    "date_approximate",
    "explicit",
    "audio_file",
    "audio_url",
    "audio_bytes",
    "audio_mime",
    "audio_duration_ms",
    "audio_sha256",
    "image",
    "transcript",
    "chapters",
];

fn column_values(d: &EpisodeData) -> Vec<Box<dyn rusqlite::ToSql + '_>> {
    let (file, url) = match &d.audio.source {
        AudioSource::File(f) => (Some(f.as_str()), None),
        AudioSource::Url(u) => (None, Some(u.as_str())),
    };
    vec![
        Box::new(d.number),
        Box::new(d.season),
        Box::new(d.episode_type.as_str()),
        Box::new(d.title.as_str()),
        Box::new(d.slug.as_str()),
        Box::new(d.summary.as_deref()),
        Box::new(d.description.as_str()),
        Box::new(d.published_at.to_rfc3339()),
        Box::new(d.published_at.timestamp()),
        Box::new(d.date_approximate),
        Box::new(d.explicit),
        Box::new(file),
        Box::new(url),
        Box::new(d.audio.bytes as i64),
        Box::new(d.audio.mime.as_str()),
        Box::new(d.audio.duration_ms as i64),
        Box::new(d.audio.sha256.as_deref()),
        Box::new(d.image.as_deref()),
        Box::new(d.transcript.as_deref()),
        Box::new(d.chapters.as_deref()),
    ]
}

fn insert_row(
    tx: &Transaction,
    guid: &str,
    d: &EpisodeData,
    now: &str,
) -> Result<i64, CatalogError> {
    let holes: Vec<String> = (3..3 + DATA_COLUMNS.len())
        .map(|i| format!("?{i}"))
        .collect();
    let sql = format!(
        "INSERT INTO episode (guid, created_at, updated_at, {}) VALUES (?1, ?2, ?2, {})",
        DATA_COLUMNS.join(", "),
        holes.join(", ")
    );
    let mut values: Vec<Box<dyn rusqlite::ToSql + '_>> = vec![Box::new(guid), Box::new(now)];
    values.extend(column_values(d));
    tx.execute(&sql, rusqlite::params_from_iter(values.iter()))?;
    Ok(tx.last_insert_rowid())
}

fn update_row(
    tx: &Transaction,
    old: &Episode,
    d: &EpisodeData,
    now: &str,
) -> Result<(), CatalogError> {
    if old.data.slug != d.slug {
        tx.execute("DELETE FROM old_slug WHERE slug = ?1", [&d.slug])?;
        tx.execute(
            "INSERT OR REPLACE INTO old_slug (slug, episode_id) VALUES (?1, ?2)",
            params![old.data.slug, old.id],
        )?;
    }
    let sets: Vec<String> = DATA_COLUMNS
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ?{}", i + 3))
        .collect();
    let sql = format!(
        "UPDATE episode SET updated_at = ?2, {} WHERE id = ?1",
        sets.join(", ")
    );
    let mut values: Vec<Box<dyn rusqlite::ToSql + '_>> = vec![Box::new(old.id), Box::new(now)];
    values.extend(column_values(d));
    tx.execute(&sql, rusqlite::params_from_iter(values.iter()))?;
    Ok(())
}

fn write_relations(tx: &Transaction, id: i64, d: &EpisodeData) -> Result<(), CatalogError> {
    tx.execute("DELETE FROM appearance WHERE episode_id = ?1", [id])?;
    tx.execute("DELETE FROM episode_theme WHERE episode_id = ?1", [id])?;
    for (pos, credit) in d.credits.iter().enumerate() {
        let person = people::ensure(tx, &credit.name)?;
        tx.execute(
            "INSERT INTO appearance (episode_id, person_id, role, position, affiliation)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                id,
                person,
                credit.role.as_str(),
                pos as i64,
                credit.affiliation
            ],
        )
        .map_err(|e| duplicate_credit(e, credit))?;
    }
    for (pos, theme) in d.themes.iter().enumerate() {
        tx.execute(
            "INSERT INTO episode_theme (episode_id, theme_slug, position) VALUES (?1, ?2, ?3)",
            params![id, theme, pos as i64],
        )
        .map_err(|e| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::ConstraintViolation) => {
                CatalogError::Conflict(format!("theme `{theme}` is unknown or listed twice"))
            }
            _ => e.into(),
        })?;
    }
    people::delete_orphans(tx)?;
    Ok(())
}

fn duplicate_credit(e: rusqlite::Error, credit: &Credit) -> CatalogError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) => CatalogError::Conflict(format!(
            "{} is listed twice as {}",
            credit.name,
            credit.role.as_str()
        )),
        _ => e.into(),
    }
}

fn row_to_episode(r: &Row) -> rusqlite::Result<Episode> {
    let kind: String = r.get("episode_type")?;
    let published: String = r.get("published_at")?;
    let file: Option<String> = r.get("audio_file")?;
    let url: Option<String> = r.get("audio_url")?;
    let source = match (file, url) {
        (Some(f), _) => AudioSource::File(f),
        (None, Some(u)) => AudioSource::Url(u),
        (None, None) => AudioSource::File(String::new()),
    };
    Ok(Episode {
        id: r.get("id")?,
        guid: r.get("guid")?,
        data: EpisodeData {
            number: r.get("number")?,
            season: r.get("season")?,
            episode_type: EpisodeType::parse(&kind).unwrap_or(EpisodeType::Full),
            title: r.get("title")?,
            slug: r.get("slug")?,
            summary: r.get("summary")?,
            description: r.get("description")?,
            published_at: DateTime::parse_from_rfc3339(&published).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    9,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                )
            })?,
            date_approximate: r.get("date_approximate")?,
            explicit: r.get("explicit")?,
            audio: Audio {
                source,
                bytes: r.get::<_, i64>("audio_bytes")? as u64,
                mime: r.get("audio_mime")?,
                duration_ms: r.get::<_, i64>("audio_duration_ms")? as u64,
                sha256: r.get("audio_sha256")?,
            },
            image: r.get("image")?,
            transcript: r.get("transcript")?,
            chapters: r.get("chapters")?,
            credits: Vec::new(),
            themes: Vec::new(),
        },
        created_at: r.get("created_at")?,
        updated_at: r.get("updated_at")?,
        analysis: None,
    })
}

/// Fills in credits and themes with two queries for the whole list, not two per episode.
fn attach_relations(conn: &Connection, episodes: &mut [Episode]) -> Result<(), CatalogError> {
    let index: HashMap<i64, usize> = episodes
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id, i))
        .collect();
    // One episode: filter in SQL; many: read all rows once and group here.
    let only = match episodes {
        [one] => format!("WHERE episode_id = {}", one.id),
        _ => String::new(),
    };
    let mut stmt = conn.prepare(&format!(
        "SELECT a.episode_id, p.name, p.slug, a.role, a.affiliation FROM appearance a
         JOIN person p ON p.id = a.person_id {only} ORDER BY a.episode_id, a.position"
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let Some(&i) = index.get(&r.get::<_, i64>(0)?) else {
            continue;
        };
        let role: String = r.get(3)?;
        episodes[i].data.credits.push(Credit {
            name: r.get(1)?,
            slug: r.get(2)?,
            role: Role::parse(&role).unwrap_or_else(|_| Role::host()),
            affiliation: r.get(4)?,
        });
    }
    let mut stmt = conn.prepare(&format!(
        "SELECT episode_id, theme_slug FROM episode_theme {only} ORDER BY episode_id, position"
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        if let Some(&i) = index.get(&r.get::<_, i64>(0)?) {
            episodes[i].data.themes.push(r.get(1)?);
        }
    }
    super::analysis::attach(conn, episodes)
}
