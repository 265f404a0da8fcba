//! `import-feed` timings, in process:
//!
//! 1. parsing a generated 1,000-item feed (~3 MB, long HTML show notes);
//! 2. measuring 200 episodes' audio from a local HTTP server, probing with
//!    range requests vs downloading every file (the usual way), side by
//!    side: wall time and bytes the server sent.
//!
//! `cargo bench --bench import_feed [-- ITEMS EPISODES MB]`; the audio is a
//! generated constant-bit-rate MP3 (128 kbit/s) of MB megabytes, served
//! under EPISODES names, so no audio tools are needed.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use podcatalog::ingest::from_feed::{AudioMode, Known, Measurer, Plan, ThemeMap};
use podcatalog::remote::{Remote, RemoteOptions};

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let items = args.first().copied().unwrap_or(1000);
    let episodes = args.get(1).copied().unwrap_or(200);
    let mb = args.get(2).copied().unwrap_or(10);
    parse(items, 2_600);
    parse(items, 0);
    measure(episodes, mb);
}

/// Times parsing `items` items with `notes` bytes of HTML notes each (0:
/// the same feed without notes, to tell XML from HTML sanitising).
fn parse(items: usize, notes: usize) {
    let feed = feed(items, "https://cdn.example.org", notes);
    let mut times: Vec<Duration> = (0..21)
        .map(|_| {
            let start = Instant::now();
            let parsed = podcatalog::import_feed::parse(feed.as_bytes(), None).expect("parses");
            let took = start.elapsed();
            assert_eq!(parsed.items.len(), items);
            took
        })
        .collect();
    times.sort();
    println!(
        "parse: {items} items, {:.1} MB, {notes} B of notes each: median {:.1} ms, min {:.1} ms (21 runs)",
        feed.len() as f64 / 1e6,
        times[10].as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3
    );
}

/// An RSS feed of `items` items with `notes` bytes of HTML notes each.
fn feed(items: usize, audio: &str, notes: usize) -> String {
    let para = "<p>Ett samtal om medborgardialog, <a href=\"https://example.se/x\">länkar</a> &amp; <em>demokrati</em> på lokal nivå.</p>\n";
    let body = para.repeat(notes.div_ceil(para.len()));
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" xmlns:podcast=\"https://podcastindex.org/namespace/1.0\"><channel><title>Bench</title><description>d</description>\n",
    );
    for i in 0..items {
        out.push_str(&format!(
            "<item><title>Avsnitt {i}: om något viktigt</title><guid isPermaLink=\"false\">bench-{i}</guid>\
             <pubDate>Mon, 07 Nov 2022 06:00:00 +0100</pubDate><content:encoded><![CDATA[{body}]]></content:encoded>\
             <enclosure url=\"{audio}/a/{i}.mp3\" length=\"1000\" type=\"audio/mpeg\"/><itunes:duration>45:10</itunes:duration>\
             <itunes:episode>{}</itunes:episode><podcast:person role=\"host\">Nils Munthe</podcast:person></item>\n",
            i + 1
        ));
    }
    out.push_str("</channel></rss>\n");
    out
}

fn measure(episodes: usize, mb: usize) {
    let audio = Arc::new(cbr_mp3(mb << 20));
    let sent = Arc::new(AtomicU64::new(0));
    let base = serve(Arc::clone(&audio), Arc::clone(&sent));
    let text = feed(episodes, &base, 200);
    let parsed = podcatalog::import_feed::parse(text.as_bytes(), None).expect("parses");
    let total = audio.len() as u64 * episodes as u64;
    let media = tempfile::tempdir().expect("tempdir");
    let remote = Remote::new(RemoteOptions {
        sample_mp3: true,
        block_size: 16 * 1024,
        ..RemoteOptions::default()
    })
    .expect("client");
    let mut rows = Vec::new();
    for mode in [AudioMode::Probe, AudioMode::Download] {
        let mut known = Known::default();
        let mut plan = Plan::new(&parsed, &mut known, &ThemeMap::default());
        sent.store(0, Ordering::SeqCst);
        let start = Instant::now();
        Measurer {
            mode,
            remote: &remote,
            media_dir: media.path(),
            jobs: 4,
        }
        .measure(&mut plan, &known);
        let took = start.elapsed();
        let problems = plan.problems();
        assert!(problems.is_empty(), "{problems:?}");
        let bytes = sent.load(Ordering::SeqCst);
        rows.push((format!("{mode:?}"), took, bytes));
    }
    println!(
        "measure: {episodes} episodes of {:.1} MB (128 kbit/s CBR MP3), 4 at a time, from 127.0.0.1:",
        audio.len() as f64 / 1e6
    );
    for (mode, took, bytes) in &rows {
        println!(
            "  {mode:<9} wall {:>7.2} s   bytes sent {:>13} ({:.2} % of the audio)",
            took.as_secs_f64(),
            bytes,
            *bytes as f64 * 100.0 / total as f64
        );
    }
    let ratio = rows[1].1.as_secs_f64() / rows[0].1.as_secs_f64();
    println!("  probing took 1/{ratio:.1} of the download's time");
}

/// A constant-bit-rate MPEG-1 layer III stream of about `len` bytes: 128
/// kbit/s, 44.1 kHz, frames padded as an encoder pads them.
fn cbr_mp3(len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 418);
    let mut owed = 0.0f64;
    while out.len() < len {
        owed += 144.0 * 128_000.0 / 44_100.0;
        let padded = owed - out.len() as f64 >= 418.0;
        let mut frame = vec![0u8; if padded { 418 } else { 417 }];
        frame[..4].copy_from_slice(&[0xFF, 0xFB, if padded { 0x92 } else { 0x90 }, 0x64]);
        out.extend(frame);
    }
    out
}

type Shared = (Arc<Vec<u8>>, Arc<AtomicU64>);

/// Serves `audio` under `/a/{anything}` with ranges; returns the base URL.
fn serve(audio: Arc<Vec<u8>>, sent: Arc<AtomicU64>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    listener.set_nonblocking(true).expect("nonblocking");
    let app = axum::Router::new()
        .route("/a/{name}", axum::routing::get(file).head(file))
        .with_state((audio, sent));
    std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            let _ = axum::serve(listener, app).await;
        });
    });
    format!("http://{addr}")
}

async fn file(
    State((audio, sent)): State<Shared>,
    Path(_): Path<String>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    let len = audio.len() as u64;
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("bytes="))
        .and_then(|v| v.split_once('-'))
        .and_then(|(a, b)| {
            let first: u64 = a.parse().ok()?;
            let last = b.parse::<u64>().map_or(len - 1, |b| b.min(len - 1));
            (first <= last).then_some((first, last))
        });
    let (status, first, last) = match range {
        Some((a, b)) => (StatusCode::PARTIAL_CONTENT, a, b),
        None => (StatusCode::OK, 0, len - 1),
    };
    let mut resp = Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "audio/mpeg")
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::CONTENT_LENGTH, last - first + 1);
    if status == StatusCode::PARTIAL_CONTENT {
        resp = resp.header(header::CONTENT_RANGE, format!("bytes {first}-{last}/{len}"));
    }
    if method == Method::HEAD {
        return resp.body(Body::empty()).expect("response");
    }
    sent.fetch_add(last - first + 1, Ordering::SeqCst);
    let body = audio[first as usize..=last as usize].to_vec();
    resp.body(Body::from(body))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}
