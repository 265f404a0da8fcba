//! The `podcatalog` command line: one file per subcommand, each with its
//! clap `Args` and a `run` function. Doc comments are the help text.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub mod probe;

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
    /// Probe audio files or https URLs: exact duration, size, type.
    Probe(probe::Args),
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Probe(args) => probe::run(&args),
    }
}
