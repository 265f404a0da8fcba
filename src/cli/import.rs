//! `podcatalog import`: episode files into the catalogue, all or nothing.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Context;

/// Arguments of `podcatalog import`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder of episode files (default: the configured episodes folder).
    pub dir: Option<PathBuf>,
}

/// Validates every file and probes every audio file before one transaction writes them all.
pub fn run(args: &Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    let config = ctx.config()?;
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| config.server.episodes_dir.clone());
    let existed = config.server.database.exists();
    let mut conn = ctx.open(&config)?;
    if !existed && dir == config.server.episodes_dir {
        return Ok(ExitCode::SUCCESS); // opening the new catalogue just imported this folder
    }
    let summary = crate::ingest::import_dir(&mut conn, &config, &dir)?;
    println!("{}: {summary}", dir.display());
    Ok(ExitCode::SUCCESS)
}
