//! Decoding each audio file once: its EBU R128 loudness and its embedded
//! chapters, stored per content hash (`catalog::analysis`).
//!
//! Runs after the files are probed and before the write transaction, on
//! every core (rayon, one file per task, each decoded in a single pass; see
//! `probe::loudness` for why a file is not cut into parts). A file whose
//! hash already has a current row is not decoded again, so re-imports and
//! a file shared by several episodes cost nothing. Remote audio (no hash)
//! is not analysed. Nothing here fails an import: a file that cannot be
//! decoded is stored with the reason (e.g. no decoder for Opus).

use std::collections::HashSet;
use std::path::Path;

use rayon::prelude::*;
use rusqlite::Connection;

use crate::catalog::Audio;
use crate::catalog::{AudioAnalysis, AudioSource, CatalogError, analysis};

/// A file's content hash with what decoding it found.
#[derive(Debug, Clone)]
pub struct Analysed {
    /// SHA-256 of the file, hex.
    pub sha256: String,
    /// What was found.
    pub analysis: AudioAnalysis,
}

/// Analyses the local files among `audios` that have no current analysis
/// yet, each distinct file once.
pub fn analyse_new<'a>(
    conn: &Connection,
    media_dir: &Path,
    audios: impl IntoIterator<Item = &'a Audio>,
) -> Result<Vec<Analysed>, CatalogError> {
    let mut seen = HashSet::new();
    let local: Vec<(&str, &str)> = audios
        .into_iter()
        .filter_map(|a| match (&a.source, &a.sha256) {
            (AudioSource::File(name), Some(h)) => Some((name.as_str(), h.as_str())),
            _ => None,
        })
        .filter(|(_, h)| seen.insert(*h))
        .collect();
    let known = analysis::known(conn, local.iter().map(|(_, h)| *h))?;
    let todo: Vec<_> = local
        .into_iter()
        .filter(|(_, h)| !known.contains(*h))
        .collect();
    let bar = super::progress_bar(todo.len() as u64, "measuring loudness");
    let done = todo
        .into_par_iter()
        .map(|(name, sha256)| {
            let analysis = analyse_file(&media_dir.join(name));
            bar.inc(1);
            Analysed {
                sha256: sha256.to_owned(),
                analysis,
            }
        })
        .collect();
    bar.finish_and_clear();
    Ok(done)
}

/// Decodes the file at `path` for its loudness and reads its chapters. Never fails: what could not be measured
/// is said in the result. Public so `import-feed` can analyse a download.
pub fn analyse_file(path: &Path) -> AudioAnalysis {
    // The probe reads the chapters with the headers (it is cheap: no decoding).
    let (chapters, findings) = match crate::probe::probe_file(path) {
        Ok(info) => {
            let findings: Vec<String> = info
                .warnings
                .into_iter()
                .filter(|w| w.starts_with("chapters: "))
                .collect();
            (info.chapters, findings)
        }
        Err(_) => (Vec::new(), Vec::new()),
    };
    let mut a = AudioAnalysis {
        chapters,
        ..AudioAnalysis::default()
    };
    match crate::probe::loudness_file(path) {
        Ok(l) => {
            a.lufs = l.lufs;
            a.lra = l.lra;
            a.true_peak_dbtp = l.true_peak_dbtp;
            a.warnings = l.warnings;
            for w in &a.warnings {
                tracing::warn!("{}: loudness: {w}", path.display());
            }
        }
        Err(e) => {
            tracing::warn!("{e}");
            a.loudness_error = Some(strip_path(&e.to_string(), path));
        }
    }
    a.warnings.extend(findings);
    a
}

/// An error message without the leading `path: `, which the catalogue
/// would only repeat (the row is keyed by content, not by name).
fn strip_path(msg: &str, path: &Path) -> String {
    let prefix = format!("{}: ", path.display());
    msg.strip_prefix(&prefix).unwrap_or(msg).to_owned()
}

/// Stores what [`analyse_new`] found, inside the caller's transaction.
pub fn store(conn: &Connection, analysed: &[Analysed], now: &str) -> Result<(), CatalogError> {
    for a in analysed {
        analysis::save(conn, &a.sha256, &a.analysis, now)?;
    }
    Ok(())
}
