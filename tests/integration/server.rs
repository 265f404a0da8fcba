//! The real server on `127.0.0.1:0`: feed caching and revalidation, live
//! updates, byte ranges, traversal attempts, shutdown.

use std::io::Read as _;
use std::time::{Duration, Instant};

use podcatalog::catalog;
use podcatalog::web::{self, AppState};
use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap};
use roxmltree::Document;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::sync::oneshot;

use crate::feed::{check_items, items, text};
use crate::fixture::{self, BIG_LEN, GUIDS, Project};

/// A running server and how to stop it.
struct Running {
    base: String,
    addr: std::net::SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let done = tokio::time::timeout(Duration::from_secs(5), &mut self.task).await;
        assert!(
            matches!(done, Ok(Ok(Ok(())))),
            "graceful shutdown: {done:?}"
        );
    }
}

/// Serves `project` with every link pointing at the server itself.
async fn start(project: &Project) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let base = format!("http://{addr}/");
    let mut config = project.config.clone();
    config.channel.base_url = url::Url::parse(&base).expect("url");
    let state = AppState::new(config, project.connect()).expect("state");
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(web::serve(listener, state, async {
        let _ = stopped.await;
    }));
    Running {
        base,
        addr,
        stop: Some(stop),
        task,
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
}

fn header(h: &HeaderMap, name: header::HeaderName) -> &str {
    h.get(&name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("{name} missing"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_served_feed_has_every_episode_and_real_enclosures() {
    let project = fixture::project();
    let server = start(&project).await;
    let http = client();
    let res = http.get(server.url("feed.xml")).send().await.expect("get");
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers().clone();
    assert_eq!(
        header(&h, header::CONTENT_TYPE),
        "application/rss+xml; charset=utf-8"
    );
    assert!(header(&h, header::ETAG).starts_with('"'), "strong ETag");
    assert_eq!(header(&h, header::VARY), "Accept-Encoding");
    assert!(header(&h, header::CACHE_CONTROL).contains("max-age"));
    httpdate::parse_http_date(header(&h, header::LAST_MODIFIED)).expect("date");
    let xml = res.text().await.expect("body");
    let episodes = catalog::episodes::list(&project.connect()).expect("list");
    check_items(&project, &xml, &episodes, chrono::Utc::now());
    // Every local enclosure, transcript and chapters file is served with
    // exactly the length the feed states.
    let doc = Document::parse(&xml).expect("xml");
    for item in items(&doc) {
        let enc = item
            .children()
            .find(|n| n.has_tag_name("enclosure"))
            .expect("enclosure");
        let url = enc.attribute("url").expect("url");
        if !url.starts_with(&server.base) {
            continue;
        }
        let head = http.head(url).send().await.expect("head");
        assert_eq!(head.status(), StatusCode::OK, "{url}");
        assert_eq!(
            header(head.headers(), header::CONTENT_LENGTH),
            enc.attribute("length").expect("length")
        );
        assert_eq!(header(head.headers(), header::CONTENT_TYPE), "audio/mpeg");
        assert_eq!(header(head.headers(), header::ACCEPT_RANGES), "bytes");
        for tag in ["transcript", "chapters"] {
            let ns = crate::feed::PODCAST;
            if let Some(n) = item.children().find(|n| n.has_tag_name((ns, tag))) {
                let url = n.attribute("url").expect("url");
                let res = http.get(url).send().await.expect("get");
                assert_eq!(res.status(), StatusCode::OK, "{url}");
            }
        }
    }
    for path in ["personer/asa-oberg/feed.xml", "teman/demokrati/feed.xml"] {
        let res = http.get(server.url(path)).send().await.expect("get");
        assert_eq!(res.status(), StatusCode::OK, "{path}");
    }
    for path in [
        "personer/nobody/feed.xml",
        "teman/nonsense/feed.xml",
        "nowhere",
    ] {
        let res = http.get(server.url(path)).send().await.expect("get");
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_feed_revalidates_and_comes_gzipped() {
    let project = fixture::project();
    let server = start(&project).await;
    let http = client();
    let url = server.url("feed.xml");
    let plain = http.get(&url).send().await.expect("get");
    let etag = header(plain.headers(), header::ETAG).to_string();
    let modified = header(plain.headers(), header::LAST_MODIFIED).to_string();
    let body = plain.bytes().await.expect("body");

    let again = http.get(&url).send().await.expect("get");
    assert_eq!(header(again.headers(), header::ETAG), etag, "cached bytes");
    assert_eq!(header(again.headers(), header::LAST_MODIFIED), modified);

    let res = http
        .get(&url)
        .header(header::IF_NONE_MATCH, &etag)
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header(res.headers(), header::ETAG), etag);
    assert!(res.bytes().await.expect("body").is_empty());
    let res = http
        .get(&url)
        .header(header::IF_MODIFIED_SINCE, &modified)
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    let res = http
        .get(&url)
        .header(header::IF_NONE_MATCH, "\"other\"")
        .header(header::IF_MODIFIED_SINCE, &modified)
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::OK, "If-None-Match decides");

    let gz = http
        .get(&url)
        .header(header::ACCEPT_ENCODING, "br;q=1, gzip;q=0.8")
        .send()
        .await
        .expect("get");
    assert_eq!(header(gz.headers(), header::CONTENT_ENCODING), "gzip");
    let gz_etag = header(gz.headers(), header::ETAG).to_string();
    assert_ne!(gz_etag, etag, "one strong ETag per encoding");
    let packed = gz.bytes().await.expect("body");
    let mut unpacked = Vec::new();
    flate2::read::GzDecoder::new(&packed[..])
        .read_to_end(&mut unpacked)
        .expect("gunzip");
    assert_eq!(unpacked, body);
    let res = http
        .get(&url)
        .header(header::ACCEPT_ENCODING, "gzip")
        .header(header::IF_NONE_MATCH, &gz_etag)
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);

    let head = http.head(&url).send().await.expect("head");
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(
        header(head.headers(), header::CONTENT_LENGTH),
        body.len().to_string()
    );
    assert!(head.bytes().await.expect("body").is_empty());
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_shows_within_a_second_and_the_guid_stays() {
    let project = fixture::project();
    let server = start(&project).await;
    let http = client();
    let url = server.url("feed.xml");
    let before = http.get(&url).send().await.expect("get");
    let etag = header(before.headers(), header::ETAG).to_string();

    // The producer edits episode 1 with the CLI's connection while the server runs.
    let mut conn = project.connect();
    let mut ep = catalog::episodes::by_guid(&conn, GUIDS[0])
        .expect("read")
        .expect("episode");
    ep.data.title = "Ny titel".into();
    let tx = conn.transaction().expect("tx");
    catalog::episodes::save(&tx, GUIDS[0], &ep.data, "2024-02-01T00:00:00Z").expect("save");
    tx.commit().expect("commit");
    let edited = Instant::now();

    let xml = loop {
        let xml = http
            .get(&url)
            .send()
            .await
            .expect("get")
            .text()
            .await
            .expect("body");
        if xml.contains("Ny titel") {
            break xml;
        }
        assert!(
            edited.elapsed() < Duration::from_secs(1),
            "the edit must show within a second"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let doc = Document::parse(&xml).expect("xml");
    let item = items(&doc)
        .into_iter()
        .find(|i| text(*i, None, "title") == "Ny titel")
        .expect("edited item");
    assert_eq!(text(item, None, "guid"), GUIDS[0], "guid survives the edit");
    let after = http.get(&url).send().await.expect("get");
    assert_ne!(header(after.headers(), header::ETAG), etag);
    let stale = http
        .get(&url)
        .header(header::IF_NONE_MATCH, &etag)
        .send()
        .await
        .expect("get");
    assert_eq!(stale.status(), StatusCode::OK, "old ETag no longer matches");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn media_byte_ranges() {
    let project = fixture::project();
    let server = start(&project).await;
    let http = client();
    let url = server.url("media/sub/tv%C3%A5%20sp%C3%A5r.mp3");
    let whole = std::fs::read(project.media().join("sub/två spår.mp3")).expect("file");
    assert_eq!(whole.len(), BIG_LEN);
    let len = whole.len();

    let full = http.get(&url).send().await.expect("get");
    assert_eq!(full.status(), StatusCode::OK);
    let etag = header(full.headers(), header::ETAG).to_string();
    let modified = header(full.headers(), header::LAST_MODIFIED).to_string();
    assert_eq!(full.bytes().await.expect("body"), whole);

    let cases = [
        ("bytes=0-99".to_string(), 0, 99),
        (format!("bytes={}-", len - 10), len - 10, len - 1),
        ("bytes=-500".to_string(), len - 500, len - 1),
        ("bytes=100000-999999999".to_string(), 100_000, len - 1),
        ("bytes=65530-65545".to_string(), 65_530, 65_545),
    ];
    for (range, start, end) in cases {
        let res = http
            .get(&url)
            .header(header::RANGE, &range)
            .send()
            .await
            .expect("get");
        assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT, "{range}");
        assert_eq!(
            header(res.headers(), header::CONTENT_RANGE),
            format!("bytes {start}-{end}/{len}")
        );
        assert_eq!(
            header(res.headers(), header::CONTENT_LENGTH),
            (end - start + 1).to_string()
        );
        assert_eq!(
            res.bytes().await.expect("body"),
            whole[start..=end],
            "{range}"
        );
    }

    for range in [format!("bytes={len}-"), "bytes=-0".to_string()] {
        let res = http
            .get(&url)
            .header(header::RANGE, &range)
            .send()
            .await
            .expect("get");
        assert_eq!(res.status(), StatusCode::RANGE_NOT_SATISFIABLE, "{range}");
        assert_eq!(
            header(res.headers(), header::CONTENT_RANGE),
            format!("bytes */{len}")
        );
    }
    let multi = http
        .get(&url)
        .header(header::RANGE, "bytes=0-1,5-6")
        .send()
        .await
        .expect("get");
    assert_eq!(
        multi.status(),
        StatusCode::OK,
        "multiple ranges: whole file"
    );

    for (if_range, expected) in [
        (etag.as_str(), StatusCode::PARTIAL_CONTENT),
        (modified.as_str(), StatusCode::PARTIAL_CONTENT),
        ("\"stale\"", StatusCode::OK),
        ("Sun, 06 Nov 1994 08:49:37 GMT", StatusCode::OK),
    ] {
        let res = http
            .get(&url)
            .header(header::RANGE, "bytes=0-9")
            .header(header::IF_RANGE, if_range)
            .send()
            .await
            .expect("get");
        assert_eq!(res.status(), expected, "If-Range: {if_range}");
        let body = res.bytes().await.expect("body");
        let want = if expected == StatusCode::OK { len } else { 10 };
        assert_eq!(body.len(), want);
    }

    let head = http
        .head(&url)
        .header(header::RANGE, "bytes=10-19")
        .send()
        .await
        .expect("head");
    assert_eq!(head.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(header(head.headers(), header::CONTENT_LENGTH), "10");
    let cond = http
        .get(&url)
        .header(header::IF_NONE_MATCH, &etag)
        .send()
        .await
        .expect("get");
    assert_eq!(cond.status(), StatusCode::NOT_MODIFIED);
    let png = http
        .get(server.url("media/cover.png"))
        .send()
        .await
        .expect("get");
    assert_eq!(header(png.headers(), header::CONTENT_TYPE), "image/png");
    server.shutdown().await;
}

/// Sends `target` verbatim (no client-side normalisation of `..` or
/// escapes) and returns the status code and the whole response.
async fn raw_get(addr: std::net::SocketAddr, target: &[u8]) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut req = b"GET ".to_vec();
    req.extend_from_slice(target);
    req.extend_from_slice(b" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    stream.write_all(&req).await.expect("write");
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out).await;
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_path_outside_the_media_folder_is_reachable() {
    let project = fixture::project();
    let server = start(&project).await;
    let (ok, _) = raw_get(server.addr, b"/media/1.vtt").await;
    assert_eq!(ok, 200, "the control request works");
    let attempts: &[&[u8]] = &[
        b"/media/../secret.txt",
        b"/media/../feed-config.toml",
        b"/media/sub/../../secret.txt",
        b"/media/%2e%2e/secret.txt",
        b"/media/%2E%2E%2Fsecret.txt",
        b"/media/..%2fsecret.txt",
        b"/media/sub%2f..%2f..%2fsecret.txt",
        b"/media/..%5csecret.txt",
        b"/media/..\\secret.txt",
        b"/media//etc/passwd",
        b"/media/%2fetc%2fpasswd",
        b"/media/1.vtt%00.png",
        b"/media/1.vtt\0",
        b"/media/.hidden",
        b"/media/",
        b"/media/sub/",
        b"/media/sub",
        b"/media/nonexistent.mp3",
        b"/media/%zz",
        b"//secret.txt",
        b"/../secret.txt",
    ];
    for target in attempts {
        let (status, body) = raw_get(server.addr, target).await;
        let shown = String::from_utf8_lossy(target);
        assert!(status == 404 || status == 400, "{shown}: status {status}");
        assert!(
            !body.contains("TOP SECRET") && !body.contains("hidden\n"),
            "{shown}"
        );
        assert!(!body.contains("[channel]"), "{shown}");
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_waits_for_requests_in_flight() {
    let project = fixture::project();
    let server = start(&project).await;
    let http = client();
    let res = http
        .get(server.url("media/sub/tv%C3%A5%20sp%C3%A5r.mp3"))
        .send()
        .await
        .expect("get");
    let stop = tokio::spawn(server.shutdown());
    let body = res
        .bytes()
        .await
        .expect("body finishes after shutdown began");
    assert_eq!(body.len(), BIG_LEN);
    stop.await.expect("shutdown");
}
