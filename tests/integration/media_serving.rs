//! Media over the real server: byte ranges, `If-Range`, conditional
//! requests, traversal attempts sent verbatim; and the router in process.

use podcatalog::web::{self, AppState};
use reqwest::StatusCode;
use reqwest::header;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::common::http_status;
use crate::fixture::{self, BIG_LEN};
use crate::server::{client, header, start, start_io};

/// Ranges, `If-Range` and conditional requests, on every way of sending
/// (`sendfile` from a mapping, plain writes from reads).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn media_byte_ranges() {
    for &io in web::Io::ALL {
        byte_ranges(io).await;
    }
}

/// Proves the fast path ran, which the bytes alone cannot: a fallback to
/// plain writes sends the same ones. So the server counts what went out
/// with `sendfile`, and the portable path must send nothing that way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn big_media_goes_out_with_sendfile_on_that_path_only() {
    for &io in web::Io::ALL {
        let project = fixture::project();
        let server = start_io(&project, io).await;
        let url = server.url("media/sub/tv%C3%A5%20sp%C3%A5r.mp3");
        let res = client().get(&url).send().await.expect("get");
        assert_eq!(res.bytes().await.expect("body").len(), BIG_LEN);
        let small = client().get(server.url("media/cover.png")).send().await;
        assert!(small.expect("get").status().is_success());
        let sent = server.state.sendfile_bytes();
        if io == web::Io::Portable {
            assert_eq!(sent, 0, "the portable path sends nothing with sendfile");
        } else {
            // Exactly the audio: the head and the small image are written.
            assert_eq!(
                sent, BIG_LEN as u64,
                "{io:?}: the body went out with sendfile"
            );
        }
        server.shutdown().await;
    }
}

async fn byte_ranges(io: web::Io) {
    let project = fixture::project();
    let server = start_io(&project, io).await;
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

    let weak = format!("W/{etag}");
    for (if_range, expected) in [
        (etag.as_str(), StatusCode::PARTIAL_CONTENT),
        // Weak tags and dates are not strong validators: the whole file.
        (weak.as_str(), StatusCode::OK),
        (modified.as_str(), StatusCode::OK),
        ("\"stale\"", StatusCode::OK),
        ("garbage", StatusCode::OK),
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
    (
        http_status(&out),
        String::from_utf8_lossy(&out).into_owned(),
    )
}

/// A media file truncated in place while it is being sent (a producer
/// copying a new version over it) cuts that response short and nothing
/// else: `sendfile` (or a read, on the portable path) reports the shorter
/// file, the connection closes, and the server (running in this test
/// process) goes on serving.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_truncated_while_it_is_sent_ends_that_response_only() {
    for &io in web::Io::ALL {
        truncated_while_sent(io).await;
    }
}

async fn truncated_while_sent(io: web::Io) {
    let project = fixture::project();
    let path = project.media().join("replaced.mp3");
    // More than loopback's socket buffers hold, so the sending is not
    // over before the file shrinks.
    let len = 48 << 20;
    std::fs::write(&path, vec![7u8; len]).expect("write");
    let server = start_io(&project, io).await;
    let mut stream = tokio::net::TcpStream::connect(server.addr)
        .await
        .expect("connect");
    stream
        .write_all(
            b"GET /media/replaced.mp3 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        )
        .await
        .expect("request");
    let mut first = vec![0u8; 64 << 10];
    let n = stream.read(&mut first).await.expect("read");
    assert_eq!(http_status(&first[..n]), 200);
    std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(&path)
        .expect("truncate");
    let mut rest = Vec::new();
    let _ = stream.read_to_end(&mut rest).await;
    assert!(n + rest.len() < len, "the response ended early");

    let res = client()
        .get(server.url("media/sub/tv%C3%A5%20sp%C3%A5r.mp3"))
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.expect("body").len(), BIG_LEN);
    server.shutdown().await;
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

/// The router in process (no socket): what most route checks need.
#[tokio::test]
async fn the_router_answers_in_process() {
    use tower::ServiceExt as _;
    let project = fixture::project();
    let state = AppState::new(project.config.clone(), project.connect()).expect("state");
    let app = web::app(state);
    for (method, uri, status) in [
        ("GET", "/feed.xml", 200),
        ("HEAD", "/feed.xml", 200),
        ("GET", "/teman/jamstalldhet/feed.xml", 200),
        ("GET", "/media/1.json", 200),
        ("GET", "/media/%2e%2e/secret.txt", 404),
        ("GET", "/media/..%2Fsecret.txt", 404),
        ("GET", "/nowhere", 404),
    ] {
        let req = axum::http::Request::builder()
            .method(method)
            .uri(uri)
            .body(axum::body::Body::empty())
            .expect("request");
        let res = app.clone().oneshot(req).await.expect("response");
        assert_eq!(res.status().as_u16(), status, "{method} {uri}");
    }
}

#[tokio::test]
async fn a_configured_feed_path_replaces_feed_xml() {
    use tower::ServiceExt as _;
    let project = fixture::project();
    let mut config = project.config.clone();
    config.server.feed_path = "podd/rss.xml".into();
    let app = web::app(AppState::new(config, project.connect()).expect("state"));
    for (uri, status) in [("/podd/rss.xml", 200), ("/feed.xml", 404)] {
        let req = axum::http::Request::get(uri)
            .body(axum::body::Body::empty())
            .expect("request");
        let res = app.clone().oneshot(req).await.expect("response");
        assert_eq!(res.status().as_u16(), status, "{uri}");
    }
    // The website's subscribe links follow the setting too.
    let req = axum::http::Request::get("/")
        .body(axum::body::Body::empty())
        .expect("request");
    let res = app.clone().oneshot(req).await.expect("response");
    let page = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .expect("body");
    let page = String::from_utf8_lossy(&page);
    assert!(page.contains("podd/rss.xml"), "home page links the feed");
    assert!(!page.contains("/feed.xml\""), "no link to the default path");
}
