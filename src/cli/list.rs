//! `podcatalog list`: every episode, newest first, with people and themes.

use std::process::ExitCode;

use serde::Serialize;

use super::Context;
use crate::catalog::{Episode, episodes};

/// Arguments of `podcatalog list`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A JSON array instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// One episode in `list --json`.
#[derive(Serialize)]
struct Item<'a> {
    number: Option<u32>,
    title: &'a str,
    date: String,
    date_approximate: bool,
    published_at: String,
    slug: &'a str,
    guid: &'a str,
    duration_ms: u64,
    people: Vec<Person<'a>>,
    themes: &'a [String],
}

#[derive(Serialize)]
struct Person<'a> {
    name: &'a str,
    role: &'a str,
    title: Option<&'a str>,
}

fn item(ep: &Episode) -> Item<'_> {
    let d = &ep.data;
    Item {
        number: d.number,
        title: &d.title,
        date: d.published_at.format("%Y-%m-%d").to_string(),
        date_approximate: d.date_approximate,
        published_at: d.published_at.to_rfc3339(),
        slug: &d.slug,
        guid: &ep.guid,
        duration_ms: d.audio.duration_ms,
        people: d
            .credits
            .iter()
            .map(|c| Person {
                name: &c.name,
                role: c.role.as_str(),
                title: c.affiliation.as_deref(),
            })
            .collect(),
        themes: &d.themes,
    }
}

/// Prints the list.
pub fn run(args: &Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    let config = ctx.config()?;
    let conn = ctx.open(&config)?;
    let all = episodes::list(&conn)?;
    if args.json {
        let items: Vec<Item> = all.iter().map(item).collect();
        println!("{}", serde_json::to_string_pretty(&items)?);
        return Ok(ExitCode::SUCCESS);
    }
    for ep in &all {
        print_episode(ep);
    }
    eprintln!("{} episodes", all.len());
    Ok(ExitCode::SUCCESS)
}

fn print_episode(ep: &Episode) {
    let d = &ep.data;
    let number = d
        .number
        .map_or_else(|| "  -".to_string(), |n| format!("#{n:<3}"));
    // `2022-11~   ` when only the month is known: never a day we don't know.
    let date = if d.date_approximate {
        format!("{}~   ", d.published_at.format("%Y-%m"))
    } else {
        format!("{} ", d.published_at.format("%Y-%m-%d"))
    };
    println!(
        "{number} {date}{:>7}  {}",
        super::format_duration(d.audio.duration_ms),
        d.title
    );
    for c in &d.credits {
        let title = c
            .affiliation
            .as_deref()
            .map(|a| format!(" ({a})"))
            .unwrap_or_default();
        println!("      {}: {}{title}", c.role.as_str(), c.name);
    }
    if !d.themes.is_empty() {
        println!("      themes: {}", d.themes.join(", "));
    }
}
