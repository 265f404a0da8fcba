//! The feed for the fixture catalogue: a snapshot of the exact bytes (time
//! injected), and a real XML parser's view of every item.

use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use podcatalog::catalog::{self, AudioSource, Episode};
use podcatalog::feed::{self, Feed};
use roxmltree::{Document, Node};

use crate::fixture::{self, GUIDS, HOSTILE_TITLE, Project};

pub const ITUNES: &str = "http://www.itunes.com/dtds/podcast-1.0.dtd";
pub const PODCAST: &str = "https://podcastindex.org/namespace/1.0";
pub const CONTENT: &str = "http://purl.org/rss/1.0/modules/content/";
pub const ATOM: &str = "http://www.w3.org/2005/Atom";

/// The injected render time: after the fixture's past episodes, long
/// before its future one.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 1, 12, 0, 0)
        .single()
        .expect("time")
}

fn stored(project: &Project) -> Vec<Episode> {
    catalog::episodes::list(&project.connect()).expect("list")
}

pub fn child<'a, 'i>(node: Node<'a, 'i>, ns: Option<&str>, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|n| match ns {
        Some(ns) => n.has_tag_name((ns, name)),
        None => n.is_element() && n.tag_name().name() == name && n.tag_name().namespace().is_none(),
    })
}

pub fn text<'a>(node: Node<'a, '_>, ns: Option<&str>, name: &str) -> &'a str {
    child(node, ns, name)
        .and_then(|n| n.text())
        .unwrap_or_else(|| panic!("<{name}> missing"))
}

pub fn items<'a, 'i>(doc: &'a Document<'i>) -> Vec<Node<'a, 'i>> {
    let channel = child(doc.root_element(), None, "channel").expect("channel");
    channel
        .children()
        .filter(|n| n.has_tag_name("item"))
        .collect()
}

/// Checks every item of `xml` against the catalogue: the future episode is
/// absent, and guid, title, date, enclosure (length = file size on disk),
/// duration, numbers, people with roles, and categories match.
pub fn check_items(media: &Path, xml: &str, episodes: &[Episode], now: DateTime<Utc>) {
    let doc = Document::parse(xml).expect("the feed is well-formed XML");
    let published: Vec<&Episode> = episodes
        .iter()
        .filter(|e| e.data.published_at <= now)
        .collect();
    let items = items(&doc);
    assert_eq!(
        items.len(),
        published.len(),
        "one item per published episode"
    );
    for (item, ep) in items.iter().zip(&published) {
        let d = &ep.data;
        assert_eq!(text(*item, None, "guid"), ep.guid);
        assert_eq!(
            child(*item, None, "guid").and_then(|g| g.attribute("isPermaLink")),
            Some("false")
        );
        let clean: String = d.title.chars().filter(|c| *c != '\u{b}').collect();
        assert_eq!(text(*item, None, "title"), clean);
        let date = DateTime::parse_from_rfc2822(text(*item, None, "pubDate")).expect("RFC 2822");
        assert_eq!(date, d.published_at);
        assert_eq!(date.offset(), d.published_at.offset());
        let enclosures: Vec<_> = item
            .children()
            .filter(|n| n.has_tag_name("enclosure"))
            .collect();
        assert_eq!(enclosures.len(), 1, "exactly one enclosure");
        let enc = enclosures[0];
        let length: u64 = enc.attribute("length").expect("length").parse().expect("n");
        assert_eq!(length, d.audio.bytes);
        if let AudioSource::File(name) = &d.audio.source {
            let on_disk = std::fs::metadata(media.join(name)).expect("file").len();
            assert_eq!(length, on_disk, "enclosure length is the file size");
        }
        assert_eq!(enc.attribute("type"), Some(d.audio.mime.as_str()));
        let secs: u64 = text(*item, Some(ITUNES), "duration").parse().expect("secs");
        assert_eq!(secs, (d.audio.duration_ms + 500) / 1000);
        let number = d.number.map(|n| n.to_string());
        assert_eq!(
            child(*item, Some(ITUNES), "episode").and_then(|n| n.text()),
            number.as_deref()
        );
        assert_eq!(
            child(*item, Some(PODCAST), "episode").and_then(|n| n.text()),
            number.as_deref()
        );
        assert_eq!(
            text(*item, Some(ITUNES), "episodeType"),
            d.episode_type.as_str()
        );
        let people: Vec<(String, String)> = item
            .children()
            .filter(|n| n.has_tag_name((PODCAST, "person")))
            .map(|n| {
                let role = n.attribute("role").unwrap_or("host").to_string();
                (n.text().unwrap_or("").to_string(), role)
            })
            .collect();
        let expected: Vec<(String, String)> = d
            .credits
            .iter()
            .map(|c| (c.name.clone(), c.role.as_str().to_string()))
            .collect();
        assert_eq!(people, expected, "host and guests with their roles");
        let categories = item
            .children()
            .filter(|n| n.has_tag_name("category"))
            .count();
        assert_eq!(categories, d.themes.len());
        assert!(child(*item, Some(CONTENT), "encoded").is_some());
    }
}

