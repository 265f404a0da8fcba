//! Putting audio into `media/` without ever leaving a half-written file
//! under a real name: copy to a hidden temporary file in the same folder,
//! fsync, then rename (atomic on POSIX) and fsync the folder.
//!
//! The stored name carries a short content hash (`85-title-1a2b3c4d.mp3`),
//! so a replaced recording gets a new URL: podcast apps cache by enclosure
//! URL and must never see different bytes under an old one.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

use super::IngestError;

/// Prefix of temporary files in the media folder; never served, cleaned up
/// by [`clean_stale_temp_files`] when a copy was interrupted.
pub const TEMP_PREFIX: &str = ".podcatalog-tmp-";

/// A file now stored in the media folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// File name inside the media folder.
    pub name: String,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    /// The full path.
    pub path: PathBuf,
    /// Whether this call created the file (false when an identical file
    /// was already there).
    pub created: bool,
}

/// Copies `src` into `media_dir` as `{stem}-{hash8}.{ext}`. When a file of
/// that name already exists, it holds the same bytes (the name says so) and
/// is kept as it is.
pub fn copy_in(src: &Path, media_dir: &Path, stem: &str, ext: &str) -> Result<Stored, IngestError> {
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| IngestError::Io { path, source }
    };
    let mut input = File::open(src).map_err(io(src))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(media_dir)
        .map_err(io(media_dir))?;
    let sha256 = copy_hashing(&mut input, tmp.as_file_mut()).map_err(|e| match e {
        Copy::Read(source) => IngestError::Io {
            path: src.display().to_string(),
            source,
        },
        Copy::Write(source) => IngestError::Io {
            path: media_dir.display().to_string(),
            source,
        },
    })?;
    tmp.as_file().sync_all().map_err(io(media_dir))?;
    let name = format!("{stem}-{}.{ext}", &sha256[..8]);
    let dest = media_dir.join(&name);
    if dest.exists() {
        return Ok(Stored {
            name,
            sha256,
            path: dest,
            created: false,
        });
    }
    tmp.persist_noclobber(&dest).map_err(|e| IngestError::Io {
        path: dest.display().to_string(),
        source: e.error,
    })?;
    // The rename is durable only once the folder's entry is on disk.
    File::open(media_dir)
        .and_then(|d| d.sync_all())
        .map_err(io(media_dir))?;
    Ok(Stored {
        name,
        sha256,
        path: dest,
        created: true,
    })
}

enum Copy {
    Read(std::io::Error),
    Write(std::io::Error),
}

fn copy_hashing(input: &mut File, output: &mut File) -> Result<String, Copy> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = input.read(&mut buf).map_err(Copy::Read)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        output.write_all(&buf[..n]).map_err(Copy::Write)?;
    }
    Ok(hex::encode(hasher.finalize()))
}

/// SHA-256 of a file, hex, reading it in chunks.
pub fn hash_file(path: &Path) -> std::io::Result<String> {
    let mut input = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = input.read(&mut buf)?;
        if n == 0 {
            return Ok(hex::encode(hasher.finalize()));
        }
        hasher.update(&buf[..n]);
    }
}

/// Removes temporary files left by a copy that was killed. A live copy
/// writes continuously, so a temp file untouched for a minute is dead.
pub fn clean_stale_temp_files(media_dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(media_dir) else {
        return Vec::new();
    };
    let cutoff = SystemTime::now() - Duration::from_secs(60);
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let stale = entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX)
            && entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t < cutoff);
        if stale && std::fs::remove_file(entry.path()).is_ok() {
            removed.push(entry.path());
        }
    }
    removed
}

/// The file extension for a sniffed MIME type.
pub fn extension_for(mime: &str, codec: &str) -> &'static str {
    match (mime, codec) {
        ("audio/mpeg", _) => "mp3",
        ("audio/mp4" | "audio/x-m4a" | "audio/m4a", _) => "m4a",
        ("audio/aac", _) => "aac",
        ("audio/ogg" | "audio/opus", "opus") => "opus",
        ("audio/ogg", _) => "ogg",
        ("audio/flac" | "audio/x-flac", _) => "flac",
        ("audio/wav" | "audio/x-wav" | "audio/wave", _) => "wav",
        _ => "bin",
    }
}
