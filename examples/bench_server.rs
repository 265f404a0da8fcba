//! A server over a synthetic catalogue, for `scripts/bench-serve.sh`
//! (wrk against podcatalog and nginx side by side).
//!
//! `bench_server DIR PORT EPISODES [WORKERS]`: creates DIR with the shipped
//! config, a 50 MB `media/big.mp3` (the audio of episode 1, so serving it
//! is counted for the listening statistics) and a catalogue of EPISODES
//! synthetic episodes, then serves it on 127.0.0.1:PORT with WORKERS
//! runtime threads (default 1) until Ctrl-C or SIGTERM. `BENCH_STATS=off`
//! turns counting off (`[stats] enabled = false`), for side-by-side runs.
//!
//! The catalogue is made by a child process (`bench_server --prepare …`),
//! so the server's peak resident memory is that of serving the catalogue,
//! as `podcatalog serve` on an existing database would, not of generating
//! 10,000 synthetic episodes.

use std::path::Path;

use podcatalog::catalog;
use podcatalog::config::Config;
use podcatalog::feed::synthetic;
use podcatalog::web::{self, AppState};

fn main() -> anyhow::Result<()> {
    web::memory::limit_arenas();
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let prepare_only = args.first().is_some_and(|a| a == "--prepare");
    if prepare_only {
        args.remove(0);
    }
    let [dir, port, episodes, rest @ ..] = args.as_slice() else {
        anyhow::bail!("usage: bench_server DIR PORT EPISODES [WORKERS]");
    };
    let workers: usize = rest.first().map_or(Ok(1), |w| w.parse())?;
    let dir = Path::new(dir);
    if prepare_only {
        prepare(dir, port, episodes.parse()?)?;
        return Ok(());
    }
    let status = std::process::Command::new(std::env::current_exe()?)
        .arg("--prepare")
        .args([dir.as_os_str(), port.as_ref(), episodes.as_ref()])
        .status()?;
    anyhow::ensure!(status.success(), "preparing the catalogue failed");
    let config = Config::load(&dir.join("feed-config.toml"))?;
    let conn = catalog::open(&config.server.database)?;
    // `PODCATALOG_PORTABLE_IO=1` measures the portable path, as `serve` does.
    let state = AppState::new(config, conn)?.with_io(web::Io::from_env());
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()?
        .block_on(async move {
            let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
            web::serve(listener, state, web::shutdown_signal()).await?;
            Ok(())
        })
}

fn prepare(dir: &Path, port: &str, n: usize) -> anyhow::Result<Config> {
    let media = dir.join("media");
    std::fs::create_dir_all(&media)?;
    let text = include_str!("../feed-config.toml").replace(
        "base_url = \"http://127.0.0.1:8080/\"",
        &format!("base_url = \"http://127.0.0.1:{port}/\""),
    );
    let text = if std::env::var("BENCH_STATS").is_ok_and(|v| v == "off") {
        format!("{text}\n[stats]\nenabled = false\n")
    } else {
        text
    };
    std::fs::write(dir.join("feed-config.toml"), text)?;
    let big = media.join("big.mp3");
    if !big.exists() {
        let chunk: Vec<u8> = (0..1_048_576u32).map(|i| (i % 251) as u8).collect();
        let mut data = Vec::with_capacity(50 * chunk.len());
        for _ in 0..50 {
            data.extend_from_slice(&chunk);
        }
        std::fs::write(&big, data)?;
    }
    let config = Config::load(&dir.join("feed-config.toml"))?;
    let _ = std::fs::remove_file(&config.server.database);
    let mut conn = catalog::open(&config.server.database)?;
    let tx = conn.transaction()?;
    catalog::themes::sync(&tx, &config.themes)?;
    for mut ep in synthetic::episodes(n) {
        if ep.data.number == Some(1) {
            // 50 MiB over 50 minutes: about a mebibyte a minute.
            ep.data.audio.source = catalog::AudioSource::File("big.mp3".into());
            ep.data.audio.bytes = 50 * 1_048_576;
            ep.data.audio.duration_ms = 50 * 60_000;
        }
        catalog::episodes::save(&tx, &ep.guid, &ep.data, &ep.created_at)?;
    }
    tx.commit()?;
    Ok(config)
}
