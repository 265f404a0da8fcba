//! Chapter marks embedded in an audio file: ID3v2 `CHAP`/`CTOC` (MP3),
//! Nero `chpl` and QuickTime chapter tracks (M4A), `CHAPTERxx` Vorbis
//! comments (Ogg, FLAC).
//!
//! Reading is bounded: only tags and tables are read, at most
//! [`MAX_CHAPTERS`] chapters are kept, and what is odd about them (a chapter
//! past the end of the audio, overlaps, a table of contents that loops) is
//! returned as findings, never as an error: chapters are an extra, the
//! audio is still good.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

pub(crate) mod id3;
pub(crate) mod mp4;
mod vorbis;

/// More chapters than this are not kept (a finding says so): podcast
/// chapters number in the tens; ten thousand is an attack or a bug.
pub const MAX_CHAPTERS: usize = 500;

/// One chapter mark read from the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chapter {
    /// Start, in milliseconds from the start of the audio.
    pub start_ms: u64,
    /// End, when the file states one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_ms: Option<u64>,
    /// Title; may be empty.
    pub title: String,
    /// A link for the chapter (ID3 `WXXX`/`WOAR`, Vorbis `CHAPTERxxURL`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The chapter's image inside the audio file (ID3 `APIC` in `CHAP`),
    /// JPEG or PNG; read from the file when published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageRef>,
}

/// Where a chapter image lies in the audio file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageRef {
    /// Byte offset of the image data.
    pub offset: u64,
    /// Its length in bytes.
    pub bytes: u64,
    /// `image/jpeg` or `image/png`.
    pub mime: String,
}

impl ImageRef {
    /// The file extension for its type.
    pub fn extension(&self) -> &'static str {
        if self.mime == "image/png" {
            "png"
        } else {
            "jpg"
        }
    }

    /// Reads the image from the audio file at `path`; `None` when the file
    /// no longer holds a JPEG or PNG there (it was replaced).
    pub fn read(&self, path: &std::path::Path) -> Option<Vec<u8>> {
        use std::io::{Read, Seek, SeekFrom};
        let mut f = std::fs::File::open(path).ok()?;
        f.seek(SeekFrom::Start(self.offset)).ok()?;
        let mut data = Vec::new();
        f.take(self.bytes).read_to_end(&mut data).ok()?;
        let magic: &[u8] = if self.mime == "image/png" {
            b"\x89PNG"
        } else {
            b"\xFF\xD8\xFF"
        };
        (data.len() as u64 == self.bytes && data.starts_with(magic)).then_some(data)
    }
}

/// The chapters of one file and what is odd about them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FileChapters {
    /// In start order.
    pub chapters: Vec<Chapter>,
    /// Findings a producer can act on ("chapter 3 starts after the end").
    pub findings: Vec<String>,
}

/// A Vorbis `CHAPTERxx` chapter as gathered: start, `NAME`, `URL`.
type VorbisMark = (Option<u64>, Option<String>, Option<String>);

/// Chapter marks as the format readers find them, before they are checked
/// against each other and the audio's length ([`Found::finish`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Found {
    /// Marks with their ID3 element id, when they have one.
    marks: Vec<(Option<String>, Chapter)>,
    /// Marks not kept because there were too many.
    dropped: usize,
    /// ID3 `CTOC` frames: id, children.
    tocs: Vec<(String, Vec<String>)>,
    /// Vorbis `CHAPTERxx*` comments by number: start, name, url.
    vorbis: BTreeMap<u32, VorbisMark>,
    /// Findings met while reading.
    findings: Vec<String>,
}

impl Found {
    /// Adds a chapter mark (its ID3 element id, if any).
    pub(crate) fn push(&mut self, id: Option<String>, chapter: Chapter) {
        if self.marks.len() < MAX_CHAPTERS {
            self.marks.push((id, chapter));
        } else {
            self.dropped += 1;
        }
    }

    /// Adds an ID3 table of contents (kept only to check it).
    pub(crate) fn toc(&mut self, id: String, children: Vec<String>) {
        if self.tocs.len() < MAX_CHAPTERS {
            self.tocs.push((id, children));
        }
    }

    /// Notes something odd met while reading.
    pub(crate) fn finding(&mut self, f: String) {
        if self.findings.len() < 20 {
            self.findings.push(f);
        }
    }

    /// Whether nothing at all was found.
    pub(crate) fn is_empty(&self) -> bool {
        self.marks.is_empty() && self.vorbis.is_empty() && self.tocs.is_empty()
    }

