//! From the element tree to [`Feed`]: which tag means what, in the order
//! Apple's podcast RSS guide and the Podcasting 2.0 namespace give them,
//! with per-item problems (the item cannot be imported) and notes (it can).

use std::collections::HashMap;

use url::Url;

use super::html::{notes_cleaner, plain, resolve, sanitise};
use super::tree::{Node, Ns};
use super::values::{parse_bool, parse_date, parse_duration};
use super::{Channel, Enclosure, Feed, FeedError, Item, Person, Transcript};

/// Reads the `<rss>` root.
pub(super) fn feed(root: &Node, base: Option<&Url>) -> Result<Feed, FeedError> {
    let not = |what: String| Err(FeedError::NotAFeed(what));
    match root.name.to_ascii_lowercase().as_str() {
        "rss" => {}
        "feed" => {
            return not("it is an Atom feed; only RSS 2.0 podcast feeds can be imported".into());
        }
        "rdf" => {
            return not(
                "it is an RSS 1.0 (RDF) feed; only RSS 2.0 podcast feeds can be imported".into(),
            );
        }
        "html" => return not("it is a web page (HTML)".into()),
        other => return not(format!("the document is <{other}>, not <rss>")),
    }
    let Some(ch) = root.child(Ns::Rss, "channel") else {
        return not("<rss> has no <channel>".into());
    };
    let base = base.cloned().or_else(|| own_address(ch));
    let channel = channel(ch, base.as_ref());
    // Items are independent, and sanitising their notes is most of the
    // work: they are read on every core.
    use rayon::prelude::*;
    let cleaner = notes_cleaner(base.as_ref());
    let nodes: Vec<&Node> = ch.children_named(Ns::Rss, "item").collect();
    let mut items: Vec<Item> = nodes
        .par_iter()
        .enumerate()
        .map(|(i, node)| item(node, i + 1, base.as_ref(), &cleaner))
        .collect();
    flag_duplicate_guids(&mut items);
    Ok(Feed {
        channel,
        items,
        warnings: Vec::new(),
    })
}

/// For a feed read from a file: its `atom:link rel="self"`, else its `link`.
fn own_address(ch: &Node) -> Option<Url> {
    let self_link = ch
        .children_named(Ns::Atom, "link")
        .find(|l| l.attr("rel").as_deref() == Some("self"))
        .and_then(|l| l.attr("href"));
    self_link
        .or_else(|| ch.text_of(Ns::Rss, "link"))
        .and_then(|u| Url::parse(&u).ok())
}

fn image(node: &Node, base: Option<&Url>) -> Option<String> {
    let img = node.child(Ns::Itunes, "image")?;
    let raw = img
        .attr("href")
        .or_else(|| Some(img.text.trim().to_string()))?;
    resolve(base, &raw).ok()
}

fn channel(ch: &Node, base: Option<&Url>) -> Channel {
    let owner = ch.child(Ns::Itunes, "owner");
    let categories = ch
        .children_named(Ns::Itunes, "category")
        .filter_map(|c| {
            let name = c.attr("text")?;
            Some(
                match c.child(Ns::Itunes, "category").and_then(|s| s.attr("text")) {
                    Some(sub) => format!("{name} > {sub}"),
                    None => name,
                },
            )
        })
        .collect();
    let image = image(ch, base).or_else(|| {
        ch.child(Ns::Rss, "image")
            .and_then(|i| i.text_of(Ns::Rss, "url"))
            .and_then(|u| resolve(base, &u).ok())
    });
    Channel {
        title: ch.text_of(Ns::Rss, "title").map(|t| plain(&t)),
        description: ch
            .text_of(Ns::Rss, "description")
            .or_else(|| ch.text_of(Ns::Itunes, "summary"))
            .map(|t| plain(&t)),
        language: ch.text_of(Ns::Rss, "language"),
        author: ch.text_of(Ns::Itunes, "author"),
        owner: (
            owner.and_then(|o| o.text_of(Ns::Itunes, "name")),
            owner.and_then(|o| o.text_of(Ns::Itunes, "email")),
        ),
        categories,
        explicit: ch
            .text_of(Ns::Itunes, "explicit")
            .and_then(|e| parse_bool(&e)),
        kind: ch
            .text_of(Ns::Itunes, "type")
            .map(|t| t.to_ascii_lowercase()),
        image,
        copyright: ch.text_of(Ns::Rss, "copyright"),
        podcast_guid: ch.text_of(Ns::Podcast, "guid"),
        locked: ch
            .text_of(Ns::Podcast, "locked")
            .and_then(|l| parse_bool(&l)),
        funding: ch
            .children_named(Ns::Podcast, "funding")
            .filter_map(|f| {
                Some((
                    resolve(base, &f.attr("url")?).ok()?,
                    f.text.trim().to_string(),
                ))
            })
            .collect(),
        link: ch.text_of(Ns::Rss, "link"),
        new_feed_url: ch.text_of(Ns::Itunes, "new-feed-url"),
        keywords: keywords(ch),
    }
}

