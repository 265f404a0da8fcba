//! The real server on `127.0.0.1:0` over the fixture catalogue: feed
//! caching and revalidation, live updates, shutdown; shared helpers for
//! the media and shipped-project server tests.

use std::io::Read as _;
use std::time::{Duration, Instant};

use podcatalog::catalog;
use podcatalog::config::Config;
use podcatalog::web::{self, AppState};
use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap};
use roxmltree::Document;
use tokio::sync::oneshot;

use crate::feed::{check_items, items, text};
use crate::fixture::{self, BIG_LEN, GUIDS, Project};

/// A running server and how to stop it.
pub struct Running {
    pub base: String,
    pub addr: std::net::SocketAddr,
    /// The served state (for [`AppState::sendfile_bytes`]).
    pub state: AppState,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn shutdown(mut self) {
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
pub async fn start(project: &Project) -> Running {
    start_with(project.config.clone(), project.connect()).await
}

/// [`start`], sending big bodies the way `io` says.
pub async fn start_io(project: &Project, io: web::Io) -> Running {
    start_with_io(project.config.clone(), project.connect(), io).await
}

/// [`start_with`], sending big bodies the way `io` says.
pub async fn start_with_io(mut config: Config, conn: rusqlite::Connection, io: web::Io) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    config.channel.base_url = url::Url::parse(&format!("http://{addr}/")).expect("url");
    run(
        listener,
        state(config, conn).with_io(io),
        web::Limits::default(),
    )
}

pub async fn start_with(config: Config, conn: rusqlite::Connection) -> Running {
    start_with_limits(config, conn, web::Limits::default()).await
}

/// [`start_with`] with other connection limits (shorter deadlines, a cap).
pub async fn start_with_limits(
    mut config: Config,
    conn: rusqlite::Connection,
    limits: web::Limits,
) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    config.channel.base_url = url::Url::parse(&format!("http://{addr}/")).expect("url");
    run(listener, state(config, conn), limits)
}

/// Serves `config` with its links as configured (the same bytes whatever
/// port the server gets, as a restarted production server serves).
pub async fn start_as_configured(config: Config, conn: rusqlite::Connection) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    run(listener, state(config, conn), web::Limits::default())
}

/// [`start_with`], also handing back the server's state (the statistics
/// tests set its clock and flush its counts).
pub async fn start_with_state(config: Config, conn: rusqlite::Connection) -> (Running, AppState) {
    let running = start_with(config, conn).await;
    let state = running.state.clone();
    (running, state)
}

fn state(config: Config, conn: rusqlite::Connection) -> AppState {
    AppState::new(config, conn).expect("state")
}

