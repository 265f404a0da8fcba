//! `podcatalog serve`: the feed and media server. Creates and fills the
//! catalogue on first use, then serves until Ctrl-C or SIGTERM.

use std::process::ExitCode;

use anyhow::Context as _;
use url::Url;

use super::Context;
use crate::config::Config;
use crate::web;

/// Arguments of `podcatalog serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on, e.g. 127.0.0.1:8080 (default: `server.listen`).
    #[arg(long, value_name = "HOST:PORT")]
    pub addr: Option<String>,
    /// Public base URL every link in the feed starts with. Default:
    /// `channel.base_url`, or this server's own address when that is a
    /// loopback URL (a local preview then links to itself on any port).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<Url>,
}

/// Opens (or creates) the catalogue and serves it.
pub fn run(args: &Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    let mut config = ctx.config()?;
    if let Some(url) = &args.base_url {
        set_base_url(&mut config, url)?;
    }
    let addr = args.addr.clone().unwrap_or(config.server.listen.clone());
    // Before the runtime starts its threads.
    web::memory::limit_arenas();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        // Bind first: a port in use must fail before anything is created.
        let listener = bind(&addr).await?;
        readable_folder(&config.server.media_dir)?;
        let conn = ctx.open(&config)?;
        let local = listener.local_addr()?;
        if args.base_url.is_none() && crate::remote::is_loopback(&config.channel.base_url) {
            let own = Url::parse(&format!("http://{local}{}", config.channel.base_url.path()))?;
            set_base_url(&mut config, &own)?;
        }
        warn_of_publish_errors(&config, &conn)?;
        let state = web::AppState::new(config, conn)?.with_io(web::Io::from_env());
        let feed = crate::feed::Links::for_config(state.config()).feed();
        eprintln!("serving on http://{local}/ (feed: {feed}); Ctrl-C stops");
        web::serve(listener, state, web::shutdown_signal()).await?;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// One line on stderr when the quick publish check finds errors: the
/// server starts regardless (a preview is useful before the feed is
/// ready), but a placeholder must never reach a feed silently. Runs on its
/// own thread so a large catalogue does not delay the start.
fn warn_of_publish_errors(config: &Config, conn: &rusqlite::Connection) -> anyhow::Result<()> {
    let episodes = crate::catalog::episodes::list(conn)?;
    let unverified = crate::catalog::unverified::all(conn)?;
    let config = config.clone();
    std::thread::spawn(move || {
        let quick = crate::publish::Depth::Quick;
        let findings = crate::publish::check(&config, &episodes, &unverified, quick);
        let errors = crate::publish::errors(&findings);
        if let Some(first) = findings.first().filter(|_| errors > 0) {
            eprintln!(
                "warning: {errors} publish error(s), e.g. {}: {}; run `podcatalog check --publish` to see them all",
                first.subject, first.field
            );
        }
    });
    Ok(())
}

/// Binds `addr`, saying plainly when another server already has the port.
async fn bind(addr: &str) -> anyhow::Result<tokio::net::TcpListener> {
    match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => Ok(listener),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => Err(anyhow::anyhow!(
            "cannot listen on {addr}: the address is in use (another podcatalog serve?); \
             stop it or pick another --addr"
        )),
        Err(e) => Err(anyhow::Error::new(e).context(format!("cannot listen on {addr}"))),
    }
}

/// The server and its first import read every file in the media folder;
/// one line about the folder beats one line per unreadable episode.
fn readable_folder(dir: &std::path::Path) -> anyhow::Result<()> {
    std::fs::read_dir(dir)
        .map(drop)
        .with_context(|| format!("{}: cannot read the media folder", dir.display()))
}

/// Replaces the configured base URL, checked as the config file's is.
pub(super) fn set_base_url(config: &mut Config, url: &Url) -> anyhow::Result<()> {
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        anyhow::bail!("--base-url `{url}` must be an http or https URL with a host");
    }
    let mut url = url.clone();
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    config.channel.base_url = url;
    Ok(())
}
