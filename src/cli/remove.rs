//! `podcatalog remove`: delete an episode; its audio stays unless asked.

use std::process::ExitCode;

use anyhow::bail;

use super::Context;
use crate::catalog::{AudioSource, CatalogError, episodes};

/// Arguments of `podcatalog remove`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The episode: number, slug or guid.
    pub episode: String,
    /// Really remove it (without this, only say what would be removed).
    #[arg(long)]
    pub yes: bool,
    /// Also delete its audio file from the media folder.
    #[arg(long)]
    pub delete_audio: bool,
}

/// Removes the episode in one transaction, then (if asked) its audio file.
pub fn run(args: &Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    let config = ctx.config()?;
    let mut conn = ctx.open(&config)?;
    let ep = episodes::find(&conn, &args.episode)?;
    if !args.yes {
        bail!(
            "would remove \"{}\" (guid {}); run again with --yes to remove it",
            ep.data.title,
            ep.guid
        );
    }
    let tx = crate::catalog::write_transaction(&mut conn)?;
    episodes::delete(&tx, ep.id)?;
    tx.commit().map_err(CatalogError::from)?;
    println!("removed \"{}\"", ep.data.title);
    if let (true, AudioSource::File(name)) = (args.delete_audio, &ep.data.audio.source) {
        let path = config.server.media_dir.join(name);
        match std::fs::remove_file(&path) {
            Ok(()) => println!("deleted {}", path.display()),
            Err(e) => eprintln!("warning: {}: not deleted: {e}", path.display()),
        }
    }
    Ok(ExitCode::SUCCESS)
}