/// Plain `category` texts and comma-separated `itunes:keywords`.
fn keywords(node: &Node) -> Vec<String> {
    let mut out: Vec<String> = node
        .children_named(Ns::Rss, "category")
        .map(|c| c.text.trim().to_string())
        .collect();
    if let Some(k) = node.text_of(Ns::Itunes, "keywords") {
        out.extend(k.split(',').map(|w| w.trim().to_string()));
    }
    out.retain(|k| !k.is_empty());
    out.dedup();
    out
}

fn item(node: &Node, position: usize, base: Option<&Url>, cleaner: &ammonia::Builder) -> Item {
    let mut it = Item {
        position,
        guid: node.text_of(Ns::Rss, "guid"),
        title: node
            .text_of(Ns::Rss, "title")
            .or_else(|| node.text_of(Ns::Itunes, "title"))
            .map(|t| plain(&t)),
        published: None,
        notes_html: None,
        summary: None,
        number: None,
        season: None,
        episode_type: None,
        explicit: node
            .text_of(Ns::Itunes, "explicit")
            .and_then(|e| parse_bool(&e)),
        image: image(node, base),
        enclosure: None,
        duration_ms: None,
        people: people(node),
        transcripts: Vec::new(),
        chapters_url: None,
        link: node
            .text_of(Ns::Rss, "link")
            .and_then(|l| resolve(base, &l).ok()),
        keywords: keywords(node),
        problems: Vec::new(),
        notes: Vec::new(),
    };
    if it.title.is_none() {
        it.problems.push("no title".into());
    }
    read_date(node, &mut it);
    read_notes(node, cleaner, &mut it);
    read_numbers(node, &mut it);
    read_enclosure(node, base, &mut it);
    read_links(node, base, &mut it);
    it
}

fn read_date(node: &Node, it: &mut Item) {
    match node.text_of(Ns::Rss, "pubDate") {
        None => it.problems.push("no pubDate".into()),
        Some(raw) => match parse_date(&raw) {
            Ok(d) => it.published = Some(d),
            Err(e) => it.problems.push(format!("pubDate: {e}")),
        },
    }
}

fn read_notes(node: &Node, cleaner: &ammonia::Builder, it: &mut Item) {
    let summary = node.text_of(Ns::Itunes, "summary");
    let html = node
        .text_of(Ns::Content, "encoded")
        .or_else(|| node.text_of(Ns::Rss, "description"))
        .or_else(|| summary.clone());
    it.notes_html = html
        .map(|h| sanitise(&h, cleaner))
        .filter(|h| !h.trim().is_empty());
    // The catalogue's summary is one sentence: the subtitle, or a summary
    // short enough to be one (long ones are show notes in another tag).
    it.summary = node
        .text_of(Ns::Itunes, "subtitle")
        .or(summary)
        .map(|s| plain(&s))
        .filter(|s| !s.is_empty() && s.chars().count() <= 255);
}

