//! A few read-only catalogue connections for searches, so concurrent
//! searches run in parallel (one per core) instead of queueing behind the
//! server's one read-write connection. SQLite in WAL mode lets readers see
//! every committed write without blocking the writer.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{Connection, OpenFlags};

use crate::web::Error;

/// Connections are opened on first use, at most this many.
const MAX_READERS: usize = 4;

/// The pool.
pub struct Readers {
    pool: Vec<Mutex<Option<Connection>>>,
}

impl Default for Readers {
    fn default() -> Self {
        let n = std::thread::available_parallelism()
            .map_or(2, |n| n.get())
            .clamp(1, MAX_READERS);
        Readers {
            pool: (0..n).map(|_| Mutex::new(None)).collect(),
        }
    }
}

impl Readers {
    /// Runs `f` on a free reader of the catalogue at `db` (blocking; call
    /// from `spawn_blocking`), waiting for one when all are busy.
    pub fn with<T>(
        &self,
        db: &Path,
        f: impl FnOnce(&Connection) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut guard = self
            .pool
            .iter()
            .find_map(|m| m.try_lock().ok())
            .map_or_else(|| self.pool[0].lock(), Ok)
            .map_err(|_| Error::Internal("reader lock poisoned".into()))?;
        if guard.is_none() {
            let conn = Connection::open_with_flags(
                db,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(|e| Error::Internal(format!("open reader: {e}")))?;
            conn.busy_timeout(crate::catalog::BUSY_TIMEOUT)
                .map_err(|e| Error::Internal(format!("reader: {e}")))?;
            *guard = Some(conn);
        }
        match guard.as_ref() {
            Some(conn) => f(conn),
            None => Err(Error::Internal("no reader".into())),
        }
    }
}
