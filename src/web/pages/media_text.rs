//! The text that goes with an episode's audio: its transcript (WebVTT or
//! SRT, the formats the podcast namespace's `podcast:transcript` names) as
//! timed cues, and its chapters (Podcasting 2.0 JSON chapters) as timed
//! titles. Files are read from the media folder; a file that is missing or
//! unreadable means "none", logged, never a failed page.

use std::path::{Component, Path};

use serde::Deserialize;

/// Files larger than this are not shown inline (a link still is).
const MAX_BYTES: u64 = 2 * 1024 * 1024;

/// One timed piece of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cue {
    /// Start in milliseconds.
    pub start_ms: u64,
    /// Plain text (markup stripped; the template escapes it).
    pub text: String,
}

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

/// The cues of a WebVTT or SRT document, in file order.
pub fn transcript(text: &str) -> Vec<Cue> {
    let text = text.replace("\r\n", "\n");
    let mut cues = Vec::new();
    for block in text.split("\n\n") {
        let mut lines = block.lines().skip_while(|l| !l.contains("-->"));
        let Some(timing) = lines.next() else { continue };
        let Some(start_ms) = timing.split("-->").next().and_then(timestamp) else {
            continue;
        };
        let words: Vec<String> = lines.map(strip_markup).filter(|l| !l.is_empty()).collect();
        if !words.is_empty() {
            cues.push(Cue {
                start_ms,
                text: words.join(" "),
            });
        }
    }
    cues
}

/// `hh:mm:ss.ttt`, `mm:ss.ttt` or SRT's `hh:mm:ss,ttt`, in milliseconds.
fn timestamp(s: &str) -> Option<u64> {
    let s = s.trim().replace(',', ".");
    let (clock, frac) = s.split_once('.').unwrap_or((&s, "0"));
    let mut secs = 0u64;
    for part in clock.split(':') {
        secs = secs * 60 + part.parse::<u64>().ok()?;
    }
    let ms: u64 = format!("{frac:0<3}").get(..3)?.parse().ok()?;
    Some(secs * 1000 + ms)
}

/// Cue text without tags; a voice tag `<v Anna>` becomes "Anna: ".
fn strip_markup(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            rest = &rest[open..];
            break;
        };
        let tag = &rest[open + 1..open + close];
        // `<v Name>` or `<v.class Name>`: the speaker's name.
        let voice = match tag.strip_prefix("v.") {
            Some(classed) => classed.split_once(' ').map(|(_, n)| n),
            None => tag.strip_prefix("v "),
        };
        if let Some(name) = voice.map(str::trim).filter(|n| !n.is_empty()) {
            out.push_str(name);
            out.push_str(": ");
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
        .trim()
        .to_string()
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
    fn webvtt_and_srt_cues() {
        let vtt = "WEBVTT\n\nNOTE hi\n\n1\n00:00.000 --> 00:01.500\n<v Anna Hed>Hej &amp; <i>välkommen</i>\nrad två\n\n01:02:03.250 --> 01:02:04.000 align:start\nSlut\n";
        assert_eq!(
            transcript(vtt),
            vec![
                Cue {
                    start_ms: 0,
                    text: "Anna Hed: Hej & välkommen rad två".into()
                },
                Cue {
                    start_ms: 3_723_250,
                    text: "Slut".into()
                },
            ]
        );
        let srt = "1\r\n00:00:02,5 --> 00:00:03,000\r\nHej\r\n";
        assert_eq!(transcript(srt)[0].start_ms, 2_500);
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
