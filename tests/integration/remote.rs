//! `remote`: probing audio over HTTP against a real server on `127.0.0.1:0`.
//! The probe itself is tested elsewhere; these tests pin the transport: the
//! exact bytes, how few of them travel, and every error a CDN can cause.

use std::io::{Read, Seek, SeekFrom};
use std::time::{Duration, Instant};

use podcatalog::remote::{self, RangeReader, Remote, RemoteError, RemoteOptions};

pub mod server;

use server::Server;

use crate::common::Rng;

/// Deterministic bytes that differ at every offset that matters.
fn pattern(len: usize, seed: u64) -> Vec<u8> {
    Rng::new(seed).bytes(len)
}

fn small_blocks() -> RemoteOptions {
    RemoteOptions {
        block_size: 4096,
        cache_blocks: 6,
        max_read_ahead: 4,
        max_restarts: 10_000,
        ..RemoteOptions::default()
    }
}

fn open(url: &str, opts: &RemoteOptions) -> RangeReader {
    RangeReader::open(url, opts).unwrap_or_else(|e| panic!("open {url}: {e}"))
}

/// Seeks and reads at random (all three `SeekFrom` forms) and compares
/// every byte with the file in memory.
fn check_random_reads(reader: &mut RangeReader, file: &[u8], ops: usize, seed: u64) {
    let len = file.len() as u64;
    let mut rng = Rng::new(seed);
    for op in 0..ops {
        let target = match rng.below(4) {
            // Past the end on purpose now and then: reads must return 0.
            0 => reader.seek(SeekFrom::Start(rng.below(len + 100))),
            1 => reader.seek(SeekFrom::End(-(rng.below(len) as i64))),
            2 => {
                let here = reader.stream_position().expect("position");
                let back = rng.below(here.min(5000) + 1) as i64;
                reader.seek(SeekFrom::Current(rng.below(10_000) as i64 - back))
            }
            _ => reader.stream_position(),
        }
        .expect("seek");
        let want = rng.below(20_000) as usize;
        let mut got = Vec::new();
        reader
            .by_ref()
            .take(want as u64)
            .read_to_end(&mut got)
            .unwrap_or_else(|e| panic!("op {op}: read {want} at {target}: {e}"));
        let start = (target as usize).min(file.len());
        let end = (start + want).min(file.len());
        assert!(
            got == file[start..end],
            "op {op}: {want} bytes at {target} differ"
        );
    }
}

#[test]
fn range_reader_returns_the_exact_bytes_at_random_offsets() {
    let file = pattern(300_000 + 123, 1);
    let server = Server::start(&[("a.mp3", &file)]);
    let mut reader = open(&server.url("/ranged/a.mp3"), &small_blocks());
    assert_eq!(reader.len(), file.len() as u64);
    assert_eq!(reader.content_type(), Some("audio/mpeg"));
    check_random_reads(&mut reader, &file, 2000, 2);
    assert!(!reader.is_streaming());
}

#[test]
fn range_reader_returns_the_exact_bytes_when_the_server_ignores_ranges() {
    let file = pattern(60_000 + 7, 3);
    let server = Server::start(&[("a.mp3", &file)]);
    let mut reader = open(&server.url("/plain/a.mp3"), &small_blocks());
    check_random_reads(&mut reader, &file, 300, 4);
    assert!(reader.is_streaming());
}

#[test]
fn reading_head_and_tail_of_a_large_file_transfers_little() {
    let file = pattern(5 * 1024 * 1024, 5);
    let server = Server::start(&[("big.mp3", &file)]);
    let mut reader = open(&server.url("/ranged/big.mp3"), &RemoteOptions::default());
    let mut head = vec![0; 4096];
    reader.read_exact(&mut head).expect("head");
    reader.seek(SeekFrom::End(-4096)).expect("seek");
    let mut tail = vec![0; 4096];
    reader.read_exact(&mut tail).expect("tail");
    assert!(head == file[..4096] && tail == file[file.len() - 4096..]);
    let served = server.bytes_served();
    assert!(served <= 2 * 64 * 1024, "served {served} bytes for 8 KiB");
    assert_eq!(reader.stats().requests, 3, "HEAD + two ranges");
}

