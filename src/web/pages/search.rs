//! Search: the page (a plain GET form that works without script) and the
//! JSON answer of `/api/search` (which `site.js` uses to update the results
//! while one types, and which other clients may use). Both take the same
//! parameters, `q`, `person`, `theme` and `page` (1-based), read leniently:
//! a bad page number is page 1, never an error.

use maud::{Markup, PreEscaped, html};
use serde::Serialize;

use super::layout::{self, Head, Section};
use super::site::Site;
use super::view::{self, HitView};
use crate::search::{self, Query};

/// Results per page.
pub const PER_PAGE: u32 = 20;
/// Characters of `q` kept (the catalogue reads only the first words anyway).
const MAX_QUERY_CHARS: usize = 2000;
/// Characters a search box takes: even percent-encoded (up to 9 bytes a
/// character) the query stays under the server's 8 KiB URL limit, so a
/// pasted wall of text is cut by the browser rather than refused with 414.
pub const INPUT_MAX_CHARS: usize = 500;
/// Up to this many people, the page offers them in a list; beyond it the
/// person filter is set from a person's page.
const MAX_PEOPLE_CHOICES: usize = 300;

/// What was asked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Request {
    /// Free text.
    pub q: String,
    /// Person slug.
    pub person: Option<String>,
    /// Theme slug.
    pub theme: Option<String>,
    /// 1-based page.
    pub page: u32,
}

impl Request {
    /// Reads the query string; unknown keys are ignored.
    pub fn parse(raw: Option<&str>) -> Request {
        let mut r = Request {
            page: 1,
            ..Request::default()
        };
        for (key, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            let value = value.trim();
            match &*key {
                "q" => r.q = value.chars().take(MAX_QUERY_CHARS).collect(),
                "person" if !value.is_empty() => r.person = Some(value.chars().take(200).collect()),
                "theme" if !value.is_empty() => r.theme = Some(value.chars().take(200).collect()),
                "page" => r.page = value.parse().unwrap_or(1).clamp(1, 100_000),
                _ => {}
            }
        }
        r
    }

    /// The catalogue query, hiding episodes not yet published at `site.now`.
    pub fn query(&self, site: &Site) -> Query {
        Query {
            text: self.q.clone(),
            person: self.person.clone(),
            theme: self.theme.clone(),
            page: self.page - 1,
            per_page: PER_PAGE,
            published_until: Some(site.now.timestamp()),
        }
    }

    /// The search page's path for this request at another page.
    pub fn path(&self, site: &Site, page: u32) -> String {
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        if !self.q.is_empty() {
            form.append_pair("q", &self.q);
        }
        if let Some(p) = &self.person {
            form.append_pair("person", p);
        }
        if let Some(t) = &self.theme {
            form.append_pair("theme", t);
        }
        if page > 1 {
            form.append_pair("page", &page.to_string());
        }
        let qs = form.finish();
        let base = layout::search_path(site);
        if qs.is_empty() {
            base
        } else {
            format!("{base}?{qs}")
        }
    }
}

/// The answer, for the page and the API alike.
#[derive(Debug, Serialize)]
pub struct Answer {
    /// The request as understood.
    pub query: Request,
    /// Matches on all pages.
    pub total: u64,
    /// This page (1-based).
    pub page: u32,
    /// Number of pages.
    pub pages: u32,
    /// Results per page.
    pub per_page: u32,
    /// "3 träffar".
    pub summary: String,
    /// A friendly note when the text held no words or nothing matched.
    pub message: Option<String>,
    /// The previous page's search path.
    pub prev_path: Option<String>,
    /// The next page's search path.
    pub next_path: Option<String>,
    /// This page's hits, best first.
    pub hits: Vec<HitView>,
}

