//! The feed's XML as a small tree of elements, each tagged with which of
//! the namespaces we read it belongs to, however the feed spells the prefix
//! or the namespace URI (`itunes`, `itunesu`, `IT`, the DTD URI in another
//! case, or a prefix the feed forgot to declare).
//!
//! Safety: a `DOCTYPE` that declares entities is refused outright (billion
//! laughs, XXE); nothing but XML's five entities, character references and
//! HTML's common named entities (sloppy feeds use `&nbsp;`) is ever
//! replaced, and an unknown `&name;` stays as written. Nesting deeper than
//! [`MAX_DEPTH`] is skipped, so a hostile feed cannot exhaust the stack.

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use super::FeedError;

/// Deepest element kept; RSS needs four levels, extensions a few more.
pub(super) const MAX_DEPTH: usize = 32;

/// Which vocabulary an element comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ns {
    /// Plain RSS 2.0 (no namespace).
    Rss,
    /// Apple's `itunes:` tags.
    Itunes,
    /// The Podcasting 2.0 `podcast:` tags.
    Podcast,
    /// `content:encoded`.
    Content,
    /// `atom:link`.
    Atom,
    /// Anything else (kept out of the way).
    Other,
}

/// One element: its vocabulary, local name, attributes and direct text.
#[derive(Debug, Clone)]
pub(super) struct Node {
    pub ns: Ns,
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Node>,
}

impl Node {
    /// The first child `ns:name` (name compared ignoring ASCII case).
    pub fn child<'a>(&'a self, ns: Ns, name: &'a str) -> Option<&'a Node> {
        self.children_named(ns, name).next()
    }

    /// Every child `ns:name`.
    pub fn children_named<'a>(
        &'a self,
        ns: Ns,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Node> + 'a {
        self.children
            .iter()
            .filter(move |c| c.ns == ns && c.name.eq_ignore_ascii_case(name))
    }

    /// The trimmed text of child `ns:name`, if present and not empty.
    pub fn text_of(&self, ns: Ns, name: &str) -> Option<String> {
        self.child(ns, name)
            .map(|c| c.text.trim().to_string())
            .filter(|t| !t.is_empty())
    }

    /// Attribute `name` (ignoring ASCII case), trimmed, if not empty.
    pub fn attr(&self, name: &str) -> Option<String> {
        self.attrs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }
}

/// Classifies a namespace URI; case and a trailing slash do not matter.
fn classify_uri(uri: &str) -> Ns {
    let uri = uri.trim().trim_end_matches('/').to_ascii_lowercase();
    let uri = uri
        .strip_prefix("https://")
        .or_else(|| uri.strip_prefix("http://"))
        .unwrap_or(&uri);
    match uri {
        "www.itunes.com/dtds/podcast-1.0.dtd" | "itunes.apple.com/dtds/podcast-1.0.dtd" => {
            Ns::Itunes
        }
        "podcastindex.org/namespace/1.0"
        | "github.com/podcastindex-org/podcast-namespace/blob/main/docs/1.0.md" => Ns::Podcast,
        "purl.org/rss/1.0/modules/content" => Ns::Content,
        "www.w3.org/2005/atom" => Ns::Atom,
        _ => Ns::Other,
    }
}

/// For a prefix the feed never declared, the namespace its name implies.
fn classify_prefix(prefix: &str) -> Ns {
    match prefix.to_ascii_lowercase().as_str() {
        "itunes" => Ns::Itunes,
        "podcast" => Ns::Podcast,
        "content" => Ns::Content,
        "atom" => Ns::Atom,
        _ => Ns::Other,
    }
}

