use std::io::Write as _;
use std::path::Path;

use bytes::Bytes;

use super::*;

fn spooled(dir: &Path, io: Io, bytes: &[u8]) -> Spooled {
    let mut spool = Spool::new(Some(dir), io);
    for chunk in bytes.chunks(10_000) {
        spool.write_all(chunk).expect("write");
    }
    spool.finish().expect("finish")
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

async fn collect(body: Body) -> Bytes {
    axum::body::to_bytes(body, usize::MAX).await.expect("body")
}

/// Every way gives back the bytes written, from the heap or the file, and
/// leaves nothing in the folder: the file has no name.
#[tokio::test]
async fn every_way_gives_back_the_bytes_and_leaves_no_file() {
    for &io in Io::ALL {
        let dir = tempfile::tempdir().expect("dir");
        let small = spooled(dir.path(), io, b"<rss/>");
        assert!(matches!(small, Spooled::Bytes(_)), "{io:?}: small in heap");
        assert_eq!(&collect(small.body()).await[..], b"<rss/>");
        let data = pattern(SPILL_AT * 3 + 17);
        let big = spooled(dir.path(), io, &data);
        assert_eq!(big.len(), data.len() as u64);
        assert!(collect(big.body()).await == data, "{io:?}: other bytes");
        assert_eq!(std::fs::read_dir(dir.path()).expect("ls").count(), 0);
    }
}

#[test]
fn the_portable_way_keeps_a_big_body_in_its_file() {
    let dir = tempfile::tempdir().expect("dir");
    let data = pattern(SPILL_AT * 2);
    let big = spooled(dir.path(), Io::Portable, &data);
    assert!(matches!(big, Spooled::File { .. }), "in a file: {big:?}");
}

#[test]
fn without_a_usable_folder_the_body_stays_in_the_heap() {
    for &io in Io::ALL {
        let data = pattern(SPILL_AT * 2);
        let mut spool = Spool::new(Some(Path::new("/nonexistent/podcatalog")), io);
        spool.write_all(&data).expect("write");
        let Spooled::Bytes(bytes) = spool.finish().expect("finish") else {
            panic!("{io:?}: not in the heap");
        };
        assert_eq!(&bytes[..], &data[..]);
    }
}

#[test]
fn the_environment_chooses_the_portable_way() {
    // Read, not set: the variable is process-wide and tests run in parallel.
    let chosen = std::env::var_os(PORTABLE_IO_ENV).is_some_and(|v| !v.is_empty() && v != "0");
    let want = if chosen { Io::Portable } else { Io::native() };
    assert_eq!(Io::from_env(), want);
}

#[cfg(target_os = "linux")]
mod linux {
    use std::io::IoSlice;
    use std::sync::PoisonError;
    use std::sync::atomic::Ordering;

    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    use tokio::net::TcpListener;

    use super::super::mapped::{REGIONS, lookup};
    use super::*;

    fn mapped(dir: &Path, data: &[u8]) -> Bytes {
        match spooled(dir, Io::Sendfile, data) {
            Spooled::Bytes(b) => b,
            other => panic!("not mapped: {other:?}"),
        }
    }

    #[test]
    fn big_bodies_are_mapped_and_registered_until_dropped() {
        let dir = tempfile::tempdir().expect("dir");
        let small = mapped(dir.path(), b"<rss/>");
        assert!(lookup(&small).is_none());
        let data = pattern(SPILL_AT * 3 + 17);
        let big = mapped(dir.path(), &data);
        assert_eq!(
            &big[..],
            &data[..],
            "read in-process, the mapping has the bytes"
        );
        let (_, offset) = lookup(&big[1000..2000]).expect("registered");
        assert_eq!(offset, 1000);
        let id = {
            let regions = REGIONS.read().unwrap_or_else(PoisonError::into_inner);
            regions.get(&big.as_ptr().addr()).map(|r| r.id)
        };
        let id = id.expect("registered");
        drop(big);
        let regions = REGIONS.read().unwrap_or_else(PoisonError::into_inner);
        assert!(
            !regions.values().any(|r| r.id == id),
            "unregistered on drop"
        );
    }

    /// Writes `bufs` to `conn` as hyper does, vectored, until all are out.
    async fn write_all_vectored(conn: &mut sendfile::Sendfile, mut bufs: Vec<&[u8]>) {
        while !bufs.is_empty() {
            let slices: Vec<IoSlice<'_>> = bufs.iter().map(|b| IoSlice::new(b)).collect();
            let mut n = conn.write_vectored(&slices).await.expect("write");
            while n > 0 {
                let first = bufs[0];
                if n >= first.len() {
                    n -= first.len();
                    bufs.remove(0);
                } else {
                    bufs[0] = &first[n..];
                    n = 0;
                }
            }
        }
    }

    /// The head goes out with `sendmsg`, the mapped body with `sendfile`,
    /// a slice of it from the right offset: the peer reads the very bytes,
    /// and the counter shows `sendfile` sent them (or, with the wrapper on
    /// the portable path, that it sent nothing).
    #[tokio::test]
    async fn mapped_buffers_reach_the_peer_intact() {
        for counting in [true, false] {
            let dir = tempfile::tempdir().expect("dir");
            let data = pattern(SPILL_AT * 8 + 5);
            let body = mapped(dir.path(), &data);
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
            let addr = listener.local_addr().expect("addr");
            let reader = tokio::spawn(async move {
                let mut client = TcpStream::connect(addr).await.expect("connect");
                let mut got = Vec::new();
                client.read_to_end(&mut got).await.expect("read");
                got
            });
            let (stream, _) = listener.accept().await.expect("accept");
            let sent = Arc::new(AtomicU64::new(0));
            let mut conn = sendfile::Sendfile::new(stream, counting.then(|| Arc::clone(&sent)));
            let part = body.slice(3..);
            write_all_vectored(&mut conn, vec![b"HEAD\r\n", b"more\r\n", &part[..]]).await;
            conn.write_all(b"tail").await.expect("tail");
            conn.shutdown().await.expect("shutdown");
            drop(conn);
            let got = reader.await.expect("join");
            let mut want = b"HEAD\r\nmore\r\n".to_vec();
            want.extend_from_slice(&data[3..]);
            want.extend_from_slice(b"tail");
            assert_eq!(got.len(), want.len());
            assert!(got == want, "the peer got other bytes");
            let by_sendfile = if counting { part.len() as u64 } else { 0 };
            assert_eq!(sent.load(Ordering::Relaxed), by_sendfile);
        }
    }
}
