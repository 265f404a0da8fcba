//! `podcatalog edit`: change fields of a stored episode. The guid never changes.

use std::process::ExitCode;

use super::Context;
use super::fields::FieldArgs;
use crate::catalog::{episodes, file};

/// Arguments of `podcatalog edit`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The episode: number, slug or guid.
    pub episode: String,
    /// Fields to change.
    #[command(flatten)]
    pub fields: FieldArgs,
}

/// Applies the changes in one transaction; prints what happened.
pub fn run(args: &Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    let config = ctx.config()?;
    let mut conn = ctx.open(&config)?;
    let ep = episodes::find(&conn, &args.episode)?;
    let mut base: toml::Table = file::render(&ep).parse()?;
    // A title or number change should move the slug too, unless one is given;
    // the old slug keeps working as a redirect.
    if args.fields.title.is_some() || args.fields.number.is_some() || args.fields.no_number {
        base.remove("slug");
    }
    let mut draft = super::draft_from(&args.fields, base, &config, args.fields.audio.is_some())?;
    draft.guid = Some(ep.guid.clone());
    let saved = crate::ingest::save_one(
        &mut conn,
        &config,
        &ep.guid,
        draft,
        args.fields.audio.as_deref(),
    )?;
    let what = match saved {
        episodes::Saved::Unchanged => "unchanged",
        _ => "updated",
    };
    println!("{what}: \"{}\" (guid {})", ep.data.title, ep.guid);
    Ok(ExitCode::SUCCESS)
}
