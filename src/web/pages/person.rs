//! A person's page (every episode they took part in, with the role and the
//! title they had then, and their own feed) and the list of everyone.

use maud::{Markup, html};

use super::home;
use super::layout::{self, Head, Section};
use super::site::Site;
use super::view::{self, Card};
use crate::catalog::people::PersonSummary;

/// People per page of the participants list.
pub const PER_PAGE: usize = 200;
/// Episodes per page of a person's or theme's page.
pub const EPISODES_PER_PAGE: usize = 50;

/// Renders page `page` (0-based) of `person`'s episodes; `None` past the last.
pub fn render(site: &Site, person: &PersonSummary, page: usize) -> Option<Markup> {
    let t = site.text;
    let cards: Vec<Card> = site
        .published()
        .filter_map(|e| {
            let credit = e.data.credits.iter().find(|c| c.slug == person.slug)?;
            let about = match &credit.affiliation {
                Some(a) => format!("{} – {a}", credit.role.swedish()),
                None => credit.role.swedish().to_string(),
            };
            Some(view::card(site, e, Some(about)))
        })
        .collect();
    let (shown, pages) = layout::page_of(&cards, page, EPISODES_PER_PAGE)?;
    let feed = site.links.person_feed(&person.slug);
    let canonical = layout::paged_path(site, &site.links.person(&person.slug), page);
    let here = site.local(&site.links.person(&person.slug));
    let search = format!(
        "{}?person={}",
        layout::search_path(site),
        url::form_urlencoded::byte_serialize(person.slug.as_bytes()).collect::<String>()
    );
    let body = html! {
        h1 { (person.name) }
        p.meta { (t.episode_count(cards.len() as u64)) }
        ul.tags {
            li { a href=(site.local(&feed)) { (t.own_feed) } }
            li { a href=(search) { (t.search_within) } }
            @if let Some(href) = &person.href { li { a href=(href) rel="external" { (t.website) } } }
        }
        h2 { (t.episodes) }
        @if pages > 1 { p.meta { (t.page_of(page as u32 + 1, pages as u32)) } }
        (home::cards(shown))
        (layout::pager_at(site, &here, page, pages))
    };
    let head = Head {
        title: t.person_title(&person.name),
        description: format!("{}: {}", person.name, t.episode_count(cards.len() as u64)),
        canonical: canonical.clone(),
        og_type: "profile",
        feeds: vec![(
            format!("{}: {}", site.config.channel.title, person.name),
            feed,
        )],
        audio: None,
        json_ld: serde_json::json!({
            "@context": "https://schema.org",
            "@type": "Person",
            "name": person.name,
            "url": canonical,
            "sameAs": person.href,
        }),
        section: Section::Other,
    };
    Some(layout::page(site, head, body))
}

/// Renders page `page` (0-based) of everyone who took part, by name.
pub fn index(site: &Site, page: usize) -> Option<Markup> {
    let t = site.text;
    let people: Vec<&PersonSummary> = site
        .catalogue
        .people
        .iter()
        .filter(|p| p.episodes > 0)
        .collect();
    let (shown, pages) = layout::page_of(&people, page, PER_PAGE)?;
    let path = layout::people_path(site);
    let body = html! {
        h1 { (t.people) }
        @if pages > 1 { p.meta { (t.page_of(page as u32 + 1, pages as u32)) } }
        ul.columns {
            @for p in shown {
                li { a href=(site.local(&site.links.person(&p.slug))) { (p.name) } " (" (t.episode_count(u64::from(p.episodes))) ")" }
            }
        }
        (layout::pager_at(site, &path, page, pages))
    };
    let canonical = layout::paged_path(site, &format!("{}personer", site.links.home()), page);
    let head = Head {
        title: t.people.to_string(),
        description: format!("{} – {}", t.people, site.config.channel.title),
        canonical,
        og_type: "website",
        feeds: Vec::new(),
        audio: None,
        json_ld: serde_json::json!({
            "@context": "https://schema.org",
            "@type": "CollectionPage",
            "name": t.people,
            "isPartOf": layout::series(site),
        }),
        section: Section::People,
    };
    Some(layout::page(site, head, body))
}
