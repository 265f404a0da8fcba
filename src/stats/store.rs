//! The counts in the catalogue's SQLite file (migration `0006_stats`):
//! added in one transaction per flush, so a crash loses at most the counts
//! not yet flushed and never leaves half a batch. The catalogue's revision
//! is not bumped: counts do not change what is published.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::window::Counts;

/// Adds `counts` to the stored ones, in one transaction.
pub fn save(conn: &mut Connection, counts: &Counts) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    add(&tx, counts)?;
    tx.commit()
}

/// Adds `counts` inside the caller's transaction.
pub fn add(tx: &Transaction, counts: &Counts) -> rusqlite::Result<()> {
    let mut downloads = tx.prepare_cached(
        "INSERT INTO download_count \
         (episode_guid, day, kind, app, device, device_category, downloads) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
         ON CONFLICT DO UPDATE SET downloads = downloads + excluded.downloads",
    )?;
    for (k, n) in &counts.downloads {
        downloads.execute(params![
            &*k.guid,
            day(k.day),
            k.kind,
            &*k.app,
            &*k.device,
            &*k.device_category,
            count(*n)
        ])?;
    }
    let mut feeds = tx.prepare_cached(
        "INSERT INTO feed_client_count (feed, day, app, clients) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT DO UPDATE SET clients = clients + excluded.clients",
    )?;
    for (k, n) in &counts.feed_clients {
        feeds.execute(params![&*k.feed, day(k.day), &*k.app, count(*n)])?;
    }
    Ok(())
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// How far `source` was ingested: (unix second, lines of that second).
pub fn watermark(conn: &Connection, source: &str) -> rusqlite::Result<Option<(i64, i64)>> {
    conn.query_row(
        "SELECT watermark, at_watermark FROM log_source WHERE source = ?1",
        [source],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

/// Records how far `source` was ingested, inside the counts' transaction.
pub fn set_watermark(
    tx: &Transaction,
    source: &str,
    (second, lines): (i64, i64),
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO log_source (source, watermark, at_watermark) VALUES (?1, ?2, ?3) \
         ON CONFLICT DO UPDATE SET watermark = excluded.watermark, at_watermark = excluded.at_watermark",
        params![source, second, lines],
    )?;
    Ok(())
}
