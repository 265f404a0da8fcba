//! `podcatalog check`: is every episode still publishable? Audio present
//! with the recorded size, hash and duration; themes known; referenced
//! transcript, chapters and images present.

use std::collections::HashSet;
use std::process::ExitCode;

use rayon::prelude::*;

use super::Context;
use crate::catalog::{AudioSource, Episode, episodes};
use crate::config::Config;
use crate::publish;

mod report;
use crate::ingest::audio::measure_file;

/// Arguments of `podcatalog check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Check everything a directory would reject or a listener would notice
    /// before you publish: Apple's, Spotify's and the Podcast Index's rules
    /// and our own, with what to do about each. Exit status 1 on any error.
    #[arg(long)]
    pub publish: bool,
    /// With --publish: one JSON object per finding (level, rule, channel or
    /// episode, field, message, source).
    #[arg(long, requires = "publish")]
    pub json: bool,
    /// With --publish: ask no remote URL and re-measure no audio (the quick
    /// check `serve` runs at start-up).
    #[arg(long, requires = "publish")]
    pub offline: bool,
}

/// Prints one line per problem; non-zero exit when there is any.
pub fn run(args: &Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    let config = ctx.config()?;
    let conn = ctx.open(&config)?;
    let all = episodes::list(&conn)?;
    let unverified = crate::catalog::unverified::all(&conn)?;
    if args.publish {
        let depth = if args.offline {
            publish::Depth::Quick
        } else {
            publish::Depth::Full
        };
        let findings = publish::check(&config, &all, &unverified, depth);
        return Ok(report::print(&findings, all.len(), args.json));
    }
    let mut problems: Vec<String> = all
        .par_iter()
        .flat_map(|ep| check_episode(&config, ep))
        .collect();
    // Figures from an old feed, never measured (`import-feed --no-probe`).
    problems.extend(
        all.iter()
            .filter(|ep| unverified.contains(&ep.id))
            .map(|ep| {
                format!(
                    "{}: audio length and duration are the imported feed's, unverified; \
             run `podcatalog import-feed` again without --no-probe to measure them",
                    label(ep)
                )
            }),
    );
    for p in &problems {
        println!("{p}");
    }
    report_unreferenced(&config, &all);
    if problems.is_empty() {
        println!("{} episodes checked: all in order", all.len());
        Ok(ExitCode::SUCCESS)
    } else {
        println!(
            "{} episodes checked: {} problems",
            all.len(),
            problems.len()
        );
        Ok(ExitCode::FAILURE)
    }
}

fn label(ep: &Episode) -> String {
    match ep.data.number {
        Some(n) => format!("#{n} \"{}\"", ep.data.title),
        None => format!("\"{}\"", ep.data.title),
    }
}

fn check_episode(config: &Config, ep: &Episode) -> Vec<String> {
    let d = &ep.data;
    let label = label(ep);
    let mut out = Vec::new();
    if let AudioSource::File(name) = &d.audio.source {
        match measure_file(&config.server.media_dir, name) {
            Err(e) => out.push(format!("{label}: audio: {e}")),
            Ok(now) => {
                if now.bytes != d.audio.bytes {
                    out.push(format!(
                        "{label}: audio {name}: {} bytes on disk, {} recorded",
                        now.bytes, d.audio.bytes
                    ));
                }
                if now.sha256 != d.audio.sha256 {
                    out.push(format!(
                        "{label}: audio {name}: content changed since it was recorded"
                    ));
                }
                if now.duration_ms != d.audio.duration_ms {
                    out.push(format!(
                        "{label}: audio {name}: duration {} ms now, {} ms recorded",
                        now.duration_ms, d.audio.duration_ms
                    ));
                }
            }
        }
    }
    for theme in &d.themes {
        if config.theme(theme).is_none() {
            out.push(format!(
                "{label}: theme `{theme}` is not in feed-config.toml"
            ));
        }
    }
    for (what, file) in [
        ("image", &d.image),
        ("transcript", &d.transcript),
        ("chapters", &d.chapters),
    ] {
        // A URL (kept from an imported feed) is the other host's to serve.
        if let Some(f) = file.as_ref().filter(|f| !f.contains("://")) {
            if !config.server.media_dir.join(f).is_file() {
                out.push(format!(
                    "{label}: {what} {f}: missing from the media folder"
                ));
            }
        }
    }
    if d.title.trim().is_empty() {
        out.push(format!("{label}: title is empty"));
    }
    out
}

/// Files in the media folder no episode refers to (notes, not errors).
fn report_unreferenced(config: &Config, all: &[Episode]) {
    let mut used: HashSet<&str> = HashSet::new();
    for ep in all {
        if let AudioSource::File(f) = &ep.data.audio.source {
            used.insert(f);
        }
        for f in [&ep.data.image, &ep.data.transcript, &ep.data.chapters]
            .into_iter()
            .flatten()
        {
            used.insert(f);
        }
    }
    let Ok(entries) = std::fs::read_dir(&config.server.media_dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if !used.contains(name.as_str()) && !name.starts_with('.') && name != config.channel.image {
            eprintln!("note: {}: no episode refers to it", e.path().display());
        }
    }
}
