//! `podcatalog stats`: download counts by day, week, month, episode, app or
//! device (text, `--json`, `--csv`), the HTML report (`--html FILE`), and
//! `stats ingest` for nginx, Apache and CDN logs.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use chrono::NaiveDate;

use super::Context;
use crate::catalog::episodes;
use crate::stats::ingest::{self, Input};
use crate::stats::report::{self, By, Filter, Row};

/// Arguments of `podcatalog stats`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    /// Read logs instead of reporting.
    #[command(subcommand)]
    pub action: Option<Action>,
    /// Only this episode (number, slug or guid).
    #[arg(long)]
    pub episode: Option<String>,
    /// From this UTC day on (YYYY-MM-DD).
    #[arg(long, value_parser = day)]
    pub since: Option<NaiveDate>,
    /// Up to this UTC day (YYYY-MM-DD).
    #[arg(long, value_parser = day)]
    pub until: Option<NaiveDate>,
    /// How to group the rows.
    #[arg(long, value_enum, default_value = "episode")]
    pub by: By,
    /// One JSON object per row.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// CSV with a header line.
    #[arg(long)]
    pub csv: bool,
    /// Write the report with charts to this HTML file instead.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// The subscriber estimate per day (distinct feed clients) instead.
    #[arg(long)]
    pub subscribers: bool,
}

/// `stats` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Count downloads from access logs: nginx/Apache "combined" or W3C
    /// extended (`#Fields:`, CloudFront/S3), plain or .gz; `-` reads stdin.
    /// A line already ingested is never counted twice.
    Ingest(IngestArgs),
}

/// Arguments of `podcatalog stats ingest`.
#[derive(Debug, clap::Args)]
pub struct IngestArgs {
    /// Log files (any order: they are read oldest first), or `-`.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Name of the log stream (one per server or CDN distribution).
    #[arg(long, default_value = "default")]
    pub source: String,
}

fn day(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("`{s}` is not a date like 2026-12-07"))
}

/// Runs `stats` or `stats ingest`.
pub fn run(args: &Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    let config = ctx.config()?;
    let mut conn = ctx.open(&config)?;
    if let Some(Action::Ingest(a)) = &args.action {
        return run_ingest(a, &config, &mut conn);
    }
    let all = episodes::list(&conn)?;
    let filter = Filter {
        episode: match &args.episode {
            Some(sel) => Some(episodes::find(&conn, sel)?.guid),
            None => None,
        },
        since: args.since,
        until: args.until,
    };
    if let Some(path) = &args.html {
        let page = crate::stats::html::gather(&conn, &config, &all, &filter)?;
        super::write_atomically(path, &crate::stats::html::render(&page))?;
        eprintln!("wrote {}", path.display());
        return Ok(ExitCode::SUCCESS);
    }
    let (rows, field) = if args.subscribers {
        (
            report::feed_clients(&conn, &filter, &config.server.feed_path)?,
            "day",
        )
    } else {
        (
            report::downloads(&conn, &filter, args.by)?,
            field_of(args.by),
        )
    };
    let names = report::names(&all);
    let episode_of = |guid: &str| match names.get(guid) {
        Some((Some(n), _, _)) => serde_json::Value::from(*n),
        Some((None, slug, _)) => serde_json::Value::from(slug.as_str()),
        None => serde_json::Value::from(guid),
    };
    let value = |r: &Row| match (field, args.by) {
        ("episode", _) => episode_of(&r.key),
        _ => serde_json::Value::from(r.key.as_str()),
    };
    if args.json {
        for r in &rows {
            let mut obj = serde_json::json!({ field: value(r) });
            if let Some(d) = &r.detail {
                obj[detail_of(args.by)] = d.as_str().into();
            }
            obj[if args.subscribers {
                "clients"
            } else {
                "downloads"
            }] = r.downloads.into();
            println!("{obj}");
        }
    } else if args.csv {
        let count = if args.subscribers {
            "clients"
        } else {
            "downloads"
        };
        println!("{field},{},{count}", detail_of(args.by));
        for r in &rows {
            let key = value(r).to_string();
            let key = key.trim_matches('"');
            println!(
                "{},{},{}",
                csv(key),
                csv(r.detail.as_deref().unwrap_or("")),
                r.downloads
            );
        }
    } else {
        print_table(&rows, field, args.subscribers, &names);
    }
    Ok(ExitCode::SUCCESS)
}

fn field_of(by: By) -> &'static str {
    match by {
        By::Day => "day",
        By::Week => "week",
        By::Month => "month",
        By::Episode => "episode",
        By::App => "app",
        By::Device => "device",
    }
}

fn detail_of(by: By) -> &'static str {
    match by {
        By::App => "kind",
        By::Device => "category",
        _ => "detail",
    }
}

fn csv(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn print_table(
    rows: &[Row],
    field: &str,
    subscribers: bool,
    names: &std::collections::HashMap<String, (Option<u32>, String, String)>,
) {
    let total: u64 = rows.iter().map(|r| r.downloads).sum();
    for r in rows {
        let label = match names.get(&r.key).filter(|_| field == "episode") {
            Some((Some(n), _, title)) => format!("#{n} {title}"),
            Some((None, slug, title)) => format!("{slug} {title}"),
            None => match &r.detail {
                Some(d) => format!("{} ({d})", r.key),
                None => r.key.clone(),
            },
        };
        println!("{:>8}  {label}", r.downloads);
    }
    if subscribers {
        let days = rows.len().max(1) as u64;
        println!(
            "subscribers (an estimate: distinct feed clients per day), mean over {} days: {}",
            rows.len(),
            total / days
        );
    } else {
        println!(
            "{total:>8}  downloads in all ({} rows by {field})",
            rows.len()
        );
    }
}

fn run_ingest(
    args: &IngestArgs,
    config: &crate::config::Config,
    conn: &mut rusqlite::Connection,
) -> anyhow::Result<ExitCode> {
    let mut inputs = Vec::new();
    for f in &args.files {
        if f.as_os_str() == "-" {
            inputs.push(Input::Stdin);
        } else {
            ingest::check_input(f)?;
            inputs.push(Input::File(f.clone()));
        }
    }
    let all = episodes::list(conn)?;
    let index = crate::stats::index::MediaIndex::new(&all, &config.server.media_dir);
    let r = ingest::ingest(conn, &index, &config.server.feed_path, inputs, &args.source)
        .context("stats ingest")?;
    println!(
        "{} lines: {} downloads and {} feed clients counted; {} already ingested; {} malformed; {} too late for their day",
        r.lines, r.downloads, r.feed_clients, r.already, r.malformed, r.late
    );
    for e in &r.examples {
        println!("  malformed: {e}");
    }
    Ok(ExitCode::SUCCESS)
}
