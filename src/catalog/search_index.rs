//! Index maintenance: the FTS5 table `episode_search` rebuilt from the
//! catalogue's rows. The catalogue owns it because its own writes
//! (episodes, people, themes, transcripts) must keep the index in step in
//! the same transaction; [`crate::search`] only reads the index, and
//! depends on `catalog`, never the reverse.

use rusqlite::Connection;

use super::CatalogError;

/// The SQL that (re)builds search rows for the episodes the WHERE clause selects.
const REINDEX: &str = "INSERT INTO episode_search (rowid, title, people, themes, body, transcript)
    SELECT e.id, e.title,
        (SELECT group_concat(p.name || ' ' || coalesce(a.affiliation, '') || ' ' ||
                coalesce((SELECT group_concat(alias, ' ') FROM person_alias WHERE person_id = p.id), ''), ' ')
         FROM appearance a JOIN person p ON p.id = a.person_id WHERE a.episode_id = e.id),
        (SELECT group_concat(t.name, ' ') FROM episode_theme et JOIN theme t ON t.slug = et.theme_slug
         WHERE et.episode_id = e.id),
        coalesce(e.summary, '') || ' ' || e.description,
        coalesce((SELECT text FROM episode_transcript WHERE episode_id = e.id), '')
    FROM episode e";

/// Rebuilds the search row of one episode; call after writing it.
pub(crate) fn reindex(conn: &Connection, episode_id: i64) -> Result<(), CatalogError> {
    conn.execute("DELETE FROM episode_search WHERE rowid = ?1", [episode_id])?;
    conn.execute(&format!("{REINDEX} WHERE e.id = ?1"), [episode_id])?;
    Ok(())
}

/// Merges the index's segments into one (FTS5 `optimize`): after a bulk
/// import, searches over many matches run about half as fast without it.
pub fn optimize(conn: &Connection) -> Result<(), CatalogError> {
    conn.execute(
        "INSERT INTO episode_search (episode_search) VALUES ('optimize')",
        [],
    )?;
    Ok(())
}

/// Rebuilds every search row; call when names shared by many episodes
/// (theme names, people's aliases) change.
pub(crate) fn reindex_all(conn: &Connection) -> Result<(), CatalogError> {
    conn.execute("DELETE FROM episode_search", [])?;
    conn.execute(REINDEX, [])?;
    Ok(())
}
