//! Listening statistics: the IAB rules against the running server with
//! real requests and a stepped clock, logs ingested by the real binary,
//! nothing personal on disk afterwards, and a `kill -9` mid-flush.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use chrono::{TimeZone, Utc};
use podcatalog::catalog::{self, AudioSource};
use podcatalog::config::Config;

use crate::common::Project;
use crate::server::{client, start_with_state};

const APPLE: &str = "AppleCoreMedia/1.0.0.20E247 (iPhone; U; CPU OS 16_4 like Mac OS X; sv_se)";
const OVERCAST: &str = "Overcast/3.0 (+http://overcast.fm/; iOS podcast app)";
const CLIENT: &str = "203.0.113.77";

/// The shipped project plus a ten-minute episode #90 (64 kb/s CBR: a
/// minute is 480,000 bytes), with `stats` appended to the config.
fn project(stats: &str) -> (Project, String, u64) {
    let p = Project::shipped();
    crate::process::big_mp3(&p.path("tio.mp3"), 4_800_000);
    let r = p.run(&[
        "add",
        "--number",
        "90",
        "--title",
        "Tio minuter",
        "--published",
        "2022-12-01",
        "--audio",
        "tio.mp3",
    ]);
    assert!(r.ok, "{}", r.stderr);
    let text = std::fs::read_to_string(p.path("feed-config.toml")).expect("config");
    p.write("feed-config.toml", &format!("{text}\n[stats]\n{stats}\n"));
    let config = Config::load(&p.path("feed-config.toml")).expect("config");
    let conn = catalog::open(&config.server.database).expect("open");
    let ep = catalog::episodes::find(&conn, "90").expect("#90");
    let AudioSource::File(name) = &ep.data.audio.source else {
        panic!("local audio")
    };
    assert!(
        (598_000..=603_000).contains(&ep.data.audio.duration_ms),
        "{}",
        ep.data.audio.duration_ms
    );
    (p, format!("media/{name}"), ep.data.audio.bytes)
}

fn downloads(p: &Project) -> i64 {
    let conn = rusqlite::Connection::open(p.path("podcatalog.db")).expect("db");
    conn.query_row(
        "SELECT COALESCE(SUM(downloads), 0) FROM download_count",
        [],
        |r| r.get(0),
    )
    .expect("sum")
}

struct Client<'a> {
    http: reqwest::Client,
    url: String,
    ip: &'a str,
    ua: &'a str,
}