fn read_numbers(node: &Node, it: &mut Item) {
    let number = |ns: Ns, name: &str, notes: &mut Vec<String>| -> Option<u32> {
        let raw = node.text_of(ns, name)?;
        match raw.parse::<f64>() {
            Ok(n) if n.fract() == 0.0 && (0.0..=u32::MAX as f64).contains(&n) => Some(n as u32),
            _ => {
                notes.push(format!("{name} `{raw}` is not a whole number; left out"));
                None
            }
        }
    };
    it.number = number(Ns::Itunes, "episode", &mut it.notes)
        .or_else(|| number(Ns::Podcast, "episode", &mut it.notes));
    it.season = number(Ns::Itunes, "season", &mut it.notes)
        .or_else(|| number(Ns::Podcast, "season", &mut it.notes))
        .filter(|s| *s > 0);
    if let Some(kind) = node.text_of(Ns::Itunes, "episodeType") {
        let kind = kind.to_ascii_lowercase();
        if matches!(kind.as_str(), "full" | "trailer" | "bonus") {
            it.episode_type = Some(kind);
        } else {
            it.notes.push(format!(
                "episodeType `{kind}` is not full, trailer or bonus; taken as full"
            ));
        }
    }
    if let Some(raw) = node.text_of(Ns::Itunes, "duration") {
        it.duration_ms = parse_duration(&raw);
        if it.duration_ms.is_none() {
            it.notes.push(format!(
                "itunes:duration `{raw}` is not a duration; left out"
            ));
        }
    }
}

fn read_enclosure(node: &Node, base: Option<&Url>, it: &mut Item) {
    let Some(enc) = node.child(Ns::Rss, "enclosure") else {
        it.problems
            .push("no enclosure (the item has no audio)".into());
        return;
    };
    let Some(raw) = enc.attr("url") else {
        it.problems.push("enclosure has no url".into());
        return;
    };
    if it.guid.is_none() {
        // Apps key an item without a guid by its enclosure URL.
        it.guid = Some(raw.clone());
    }
    match resolve(base, &raw) {
        Ok(url) => {
            it.enclosure = Some(Enclosure {
                url,
                length: enc
                    .attr("length")
                    .and_then(|l| l.parse().ok())
                    .filter(|l| *l > 0),
                mime: enc.attr("type"),
            })
        }
        Err(e) => it.problems.push(format!("enclosure: {e}")),
    }
}

fn read_links(node: &Node, base: Option<&Url>, it: &mut Item) {
    for t in node.children_named(Ns::Podcast, "transcript") {
        let Some(raw) = t.attr("url") else { continue };
        match resolve(base, &raw) {
            Ok(url) => it.transcripts.push(Transcript {
                mime: t.attr("type").unwrap_or_else(|| "text/plain".into()),
                url,
                language: t.attr("language"),
                rel: t.attr("rel"),
            }),
            Err(e) => it.notes.push(format!("transcript left out: {e}")),
        }
    }
    if let Some(raw) = node
        .child(Ns::Podcast, "chapters")
        .and_then(|c| c.attr("url"))
    {
        match resolve(base, &raw) {
            Ok(url) => it.chapters_url = Some(url),
            Err(e) => it.notes.push(format!("chapters left out: {e}")),
        }
    }
}

fn people(node: &Node) -> Vec<Person> {
    node.children_named(Ns::Podcast, "person")
        .filter_map(|p| {
            let name = plain(&p.text);
            (!name.is_empty()).then(|| Person {
                name,
                role: p
                    .attr("role")
                    .map_or_else(|| "host".into(), |r| r.to_lowercase()),
                group: p
                    .attr("group")
                    .map_or_else(|| "cast".into(), |g| g.to_lowercase()),
                img: p.attr("img"),
                href: p.attr("href"),
            })
        })
        .collect()
}

/// Both items of a guid used twice get a problem naming the other.
fn flag_duplicate_guids(items: &mut [Item]) {
    let mut first: HashMap<String, usize> = HashMap::new();
    let mut dups = Vec::new();
    for (i, it) in items.iter().enumerate() {
        if let Some(g) = &it.guid {
            if let Some(&j) = first.get(g) {
                dups.push((i, j));
            } else {
                first.insert(g.clone(), i);
            }
        }
    }
    for (i, j) in dups {
        let (pi, pj) = (items[i].position, items[j].position);
        let guid = items[i].guid.clone().unwrap_or_default();
        items[i]
            .problems
            .push(format!("guid `{guid}` is also used by item {pj}"));
        let msg = format!("guid `{guid}` is also used by item {pi}");
        if !items[j].problems.contains(&msg) {
            items[j].problems.push(msg);
        }
    }
}