#[test]
fn the_fixture_feed_snapshot() {
    let project = fixture::project();
    let xml = feed::render(&project.config, &stored(&project), now());
    insta::assert_snapshot!("fixture_feed", xml);
}

#[test]
fn a_real_xml_parser_reads_every_item_as_catalogued() {
    let project = fixture::project();
    let episodes = stored(&project);
    let xml = feed::render(&project.config, &episodes, now());
    check_items(&project.media(), &xml, &episodes, now());
    let doc = Document::parse(&xml).expect("xml");
    let titles: Vec<&str> = items(&doc)
        .iter()
        .map(|i| text(*i, None, "title"))
        .collect();
    assert!(titles.contains(&HOSTILE_TITLE), "{titles:?}");
    assert!(!xml.contains("Framtiden"), "future episode stays out");
}

#[test]
fn the_channel_has_every_required_tag() {
    let project = fixture::project();
    let xml = feed::render(&project.config, &stored(&project), now());
    let doc = Document::parse(&xml).expect("xml");
    let rss = doc.root_element();
    assert_eq!(rss.attribute("version"), Some("2.0"));
    for (prefix, uri) in [
        ("itunes", ITUNES),
        ("podcast", PODCAST),
        ("atom", ATOM),
        ("content", CONTENT),
    ] {
        assert_eq!(rss.lookup_namespace_uri(Some(prefix)), Some(uri));
    }
    let ch = child(rss, None, "channel").expect("channel");
    assert_eq!(text(ch, None, "title"), "Fixturpodden & <vänner>");
    assert_eq!(text(ch, None, "link"), "http://127.0.0.1:8080/");
    assert_eq!(text(ch, None, "language"), "sv");
    assert_eq!(text(ch, Some(ITUNES), "explicit"), "false");
    assert_eq!(text(ch, Some(ITUNES), "type"), "episodic");
    assert_eq!(text(ch, Some(ITUNES), "author"), "Testredaktionen");
    assert_eq!(text(ch, Some(PODCAST), "locked"), "yes");
    assert_eq!(text(ch, Some(PODCAST), "medium"), "podcast");
    let owner = child(ch, Some(ITUNES), "owner").expect("owner");
    assert_eq!(text(owner, Some(ITUNES), "email"), "podd@example.org");
    let image = child(ch, Some(ITUNES), "image").expect("image");
    assert_eq!(
        image.attribute("href"),
        Some("http://127.0.0.1:8080/media/cover.png")
    );
    let cats: Vec<_> = ch
        .children()
        .filter(|n| n.has_tag_name((ITUNES, "category")))
        .collect();
    assert_eq!(cats[0].attribute("text"), Some("Government"));
    assert_eq!(cats[1].attribute("text"), Some("Society & Culture"));
    let sub = child(cats[1], Some(ITUNES), "category").expect("subcategory");
    assert_eq!(sub.attribute("text"), Some("Documentary"));
    let self_link = child(ch, Some(ATOM), "link").expect("atom:link");
    assert_eq!(self_link.attribute("rel"), Some("self"));
    assert_eq!(
        self_link.attribute("href"),
        Some("http://127.0.0.1:8080/feed.xml")
    );
    assert_eq!(
        text(ch, Some(PODCAST), "guid"),
        feed::podcast_guid("127.0.0.1:8080/feed.xml")
    );
    let hosts: Vec<_> = ch
        .children()
        .filter(|n| n.has_tag_name((PODCAST, "person")))
        .map(|n| n.text().unwrap_or(""))
        .collect();
    // The fixture's config declares no `[[channel.people]]`: the channel
    // names nobody, though every episode has the same host.
    assert!(hosts.is_empty(), "{hosts:?}");
}

#[test]
fn person_and_theme_feeds_carry_only_their_episodes() {
    let project = fixture::project();
    let episodes = stored(&project);
    let config = &project.config;
    let guest = Feed::person(config, &episodes, "asa-oberg").expect("guest feed");
    let xml = guest.render(config, now());
    let doc = Document::parse(&xml).expect("xml");
    let guids: Vec<&str> = items(&doc).iter().map(|i| text(*i, None, "guid")).collect();
    assert_eq!(guids, [GUIDS[0]]);
    let theme = Feed::theme(config, &episodes, "demokrati").expect("theme feed");
    let xml = theme.render(config, now());
    let doc = Document::parse(&xml).expect("xml");
    assert_eq!(items(&doc).len(), 2);
    assert!(
        xml.contains("<title>Fixturpodden &amp; &lt;vänner&gt;: Demokrati &amp; dialog</title>")
    );
}

