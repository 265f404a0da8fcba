//! `podcatalog probe`: report what the probe finds in audio files or URLs.
//!
//! Probes every input in parallel (rayon), shows a progress bar on stderr
//! only when stderr is a terminal, then prints results in input order: a
//! table, or with `--json` one JSON object per line. Failures never stop the
//! run; they are reported and make the exit code non-zero.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::probe::{AudioInfo, ProbeError};
use crate::remote::{Remote, RemoteError, RemoteOptions};

/// Why one input could not be probed: a local file or a URL.
#[derive(Debug, thiserror::Error)]
enum Failure {
    /// A local file.
    #[error(transparent)]
    Local(#[from] ProbeError),
    /// A URL.
    #[error(transparent)]
    Remote(#[from] RemoteError),
    /// The HTTP client could not start.
    #[error("{0}")]
    Setup(String),
}

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

/// One line of `--json` output for a probed file.
#[derive(serde::Serialize)]
struct JsonOk<'a> {
    path: String,
    #[serde(flatten)]
    info: &'a AudioInfo,
}

/// One line of `--json` output for a failure.
#[derive(serde::Serialize)]
struct JsonErr {
    path: String,
    error: String,
}

/// Probes every input; non-zero exit when any failed.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let results = probe_all(&args.inputs);
    let mut out = std::io::stdout().lock();
    if !args.json {
        writeln!(
            out,
            "{:>12}  {:>10}  {:<10}  {:<6}  {:>6}  {:>2}  {:>5}  PATH",
            "DURATION", "BYTES", "MIME", "CODEC", "RATE", "CH", "KBPS"
        )?;
    }
    let mut failed = false;
    for (input, result) in args.inputs.iter().zip(&results) {
        failed |= result.is_err();
        if args.json {
            writeln!(out, "{}", json_line(input, result)?)?;
        } else {
            table_line(&mut out, input, result)?;
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Probes all inputs on rayon's pool, keeping input order. One HTTP client
/// serves every URL, so connections to the same host are reused.
fn probe_all(inputs: &[PathBuf]) -> Vec<Result<AudioInfo, Failure>> {
    // Building the TLS client costs milliseconds: only when a URL is given.
    let any_url = inputs
        .iter()
        .any(|i| i.to_str().is_some_and(crate::remote::is_url));
    let remote = any_url.then(|| Remote::new(RemoteOptions::default()));
    let bar = if std::io::stderr().is_terminal() && inputs.len() > 1 {
        ProgressBar::new(inputs.len() as u64)
    } else {
        ProgressBar::hidden()
    };
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} probed, {eta} left") {
        bar.set_style(style);
    }
    let results = inputs
        .par_iter()
        .map(|input| {
            let result = probe_input(input, &remote);
            bar.inc(1);
            result
        })
        .collect();
    bar.finish_and_clear();
    results
}

/// Probes one input.
fn probe_input(
    input: &Path,
    remote: &Option<Result<Remote, RemoteError>>,
) -> Result<AudioInfo, Failure> {
    match (input.to_str().filter(|s| crate::remote::is_url(s)), remote) {
        (Some(url), Some(Ok(remote))) => Ok(remote.probe(url)?),
        (Some(url), Some(Err(e))) => Err(Failure::Setup(format!("{url}: {e}"))),
        (Some(url), None) => Err(Failure::Setup(format!("{url}: no HTTP client"))),
        (None, _) => Ok(crate::probe::probe_file(input)?),
    }
}

/// The `--json` line for one result.
fn json_line(input: &Path, result: &Result<AudioInfo, Failure>) -> serde_json::Result<String> {
    let path = input.display().to_string();
    match result {
        Ok(info) => serde_json::to_string(&JsonOk { path, info }),
        Err(e) => serde_json::to_string(&JsonErr {
            path,
            error: e.to_string(),
        }),
    }
}

/// One table row on stdout; warnings and errors go to stderr.
fn table_line(
    out: &mut impl Write,
    input: &Path,
    result: &Result<AudioInfo, Failure>,
) -> std::io::Result<()> {
    match result {
        Ok(i) => {
            writeln!(
                out,
                "{:>12}  {:>10}  {:<10}  {:<6}  {:>6}  {:>2}  {:>5}  {}",
                clock(i.duration_ms),
                i.bytes,
                i.mime,
                i.codec,
                i.sample_rate,
                i.channels,
                i.bitrate / 1000,
                input.display()
            )?;
            for w in &i.warnings {
                eprintln!("warning: {}: {w}", input.display());
            }
        }
        Err(e) => eprintln!("error: {e}"),
    }
    Ok(())
}

/// `h:mm:ss.mmm` for a duration in milliseconds.
fn clock(ms: u64) -> String {
    let s = ms / 1000;
    format!(
        "{}:{:02}:{:02}.{:03}",
        s / 3600,
        s / 60 % 60,
        s % 60,
        ms % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_formats_hours() {
        assert_eq!(clock(3_723_004), "1:02:03.004");
        assert_eq!(clock(999), "0:00:00.999");
    }

    #[test]
    fn json_error_line_names_path_and_error() {
        let err = ProbeError::Empty {
            path: "a.mp3".into(),
        };
        let line = json_line(Path::new("a.mp3"), &Err(err.into())).expect("serialises");
        assert_eq!(
            line,
            r#"{"path":"a.mp3","error":"a.mp3: empty file (0 bytes)"}"#
        );
    }
}
