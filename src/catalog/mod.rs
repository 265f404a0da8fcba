//! The SQLite catalogue: episodes, people and their appearances, themes.
//!
//! Owns the schema (numbered, append-only migrations embedded in the binary
//! and tracked with `PRAGMA user_version`) and every SQL statement but the
//! search index's reads, which [`crate::search`] owns (it depends on
//! `catalog`, never the reverse; the index's writes are here, in
//! [`search_index`], so catalogue writes keep it in step). Query
//! functions take `&Connection` first and bind every parameter. It knows
//! nothing of HTTP, XML or audio formats: callers probe audio and hand in
//! finished values.

pub mod analysis;
pub mod backup;
mod dates;
pub mod episodes;
pub mod feed_version;
pub mod file;
mod model;
pub mod people;
pub mod search_index;
pub mod themes;
pub mod transcript;
pub mod unverified;

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, Transaction, TransactionBehavior};

pub use dates::{format_published, in_stockholm, known_published, parse_published};
pub use model::{
    Audio, AudioAnalysis, AudioSource, Credit, Episode, EpisodeData, EpisodeType, Role,
    SWEDISH_ROLES,
};

/// Migrations in order; entry *n* brings the schema to `user_version` n+1.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_init.sql"),
    include_str!("migrations/0002_search.sql"),
    include_str!("migrations/0003_transcripts.sql"),
    include_str!("migrations/0004_search_prefix_one_letter.sql"),
    include_str!("migrations/0005_feed_versions.sql"),
    include_str!("migrations/0006_stats.sql"),
    include_str!("migrations/0007_audio_unverified.sql"),
    include_str!("migrations/0008_audio_analysis.sql"),
];

/// How long a writer waits for another writer before giving up, so the CLI
/// can write while the server reads (and waits briefly behind another CLI).
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Environment variable that overrides [`BUSY_TIMEOUT`], in milliseconds
/// (a slow shared disk may want longer; tests want shorter).
pub const BUSY_TIMEOUT_ENV: &str = "PODCATALOG_BUSY_TIMEOUT_MS";

/// The busy timeout in force: [`BUSY_TIMEOUT_ENV`] when it holds a number
/// of milliseconds, else [`BUSY_TIMEOUT`].
pub fn busy_timeout() -> Duration {
    std::env::var(BUSY_TIMEOUT_ENV)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .map_or(BUSY_TIMEOUT, Duration::from_millis)
}

/// Why a catalogue operation failed.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// SQLite refused (I/O, corruption, a full disk).
    #[error("catalogue database: {0}")]
    Sqlite(rusqlite::Error),
    /// Another process held the write lock for longer than the busy timeout.
    #[error(
        "the catalogue database is locked by another writer (another podcatalog command?); \
         gave up after waiting {} ms ({BUSY_TIMEOUT_ENV} sets how long); nothing was changed",
        .waited.as_millis()
    )]
    Busy {
        /// How long this process waited.
        waited: Duration,
    },
    /// The database was written by a newer podcatalog.
    #[error(
        "catalogue database has schema version {found}, newer than this podcatalog knows ({known}); upgrade podcatalog"
    )]
    TooNew {
        /// Version in the file.
        found: i64,
        /// Newest version this binary knows.
        known: i64,
    },
    /// A value broke a rule of the catalogue (duplicate number, slug, …).
    #[error("{0}")]
    Conflict(String),
    /// No episode matches the selector.
    #[error("no episode `{0}` (give a number, a slug or a guid)")]
    NotFound(String),
}

impl From<rusqlite::Error> for CatalogError {
    /// SQLite's own words for a lock ("database is locked") do not say who
    /// holds it or what to do; that case gets its own variant.
    fn from(e: rusqlite::Error) -> CatalogError {
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => CatalogError::Busy {
                waited: busy_timeout(),
            },
            _ => CatalogError::Sqlite(e),
        }
    }
}

/// Begins a write transaction that takes the write lock at once
/// (`BEGIN IMMEDIATE`): waiting for it happens up front, under the busy
/// timeout, instead of failing half-way when a read turns into a write.
pub fn write_transaction(conn: &mut Connection) -> Result<Transaction<'_>, CatalogError> {
    Ok(conn.transaction_with_behavior(TransactionBehavior::Immediate)?)
}

/// Opens (creating if needed) the catalogue at `path`: WAL journal (readers,
/// the server above all, never wait for a writer), foreign keys on, the
/// [`busy_timeout`], and migrations applied.
pub fn open(path: &Path) -> Result<Connection, CatalogError> {
    let mut conn = Connection::open(path)?;
    conn.busy_timeout(busy_timeout())?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    migrate(&mut conn)?;
    Ok(conn)
}

/// Applies the migrations the database has not seen yet, each in its own
/// transaction together with the `user_version` bump.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), CatalogError> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let known = MIGRATIONS.len() as i64;
    if found > known {
        return Err(CatalogError::TooNew { found, known });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

/// A number that changes on every committed write, so readers (the server)
/// can tell cheaply whether anything changed since they last looked.
pub fn revision(conn: &Connection) -> Result<i64, CatalogError> {
    Ok(conn.query_row("SELECT value FROM revision WHERE id = 1", [], |r| r.get(0))?)
}

/// Marks the catalogue as changed; call inside every write transaction.
pub(crate) fn bump_revision(conn: &Connection) -> Result<(), CatalogError> {
    conn.execute("UPDATE revision SET value = value + 1 WHERE id = 1", [])?;
    Ok(())
}

#[cfg(test)]
mod tests;
