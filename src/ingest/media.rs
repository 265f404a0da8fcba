//! Putting audio into `media/` without ever leaving a half-written file
//! under a real name: copy to a hidden temporary file in the same folder,
//! fsync, then rename (atomic on POSIX) and fsync the folder.
//!
//! The temporary file is held under an exclusive advisory lock (`flock`)
//! while it is written. The kernel releases the lock when the process ends,
//! even by SIGKILL, so the next command can tell a dead copy's leftovers
//! (unlocked: removed) from a live copy in another process (locked: kept).
//!
//! The stored name carries a short content hash (`85-title-1a2b3c4d.mp3`),
//! so a replaced recording gets a new URL: podcast apps cache by enclosure
//! URL and must never see different bytes under an old one.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

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
    let mut tmp = locked_temp_file(media_dir).map_err(|error| IngestError::Unwritable {
        folder: media_dir.display().to_string(),
        error,
    })?;
    let sha256 = copy_hashing(&mut input, tmp.as_file_mut()).map_err(|e| match e {
        Copy::Read(source) => IngestError::Io {
            path: src.display().to_string(),
            source,
        },
        Copy::Write(source) => write_failed(media_dir, src, source),
    })?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| write_failed(media_dir, src, e))?;
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
    crate::platform::sync_dir(media_dir).map_err(io(media_dir))?;
    Ok(Stored {
        name,
        sha256,
        path: dest,
        created: true,
    })
}

/// Moves `file` (already complete, inside `media_dir`: a finished download)
/// to its content-hashed name `{stem}-{hash8}.{ext}` with one rename, so
/// the final name never shows a partial file. An identical file already
/// there is kept and `file` removed.
pub fn adopt(file: &Path, media_dir: &Path, stem: &str, ext: &str) -> Result<Stored, IngestError> {
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| IngestError::Io { path, source }
    };
    let sha256 = hash_file(file).map_err(io(file))?;
    let name = format!("{stem}-{}.{ext}", &sha256[..8]);
    let dest = media_dir.join(&name);
    let created = !dest.exists();
    if created {
        std::fs::rename(file, &dest).map_err(io(&dest))?;
        File::open(media_dir)
            .and_then(|d| d.sync_all())
            .map_err(io(media_dir))?;
    } else {
        std::fs::remove_file(file).map_err(io(file))?;
    }
    Ok(Stored {
        name,
        sha256,
        path: dest,
        created,
    })
}

/// A new temporary file in `dir`, locked for as long as it is open.
fn locked_temp_file(dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    for _ in 0..3 {
        let tmp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .tempfile_in(dir)?;
        if lock(tmp.as_file(), true)? && !unlinked(tmp.as_file())? {
            return Ok(tmp);
        }
        // A cleaner in another process saw the file before it was locked
        // and removed it; start again with a new one.
    }
    Err(std::io::Error::other(
        "temporary file removed by another podcatalog while being created",
    ))
}

/// Takes an exclusive advisory lock on `file`: waiting for it when `wait`,
/// else returning `false` at once when another process holds it.
#[cfg(unix)]
fn lock(file: &File, wait: bool) -> std::io::Result<bool> {
    use rustix::fs::{FlockOperation, flock};
    let op = if wait {
        FlockOperation::LockExclusive
    } else {
        FlockOperation::NonBlockingLockExclusive
    };
    match flock(file, op) {
        Ok(()) => Ok(true),
        Err(rustix::io::Errno::WOULDBLOCK) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Without `flock`, a temp file counts as held while it is younger than a
/// minute (a live copy writes continuously).
#[cfg(not(unix))]
fn lock(file: &File, wait: bool) -> std::io::Result<bool> {
    use std::time::{Duration, SystemTime};
    let modified = file.metadata()?.modified()?;
    Ok(wait || modified < SystemTime::now() - Duration::from_secs(60))
}

#[cfg(unix)]
fn unlinked(file: &File) -> std::io::Result<bool> {
    use std::os::unix::fs::MetadataExt;
    Ok(file.metadata()?.nlink() == 0)
}

#[cfg(not(unix))]
fn unlinked(_file: &File) -> std::io::Result<bool> {
    Ok(false)
}

/// A failed write into the media folder. A full disk, a used-up quota and
/// the file-size limit get a message that says so (the raw `EFBIG` text,
/// "File too large", reads as if the source file were the problem).
pub(super) fn write_failed(media_dir: &Path, src: &Path, source: std::io::Error) -> IngestError {
    use std::io::ErrorKind;
    let reason = match source.kind() {
        ErrorKind::FileTooLarge => "file too large: the file-size limit (ulimit -f) was reached",
        ErrorKind::StorageFull => "disk full: no space left on the device",
        ErrorKind::QuotaExceeded => "disk full: the disk quota is used up",
        _ => {
            return IngestError::Io {
                path: media_dir.display().to_string(),
                source,
            };
        }
    };
    IngestError::NoRoom {
        folder: media_dir.display().to_string(),
        file: src.display().to_string(),
        reason,
        error: source,
    }
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

/// Removes temporary files left by a copy that was killed: those no live
/// process holds the lock of. Returns what it removed.
pub fn clean_stale_temp_files(media_dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(media_dir) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        if !entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
            continue;
        }
        let path = entry.path();
        // The lock is held (by this handle) while the file is removed, so a
        // writer that opens it meanwhile finds it unlinked and starts over.
        let Ok(file) = File::open(&path) else {
            continue;
        };
        if lock(&file, false).unwrap_or(false) && std::fs::remove_file(&path).is_ok() {
            removed.push(path);
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn a_full_disk_and_the_file_size_limit_say_so() {
        let media = Path::new("media");
        let src = Path::new("in.mp3");
        for (errno, words) in [(28, "disk full"), (27, "file too large")] {
            let err = super::write_failed(media, src, std::io::Error::from_raw_os_error(errno));
            let text = err.to_string();
            assert!(text.contains(words), "{text}");
            assert!(text.contains("media") && text.contains("in.mp3"), "{text}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn only_temp_files_no_live_process_holds_are_cleaned() {
        let dir = tempfile::tempdir().expect("tempdir");
        let live = super::locked_temp_file(dir.path()).expect("temp file");
        let dead = dir.path().join(format!("{}dead", super::TEMP_PREFIX));
        std::fs::write(&dead, b"half a copy").expect("write");
        let removed = super::clean_stale_temp_files(dir.path());
        assert_eq!(removed, vec![dead]);
        assert!(live.path().exists(), "a copy in progress must be kept");
    }
}
