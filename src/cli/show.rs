//! `podcatalog show`: one episode in full.

use std::process::ExitCode;

use super::Context;
use crate::catalog::{AudioSource, Episode, episodes};

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
    print_analysis(&ep);
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

/// Loudness and chapters as decoding the audio found them, and which
/// chapters are published: the episode file's own win over the audio's.
fn print_analysis(ep: &Episode) {
    let Some(a) = &ep.analysis else {
        if ep.data.chapters.is_some() {
            print_chapters_file(ep, 0);
        }
        return;
    };
    let db = |v: Option<f64>| v.map_or_else(|| "-".into(), |v| format!("{v:.1}"));
    match (&a.loudness_error, a.lufs) {
        (Some(e), _) => println!("loudness:   {e}"),
        (None, None) => println!("loudness:   silent (below the -70 LUFS gate)"),
        (None, Some(_)) => println!(
            "loudness:   {} LUFS integrated, range {} LU, true peak {} dBTP",
            db(a.lufs),
            db(a.lra),
            db(a.true_peak_dbtp)
        ),
    }
    for w in &a.warnings {
        println!("            warning: {w}");
    }
    if ep.data.chapters.is_some() {
        print_chapters_file(ep, a.chapters.len());
    } else if !a.chapters.is_empty() {
        println!(
            "chapters:   {} from the audio file (published as chapters JSON)",
            a.chapters.len()
        );
        for c in &a.chapters {
            println!(
                "            {}  {}",
                super::format_duration(c.start_ms),
                c.title
            );
        }
    }
}

/// The episode file names its own chapters file: that one is published.
fn print_chapters_file(ep: &Episode, in_audio: usize) {
    let name = ep.data.chapters.as_deref().unwrap_or_default();
    let ignored = match in_audio {
        0 => String::new(),
        n => format!("; the {n} chapters in the audio file are not published"),
    };
    println!("chapters:   {name} (the episode file's own{ignored})");
}
