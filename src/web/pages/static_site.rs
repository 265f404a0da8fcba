//! The website as static files for `podcatalog build`: the same renderers
//! as the server, one `.html` file per page at the page's path
//! (`avsnitt/85-….html` for `/avsnitt/85-…`: static hosts such as GitHub
//! Pages, Netlify and Cloudflare Pages serve `x.html` for `/x`), a
//! `404.html`, redirect pages for former slugs, and the assets. Paged
//! lists (a person's or theme's episodes, the participants) are written
//! page by page, linked as files ([`Paging::Files`]): a static host
//! ignores `?page=N`.
//!
//! Search needs the server: the static `sok.html` lists the newest
//! episodes, and its form reloads that list; `/api/search` does not exist.

use maud::{DOCTYPE, html};

use super::site::{Paging, Site};
use super::{episode, home, layout, not_found_page, person, search, theme};
use crate::search::Page;
use crate::web::assets;

/// One file to write: its path under the output folder and its text.
pub type File = (String, String);

/// Every page, the 404 page, the redirects and the assets.
/// `newest` is the search answer for an empty query (page 1);
/// `old_slugs` pairs former slugs with current ones.
pub fn files(
    site: &Site,
    media_root: &std::path::Path,
    newest: &Page,
    old_slugs: &[(String, String)],
) -> Vec<File> {
    let site = &site.with_paging(Paging::Files);
    let mut out = vec![("index.html".to_string(), home::render(site).into_string())];
    for e in site.published() {
        let Some(neighbours) = site.episode(&e.data.slug) else {
            continue;
        };
        if let Some(marks) = crate::feed::chapters::embedded(e) {
            let url = site.links.chapters(&e.data.slug);
            let rel = url.strip_prefix(site.links.home()).unwrap_or(&url);
            let rel = percent_encoding::percent_decode_str(rel).decode_utf8_lossy();
            out.push((
                rel.into_owned(),
                crate::feed::chapters::json(marks, &site.links, &e.data.slug),
            ));
        }
        let extras = episode::extras(media_root, e);
        let page = episode::render(site, neighbours, &extras);
        out.push((
            path(site, &site.links.episode(&e.data.slug)),
            page.into_string(),
        ));
    }
    for p in site.catalogue.people.iter().filter(|p| p.episodes > 0) {
        let url = site.links.person(&p.slug);
        out.extend(pages(site, &url, |n| person::render(site, p, n)));
    }
    let people = format!("{}personer", site.links.home());
    out.extend(pages(site, &people, |n| person::index(site, n)));
    for t in &site.catalogue.themes {
        let url = site.links.theme(&t.slug);
        out.extend(pages(site, &url, |n| theme::render(site, t, n)));
    }
    let request = search::Request::parse(None);
    let mut answer = search::answer(site, request, newest);
    // Later pages of the newest list need the server (`/sok?page=N`
    // would show this file again): the static page is the first page.
    answer.pages = 1;
    answer.next_path = None;
    answer.prev_path = None;
    out.push((
        "sok.html".into(),
        search::render(site, &answer).into_string(),
    ));
    out.push(("404.html".into(), not_found_page(site).into_string()));
    for (old, current) in old_slugs {
        if site.episode(current).is_none() || site.episode(old).is_some() {
            continue;
        }
        let to = site.links.episode(current);
        let page = html! {
            (DOCTYPE)
            html lang=(site.text.lang) {
                head {
                    meta charset="utf-8";
                    title { (site.config.channel.title) }
                    link rel="canonical" href=(to);
                    meta http-equiv="refresh" content=(format!("0; url={}", site.local(&to)));
                }
                body { p { a href=(site.local(&to)) { (to) } } }
            }
        };
        out.push((path(site, &site.links.episode(old)), page.into_string()));
    }
    for a in assets::all() {
        out.push((format!("assets/{}", a.hashed), a.body.to_string()));
        out.push((format!("assets/{}", a.name), a.body.to_string()));
    }
    out
}

/// Every page of the paged list at `url`, rendered by `render` (page
/// 0-based; `None` past the last).
fn pages(site: &Site, url: &str, render: impl Fn(usize) -> Option<maud::Markup>) -> Vec<File> {
    (0..)
        .map_while(|n| {
            let page = render(n)?;
            Some((
                path(site, &layout::paged_path(site, url, n)),
                page.into_string(),
            ))
        })
        .collect()
}

