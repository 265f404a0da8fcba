//! The text that goes with an episode's audio: its transcript (WebVTT or
//! SRT, the formats the podcast namespace's `podcast:transcript` names) as
//! timed cues, and its chapters (Podcasting 2.0 JSON chapters) as timed
//! titles. Files are read from the media folder; a file that is missing or
//! unreadable means "none", logged, never a failed page.

use std::path::{Component, Path};

use serde::Deserialize;

/// Files larger than this are not shown inline (a link still is).
const MAX_BYTES: u64 = 2 * 1024 * 1024;

pub use crate::catalog::transcript::Cue;

/// Reads a file named in the catalogue from the media folder; `None` for
/// URLs, names that leave the folder, missing or oversized files.
pub fn read(media_root: &Path, name: &str) -> Option<String> {
    if name.contains("://") {
        return None;
    }
    let rel = Path::new(name);
    if !rel.components().all(|c| matches!(c, Component::Normal(_))) {
        return None;
    }
    let path = media_root.join(rel);
    match std::fs::metadata(&path) {
        Ok(m) if m.is_file() && m.len() <= MAX_BYTES => {}
        Ok(_) => return None,
        Err(e) => {
            tracing::warn!(file = %path.display(), error = %e, "cannot read episode text");
            return None;
        }
    }
    std::fs::read_to_string(&path)
        .inspect_err(
            |e| tracing::warn!(file = %path.display(), error = %e, "cannot read episode text"),
        )
        .ok()
}

/// The cues of a WebVTT or SRT document.
pub fn transcript(text: &str) -> Vec<Cue> {
    crate::catalog::transcript::cues(text)
}

#[derive(Deserialize)]
struct ChaptersFile {
    #[serde(default)]
    chapters: Vec<Chapter>,
}

#[derive(Deserialize)]
struct Chapter {
    #[serde(rename = "startTime")]
    start_time: f64,
    #[serde(default)]
    title: String,
    #[serde(default = "shown")]
    toc: bool,
}

fn shown() -> bool {
    true
}

/// The chapters listed in a JSON chapters document (entries with
/// `"toc": false` are left out, as the spec asks); empty when it does not parse.
pub fn chapters(json: &str) -> Vec<Cue> {
    let Ok(file) = serde_json::from_str::<ChaptersFile>(json) else {
        tracing::warn!("chapters file does not parse");
        return Vec::new();
    };
    file.chapters
        .into_iter()
        .filter(|c| c.toc && c.start_time.is_finite() && c.start_time >= 0.0)
        .map(|c| Cue {
            start_ms: (c.start_time * 1000.0) as u64,
            text: c.title,
        })
        .collect()
}

/// The chapters embedded in the audio file, as timed titles.
pub fn embedded_chapters(marks: &[crate::probe::chapters::Chapter]) -> Vec<Cue> {
    marks
        .iter()
        .map(|c| Cue {
            start_ms: c.start_ms,
            text: c.title.clone(),
        })
        .collect()
}

/// "1:02:03" or "2:03", as players show times.
pub fn clock(ms: u64) -> String {
    let s = ms / 1000;
    match s / 3600 {
        0 => format!("{}:{:02}", s / 60, s % 60),
        h => format!("{h}:{:02}:{:02}", (s % 3600) / 60, s % 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_times() {
        assert_eq!(clock(3_723_250), "1:02:03");
        assert_eq!(clock(65_000), "1:05");
    }

    #[test]
    fn chapters_json() {
        let json = r#"{"version":"1.2.0","chapters":[{"startTime":0,"title":"Intro"},{"startTime":61.5,"title":"Dold","toc":false}]}"#;
        assert_eq!(
            chapters(json),
            vec![Cue {
                start_ms: 0,
                text: "Intro".into()
            }]
        );
        assert!(chapters("not json").is_empty());
    }

    #[test]
    fn names_that_leave_the_folder_are_not_read() {
        let dir = tempfile::tempdir().expect("tmp");
        assert_eq!(read(dir.path(), "../etc/passwd"), None);
        assert_eq!(read(dir.path(), "/etc/passwd"), None);
        assert_eq!(read(dir.path(), "https://x/y.vtt"), None);
    }
}
