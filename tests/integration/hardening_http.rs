//! Hostile HTTP against the real server on loopback (issue 6): request
//! limits, slow and idle clients, the connection cap, paths and symlinks,
//! many ranges, `If-Range`, and which types are compressed. Clients that
//! must misbehave are raw `std::net::TcpStream`s, driven on the blocking
//! pool so the server's runtime threads stay free.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use podcatalog::web::Limits;
use reqwest::StatusCode;
use reqwest::header;

use crate::common::http_status;
use crate::fixture::{self, BIG_LEN};
use crate::server::{Running, client, header, start, start_with_limits};

/// Longest a test waits for the server to answer or close.
const PATIENCE: Duration = Duration::from_secs(5);

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.expect("client thread")
}

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
    stream
}

/// Reads until the server closes the connection; `false` if it was still
/// open after [`PATIENCE`].
fn read_until_closed(stream: &mut TcpStream) -> (Vec<u8>, bool) {
    let mut out = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return (out, true),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return (out, true),
            Err(_) => return (out, false),
        }
    }
}

/// Sends `request` verbatim; the status of the answer, which must come
/// with the connection closed (requests here say `Connection: close`, and
/// a refused one is closed by the server).
fn exchange(addr: SocketAddr, request: Vec<u8>) -> u16 {
    let mut stream = connect(addr);
    stream.write_all(&request).expect("write");
    let (out, closed) = read_until_closed(&mut stream);
    assert!(closed, "the server kept the connection open");
    http_status(&out)
}

/// `GET target` with `extra` header lines, asking to close afterwards.
fn get(target: &[u8], extra: &str) -> Vec<u8> {
    let mut req = b"GET ".to_vec();
    req.extend_from_slice(target);
    req.extend_from_slice(b" HTTP/1.1\r\nHost: localhost\r\n");
    req.extend_from_slice(extra.as_bytes());
    req.extend_from_slice(b"Connection: close\r\n\r\n");
    req
}

