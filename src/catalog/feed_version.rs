//! When each feed's bytes last changed (`feed_version`, migration 0005).
//!
//! The server renders a feed after every start; without this record its
//! `Last-Modified` would be the start time, and every app asking with
//! `If-Modified-Since` would download the unchanged feed again after each
//! restart. Keyed by the feed's strong ETag, so a change anywhere (episodes,
//! config, a release time passing, a new renderer) moves the date, and
//! nothing else does.

use rusqlite::{Connection, params};

use super::CatalogError;

/// The Unix second the bytes with `etag` were first recorded for `feed`:
/// the stored one when `etag` is unchanged, else `now`, which is stored.
pub fn stamp(conn: &Connection, feed: &str, etag: &str, now: i64) -> Result<i64, CatalogError> {
    conn.execute(
        "INSERT INTO feed_version (feed, etag, modified_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (feed) DO UPDATE SET etag = excluded.etag, modified_at = excluded.modified_at
         WHERE feed_version.etag <> excluded.etag",
        params![feed, etag, now],
    )?;
    Ok(conn.query_row(
        "SELECT modified_at FROM feed_version WHERE feed = ?1",
        params![feed],
        |r| r.get(0),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_date_moves_only_when_the_bytes_change() -> Result<(), CatalogError> {
        let dir = tempfile::tempdir().map_err(|e| CatalogError::Conflict(e.to_string()))?;
        let conn = super::super::open(&dir.path().join("c.db"))?;
        let before = super::super::revision(&conn)?;
        assert_eq!(stamp(&conn, "all", "\"a\"", 100)?, 100);
        assert_eq!(stamp(&conn, "all", "\"a\"", 200)?, 100);
        assert_eq!(stamp(&conn, "theme:x", "\"a\"", 250)?, 250);
        assert_eq!(stamp(&conn, "all", "\"b\"", 300)?, 300);
        assert_eq!(
            super::super::revision(&conn)?,
            before,
            "not a catalogue change"
        );
        Ok(())
    }
}