/// Regression: the guid came from the base URL the server ran with, so a
/// preview on another port (or `--base-url`) published another show.
#[test]
fn the_podcast_guid_comes_from_the_configured_url_or_the_setting() {
    let project = fixture::project();
    let episodes = stored(&project);
    let mut config = project.config.clone();
    config.channel.base_url = url::Url::parse("http://127.0.0.1:9999/").expect("url");
    let guid = |config: &podcatalog::config::Config| {
        let xml = feed::render(config, &episodes, now());
        let doc = Document::parse(&xml).expect("xml");
        let ch = child(doc.root_element(), None, "channel").expect("channel");
        text(ch, Some(PODCAST), "guid").to_string()
    };
    assert_eq!(guid(&config), feed::podcast_guid("127.0.0.1:8080/feed.xml"));
    let set = uuid::Uuid::parse_str("9b024349-ccf0-5f69-a609-6b82873eab3c").expect("uuid");
    config.channel.podcast_guid = Some(set);
    assert_eq!(guid(&config), set.to_string());
}

#[test]
fn person_and_theme_feeds_are_blocked_with_guids_of_their_own() {
    let project = fixture::project();
    let episodes = stored(&project);
    let mut config = project.config.clone();
    config.channel.base_url = url::Url::parse("http://127.0.0.1:9999/").expect("url");
    config.channel.podcast_guid = Some(uuid::Uuid::new_v4());
    let feeds = [
        (
            Feed::person(&config, &episodes, "asa-oberg").expect("person"),
            "127.0.0.1:8080/personer/asa-oberg/feed.xml",
        ),
        (
            Feed::theme(&config, &episodes, "demokrati").expect("theme"),
            "127.0.0.1:8080/teman/demokrati/feed.xml",
        ),
    ];
    for (f, url) in feeds {
        let xml = f.render(&config, now());
        let doc = Document::parse(&xml).expect("xml");
        let ch = child(doc.root_element(), None, "channel").expect("channel");
        assert_eq!(text(ch, Some(ITUNES), "block"), "Yes", "{url}");
        assert_eq!(text(ch, Some(PODCAST), "block"), "yes", "{url}");
        assert_eq!(text(ch, Some(PODCAST), "guid"), feed::podcast_guid(url));
    }
    let xml = feed::render(&config, &episodes, now());
    assert!(!xml.contains("block>"), "the show itself is listed");
}

#[test]
fn podcatalog_feed_and_build_publish_the_same_feed() {
    let project = crate::common::Project::initialised();
    let printed = project.run(&["feed"]);
    assert!(printed.ok, "{}", printed.stderr);
    let doc = Document::parse(&printed.stdout).expect("xml");
    assert_eq!(items(&doc).len(), 9);
    let built = project.run(&["build", "out"]);
    assert!(built.ok, "{}", built.stderr);
    let out = project.path("out");
    let written = std::fs::read_to_string(out.join("feed.xml")).expect("feed.xml");
    assert_eq!(written, printed.stdout, "build writes what feed prints");
    let host = project.run(&["feed", "--person", "nils-munthe"]);
    assert!(host.ok, "{}", host.stderr);
    assert_eq!(
        std::fs::read_to_string(out.join("personer/nils-munthe/feed.xml")).expect("person"),
        host.stdout
    );
    let theme = std::fs::read_to_string(out.join("teman/jamstalldhet/feed.xml")).expect("theme");
    Document::parse(&theme).expect("theme feed is XML");
    for e in std::fs::read_dir(project.path("media"))
        .expect("media")
        .flatten()
    {
        let copy = out.join("media").join(e.file_name());
        assert_eq!(
            std::fs::metadata(&copy).map(|m| m.len()).ok(),
            Some(e.metadata().expect("meta").len()),
            "{}",
            copy.display()
        );
    }
    let unknown = project.run(&["feed", "--theme", "jamstaldhet"]);
    assert!(!unknown.ok);
    assert!(
        unknown.stderr.contains("did you mean `jamstalldhet`"),
        "{}",
        unknown.stderr
    );
}

/// Apple: show artwork is a square JPEG or PNG of 1400–3000 pixels; the
/// shipped default must meet that, since a fresh clone serves it.
#[test]
fn the_shipped_artwork_meets_apples_size_rules() {
    let config = podcatalog::config::Config::load(&crate::common::repo().join("feed-config.toml"))
        .expect("config");
    let png = std::fs::read(config.server.media_dir.join(&config.channel.image)).expect("image");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG file");
    assert_eq!(&png[12..16], b"IHDR");
    let dim = |at: usize| u32::from_be_bytes([png[at], png[at + 1], png[at + 2], png[at + 3]]);
    let (width, height) = (dim(16), dim(20));
    assert_eq!(width, height, "square");
    assert!((1400..=3000).contains(&width), "{width} px");
}
