//! Show notes: the producer's Markdown (CommonMark with tables and
//! strikethrough) as HTML that is safe to put in a page. Raw HTML in the
//! notes is shown as text, not obeyed; links and images keep only http(s),
//! mailto and relative targets (no `javascript:`); headings move down one
//! level so they nest under the page's own `h2`.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

/// The notes as HTML.
pub fn render(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) => Event::Start(Tag::Heading {
            level: lower(level),
            id,
            classes,
            attrs,
        }),
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(lower(level))),
        other => other,
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events);
    out
}

fn lower(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 | HeadingLevel::H2 => HeadingLevel::H3,
        HeadingLevel::H3 => HeadingLevel::H4,
        HeadingLevel::H4 => HeadingLevel::H5,
        HeadingLevel::H5 | HeadingLevel::H6 => HeadingLevel::H6,
    }
}

fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    let lower = url.trim().to_ascii_lowercase();
    let scheme = lower
        .split_once(':')
        .map(|(s, _)| s)
        .filter(|s| !s.contains(['/', '?', '#']));
    match scheme {
        None | Some("http" | "https" | "mailto") => url,
        Some(_) => CowStr::Borrowed("#"),
    }
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn raw_html_and_script_urls_are_disarmed() {
        let html = render(
            "## Rubrik\n\nText <script>alert(1)</script> **fet** [x](javascript:alert(1)) [y](https://skr.se/)\n\n<div onclick=x>block</div>\n",
        );
        assert!(html.contains("<h3>Rubrik</h3>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(html.contains("<strong>fet</strong>"), "{html}");
        assert!(html.contains("href=\"#\""), "{html}");
        assert!(html.contains("href=\"https://skr.se/\""), "{html}");
        assert!(html.contains("&lt;div onclick=x&gt;"), "{html}");
        assert!(
            !html.contains("<script") && !html.contains("<div"),
            "{html}"
        );
    }
}
