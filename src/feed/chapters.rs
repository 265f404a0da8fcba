//! Chapters embedded in an episode's audio file, published as Podcasting
//! 2.0 JSON chapters (podcastindex.org "JSON Chapters Format" 1.2.0: a
//! `version` and `chapters`, each with `startTime` in seconds, `title`,
//! optional `endTime` and `url`) at [`Links::chapters`] and named by the
//! item's `podcast:chapters` tag.
//!
//! An episode file that names its own chapters file wins: the file's own
//! marks are then not published (`show` says so). Chapter images embedded
//! in the file are not published (the format wants an image URL).

use serde::Serialize;

use crate::catalog::Episode;
use crate::probe::chapters::Chapter;

/// The path, under the base URL, where an episode's embedded chapters are
/// served and built: `kapitel/{slug}.json`.
pub const DIR: &str = "kapitel";

/// The embedded chapters to publish for `ep`: none when the episode file
/// names a chapters file of its own, or the audio has none.
pub fn embedded(ep: &Episode) -> Option<&[Chapter]> {
    if ep.data.chapters.is_some() {
        return None;
    }
    let chapters = &ep.analysis.as_ref()?.chapters;
    (!chapters.is_empty()).then_some(chapters.as_slice())
}

#[derive(Serialize)]
struct Document<'a> {
    version: &'static str,
    chapters: Vec<Entry<'a>>,
}

#[derive(Serialize)]
struct Entry<'a> {
    #[serde(rename = "startTime")]
    start_time: f64,
    #[serde(rename = "endTime", skip_serializing_if = "Option::is_none")]
    end_time: Option<f64>,
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

/// The JSON chapters document for `chapters`. Links that are not http(s)
/// are left out (the spec's `url` is a web page).
pub fn json(chapters: &[Chapter]) -> String {
    let seconds = |ms: u64| ms as f64 / 1000.0;
    let doc = Document {
        version: "1.2.0",
        chapters: chapters
            .iter()
            .map(|c| Entry {
                start_time: seconds(c.start_ms),
                end_time: c.end_ms.map(seconds),
                title: &c.title,
                url: c
                    .url
                    .as_deref()
                    .filter(|u| u.starts_with("https://") || u.starts_with("http://")),
            })
            .collect(),
    };
    serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_chapters_have_seconds_and_only_web_links() {
        let c = |start_ms, url: Option<&str>| Chapter {
            start_ms,
            end_ms: Some(start_ms + 500),
            title: "Å \"x\"".into(),
            url: url.map(Into::into),
            has_image: false,
        };
        let text = json(&[
            c(0, Some("javascript:alert(1)")),
            c(61_500, Some("https://skr.se/")),
        ]);
        let v: serde_json::Value = serde_json::from_str(&text).expect("json");
        assert_eq!(v["version"], "1.2.0");
        assert_eq!(v["chapters"][1]["startTime"], 61.5);
        assert_eq!(v["chapters"][1]["endTime"], 62.0);
        assert_eq!(v["chapters"][0]["title"], "Å \"x\"");
        assert!(v["chapters"][0].get("url").is_none());
        assert_eq!(v["chapters"][1]["url"], "https://skr.se/");
    }
}
