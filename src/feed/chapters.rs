//! Chapters embedded in an episode's audio file, published as Podcasting
//! 2.0 JSON chapters (podcastindex.org "JSON Chapters Format" 1.2.0: a
//! `version` and `chapters`, each with `startTime` in seconds, `title`,
//! optional `endTime` and `url`) at [`Links::chapters`] and named by the
//! item's `podcast:chapters` tag.
//!
//! An episode file that names its own chapters file wins: the file's own
//! marks are then not published (`show` says so). A chapter's image is
//! read from the audio file where the probe found it and served at
//! `kapitel/{slug}/{n}.{jpg,png}` (the format's `img` is a URL).

use serde::Serialize;

use crate::catalog::Episode;
use crate::probe::chapters::{Chapter, ImageRef};

use super::Links;

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
    img: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

/// The chapter image numbered `n` (from 1) of an episode, with its type.
pub fn image<'a>(ep: &'a Episode, file: &str) -> Option<&'a ImageRef> {
    let (n, ext) = file.split_once('.')?;
    let n: usize = n.parse().ok()?;
    let image = embedded(ep)?.get(n.checked_sub(1)?)?.image.as_ref()?;
    (image.extension() == ext).then_some(image)
}

/// Where chapter `n` (from 1) of the episode `slug` has its image.
pub fn image_url(links: &Links, slug: &str, n: usize, image: &ImageRef) -> String {
    format!(
        "{}/{n}.{}",
        links.chapters(slug).trim_end_matches(".json"),
        image.extension()
    )
}

/// The JSON chapters document for the episode `slug`'s `chapters`, images
/// linked under `links`. Links that are not http(s) are left out (the
/// spec's `url` is a web page).
pub fn json(chapters: &[Chapter], links: &Links, slug: &str) -> String {
    let seconds = |ms: u64| ms as f64 / 1000.0;
    let doc = Document {
        version: "1.2.0",
        chapters: chapters
            .iter()
            .enumerate()
            .map(|(i, c)| Entry {
                start_time: seconds(c.start_ms),
                end_time: c.end_ms.map(seconds),
                title: &c.title,
                img: c.image.as_ref().map(|im| image_url(links, slug, i + 1, im)),
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
            image: None,
        };
        let links = Links::new(&url::Url::parse("https://podd.example/").expect("url"));
        let mut second = c(61_500, Some("https://skr.se/"));
        second.image = Some(ImageRef {
            offset: 10,
            bytes: 20,
            mime: "image/png".into(),
        });
        let text = json(&[c(0, Some("javascript:alert(1)")), second], &links, "7-x");
        let v: serde_json::Value = serde_json::from_str(&text).expect("json");
        assert_eq!(v["version"], "1.2.0");
        assert_eq!(v["chapters"][1]["startTime"], 61.5);
        assert_eq!(v["chapters"][1]["endTime"], 62.0);
        assert_eq!(v["chapters"][0]["title"], "Å \"x\"");
        assert!(v["chapters"][0].get("url").is_none());
        assert_eq!(v["chapters"][1]["url"], "https://skr.se/");
        assert_eq!(
            v["chapters"][1]["img"],
            "https://podd.example/kapitel/7-x/2.png"
        );
        assert!(v["chapters"][0].get("img").is_none());
    }
}
