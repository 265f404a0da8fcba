//! Turning producers' input (episode files, command-line flags, audio files)
//! into catalogue writes, all or nothing.
//!
//! The order is always the same: parse and validate **every** input, probe
//! every referenced audio file, and only then open one transaction for all
//! writes. A bad file anywhere means nothing is written. This module owns
//! that orchestration; SQL stays in `catalog`, format knowledge in `probe`.

pub mod analysis;
pub mod audio;
pub mod from_feed;
pub mod media;
mod transcript;

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use rusqlite::Connection;

use crate::catalog::file::{self, Draft, FileError, PEOPLE_FILE};
use crate::catalog::people::PersonInfo;
use crate::catalog::{self, CatalogError, episodes, people, themes};
use crate::config::Config;
use crate::probe::ProbeError;

/// Why input could not be taken in. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// An episode or people file is wrong.
    #[error(transparent)]
    File(#[from] FileError),
    /// An audio file could not be probed.
    #[error(transparent)]
    Probe(#[from] ProbeError),
    /// Remote audio could not be probed.
    #[error(transparent)]
    Remote(#[from] crate::remote::RemoteError),
    /// A file or folder could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A folder that must take new files does not (read-only, not ours).
    #[error("{folder}: cannot write into this folder ({error}); nothing was changed")]
    Unwritable {
        /// The folder.
        folder: String,
        /// The underlying error.
        error: std::io::Error,
    },
    /// Writing into a folder failed because the disk is full or a size
    /// limit was reached; the partial file has been removed.
    #[error("{folder}: cannot copy {file} into it: {reason} ({error}); nothing was changed")]
    NoRoom {
        /// The folder written to.
        folder: String,
        /// The file being copied.
        file: String,
        /// Which limit, in words.
        reason: &'static str,
        /// The underlying error.
        error: std::io::Error,
    },
    /// The catalogue refused the write.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// A file's contents conflict with the catalogue or another file.
    #[error("{path}: {reason}")]
    Conflict {
        /// The file.
        path: String,
        /// What conflicts with what.
        reason: String,
    },
    /// Several inputs are wrong; all are listed so one run shows every problem.
    #[error("{}", ListDisplay(.0))]
    Many(Vec<IngestError>),
}

struct ListDisplay<'a>(&'a [IngestError]);

impl fmt::Display for ListDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} problems, nothing was changed:", self.0.len())?;
        for e in self.0 {
            write!(f, "\n  {e}")?;
        }
        Ok(())
    }
}

/// One error, or all of them.
fn collect(mut errors: Vec<IngestError>) -> Result<(), IngestError> {
    match errors.len() {
        0 => Ok(()),
        1 => Err(errors.remove(0)),
        _ => Err(IngestError::Many(errors)),
    }
}

/// An episode file ready to be written: parsed, its audio measured.
#[derive(Debug, Clone)]
pub struct Ready {
    /// Where it came from, for messages.
    pub origin: String,
    /// The validated episode, with `data.audio` filled in.
    pub draft: Draft,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    /// Episodes inserted.
    pub added: usize,
    /// Episodes changed.
    pub updated: usize,
    /// Episodes already as the files say.
    pub unchanged: usize,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} added, {} updated, {} unchanged",
            self.added, self.updated, self.unchanged
        )
    }
}

/// Everything in an episodes folder, parsed and checked against each other.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// Episode files, by file name order.
    pub drafts: Vec<(String, Draft)>,
    /// `people.toml`, if present.
    pub people: Vec<PersonInfo>,
}

/// Reads and validates every `*.toml` in `dir` (and `people.toml`),
/// reporting every bad file, not just the first.
pub fn load_dir(dir: &Path, config: &Config) -> Result<Loaded, IngestError> {
    let io = |source| IngestError::Io {
        path: dir.display().to_string(),
        source,
    };
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(io)?
        .into_iter()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    let mut loaded = Loaded::default();
    let mut errors = Vec::new();
    for path in paths {
        let read = std::fs::read(&path).map_err(|source| IngestError::Io {
            path: path.display().to_string(),
            source,
        });
        if let Err(e) = read.and_then(|bytes| loaded.add_file(&path, bytes, config)) {
            errors.push(e);
        }
    }
    errors.extend(cross_check(&loaded.drafts));
    collect(errors)?;
    Ok(loaded)
}