impl Client<'_> {
    async fn get(&self, range: Option<(u64, u64)>) {
        let mut req = self
            .http
            .get(&self.url)
            .header("user-agent", self.ua)
            .header("x-forwarded-for", self.ip);
        if let Some((a, b)) = range {
            req = req.header("range", format!("bytes={a}-{b}"));
        }
        let res = req.send().await.expect("get");
        assert!(res.status().is_success(), "{}", res.status());
        res.bytes().await.expect("body");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_counts_downloads_by_the_iab_rules() {
    let (p, media, len) = project("trusted_proxies = [\"127.0.0.1\"]");
    let config = Config::load(&p.path("feed-config.toml")).expect("config");
    let conn = podcatalog::ingest::open_or_bootstrap(&config).expect("open");
    // The list compiles on the first counted request, on the blocking
    // pool; compiled here first, every count lands before the next request.
    podcatalog::stats::agents::Agents::shared();
    let (server, state) = start_with_state(config.clone(), conn).await;
    let recorder = state.stats().expect("counting is on by default").clone();
    let day = Arc::new(AtomicI64::new(7));
    let d = Arc::clone(&day);
    recorder.set_clock(Arc::new(move || {
        Utc.with_ymd_and_hms(
            2026,
            12,
            u32::try_from(d.load(Ordering::SeqCst)).unwrap_or(7),
            12,
            0,
            0,
        )
        .single()
        .expect("time")
    }));
    let mut db = catalog::open(&config.server.database).expect("db");
    let mut total = || {
        recorder.flush(&mut db).expect("flush");
        downloads(&p)
    };
    let at = |ip: &'static str, ua: &'static str| Client {
        http: client(),
        url: server.url(&media),
        ip,
        ua,
    };
    let listener = at(CLIENT, APPLE);
    let head = client()
        .head(server.url(&media))
        .header("user-agent", APPLE)
        .send()
        .await
        .expect("head");
    assert!(head.status().is_success());
    listener.get(Some((0, 1))).await;
    assert_eq!(total(), 0, "HEAD and the bytes=0-1 probe");
    listener.get(Some((0, 239_999))).await;
    assert_eq!(total(), 0, "30 seconds of a 10-minute episode");
    listener.get(Some((240_000, 480_999))).await;
    assert_eq!(total(), 1, "a second range reaches one minute");
    listener.get(None).await;
    assert_eq!(total(), 1, "the same client in the same window");
    at(CLIENT, OVERCAST).get(None).await;
    assert_eq!(total(), 2, "another app on the same address");
    at("2001:db8:1:2::1", APPLE).get(None).await;
    at("2001:db8:1:2:ffff::9", APPLE).get(None).await;
    assert_eq!(total(), 3, "one IPv6 /64 is one client");
    at("198.51.100.3", "curl/8.5.0").get(None).await;
    assert_eq!(total(), 3, "a bot");
    day.store(8, Ordering::SeqCst);
    listener.get(Some((0, len - 1))).await;
    assert_eq!(total(), 4, "the next window counts again");
    // A feed poll is a client of the day, an estimate of subscribers.
    for _ in 0..2 {
        let res = client()
            .get(server.url("feed.xml"))
            .header("user-agent", OVERCAST)
            .header("x-forwarded-for", CLIENT)
            .send()
            .await
            .expect("feed");
        assert!(res.status().is_success());
    }
    server.shutdown().await;
    let r = p.run(&["stats", "--subscribers", "--json"]);
    assert_eq!(
        r.stdout.trim(),
        r#"{"clients":1,"day":"2026-12-08"}"#,
        "{}",
        r.stderr
    );
    let r = p.run(&["stats", "--by", "app", "--json"]);
    assert!(
        r.stdout
            .contains(r#"{"app":"Overcast","downloads":1,"kind":"app"}"#),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains(r#"{"app":"AppleCoreMedia","downloads":3,"kind":"library"}"#),
        "{}",
        r.stdout
    );
    nothing_personal_under(
        &p,
        &[
            CLIENT,
            "2001:db8:1:2",
            "198.51.100.3",
            APPLE,
            OVERCAST,
            "curl/8.5.0",
        ],
    );
}

/// No byte of any file in the project (database, WAL, media, config)
/// holds an address or agent that was counted.
fn nothing_personal_under(p: &Project, secrets: &[&str]) {
    let mut files = Vec::new();
    let mut dirs = vec![p.dir.path().to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).expect("dir").flatten() {
            if e.path().is_dir() {
                dirs.push(e.path());
            } else {
                files.push(e.path());
            }
        }
    }
    assert!(files.iter().any(|f| f.ends_with("podcatalog.db")));
    for f in files {
        let bytes = std::fs::read(&f).expect("read");
        for s in secrets {
            let found = bytes.windows(s.len()).any(|w| w == s.as_bytes());
            assert!(!found, "{} contains {s}", f.display());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_forwarded_for_is_ignored_without_trusted_proxies() {
    let (p, media, _) = project("");
    let config = Config::load(&p.path("feed-config.toml")).expect("config");
    let conn = podcatalog::ingest::open_or_bootstrap(&config).expect("open");
    // The list compiles on the first counted request, on the blocking
    // pool; compiled here first, every count lands before the next request.
    podcatalog::stats::agents::Agents::shared();
    let (server, state) = start_with_state(config.clone(), conn).await;
    for ip in ["192.0.2.1", "192.0.2.2", "192.0.2.3"] {
        Client {
            http: client(),
            url: server.url(&media),
            ip,
            ua: APPLE,
        }
        .get(None)
        .await;
    }
    let mut db = catalog::open(&config.server.database).expect("db");
    state.stats().expect("on").flush(&mut db).expect("flush");
    assert_eq!(downloads(&p), 1, "all from 127.0.0.1: one client");
    server.shutdown().await;
}

/// A combined-format line.
fn line(
    ip: &str,
    second: u32,
    method: &str,
    path: &str,
    status: u16,
    bytes: u64,
    ua: &str,
) -> String {
    format!(
        "{ip} - - [07/Dec/2026:10:{:02}:{:02} +0000] \"{method} {path} HTTP/1.1\" {status} {bytes} \"-\" \"{ua}\"\n",
        second / 60,
        second % 60
    )
}

#[test]
fn logs_are_counted_once_by_the_same_rules() {
    let (p, media, len) = project("");
    let path = format!("/{media}");
    let mut log = String::new();
    // Four downloads: two apps on one address, a client over two ranges, an IPv6 /64.
    log += &line(CLIENT, 1, "GET", &path, 200, len, APPLE);
    log += &line(CLIENT, 2, "GET", &path, 200, len, OVERCAST);
    log += &line("192.0.2.5", 3, "GET", &path, 206, 300_000, APPLE);
    log += &line("192.0.2.5", 4, "GET", &path, 206, 300_000, APPLE);
    log += &line("2001:db8::1", 5, "GET", &path, 206, 500_000, APPLE);
    log += &line("2001:db8::2", 6, "GET", &path, 206, 500_000, APPLE);
    // Not counted: a probe, a HEAD, a bot, an error, too little, not media.
    log += &line("192.0.2.6", 7, "GET", &path, 206, 2, APPLE);
    log += &line("192.0.2.7", 8, "HEAD", &path, 200, 0, APPLE);
    log += &line("192.0.2.8", 9, "GET", &path, 200, len, "Wget/1.21.4");
    log += &line("192.0.2.9", 10, "GET", &path, 404, len, APPLE);
    log += &line("192.0.2.10", 11, "GET", &path, 206, 100_000, APPLE);
    log += &line("192.0.2.11", 12, "GET", "/om-oss", 200, len, APPLE);
    log += "this is not a log line\n";
    log += &line("192.0.2.12", 13, "GET", "/feed.xml", 200, 1000, OVERCAST);
    p.write("access.log", &log);
    let r = p.run(&["stats", "ingest", "access.log"]);
    assert!(r.ok, "{}", r.stderr);
    assert!(
        r.stdout.contains("4 downloads and 1 feed clients counted"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("1 malformed") && r.stdout.contains("access.log:13: "),
        "{}",
        r.stdout
    );
    assert_eq!(downloads(&p), 4);
    // Again, and as a rotated gzip file with two new lines: only those count.
    assert!(p.run(&["stats", "ingest", "access.log"]).ok);
    assert_eq!(
        downloads(&p),
        4,
        "ingesting a file twice counts nothing twice"
    );
    let mut rotated = log
        .lines()
        .skip(10)
        .map(|l| format!("{l}\n"))
        .collect::<String>();
    rotated += &line("192.0.2.20", 20, "GET", &path, 200, len, APPLE);
    rotated += &line("192.0.2.21", 21, "GET", &path, 200, len, APPLE);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, rotated.as_bytes()).expect("gzip");
    std::fs::write(p.path("access.log.1.gz"), gz.finish().expect("gzip")).expect("write");
    let r = p.run(&["stats", "ingest", "access.log.1.gz"]);
    assert!(r.ok, "{}", r.stderr);
    assert_eq!(downloads(&p), 6, "{}", r.stdout);
    let r = p.run(&["stats", "--by", "episode", "--json"]);
    assert_eq!(r.stdout.trim(), r#"{"downloads":6,"episode":90}"#);
    // The logs are the producer's input; what podcatalog keeps is checked.
    for log in ["access.log", "access.log.1.gz"] {
        std::fs::remove_file(p.path(log)).expect("remove log");
    }
    nothing_personal_under(&p, &["192.0.2.20", CLIENT, APPLE, OVERCAST]);
    // A missing file is a clear error, and nothing is written.
    let r = p.run(&["stats", "ingest", "nowhere.log"]);
    assert!(!r.ok && r.stderr.contains("nowhere.log"), "{}", r.stderr);
}

#[test]
fn kill_9_during_a_flush_leaves_a_consistent_catalogue() {
    let (p, media, _) = project("trusted_proxies = [\"127.0.0.1\"]");
    let before = p.list();
    let (mut all_sent, mut last) = (0u64, 0i64);
    for round in 0..3u64 {
        let mut cmd = crate::process::command(&p, &["serve", "--addr", "127.0.0.1:0"]);
        cmd.env("PODCATALOG_STATS_FLUSH_MS", "1");
        let mut server = crate::process::Server::spawn(cmd);
        let url = server.url(&media);
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let s = Arc::clone(&stop);
        let load = std::thread::spawn(move || {
            let http = reqwest::blocking::Client::builder()
                .no_proxy()
                .build()
                .expect("client");
            let mut i = 0u64;
            while !s.load(Ordering::SeqCst) {
                // A minute and a bit: each request is a download of its own agent.
                let _ = http
                    .get(&url)
                    .header("user-agent", OVERCAST)
                    .header(
                        "x-forwarded-for",
                        format!("10.{round}.{}.{}", i / 256 % 256, i % 256),
                    )
                    .header("range", "bytes=0-499999")
                    .send()
                    .and_then(|r| r.bytes());
                i += 1;
            }
            i
        });
        // Once flushes are landing (the agent list compiles on the first
        // counted request), kill at a different moment each round.
        let landing = crate::process::wait_until(Duration::from_secs(20), || downloads(&p) > last);
        assert!(landing, "round {round}: no flush landed");
        std::thread::sleep(Duration::from_millis(20 + round * 37));
        server.child.kill().expect("kill -9");
        server.child.wait().expect("wait");
        stop.store(true, Ordering::SeqCst);
        let sent = load.join().expect("load");
        assert_eq!(crate::process::integrity(&p.path("podcatalog.db")), "ok");
        let counted = downloads(&p);
        all_sent += sent;
        // Whole flushes only: never more than was served, never less than before.
        assert!(
            counted >= last && counted as u64 <= all_sent,
            "{counted} of {all_sent}"
        );
        last = counted;
    }
    assert_eq!(p.list(), before, "the catalogue itself is untouched");
    assert!(downloads(&p) > 0, "flushes landed between the kills");
}
