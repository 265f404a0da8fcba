//! Listening statistics at scale (issue 15): the HTML report over 10,000
//! episodes and two years of counts (target < 1 s), and the dedupe
//! window's memory per active client. `cargo bench --bench stats`.
//! Log ingest against GoAccess runs in `scripts/bench-stats.sh`.

use std::net::IpAddr;
use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use podcatalog::catalog;
use podcatalog::config::Config;
use podcatalog::feed::synthetic;
use podcatalog::stats::agents::Agents;
use podcatalog::stats::window::{Media, Request, Served, Window};
use podcatalog::stats::{html, report, store};

const APPS: [&str; 4] = ["Apple Podcasts", "Overcast", "AppleCoreMedia", "Spotify"];

fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("podcatalog.db");
    let config = Config::parse(include_str!("../feed-config.toml"), "feed-config.toml")?;
    let mut conn = catalog::open(&db)?;
    let episodes = synthetic::episodes(10_000);
    let tx = conn.transaction()?;
    catalog::themes::sync(&tx, &config.themes)?;
    for ep in &episodes {
        catalog::episodes::save(&tx, &ep.guid, &ep.data, &ep.created_at)?;
    }
    tx.commit()?;
    // Two years: each day, 60 episodes (the 30 newest and 30 others) are
    // downloaded with four apps on two devices.
    let start = Utc
        .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        .expect("date");
    let mut counts = podcatalog::stats::window::Counts::default();
    for day in 0..730i64 {
        let date = (start + Duration::days(day)).date_naive();
        for k in 0..60usize {
            let ep = if k < 30 {
                k
            } else {
                (day as usize * 131 + k * 977) % episodes.len()
            };
            for (a, app) in APPS.iter().enumerate() {
                let key = podcatalog::stats::window::DownloadKey {
                    guid: episodes[ep].guid.as_str().into(),
                    day: date,
                    kind: "app",
                    app: (*app).into(),
                    device: if a % 2 == 0 {
                        "Apple iPhone"
                    } else {
                        "Android Phone"
                    }
                    .into(),
                    device_category: "mobile".into(),
                };
                counts
                    .downloads
                    .insert(key, 1 + (day as u64 + k as u64) % 17);
            }
        }
    }
    let rows = counts.downloads.len();
    let t = Instant::now();
    store::save(&mut conn, &counts)?;
    println!(
        "stored {rows} count rows (10,000 episodes, 730 days) in {:.2} s",
        t.elapsed().as_secs_f64()
    );
    let stored = catalog::episodes::list(&conn)?;
    let mut times = Vec::new();
    let mut bytes = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let page = html::gather(&conn, &config, &stored, &report::Filter::default())?;
        bytes = html::render(&page).len();
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    println!(
        "HTML report: median {:.0} ms, best {:.0} ms, {} kB (target < 1000 ms)",
        times[2] * 1e3,
        times[0] * 1e3,
        bytes / 1024
    );
    window_memory();
    Ok(())
}

/// 100,000 clients each fetching two ranges of one of 50 episodes.
fn window_memory() {
    let agent = Agents::shared()
        .classify("AppleCoreMedia/1.0.0.20E247 (iPhone; U; CPU OS 16_4 like Mac OS X; sv_se)");
    let mut w = Window::new();
    let at = Utc
        .with_ymd_and_hms(2026, 12, 7, 12, 0, 0)
        .single()
        .expect("time");
    let media: Vec<Media> = (0..50)
        .map(|i| Media {
            guid: format!("ep-{i}").into(),
            bytes: 50_000_000,
            tag_bytes: 0,
            duration_ms: 3_000_000,
        })
        .collect();
    let t = Instant::now();
    let n = 100_000u32;
    for c in 0..n {
        let ip = IpAddr::from((0x0a00_0000u32 + c).to_be_bytes());
        let req = Request {
            at,
            ip,
            user_agent: "AppleCoreMedia/1.0.0.20E247",
            agent: &agent,
        };
        let m = &media[(c % 50) as usize];
        w.media(&req, m, Served::Range(0, 2));
        w.media(&req, m, Served::Range(10_000_000, 10_500_000));
    }
    let per_request = t.elapsed().as_secs_f64() * 1e9 / f64::from(2 * n);
    let (entries, bytes) = w.memory();
    println!(
        "dedupe window: {entries} active clients, {} MB, {} bytes per client; {per_request:.0} ns per request",
        bytes / 1_000_000,
        bytes / entries.max(1)
    );
}
