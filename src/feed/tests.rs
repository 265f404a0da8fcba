use chrono::{DateTime, TimeZone, Utc};

use super::*;
use crate::catalog::{Credit, Role, parse_published};

fn config() -> Config {
    Config::parse(include_str!("../../feed-config.toml"), "feed-config.toml").expect("config")
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0)
        .single()
        .expect("time")
}

#[test]
fn podcast_guid_matches_the_namespace_examples() {
    assert_eq!(
        podcast_guid("https://podnews.net/rss"),
        "9b024349-ccf0-5f69-a609-6b82873eab3c"
    );
    assert_eq!(
        podcast_guid("podnews.net/rss/"),
        "9b024349-ccf0-5f69-a609-6b82873eab3c"
    );
    assert_eq!(
        podcast_guid("http://mp3s.nashownotes.com/pc20rss.xml"),
        "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    );
}

#[test]
fn pub_dates_carry_the_stockholm_offset_in_english() {
    let mut winter = synthetic::episode(1);
    winter.data.published_at = parse_published("2022-11-01").expect("date");
    let mut summer = synthetic::episode(2);
    summer.data.published_at = parse_published("2022-06-21T14:30").expect("date");
    let xml = render(&config(), &[winter, summer], now());
    assert!(xml.contains("<pubDate>Tue, 01 Nov 2022 06:00:00 +0100</pubDate>"));
    assert!(xml.contains("<pubDate>Tue, 21 Jun 2022 14:30:00 +0200</pubDate>"));
}

#[test]
fn future_episodes_stay_out_until_their_time() {
    let mut future = synthetic::episode(2);
    future.data.published_at = parse_published("2030-06-01").expect("date");
    let past = synthetic::episode(1);
    let eps = [future, past];
    let feed = Feed::main(&config(), &eps);
    let xml = feed.render(&config(), now());
    assert!(!xml.contains("samtal-2"));
    assert!(xml.contains("samtal-1"));
    assert_eq!(
        feed.next_release(now()),
        Some(eps[0].data.published_at.with_timezone(&Utc))
    );
    let later = Utc
        .with_ymd_and_hms(2030, 6, 2, 0, 0, 0)
        .single()
        .expect("time");
    assert!(feed.render(&config(), later).contains("samtal-2"));
}

#[test]
fn hostile_text_is_escaped_and_forbidden_characters_removed() {
    let mut ep = synthetic::episode(1);
    ep.data.title = "<item> ]]> & \"quotes\" åäö 🎙️ \u{b}tab".into();
    // A raw HTML block passes through Markdown verbatim, `]]>` and all.
    ep.data.description = "<div>Notes with ]]> and <b>bold</b> \u{c}</div>\n".into();
    let xml = render(&config(), &[ep], now());
    assert!(xml.contains("<title>&lt;item&gt; ]]&gt; &amp; \"quotes\" åäö 🎙️ tab</title>"));
    assert!(xml.contains("]]]]><![CDATA[>"));
    assert!(!xml.contains('\u{b}') && !xml.contains('\u{c}'));
    roxmltree::Document::parse(&xml).expect("well-formed XML");
}

#[test]
fn items_carry_enclosure_duration_numbers_and_people() {
    let mut ep = synthetic::episode(7);
    ep.data.audio.duration_ms = 61_500;
    ep.data.chapters = Some("7.json".into());
    ep.data.credits.push(Credit {
        name: "Pia Producent".into(),
        slug: "pia-producent".into(),
        role: Role::parse("producer").expect("role"),
        affiliation: None,
    });
    let xml = render(&config(), &[ep], now());
    for needle in [
        r#"<enclosure url="http://127.0.0.1:8080/media/7-samtal.mp3" length="20000007" type="audio/mpeg"/>"#,
        "<itunes:duration>62</itunes:duration>",
        "<itunes:episode>7</itunes:episode>",
        "<podcast:episode>7</podcast:episode>",
        "<itunes:episodeType>full</itunes:episodeType>",
        r#"<podcast:person role="host" href="http://127.0.0.1:8080/personer/nils-munthe">Nils Munthe</podcast:person>"#,
        r#"<podcast:person role="guest" href="http://127.0.0.1:8080/personer/gast-7">Gäst 7</podcast:person>"#,
        r#"<podcast:person role="producer" group="creative direction""#,
        r#"<podcast:transcript url="http://127.0.0.1:8080/media/7-samtal.vtt" type="text/vtt" language="sv" rel="captions"/>"#,
        r#"<podcast:chapters url="http://127.0.0.1:8080/media/7.json" type="application/json+chapters"/>"#,
        r#"<guid isPermaLink="false">"#,
        "<podcast:medium>podcast</podcast:medium>",
        r#"<podcast:locked owner="podcast@example.org">yes</podcast:locked>"#,
        r#"<itunes:image href="http://127.0.0.1:8080/media/demokratiresan.png"/>"#,
    ] {
        assert!(xml.contains(needle), "missing {needle}\n{xml}");
    }
}

/// Regression: the channel named a host inferred from the episodes that
/// credit one, and every item without people of its own inherited him.
#[test]
fn an_episode_without_people_carries_no_person_in_any_feed() {
    let mut eps = synthetic::episodes(9);
    for ep in eps.iter_mut().skip(2) {
        ep.data.credits.clear();
    }
    let config = config();
    assert!(
        config.channel.people.is_empty(),
        "the shipped config declares none"
    );
    let feeds = [
        Feed::main(&config, &eps),
        Feed::person(&config, &eps, "nils-munthe").expect("person feed"),
        Feed::theme(&config, &eps, &eps[0].data.themes[0]).expect("theme feed"),
    ];
    for feed in feeds {
        let xml = feed.render(&config, now());
        let channel_head = &xml[..xml.find("<item>").expect("items")];
        assert!(!channel_head.contains("podcast:person"), "{channel_head}");
        for item in xml.split("<item>").skip(1) {
            let credited = item.contains("samtal-9</link>") || item.contains("samtal-8</link>");
            assert_eq!(item.contains("podcast:person"), credited, "{item}");
        }
    }
}

#[test]
fn configured_channel_people_are_named_on_the_channel() {
    let text = include_str!("../../feed-config.toml").replace(
        "\n[channel.owner]",
        "[[channel.people]]\nname = \"Anna Producent\"\nrole = \"Producer\"\n\
         href = \"https://skr.se/anna\"\nimg = \"https://skr.se/anna.jpg\"\n\n[channel.owner]",
    );
    let config = Config::parse(&text, "feed-config.toml").expect("config");
    let xml = render(&config, &synthetic::episodes(2), now());
    let channel_head = &xml[..xml.find("<item>").expect("items")];
    assert!(
        channel_head.contains(
            r#"<podcast:person role="producer" group="creative direction" href="https://skr.se/anna" img="https://skr.se/anna.jpg">Anna Producent</podcast:person>"#
        ),
        "{channel_head}"
    );
}

#[test]
fn person_and_theme_feeds_select_their_episodes() {
    let eps = synthetic::episodes(20);
    let config = config();
    let feed = Feed::person(&config, &eps, "gast-3").expect("person feed");
    assert_eq!(feed.episodes.len(), 1);
    assert_eq!(
        feed.self_url,
        "http://127.0.0.1:8080/personer/gast-3/feed.xml"
    );
    assert!(Feed::person(&config, &eps, "nobody").is_none());
    let theme = Feed::theme(&config, &eps, "agenda-2030").expect("theme feed");
    assert!(
        theme
            .episodes
            .iter()
            .all(|e| e.data.themes.iter().any(|t| t == "agenda-2030"))
    );
    assert!(!theme.episodes.is_empty());
    assert!(Feed::theme(&config, &eps, "nonsense").is_none());
    let xml = theme.render(&config, now());
    assert!(xml.contains("<title>Demokratiresan: Agenda 2030</title>"));
}

#[test]
fn durations_round_to_whole_seconds() {
    assert_eq!(item::whole_seconds(0), "0");
    assert_eq!(item::whole_seconds(1_499), "1");
    assert_eq!(item::whole_seconds(1_500), "2");
}

#[test]
fn a_websub_hub_must_be_an_http_url() {
    let text = include_str!("../../feed-config.toml").replace(
        "locked = true",
        "locked = true\nwebsub_hub = \"ftp://hub.example\"",
    );
    let err = Config::parse(&text, "feed-config.toml").expect_err("refused");
    assert!(err.to_string().contains("channel.websub_hub"), "{err}");
    let ok = text.replace("ftp://hub.example", "https://pubsubhubbub.appspot.com/");
    let config = Config::parse(&ok, "feed-config.toml").expect("accepted");
    let xml = render(&config, &synthetic::episodes(1), now());
    assert!(xml.contains(r#"<atom:link href="https://pubsubhubbub.appspot.com/" rel="hub"/>"#));
}

#[test]
fn the_feed_path_is_configurable_but_not_onto_other_routes() {
    let with = |path: &str| {
        let text = include_str!("../../feed-config.toml").replace(
            "feed_path = \"feed.xml\"",
            &format!("feed_path = \"{path}\""),
        );
        Config::parse(&text, "feed-config.toml")
    };
    let config = with("podd/rss.xml").expect("accepted");
    assert_eq!(
        Links::for_config(&config).feed(),
        "http://127.0.0.1:8080/podd/rss.xml"
    );
    let xml = render(&config, &synthetic::episodes(1), now());
    assert!(xml.contains(r#"<atom:link href="http://127.0.0.1:8080/podd/rss.xml" rel="self""#));
    for bad in [
        "",
        "/feed.xml",
        "../feed.xml",
        "a//b",
        "media/feed.xml",
        "{x}",
        "f*",
        "a b",
    ] {
        let err = with(bad).expect_err(bad);
        assert!(err.to_string().contains("server.feed_path"), "{bad}: {err}");
    }
    assert_eq!(
        Config::parse(include_str!("../../feed-config.toml"), "f")
            .expect("config")
            .server
            .feed_path,
        "feed.xml"
    );
}

#[test]
fn hand_written_rfc2822_matches_strftime() {
    use chrono::FixedOffset;
    let offsets = [3600, 7200, 0, -5 * 3600 - 1800, 5 * 3600 + 2700];
    for (i, secs) in (0..2_000_000_000i64)
        .step_by(86_400 * 37 + 3_777)
        .enumerate()
    {
        let offset = FixedOffset::east_opt(offsets[i % offsets.len()]).expect("offset");
        let t = DateTime::from_timestamp(secs, 0)
            .expect("time")
            .with_timezone(&offset);
        assert_eq!(
            item::rfc2822(&t),
            t.format("%a, %d %b %Y %H:%M:%S %z").to_string()
        );
    }
}

#[test]
fn items_rendered_in_parallel_give_the_same_bytes() {
    let config = config();
    let episodes = synthetic::episodes(300);
    let feed = Feed::main(&config, &episodes);
    let sequential = feed.render_with(&config, now(), usize::MAX);
    assert_eq!(feed.render_with(&config, now(), 1), sequential);
    assert_eq!(feed.render(&config, now()), sequential);
}

#[test]
fn new_feed_url_moves_the_show_feed_only() {
    let text = include_str!("../../feed-config.toml").replace(
        "[channel.owner]",
        "new_feed_url = \"https://elsewhere.example/feed.rss\"\n\n[channel.owner]",
    );
    let config = Config::parse(&text, "feed-config.toml").expect("config");
    let eps = [synthetic::episode(1)];
    let main = Feed::main(&config, &eps).render(&config, now());
    assert!(
        main.contains(
            "<itunes:new-feed-url>https://elsewhere.example/feed.rss</itunes:new-feed-url>"
        )
    );
    let theme = eps[0].data.themes[0].clone();
    let subset = Feed::theme(&config, &eps, &theme).expect("theme feed");
    assert!(!subset.render(&config, now()).contains("new-feed-url"));
    assert!(!render(&super::tests::config(), &eps, now()).contains("new-feed-url"));
    let bad = text.replace("https://elsewhere.example/feed.rss", "elsewhere");
    let err = Config::parse(&bad, "feed-config.toml").expect_err("not a URL");
    assert!(err.to_string().contains("channel.new_feed_url"), "{err}");
}

#[test]
fn op3_prefixes_enclosures_only_when_asked() {
    let eps = synthetic::episodes(1);
    let plain = render(&config(), &eps, now());
    assert!(
        plain.contains(r#"<enclosure url="http://127.0.0.1:8080/media/1-samtal.mp3""#),
        "{plain}"
    );
    let mut with = config();
    with.stats.op3 = true;
    let xml = render(&with, &eps, now());
    assert!(
        xml.contains(
            r#"<enclosure url="https://op3.dev/e/http://127.0.0.1:8080/media/1-samtal.mp3""#
        ),
        "{xml}"
    );
    assert_eq!(
        super::item::op3("https://cdn.skr.se/a.mp3"),
        "https://op3.dev/e/cdn.skr.se/a.mp3"
    );
}
