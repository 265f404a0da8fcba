//! The episode page, the feed item's `<link>`: title, number, date,
//! duration, participants with their Swedish role and their title at the
//! time, themes, an `<audio preload="none">` player with a download link,
//! the show notes, chapters and the transcript (the text alternative WCAG
//! 1.2.1 asks for) when the episode has them, and the neighbours.
//!
//! Chapter and transcript times are links to the audio at that time
//! (a media fragment, `#t=`), so they work without script; `site.js` makes
//! them seek the player instead.

use maud::{Markup, PreEscaped, html};

use super::layout::{self, Head, Section};
use super::media_text::{self, Cue};
use super::notes;
use super::site::Site;
use super::view;
use crate::catalog::Episode;

/// The text that goes with an episode, read from its files.
#[derive(Debug, Default)]
pub struct Extras {
    /// Transcript cues (empty when there is none or it cannot be read).
    pub transcript: Vec<Cue>,
    /// Chapters (empty when none).
    pub chapters: Vec<Cue>,
}

/// Reads an episode's transcript and chapters from the media folder.
pub fn extras(media_root: &std::path::Path, e: &Episode) -> Extras {
    let read = |name: &Option<String>| {
        name.as_deref()
            .and_then(|n| media_text::read(media_root, n))
    };
    Extras {
        transcript: read(&e.data.transcript)
            .map(|t| media_text::transcript(&t))
            .unwrap_or_default(),
        chapters: read(&e.data.chapters)
            .map(|t| media_text::chapters(&t))
            .unwrap_or_default(),
    }
}

/// Renders the page of `e` (older and newer are its neighbours).
pub fn render(
    site: &Site,
    (older, e, newer): (Option<&Episode>, &Episode, Option<&Episode>),
    extras: &Extras,
) -> Markup {
    let t = site.text;
    let d = &e.data;
    let label = view::label(site, e);
    let audio = view::audio_url(site, e);
    let audio_local = site.local(&audio);
    let people = view::participants(site, e);
    let themes = view::themes(site, e);
    let canonical = site.links.episode(&d.slug);
    let body = html! {
        article {
            @if !label.is_empty() { p.meta { (label) } }
            h1 { (d.title) }
            p.meta {
                (t.published) " " time datetime=(crate::catalog::known_published(&d.published_at, d.date_approximate)) { (t.date(&d.published_at, d.date_approximate)) }
                " · " (t.duration) " " (t.duration_text(d.audio.duration_ms))
            }
            @if let Some(summary) = &d.summary { p { (summary) } }
            section.player aria-labelledby="lyssna" {
                h2 #lyssna { (t.listen) }
                audio #player controls preload="none" {
                    source src=(audio_local) type=(d.audio.mime);
                    (t.no_audio_support)
                }
                p { a href=(audio_local) download { (t.download) } }
            }
            @if !people.is_empty() {
                h2 { (t.participants) }
                ul.people {
                    @for p in &people {
                        li {
                            a href=(p.path) { (p.name) }
                            ", " span.role { (p.role) }
                            @if let Some(a) = &p.affiliation { " – " (a) }
                        }
                    }
                }
            }
            @if !themes.is_empty() {
                h2 #teman { (t.themes) }
                ul.tags aria-labelledby="teman" {
                    @for th in &themes { li { a href=(th.path) { (th.name) } } }
                }
            }
            @if !d.description.trim().is_empty() {
                h2 { (t.show_notes) }
                div.notes { (PreEscaped(notes::render(&d.description))) }
            }
            @if !extras.chapters.is_empty() {
                h2 { (t.chapters) }
                (timed(site, &extras.chapters, &audio_local, "chapters"))
            }
            h2 { (t.transcript) }
            @if !extras.transcript.is_empty() {
                (timed(site, &extras.transcript, &audio_local, "cues"))
            } @else if let Some(file) = &d.transcript {
                p { a href=(site.local(&site.links.media_or_url(file))) { (t.transcript_file) } }
            } @else {
                p { (t.no_transcript) }
            }
        }
        (siblings(site, older, newer))
    };
    let head = Head {
        title: if label.is_empty() {
            d.title.clone()
        } else {
            format!("{label}: {}", d.title)
        },
        description: d.summary.clone().unwrap_or_else(|| d.description.clone()),
        canonical,
        og_type: "article",
        feeds: Vec::new(),
        audio: Some((audio.clone(), d.audio.mime.clone())),
        json_ld: json_ld(site, e, &audio),
        section: Section::Other,
    };
    layout::page(site, head, body)
}

/// A list of times (links into the audio) with their text.
fn timed(site: &Site, cues: &[Cue], audio: &str, class: &str) -> Markup {
    html! {
        ol class=(class) {
            @for c in cues {
                @let clock = media_text::clock(c.start_ms);
                @let secs = format!("{:.3}", c.start_ms as f64 / 1000.0);
                li {
                    a.time href=(format!("{audio}#t={secs}")) data-start=(secs)
                        aria-label=(site.text.play_from(&clock)) { (clock) }
                    span { (c.text) }
                }
            }
        }
    }
}

fn siblings(site: &Site, older: Option<&Episode>, newer: Option<&Episode>) -> Markup {
    let t = site.text;
    let link = |e: &Episode| {
        (
            site.local(&site.links.episode(&e.data.slug)),
            e.data.title.clone(),
        )
    };
    html! {
        @if older.is_some() || newer.is_some() {
            nav.siblings aria-label=(t.more_episodes) {
                ul {
                    li { @if let Some((href, title)) = older.map(link) { (t.previous) ": " a href=(href) rel="prev" { (title) } } }
                    li { @if let Some((href, title)) = newer.map(link) { (t.next) ": " a href=(href) rel="next" { (title) } } }
                }
            }
        }
    }
}

fn json_ld(site: &Site, e: &Episode, audio: &str) -> serde_json::Value {
    let d = &e.data;
    let published = if d.date_approximate {
        crate::catalog::known_published(&d.published_at, true)
    } else {
        d.published_at.date_naive().to_string()
    };
    let people: Vec<serde_json::Value> = d
        .credits
        .iter()
        .map(|c| {
            serde_json::json!({
                "@type": "Person",
                "name": c.name,
                "url": site.links.person(&c.slug),
                "jobTitle": c.affiliation,
            })
        })
        .collect();
    let mut v = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "PodcastEpisode",
        "name": d.title,
        "url": site.links.episode(&d.slug),
        // schema.org takes an ISO 8601 date: only the month when that is all we know.
        "datePublished": published,
        "description": d.summary.clone().unwrap_or_else(|| layout::plain_excerpt(&d.description, 300)),
        "timeRequired": format!("PT{}S", d.audio.duration_ms.div_ceil(1000)),
        "associatedMedia": { "@type": "MediaObject", "contentUrl": audio, "encodingFormat": d.audio.mime },
        "partOfSeries": layout::series(site),
        "keywords": d.themes.iter().map(|s| site.theme_name(s)).collect::<Vec<_>>().join(", "),
    });
    if let Some(n) = d.number {
        v["episodeNumber"] = n.into();
    }
    // No people known, no contributor: nothing is inferred for the page.
    if !people.is_empty() {
        v["contributor"] = people.into();
    }
    v
}
