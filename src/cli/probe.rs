//! `podcatalog probe`: report what the probe finds in audio files or URLs.

use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `podcatalog probe`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Audio files or https URLs.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// One JSON object per line instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Probes every input; non-zero exit when any failed.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let mut failed = false;
    for input in &args.inputs {
        match crate::probe::probe_file(input) {
            Ok(info) => println!(
                "{}\t{} ms\t{} bytes\t{}",
                input.display(),
                info.duration_ms,
                info.bytes,
                info.mime
            ),
            Err(e) => {
                failed = true;
                eprintln!("error: {e}");
            }
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