/// Parses the whole document into its root element.
pub(super) fn parse(text: &str) -> Result<Node, FeedError> {
    let mut reader = NsReader::from_str(text);
    reader.config_mut().allow_dangling_amp = true;
    reader.config_mut().check_end_names = false;
    let mut stack: Vec<Node> = Vec::new();
    let mut skipped = 0usize; // open elements past MAX_DEPTH
    loop {
        let position = reader.buffer_position();
        let (resolved, event) = reader
            .read_resolved_event()
            .map_err(|e| syntax(text, position, &e.to_string()))?;
        let ns = match &resolved {
            ResolveResult::Bound(uri) => Some(classify_uri(uri.0)),
            ResolveResult::Unknown(prefix) => Some(classify_prefix(prefix)),
            ResolveResult::Unbound => None,
        };
        match event {
            Event::DocType(d) => refuse_entities(&d.xml10_content())?,
            // Past the depth limit: count levels to find the way out.
            Event::Start(_) if skipped > 0 || stack.len() >= MAX_DEPTH => skipped += 1,
            Event::Empty(_) if skipped > 0 || stack.len() >= MAX_DEPTH => {}
            Event::Start(e) => stack.push(node(&e, ns)),
            Event::Empty(e) => {
                let n = node(&e, ns);
                match stack.last_mut() {
                    Some(parent) => parent.children.push(n),
                    None => return Ok(n),
                }
            }
            Event::End(_) if skipped > 0 => skipped -= 1,
            Event::End(_) => {
                let Some(done) = stack.pop() else { continue };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => return Ok(done),
                }
            }
            Event::Text(t) if skipped == 0 => push_text(&mut stack, &t.xml10_content()),
            Event::CData(c) if skipped == 0 => push_text(&mut stack, &c.xml10_content()),
            Event::GeneralRef(r) if skipped == 0 => {
                let name = r.xml10_content();
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => entity(&name).map_or_else(|| format!("&{name};"), str::to_string),
                };
                push_text(&mut stack, &resolved);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    // A feed that stops inside an element was cut short: importing the
    // items before the cut would silently drop the rest.
    let what = match stack.last() {
        Some(open) => format!("the feed ends inside <{}>: it was cut short", open.name),
        None => "no element at all".to_string(),
    };
    Err(syntax(text, text.len() as u64, &what))
}

fn node(e: &BytesStart, ns: Option<Ns>) -> Node {
    let qname = e.name();
    let (local, prefix) = qname.decompose();
    let ns = match (ns, prefix) {
        (Some(ns), _) => ns,
        (None, None) => Ns::Rss,
        (None, Some(p)) => classify_prefix(p.as_ref()),
    };
    // A prefix-less element in a default namespace we do not know is still
    // RSS (`<rss xmlns="http://backend.userland.com/rss2">`).
    let ns = if prefix.is_none() && ns == Ns::Other {
        Ns::Rss
    } else {
        ns
    };
    let attrs = e
        .attributes()
        .with_checks(false)
        .flatten()
        .map(|a| {
            let key = a.key.local_name().as_ref().to_string();
            let value = a
                .normalized_value_with(XmlVersion::Implicit1_0, 128, entity)
                .map(|v| v.into_owned())
                .unwrap_or_else(|_| a.value.to_string());
            (key, value)
        })
        .collect();
    Node {
        ns,
        name: local.as_ref().to_string(),
        attrs,
        text: String::new(),
        children: Vec::new(),
    }
}

fn push_text(stack: &mut [Node], text: &str) {
    if let Some(top) = stack.last_mut() {
        top.text.push_str(text);
    }
}

/// Refuses a DOCTYPE that declares entities: expanding them is how billion
/// laughs and XXE attacks work, and no real podcast feed needs them.
fn refuse_entities(doctype: &str) -> Result<(), FeedError> {
    let upper = doctype.to_ascii_uppercase();
    let declarations: Vec<&str> = upper
        .split("<!ENTITY")
        .skip(1)
        .map(|d| d.split('>').next().unwrap_or_default())
        .collect();
    if !declarations.is_empty() {
        let external = declarations
            .iter()
            .any(|d| d.contains("SYSTEM") || d.contains("PUBLIC"));
        let kind = if external { "external" } else { "internal" };
        return Err(FeedError::Refused(format!(
            "its DOCTYPE declares {kind} entities; feeds never need them and they are how \
             entity-expansion and external-entity attacks work, so they are not expanded"
        )));
    }
    Ok(())
}

/// XML's predefined entities and the HTML ones sloppy feeds use.
fn entity(name: &str) -> Option<&'static str> {
    Some(match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        "nbsp" => "\u{a0}",
        "copy" => "©",
        "reg" => "®",
        "trade" => "™",
        "hellip" => "…",
        "mdash" => "—",
        "ndash" => "–",
        "lsquo" => "‘",
        "rsquo" => "’",
        "ldquo" => "“",
        "rdquo" => "”",
        "laquo" => "«",
        "raquo" => "»",
        "bull" => "•",
        "middot" => "·",
        "euro" => "€",
        "auml" => "ä",
        "Auml" => "Ä",
        "ouml" => "ö",
        "Ouml" => "Ö",
        "aring" => "å",
        "Aring" => "Å",
        "uuml" => "ü",
        "Uuml" => "Ü",
        "eacute" => "é",
        "Eacute" => "É",
        "egrave" => "è",
        "aacute" => "á",
        "oslash" => "ø",
        "Oslash" => "Ø",
        "aelig" => "æ",
        "AElig" => "Æ",
        "szlig" => "ß",
        "ccedil" => "ç",
        _ => return None,
    })
}

