//! The `podcatalog` command line: one file per subcommand, each with its
//! clap `Args` and a `run` function. Doc comments are the help text.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use rusqlite::Connection;

use crate::catalog::file::{self, Draft};
use crate::config::Config;

mod add;
mod backup;
mod build;
mod check;
mod edit;
mod export;
mod feed;
mod fields;
mod import;
mod import_feed;
mod list;
mod people;
pub mod probe;
mod remove;
mod serve;
mod show;
mod stats;
mod themes;

/// Podcast feed and episode catalogue.
#[derive(Debug, Parser)]
#[command(name = "podcatalog", version, about)]
pub struct Cli {
    /// The channel configuration file; paths in it are relative to its folder.
    #[arg(
        long,
        global = true,
        default_value = "feed-config.toml",
        env = "PODCATALOG_CONFIG"
    )]
    pub config: PathBuf,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add an episode from flags or an episode file; `--audio` probes and copies the audio.
    Add(add::Args),
    /// Change an episode; unchanged fields keep their values.
    Edit(edit::Args),
    /// Remove an episode (needs --yes).
    Remove(remove::Args),
    /// List episodes, newest first.
    List(list::Args),
    /// Show one episode in full.
    Show(show::Args),
    /// Import episode files (all or nothing; re-running changes nothing).
    Import(import::Args),
    /// Move a published show in from its RSS feed (URL or file); re-running syncs it.
    ImportFeed(import_feed::Args),
    /// Write every episode as an editable file.
    Export(export::Args),
    /// List the people who take part, with their episode counts.
    People(people::Args),
    /// List the themes, with their episode counts.
    Themes(themes::Args),
    /// Check that every episode's audio, themes and fields are in order.
    Check(check::Args),
    /// Probe audio files or https URLs: exact duration, size, type.
    Probe(probe::Args),
    /// Serve the feeds and media over HTTP (creates the catalogue if missing).
    Serve(serve::Args),
    /// Print the feed (or a person's or theme's feed) to stdout.
    Feed(feed::Args),
    /// Write the feeds and media as static files into a folder.
    Build(build::Args),
    /// Copy the catalogue to a file, safely while the server runs.
    Backup(backup::Args),
    /// Listening statistics: downloads by day, episode, app…, an HTML
    /// report, and `stats ingest` for access logs.
    Stats(stats::Args),
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let ctx = Context {
        config_path: cli.config,
    };
    match cli.command {
        Command::Add(args) => add::run(&args, &ctx),
        Command::Edit(args) => edit::run(&args, &ctx),
        Command::Remove(args) => remove::run(&args, &ctx),
        Command::List(args) => list::run(&args, &ctx),
        Command::Show(args) => show::run(&args, &ctx),
        Command::Import(args) => import::run(&args, &ctx),
        Command::ImportFeed(args) => import_feed::run(&args, &ctx),
        Command::Export(args) => export::run(&args, &ctx),
        Command::People(args) => people::run(&args, &ctx),
        Command::Themes(args) => themes::run(&args, &ctx),
        Command::Check(args) => check::run(&args, &ctx),
        Command::Probe(args) => probe::run(&args),
        Command::Serve(args) => serve::run(&args, &ctx),
        Command::Feed(args) => feed::run(&args, &ctx),
        Command::Build(args) => build::run(&args, &ctx),
        Command::Backup(args) => backup::run(&args, &ctx),
        Command::Stats(args) => stats::run(&args, &ctx),
    }
}

/// What every subcommand may need: the config and the catalogue.
pub struct Context {
    config_path: PathBuf,
}

impl Context {
    /// Loads and validates the configuration.
    pub fn config(&self) -> anyhow::Result<Config> {
        Ok(Config::load(&self.config_path)?)
    }

    /// Opens the catalogue, creating and filling it on first use, and
    /// removes temp files a killed copy left in the media folder.
    pub fn open(&self, config: &Config) -> anyhow::Result<Connection> {
        crate::ingest::media::clean_stale_temp_files(&config.server.media_dir);
        crate::ingest::open_or_bootstrap(config)
    }
}

/// Parses an episode table (from a file and/or flags) into a draft. When
/// flags changed nothing, the original file text is parsed so messages
/// carry its line numbers.
fn draft_from(
    fields: &fields::FieldArgs,
    base: toml::Table,
    config: &Config,
    placeholder_audio: bool,
) -> anyhow::Result<Draft> {
    let original = fields.base_table()?;
    let mut table = original.clone().unwrap_or(base);
    fields.apply(&mut table)?;
    if placeholder_audio {
        table.remove("audio_url");
        table.insert("audio".into(), toml::Value::String("pending".into()));
    }
    if let (Some(path), Some(orig)) = (&fields.file, &original) {
        if *orig == table {
            let text = crate::ingest::read_text(path)?;
            return Ok(file::parse(&text, &path.display().to_string(), config)?);
        }
    }
    let text = toml::to_string(&table).context("cannot serialise the episode fields")?;
    file::parse(&text, "episode", config).map_err(|mut e| {
        e.line = None;
        e.into()
    })
}

/// Writes `text` to `path` atomically (temp file in the same folder, fsync, rename).
fn write_atomically(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("{}: cannot write", dir.display()))?;
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().sync_all()?;
    tmp.persist(path)
        .with_context(|| format!("{}: cannot write", path.display()))?;
    Ok(())
}

/// `1:02:03` or `2:03` for a duration in milliseconds.
fn format_duration(ms: u64) -> String {
    let s = ms / 1000;
    match (s / 3600, s / 60 % 60, s % 60) {
        (0, m, s) => format!("{m}:{s:02}"),
        (h, m, s) => format!("{h}:{m:02}:{s:02}"),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }

    #[test]
    fn durations_read_like_a_clock() {
        assert_eq!(super::format_duration(61_999), "1:01");
        assert_eq!(super::format_duration(3_723_000), "1:02:03");
    }
}
