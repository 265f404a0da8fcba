//! `podcatalog show`: one episode in full.

use std::process::ExitCode;

use super::Context;
use crate::catalog::{AudioSource, episodes};

/// Arguments of `podcatalog show`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The episode: number, slug or guid.
    pub episode: String,
    /// JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Prints the episode.
pub fn run(args: &Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    let config = ctx.config()?;
    let conn = ctx.open(&config)?;
    let ep = episodes::find(&conn, &args.episode)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&ep)?);
        return Ok(ExitCode::SUCCESS);
    }
    let d = &ep.data;
    println!("title:      {}", d.title);
    if let Some(n) = d.number {
        println!("number:     {n}");
    }
    println!("type:       {}", d.episode_type.as_str());
    if d.date_approximate {
        let month = crate::catalog::known_published(&d.published_at, true);
        println!(
            "published:  {month} (approximate: only the month is known; the feed's pubDate says {})",
            d.published_at.to_rfc3339()
        );
    } else {
        println!("published:  {}", d.published_at.to_rfc3339());
    }
    println!("slug:       {}", d.slug);
    println!("guid:       {}", ep.guid);
    let source = match &d.audio.source {
        AudioSource::File(f) => config.server.media_dir.join(f).display().to_string(),
        AudioSource::Url(u) => u.clone(),
    };
    println!("audio:      {source}");
    println!(
        "            {} bytes, {}, {}",
        d.audio.bytes,
        d.audio.mime,
        super::format_duration(d.audio.duration_ms)
    );
    for c in &d.credits {
        let title = c
            .affiliation
            .as_deref()
            .map(|a| format!(" — {a}"))
            .unwrap_or_default();
        println!("{:<11} {}{title}", format!("{}:", c.role.as_str()), c.name);
    }
    println!("themes:     {}", d.themes.join(", "));
    if let Some(s) = &d.summary {
        println!("summary:    {s}");
    }
    println!("\n{}", d.description);
    Ok(ExitCode::SUCCESS)
}