#[test]
fn a_large_read_is_one_request() {
    // The probe reads through a 256 KiB window: one fill, one request.
    let file = pattern(1024 * 1024, 11);
    let server = Server::start(&[("big.mp3", &file)]);
    let mut reader = open(&server.url("/ranged/big.mp3"), &RemoteOptions::default());
    reader.seek(SeekFrom::Start(1000)).expect("seek");
    let mut window = vec![0; 256 * 1024];
    reader.read_exact(&mut window).expect("window");
    assert!(window == file[1000..1000 + window.len()]);
    assert_eq!(server.requests(), 2, "HEAD + one range");
    assert_eq!(server.bytes_served(), 5 * 64 * 1024);
}

#[test]
fn a_frame_walk_reads_ahead_instead_of_one_request_per_frame() {
    let file = pattern(5 * 1024 * 1024, 6);
    let server = Server::start(&[("big.mp3", &file)]);
    let mut reader = open(&server.url("/ranged/big.mp3"), &RemoteOptions::default());
    // Like an MP3 walk: read a 4-byte header, skip a 413-byte body.
    let mut header = [0u8; 4];
    let mut pos = 0;
    while pos + 4 <= file.len() {
        reader.seek(SeekFrom::Start(pos as u64)).expect("seek");
        reader.read_exact(&mut header).expect("header");
        assert_eq!(header, file[pos..pos + 4]);
        pos += 417;
    }
    let requests = server.requests();
    assert!(requests <= 12, "{requests} requests for a 5 MiB walk");
    assert!(server.bytes_served() <= file.len() as u64);
}

#[test]
fn a_server_without_ranges_is_streamed_and_restarts_are_bounded() {
    let file = pattern(200_000, 7);
    let server = Server::start(&[("a.mp3", &file)]);
    let url = server.url("/plain/a.mp3");
    let opts = RemoteOptions {
        max_restarts: 1,
        ..small_blocks()
    };
    let mut reader = open(&url, &opts);
    let mut buf = [0u8; 16];
    let mut read_at = |reader: &mut RangeReader, from: SeekFrom| {
        reader.seek(from).expect("seek");
        reader.read_exact(&mut buf).map(|()| buf)
    };
    assert!(read_at(&mut reader, SeekFrom::End(-16)).expect("tail") == file[file.len() - 16..]);
    // Block 0 was evicted long ago: going back to it restarts the download.
    assert!(read_at(&mut reader, SeekFrom::Start(0)).expect("head") == file[..16]);
    // Forward through the same stream, evicting block 0 again.
    assert!(
        read_at(&mut reader, SeekFrom::Start(100_000)).expect("middle") == file[100_000..100_016]
    );
    assert!(
        read_at(&mut reader, SeekFrom::Start(0)).is_err(),
        "a second restart"
    );
    assert_eq!(server.bytes_served(), 2 * file.len() as u64);
    let err = reader.take_error().expect("typed error");
    assert!(
        matches!(err, RemoteError::TooManyRestarts { max: 1, .. }),
        "{err}"
    );
    assert_names(&err, &url);
}

#[test]
fn one_remote_serves_many_threads_at_once() {
    let files: Vec<(String, Vec<u8>)> = (0..6)
        .map(|i| {
            (
                format!("{i}.mp3"),
                pattern(50_000 + i * 1000, 10 + i as u64),
            )
        })
        .collect();
    let served: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let server = Server::start(&served);
    let remote = Remote::new(small_blocks()).expect("client");
    std::thread::scope(|scope| {
        for (name, bytes) in &files {
            let (remote, url) = (remote.clone(), server.url(&format!("/ranged/{name}")));
            scope.spawn(move || {
                let mut reader = remote.open(&url).expect("open");
                check_random_reads(&mut reader, bytes, 200, bytes.len() as u64);
            });
        }
    });
}