impl Loaded {
    /// Decodes and parses one file of an episodes folder, given its bytes:
    /// `people.toml` replaces [`Loaded::people`], any other file adds a
    /// draft. Separate from the reading so the importer fuzzer
    /// (`fuzz/fuzz_targets/import.rs`) runs exactly what `import` runs.
    pub fn add_file(
        &mut self,
        path: &Path,
        bytes: Vec<u8>,
        config: &Config,
    ) -> Result<(), IngestError> {
        let shown = path.display().to_string();
        let text = file::decode(bytes, &shown)?;
        if path.file_name().is_some_and(|n| n == PEOPLE_FILE) {
            self.people = file::parse_people(&text, &shown)?;
        } else {
            let draft = file::parse(&text, &shown, config)?;
            self.drafts.push((shown, draft));
        }
        Ok(())
    }
}

/// Reads a file as UTF-8 text, naming the file on failure.
pub fn read_text(path: &Path) -> Result<String, IngestError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| IngestError::Io {
        path: shown.clone(),
        source,
    })?;
    Ok(file::decode(bytes, &shown)?)
}

/// Numbers, guids and slugs must be unique across the files of one import.
fn cross_check(drafts: &[(String, Draft)]) -> Vec<IngestError> {
    let mut errors = Vec::new();
    let mut seen: HashMap<String, &str> = HashMap::new();
    for (path, d) in drafts {
        let keys = [
            d.data.number.map(|n| format!("episode number {n}")),
            d.guid.as_ref().map(|g| format!("guid {g}")),
            Some(format!("slug `{}`", d.data.slug)),
        ];
        for key in keys.into_iter().flatten() {
            if let Some(first) = seen.insert(key.clone(), path) {
                errors.push(IngestError::Conflict {
                    path: path.clone(),
                    reason: format!("{key} is also used by {first}"),
                });
            }
        }
    }
    errors
}

/// Probes the audio of every draft in parallel; all failures are reported.
pub fn measure(config: &Config, drafts: Vec<(String, Draft)>) -> Result<Vec<Ready>, IngestError> {
    use rayon::prelude::*;
    let bar = progress_bar(drafts.len() as u64, "probing audio");
    let results: Vec<Result<Ready, IngestError>> = drafts
        .into_par_iter()
        .map(|(origin, mut draft)| {
            let audio = audio::measure(config, &draft.audio);
            bar.inc(1);
            draft.data.audio = audio.map_err(|e| IngestError::Conflict {
                path: origin.clone(),
                reason: format!("`audio`: {e}"),
            })?;
            Ok(Ready { origin, draft })
        })
        .collect();
    bar.finish_and_clear();
    let (ok, errors): (Vec<_>, Vec<_>) = results.into_iter().partition(Result::is_ok);
    collect(errors.into_iter().filter_map(Result::err).collect())?;
    Ok(ok.into_iter().filter_map(Result::ok).collect())
}

/// A progress bar on stderr; indicatif hides it when stderr is not a terminal.
pub fn progress_bar(len: u64, what: &'static str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(len);
    let style = indicatif::ProgressStyle::with_template("{msg} {bar:30} {pos}/{len} ({eta})")
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_message(what);
    bar
}

/// Writes measured episodes and people info in one transaction: all or nothing.
pub fn apply(
    conn: &mut Connection,
    config: &Config,
    people_info: &[PersonInfo],
    ready: &[Ready],
) -> Result<Summary, IngestError> {
    let audios = ready.iter().map(|r| &r.draft.data.audio);
    let analysed = analysis::analyse_new(conn, &config.server.media_dir, audios)?;
    let tx = catalog::write_transaction(conn)?;
    analysis::store(&tx, &analysed, &now_utc())?;
    themes::sync(&tx, &config.themes)?;
    for info in people_info {
        people::upsert_info(&tx, info)?;
    }
    let now = now_utc();
    let mut summary = Summary::default();
    for r in ready {
        let guid = guid_for(&tx, &r.draft)?;
        let saved =
            episodes::save(&tx, &guid, &r.draft.data, &now).map_err(|e| IngestError::Conflict {
                path: r.origin.clone(),
                reason: e.to_string(),
            })?;
        transcript::index(&tx, config, &guid, &r.draft.data)?;
        match saved {
            episodes::Saved::Added => summary.added += 1,
            episodes::Saved::Updated => summary.updated += 1,
            episodes::Saved::Unchanged => summary.unchanged += 1,
        }
    }
    if summary.added + summary.updated > 0 {
        crate::catalog::search_index::optimize(&tx)?;
    }
    tx.commit().map_err(CatalogError::from)?;
    Ok(summary)
}

