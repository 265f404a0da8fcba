//! The audio of imported items, three ways: probed where it is (range
//! requests, a few percent of each file: the default), taken on the feed's
//! word (`--no-probe`, marked unverified), or downloaded into `media/`
//! (`--download`). Items run on a few threads at once; one HTTP client is
//! shared so connections to the old host are reused.
//!
//! A download goes to a hidden partial file named after the URL
//! (`.podcatalog-part-…`) that outlives a killed run, so the next run asks
//! only for the rest; once complete and probed it is renamed to its
//! content-hashed name, so no final name ever shows a partial file. Beside
//! it, `.version` keeps the server's `ETag` (or `Last-Modified`) of the
//! file being downloaded: a partial file of another version starts over.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use sha2::{Digest, Sha256};

use super::{Known, Plan, Planned};
use crate::catalog::{Audio, AudioSource};
use crate::import_feed::Enclosure;
use crate::ingest::media;
use crate::remote::{Remote, Resume};

/// How the audio is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudioMode {
    /// Range-probe the remote file; it stays remote.
    Probe,
    /// Trust the feed's figures (unverified).
    Trust,
    /// Copy the file into the media folder.
    Download,
}

/// Prefix of partial downloads in the media folder; never served, kept
/// between runs for resumption.
pub const PARTIAL_PREFIX: &str = ".podcatalog-part-";

/// Measures the audio of a plan's items.
pub struct Measurer<'a> {
    /// How.
    pub mode: AudioMode,
    /// The shared client.
    pub remote: &'a Remote,
    /// The media folder (downloads go there).
    pub media_dir: &'a Path,
    /// Items measured at once.
    pub jobs: usize,
}

struct Outcome {
    audio: Audio,
    verified: bool,
    source: &'static str,
    created: Option<PathBuf>,
}

impl Measurer<'_> {
    /// Fills in every importable item's audio, recording failures as the
    /// item's problems and disagreements with the feed as notes.
    pub fn measure(&self, plan: &mut Plan, known: &Known) {
        let todo: Vec<usize> = (0..plan.items.len())
            .filter(|&i| plan.items[i].problems.is_empty() && plan.items[i].data.is_some())
            .collect();
        let total: u64 = todo
            .iter()
            .filter_map(|&i| plan.items[i].item.enclosure.as_ref()?.length)
            .sum();
        let bar = match self.mode {
            AudioMode::Download => bytes_bar(total),
            _ => crate::ingest::progress_bar(todo.len() as u64, "probing audio"),
        };
        let results: Mutex<Vec<(usize, Result<Outcome, String>)>> = Mutex::new(Vec::new());
        let next = AtomicUsize::new(0);
        let items = &plan.items;
        std::thread::scope(|s| {
            for _ in 0..self.jobs.max(1) {
                s.spawn(|| {
                    while let Some(&i) = todo.get(next.fetch_add(1, Ordering::Relaxed)) {
                        let out = self.one(&items[i], known, &bar);
                        if self.mode != AudioMode::Download {
                            bar.inc(1);
                        }
                        results
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push((i, out));
                    }
                });
            }
        });
        bar.finish_and_clear();
        for (i, result) in results.into_inner().unwrap_or_else(|e| e.into_inner()) {
            let p = &mut plan.items[i];
            match result {
                Ok(out) => apply(p, out),
                Err(e) => p.problems.push(e),
            }
        }
    }

    fn one(
        &self,
        p: &Planned,
        known: &Known,
        bar: &indicatif::ProgressBar,
    ) -> Result<Outcome, String> {
        let (Some(enc), Some(data)) = (&p.item.enclosure, &p.data) else {
            return Err("no enclosure".into());
        };
        if let Some(kept) = self.reuse(p, known, enc) {
            return Ok(kept);
        }
        match self.mode {
            AudioMode::Trust => trust(p, enc),
            AudioMode::Probe => {
                let info = self
                    .remote
                    .probe(&enc.url)
                    .map_err(|e| format!("enclosure: {e}"))?;
                Ok(Outcome {
                    audio: Audio {
                        source: AudioSource::Url(enc.url.clone()),
                        bytes: info.bytes,
                        mime: info.mime,
                        duration_ms: info.duration_ms,
                        sha256: None,
                    },
                    verified: true,
                    source: "probe",
                    created: None,
                })
            }
            AudioMode::Download => self.download(enc, &data.slug, bar),
        }
    }

    /// A stored episode whose audio already is this enclosure (same URL, or
    /// downloaded, and the same length) keeps it: re-runs are cheap.
    fn reuse(&self, p: &Planned, known: &Known, enc: &Enclosure) -> Option<Outcome> {
        let old = known.by_guid.get(&p.guid)?;
        let audio = &old.data.audio;
        let verified = !known.unverified.contains(&old.id);
        let same_length = enc.length.is_none_or(|l| l == audio.bytes);
        let fits = match (&audio.source, self.mode) {
            (AudioSource::Url(u), AudioMode::Probe) => *u == enc.url && verified,
            (AudioSource::Url(u), AudioMode::Trust) => *u == enc.url,
            (AudioSource::File(_), AudioMode::Download) => true,
            _ => false,
        };
        (fits && same_length).then(|| Outcome {
            audio: audio.clone(),
            verified,
            source: if verified { "probe" } else { "feed" },
            created: None,
        })
    }

    fn download(
        &self,
        enc: &Enclosure,
        stem: &str,
        bar: &indicatif::ProgressBar,
    ) -> Result<Outcome, String> {
        let partial = partial_path(self.media_dir, &enc.url);
        let shown = partial.display().to_string();
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&partial)
            .map_err(|e| format!("{shown}: {e}"))?;
        let validator = partial.with_extension("version");
        let resume = Resume {
            previous: std::fs::read_to_string(&validator).ok(),
            record: &|v| {
                let _ = match v {
                    Some(v) => std::fs::write(&validator, v),
                    None => std::fs::remove_file(&validator),
                };
            },
        };
        self.remote
            .download(&enc.url, &mut file, &resume, &|n| bar.inc(n))
            .map_err(|e| format!("enclosure: {e}"))?;
        drop(file);
        let info = match crate::probe::probe_file(&partial) {
            Ok(info) => info,
            Err(e) => {
                // Not audio (an error page served as 200): nothing to resume.
                let _ = std::fs::remove_file(&partial);
                return Err(format!("enclosure {}: {e}", enc.url));
            }
        };
        let ext = media::extension_for(&info.mime, &info.codec);
        let stored =
            media::adopt(&partial, self.media_dir, stem, ext).map_err(|e| e.to_string())?;
        Ok(Outcome {
            audio: Audio {
                source: AudioSource::File(stored.name),
                bytes: info.bytes,
                mime: info.mime,
                duration_ms: info.duration_ms,
                sha256: Some(stored.sha256),
            },
            verified: true,
            source: "probe",
            created: stored.created.then_some(stored.path),
        })
    }
}