#[test]
fn redirects_are_followed_to_the_file() {
    let file = pattern(10_000, 8);
    let server = Server::start(&[("a.mp3", &file)]);
    let mut reader = open(&server.url("/moved/a.mp3"), &small_blocks());
    assert_eq!(reader.url().path(), "/ranged/a.mp3");
    let mut got = Vec::new();
    reader.read_to_end(&mut got).expect("read");
    assert!(got == file);
}

#[test]
fn a_server_refusing_head_is_asked_with_get() {
    let file = pattern(10_000, 9);
    let server = Server::start(&[("a.mp3", &file)]);
    let reader = open(&server.url("/head-refused/a.mp3"), &small_blocks());
    assert_eq!(reader.len(), 10_000);
}

fn open_err(url: &str, opts: &RemoteOptions) -> RemoteError {
    match RangeReader::open(url, opts) {
        Ok(_) => panic!("{url} opened"),
        Err(e) => e,
    }
}

fn assert_names(err: &RemoteError, url: &str) {
    assert!(
        err.to_string().starts_with(url),
        "{err} does not name {url}"
    );
}

#[test]
fn a_missing_file_is_a_404_error() {
    let server = Server::start(&[]);
    let url = server.url("/ranged/nope.mp3");
    let err = open_err(&url, &RemoteOptions::default());
    assert!(
        matches!(err, RemoteError::Status { status: 404, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("404 Not Found"), "{err}");
    assert_names(&err, &url);
}

#[test]
fn an_html_page_is_not_audio() {
    let server = Server::start(&[]);
    let url = server.url("/html");
    let err = open_err(&url, &RemoteOptions::default());
    assert!(matches!(err, RemoteError::NotAudio { .. }), "{err}");
    assert!(err.to_string().contains("text/html"), "{err}");
    assert_names(&err, &url);
}

#[test]
fn a_redirect_loop_is_reported() {
    let server = Server::start(&[]);
    let url = server.url("/loop/a");
    let err = open_err(&url, &RemoteOptions::default());
    assert!(matches!(err, RemoteError::RedirectLoop { .. }), "{err}");
    assert!(err.to_string().contains("/loop/b -> "), "{err}");
    assert_names(&err, &url);
}

#[test]
fn endless_redirects_stop_at_the_limit() {
    let server = Server::start(&[]);
    let url = server.url("/chain/0");
    let err = open_err(&url, &RemoteOptions::default());
    assert!(
        matches!(err, RemoteError::TooManyRedirects { max: 5, .. }),
        "{err}"
    );
    assert_names(&err, &url);
}

#[test]
fn a_redirect_to_a_file_url_is_refused() {
    let server = Server::start(&[]);
    let url = server.url("/to-file");
    let err = open_err(&url, &RemoteOptions::default());
    assert!(matches!(err, RemoteError::BadRedirect { .. }), "{err}");
    assert!(err.to_string().contains("file:///etc/passwd"), "{err}");
    assert_names(&err, &url);
}

#[test]
fn a_slow_server_times_out() {
    let server = Server::start(&[]);
    let url = server.url("/slow");
    let opts = RemoteOptions {
        read_timeout: Duration::from_millis(300),
        ..RemoteOptions::default()
    };
    let started = Instant::now();
    let err = open_err(&url, &opts);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
    assert!(matches!(err, RemoteError::Timeout { .. }), "{err}");
    assert_names(&err, &url);
}

#[test]
fn a_server_going_silent_mid_body_times_out() {
    let server = Server::start(&[]);
    let url = server.stalling_url();
    let opts = RemoteOptions {
        read_timeout: Duration::from_millis(300),
        ..RemoteOptions::default()
    };
    let mut reader = open(&url, &opts);
    let started = Instant::now();
    assert!(reader.read(&mut [0u8; 100]).is_err());
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
    let err = reader.take_error().expect("typed error");
    assert!(matches!(err, RemoteError::Timeout { .. }), "{err}");
    assert_names(&err, &url);
}

#[test]
fn a_file_changing_while_probing_is_reported() {
    let server = Server::start(&[]);
    let url = server.url("/changing");
    let mut reader = open(&url, &small_blocks());
    assert_eq!(reader.len(), 200_000);
    assert!(reader.read(&mut [0u8; 100]).is_err());
    let err = reader.take_error().expect("typed error");
    assert!(matches!(err, RemoteError::Changed { .. }), "{err}");
    assert!(
        err.to_string().contains("file changed while probing"),
        "{err}"
    );
    assert_names(&err, &url);
    // The failure sticks: no half-read file is ever probed further.
    assert!(reader.read(&mut [0u8; 100]).is_err());
}

#[test]
fn refused_urls_never_reach_the_network() {
    for (url, says) in [
        ("http://example.com/a.mp3", "plain http"),
        ("ftp://example.com/a.mp3", "scheme `ftp:`"),
        ("file:///etc/passwd", "scheme `file:`"),
        ("javascript:alert(1)", "scheme `javascript:`"),
        ("https://user:pw@example.com/a.mp3", "user name or password"),
        ("https://:443/a.mp3", "not a valid URL"),
    ] {
        let err = remote::probe_url(url).expect_err(url);
        assert!(
            matches!(err, RemoteError::InvalidUrl { .. }),
            "{url}: {err}"
        );
        assert!(err.to_string().contains(says), "{url}: {err}");
        assert!(
            !err.to_string().contains(":pw@"),
            "{err} shows the password"
        );
    }
    let long = format!("https://example.com/{}", "a".repeat(5000));
    let err = remote::probe_url(&long).expect_err("long");
    assert!(matches!(err, RemoteError::InvalidUrl { .. }), "{err}");
}

#[test]
fn a_closed_port_is_a_connect_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let url = format!("http://127.0.0.1:{port}/a.mp3");
    let err = open_err(&url, &RemoteOptions::default());
    assert!(matches!(err, RemoteError::Connect { .. }), "{err}");
    assert_names(&err, &url);
}

/// The fixture is `sox -n -r 44100 -c 1 x.wav synth 1 sine 440` (exactly
/// 44 100 samples) through `lame --quiet -b 64`, whose LAME tag makes the
/// duration sample-exact. It lives outside `fixtures/audio/`, which the
/// probe's generator script empties. Fails while `probe_reader` is a stub.
#[test]
fn probe_url_reports_duration_of_remote_mp3() {
    let mp3 = std::fs::read("tests/fixtures/remote/sine-1s.mp3").expect("fixture");
    let server = Server::start(&[("sine.mp3", &mp3)]);
    let opts = RemoteOptions {
        block_size: 1024,
        ..RemoteOptions::default()
    };
    let info = remote::probe_url_with(&server.url("/ranged/sine.mp3"), &opts)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(info.bytes, mp3.len() as u64);
    assert_eq!(info.mime, "audio/mpeg");
    assert_eq!(info.sample_rate, 44_100);
    assert_eq!(info.samples, Some(44_100));
    assert_eq!(info.duration_ms, 1000);
}

/// Every kind of container, through ranges (tiny blocks, so many requests
/// and evictions) and through a server without ranges: the remote probe must
/// find exactly what the local probe finds. Fails while the probe is a stub.
#[test]
fn remote_probe_matches_local_probe_for_each_container() {
    let names = [
        "vbr-noxing.mp3",
        "vbr-tagged.mp3",
        "moov-end.m4a",
        "raw.aac",
        "vorbis.ogg",
        "opus.opus",
        "flac.flac",
        "pcm.wav",
    ];
    let files: Vec<(String, Vec<u8>)> = names
        .iter()
        .map(|n| {
            let path = format!("tests/fixtures/audio/{n}");
            (
                n.to_string(),
                std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}")),
            )
        })
        .collect();
    let served: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let server = Server::start(&served);
    let opts = RemoteOptions {
        block_size: 1024,
        cache_blocks: 8,
        max_read_ahead: 4,
        ..RemoteOptions::default()
    };
    for name in names {
        let local = podcatalog::probe::probe_file(std::path::Path::new(&format!(
            "tests/fixtures/audio/{name}"
        )))
        .unwrap_or_else(|e| panic!("{e}"));
        for route in ["ranged", "plain"] {
            let url = server.url(&format!("/{route}/{name}"));
            let remote = remote::probe_url_with(&url, &opts).unwrap_or_else(|e| panic!("{e}"));
            let key = |i: &podcatalog::probe::AudioInfo| {
                (
                    i.duration_ms,
                    i.samples,
                    i.bytes,
                    i.mime.clone(),
                    i.codec.clone(),
                    i.sample_rate,
                    i.channels,
                )
            };
            assert_eq!(key(&remote), key(&local), "{url}");
        }
    }
}

