//! One `<item>` per published episode: Apple's episode tags (title,
//! enclosure, guid, pubDate, description, `itunes:duration`,
//! `itunes:episode`, `itunes:episodeType`, `itunes:explicit`) and the
//! Podcast Index ones (`podcast:episode`, `podcast:season`,
//! `podcast:person`, `podcast:transcript`, `podcast:chapters`).

use pulldown_cmark::{Options, Parser, html};

use super::channel::bool_text;
use super::links::Links;
use super::xml::Xml;
use crate::catalog::{AudioSource, Episode, EpisodeData};
use crate::config::Config;

/// Writes the item for `ep`.
pub(super) fn write(xml: &mut Xml, config: &Config, links: &Links, ep: &Episode) {
    let d = &ep.data;
    xml.open("item", &[]);
    // Apple: the title carries neither the episode number nor the show name;
    // the catalogue stores it that way and numbers go in itunes:episode.
    xml.text("title", &[], &d.title);
    xml.text("link", &[], &links.episode(&d.slug));
    xml.text("guid", &[("isPermaLink", "false")], &ep.guid);
    xml.text("pubDate", &[], &rfc2822(&d.published_at));
    let notes = description(d);
    let mut section = String::with_capacity(notes.len() + 12);
    super::xml::cdata_into(&mut section, &notes);
    xml.prepared_cdata("description", &section);
    xml.prepared_cdata("content:encoded", &section);
    let url = match &d.audio.source {
        AudioSource::File(name) => links.media(name),
        AudioSource::Url(url) => url.clone(),
    };
    let url = if config.stats.op3 { op3(&url) } else { url };
    let length = d.audio.bytes.to_string();
    xml.empty(
        "enclosure",
        &[("url", &url), ("length", &length), ("type", &d.audio.mime)],
    );
    xml.text("itunes:duration", &[], &whole_seconds(d.audio.duration_ms));
    if let Some(image) = &d.image {
        xml.empty("itunes:image", &[("href", &links.media_or_url(image))]);
    }
    if let Some(season) = d.season {
        let s = season.to_string();
        xml.text("itunes:season", &[], &s);
        xml.text("podcast:season", &[], &s);
    }
    if let Some(number) = d.number {
        let n = number.to_string();
        xml.text("itunes:episode", &[], &n);
        xml.text("podcast:episode", &[], &n);
    }
    xml.text("itunes:episodeType", &[], d.episode_type.as_str());
    xml.text("itunes:explicit", &[], bool_text(d.explicit));
    // Item-level people replace the channel's (namespace, `person`), so the
    // host is repeated next to the guests on every item.
    for c in &d.credits {
        person(xml, links, &c.name, &c.slug, c.role.as_str());
    }
    for slug in &d.themes {
        let name = config
            .theme(slug)
            .map_or(slug.as_str(), |t| t.name.as_str());
        xml.text("category", &[("domain", &links.theme(slug))], name);
    }
    if let Some(file) = &d.transcript {
        let (kind, captions) = transcript_type(file);
        let url = links.media_or_url(file);
        let mut attrs = vec![
            ("url", url.as_str()),
            ("type", kind),
            ("language", config.channel.language.as_str()),
        ];
        if captions {
            attrs.push(("rel", "captions"));
        }
        xml.empty("podcast:transcript", &attrs);
    }
    if let Some(file) = &d.chapters {
        let url = links.media_or_url(file);
        xml.empty(
            "podcast:chapters",
            &[("url", &url), ("type", "application/json+chapters")],
        );
    }
    xml.close("item");
}

/// `url` behind OP3's redirect (`[stats] op3 = true`): OP3 counts the
/// download in the open, then sends the app on to the file. Its documented
/// form drops the `https://` of the target and keeps any other scheme.
pub(super) fn op3(url: &str) -> String {
    const PREFIX: &str = "https://op3.dev/e/";
    match url.strip_prefix("https://") {
        Some(rest) => format!("{PREFIX}{rest}"),
        None => format!("{PREFIX}{url}"),
    }
}

/// The item's `description` as HTML. Apple requires one: an episode
/// without notes gets its summary, or else its title.
pub fn description(d: &EpisodeData) -> String {
    match (d.description.trim(), &d.summary) {
        ("", Some(summary)) if !summary.trim().is_empty() => show_notes(summary),
        ("", _) => show_notes(&d.title),
        (notes, _) => show_notes(notes),
    }
}

/// `<podcast:person role=… group=… href=…>name</podcast:person>`, with the
/// person's page on the site as `href`.
pub(super) fn person(xml: &mut Xml, links: &Links, name: &str, slug: &str, role: &str) {
    let href = links.person(slug);
    person_tag(xml, name, role, Some(&href), None);
}

/// `<podcast:person>` with the group its role belongs to and the optional
/// `href` and `img`.
pub(super) fn person_tag(
    xml: &mut Xml,
    name: &str,
    role: &str,
    href: Option<&str>,
    img: Option<&str>,
) {
    let group = taxonomy_group(role);
    let mut attrs = vec![("role", role)];
    if group != "cast" {
        attrs.push(("group", group));
    }
    attrs.extend(href.map(|h| ("href", h)));
    attrs.extend(img.map(|i| ("img", i)));
    xml.text("podcast:person", &attrs, name);
}

/// The Podcast Taxonomy group of a role (`taxonomy.json` in the namespace
/// repository); `cast` is the default parsers assume.
fn taxonomy_group(role: &str) -> &'static str {
    match role {
        "director" | "executive producer" | "producer" | "associate producer" => {
            "creative direction"
        }
        "writer" | "researcher" | "editor" | "translator" | "transcriber" => "writing",
        "audio engineer" => "audio production",
        "audio editor" | "sound designer" | "composer" => "audio post-production",
        "cover art designer" => "visuals",
        _ => "cast",
    }
}

/// The MIME type of a transcript file by its extension, and whether it is
/// a timed captions format (`rel="captions"`).
fn transcript_type(file: &str) -> (&'static str, bool) {
    let ext = file.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "vtt" => ("text/vtt", true),
        "srt" => ("application/x-subrip", true),
        "json" => ("application/json", false),
        "html" | "htm" => ("text/html", false),
        _ => ("text/plain", false),
    }
}

/// RFC 2822 date with English names and the stored (Stockholm) offset,
/// day zero-padded as most feeds write it: `Mon, 07 Nov 2022 06:00:00 +0100`.
/// (chrono's `to_rfc2822` writes `7 Nov`, also valid, but less common.)
pub fn rfc2822(t: &chrono::DateTime<chrono::FixedOffset>) -> String {
    use chrono::{Datelike as _, Timelike as _};
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    // Written by hand: strftime re-parses its pattern on every call, and
    // this runs once per item.
    let offset = t.offset().local_minus_utc() / 60;
    let sign = if offset < 0 { '-' } else { '+' };
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} {sign}{:02}{:02}",
        DAYS[t.weekday().num_days_from_monday() as usize],
        t.day(),
        MONTHS[t.month0() as usize],
        t.year(),
        t.hour(),
        t.minute(),
        t.second(),
        offset.abs() / 60,
        offset.abs() % 60,
    )
}

/// `itunes:duration` in whole seconds, rounded to the nearest second.
pub fn whole_seconds(ms: u64) -> String {
    ms.saturating_add(500).div_euclid(1000).to_string()
}

/// Markdown show notes as HTML (CommonMark plus tables and strikethrough).
pub fn show_notes(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len() * 5 / 4 + 16);
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    );
    html::push_html(&mut out, parser);
    out
}
