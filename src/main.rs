//! The `podcatalog` binary: parse the command line, start logging, run, and
//! print the whole error chain once on failure.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                // Warnings, and the request log of `serve` (one line a request).
                .unwrap_or_else(|_| {
                    tracing_subscriber::EnvFilter::new("warn,podcatalog::access=info")
                }),
        )
        .with_writer(std::io::stderr)
        // Colours for a terminal only: the request log goes to journals and files.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let cli = podcatalog::cli::Cli::parse();
    match podcatalog::cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