    /// Checks the marks against each other and the audio's `duration_ms`:
    /// sorted by start, those past the end dropped, overlaps and loops named.
    pub(crate) fn finish(mut self, duration_ms: u64) -> FileChapters {
        self.vorbis_marks();
        self.check_tocs();
        let mut findings = std::mem::take(&mut self.findings);
        if self.dropped > 0 {
            findings.push(format!(
                "the file has {} chapters; only the first {MAX_CHAPTERS} are kept",
                self.marks.len() + self.dropped
            ));
        }
        let mut chapters: Vec<Chapter> = self.marks.into_iter().map(|(_, c)| c).collect();
        chapters.sort_by_key(|c| c.start_ms);
        let before = chapters.len();
        chapters.retain(|c| c.start_ms < duration_ms.max(1));
        if chapters.len() < before {
            findings.push(format!(
                "{} chapter(s) start after the end of the audio ({}) and were dropped",
                before - chapters.len(),
                clock(duration_ms)
            ));
        }
        for c in &mut chapters {
            // A second of slack: tools round the end to the nearest frame.
            if c.end_ms.is_some_and(|e| e > duration_ms + 1000) {
                findings.push(format!(
                    "chapter \"{}\" ends at {}, after the end of the audio ({}); cut there",
                    c.title,
                    clock(c.end_ms.unwrap_or_default()),
                    clock(duration_ms)
                ));
                c.end_ms = Some(duration_ms);
            }
        }
        let overlaps = chapters
            .windows(2)
            .filter(|w| w[0].end_ms.is_some_and(|e| e > w[1].start_ms))
            .count();
        if let Some(w) = chapters
            .windows(2)
            .find(|w| w[0].end_ms.is_some_and(|e| e > w[1].start_ms))
        {
            findings.push(format!(
                "{overlaps} chapter(s) overlap the next, e.g. \"{}\" ends at {} but \"{}\" starts at {}; \
                 the chapters JSON gives start times only for those",
                w[0].title,
                clock(w[0].end_ms.unwrap_or_default()),
                w[1].title,
                clock(w[1].start_ms)
            ));
            for i in 0..chapters.len() - 1 {
                if chapters[i]
                    .end_ms
                    .is_some_and(|e| e > chapters[i + 1].start_ms)
                {
                    chapters[i].end_ms = None;
                }
            }
        }
        FileChapters { chapters, findings }
    }

    /// Turns the Vorbis `CHAPTERxx` comments into marks.
    fn vorbis_marks(&mut self) {
        for (n, (start, name, url)) in std::mem::take(&mut self.vorbis) {
            let Some(start_ms) = start else {
                self.finding(format!(
                    "CHAPTER{n:03} has a name or URL but no start time; ignored"
                ));
                continue;
            };
            let chapter = Chapter {
                start_ms,
                end_ms: None,
                title: name.unwrap_or_default(),
                url,
                image: None,
            };
            self.push(None, chapter);
        }
    }

    /// Checks the ID3 tables of contents: children that are no element, and
    /// tables that contain themselves. Each table is visited once, so a
    /// loop costs no more than a tree.
    fn check_tocs(&mut self) {
        let chaps: HashSet<&str> = self
            .marks
            .iter()
            .filter_map(|(id, _)| id.as_deref())
            .collect();
        let tocs: HashMap<&str, &[String]> = self
            .tocs
            .iter()
            .map(|(id, kids)| (id.as_str(), kids.as_slice()))
            .collect();
        let mut findings = Vec::new();
        let mut done: HashSet<&str> = HashSet::new();
        for (root, _) in &self.tocs {
            let mut stack = vec![(root.as_str(), 0usize)];
            let mut path: Vec<&str> = Vec::new();
            while let Some((id, depth)) = stack.pop() {
                path.truncate(depth);
                if path.contains(&id) {
                    findings.push(format!(
                        "table of contents `{id}` contains itself (through `{}`): a loop; chapters are ordered by time instead",
                        path.last().copied().unwrap_or(id)
                    ));
                    continue;
                }
                if !done.insert(id) {
                    continue;
                }
                path.push(id);
                for kid in tocs.get(id).copied().unwrap_or(&[]) {
                    if tocs.contains_key(kid.as_str()) {
                        stack.push((kid.as_str(), depth + 1));
                    } else if !chaps.contains(kid.as_str()) {
                        findings.push(format!(
                            "table of contents `{id}` lists `{kid}`, which is no chapter in the file"
                        ));
                    }
                }
            }
        }
        findings.truncate(10);
        for f in findings {
            self.finding(f);
        }
    }
}

/// `h:mm:ss` for findings.
fn clock(ms: u64) -> String {
    let s = ms / 1000;
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

#[cfg(test)]
mod tests;
