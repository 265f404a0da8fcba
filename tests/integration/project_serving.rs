//! The server on the shipped project: the real episodes, probed by the
//! real import, and `podcatalog serve` as a process.

use std::time::{Duration, Instant};

use podcatalog::catalog;
use podcatalog::config::Config;
use reqwest::StatusCode;
use reqwest::header;
use roxmltree::Document;

use crate::feed::{check_items, items};
use crate::server::{client, header, start_with};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shipped_project_serves_every_real_episode() {
    // The real binary creates the catalogue and probes the real media.
    let shipped = crate::common::Project::shipped();
    let config = Config::load(&shipped.path("feed-config.toml")).expect("config");
    let conn = podcatalog::ingest::open_or_bootstrap(&config).expect("bootstrap");
    let episodes = catalog::episodes::list(&conn).expect("list");
    assert_eq!(episodes.len(), 9, "the nine real episodes");
    let server = start_with(config.clone(), conn).await;
    let http = client();
    let xml = http
        .get(server.url("feed.xml"))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    check_items(
        &config.server.media_dir,
        &xml,
        &episodes,
        chrono::Utc::now(),
    );
    let doc = Document::parse(&xml).expect("xml");
    for item in items(&doc) {
        let enc = item
            .children()
            .find(|n| n.has_tag_name("enclosure"))
            .expect("enclosure");
        let url = enc.attribute("url").expect("url");
        let head = http.head(url).send().await.expect("head");
        assert_eq!(head.status(), StatusCode::OK, "{url}");
        assert_eq!(
            header(head.headers(), header::CONTENT_LENGTH),
            enc.attribute("length").expect("length"),
            "{url}"
        );
    }
    let image = http
        .get(server.url("media/demokratiresan.png"))
        .send()
        .await
        .expect("get");
    assert_eq!(image.status(), StatusCode::OK);
    server.shutdown().await;
}

/// `podcatalog serve` on a fresh copy of the project: creates the
/// catalogue, serves the feed, and exits cleanly on SIGTERM.
#[test]
fn podcatalog_serve_starts_on_a_fresh_project_and_stops_on_sigterm() {
    use std::io::BufRead as _;
    let shipped = crate::common::Project::shipped();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_podcatalog"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .current_dir(shipped.dir.path())
        .env_remove("PODCATALOG_CONFIG")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn serve");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = std::io::BufReader::new(stderr).lines();
    let base = loop {
        let line = lines
            .next()
            .expect("serve printed where it listens")
            .expect("line");
        if let Some(rest) = line.strip_prefix("serving on ") {
            break rest.split_whitespace().next().expect("url").to_string();
        }
    };
    let http = reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let feed = http.get(format!("{base}feed.xml")).send().expect("get");
    assert_eq!(feed.status(), StatusCode::OK);
    let xml = feed.text().expect("body");
    let doc = Document::parse(&xml).expect("xml");
    assert_eq!(items(&doc).len(), 9);
    // The shipped base URL is a loopback one, so links follow the port.
    let enclosure = items(&doc)[0]
        .children()
        .find(|n| n.has_tag_name("enclosure"))
        .and_then(|n| n.attribute("url"))
        .expect("enclosure url")
        .to_string();
    assert!(enclosure.starts_with(&base), "{enclosure} under {base}");
    let audio = http.head(&enclosure).send().expect("head");
    assert_eq!(audio.status(), StatusCode::OK);
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "serve did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "serve exits cleanly on SIGTERM: {status}");
}