/// `add --audio-url` measures remote audio over HTTP and stores the URL as
/// the enclosure, touching nothing in media/.
#[test]
fn add_with_audio_url_probes_the_remote_file() {
    let mp3 = std::fs::read(crate::common::repo().join("tests/fixtures/remote/sine-1s.mp3"))
        .expect("fixture");
    let server = Server::start(&[("ep.mp3", &mp3)]);
    let p = crate::common::Project::initialised();
    let media_before = std::fs::read_dir(p.path("media")).expect("media").count();
    let url = server.url("/ranged/ep.mp3");
    let r = p.run(&[
        "add",
        "--number",
        "91",
        "--title",
        "Fjärrljud",
        "--published",
        "2023-02-01",
        "--audio-url",
        &url,
    ]);
    assert!(r.ok, "{}", r.stderr);
    let shown: serde_json::Value =
        serde_json::from_str(&p.run(&["show", "91", "--json"]).stdout).expect("json");
    assert_eq!(shown["audio"]["source"]["url"], url.as_str());
    assert_eq!(shown["audio"]["bytes"], mp3.len());
    assert_eq!(shown["audio"]["mime"], "audio/mpeg");
    assert_eq!(shown["audio"]["duration_ms"], 1000);
    assert_eq!(
        std::fs::read_dir(p.path("media")).expect("media").count(),
        media_before
    );
}

