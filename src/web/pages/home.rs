//! The start page: the show, how to subscribe, a search box, the newest
//! episodes, and the participants and themes with their episode counts.

use maud::{Markup, html};

use super::layout::{self, Head, Section};
use super::site::Site;
use super::view::{self, Card, Tag};

/// Newest episodes on the start page.
const NEWEST: usize = 10;
/// Participants listed on the start page (most episodes first); the rest
/// are on the participants page.
const TOP_PEOPLE: usize = 30;

/// Renders the start page.
pub fn render(site: &Site) -> Markup {
    let t = site.text;
    let c = &site.config.channel;
    let newest: Vec<Card> = site
        .published()
        .take(NEWEST)
        .map(|e| view::card(site, e, None))
        .collect();
    let busiest = &site.catalogue.busiest_people;
    let more_people = busiest.len() > TOP_PEOPLE;
    let mut people: Vec<Tag> = busiest
        .iter()
        .take(TOP_PEOPLE)
        .map(|&i| {
            let p = &site.catalogue.people[i];
            Tag {
                name: p.name.clone(),
                path: site.local(&site.links.person(&p.slug)),
                count: p.episodes,
            }
        })
        .collect();
    people.sort_by(|a, b| a.name.cmp(&b.name));
    let themes: Vec<Tag> = site
        .catalogue
        .themes
        .iter()
        .filter(|th| th.episodes > 0)
        .map(|th| Tag {
            name: th.name.clone(),
            path: site.local(&site.links.theme(&th.slug)),
            count: th.episodes,
        })
        .collect();
    let body = html! {
        div.show {
            img src=(site.local(&site.artwork())) alt="" width="192" height="192";
            div {
                h1 { (c.title) }
                p { (c.description) }
                h2 #prenumerera { (t.subscribe) }
                ul.tags aria-labelledby="prenumerera" {
                    li { a href=(site.local(&site.links.feed())) { (t.rss_feed) } }
                    @if let Some(url) = &c.apple_podcasts_url { li { a href=(url) rel="external" { (t.apple_podcasts) } } }
                    @if let Some(url) = &c.spotify_url { li { a href=(url) rel="external" { (t.spotify) } } }
                }
            }
        }
        (search_box(site))
        h2 { (t.newest) }
        (cards(&newest))
        p { a href=(layout::search_path(site)) { (t.all_episodes) } }
        h2 { (t.themes) }
        (tags(site, &themes))
        h2 { (t.people) }
        (tags(site, &people))
        @if more_people {
            p { a href=(layout::people_path(site)) { (t.nav_people) } }
        }
    };
    let mut json_ld = layout::series(site);
    json_ld["@context"] = "https://schema.org".into();
    let head = Head {
        title: c.title.clone(),
        description: c.description.clone(),
        canonical: site.links.home().to_string(),
        og_type: "website",
        feeds: Vec::new(),
        audio: None,
        json_ld,
        section: Section::Home,
    };
    layout::page(site, head, body)
}

/// The search form as on the start page (a plain GET form).
pub fn search_box(site: &Site) -> Markup {
    let t = site.text;
    html! {
        form.search role="search" action=(layout::search_path(site)) method="get" {
            div.row {
                div.field {
                    label for="start-q" { (t.search_label) }
                    input #start-q type="search" name="q" maxlength=(super::search::INPUT_MAX_CHARS) autocomplete="off";
                }
                button type="submit" { (t.search_button) }
            }
        }
    }
}

/// A list of episode cards.
pub fn cards(cards: &[Card]) -> Markup {
    html! {
        ol.cards {
            @for c in cards {
                li.card {
                    h3 {
                        a href=(c.path) {
                            @if !c.label.is_empty() { (c.label) ": " }
                            (c.title)
                        }
                    }
                    p.meta {
                        time datetime=(c.datetime) { (c.date) }
                        " · " (c.duration)
                    }
                    @if !c.about.is_empty() { p { (c.about) } }
                }
            }
        }
    }
}

/// Linked names with counts, in columns.
pub fn tags(site: &Site, tags: &[Tag]) -> Markup {
    html! {
        ul.columns {
            @for tag in tags {
                li { a href=(tag.path) { (tag.name) } " (" (site.text.episode_count(u64::from(tag.count))) ")" }
            }
        }
    }
}
