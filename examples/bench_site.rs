//! The website over a large synthetic catalogue, for `scripts/bench-site.sh`
//! (issue 5: search p99 < 5 ms under wrk, page render < 2 ms median).
//!
//! `bench_site DIR PORT [EPISODES] [PEOPLE] [THEMES]` (defaults 10,000,
//! 30,000 and 100): writes DIR with the shipped config plus THEMES themes
//! and a catalogue of EPISODES episodes, each with the host and three of
//! PEOPLE guests (kept when DIR already holds one of that size, since
//! writing it takes minutes); prints the median in-process render time of
//! every page type and of searches (uncached: straight to the catalogue);
//! then serves on 127.0.0.1:PORT until SIGTERM.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::Utc;
use podcatalog::catalog::{self, Credit, Role};
use podcatalog::config::Config;
use podcatalog::feed::synthetic;
use podcatalog::web::pages::{Catalogue, Site, episode, home, person, search, theme};
use podcatalog::web::{self, AppState};

const FIRST: [&str; 20] = [
    "Anna", "Erik", "Maria", "Lars", "Karin", "Johan", "Sara", "Per", "Eva", "Nils", "Lena",
    "Olof", "Åsa", "Mats", "Ingrid", "Björn", "Sofia", "Gustav", "Märta", "Jonas",
];
const LAST: [&str; 20] = [
    "Andersson",
    "Berg",
    "Öberg",
    "Lindqvist",
    "Sundberg",
    "Ek",
    "Holm",
    "Nyström",
    "Åkesson",
    "Wallin",
    "Hed",
    "Forsberg",
    "Strand",
    "Lund",
    "Sjöberg",
    "Dahl",
    "Norén",
    "Falk",
    "Ström",
    "Björk",
];

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, port, rest @ ..] = args.as_slice() else {
        anyhow::bail!("usage: bench_site DIR PORT [EPISODES] [PEOPLE] [THEMES]");
    };
    let num = |i: usize, default: usize| rest.get(i).map_or(Ok(default), |s| s.parse());
    let (episodes, people, themes) = (num(0, 10_000)?, num(1, 30_000)?, num(2, 100)?);
    let config = prepare(Path::new(dir), port, episodes, people, themes)?;
    let mut conn = catalog::open(&config.server.database)?;
    measure(&config, &mut conn)?;
    let state = AppState::new(config, conn)?;
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(async move {
            let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
            eprintln!("serving on http://127.0.0.1:{port}/");
            web::serve(listener, state, web::shutdown_signal()).await?;
            Ok(())
        })
}

fn prepare(
    dir: &Path,
    port: &str,
    n: usize,
    people: usize,
    themes: usize,
) -> anyhow::Result<Config> {
    std::fs::create_dir_all(dir.join("media"))?;
    let mut text = include_str!("../feed-config.toml").replace(
        "base_url = \"http://127.0.0.1:8080/\"",
        &format!("base_url = \"http://127.0.0.1:{port}/\""),
    );
    for k in 0..themes {
        text.push_str(&format!(
            "\n[[themes]]\nslug = \"tema-{k}\"\nname = \"Tema {k}\"\ndescription = \"Syntetiskt tema nummer {k}.\"\n"
        ));
    }
    std::fs::write(dir.join("feed-config.toml"), text)?;
    let config = Config::load(&dir.join("feed-config.toml"))?;
    let marker = dir.join("catalogue-size");
    let size = format!("{n} {people} {themes} {}\n", env!("CARGO_PKG_VERSION"));
    if std::fs::read_to_string(&marker).is_ok_and(|m| m == size) && config.server.database.exists()
    {
        eprintln!("catalogue of {n} episodes kept from an earlier run");
        return Ok(config);
    }
    let _ = std::fs::remove_file(&marker);
    let _ = std::fs::remove_file(&config.server.database);
    let mut conn = catalog::open(&config.server.database)?;
    let start = Instant::now();
    let tx = conn.transaction()?;
    catalog::themes::sync(&tx, &config.themes)?;
    for i in 1..=n {
        let mut ep = synthetic::episode(i);
        // Twice a day from 2012, so all of them are published by now.
        let start = chrono::DateTime::parse_from_rfc3339("2012-01-02T06:00:00+01:00")?;
        ep.data.published_at = start + chrono::Duration::hours(12 * i as i64);
        ep.data.transcript = None;
        ep.data.credits.truncate(1);
        for g in 0..3 {
            let p = (i * 3 + g) % people;
            let name = format!("{} {} {p}", FIRST[p % 20], LAST[p / 20 % 20]);
            ep.data.credits.push(Credit {
                name,
                slug: String::new(),
                role: Role::parse("guest").map_err(|_| anyhow::anyhow!("role"))?,
                affiliation: Some(format!("Kommunstyrelsens ordförande, kommun {}", p % 290)),
            });
        }
        ep.data.themes = vec![
            format!("tema-{}", i % themes),
            format!("tema-{}", (i * 7 + 3) % themes),
        ];
        ep.data.themes.dedup();
        catalog::episodes::save(&tx, &ep.guid, &ep.data, &ep.created_at)?;
    }
    // As `podcatalog import` does after a bulk write.
    catalog::search_index::optimize(&tx)?;
    tx.commit()?;
    std::fs::write(&marker, size)?;
    eprintln!(
        "catalogue of {n} episodes written in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    Ok(config)
}

/// Median wall time and mean CPU time of `runs` timed calls after two
/// warm-up calls (CPU time is steadier than wall time on a shared machine).
fn median(runs: usize, mut f: impl FnMut() -> usize) -> (Duration, Duration, usize) {
    let mut bytes = f();
    f();
    let cpu = cpu_seconds();
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            bytes = f();
            t.elapsed()
        })
        .collect();
    let cpu = Duration::from_secs_f64(((cpu_seconds() - cpu) / runs as f64).max(0.0));
    times.sort();
    (times[runs / 2], cpu, bytes)
}