/// Removes the version notes of the downloads a written import used
/// (kept until then: a failed write moves the files back to resume them).
pub fn forget_partials(plan: &Plan, media_dir: &Path) {
    for p in &plan.items {
        if let Some(enc) = &p.item.enclosure {
            let _ =
                std::fs::remove_file(partial_path(media_dir, &enc.url).with_extension("version"));
        }
    }
}

/// Where the partial download of `url` lives.
pub fn partial_path(media_dir: &Path, url: &str) -> PathBuf {
    let hash = hex::encode(Sha256::digest(url.as_bytes()));
    media_dir.join(format!("{PARTIAL_PREFIX}{}", &hash[..16]))
}

/// `--no-probe`: the feed's figures, which must at least exist.
fn trust(p: &Planned, enc: &Enclosure) -> Result<Outcome, String> {
    let bytes = enc
        .length
        .ok_or("enclosure states no length; import without --no-probe to measure it")?;
    let mime = enc
        .mime
        .clone()
        .or_else(|| mime_by_extension(&enc.url))
        .ok_or("enclosure states no type; import without --no-probe to measure it")?;
    Ok(Outcome {
        audio: Audio {
            source: AudioSource::Url(enc.url.clone()),
            bytes,
            mime,
            duration_ms: p.item.duration_ms.unwrap_or(0),
            sha256: None,
        },
        verified: false,
        source: "feed",
        created: None,
    })
}

fn mime_by_extension(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next()?;
    let ext = path.rsplit('.').next()?.to_ascii_lowercase();
    Some(
        match ext.as_str() {
            "mp3" => "audio/mpeg",
            "m4a" | "mp4" => "audio/mp4",
            "aac" => "audio/aac",
            "ogg" | "oga" => "audio/ogg",
            "opus" => "audio/ogg",
            "flac" => "audio/flac",
            "wav" => "audio/wav",
            _ => return None,
        }
        .to_string(),
    )
}

/// Records the measured audio and how it disagrees with the feed.
fn apply(p: &mut Planned, out: Outcome) {
    let Some(data) = &mut p.data else { return };
    if out.verified {
        if let Some(stated) = p.item.enclosure.as_ref().and_then(|e| e.length) {
            if stated != out.audio.bytes {
                p.notes.push(format!(
                    "the feed states a length of {stated} bytes, the file has {}",
                    out.audio.bytes
                ));
            }
        }
        if let Some(stated) = p.item.duration_ms {
            if stated.abs_diff(out.audio.duration_ms) > 1500 {
                p.notes.push(format!(
                    "the feed states a duration of {}, the audio lasts {}",
                    clock(stated),
                    clock(out.audio.duration_ms)
                ));
            }
        }
    } else if p.item.duration_ms.is_none() {
        p.notes
            .push("the feed states no duration; recorded as 0 until measured".into());
    }
    if out.audio.duration_ms == 0 && out.verified {
        p.notes
            .push("the audio's duration could not be measured".into());
    }
    data.audio = out.audio;
    p.verified = out.verified;
    p.duration_source = out.source;
    p.created_file = out.created;
}

fn clock(ms: u64) -> String {
    let s = (ms + 500) / 1000;
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

fn bytes_bar(total: u64) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(total);
    let style = indicatif::ProgressStyle::with_template(
        "downloading audio {bar:30} {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}
