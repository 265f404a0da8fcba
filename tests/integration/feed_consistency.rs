//! While a script edits the catalogue through the CLI every 100 ms, many
//! concurrent feed requests against the real server each get a complete,
//! well-formed feed, and its ETag is the one its bytes give (the plain
//! feed's ETag is the first 12 bytes of its SHA-256; the gzip one adds
//! `-gzip`), so the same ETag never comes with different bytes.
//!
//! `PODCATALOG_FEED_REQUESTS` sets the number of requests (default
//! 10,000, 200 in flight).

use std::collections::{HashMap, HashSet};
use std::io::Read as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use sha2::{Digest, Sha256};

use crate::common::Project;
use crate::process::{Server, output};

const DEFAULT_REQUESTS: usize = 10_000;
const IN_FLIGHT: usize = 200;
const TITLES: [&str; 2] = ["Titel A under last", "Titel B under last"];

/// One answer: its ETag and its bytes as sent.
struct Answer {
    etag: String,
    body: bytes::Bytes,
    gzip: bool,
}

async fn fetch(http: &reqwest::Client, url: &str, gzip: bool) -> Result<Answer, String> {
    let mut req = http.get(url);
    if gzip {
        req = req.header("accept-encoding", "gzip");
    }
    let res = req.send().await.map_err(|e| format!("request: {e}"))?;
    if res.status() != 200 {
        return Err(format!("status {}", res.status()));
    }
    let h = res.headers().clone();
    let get = |name: &str| h.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let etag = get("etag").ok_or("no ETag")?;
    let length = get("content-length").ok_or("no Content-Length")?;
    let gzip = match get("content-encoding").as_deref() {
        None => false,
        Some("gzip") => true,
        Some(other) => return Err(format!("unexpected Content-Encoding {other}")),
    };
    let body = res.bytes().await.map_err(|e| format!("body: {e}"))?;
    if length != body.len().to_string() {
        return Err(format!("Content-Length {length}, got {} bytes", body.len()));
    }
    Ok(Answer { etag, body, gzip })
}

/// The feed an answer carries (gunzipped), once its ETag is checked
/// against its bytes.
fn verify(a: &Answer) -> Result<Vec<u8>, String> {
    let mut plain = Vec::new();
    let suffix = if a.gzip {
        flate2::read::GzDecoder::new(&a.body[..])
            .read_to_end(&mut plain)
            .map_err(|e| format!("torn gzip body: {e}"))?;
        "-gzip"
    } else {
        plain.extend_from_slice(&a.body);
        ""
    };
    let digest = hex::encode(Sha256::digest(&plain));
    let expected = format!("\"{}{suffix}\"", &digest[..24]);
    if a.etag != expected {
        return Err(format!(
            "ETag {} for bytes whose hash gives {expected}",
            a.etag
        ));
    }
    Ok(plain)
}

/// Edits episode 85's title back and forth every 100 ms until stopped;
/// returns how many edits it made.
fn editor(p: &Project, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<usize> {
    let dir = p.dir.path().to_path_buf();
    std::thread::spawn(move || {
        let mut edits = 0;
        while !stop.load(Ordering::Relaxed) {
            let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_podcatalog"));
            cmd.args(["edit", "85", "--title", TITLES[edits % 2]])
                .current_dir(&dir)
                .env_remove("PODCATALOG_CONFIG");
            let r = output(cmd);
            assert!(r.ok, "edit {edits}: {}", r.stderr);
            edits += 1;
            std::thread::sleep(Duration::from_millis(100));
        }
        edits
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_feed_requests_during_edits_get_whole_feeds_with_true_etags() {
    let requests = std::env::var("PODCATALOG_FEED_REQUESTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(DEFAULT_REQUESTS);
    let p = Project::initialised();
    let server = Server::start(&p);
    let url = server.url("feed.xml");
    let http = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(IN_FLIGHT)
        .build()
        .expect("client");
    let stop = Arc::new(AtomicBool::new(false));
    let edits = editor(&p, Arc::clone(&stop));
    let started = Instant::now();
    let answers: Vec<_> = futures_util::stream::iter(0..requests)
        .map(|i| {
            let (http, url) = (http.clone(), url.clone());
            async move { fetch(&http, &url, i % 2 == 1).await }
        })
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await;
    let took = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let edits = tokio::task::spawn_blocking(move || edits.join())
        .await
        .expect("join")
        .expect("editor");

    // Each ETag's first body is verified (hash, XML); every later body with
    // that ETag must be the same bytes.
    let mut errors = Vec::new();
    let mut by_etag: HashMap<String, bytes::Bytes> = HashMap::new();
    let mut versions = HashSet::new();
    for answer in answers {
        let a = match answer {
            Ok(a) => a,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        match by_etag.get(&a.etag) {
            Some(first) if *first == a.body => {}
            Some(_) => errors.push(format!("ETag {} came with two different bodies", a.etag)),
            None => match verify(&a) {
                Ok(plain) => {
                    check_feed(&a.etag, &plain);
                    versions.insert(plain);
                    by_etag.insert(a.etag, a.body);
                }
                Err(e) => errors.push(e),
            },
        }
    }
    let shown: HashSet<_> = errors.iter().take(5).collect();
    assert!(
        errors.is_empty(),
        "{} of {requests} answers wrong, e.g. {shown:?}",
        errors.len()
    );
    assert!(
        versions.len() >= 2 && edits >= 3,
        "the feed never changed under load ({} versions, {edits} edits in {took:?}): the test proved nothing",
        versions.len()
    );
    eprintln!(
        "{requests} feed requests ({IN_FLIGHT} in flight) in {took:?}; {edits} edits; {} feed versions",
        versions.len()
    );
}

/// A whole feed: well-formed XML, every shipped episode, episode 85 under
/// one of the titles it had.
fn check_feed(etag: &str, plain: &[u8]) {
    let text = std::str::from_utf8(plain).unwrap_or_else(|e| panic!("{etag}: not UTF-8: {e}"));
    let doc = roxmltree::Document::parse(text)
        .unwrap_or_else(|e| panic!("{etag}: torn or malformed feed: {e}"));
    let items: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("item"))
        .collect();
    assert_eq!(items.len(), 9, "{etag}: every episode");
    let titles: Vec<_> = items
        .iter()
        .filter_map(|i| i.children().find(|c| c.has_tag_name("title")))
        .filter_map(|t| t.text())
        .collect();
    assert!(
        titles
            .iter()
            .any(|t| { TITLES.contains(t) || *t == "Internationellt ledarprogram för kvinnor" }),
        "{etag}: episode 85 missing: {titles:?}"
    );
}
