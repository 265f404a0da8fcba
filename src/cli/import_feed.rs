//! `podcatalog import-feed`: move a published show in from its RSS feed (a
//! URL or a file). Parsing is `import_feed`, matching and writing is
//! `ingest::from_feed`; this file reads the source, runs them in order and
//! reports. Nothing is written before every item is planned and measured,
//! and then everything in one transaction.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use serde_json::json;

use super::Context;
use crate::config::Config;
use crate::ingest::from_feed::{self, Action, AudioMode, Known, Measurer, Plan, Planned, ThemeMap};
use crate::remote::{Remote, RemoteOptions};

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
    let mode = match (args.no_probe, args.download && !args.dry_run) {
        (true, _) => AudioMode::Trust,
        (false, true) => AudioMode::Download,
        (false, false) => AudioMode::Probe,
    };
    if mode == AudioMode::Download {
        std::fs::create_dir_all(&config.server.media_dir)
            .with_context(|| format!("{}: cannot create", config.server.media_dir.display()))?;
    }
    Measurer {
        mode,
        remote: &remote,
        media_dir: &config.server.media_dir,
        jobs: usize::from(args.jobs),
    }
    .measure(&mut plan, &known);
    plan.settle(&known);
    let report = Report {
        args,
        plan: &plan,
        config_out: if existing {
            args.config_out.clone()
        } else {
            ctx.config_path.clone()
        },
    };
    report.items();
    let problems = plan.problems();
    if !problems.is_empty() && !args.skip_bad {
        keep_downloads_for_resuming(&plan, &config.server.media_dir);
        report.summary(None, &proposal);
        let list: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
        bail!(
            "{}: {} problems, nothing was changed (--skip-bad imports the rest):\n{}",
            args.source,
            problems.len(),
            list.join("\n")
        );
    }
    if args.dry_run {
        report.summary(None, &proposal);
        return Ok(ExitCode::SUCCESS);
    }
    let written = write(ctx, &config, existing, &mut conn, &plan, &proposal, args)?;
    report.summary(Some(&written), &proposal);
    Ok(ExitCode::SUCCESS)
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
        let out = args.config_out.clone();
        if same_file(&out, &ctx.config_path) {
            bail!(
                "--config-out {}: that is the config in use; the proposal never overwrites it",
                out.display()
            );
        }
        out
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

/// Prints the plan as text or JSON lines.
struct Report<'a> {
    args: &'a Args,
    plan: &'a Plan,
    /// Where the proposal goes (the config itself in a new project).
    config_out: PathBuf,
}

impl Report<'_> {
    fn items(&self) {
        for p in &self.plan.items {
            if self.args.json {
                println!("{}", item_json(p));
            } else {
                let action = serde_json::to_value(p.action).unwrap_or_default();
                println!(
                    "{:<9} {}",
                    action.as_str().unwrap_or(""),
                    from_feed::label(&p.item)
                );
                for e in &p.problems {
                    println!("          problem: {e}");
                }
                for n in &p.notes {
                    println!("          note: {n}");
                }
            }
        }
    }

    fn summary(&self, written: Option<&crate::ingest::Summary>, proposal: &from_feed::Proposal) {
        let count = |a: Action| self.plan.items.iter().filter(|p| p.action == a).count();
        let new_people: Vec<&str> = self
            .plan
            .new_people
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        let out = self.config_out.display().to_string();
        if self.args.json {
            let summary = json!({"summary": {
                "items": self.plan.items.len(),
                "add": count(Action::Add),
                "update": count(Action::Update),
                "unchanged": count(Action::Unchanged),
                "skip": count(Action::Skip),
                "problems": self.plan.problems().len(),
                "written": written.is_some(),
                "new_people": new_people,
                "unmapped": self.plan.unmapped,
                "config_out": out,
                "config_diff": proposal.diff,
                "config_notes": proposal.notes,
            }});
            println!("{summary}");
            return;
        }
        println!(
            "{} items: {} to add, {} to update, {} unchanged, {} skipped{}",
            self.plan.items.len(),
            count(Action::Add),
            count(Action::Update),
            count(Action::Unchanged),
            count(Action::Skip),
            if written.is_some() {
                "; written"
            } else {
                "; nothing written"
            },
        );
        if !new_people.is_empty() {
            println!("new people: {}", new_people.join(", "));
        }
        if !self.plan.unmapped.is_empty() {
            let list: Vec<&str> = self.plan.unmapped.iter().map(String::as_str).collect();
            println!(
                "categories and keywords no --theme-map entry maps: {}",
                list.join(", ")
            );
        }
        if proposal.diff.is_empty() {
            println!("the channel agrees with the config");
        } else {
            println!("the channel differs from the config (proposal: {out}):");
            for d in &proposal.diff {
                println!("  {d}");
            }
        }
        for n in &proposal.notes {
            println!("note: {n}");
        }
    }
}

fn item_json(p: &Planned) -> serde_json::Value {
    let item = &p.item;
    let data = p.data.as_ref();
    let audio = data.map(|d| &d.audio);
    json!({
        "guid": p.guid,
        "title": item.title,
        "number": data.map_or(item.number, |d| d.number),
        "season": item.season,
        "type": item.episode_type.as_deref().unwrap_or("full"),
        "published": item.published.map(|d| d.to_rfc3339()),
        "audio_url": item.enclosure.as_ref().map(|e| &e.url),
        "audio_bytes": audio.map(|a| a.bytes).or(item.enclosure.as_ref().and_then(|e| e.length)),
        "mime": audio.map(|a| a.mime.as_str()).filter(|m| !m.is_empty()).or(item.enclosure.as_ref().and_then(|e| e.mime.as_deref())),
        "duration_ms": audio.map(|a| a.duration_ms).or(item.duration_ms),
        "duration_source": p.duration_source,
        "people": p.people.iter().map(|(name, role, group)| json!({"name": name, "role": role, "group": group})).collect::<Vec<_>>(),
        "transcripts": item.transcripts,
        "chapters_url": item.chapters_url,
        "image_url": item.image,
        "link": item.link,
        "action": p.action,
        "problems": p.problems,
        "notes": p.notes,
    })
}
