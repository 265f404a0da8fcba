//! Measuring the audio a draft names: probe the file in `media/` (or take
//! the facts stated for a remote URL) and hash it.

use std::path::Path;

use super::IngestError;
use super::media::hash_file;
use crate::catalog::file::AudioRef;
use crate::catalog::{Audio, AudioSource};
use crate::config::Config;

/// The measured audio for `audio`, or an error naming the file.
pub fn measure(config: &Config, audio: &AudioRef) -> Result<Audio, IngestError> {
    match audio {
        AudioRef::File(name) => measure_file(&config.server.media_dir, name),
        AudioRef::Url {
            url,
            bytes,
            mime,
            duration_ms,
        } => match (bytes, mime, duration_ms) {
            (Some(bytes), Some(mime), Some(duration_ms)) => Ok(Audio {
                source: AudioSource::Url(url.clone()),
                bytes: *bytes,
                mime: mime.clone(),
                duration_ms: *duration_ms,
                sha256: None,
            }),
            // Facts not stated: measure them over HTTP (HEAD + range requests).
            _ => {
                let info = crate::remote::probe_url(url)?;
                Ok(Audio {
                    source: AudioSource::Url(url.clone()),
                    bytes: info.bytes,
                    mime: info.mime,
                    duration_ms: info.duration_ms,
                    sha256: None,
                })
            }
        },
    }
}

/// Probes and hashes `media_dir/name`.
pub fn measure_file(media_dir: &Path, name: &str) -> Result<Audio, IngestError> {
    let path = media_dir.join(name);
    let shown = path.display().to_string();
    let meta = std::fs::metadata(&path).map_err(|source| IngestError::Io {
        path: shown.clone(),
        source,
    })?;
    if !meta.is_file() {
        return Err(IngestError::Conflict {
            path: shown,
            reason: "is not a regular file".into(),
        });
    }
    let info = crate::probe::probe_file(&path)?;
    report_warnings(&shown, &info.warnings);
    let sha256 = hash_file(&path).map_err(|source| IngestError::Io {
        path: shown,
        source,
    })?;
    Ok(Audio {
        source: AudioSource::File(name.to_string()),
        bytes: info.bytes,
        mime: info.mime,
        duration_ms: info.duration_ms,
        sha256: Some(sha256),
    })
}

/// Probes `src`, then copies it into the media folder under a name made of
/// `stem` and its content hash. Returns the measured audio and, when the
/// copy created a new file, its path (so a failed write can remove it).
pub fn copy_in(
    config: &Config,
    src: &Path,
    stem: &str,
) -> Result<(Audio, Option<std::path::PathBuf>), IngestError> {
    let info = crate::probe::probe_file(src)?;
    report_warnings(&src.display().to_string(), &info.warnings);
    let media_dir = &config.server.media_dir;
    super::media::clean_stale_temp_files(media_dir);
    let ext = super::media::extension_for(&info.mime, &info.codec);
    let stored = super::media::copy_in(src, media_dir, stem, ext)?;
    let created = stored.created.then_some(stored.path);
    let audio = Audio {
        source: AudioSource::File(stored.name),
        bytes: info.bytes,
        mime: info.mime,
        duration_ms: info.duration_ms,
        sha256: Some(stored.sha256),
    };
    Ok((audio, created))
}

/// The probe's non-fatal findings (truncation, a stale Xing header, an
/// extension that lies) are worth a producer's attention but stop nothing.
fn report_warnings(path: &str, warnings: &[String]) {
    for w in warnings {
        tracing::warn!("{path}: {w}");
    }
}