/// The file for a page URL: its path below the base URL, plus `.html`,
/// percent-decoded so the file has the name the host will look for.
fn path(site: &Site, url: &str) -> String {
    let below = url.strip_prefix(site.links.home()).unwrap_or(url);
    let decoded = percent_encoding::percent_decode_str(below).decode_utf8_lossy();
    format!("{decoded}.html")
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::catalog::people::PersonSummary;
    use crate::catalog::themes::ThemeSummary;
    use crate::web::pages::Catalogue;

    fn person(name: String, slug: String) -> PersonSummary {
        PersonSummary {
            name,
            slug,
            aliases: Vec::new(),
            href: None,
            image: None,
            episodes: 0,
            roles: Vec::new(),
        }
    }
    use crate::config::Config;
    use crate::feed::synthetic;

    /// 120 episodes, all with the host Nils Munthe and one theme (3 pages
    /// of 50), and 450 guests (3 pages of the participants list at 200).
    fn catalogue() -> Catalogue {
        let episodes = synthetic::episodes(120);
        let mut people: Vec<PersonSummary> = (0..450)
            .map(|i| person(format!("Person {i:03}"), format!("person-{i:03}")))
            .collect();
        people.push(person("Nils Munthe".into(), "nils-munthe".into()));
        let mut episodes = episodes;
        for (i, e) in episodes.iter_mut().enumerate() {
            e.data.themes = vec!["medborgardialog".into()];
            e.data.credits.truncate(1);
            for g in [i, i + 120, i + 240, i + 360]
                .into_iter()
                .filter(|g| *g < 450)
            {
                e.data.credits.push(crate::catalog::Credit {
                    name: format!("Person {g:03}"),
                    slug: format!("person-{g:03}"),
                    role: crate::catalog::Role::host(),
                    affiliation: None,
                });
            }
        }
        let themes = vec![ThemeSummary {
            slug: "medborgardialog".into(),
            name: "Medborgardialog".into(),
            description: String::new(),
            episodes: 0,
        }];
        Catalogue::new(1, episodes, people, themes, Utc::now())
    }

    #[test]
    fn static_build_writes_every_page_of_paged_lists() {
        let config = Config::parse(
            include_str!("../../../feed-config.toml"),
            "feed-config.toml",
        )
        .expect("config");
        let catalogue = catalogue();
        let site = Site::new(&config, &catalogue, Utc::now());
        let newest = Page {
            total: 120,
            hits: Vec::new(),
        };
        let files = files(&site, std::path::Path::new("media"), &newest, &[]);
        let find = |p: &str| {
            files
                .iter()
                .find(|(path, _)| path == p)
                .map(|(_, text)| text.as_str())
                .unwrap_or_else(|| panic!("{p} not written"))
        };
        for list in ["personer/nils-munthe", "personer", "teman/medborgardialog"] {
            let first = find(&format!("{list}.html"));
            assert!(
                first.contains(&format!("href=\"/{list}/sida/2\"")),
                "{list}"
            );
            assert!(!first.contains("?page="), "{list}: no query-string pages");
            let second = find(&format!("{list}/sida/2.html"));
            assert!(
                second.contains(&format!("href=\"/{list}\"")),
                "{list}: back"
            );
            assert!(
                second.contains(&format!("href=\"/{list}/sida/3\"")),
                "{list}"
            );
            let third = find(&format!("{list}/sida/3.html"));
            assert!(!third.contains("rel=\"next\""), "{list}: last page");
            assert!(
                !files
                    .iter()
                    .any(|(p, _)| *p == format!("{list}/sida/4.html")),
                "{list}: no page past the last"
            );
        }
        assert!(!find("sok.html").contains("?page="), "no pager to itself");
        // Every episode of the host is on one of the pages.
        let pages: String = ["", "/sida/2", "/sida/3"]
            .iter()
            .map(|s| find(&format!("personer/nils-munthe{s}.html")))
            .collect();
        for e in site.published() {
            assert!(
                pages.contains(&format!("/avsnitt/{}\"", e.data.slug)),
                "{}",
                e.data.slug
            );
        }
    }
}
