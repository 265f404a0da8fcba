//! `podcatalog people`: everyone who takes part, with episode counts.

use std::process::ExitCode;

use super::Context;
use crate::catalog::people;

/// Arguments of `podcatalog people`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Prints the people.
pub fn run(args: &Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    let config = ctx.config()?;
    let conn = ctx.open(&config)?;
    let all = people::list(&conn)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&all)?);
        return Ok(ExitCode::SUCCESS);
    }
    for p in &all {
        let aliases = if p.aliases.is_empty() {
            String::new()
        } else {
            format!(" (also: {})", p.aliases.join(", "))
        };
        println!(
            "{:>3}  {}{aliases}  [{}]",
            p.episodes,
            p.name,
            p.roles.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}
