//! A few read-only catalogue connections for searches, so concurrent
//! searches run in parallel (one per core) instead of queueing behind the
//! server's one read-write connection. SQLite in WAL mode lets readers see
//! every committed write without blocking the writer.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use rusqlite::{Connection, OpenFlags};

use super::Error;

/// Connections are opened on first use, at most this many.
const MAX_READERS: usize = 4;

/// The pool, over the catalogue at one path.
pub(super) struct Readers {
    db: PathBuf,
    pool: Vec<Mutex<Option<Connection>>>,
}

impl Readers {
    /// A pool of up to one reader per core (at most [`MAX_READERS`]) for
    /// the catalogue at `db`; none is opened yet.
    pub(super) fn new(db: PathBuf) -> Readers {
        let n = std::thread::available_parallelism()
            .map_or(2, |n| n.get())
            .clamp(1, MAX_READERS);
        Readers {
            db,
            pool: (0..n).map(|_| Mutex::new(None)).collect(),
        }
    }

    /// Runs `f` on a free reader (blocking; call from `spawn_blocking`),
    /// waiting for one when all are busy. A reader whose lock was poisoned
    /// is used as it is (the crate's lock rule, see [`super`]): a panic
    /// cannot leave a transaction open, since [`rusqlite::Transaction`]
    /// rolls back when dropped.
    pub(super) fn with<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut guard = self
            .pool
            .iter()
            .find_map(|m| match m.try_lock() {
                Ok(g) => Some(g),
                Err(std::sync::TryLockError::Poisoned(p)) => Some(p.into_inner()),
                Err(std::sync::TryLockError::WouldBlock) => None,
            })
            .unwrap_or_else(|| self.pool[0].lock().unwrap_or_else(PoisonError::into_inner));
        let conn = match guard.take() {
            Some(conn) => conn,
            None => open(&self.db)?,
        };
        let conn = guard.insert(conn);
        f(conn)
    }
}

/// A read-only connection to the catalogue at `db`.
fn open(db: &Path) -> Result<Connection, Error> {
    let open_error = |source| Error::Open {
        path: db.to_path_buf(),
        source,
    };
    let conn = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(open_error)?;
    conn.busy_timeout(crate::catalog::BUSY_TIMEOUT)
        .map_err(open_error)?;
    Ok(conn)
}
