//! A theme's page: its description, its episodes and its own feed.

use maud::{Markup, html};

use super::layout::{self, Head, Section};
use super::site::Site;
use super::view::{self, Card};
use super::{home, person};
use crate::catalog::themes::ThemeSummary;

/// Renders page `page` (0-based) of `theme`'s episodes; `None` past the last.
pub fn render(site: &Site, theme: &ThemeSummary, page: usize) -> Option<Markup> {
    let t = site.text;
    let cards: Vec<Card> = site
        .published()
        .filter(|e| e.data.themes.contains(&theme.slug))
        .map(|e| view::card(site, e, None))
        .collect();
    let (shown, pages) = layout::page_of(&cards, page, person::EPISODES_PER_PAGE)?;
    let feed = site.links.theme_feed(&theme.slug);
    let canonical = layout::paged_path(site, &site.links.theme(&theme.slug), page);
    let here = site.local(&site.links.theme(&theme.slug));
    let search = format!(
        "{}?theme={}",
        layout::search_path(site),
        url::form_urlencoded::byte_serialize(theme.slug.as_bytes()).collect::<String>()
    );
    let body = html! {
        p.meta { (t.theme) }
        h1 { (theme.name) }
        @if !theme.description.is_empty() { p { (theme.description) } }
        p.meta { (t.episode_count(cards.len() as u64)) }
        ul.tags {
            li { a href=(site.local(&feed)) { (t.own_feed) } }
            li { a href=(search) { (t.search_within) } }
        }
        h2 { (t.episodes) }
        @if pages > 1 { p.meta { (t.page_of(page as u32 + 1, pages as u32)) } }
        (home::cards(shown))
        (layout::pager_at(site, &here, page, pages))
    };
    let description = if theme.description.is_empty() {
        t.theme_title(&theme.name)
    } else {
        theme.description.clone()
    };
    let head = Head {
        title: t.theme_title(&theme.name),
        description,
        canonical: canonical.clone(),
        og_type: "website",
        feeds: vec![(
            format!("{}: {}", site.config.channel.title, theme.name),
            feed,
        )],
        audio: None,
        json_ld: serde_json::json!({
            "@context": "https://schema.org",
            "@type": "CollectionPage",
            "name": theme.name,
            "description": theme.description,
            "url": canonical,
            "isPartOf": layout::series(site),
        }),
        section: Section::Other,
    };
    Some(layout::page(site, head, body))
}
