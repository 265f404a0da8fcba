//! A feed past the server's spill size (64 KiB) is kept in an unlinked
//! file and sent from it, with `sendfile` on Linux or with plain writes on
//! the portable path, rather than copied from the heap: clients must still
//! get the whole feed, in every coding, with the ETag its bytes give; and
//! the file must really be in use (else the path is untested).

use std::io::Read as _;

use podcatalog::catalog;
use podcatalog::config::Config;
use podcatalog::feed::synthetic;
use sha2::{Digest, Sha256};

use crate::common::Project;
use crate::process::{Server, command};
use crate::server::{client, start_with_io};

const EPISODES: usize = 400;

/// The shipped project with a catalogue of [`EPISODES`] synthetic episodes
/// instead of the shipped ones (a plain feed of ~900 kB).
fn big_project() -> Project {
    let p = Project::shipped();
    let config = Config::load(&p.path("feed-config.toml")).expect("config");
    let db = p.path(&config.server.database.to_string_lossy());
    let mut conn = catalog::open(&db).expect("open");
    let tx = conn.transaction().expect("tx");
    catalog::themes::sync(&tx, &config.themes).expect("themes");
    for ep in synthetic::episodes(EPISODES) {
        catalog::episodes::save(&tx, &ep.guid, &ep.data, &ep.created_at).expect("save");
    }
    tx.commit().expect("commit");
    p
}

fn get(http: &reqwest::blocking::Client, url: &str, coding: &str) -> (String, Vec<u8>) {
    let res = http
        .get(url)
        .header("accept-encoding", coding)
        .send()
        .expect("request");
    assert_eq!(res.status(), 200, "{coding}");
    let encoding = res
        .headers()
        .get("content-encoding")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("identity")
        .to_string();
    assert_eq!(encoding, coding);
    let etag = res.headers()["etag"].to_str().expect("etag").to_string();
    let length: usize = res.headers()["content-length"]
        .to_str()
        .expect("length")
        .parse()
        .expect("number");
    let body = res.bytes().expect("body").to_vec();
    assert_eq!(body.len(), length, "{coding}: Content-Length");
    (etag, body)
}

/// Unlinked files the process holds open in `dir`.
fn unlinked_files_in(pid: u32, dir: &std::path::Path) -> usize {
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).expect("fds");
    fds.filter_map(Result::ok)
        .filter_map(|fd| std::fs::read_link(fd.path()).ok())
        .filter(|target| {
            let t = target.to_string_lossy();
            target.starts_with(dir) && t.ends_with("(deleted)")
        })
        .count()
}

/// Mappings of unlinked files in `dir` in the process's address space:
/// the sendfile path maps its feed files, the portable path never does.
fn mapped_unlinked_files_in(pid: u32, dir: &std::path::Path) -> usize {
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).expect("maps");
    let dir = dir.to_string_lossy();
    maps.lines()
        .filter(|l| l.contains(&*dir) && l.ends_with("(deleted)"))
        .count()
}

/// The real binary, each way: `PODCATALOG_PORTABLE_IO=1` chooses the
/// portable path on Linux.
#[test]
fn a_big_feed_is_sent_whole_in_every_coding_from_a_file() {
    for &io in podcatalog::web::Io::ALL {
        big_feed_from_a_file(io);
    }
}

