//! The `audio_unverified` table: episodes whose audio length, type and
//! duration come from an imported feed, unmeasured. Feeds in the wild often
//! state wrong lengths; `check` names these episodes until the audio is
//! probed. A trigger clears the mark whenever the audio columns change.

use std::collections::HashSet;

use rusqlite::Connection;

use super::CatalogError;

/// Marks (or, with `unverified == false`, clears) episode `id`'s audio figures.
pub fn set(conn: &Connection, id: i64, unverified: bool) -> Result<(), CatalogError> {
    if unverified {
        conn.execute(
            "INSERT OR IGNORE INTO audio_unverified (episode_id) VALUES (?1)",
            [id],
        )?;
    } else {
        conn.execute("DELETE FROM audio_unverified WHERE episode_id = ?1", [id])?;
    }
    Ok(())
}

/// The ids of every episode with unverified audio figures.
pub fn all(conn: &Connection) -> Result<HashSet<i64>, CatalogError> {
    let mut stmt = conn.prepare("SELECT episode_id FROM audio_unverified")?;
    let ids = stmt.query_map([], |r| r.get(0))?;
    Ok(ids.collect::<Result<_, _>>()?)
}