/// A 404 for `add --audio-url` is a clear error and writes nothing.
#[test]
fn add_with_a_missing_remote_file_changes_nothing() {
    let server = Server::start(&[]);
    let p = crate::common::Project::initialised();
    let before = p.fingerprint();
    let url = server.url("/ranged/gone.mp3");
    let r = p.run(&[
        "add",
        "--number",
        "91",
        "--title",
        "X",
        "--published",
        "2023-02-01",
        "--audio-url",
        &url,
    ]);
    assert!(!r.ok);
    assert!(
        r.stderr.contains(&url) && r.stderr.contains("404"),
        "{}",
        r.stderr
    );
    assert_eq!(p.fingerprint(), before);
}

/// `podcatalog probe URL` goes through the same remote probe, mixed with
/// local files, and reports a 404 as a failed line with a non-zero exit.
#[test]
fn probe_command_accepts_urls_next_to_files() {
    let fixture = crate::common::repo().join("tests/fixtures/remote/sine-1s.mp3");
    let mp3 = std::fs::read(&fixture).expect("fixture");
    let server = Server::start(&[("ep.mp3", &mp3)]);
    let ok = server.url("/ranged/ep.mp3");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_podcatalog"))
        .args([
            "probe",
            "--json",
            &ok,
            fixture.to_str().expect("utf8"),
            &server.url("/ranged/gone.mp3"),
        ])
        .output()
        .expect("run");
    assert!(
        !out.status.success(),
        "one input failed, so the exit code is non-zero"
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["path"], ok.as_str());
    assert_eq!(lines[0]["duration_ms"], 1000);
    assert_eq!(lines[0]["bytes"], mp3.len());
    assert_eq!(lines[1]["duration_ms"], 1000);
    assert!(
        lines[2]["error"]
            .as_str()
            .is_some_and(|e| e.contains("404")),
        "{:?}",
        lines[2]
    );
}
