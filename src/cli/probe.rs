//! `podcatalog probe`: report what the probe finds in audio files or URLs.
//!
//! Probes every input in parallel (rayon), shows a progress bar on stderr
//! only when stderr is a terminal, then prints results in input order: a
//! table, or with `--json` one JSON object per line. Failures never stop the
//! run; they are reported and make the exit code non-zero. `--loudness`
//! also decodes each input and measures EBU R128 loudness (see
//! `probe::loudness`): one file per core, each in a single pass. A codec
//! without a decoder (Opus) is reported as not measured, not as a failure.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::probe::{AudioInfo, Loudness, ProbeError};
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
    /// Also decode the audio and measure EBU R128 integrated loudness
    /// (LUFS), loudness range (LU) and true peak (dBTP).
    #[arg(long)]
    pub loudness: bool,
}

/// What was learned about one input.
struct Probed {
    info: Result<AudioInfo, Failure>,
    /// With `--loudness`, for an input the probe could read.
    loudness: Option<Result<Loudness, Failure>>,
}

/// One line of `--json` output for a probed file.
#[derive(serde::Serialize)]
struct JsonOk<'a> {
    path: String,
    #[serde(flatten)]
    info: &'a AudioInfo,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    loudness: Option<JsonLoudness<'a>>,
}

/// The `--loudness` fields of a `--json` line: the figures, or why not.
#[derive(serde::Serialize)]
#[serde(untagged)]
enum JsonLoudness<'a> {
    Measured {
        lufs: Option<f64>,
        lra: Option<f64>,
        true_peak_dbtp: Option<f64>,
        loudness_warnings: &'a [String],
    },
    NotMeasured {
        loudness_error: String,
    },
}

/// One line of `--json` output for a failure.
#[derive(serde::Serialize)]
struct JsonErr {
    path: String,
    error: String,
}

/// Probes every input; non-zero exit when any failed.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let results = probe_all(&args.inputs, args.loudness);
    let mut out = std::io::stdout().lock();
    if !args.json {
        let loudness = if args.loudness {
            format!("{:>6}  {:>5}  {:>6}  ", "LUFS", "LRA", "TP")
        } else {
            String::new()
        };
        writeln!(
            out,
            "{:>12}  {:>10}  {:<10}  {:<6}  {:>6}  {:>2}  {:>5}  {loudness}PATH",
            "DURATION", "BYTES", "MIME", "CODEC", "RATE", "CH", "KBPS"
        )?;
    }
    let mut failed = false;
    for (input, result) in args.inputs.iter().zip(&results) {
        failed |= result.info.is_err() || result.loudness.as_ref().is_some_and(measure_failed);
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

/// Whether a loudness result counts as a failed run: a codec without a
/// decoder is a fact about the build, reported but not failed.
fn measure_failed(r: &Result<Loudness, Failure>) -> bool {
    matches!(r, Err(e) if !matches!(e, Failure::Local(ProbeError::NoDecoder { .. })))
}

/// Probes all inputs on rayon's pool, keeping input order. One HTTP client
/// serves every URL, so connections to the same host are reused.
fn probe_all(inputs: &[PathBuf], loudness: bool) -> Vec<Probed> {
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
            let info = probe_input(input, &remote);
            let loudness = (loudness && info.is_ok()).then(|| measure_input(input, &remote));
            bar.inc(1);
            Probed { info, loudness }
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

/// Measures the loudness of one input; a URL is read through the same
/// range reader as the probe, sequentially from start to end.
fn measure_input(
    input: &Path,
    remote: &Option<Result<Remote, RemoteError>>,
) -> Result<Loudness, Failure> {
    match (input.to_str().filter(|s| crate::remote::is_url(s)), remote) {
        (Some(url), Some(Ok(remote))) => {
            let reader = remote.open(url)?;
            let (len, name) = (reader.len(), reader.shown_url().to_string());
            let measured = crate::probe::loudness_reader(reader, len, &name);
            Ok(measured?)
        }
        (Some(url), _) => Err(Failure::Setup(format!("{url}: no HTTP client"))),
        (None, _) => Ok(crate::probe::loudness_file(input)?),
    }
}

/// The `--json` line for one result.
fn json_line(input: &Path, result: &Probed) -> serde_json::Result<String> {
    let path = input.display().to_string();
    let loudness = result.loudness.as_ref().map(|l| match l {
        Ok(l) => JsonLoudness::Measured {
            lufs: l.lufs,
            lra: l.lra,
            true_peak_dbtp: l.true_peak_dbtp,
            loudness_warnings: &l.warnings,
        },
        Err(e) => JsonLoudness::NotMeasured {
            loudness_error: e.to_string(),
        },
    });
    match &result.info {
        Ok(info) => serde_json::to_string(&JsonOk {
            path,
            info,
            loudness,
        }),
        Err(e) => serde_json::to_string(&JsonErr {
            path,
            error: e.to_string(),
        }),
    }
}

/// One table row on stdout; warnings and errors go to stderr.
fn table_line(out: &mut impl Write, input: &Path, result: &Probed) -> std::io::Result<()> {
    let loudness = match &result.loudness {
        None => String::new(),
        Some(Ok(l)) => {
            for w in &l.warnings {
                eprintln!("warning: {}: loudness: {w}", input.display());
            }
            format!(
                "{:>6}  {:>5}  {:>6}  ",
                db(l.lufs),
                db(l.lra),
                db(l.true_peak_dbtp)
            )
        }
        Some(Err(e)) => {
            eprintln!("error: {e}");
            format!("{:>6}  {:>5}  {:>6}  ", "-", "-", "-")
        }
    };
    match &result.info {
        Ok(i) => {
            writeln!(
                out,
                "{:>12}  {:>10}  {:<10}  {:<6}  {:>6}  {:>2}  {:>5}  {loudness}{}",
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

/// A level with one decimal, `silent` when there is none.
fn db(v: Option<f64>) -> String {
    v.map_or_else(|| "silent".into(), |v| format!("{v:.1}"))
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
        let probed = Probed {
            info: Err(err.into()),
            loudness: None,
        };
        let line = json_line(Path::new("a.mp3"), &probed).expect("serialises");
        assert_eq!(
            line,
            r#"{"path":"a.mp3","error":"a.mp3: empty file (0 bytes)"}"#
        );
    }
}
