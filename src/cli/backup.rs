//! `podcatalog backup`: a consistent copy of the catalogue, safe to take
//! while the server runs and while other commands write.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Context;
use crate::catalog::backup;

/// Arguments of `podcatalog backup`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to write the copy (a single SQLite file).
    pub file: PathBuf,
    /// Replace FILE if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Copies the catalogue with SQLite's online backup and checks the copy.
pub fn run(args: &Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    let config = ctx.config()?;
    let copied = backup::backup(&config.server.database, &args.file, args.force)?;
    println!(
        "backed up {} episodes to {} ({} bytes, integrity ok)",
        copied.episodes,
        args.file.display(),
        copied.bytes
    );
    Ok(ExitCode::SUCCESS)
}
