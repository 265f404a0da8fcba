//! `podcatalog export`: every episode as an editable file; `import` of the
//! result gives the same catalogue back.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;

use super::Context;
use crate::catalog::{episodes, file, people};

/// Arguments of `podcatalog export`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder to write into (created if missing).
    pub dir: PathBuf,
}

/// Writes one file per episode plus `people.toml`, each atomically.
pub fn run(args: &Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    let config = ctx.config()?;
    let conn = ctx.open(&config)?;
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("{}: cannot create", args.dir.display()))?;
    let all = episodes::list(&conn)?;
    let mut written = Vec::new();
    for ep in &all {
        let name = file::file_name(&ep.data);
        super::write_atomically(&args.dir.join(&name), &file::render(ep))?;
        written.push(name);
    }
    if let Some(text) = file::render_people(&people::list(&conn)?) {
        super::write_atomically(&args.dir.join(file::PEOPLE_FILE), &text)?;
        written.push(file::PEOPLE_FILE.to_string());
    }
    warn_about_strays(&args.dir, &written);
    println!(
        "wrote {} episode files to {}",
        all.len(),
        args.dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Other `.toml` files in the folder would be imported too; say so.
fn warn_about_strays(dir: &std::path::Path, written: &[String]) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.ends_with(".toml") && !written.contains(&name) {
            eprintln!(
                "warning: {}: not written by this export; `import` would read it too",
                e.path().display()
            );
        }
    }
}
