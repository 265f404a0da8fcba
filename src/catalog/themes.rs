//! The `theme` table: a mirror of the vocabulary declared in
//! `feed-config.toml`, kept in the database so SQL can join and count.

use rusqlite::{Connection, Transaction, params};
use serde::Serialize;

use super::CatalogError;
use crate::config::Theme;

/// A theme with the number of episodes tagged with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThemeSummary {
    /// Slug.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Episodes tagged with it.
    pub episodes: u32,
}

/// Makes the table match the configured vocabulary. A theme that was
/// removed from the config while episodes still use it is an error naming
/// those episodes, rather than a silent loss of their tags.
pub fn sync(tx: &Transaction, themes: &[Theme]) -> Result<(), CatalogError> {
    let mut stmt = tx.prepare(
        "SELECT t.slug, group_concat(e.title, '\", \"') FROM theme t
         JOIN episode_theme et ON et.theme_slug = t.slug JOIN episode e ON e.id = et.episode_id
         GROUP BY t.slug",
    )?;
    let used: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (slug, titles) in used {
        if !themes.iter().any(|t| t.slug == slug) {
            return Err(CatalogError::Conflict(format!(
                "theme `{slug}` was removed from the config but is still used by \"{titles}\""
            )));
        }
    }
    let mut changed = 0;
    for (pos, t) in themes.iter().enumerate() {
        changed += tx.execute(
            "INSERT INTO theme (slug, name, description, position) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (slug) DO UPDATE SET name = excluded.name,
                description = excluded.description, position = excluded.position
             WHERE (name, description, position) IS NOT (excluded.name, excluded.description, excluded.position)",
            params![t.slug, t.name, t.description, pos as i64],
        )?;
    }
    let keep: Vec<&str> = themes.iter().map(|t| t.slug.as_str()).collect();
    let json = serde_json::to_string(&keep).unwrap_or_else(|_| "[]".into());
    changed += tx.execute(
        "DELETE FROM theme WHERE slug NOT IN (SELECT value FROM json_each(?1))",
        [json],
    )?;
    if changed > 0 {
        // Theme names are part of every tagged episode's search row.
        super::search_index::reindex_all(tx)?;
        super::bump_revision(tx)?;
    }
    Ok(())
}

/// Every theme in vocabulary order, with episode counts.
pub fn list(conn: &Connection) -> Result<Vec<ThemeSummary>, CatalogError> {
    let mut stmt = conn.prepare(
        "SELECT slug, name, description,
                (SELECT count(*) FROM episode_theme WHERE theme_slug = theme.slug)
         FROM theme ORDER BY position",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(ThemeSummary {
            slug: r.get(0)?,
            name: r.get(1)?,
            description: r.get(2)?,
            episodes: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
