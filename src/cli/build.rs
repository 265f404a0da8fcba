//! `podcatalog build OUT/`: the feeds, the website and the media as static
//! files for any static host or CDN, laid out as `serve` serves them (pages
//! as `path.html`; search needs the server).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use url::Url;

use super::Context;
use crate::catalog::episodes;
use crate::feed::{Feed, links};

/// Arguments of `podcatalog build`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder to write into (created if missing).
    pub out: PathBuf,
    /// Base URL the files will be published under (default: `channel.base_url`).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<Url>,
}

/// Writes `feed.xml`, `personer/*/feed.xml`, `teman/*/feed.xml`, the
/// website's pages and assets, and `media/`.
pub fn run(args: &Args, ctx: &Context) -> anyhow::Result<ExitCode> {
    let mut config = ctx.config()?;
    if let Some(url) = &args.base_url {
        super::serve::set_base_url(&mut config, url)?;
    }
    let mut conn = ctx.open(&config)?;
    let all = episodes::list(&conn)?;
    let now = chrono::Utc::now();
    let out = &args.out;
    let mut feeds = vec![(
        out.join(&config.server.feed_path),
        Feed::main(&config, &all),
    )];
    let people: BTreeSet<&str> = all
        .iter()
        .flat_map(|e| &e.data.credits)
        .map(|c| c.slug.as_str())
        .collect();
    for slug in people {
        if let Some(f) = Feed::person(&config, &all, slug) {
            feeds.push((out.join("personer").join(slug).join(links::FEED_FILE), f));
        }
    }
    for theme in &config.themes {
        if let Some(f) = Feed::theme(&config, &all, &theme.slug) {
            let path = out.join("teman").join(&theme.slug).join(links::FEED_FILE);
            feeds.push((path, f));
        }
    }
    for (path, feed) in &feeds {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("{}: cannot create", dir.display()))?;
        }
        super::write_atomically(path, &feed.render(&config, now))?;
    }
    let pages = write_pages(&config, &mut conn, out, now)?;
    write_chapter_images(&config.server.media_dir, &all, out)?;
    let copied = copy_media(&config.server.media_dir, &out.join("media"))?;
    println!(
        "wrote {} feeds, {pages} pages and {copied} media files to {}",
        feeds.len(),
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Renders the website into `out`; returns the number of files written.
fn write_pages(
    config: &crate::config::Config,
    conn: &mut rusqlite::Connection,
    out: &Path,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<usize> {
    use crate::web::pages::{Catalogue, Site, search, static_site};
    let catalogue = Catalogue::load(conn, now)?;
    let site = Site::new(config, &catalogue, now);
    let newest = crate::search::search(conn, &search::Request::parse(None).query(&site))?;
    let old = episodes::old_slugs(conn)?;
    let files = static_site::files(&site, &config.server.media_dir, &newest, &old);
    for (rel, text) in &files {
        let path = out.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("{}: cannot create", dir.display()))?;
        }
        super::write_atomically(&path, text)?;
    }
    Ok(files.len())
}

/// Writes the chapter images of the episodes whose chapters JSON
/// `write_pages` wrote (public ones), read from their audio files.
fn write_chapter_images(
    media: &Path,
    all: &[crate::catalog::Episode],
    out: &Path,
) -> anyhow::Result<()> {
    use crate::feed::chapters;
    for e in all {
        let slug = &e.data.slug;
        let dir = out.join(chapters::DIR).join(slug);
        let (Some(marks), crate::catalog::AudioSource::File(name)) =
            (chapters::embedded(e), &e.data.audio.source)
        else {
            continue;
        };
        if !dir.with_extension("json").exists() {
            continue;
        }
        for (i, c) in marks.iter().enumerate() {
            let Some(data) = c.image.as_ref().and_then(|im| im.read(&media.join(name))) else {
                continue;
            };
            let ext = c.image.as_ref().map_or("jpg", |im| im.extension());
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("{}: cannot create", dir.display()))?;
            let path = dir.join(format!("{}.{ext}", i + 1));
            std::fs::write(&path, data)
                .with_context(|| format!("{}: cannot write", path.display()))?;
        }
    }
    Ok(())
}

/// Hard-links (or, across file systems, copies) every visible regular file
/// of the media folder; files already identical in size are left alone.
fn copy_media(from: &Path, to: &Path) -> anyhow::Result<usize> {
    std::fs::create_dir_all(to).with_context(|| format!("{}: cannot create", to.display()))?;
    let mut count = 0;
    let entries =
        std::fs::read_dir(from).with_context(|| format!("{}: cannot read", from.display()))?;
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') || !entry.file_type()?.is_file() {
            continue;
        }
        let target = to.join(&name);
        let src_len = entry.metadata()?.len();
        if std::fs::metadata(&target).is_ok_and(|m| m.len() == src_len) {
            count += 1;
            continue;
        }
        let _ = std::fs::remove_file(&target);
        if std::fs::hard_link(entry.path(), &target).is_err() {
            std::fs::copy(entry.path(), &target)
                .with_context(|| format!("{}: cannot copy", target.display()))?;
        }
        count += 1;
    }
    Ok(count)
}