fn big_feed_from_a_file(io: podcatalog::web::Io) {
    let p = big_project();
    let mut cmd = command(&p, &["serve", "--addr", "127.0.0.1:0"]);
    let portable = io == podcatalog::web::Io::Portable;
    if portable {
        cmd.env(podcatalog::web::PORTABLE_IO_ENV, "1");
    }
    let server = Server::spawn(cmd);
    let http = reqwest::blocking::Client::new();
    let url = server.url("feed.xml");

    let (etag, plain) = get(&http, &url, "identity");
    assert!(plain.len() > 256 << 10, "feed of {} bytes", plain.len());
    let tag = &hex::encode(Sha256::digest(&plain))[..24];
    assert_eq!(etag, format!("\"{tag}\""), "ETag of the bytes sent");
    let text = std::str::from_utf8(&plain).expect("UTF-8");
    let doc = roxmltree::Document::parse(text).expect("well-formed XML");
    let items = doc.descendants().filter(|n| n.has_tag_name("item")).count();
    assert_eq!(items, EPISODES);

    let (etag, gz) = get(&http, &url, "gzip");
    assert_eq!(etag, format!("\"{tag}-gzip\""));
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut unzipped)
        .expect("gzip");
    assert!(unzipped == plain, "gzip body is the feed");

    let (etag, br) = get(&http, &url, "br");
    assert_eq!(etag, format!("\"{tag}-br\""));
    let mut unbrotlied = Vec::new();
    brotli::Decompressor::new(&br[..], 1 << 16)
        .read_to_end(&mut unbrotlied)
        .expect("brotli");
    assert!(unbrotlied == plain, "brotli body is the feed");

    // The plain feed at least spilled; its file lives beside the catalogue
    // and has no name there.
    let dir = p.path("");
    let dir = dir.canonicalize().expect("dir");
    assert!(
        unlinked_files_in(server.child.id(), &dir) >= 1,
        "the server keeps the feed in an unlinked file in {}",
        dir.display()
    );
    let mapped = mapped_unlinked_files_in(server.child.id(), &dir);
    if portable {
        assert_eq!(mapped, 0, "the portable path maps no feed");
    } else {
        assert!(mapped >= 1, "{io:?}: the feed is mapped for sendfile");
    }
    let names: Vec<_> = std::fs::read_dir(&dir)
        .expect("ls")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tmp"))
        .collect();
    assert!(names.is_empty(), "no named temporary files: {names:?}");
}

/// When the feed's file cannot be written (here the file-size limit; a
/// full disk behaves alike), the server keeps that feed in memory and
/// still serves all of it.
#[test]
fn a_feed_that_cannot_be_written_to_a_file_is_served_from_memory() {
    let p = big_project();
    // 256 blocks: 128 KiB (dash counts 512-byte blocks) or 256 KiB (bash);
    // the plain feed is ~900 kB, so writing its file fails part-way.
    let mut sh = std::process::Command::new("sh");
    sh.arg("-c")
        .arg("ulimit -f 256 && exec \"$0\" serve --addr 127.0.0.1:0")
        .arg(env!("CARGO_BIN_EXE_podcatalog"))
        .current_dir(p.dir.path())
        .env_remove("PODCATALOG_CONFIG")
        .env("RUST_LOG", "warn");
    let server = Server::spawn(sh);
    let http = reqwest::blocking::Client::new();
    let url = server.url("feed.xml");
    let (etag, plain) = get(&http, &url, "identity");
    let tag = &hex::encode(Sha256::digest(&plain))[..24];
    assert_eq!(etag, format!("\"{tag}\""));
    let text = std::str::from_utf8(&plain).expect("UTF-8");
    let doc = roxmltree::Document::parse(text).expect("well-formed XML");
    let items = doc.descendants().filter(|n| n.has_tag_name("item")).count();
    assert_eq!(items, EPISODES);
    let (_, gz) = get(&http, &url, "gzip");
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut unzipped)
        .expect("gzip");
    assert!(unzipped == plain, "gzip body is the feed");
    let dir = p.path("").canonicalize().expect("dir");
    assert_eq!(
        unlinked_files_in(server.child.id(), &dir),
        0,
        "no feed file is kept"
    );
}

/// Proves the feed went out with `sendfile` on that path (the bytes alone
/// cannot tell: a fallback to plain writes sends the same ones), and that
/// the portable path sends nothing that way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_big_feed_goes_out_with_sendfile_on_that_path_only() {
    for &io in podcatalog::web::Io::ALL {
        let p = big_project();
        let config = Config::load(&p.path("feed-config.toml")).expect("config");
        let conn = catalog::open(&config.server.database).expect("open");
        let server = start_with_io(config, conn, io).await;
        let res = client()
            .get(server.url("feed.xml"))
            .header("accept-encoding", "identity")
            .send()
            .await
            .expect("get");
        let body = res.bytes().await.expect("body");
        assert!(body.len() > 256 << 10, "feed of {} bytes", body.len());
        let sent = server.state.sendfile_bytes();
        if io == podcatalog::web::Io::Portable {
            assert_eq!(sent, 0, "the portable path sends nothing with sendfile");
        } else {
            assert_eq!(
                sent,
                body.len() as u64,
                "{io:?}: the feed went out with sendfile"
            );
        }
        server.shutdown().await;
    }
}