fn syntax(text: &str, at: u64, what: &str) -> FeedError {
    let at = (at as usize).min(text.len());
    let line = text.as_bytes()[..at]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1;
    FeedError::Syntax(format!("line {line}: {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_are_known_by_uri_whatever_the_prefix_or_case() {
        let doc = r#"<rss xmlns:IT="http://www.itunes.com/DTDs/Podcast-1.0.dtd"><channel>
            <IT:author>A</IT:author><itunes:owner/><podcast:guid>g</podcast:guid>
            <x:y xmlns:x="urn:other"/></channel></rss>"#;
        let root = parse(doc).expect("parses");
        let ch = root.child(Ns::Rss, "channel").expect("channel");
        assert_eq!(ch.text_of(Ns::Itunes, "author").as_deref(), Some("A"));
        assert!(ch.child(Ns::Itunes, "owner").is_some());
        assert_eq!(ch.text_of(Ns::Podcast, "guid").as_deref(), Some("g"));
        assert_eq!(ch.children.last().map(|c| c.ns), Some(Ns::Other));
    }

    #[test]
    fn cdata_entities_and_html_entities_become_text() {
        let doc = "<rss><t>a &amp; b&nbsp;&#229;&unknown;<![CDATA[<p>x</p>]]></t></rss>";
        let root = parse(doc).expect("parses");
        assert_eq!(root.children[0].text, "a & b\u{a0}å&unknown;<p>x</p>");
    }

    #[test]
    fn entity_declarations_are_refused_never_expanded() {
        let laughs = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><rss>&lol2;</rss>"#;
        let err = parse(laughs).expect_err("refused").to_string();
        assert!(err.contains("internal entities"), "{err}");
        let xxe = r#"<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><rss>&xxe;</rss>"#;
        let err = parse(xxe).expect_err("refused").to_string();
        assert!(err.contains("external entities"), "{err}");
        let plain = r#"<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss/>"#;
        assert!(parse(plain).is_ok());
    }

    #[test]
    fn deep_nesting_is_skipped_not_recursed() {
        let depth = 20_000;
        let doc = format!("<rss>{}{}</rss>", "<a>".repeat(depth), "</a>".repeat(depth));
        let root = parse(&doc).expect("parses");
        let mut levels = 0;
        let mut n = &root;
        while let Some(c) = n.children.first() {
            levels += 1;
            n = c;
        }
        assert!(levels < MAX_DEPTH, "{levels}");
    }

    #[test]
    fn a_truncated_feed_is_refused_not_half_read() {
        let err = parse("<rss><channel><item><title>t</title></item><item>")
            .expect_err("cut short")
            .to_string();
        assert!(err.contains("cut short"), "{err}");
    }
}
