//! A consistent copy of the catalogue while it is in use, with SQLite's
//! online backup API (<https://www.sqlite.org/backup.html>).
//!
//! The copy is taken in one backup step, which reads one snapshot: a writer
//! committing meanwhile is neither seen half-way nor makes the copy start
//! over, and the server keeps reading (WAL). The copy goes to a temporary
//! file next to the target, is switched to a plain rollback journal (one
//! self-contained file), checked with `PRAGMA integrity_check`, and only
//! then renamed into place: a failed backup leaves nothing behind.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use super::CatalogError;

/// Prefix of the temporary file a backup is written to.
pub const TEMP_PREFIX: &str = ".podcatalog-backup-";

/// Why a backup was not made. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The target exists and overwriting was not asked for.
    #[error("{0}: exists already; give --force to replace it")]
    Exists(PathBuf),
    /// The target is the catalogue itself (renaming over a live WAL
    /// database would pair its `-wal` file with other pages).
    #[error("{0}: is the catalogue itself; back up to another file")]
    SameFile(PathBuf),
    /// The catalogue to copy does not exist.
    #[error("{0}: no catalogue there to back up")]
    NoSource(PathBuf),
    /// A file or folder could not be written.
    #[error("{path}: {error}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        error: std::io::Error,
    },
    /// SQLite failed while copying.
    #[error("{path}: {error}")]
    Catalog {
        /// The database being read or written.
        path: PathBuf,
        /// What SQLite said.
        error: CatalogError,
    },
    /// The copy did not pass `PRAGMA integrity_check`.
    #[error("{path}: the copy failed the integrity check ({report}); nothing was written")]
    Corrupt {
        /// The target.
        path: PathBuf,
        /// SQLite's first findings.
        report: String,
    },
}

/// What a backup copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    /// Episodes in the copy.
    pub episodes: i64,
    /// Size of the copy in bytes.
    pub bytes: u64,
}

/// Copies the catalogue at `source` to `target`. An existing `target` is
/// refused unless `overwrite`.
pub fn backup(source: &Path, target: &Path, overwrite: bool) -> Result<Copied, BackupError> {
    if !overwrite && target.exists() {
        return Err(BackupError::Exists(target.to_path_buf()));
    }
    if same_file(source, target) {
        return Err(BackupError::SameFile(target.to_path_buf()));
    }
    if !source.is_file() {
        return Err(BackupError::NoSource(source.to_path_buf()));
    }
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |error| BackupError::Io { path, error }
    };
    let tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(".db")
        .tempfile_in(dir)
        .map_err(io(dir))?;
    let episodes = copy_into(source, tmp.path()).map_err(|e| match e {
        Step::Read(error) => BackupError::Catalog {
            path: source.to_path_buf(),
            error,
        },
        Step::Write(error) => BackupError::Catalog {
            path: target.to_path_buf(),
            error,
        },
        Step::Corrupt(report) => BackupError::Corrupt {
            path: target.to_path_buf(),
            report,
        },
    })?;
    tmp.as_file().sync_all().map_err(io(target))?;
    let bytes = tmp.as_file().metadata().map_err(io(target))?.len();
    if overwrite {
        tmp.persist(target).map_err(|e| io(target)(e.error))?;
    } else {
        tmp.persist_noclobber(target)
            .map_err(|_| BackupError::Exists(target.to_path_buf()))?;
    }
    crate::platform::sync_dir(dir).map_err(io(dir))?;
    Ok(Copied { episodes, bytes })
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

enum Step {
    Read(CatalogError),
    Write(CatalogError),
    Corrupt(String),
}

/// Copies every page of `source` into the (empty) database file `dest`,
/// makes it self-contained and checks it; returns its episode count.
fn copy_into(source: &Path, dest: &Path) -> Result<i64, Step> {
    let read = |e: rusqlite::Error| Step::Read(e.into());
    let write = |e: rusqlite::Error| Step::Write(e.into());
    // Not `open`: a backup must not migrate or create the catalogue.
    let src =
        Connection::open_with_flags(source, OpenFlags::SQLITE_OPEN_READ_WRITE).map_err(read)?;
    src.busy_timeout(super::busy_timeout()).map_err(read)?;
    let mut dst = Connection::open(dest).map_err(write)?;
    run(&src, &mut dst)?;
    dst.pragma_update(None, "journal_mode", "DELETE")
        .map_err(write)?;
    let report = integrity(&dst).map_err(write)?;
    if report != "ok" {
        return Err(Step::Corrupt(report));
    }
    let episodes = dst
        .query_row("SELECT count(*) FROM episode", [], |r| r.get(0))
        .map_err(write)?;
    dst.close().map_err(|(_, e)| write(e))?;
    Ok(episodes)
}

/// One step copying all pages (`-1`): one read snapshot, so concurrent
/// writers never force a restart. Retries while the source is locked,
/// up to the busy timeout.
fn run(src: &Connection, dst: &mut Connection) -> Result<(), Step> {
    let deadline = Instant::now() + super::busy_timeout();
    let backup = Backup::new(src, dst).map_err(|e| Step::Write(e.into()))?;
    loop {
        match backup.step(-1).map_err(|e| Step::Read(e.into()))? {
            StepResult::Done => return Ok(()),
            _ if Instant::now() >= deadline => {
                return Err(Step::Read(CatalogError::Busy {
                    waited: super::busy_timeout(),
                }));
            }
            _ => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

/// `PRAGMA integrity_check`: "ok", or its first findings joined.
pub fn integrity(conn: &Connection) -> rusqlite::Result<String> {
    let mut stmt = conn.prepare("PRAGMA integrity_check(10)")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    let found = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(found.join("; "))
}