/// Builds the answer from the catalogue's page of results.
pub fn answer(site: &Site, request: Request, found: &search::Page) -> Answer {
    let t = site.text;
    let pages = u32::try_from(found.total.div_ceil(u64::from(PER_PAGE)))
        .unwrap_or(u32::MAX)
        .max(1);
    let no_words = !request.q.trim().is_empty() && search::fts_expression(&request.q).is_none();
    let message = if no_words {
        Some(t.no_words.to_string())
    } else if found.total == 0 {
        Some(t.no_results.to_string())
    } else {
        None
    };
    let page = request.page;
    Answer {
        total: found.total,
        page,
        pages,
        per_page: PER_PAGE,
        summary: t.hit_count(found.total),
        message,
        prev_path: (page > 1).then(|| request.path(site, page.min(pages + 1) - 1)),
        next_path: (page < pages).then(|| request.path(site, page + 1)),
        hits: found.hits.iter().map(|h| view::hit(site, h)).collect(),
        query: request,
    }
}

/// Renders the search page.
pub fn render(site: &Site, a: &Answer) -> Markup {
    let t = site.text;
    let r = &a.query;
    let heading = if r.q.trim().is_empty() {
        t.search_title.to_string()
    } else {
        t.results_for(&layout::plain_excerpt(&r.q, 60))
    };
    let body = html! {
        h1 { (heading) }
        (form(site, r))
        h2 { (t.results) }
        p #search-status .status role="status" aria-live="polite" {
            (a.message.clone().unwrap_or_else(|| a.summary.clone()))
            @if a.pages > 1 { " · " (t.page_of(a.page, a.pages)) }
        }
        div #results data-pages-label=(t.pages) data-prev-label=(t.previous_page) data-next-label=(t.next_page) {
            @if !a.hits.is_empty() {
                ol.cards {
                    @for h in &a.hits {
                        li.card {
                            h3 { a href=(h.path) { @if !h.label.is_empty() { (h.label) ": " } (h.title) } }
                            p.meta { (h.date) }
                            @if !h.snippet_html.is_empty() { p { (PreEscaped(&h.snippet_html)) } }
                        }
                    }
                }
            }
            (layout::pager(site, a.prev_path.clone(), a.next_path.clone()))
        }
    };
    let head = Head {
        title: heading,
        description: t.search_label.to_string(),
        canonical: format!("{}sok", site.links.home()),
        og_type: "website",
        feeds: Vec::new(),
        audio: None,
        json_ld: serde_json::json!({
            "@context": "https://schema.org",
            "@type": "SearchResultsPage",
            "name": t.search_title,
            "isPartOf": layout::series(site),
        }),
        section: Section::Search,
    };
    layout::page(site, head, body)
}

fn form(site: &Site, r: &Request) -> Markup {
    let t = site.text;
    let people: Vec<_> = site
        .catalogue
        .people
        .iter()
        .filter(|p| p.episodes > 0)
        .collect();
    html! {
        form #search-form .search role="search" action=(layout::search_path(site)) method="get" {
            div.row {
                div.field {
                    label for="q" { (t.search_label) }
                    input #q type="search" name="q" value=(r.q) maxlength=(INPUT_MAX_CHARS) autocomplete="off";
                }
            }
            div.row {
                div.field {
                    label for="theme" { (t.filter_theme) }
                    select #theme name="theme" {
                        option value="" { (t.filter_any) }
                        @for th in &site.catalogue.themes {
                            option value=(th.slug) selected[r.theme.as_deref() == Some(th.slug.as_str())] { (th.name) }
                        }
                    }
                }
                @if people.len() <= MAX_PEOPLE_CHOICES {
                    div.field {
                        label for="person" { (t.filter_person) }
                        select #person name="person" {
                            option value="" { (t.filter_any) }
                            @for p in &people {
                                option value=(p.slug) selected[r.person.as_deref() == Some(p.slug.as_str())] { (p.name) }
                            }
                        }
                    }
                } @else if let Some(slug) = &r.person {
                    div.field {
                        label for="person" { (t.filter_person) }
                        select #person name="person" {
                            option value="" { (t.filter_any) }
                            option value=(slug) selected { (site.person(slug).map_or(slug.as_str(), |p| p.name.as_str())) }
                        }
                    }
                }
                button type="submit" { (t.search_button) }
            }
        }
    }
}
