//! The `audio_analysis` table: loudness and embedded chapters per audio
//! file content (SHA-256), written by ingest after decoding, read with the
//! episodes that use the file.
//!
//! A row is trusted only when its `analyser` is [`ANALYSER`]: a podcatalog
//! that analyses more (or better) bumps it, and the next import redoes the
//! older rows instead of serving stale figures.

use std::collections::{HashMap, HashSet};

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::model::{AudioAnalysis, Episode};
use super::{CatalogError, bump_revision};

/// The version of the analysis this build writes.
pub const ANALYSER: i64 = 1;

/// Which of `hashes` have a current analysis already.
pub fn known<'a>(
    conn: &Connection,
    hashes: impl IntoIterator<Item = &'a str>,
) -> Result<HashSet<String>, CatalogError> {
    let mut stmt = conn
        .prepare_cached("SELECT sha256 FROM audio_analysis WHERE sha256 = ?1 AND analyser = ?2")?;
    let mut found = HashSet::new();
    for h in hashes {
        if let Some(h) = stmt
            .query_row(params![h, ANALYSER], |r| r.get::<_, String>(0))
            .optional()?
        {
            found.insert(h);
        }
    }
    Ok(found)
}

/// The analysis of the file with content hash `sha256`, if any.
pub fn get(conn: &Connection, sha256: &str) -> Result<Option<AudioAnalysis>, CatalogError> {
    Ok(conn
        .query_row(
            "SELECT * FROM audio_analysis WHERE sha256 = ?1",
            [sha256],
            from_row,
        )
        .optional()?)
}

/// Stores (or replaces) the analysis of one file.
pub fn save(
    conn: &Connection,
    sha256: &str,
    a: &AudioAnalysis,
    now: &str,
) -> Result<(), CatalogError> {
    conn.execute(
        "INSERT OR REPLACE INTO audio_analysis (sha256, analyser, lufs, lra, true_peak_dbtp,
            loudness_error, warnings, chapters, analysed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            sha256,
            ANALYSER,
            a.lufs,
            a.lra,
            a.true_peak_dbtp,
            a.loudness_error,
            to_json(&a.warnings),
            (!a.chapters.is_empty()).then(|| to_json(&a.chapters)),
            now
        ],
    )?;
    bump_revision(conn)
}

/// Fills in `analysis` on each episode whose file has one, in one query.
pub(crate) fn attach(conn: &Connection, episodes: &mut [Episode]) -> Result<(), CatalogError> {
    let mut wanted: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, e) in episodes.iter().enumerate() {
        if let Some(h) = &e.data.audio.sha256 {
            wanted.entry(h.clone()).or_default().push(i);
        }
    }
    if wanted.is_empty() {
        return Ok(());
    }
    let mut found = Vec::new();
    if let [(h, _)] = Vec::from_iter(&wanted).as_slice() {
        found.extend(get(conn, h)?.map(|a| ((*h).clone(), a)));
    } else {
        let mut stmt = conn.prepare("SELECT * FROM audio_analysis")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>("sha256")?, from_row(r)?)))?;
        for row in rows {
            let (h, a) = row?;
            if wanted.contains_key(&h) {
                found.push((h, a));
            }
        }
    }
    for (h, a) in found {
        for &i in wanted.get(&h).into_iter().flatten() {
            episodes[i].analysis = Some(a.clone());
        }
    }
    Ok(())
}

/// One row as an [`AudioAnalysis`]; unreadable JSON reads as empty.
fn from_row(r: &Row<'_>) -> rusqlite::Result<AudioAnalysis> {
    let warnings: String = r.get("warnings")?;
    let chapters: Option<String> = r.get("chapters")?;
    Ok(AudioAnalysis {
        lufs: r.get("lufs")?,
        lra: r.get("lra")?,
        true_peak_dbtp: r.get("true_peak_dbtp")?,
        loudness_error: r.get("loudness_error")?,
        warnings: serde_json::from_str(&warnings).unwrap_or_default(),
        chapters: chapters
            .and_then(|c| serde_json::from_str(&c).ok())
            .unwrap_or_default(),
    })
}

/// JSON text for a column (these values always serialise).
fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}
