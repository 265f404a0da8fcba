use super::*;

#[test]
fn migrations_bring_a_new_file_to_the_latest_version() {
    let dir = tempfile::tempdir().expect("tempdir");
    let conn = open(&dir.path().join("c.db")).expect("open");
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    assert_eq!(v, MIGRATIONS.len() as i64);
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .expect("mode");
    assert_eq!(mode, "wal");
    drop(conn);
    // Opening again applies nothing and keeps the version.
    let conn = open(&dir.path().join("c.db")).expect("reopen");
    let v2: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    assert_eq!(v2, v);
}

#[test]
fn a_database_from_a_newer_podcatalog_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("c.db");
    let conn = rusqlite::Connection::open(&path).expect("open");
    conn.pragma_update(None, "user_version", 99).expect("set");
    drop(conn);
    let err = open(&path).expect_err("newer schema must be refused");
    assert!(err.to_string().contains("schema version 99"), "{err}");
}

#[test]
fn a_writer_behind_a_held_lock_gives_up_with_busy() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("c.db");
    let holder = open(&path).expect("open");
    holder.execute_batch("BEGIN IMMEDIATE").expect("lock");
    let mut waiter = open(&path).expect("open");
    waiter
        .busy_timeout(std::time::Duration::from_millis(20))
        .expect("timeout");
    let err = write_transaction(&mut waiter)
        .map(drop)
        .expect_err("locked");
    assert!(matches!(err, CatalogError::Busy { .. }), "{err:?}");
    assert!(err.to_string().contains(BUSY_TIMEOUT_ENV), "{err}");
}
