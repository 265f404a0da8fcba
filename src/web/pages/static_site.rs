//! The website as static files for `podcatalog build`: the same renderers
//! as the server, one `.html` file per page at the page's path
//! (`avsnitt/85-….html` for `/avsnitt/85-…`: static hosts such as GitHub
//! Pages, Netlify and Cloudflare Pages serve `x.html` for `/x`), a
//! `404.html`, redirect pages for former slugs, and the assets.
//!
//! Search needs the server: the static `sok.html` lists the newest
//! episodes, and its form reloads that list; `/api/search` does not exist.

use maud::{DOCTYPE, html};

use super::site::Site;
use super::{episode, home, not_found_page, person, search, theme};
use crate::catalog::search::Page;
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
    let mut out = vec![("index.html".to_string(), home::render(site).into_string())];
    for e in site.published() {
        let Some(neighbours) = site.episode(&e.data.slug) else {
            continue;
        };
        let extras = episode::extras(media_root, e);
        let page = episode::render(site, neighbours, &extras);
        out.push((
            path(site, &site.links.episode(&e.data.slug)),
            page.into_string(),
        ));
    }
    for p in site.catalogue.people.iter().filter(|p| p.episodes > 0) {
        if let Some(page) = person::render(site, p, 0) {
            out.push((path(site, &site.links.person(&p.slug)), page.into_string()));
        }
    }
    if let Some(index) = person::index(site, 0) {
        out.push(("personer.html".into(), index.into_string()));
    }
    for t in &site.catalogue.themes {
        if let Some(page) = theme::render(site, t, 0) {
            out.push((path(site, &site.links.theme(&t.slug)), page.into_string()));
        }
    }
    let request = search::Request::parse(None);
    let answer = search::answer(site, request, newest);
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

/// The file for a page URL: its path below the base URL, plus `.html`,
/// percent-decoded so the file has the name the host will look for.
fn path(site: &Site, url: &str) -> String {
    let below = url.strip_prefix(site.links.home()).unwrap_or(url);
    let decoded = percent_encoding::percent_decode_str(below).decode_utf8_lossy();
    format!("{decoded}.html")
}
