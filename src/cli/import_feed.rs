//! `podcatalog import-feed`: move a published show in from its RSS feed (a
//! URL or a file). Parsing is `import_feed`, matching and writing is
//! `ingest::from_feed`; this file reads the source, runs them in order and
//! reports. Nothing is written before every item is planned and measured,
//! and then everything in one transaction.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};

use super::Context;
use crate::config::Config;
use crate::ingest::from_feed::{self, AudioMode, Known, Measurer, Plan, ThemeMap};
use crate::remote::{Remote, RemoteOptions};

mod report;

use report::Report;

/// Largest feed accepted, compressed or not: the biggest real feeds (a
/// thousand episodes with long notes) are a few MB.
pub const MAX_FEED_BYTES: u64 = 50 * 1024 * 1024;

/// Arguments of `podcatalog import-feed`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The show's current feed: an http(s) URL or a local file.
    pub source: String,
    /// Parse, probe and print the plan; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// One JSON object per item, then a `{"summary": …}` line.
    #[arg(long)]
    pub json: bool,
    /// Copy the audio into the media folder (else it stays where it is, probed).
    #[arg(long, conflicts_with = "no_probe")]
    pub download: bool,
    /// Trust the feed's lengths and durations instead of probing; `check` lists them as unverified.
    #[arg(long)]
    pub no_probe: bool,
    /// Import the good items and report the others (default: all or nothing).
    #[arg(long)]
    pub skip_bad: bool,
    /// A TOML file mapping the old feed's categories and keywords to theme slugs.
    #[arg(long, value_name = "FILE")]
    pub theme_map: Option<PathBuf>,
    /// Where to write the proposed config (feed-config.toml itself is never overwritten).
    #[arg(long, value_name = "FILE", default_value = "feed-config.imported.toml")]
    pub config_out: PathBuf,
    /// Audio files probed or downloaded at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=32))]
    pub jobs: u16,
}

/// Reads, plans, measures, reports, and (unless told not to) writes.
pub fn run(args: &Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    if same_file(&args.config_out, &ctx.config_path) {
        bail!(
            "--config-out {}: that is the config in use; the proposal never overwrites it",
            args.config_out.display()
        );
    }
    let remote = Remote::new(remote_options())?;
    let (bytes, base) = read_source(&args.source, &remote)?;
    let feed = crate::import_feed::parse(&bytes, base.as_ref())
        .with_context(|| format!("{}: cannot import", args.source))?;
    for w in &feed.warnings {
        eprintln!("warning: {}: {w}", args.source);
    }
    let existing = ctx.config_path.exists();
    let current = existing
        .then(|| std::fs::read_to_string(&ctx.config_path))
        .transpose()
        .with_context(|| format!("{}: cannot read", ctx.config_path.display()))?;
    let derived = base.as_ref().map(|u| crate::feed::podcast_guid(u.as_str()));
    let proposal = from_feed::propose(current.as_deref(), &feed.channel, derived);
    let config = match existing {
        true => ctx.config()?,
        false => new_project_config(&proposal, &ctx.config_path)?,
    };
    let mut conn = match (args.dry_run, config.server.database.exists()) {
        (false, _) if existing => Some(ctx.open(&config)?),
        (_, true) => Some(ctx.open(&config)?),
        _ => None,
    };
    let mut known = match &conn {
        Some(c) => Known::load(c)?,
        None => Known::default(),
    };
    let themes = theme_map(args.theme_map.as_deref(), &config)?;
    let mut plan = Plan::new(&feed, &mut known, &themes);
    measure(args, &remote, &config, &mut plan, &known)?;
    let report = Report {
        args,
        plan: &plan,
        config_out: match existing {
            true => args.config_out.clone(),
            false => ctx.config_path.clone(),
        },
    };
    report.items();
    stop_on_problems(args, &config, &plan, &report, &proposal)?;
    if args.dry_run {
        report.summary(None, &proposal);
        return Ok(ExitCode::SUCCESS);
    }
    let written = write(ctx, &config, existing, &mut conn, &plan, &proposal, args)?;
    report.summary(Some(&written), &proposal);
    Ok(ExitCode::SUCCESS)
}

/// Measures every item's audio the way the flags ask, then settles actions.
fn measure(
    args: &Args,
    remote: &Remote,
    config: &Config,
    plan: &mut Plan,
    known: &Known,
) -> anyhow::Result<()> {
    let mode = match (args.no_probe, args.download && !args.dry_run) {
        (true, _) => AudioMode::Trust,
        (false, true) => AudioMode::Download,
        (false, false) => AudioMode::Probe,
    };
    let media_dir = &config.server.media_dir;
    if mode == AudioMode::Download {
        std::fs::create_dir_all(media_dir)
            .with_context(|| format!("{}: cannot create", media_dir.display()))?;
    }
    Measurer {
        mode,
        remote,
        media_dir,
        jobs: usize::from(args.jobs),
    }
    .measure(plan, known);
    plan.settle(known);
    Ok(())
}