/// The draft's own guid; for a file without one, the guid of the stored
/// episode with the same number or slug (so re-imports stay idempotent);
/// else a new one, minted here once.
fn guid_for(conn: &Connection, draft: &Draft) -> Result<String, IngestError> {
    if let Some(g) = &draft.guid {
        return Ok(g.clone());
    }
    let key = draft
        .data
        .number
        .map_or_else(|| draft.data.slug.clone(), |n| n.to_string());
    match episodes::find(conn, &key) {
        Ok(ep) => Ok(ep.guid),
        Err(CatalogError::NotFound(_)) => Ok(uuid::Uuid::new_v4().to_string()),
        Err(e) => Err(e.into()),
    }
}

/// Imports a whole episodes folder: validate all, probe all, write all.
pub fn import_dir(
    conn: &mut Connection,
    config: &Config,
    dir: &Path,
) -> Result<Summary, IngestError> {
    let loaded = load_dir(dir, config)?;
    let ready = measure(config, loaded.drafts)?;
    apply(conn, config, &loaded.people, &ready)
}

/// The current time as RFC 3339 UTC, for created/updated stamps.
pub fn now_utc() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Opens the catalogue; when the database does not exist yet, creates it
/// and imports the episodes folder, so a fresh clone shows the real
/// episodes at once. A failed first import leaves no database behind.
pub fn open_or_bootstrap(config: &Config) -> anyhow::Result<Connection> {
    use anyhow::Context;
    let db = &config.server.database;
    if db.exists() {
        return catalog::open(db).with_context(|| format!("opening {}", db.display()));
    }
    let result = bootstrap(config);
    if result.is_err() {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
    }
    result
}

fn bootstrap(config: &Config) -> anyhow::Result<Connection> {
    use anyhow::Context;
    let db = &config.server.database;
    let mut conn = catalog::open(db).with_context(|| format!("creating {}", db.display()))?;
    let dir = &config.server.episodes_dir;
    let summary = import_dir(&mut conn, config, dir).with_context(|| {
        format!(
            "importing {} into the new catalogue {}",
            dir.display(),
            db.display()
        )
    })?;
    eprintln!(
        "created {} and imported {} episodes from {}",
        db.display(),
        summary.added,
        dir.display()
    );
    Ok(conn)
}

/// Saves one episode from `add` or `edit`. With `new_audio`, that file is
/// probed first (a bad file stops everything before anything is written),
/// then copied into the media folder, then the catalogue is written; if the
/// write fails, a file this call added to the media folder is removed again.
pub fn save_one(
    conn: &mut Connection,
    config: &Config,
    guid: &str,
    mut draft: Draft,
    new_audio: Option<&Path>,
) -> Result<episodes::Saved, IngestError> {
    let mut added_file = None;
    draft.data.audio = match new_audio {
        Some(src) => {
            let (audio, created) = audio::copy_in(config, src, &draft.data.slug)?;
            added_file = created;
            audio
        }
        None => audio::measure(config, &draft.audio)?,
    };
    let result = write_one(conn, config, guid, &draft);
    if result.is_err() {
        if let Some(path) = added_file {
            let _ = std::fs::remove_file(path);
        }
    }
    result
}

fn write_one(
    conn: &mut Connection,
    config: &Config,
    guid: &str,
    draft: &Draft,
) -> Result<episodes::Saved, IngestError> {
    let media = &config.server.media_dir;
    let analysed = analysis::analyse_new(conn, media, [&draft.data.audio])?;
    let tx = catalog::write_transaction(conn)?;
    analysis::store(&tx, &analysed, &now_utc())?;
    themes::sync(&tx, &config.themes)?;
    let saved = episodes::save(&tx, guid, &draft.data, &now_utc())?;
    transcript::index(&tx, config, guid, &draft.data)?;
    tx.commit().map_err(CatalogError::from)?;
    Ok(saved)
}
