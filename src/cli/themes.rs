//! `podcatalog themes`: the theme vocabulary with episode counts.

use std::process::ExitCode;

use super::Context;
use crate::catalog::{CatalogError, themes};

/// Arguments of `podcatalog themes`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Prints the themes as configured, counted in the catalogue.
pub fn run(args: &Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    let config = ctx.config()?;
    let mut conn = ctx.open(&config)?;
    // The vocabulary lives in the config; bring the table up to date first.
    let tx = crate::catalog::write_transaction(&mut conn)?;
    themes::sync(&tx, &config.themes)?;
    tx.commit().map_err(CatalogError::from)?;
    let all = themes::list(&conn)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&all)?);
        return Ok(ExitCode::SUCCESS);
    }
    for t in &all {
        println!("{:>3}  {:<28} {}", t.episodes, t.slug, t.name);
    }
    Ok(ExitCode::SUCCESS)
}
