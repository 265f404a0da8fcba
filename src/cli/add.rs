//! `podcatalog add`: a new episode from flags and/or an episode file.

use std::process::ExitCode;

use anyhow::bail;

use super::Context;
use super::fields::FieldArgs;
use crate::catalog::episodes;

/// Arguments of `podcatalog add`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The episode's fields.
    #[command(flatten)]
    pub fields: FieldArgs,
}

/// Validates everything, probes and copies the audio, writes one transaction.
pub fn run(args: &Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    let config = ctx.config()?;
    let mut conn = ctx.open(&config)?;
    let draft = super::draft_from(
        &args.fields,
        toml::Table::new(),
        &config,
        args.fields.audio.is_some(),
    )?;
    if let Some(guid) = &draft.guid {
        if episodes::by_guid(&conn, guid)?.is_some() {
            bail!("an episode with guid {guid} exists already; use `podcatalog edit` to change it");
        }
    }
    let guid = draft
        .guid
        .clone()
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let title = draft.data.title.clone();
    crate::ingest::save_one(
        &mut conn,
        &config,
        &guid,
        draft,
        args.fields.audio.as_deref(),
    )?;
    let ep = episodes::by_guid(&conn, &guid)?;
    let slug = ep.map(|e| e.data.slug).unwrap_or_default();
    println!("added \"{title}\" ({slug}, guid {guid})");
    Ok(ExitCode::SUCCESS)
}