/// All or nothing: any problem (without `--skip-bad`) ends the run with
/// every problem listed, after putting this run's downloads back.
fn stop_on_problems(
    args: &Args,
    config: &Config,
    plan: &Plan,
    report: &Report,
    proposal: &from_feed::Proposal,
) -> anyhow::Result<()> {
    let problems = plan.problems();
    if problems.is_empty() || args.skip_bad {
        return Ok(());
    }
    keep_downloads_for_resuming(plan, &config.server.media_dir);
    report.summary(None, proposal);
    let list: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
    bail!(
        "{}: {} problems, nothing was changed (--skip-bad imports the rest):\n{}",
        args.source,
        problems.len(),
        list.join("\n")
    );
}

/// Environment variable that shortens the HTTP timeouts, in milliseconds
/// (a slow old host may want longer; tests want shorter).
pub const TIMEOUT_ENV: &str = "PODCATALOG_HTTP_TIMEOUT_MS";

/// The remote options: plain http allowed (the producer named this feed, and
/// old hosts still serve it), timeouts from [`TIMEOUT_ENV`] when set.
fn remote_options() -> RemoteOptions {
    let mut opts = RemoteOptions {
        allow_plain_http: true,
        sample_mp3: true,
        // Sampling reads a few KB at a few places: small blocks.
        block_size: 16 * 1024,
        ..RemoteOptions::default()
    };
    let ms = std::env::var(TIMEOUT_ENV)
        .ok()
        .and_then(|v| v.trim().parse().ok());
    if let Some(ms) = ms {
        let t = std::time::Duration::from_millis(ms);
        (opts.connect_timeout, opts.read_timeout) = (t, t);
    }
    opts
}

/// The feed's bytes and the URL relative links resolve against.
fn read_source(source: &str, remote: &Remote) -> anyhow::Result<(Vec<u8>, Option<url::Url>)> {
    if crate::remote::is_url(source) {
        if source
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("http:")
        {
            eprintln!(
                "warning: {source}: plain http; the feed and its audio can be altered on the way"
            );
        }
        let doc = remote.fetch_document(source, MAX_FEED_BYTES)?;
        return Ok((doc.bytes, Some(doc.url)));
    }
    let path = Path::new(source);
    let len = std::fs::metadata(path)
        .with_context(|| format!("{source}: cannot read"))?
        .len();
    if len > MAX_FEED_BYTES {
        bail!("{source}: {len} bytes is larger than a feed can be ({MAX_FEED_BYTES}); refused");
    }
    let bytes = std::fs::read(path).with_context(|| format!("{source}: cannot read"))?;
    Ok((bytes, None))
}

/// In a folder without `feed-config.toml`, the proposal becomes it: its
/// paths resolved as [`Config::load`] would.
fn new_project_config(proposal: &from_feed::Proposal, path: &Path) -> anyhow::Result<Config> {
    if let Some(why) = &proposal.invalid {
        bail!(
            "{} does not exist and the feed's channel does not make a valid one: {why}; write it first",
            path.display()
        );
    }
    let mut config = Config::parse(&proposal.text, &path.display().to_string())?;
    config.resolve_paths(path);
    Ok(config)
}

fn theme_map(path: Option<&Path>, config: &Config) -> anyhow::Result<ThemeMap> {
    let Some(path) = path else {
        return Ok(ThemeMap::default());
    };
    let text = crate::ingest::read_text(path)?;
    Ok(ThemeMap::parse(&text, &path.display().to_string(), config)?)
}

/// Files downloaded this run go back to their partial names when nothing
/// is written: media/ shows no new episode file, and the next run finds
/// them complete instead of downloading them again.
fn keep_downloads_for_resuming(plan: &Plan, media_dir: &Path) {
    for p in &plan.items {
        if let (Some(file), Some(enc)) = (&p.created_file, &p.item.enclosure) {
            let partial = from_feed::partial_path(media_dir, &enc.url);
            let _ = std::fs::rename(file, partial);
        }
    }
}

/// Writes the episodes, then the proposed config.
fn write(
    ctx: &Context,
    config: &Config,
    existing: bool,
    conn: &mut Option<rusqlite::Connection>,
    plan: &Plan,
    proposal: &from_feed::Proposal,
    args: &Args,
) -> anyhow::Result<crate::ingest::Summary> {
    let config_out = if existing {
        args.config_out.clone()
    } else {
        // A new project: the proposal is its config (nothing is overwritten).
        for dir in [&config.server.media_dir, &config.server.episodes_dir] {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("{}: cannot create", dir.display()))?;
        }
        ctx.config_path.clone()
    };
    if !existing {
        super::write_atomically(&config_out, &proposal.text)?;
    }
    let conn = match conn {
        Some(c) => c,
        None => conn.insert(ctx.open(config)?),
    };
    let summary = from_feed::write(conn, config, plan);
    if summary.is_err() {
        keep_downloads_for_resuming(plan, &config.server.media_dir);
    }
    let summary = summary?;
    from_feed::forget_partials(plan, &config.server.media_dir);
    if existing {
        super::write_atomically(&config_out, &proposal.text)?;
    }
    Ok(summary)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}
