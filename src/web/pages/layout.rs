//! The frame every page shares: `<head>` with canonical URL, feed
//! autodiscovery, Open Graph and schema.org JSON-LD; a skip link, the
//! banner with the main navigation, `<main>`, and the footer. Landmarks and
//! one `h1` per page (WCAG 2.4.1, 1.3.1); text is escaped by maud.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::site::{Paging, Site};
use crate::web::assets;

/// Which navigation entry the page is (`aria-current="page"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// The start page.
    Home,
    /// The search page.
    Search,
    /// The list of participants.
    People,
    /// Any other page.
    Other,
}

/// A page's metadata.
#[derive(Debug)]
pub struct Head {
    /// `<title>` (the show's name is appended).
    pub title: String,
    /// Meta and Open Graph description (plain text).
    pub description: String,
    /// The canonical absolute URL.
    pub canonical: String,
    /// `og:type`.
    pub og_type: &'static str,
    /// Feeds to announce, (title, absolute URL); the show's feed is always first.
    pub feeds: Vec<(String, String)>,
    /// Episode audio for `og:audio`.
    pub audio: Option<(String, String)>,
    /// The schema.org object for this page.
    pub json_ld: serde_json::Value,
    /// For the navigation.
    pub section: Section,
}

/// The whole document around `body`.
pub fn page(site: &Site, head: Head, body: Markup) -> Markup {
    let t = site.text;
    let show = &site.config.channel.title;
    let title = if head.section == Section::Home {
        show.clone()
    } else {
        format!("{} – {show}", head.title)
    };
    let description = plain_excerpt(&head.description, 300);
    let mut feeds = vec![(show.clone(), site.links.feed())];
    feeds.extend(head.feeds);
    let nav = [
        (Section::Home, t.nav_home, site.local(site.links.home())),
        (Section::Search, t.nav_search, search_path(site)),
        (Section::People, t.nav_people, people_path(site)),
    ];
    html! {
        (DOCTYPE)
        html lang=(t.lang) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                meta name="description" content=(description);
                link rel="canonical" href=(head.canonical);
                @for (name, href) in &feeds {
                    link rel="alternate" type="application/rss+xml" title=(name) href=(href);
                }
                link rel="icon" href=(site.local(&site.artwork()));
                link rel="stylesheet" href=(assets::CSS.path());
                script src=(assets::JS.path()) defer {}
                meta property="og:site_name" content=(show);
                meta property="og:title" content=(head.title);
                meta property="og:description" content=(description);
                meta property="og:type" content=(head.og_type);
                meta property="og:url" content=(head.canonical);
                meta property="og:image" content=(site.artwork());
                meta property="og:locale" content=(t.og_locale);
                @if let Some((url, mime)) = &head.audio {
                    meta property="og:audio" content=(url);
                    meta property="og:audio:type" content=(mime);
                }
                script type="application/ld+json" { (json_ld(&head.json_ld)) }
            }
            body {
                a.skip href="#main" { (t.skip_to_content) }
                header.site {
                    div.wrap {
                        a.brand href=(site.local(site.links.home())) { (show) }
                        nav.main aria-label=(t.nav_label) {
                            ul {
                                @for (section, label, href) in &nav {
                                    li {
                                        @if *section == head.section {
                                            a href=(href) aria-current="page" { (label) }
                                        } @else {
                                            a href=(href) { (label) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                main id="main" tabindex="-1" {
                    div.wrap { (body) }
                }
                footer.site {
                    div.wrap {
                        p { a href=(site.local(&site.links.feed())) { (t.rss_feed) } }
                        p { (site.config.channel.copyright) }
                    }
                }
            }
        }
    }
}

/// The search page's path.
pub fn search_path(site: &Site) -> String {
    format!("{}sok", site.local(site.links.home()))
}

/// The participants list's path.
pub fn people_path(site: &Site) -> String {
    format!("{}personer", site.local(site.links.home()))
}

/// JSON for a `<script type="application/ld+json">` block: `<`, `>` and `&`
/// as JSON escapes, so catalogue text cannot close the element.
fn json_ld(value: &serde_json::Value) -> PreEscaped<String> {
    let json = value.to_string();
    PreEscaped(
        json.replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026"),
    )
}

/// The first `max` characters of `text` at a word boundary, with "…".
pub fn plain_excerpt(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        return text;
    }
    let cut: String = text.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
    format!("{cut}…")
}

/// The show as a schema.org `PodcastSeries`.
pub fn series(site: &Site) -> serde_json::Value {
    let c = &site.config.channel;
    serde_json::json!({
        "@type": "PodcastSeries",
        "name": c.title,
        "description": c.description,
        "url": site.links.home(),
        "webFeed": site.links.feed(),
        "image": site.artwork(),
        "inLanguage": c.language,
        "author": { "@type": "Organization", "name": c.author },
    })
}

/// Page `page` (0-based) of `items`, `per` to a page, with the number of
/// pages; `None` past the last page (an empty list has one empty page).
pub fn page_of<T>(items: &[T], page: usize, per: usize) -> Option<(&[T], usize)> {
    let pages = items.len().div_ceil(per).max(1);
    if page >= pages {
        return None;
    }
    let start = page * per;
    Some((&items[start..items.len().min(start + per)], pages))
}

/// `path` for page `page` (0-based): `path` itself for the first, then
/// as the site's [`Paging`] says (`path?page=N` or `path/sida/N`).
pub fn paged_path(site: &Site, path: &str, page: usize) -> String {
    match (page, site.paging) {
        (0, _) => path.to_string(),
        (_, Paging::Query) => format!("{path}?page={}", page + 1),
        (_, Paging::Files) => format!("{path}/sida/{}", page + 1),
    }
}

/// The pager of page `page` (0-based) of `pages` at `path`.
pub fn pager_at(site: &Site, path: &str, page: usize, pages: usize) -> Markup {
    let prev = page.checked_sub(1).map(|p| paged_path(site, path, p));
    let next = (page + 1 < pages).then(|| paged_path(site, path, page + 1));
    pager(site, prev, next)
}

/// A pager's previous/next links, when there is more than one page.
pub fn pager(site: &Site, prev: Option<String>, next: Option<String>) -> Markup {
    let t = site.text;
    html! {
        @if prev.is_some() || next.is_some() {
            nav.pager aria-label=(t.pages) {
                ul {
                    li { @if let Some(p) = &prev { a href=(p) rel="prev" { (t.previous_page) } } }
                    li { @if let Some(n) = &next { a href=(n) rel="next" { (t.next_page) } } }
                }
            }
        }
    }
}