/// User + system CPU seconds of this process so far (Linux `/proc`, in
/// clock ticks of 10 ms: fine summed over many runs); 0 elsewhere.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok());
    ticks(11)
        .zip(ticks(12))
        .map_or(0.0, |(u, s)| (u + s) / 100.0)
}

fn measure(config: &Config, conn: &mut rusqlite::Connection) -> anyhow::Result<()> {
    let catalogue = Catalogue::load(conn, Utc::now())?;
    let site = Site::new(config, &catalogue, Utc::now());
    let slug = catalogue.episodes[catalogue.episodes.len() / 2]
        .data
        .slug
        .clone();
    let person_slug = catalogue.episodes[10].data.credits[1].slug.clone();
    let none = episode::Extras::default();
    let report = |name: &str, (d, cpu, bytes): (Duration, Duration, usize)| {
        println!(
            "render {name:<14} median {:>7.3} ms  cpu {:>7.3} ms  {bytes:>7} bytes",
            d.as_secs_f64() * 1000.0,
            cpu.as_secs_f64() * 1000.0
        );
    };
    report(
        "start",
        median(200, || home::render(&site).into_string().len()),
    );
    report(
        "episode",
        median(200, || {
            site.episode(&slug)
                .map_or(0, |n| episode::render(&site, n, &none).into_string().len())
        }),
    );
    report(
        "person",
        median(200, || {
            site.person(&person_slug)
                .and_then(|p| person::render(&site, p, 0))
                .map_or(0, |m| m.into_string().len())
        }),
    );
    report(
        "theme",
        median(200, || {
            site.theme("tema-7")
                .and_then(|t| theme::render(&site, t, 0))
                .map_or(0, |m| m.into_string().len())
        }),
    );
    report(
        "people index",
        median(200, || {
            person::index(&site, 3).map_or(0, |m| m.into_string().len())
        }),
    );
    for q in [
        "q=marta+noren",
        "q=oberg",
        "q=berg&theme=tema-7",
        "person=anna-berg-20&theme=tema-45",
        "person=nils-munthe&theme=tema-7",
        "q=samtal",
        "q=samtal+demokrati",
        "q=samtal&page=400",
        "q=s",
        "q=munt&page=3",
        "q=samtal&theme=tema-7",
        "theme=tema-42",
    ] {
        let request = search::Request::parse(Some(q));
        let query = request.query(&site);
        let (d, cpu, n) = median(50, || {
            let found = podcatalog::search::search(conn, &query)
                .map(|p| p.total)
                .unwrap_or_default();
            found as usize
        });
        println!(
            "search {q:<34} median {:>7.3} ms  cpu {:>7.3} ms  {n:>7} hits",
            d.as_secs_f64() * 1000.0,
            cpu.as_secs_f64() * 1000.0
        );
    }
    Ok(())
}