fn run(listener: tokio::net::TcpListener, state: AppState, limits: web::Limits) -> Running {
    let addr = listener.local_addr().expect("addr");
    let base = format!("http://{addr}/");
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(web::serve_with(listener, state.clone(), limits, async {
        let _ = stopped.await;
    }));
    Running {
        base,
        addr,
        state,
        stop: Some(stop),
        task,
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
}

pub fn header(h: &HeaderMap, name: header::HeaderName) -> &str {
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
    check_items(&project.media(), &xml, &episodes, chrono::Utc::now());
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
async fn the_feed_revalidates_and_comes_gzipped_or_brotli() {
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
    // What RFC 9110 §15.4.5 asks of a 304, and no other metadata.
    assert_eq!(header(res.headers(), header::LAST_MODIFIED), modified);
    assert_eq!(header(res.headers(), header::VARY), "Accept-Encoding");
    assert!(res.headers().contains_key(header::CACHE_CONTROL));
    for absent in [
        header::CONTENT_SECURITY_POLICY,
        header::CONTENT_TYPE,
        header::CONTENT_LENGTH,
    ] {
        assert!(!res.headers().contains_key(&absent), "304 with {absent}");
    }
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
        .header(header::ACCEPT_ENCODING, "br;q=0.5, gzip;q=0.8")
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

    let br = http
        .get(&url)
        .header(header::ACCEPT_ENCODING, "gzip, deflate, br")
        .send()
        .await
        .expect("get");
    assert_eq!(header(br.headers(), header::CONTENT_ENCODING), "br");
    let br_etag = header(br.headers(), header::ETAG).to_string();
    assert!(
        br_etag != etag && br_etag != gz_etag,
        "one ETag per encoding"
    );
    let packed_br = br.bytes().await.expect("body");
    let mut unpacked = Vec::new();
    brotli::Decompressor::new(&packed_br[..], 4096)
        .read_to_end(&mut unpacked)
        .expect("brotli");
    assert_eq!(unpacked, body);
    assert!(packed_br.len() < packed.len(), "brotli beats gzip on XML");

    let head = http.head(&url).send().await.expect("head");
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(
        header(head.headers(), header::CONTENT_LENGTH),
        body.len().to_string()
    );
    assert!(head.bytes().await.expect("body").is_empty());
    server.shutdown().await;
}

/// Regression: `Last-Modified` was the server's start time, so after every
/// restart apps asking `If-Modified-Since` downloaded the unchanged feed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn last_modified_survives_a_restart_when_nothing_changed() {
    let project = fixture::project();
    let http = client();
    let first = start_as_configured(project.config.clone(), project.connect()).await;
    let res = http.get(first.url("feed.xml")).send().await.expect("get");
    let modified = header(res.headers(), header::LAST_MODIFIED).to_string();
    let etag = header(res.headers(), header::ETAG).to_string();
    first.shutdown().await;
    // Past the next whole second, so a date taken at start-up would differ.
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let second = start_as_configured(project.config.clone(), project.connect()).await;
    let res = http
        .get(second.url("feed.xml"))
        .header(header::IF_MODIFIED_SINCE, &modified)
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED, "after a restart");
    assert_eq!(header(res.headers(), header::LAST_MODIFIED), modified);
    assert_eq!(header(res.headers(), header::ETAG), etag);
    second.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_shows_within_a_second_and_the_guid_stays() {
    let project = fixture::project();
    let server = start(&project).await;
    let http = client();
    let url = server.url("feed.xml");
    let before = http.get(&url).send().await.expect("get");
    let etag = header(before.headers(), header::ETAG).to_string();
    // The website has read (and cached) its snapshot and a search answer.
    let search = server.url("api/search?q=ny%20titel");
    let found = |body: String| {
        let v: serde_json::Value = serde_json::from_str(&body).expect("json");
        v["total"].as_u64().unwrap_or(0)
    };
    let v = http
        .get(&search)
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert_eq!(found(v), 0);

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
    // The website follows within the second too (the running watcher's
    // revision, not a query of its own).
    loop {
        let v = http
            .get(&search)
            .send()
            .await
            .expect("get")
            .text()
            .await
            .expect("body");
        if found(v) == 1 {
            break;
        }
        assert!(
            edited.elapsed() < Duration::from_secs(1),
            "the edit must show in search within a second"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_websub_hub_is_named_in_the_feed_and_pinged_after_a_change() {
    use std::sync::{Arc, Mutex};
    let pings: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = Arc::clone(&pings);
    let hub = axum::Router::new().route(
        "/hub",
        axum::routing::post(move |body: String| async move {
            seen.lock().expect("lock").push(body);
            axum::http::StatusCode::NO_CONTENT
        }),
    );
    let hub_listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let hub_url = format!("http://{}/hub", hub_listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(hub_listener, hub).await });

    let project = fixture::project();
    let mut config = project.config.clone();
    config.channel.websub_hub = Some(url::Url::parse(&hub_url).expect("url"));
    let server = start_with(config, project.connect()).await;
    let http = client();
    let xml = http
        .get(server.url("feed.xml"))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(xml.contains(&format!(r#"<atom:link href="{hub_url}" rel="hub"/>"#)));
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(
        pings.lock().expect("lock").is_empty(),
        "no ping without a change"
    );

    let mut conn = project.connect();
    let mut ep = catalog::episodes::by_guid(&conn, GUIDS[1])
        .expect("read")
        .expect("episode");
    ep.data.title = "Ändrad".into();
    let tx = conn.transaction().expect("tx");
    catalog::episodes::save(&tx, GUIDS[1], &ep.data, "2024-02-01T00:00:00Z").expect("save");
    tx.commit().expect("commit");

    let deadline = Instant::now() + Duration::from_secs(3);
    let topic: String =
        url::form_urlencoded::byte_serialize(server.url("feed.xml").as_bytes()).collect();
    loop {
        let got = pings.lock().expect("lock").clone();
        if let Some(body) = got.first() {
            assert!(body.contains("hub.mode=publish"), "{body}");
            assert!(body.contains(&format!("hub.url={topic}")), "{body}");
            break;
        }
        assert!(Instant::now() < deadline, "the hub was not pinged");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.shutdown().await;
}

/// The server answers feed requests without the router (the hot path):
/// the answer must be the router's own, header for header, for a full
/// response in each coding and for a `304`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_feed_over_the_socket_is_answered_as_the_router_answers_it() {
    use tower::ServiceExt as _;
    let project = fixture::project();
    let server = start(&project).await;
    let http = client();
    // The same config as the running server: its own address as base URL.
    let mut config = project.config.clone();
    config.channel.base_url = url::Url::parse(&format!("http://{}/", server.addr)).expect("url");
    let state = web::AppState::new(config, project.connect()).expect("state");
    let app = web::app(state);
    let etag = header(
        http.get(server.url("feed.xml"))
            .send()
            .await
            .expect("get")
            .headers(),
        header::ETAG,
    )
    .to_string();
    let cases: [&[(&str, &str)]; 4] = [
        &[],
        &[("accept-encoding", "gzip")],
        &[("accept-encoding", "br")],
        &[("if-none-match", &etag)],
    ];
    for extra in cases {
        let mut over_socket = http.get(server.url("feed.xml"));
        let mut in_process = axum::http::Request::builder().uri("/feed.xml");
        for (name, value) in extra {
            over_socket = over_socket.header(*name, *value);
            in_process = in_process.header(*name, *value);
        }
        let a = over_socket.send().await.expect("get");
        let req = in_process.body(axum::body::Body::empty()).expect("request");
        let b = app.clone().oneshot(req).await.expect("response");
        assert_eq!(a.status().as_u16(), b.status().as_u16(), "{extra:?}");
        // hyper drops an in-process `content-length: 0` from a 304 on the wire.
        let not_modified = b.status() == StatusCode::NOT_MODIFIED;
        let mut names: Vec<&str> = b
            .headers()
            .keys()
            .map(|k| k.as_str())
            .filter(|n| !(not_modified && *n == "content-length"))
            .collect();
        names.sort_unstable();
        for name in &names {
            assert_eq!(
                a.headers().get(*name).map(|v| v.as_bytes()),
                b.headers().get(*name).map(|v| v.as_bytes()),
                "{name} with {extra:?}"
            );
        }
        let mut socket_names: Vec<&str> = a
            .headers()
            .keys()
            .map(|k| k.as_str())
            .filter(|n| *n != "date")
            .collect();
        socket_names.sort_unstable();
        assert_eq!(socket_names, names, "{extra:?}");
    }
    server.shutdown().await;
}
