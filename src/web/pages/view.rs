//! View structs: what the templates show, built from catalogue values with
//! every URL made and every date and role already in words. Templates get
//! these, never `Episode` rows, so what a page says is decided here.

use serde::Serialize;

use super::site::Site;
use crate::catalog::{AudioSource, Episode};
use crate::search;

/// An episode in a list.
#[derive(Debug, Clone, Serialize)]
pub struct Card {
    /// "Avsnitt 85", or empty for unnumbered episodes.
    pub label: String,
    /// The title.
    pub title: String,
    /// Root-relative path of the episode page.
    pub path: String,
    /// Swedish date.
    pub date: String,
    /// Machine-readable date (`<time datetime>`).
    pub datetime: String,
    /// Duration in words.
    pub duration: String,
    /// Summary, or what a person did in it (role and title), as plain text.
    pub about: String,
}

/// One person's part in one episode, linked.
#[derive(Debug, Clone)]
pub struct Participant {
    /// Name.
    pub name: String,
    /// Root-relative path of their page.
    pub path: String,
    /// Role in Swedish.
    pub role: &'static str,
    /// Their title at the time, if recorded.
    pub affiliation: Option<String>,
}

/// A linked name with a count (participants and themes on the start page).
#[derive(Debug, Clone)]
pub struct Tag {
    /// Display name.
    pub name: String,
    /// Root-relative path.
    pub path: String,
    /// Episodes.
    pub count: u32,
}

/// One search hit, for the page and the JSON API alike.
#[derive(Debug, Clone, Serialize)]
pub struct HitView {
    /// Episode number, if any.
    pub number: Option<u32>,
    /// "Avsnitt 85" or empty.
    pub label: String,
    /// Title.
    pub title: String,
    /// Slug.
    pub slug: String,
    /// Canonical URL.
    pub url: String,
    /// Root-relative path.
    pub path: String,
    /// RFC 3339 publication time.
    pub published_at: String,
    /// Swedish date.
    pub date: String,
    /// The snippet as plain text (match markers removed).
    pub snippet: String,
    /// The snippet as HTML: escaped text with `<mark>` around the matches.
    pub snippet_html: String,
}

/// "Avsnitt 85" or "".
pub fn label(site: &Site, e: &Episode) -> String {
    e.data
        .number
        .map(|n| site.text.episode_number(n))
        .unwrap_or_default()
}

/// `e` as a list entry; `about` defaults to the summary.
pub fn card(site: &Site, e: &Episode, about: Option<String>) -> Card {
    let d = &e.data;
    Card {
        label: label(site, e),
        title: d.title.clone(),
        path: site.local(&site.links.episode(&d.slug)),
        date: site.text.date(&d.published_at, d.date_approximate),
        datetime: crate::catalog::known_published(&d.published_at, d.date_approximate),
        duration: site.text.duration_text(d.audio.duration_ms),
        about: about.unwrap_or_else(|| d.summary.clone().unwrap_or_default()),
    }
}

/// The episode's people, in order of appearance.
pub fn participants(site: &Site, e: &Episode) -> Vec<Participant> {
    e.data
        .credits
        .iter()
        .map(|c| Participant {
            name: c.name.clone(),
            path: site.local(&site.links.person(&c.slug)),
            role: c.role.swedish(),
            affiliation: c.affiliation.clone(),
        })
        .collect()
}

/// The episode's themes, linked.
pub fn themes(site: &Site, e: &Episode) -> Vec<Tag> {
    e.data
        .themes
        .iter()
        .map(|slug| Tag {
            name: site.theme_name(slug).to_string(),
            path: site.local(&site.links.theme(slug)),
            count: 0,
        })
        .collect()
}

/// The audio's public URL (absolute).
pub fn audio_url(site: &Site, e: &Episode) -> String {
    match &e.data.audio.source {
        AudioSource::File(name) => site.links.media(name),
        AudioSource::Url(url) => url.clone(),
    }
}

/// A search hit with its links, date and highlighted snippet.
pub fn hit(site: &Site, h: &search::Hit) -> HitView {
    let url = site.links.episode(&h.slug);
    let date = site.episode_by_slug(&h.slug).map_or_else(
        || h.published_at.clone(),
        |e| {
            site.text
                .date(&e.data.published_at, e.data.date_approximate)
        },
    );
    HitView {
        number: h.number,
        label: h
            .number
            .map(|n| site.text.episode_number(n))
            .unwrap_or_default(),
        title: h.title.clone(),
        slug: h.slug.clone(),
        path: site.local(&url),
        url,
        published_at: h.published_at.clone(),
        date,
        snippet: h
            .snippet
            .replace([search::MATCH_START, search::MATCH_END], ""),
        snippet_html: highlight(&h.snippet),
    }
}

/// Escapes `snippet` for HTML, then turns the match markers into `<mark>`;
/// markers left unbalanced by the snippet's cut are closed.
pub fn highlight(snippet: &str) -> String {
    let mut out = String::with_capacity(snippet.len() + 32);
    let mut open = false;
    for c in snippet.chars() {
        match c {
            search::MATCH_START if !open => {
                out.push_str("<mark>");
                open = true;
            }
            search::MATCH_END if open => {
                out.push_str("</mark>");
                open = false;
            }
            search::MATCH_START | search::MATCH_END => {}
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    if open {
        out.push_str("</mark>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::highlight;

    #[test]
    fn snippets_are_escaped_before_marks_are_added() {
        assert_eq!(
            highlight("a <b> \u{E000}Örebro\u{E001} & \u{E000}x"),
            "a &lt;b&gt; <mark>Örebro</mark> &amp; <mark>x</mark>"
        );
    }
}