async fn short_deadlines(project: &fixture::Project, limits: Limits) -> Running {
    start_with_limits(project.config.clone(), project.connect(), limits).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_url_longer_than_8_kib_gets_414() {
    let project = fixture::project();
    let server = start(&project).await;
    let addr = server.addr;
    blocking(move || {
        let near = format!("/media/{}", "a".repeat(8000));
        assert_eq!(
            exchange(addr, get(near.as_bytes(), "")),
            404,
            "under the limit"
        );
        for len in [8200, 20_000] {
            let long = format!("/media/{}", "a".repeat(len));
            assert_eq!(exchange(addr, get(long.as_bytes(), "")), 414, "{len}");
            let query = format!("/api/search?q={}", "a".repeat(len));
            assert_eq!(
                exchange(addr, get(query.as_bytes(), "")),
                414,
                "query {len}"
            );
        }
    })
    .await;
    server.shutdown().await;
}

/// 10 kB of search text is over the URL limit: still a `414`, but with a
/// friendly answer in Swedish (a page with a search box, or JSON with a
/// `message`), as the search promises for hostile queries.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_too_long_for_a_url_gets_a_friendly_414() {
    let project = fixture::project();
    let server = start(&project).await;
    let http = client();
    let words = "ord%20".repeat(1700);
    let res = http
        .get(server.url(&format!("sok?q={words}")))
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::URI_TOO_LONG);
    assert_eq!(
        header(res.headers(), header::CONTENT_TYPE),
        "text/html; charset=utf-8"
    );
    assert!(res.headers().contains_key(header::CONTENT_SECURITY_POLICY));
    let html = res.text().await.expect("body");
    for part in [
        "lang=\"sv\"",
        "<h1>Sökningen är för lång</h1>",
        "högst 500 tecken",
        "maxlength=\"500\"",
    ] {
        assert!(html.contains(part), "{part} in {html}");
    }
    let res = http
        .get(server.url(&format!("api/search?q={words}")))
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::URI_TOO_LONG);
    let text = res.text().await.expect("body");
    let v: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert!(
        v["message"].as_str().expect("message").contains("för lång"),
        "{v}"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_over_16_kib_or_100_fields_get_431() {
    let project = fixture::project();
    let server = start(&project).await;
    let addr = server.addr;
    blocking(move || {
        let field = |i: usize, len: usize| format!("X-Filler-{i}: {}\r\n", "v".repeat(len));
        let ok: String = (0..10).map(|i| field(i, 1000)).collect();
        assert_eq!(exchange(addr, get(b"/feed.xml", &ok)), 200, "10 KB is fine");
        let big: String = (0..20).map(|i| field(i, 1000)).collect();
        assert_eq!(exchange(addr, get(b"/feed.xml", &big)), 431, "20 KB");
        let huge = field(0, 40_000);
        assert_eq!(
            exchange(addr, get(b"/feed.xml", &huge)),
            431,
            "one 40 KB field"
        );
        // Host plus 98 fields, and plus 100.
        let some: String = (0..98).map(|i| field(i, 1)).collect();
        assert_eq!(exchange(addr, get(b"/feed.xml", &some)), 200, "100 fields");
        let many: String = (0..100).map(|i| field(i, 1)).collect();
        assert_eq!(exchange(addr, get(b"/feed.xml", &many)), 431, "102 fields");
    })
    .await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn content_length_with_transfer_encoding_and_two_hosts_get_400() {
    let project = fixture::project();
    let server = start(&project).await;
    let addr = server.addr;
    blocking(move || {
        let smuggle = [
            "GET /feed.xml HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "GET /feed.xml HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
            "GET /feed.xml HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
            "GET /feed.xml HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: identity\r\n\r\nabcd",
        ];
        for req in smuggle {
            // No `Connection: close`: the server must close by itself.
            assert_eq!(exchange(addr, req.as_bytes().to_vec()), 400, "{req:?}");
        }
        let hosts = "GET /feed.xml HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n";
        assert_eq!(exchange(addr, hosts.as_bytes().to_vec()), 400, "two Host");
        let control = get(b"/feed.xml", "Content-Length: 0\r\n");
        assert_eq!(exchange(addr, control), 200, "the control request works");
    })
    .await;
    server.shutdown().await;
}

fn short(header_timeout: Duration) -> Limits {
    Limits {
        header_timeout,
        ..Limits::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slowloris_is_cut_off_at_the_header_deadline() {
    let project = fixture::project();
    let server = short_deadlines(&project, short(Duration::from_secs(1))).await;
    let addr = server.addr;
    blocking(move || {
        // Half a header line, then one more byte every 200 ms: the deadline
        // counts from the start of the head, not from the last byte.
        let mut stream = connect(addr);
        stream
            .write_all(b"GET /feed.xml HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            .expect("write");
        stream
            .set_read_timeout(Some(Duration::from_millis(200)))
            .expect("timeout");
        let started = Instant::now();
        let mut buf = [0u8; 1024];
        let closed = loop {
            if started.elapsed() > PATIENCE {
                break false;
            }
            if stream.write_all(b"a").is_err() {
                break true;
            }
            match stream.read(&mut buf) {
                Ok(0) => break true,
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break true,
                Err(_) => {}
            }
        };
        assert!(closed, "still open after {PATIENCE:?}");
        // A lower bound only, which load cannot break: cut off at the
        // deadline, not at the first partial read.
        assert!(
            started.elapsed() >= Duration::from_millis(500),
            "closed too early"
        );
    })
    .await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_keep_alive_connection_is_closed() {
    let project = fixture::project();
    let server = short_deadlines(&project, short(Duration::from_secs(1))).await;
    let addr = server.addr;
    blocking(move || {
        let mut stream = connect(addr);
        let request = b"GET /media/1.json HTTP/1.1\r\nHost: x\r\n\r\n";
        stream.write_all(request).expect("write");
        // Kept alive: a second request a moment later is still answered;
        // then the connection idles until the server gives up on it.
        std::thread::sleep(Duration::from_millis(300));
        stream.write_all(request).expect("write");
        let (out, closed) = read_until_closed(&mut stream);
        assert!(closed, "idle connection still open after {PATIENCE:?}");
        let text = String::from_utf8_lossy(&out);
        assert_eq!(text.matches("HTTP/1.1 200 OK").count(), 2, "{text}");
        assert!(text.ends_with("\"chapters\":[]}"));
    })
    .await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_a_download_is_cut_off() {
    let project = fixture::project();
    // Larger than all the socket buffers between server and client.
    let len: u64 = 64 * 1024 * 1024;
    let big = std::fs::File::create(project.media().join("long.mp3")).expect("file");
    big.set_len(len).expect("sparse file");
    let limits = Limits {
        stall_timeout: Duration::from_secs(1),
        ..Limits::default()
    };
    let server = short_deadlines(&project, limits).await;
    let addr = server.addr;
    blocking(move || {
        let mut stream = connect(addr);
        stream
            .write_all(&get(b"/media/long.mp3", ""))
            .expect("write");
        // Read nothing for longer than two periods, then everything there is.
        std::thread::sleep(Duration::from_secs(3));
        let (out, closed) = read_until_closed(&mut stream);
        assert!(closed, "still open");
        assert_eq!(http_status(&out), 200);
        assert!(
            (out.len() as u64) < len,
            "the whole file came after a 3 s stall: {} bytes",
            out.len()
        );
    })
    .await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_beyond_the_connection_cap_wait_and_are_served_later() {
    let project = fixture::project();
    let limits = Limits {
        max_connections: 2,
        header_timeout: Duration::from_secs(30),
        ..Limits::default()
    };
    let server = short_deadlines(&project, limits).await;
    let addr = server.addr;
    blocking(move || {
        // Two idle connections take both places.
        let idle: Vec<TcpStream> = (0..2).map(|_| connect(addr)).collect();
        let mut waiting: Vec<TcpStream> = (0..3).map(|_| connect(addr)).collect();
        for w in &mut waiting {
            w.write_all(&get(b"/media/1.json", "")).expect("write");
            w.set_read_timeout(Some(Duration::from_millis(300)))
                .expect("timeout");
        }
        // Not answered while the cap is reached (not refused either).
        let mut buf = [0u8; 64];
        for w in &mut waiting {
            match w.read(&mut buf) {
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                other => panic!("a client past the cap was answered: {other:?}"),
            }
        }
        // One place frees up: the waiting clients are served, one by one.
        drop(idle);
        for mut w in waiting {
            w.set_read_timeout(Some(PATIENCE)).expect("timeout");
            let (out, closed) = read_until_closed(&mut w);
            assert!(closed);
            assert_eq!(http_status(&out), 200);
        }
        assert_eq!(exchange(addr, get(b"/feed.xml", "")), 200, "still serving");
    })
    .await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_paths_get_400_or_404_never_a_file_outside() {
    let project = fixture::project();
    std::fs::write(project.media().join("%2e%2e"), "decoded twice").expect("file");
    let server = start(&project).await;
    let addr = server.addr;
    blocking(move || {
        assert_eq!(exchange(addr, get(b"/media/1.json", "")), 200, "control");
        let attempts: &[&[u8]] = &[
            // Decoded once: `%252e` is the name `%2e`, never a dot.
            b"/media/%252e%252e%252fsecret.txt",
            b"/media/%252e%252e/secret.txt",
            // Overlong and invalid UTF-8, raw and encoded.
            b"/media/%c0%ae%c0%ae/secret.txt",
            b"/media/%ff.mp3",
            b"/media/\xff.mp3",
            b"/media/\xc3\x28.mp3",
            // Control bytes, raw and encoded.
            b"/media/1.json%00",
            b"/media/1%01.json",
            b"/media/1\x01.json",
            b"/media/1\x7f.json",
            b"/media/1%7f.json",
            b"/media/a%0d%0aSet-Cookie:%20x",
            // Dots in every spelling.
            b"/media/.%2e/secret.txt",
            b"/media/%2e./secret.txt",
            b"/media/sub/%2e%2e/%2e%2e/secret.txt",
            b"/media/..;/secret.txt",
            b"/media/%u002e%u002e/secret.txt",
        ];
        for target in attempts {
            let mut stream = connect(addr);
            stream.write_all(&get(target, "")).expect("write");
            let (out, _) = read_until_closed(&mut stream);
            let shown = String::from_utf8_lossy(target);
            let code = http_status(&out);
            assert!(code == 400 || code == 404, "{shown}: status {code}");
            let body = String::from_utf8_lossy(&out);
            assert!(!body.contains("TOP SECRET"), "{shown}");
            assert!(!body.contains("decoded twice"), "{shown}: decoded twice");
        }
    })
    .await;
    server.shutdown().await;
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn symlinks_out_of_the_media_folder_are_not_followed() {
    use std::os::unix::fs::symlink;
    let project = fixture::project();
    let media = project.media();
    let root = media.parent().expect("project folder").to_path_buf();
    symlink(root.join("secret.txt"), media.join("escape.mp3")).expect("file link");
    symlink(&root, media.join("up")).expect("folder link");
    symlink("../secret.txt", media.join("relative.txt")).expect("relative link");
    symlink(media.join("1.json"), media.join("inside.json")).expect("inner link");
    let server = start(&project).await;
    let http = client();
    for path in [
        "media/escape.mp3",
        "media/up/secret.txt",
        "media/relative.txt",
    ] {
        let res = http.get(server.url(path)).send().await.expect("get");
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        let body = res.text().await.expect("body");
        assert!(!body.contains("TOP SECRET"), "{path}");
    }
    let inner = http
        .get(server.url("media/inside.json"))
        .send()
        .await
        .expect("get");
    assert_eq!(inner.status(), StatusCode::OK, "a link inside stays usable");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_ranges_get_the_whole_file_never_more() {
    let project = fixture::project();
    let server = start(&project).await;
    let http = client();
    let url = server.url("media/sub/tv%C3%A5%20sp%C3%A5r.mp3");
    let many: Vec<String> = (0..500)
        .map(|i| format!("{}-{}", i * 10, i * 10 + 5))
        .collect();
    let overlapping = vec!["0-"; 500];
    for ranges in [many.join(","), overlapping.join(","), "0-0,-1".to_string()] {
        let res = http
            .get(&url)
            .header(header::RANGE, format!("bytes={ranges}"))
            .send()
            .await
            .expect("get");
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "{}",
            &ranges[..20.min(ranges.len())]
        );
        assert!(res.headers().get(header::CONTENT_RANGE).is_none());
        assert_eq!(res.bytes().await.expect("body").len(), BIG_LEN);
    }
    server.shutdown().await;
}

/// What the server sends for `path` to a client accepting gzip and brotli.
async fn encoding(server: &Running, path: &str, range: Option<&str>) -> (Option<String>, String) {
    let mut req = client()
        .get(server.url(path))
        .header(header::ACCEPT_ENCODING, "gzip, br");
    if let Some(r) = range {
        req = req.header(header::RANGE, r);
    }
    let res = req.send().await.expect("get");
    assert!(res.status().is_success(), "{path}: {}", res.status());
    let h = res.headers();
    let enc = h
        .get(header::CONTENT_ENCODING)
        .map(|v| v.to_str().expect("ascii").to_string());
    let etag = h
        .get(header::ETAG)
        .map_or(String::new(), |v| v.to_str().expect("ascii").to_string());
    (enc, etag)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_is_compressed_audio_and_images_never() {
    let project = fixture::project();
    let cues: String = (0..200)
        .map(|i| {
            format!(
                "00:{:02}.000 --> 00:{:02}.500\nRepliken nummer {i} i samtalet.\n\n",
                i % 60,
                i % 60
            )
        })
        .collect();
    std::fs::write(
        project.media().join("long.vtt"),
        format!("WEBVTT\n\n{cues}"),
    )
    .expect("vtt");
    let server = start(&project).await;
    let text = [
        "feed.xml",
        "",
        "sok?q=demokrati",
        "assets/site.css",
        "assets/site.js",
        "api/search?q=a",
        "media/long.vtt",
    ];
    for path in text {
        let (enc, _) = encoding(&server, path, None).await;
        assert_eq!(enc.as_deref(), Some("br"), "/{path}");
    }
    let (enc, etag) = encoding(&server, "media/long.vtt", None).await;
    assert_eq!(enc.as_deref(), Some("br"));
    assert!(
        etag.starts_with("W/"),
        "a compressed copy has a weak ETag: {etag}"
    );
    let binary = [
        ("media/sub/tv%C3%A5%20sp%C3%A5r.mp3", None),
        ("media/sub/tv%C3%A5%20sp%C3%A5r.mp3", Some("bytes=0-99999")),
        ("media/1-item.mp3", None),
        ("media/cover.png", None),
        ("media/long.vtt", Some("bytes=0-99")),
    ];
    for (path, range) in binary {
        let (enc, _) = encoding(&server, path, range).await;
        assert_eq!(enc, None, "/{path} {range:?}");
    }
    // The weak tag of a compressed asset still revalidates.
    let (_, css_etag) = encoding(&server, "assets/site.css", None).await;
    assert!(css_etag.starts_with("W/"), "{css_etag}");
    let again = client()
        .get(server.url("assets/site.css"))
        .header(header::ACCEPT_ENCODING, "gzip, br")
        .header(header::IF_NONE_MATCH, &css_etag)
        .send()
        .await
        .expect("get");
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    // gzip for a client that takes only gzip, and the bytes survive.
    let res = client()
        .get(server.url("media/long.vtt"))
        .header(header::ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .expect("get");
    assert_eq!(header(res.headers(), header::CONTENT_ENCODING), "gzip");
    assert_eq!(header(res.headers(), header::VARY), "accept-encoding");
    let packed = res.bytes().await.expect("body");
    let mut plain = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&packed[..]), &mut plain)
        .expect("gunzip");
    assert!(plain.starts_with("WEBVTT") && plain.contains("nummer 199"));
    server.shutdown().await;
}

/// CPU time (user + system, in clock ticks) the process has used so far.
#[cfg(target_os = "linux")]
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("stat");
    // Fields after the parenthesised command name; utime and stime are the
    // 14th and 15th fields of the whole line.
    let rest = stat.rsplit_once(')').expect("comm").1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime")
}

/// A server process that a failed test does not leave behind.
#[cfg(target_os = "linux")]
struct KillOnDrop(std::process::Child);

#[cfg(target_os = "linux")]
impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `podcatalog serve` with only 24 file descriptors: it starts with about
/// 15 open, so accepting runs into `EMFILE` after a few connections. The
/// loop must pause rather than spin on the error, and serve everyone once
/// descriptors are free again.
#[cfg(target_os = "linux")]
#[test]
fn out_of_descriptors_the_server_pauses_and_recovers() {
    use std::io::BufRead as _;
    let shipped = crate::common::Project::shipped();
    let mut child = std::process::Command::new("sh")
        .args(["-c", "ulimit -n 24 && exec \"$0\" serve --addr 127.0.0.1:0"])
        .arg(env!("CARGO_BIN_EXE_podcatalog"))
        .current_dir(shipped.dir.path())
        .env_remove("PODCATALOG_CONFIG")
        .env("RUST_LOG", "warn")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn serve");
    let mut lines = std::io::BufReader::new(child.stderr.take().expect("stderr")).lines();
    let child = KillOnDrop(child);
    let addr: SocketAddr = loop {
        let line = lines
            .next()
            .expect("serve printed its address")
            .expect("line");
        if let Some(rest) = line.strip_prefix("serving on http://") {
            break rest.split('/').next().expect("addr").parse().expect("addr");
        }
    };
    let log = std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<_>>());

    let mut clients: Vec<TcpStream> = (0..20).map(|_| connect(addr)).collect();
    std::thread::sleep(Duration::from_millis(500));
    let before = cpu_ticks(child.0.id());
    std::thread::sleep(Duration::from_secs(1));
    let spent = cpu_ticks(child.0.id()) - before;
    assert!(
        spent < 20,
        "{spent} ticks in a second: the accept loop spins"
    );

    for c in &mut clients {
        c.write_all(&get(b"/feed.xml", "")).expect("write");
    }
    for mut c in clients {
        let (out, closed) = read_until_closed(&mut c);
        assert!(closed);
        assert_eq!(http_status(&out), 200, "every client is served in the end");
    }
    std::process::Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status()
        .expect("kill");
    let mut child = child;
    assert!(child.0.wait().expect("wait").success(), "clean exit");
    let log = log.join().expect("log");
    assert!(
        log.iter().any(|l| l.contains("cannot accept connections")),
        "EMFILE was reached and reported: {log:?}"
    );
}
