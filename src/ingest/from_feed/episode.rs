//! One feed item as a catalogue episode: slug, type, dates in Swedish time,
//! show notes as a raw HTML block of Markdown, the transcript the catalogue
//! keeps, and whether it says the same as the stored episode.

use super::{Known, Planned};
use crate::catalog::file::default_slug;
use crate::catalog::{Audio, AudioSource, Credit, EpisodeData, EpisodeType, in_stockholm};

/// The episode for an item, audio still to be measured; `None` when it
/// lacks what an episode must have.
pub(super) fn episode(
    p: &Planned,
    known: &mut Known,
    number: Option<u32>,
    credits: Vec<Credit>,
    themes: Vec<String>,
    channel_explicit: bool,
) -> Option<EpisodeData> {
    let item = &p.item;
    let (title, published, enclosure) = (
        item.title.clone()?,
        item.published?,
        item.enclosure.as_ref()?,
    );
    if p.guid.is_empty() {
        return None;
    }
    let existing = known.by_guid.get(&p.guid);
    let slug = match existing {
        Some(old) => old.data.slug.clone(),
        None => known.free_slug(&default_slug(number, &title), &p.guid),
    };
    let episode_type = item
        .episode_type
        .as_deref()
        .and_then(EpisodeType::parse)
        .unwrap_or(EpisodeType::Full);
    Some(EpisodeData {
        number,
        season: item.season,
        episode_type,
        title,
        slug,
        summary: item.summary.clone(),
        description: item
            .notes_html
            .as_deref()
            .map(notes_markdown)
            .unwrap_or_default(),
        published_at: in_stockholm(published),
        date_approximate: false,
        explicit: item.explicit.unwrap_or(channel_explicit),
        audio: Audio {
            source: AudioSource::Url(enclosure.url.clone()),
            bytes: enclosure.length.unwrap_or(0),
            mime: enclosure.mime.clone().unwrap_or_default(),
            duration_ms: item.duration_ms.unwrap_or(0),
            sha256: None,
        },
        image: item.image.clone(),
        transcript: best_transcript(p),
        chapters: item.chapters_url.clone(),
        credits,
        themes,
    })
}

/// The catalogue keeps one transcript per episode: timed captions first
/// (WebVTT, then SRT), as apps prefer them; the others are listed in notes.
fn best_transcript(p: &Planned) -> Option<String> {
    let rank = |mime: &str| match mime {
        "text/vtt" => 0,
        "application/x-subrip" | "application/srt" => 1,
        "application/json" => 2,
        "text/html" => 3,
        _ => 4,
    };
    p.item
        .transcripts
        .iter()
        .min_by_key(|t| rank(&t.mime))
        .map(|t| t.url.clone())
}

/// Show notes are Markdown in the catalogue; sanitised HTML goes in as one
/// raw HTML block (CommonMark section 4.6, kind 6: it starts with a block
/// tag and runs to the first blank line, so blank lines are dropped), which
/// Markdown passes through unchanged.
pub fn notes_markdown(html: &str) -> String {
    let lines: Vec<&str> = html.lines().filter(|l| !l.trim().is_empty()).collect();
    let body = lines.join("\n");
    const BLOCKS: [&str; 12] = [
        "<p>",
        "<p ",
        "<div",
        "<ul",
        "<ol",
        "<h1",
        "<h2",
        "<h3",
        "<h4",
        "<blockquote",
        "<table",
        "<figure",
    ];
    if BLOCKS.iter().any(|b| body.starts_with(b)) {
        body
    } else {
        format!("<div>{body}</div>")
    }
}

/// Whether `new` says what `old` (as stored) says; credits compare by name
/// and role (the stored slugs are the catalogue's).
pub(super) fn same(new: &EpisodeData, old: &EpisodeData) -> bool {
    let mut new = new.clone();
    for c in &mut new.credits {
        c.slug = old
            .credits
            .iter()
            .find(|o| o.name == c.name)
            .map_or_else(|| crate::slug::slugify(&c.name), |o| o.slug.clone());
    }
    new == *old
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_pass_through_markdown_unchanged() {
        for html in [
            "<p>a *b* _c_</p>\n\n<ul><li>x</li></ul>",
            "Plain &amp; simple\n\n    indented",
            "<h2>T</h2><p>1. not a list</p>",
        ] {
            let md = notes_markdown(html);
            let rendered = crate::feed::show_notes(&md);
            let want: String = html
                .lines()
                .filter(|l| !l.trim().is_empty())
                .collect::<Vec<_>>()
                .join("\n");
            assert!(rendered.contains(&want), "{html:?} -> {rendered:?}");
        }
    }
}
