//! `podcatalog check --publish`: the real binary on copies of the shipped
//! project, each changed to break one rule; images from Pillow, a real
//! HTTP server on loopback for remote links. Also: what the shipped
//! catalogue publishes states nothing its sources do not.

use std::collections::BTreeSet;

use crate::common::Project;
use crate::remote::server::Server;

/// The findings of `check --publish --json` (plus `ARGS`) and whether it exited 0.
fn gate(p: &Project, args: &[&str]) -> (bool, Vec<serde_json::Value>) {
    let mut all = vec!["check", "--publish", "--json"];
    all.extend(args);
    let r = p.run(&all);
    assert!(
        r.stderr.is_empty() || !r.stderr.contains("panicked"),
        "{}",
        r.stderr
    );
    let findings = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    (r.ok, findings)
}

/// `rule@subject` for every finding, subject `channel` or the episode.
fn rules(findings: &[serde_json::Value]) -> BTreeSet<String> {
    findings
        .iter()
        .map(|f| {
            let subject = match &f["episode"] {
                serde_json::Value::Null => "channel".to_string(),
                v => v.to_string().trim_matches('"').to_string(),
            };
            format!("{}@{subject}", f["rule"].as_str().expect("rule"))
        })
        .collect()
}

fn level_of<'a>(findings: &'a [serde_json::Value], rule: &str) -> &'a str {
    findings
        .iter()
        .find(|f| f["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} in {findings:#?}"))["level"]
        .as_str()
        .expect("level")
}

/// The shipped project with a real owner, a fixed guid and a public https
/// address: what a producer has after following the README.
fn ready() -> Project {
    let p = Project::initialised();
    let config = std::fs::read_to_string(p.path("feed-config.toml")).expect("config");
    let config = config
        .replace("podcast@example.org", "podcast@skr.se")
        .replace(
            "# podcast_guid = \"…\"",
            "podcast_guid = \"ead4c236-bf58-58c6-a2c6-a6b28d128cb6\"",
        )
        .replace("http://127.0.0.1:8080/", "https://podd.skr.se/");
    p.write("feed-config.toml", &config);
    p
}

fn edit_config(p: &Project, from: &str, to: &str) {
    let text = std::fs::read_to_string(p.path("feed-config.toml")).expect("config");
    assert!(text.contains(from), "{from}");
    p.write("feed-config.toml", &text.replacen(from, to, 1));
}

#[test]
fn the_shipped_catalogue_reports_its_placeholder_owner_and_unfixed_guid() {
    let p = Project::initialised();
    let r = p.run(&["check", "--publish"]);
    assert!(!r.ok, "errors give a non-zero exit");
    insta::assert_snapshot!("shipped_publish_check", r.stdout);
    let (ok, findings) = gate(&p, &[]);
    assert!(!ok);
    let found = rules(&findings);
    for expected in [
        "owner-email-placeholder@channel",
        "locked-owner@channel",
        "podcast-guid-fixed@channel",
        "date-approximate@86",
        "people-none@86",
    ] {
        assert!(found.contains(expected), "{expected} missing: {found:#?}");
    }
    assert_eq!(level_of(&findings, "owner-email-placeholder"), "error");
    assert_eq!(level_of(&findings, "podcast-guid-fixed"), "warning");
    // #85 names its host and guests; the stand-in audio and artwork pass.
    assert!(!found.contains("people-none@85"));
    assert!(
        !found
            .iter()
            .any(|r| r.starts_with("artwork") || r.starts_with("audio"))
    );
    for f in &findings {
        for key in ["level", "rule", "field", "message", "source"] {
            assert!(f[key].is_string(), "{key} in {f}");
        }
    }
}

#[test]
fn a_producer_who_follows_the_findings_gets_a_publishable_feed() {
    let p = ready();
    let (ok, findings) = gate(&p, &[]);
    assert!(ok, "{findings:#?}");
    assert!(findings.iter().all(|f| f["level"] == "warning"));
    let r = p.run(&["check", "--publish"]);
    assert!(r.ok && r.stdout.contains("0 errors"), "{}", r.stdout);
}

#[test]
fn owner_rules_need_a_real_contact() {
    let p = ready();
    edit_config(
        &p,
        "email = \"podcast@skr.se\"",
        "email = \"me@podcast.example.com\"",
    );
    assert!(rules(&gate(&p, &[]).1).contains("owner-email-placeholder@channel"));
    edit_config(
        &p,
        "email = \"me@podcast.example.com\"",
        "email = \"podd@news.example\"",
    );
    assert!(rules(&gate(&p, &[]).1).contains("owner-email-placeholder@channel"));
    // A config without any owner is a finding, not a crash.
    edit_config(
        &p,
        "[channel.owner]\nname = \"Sveriges Kommuner och Regioner\"",
        "[unused]\nname = \"x\"",
    );
    let text = std::fs::read_to_string(p.path("feed-config.toml")).expect("config");
    p.write(
        "feed-config.toml",
        &text
            .replace("[unused]\nname = \"x\"\n", "")
            .replace("email = \"podd@news.example\"\n", ""),
    );
    let (ok, findings) = gate(&p, &[]);
    assert!(!ok);
    let found = rules(&findings);
    assert!(found.contains("owner-email@channel"), "{found:#?}");
    assert!(found.contains("locked-owner@channel"), "{found:#?}");
}

#[test]
fn the_feed_address_must_be_public_https_and_the_guid_fixed() {
    let p = ready();
    edit_config(&p, "https://podd.skr.se/", "http://podd.skr.se/");
    edit_config(&p, "podcast_guid = ", "# podcast_guid = ");
    let (ok, findings) = gate(&p, &[]);
    assert!(!ok);
    let found = rules(&findings);
    assert!(found.contains("https@channel"), "{found:#?}");
    assert!(found.contains("podcast-guid-fixed@channel"), "{found:#?}");
    let guid = findings
        .iter()
        .find(|f| f["rule"] == "podcast-guid-fixed")
        .expect("guid finding");
    // The guid to write down is the one derived from the public address.
    assert!(
        guid["message"]
            .as_str()
            .expect("message")
            .contains(&podcatalog::feed::podcast_guid("podd.skr.se/feed.xml")),
        "{guid}"
    );
}

#[test]
fn artwork_is_judged_by_its_real_pixels_and_type() {
    let p = ready();
    let fixtures = crate::common::repo().join("tests/fixtures/artwork");
    let art = p.path("media/demokratiresan.png");
    let cases: [(&str, Option<&str>); 4] = [
        ("cover-rgb.jpg", Some("artwork-extension")),
        ("cover-cmyk.jpg", Some("artwork-rgb")),
        ("cover-grey-1500.jpg", Some("artwork-rgb")),
        ("missing", Some("artwork-missing")),
    ];
    for (fixture, rule) in cases {
        if fixture == "missing" {
            std::fs::remove_file(&art).expect("remove");
        } else {
            std::fs::copy(fixtures.join(fixture), &art).expect("copy");
        }
        let (ok, findings) = gate(&p, &[]);
        assert!(!ok, "{fixture}");
        let found = rules(&findings);
        assert!(
            found.contains(&format!("{}@channel", rule.expect("rule"))),
            "{fixture}: {found:#?}"
        );
    }
    // The same JPEG under its right name passes.
    std::fs::copy(fixtures.join("cover-rgb.jpg"), p.path("media/cover.jpg")).expect("copy");
    edit_config(
        &p,
        "image = \"demokratiresan.png\"",
        "image = \"cover.jpg\"",
    );
    assert!(gate(&p, &[]).0);
    // A corrupt file, and a 10,000-pixel PNG whose pixels are never read.
    std::fs::write(p.path("media/cover.jpg"), b"\xFF\xD8\xFF\xE0garbage").expect("write");
    assert!(rules(&gate(&p, &[]).1).contains("artwork-unreadable@channel"));
    let mut huge = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    huge.extend(10_000u32.to_be_bytes());
    huge.extend(10_000u32.to_be_bytes());
    huge.extend([8, 2, 0, 0, 0, 0, 0, 0, 0]);
    huge.extend(vec![0u8; 4096]);
    std::fs::write(p.path("media/cover.jpg"), &huge).expect("write");
    let found = rules(&gate(&p, &[]).1);
    assert!(found.contains("artwork-size@channel"), "{found:#?}");
    assert!(found.contains("artwork-extension@channel"), "{found:#?}");
}

#[test]
fn titles_notes_and_people_follow_apples_rules() {
    let p = ready();
    let long = "Ett långt stycke text om demokrati. ".repeat(150);
    let r = p.run(&[
        "edit",
        "85",
        "--title",
        "Demokratiresan #85: Internationellt ledarprogram",
        "--description",
        &long,
    ]);
    assert!(r.ok, "{}", r.stderr);
    let found = rules(&gate(&p, &[]).1);
    for rule in [
        "title-show-name@85",
        "title-number@85",
        "description-length@85",
    ] {
        assert!(found.contains(rule), "{rule}: {found:#?}");
    }
    assert!(!found.contains("title-number@86"));
}

#[test]
fn audio_changed_or_missing_since_it_was_probed_is_an_error() {
    let p = ready();
    let audio = p.path("media/86-kvinnofrid.mp3");
    let mut bytes = std::fs::read(&audio).expect("read");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    std::fs::write(&audio, &bytes).expect("write");
    // Same size: only the full check (which hashes) sees it.
    assert!(!rules(&gate(&p, &["--offline"]).1).contains("audio-changed@86"));
    let (ok, findings) = gate(&p, &[]);
    assert!(!ok);
    assert!(
        rules(&findings).contains("audio-changed@86"),
        "{findings:#?}"
    );
    bytes.truncate(middle);
    std::fs::write(&audio, &bytes).expect("write");
    assert!(rules(&gate(&p, &["--offline"]).1).contains("audio-changed@86"));
    std::fs::remove_file(&audio).expect("remove");
    assert!(rules(&gate(&p, &["--offline"]).1).contains("audio-missing@86"));
}

#[test]
fn transcripts_must_exist_and_be_what_the_feed_declares() {
    let p = ready();
    p.write(
        "media/86-kvinnofrid.vtt",
        "Hej, det här är ingen WebVTT-fil.\n",
    );
    std::fs::remove_file(p.path("media/87-barns-ratt-till-ett-liv-i-trygghet-och-sakerhet.vtt"))
        .expect("remove");
    let found = rules(&gate(&p, &[]).1);
    assert!(found.contains("link-type@86"), "{found:#?}");
    assert!(found.contains("link-missing@87"), "{found:#?}");
    assert!(!found.contains("transcript-missing@86"));
}

#[test]
fn remote_links_are_fetched_with_their_types_checked_and_failures_reported() {
    let audio = std::fs::read(crate::common::repo().join("media/86-kvinnofrid.mp3")).expect("mp3");
    let server = Server::start(&[
        ("86.mp3", &audio),
        ("86.vtt", b"WEBVTT\n\n00:00.000 --> 00:01.000\nHej\n"),
        ("87.vtt", b"<html>not found</html>"),
    ]);
    let p = ready();
    let good = server.url("/ranged/86.mp3");
    assert!(p.run(&["edit", "86", "--audio-url", &good]).ok);
    let db = rusqlite::Connection::open(p.path("podcatalog.db")).expect("db");
    let set = |number: u32, url: &str| {
        db.execute(
            "UPDATE episode SET transcript = ?1 WHERE number = ?2",
            rusqlite::params![url, number],
        )
        .expect("update");
    };
    set(86, &server.url("/ranged/86.vtt"));
    set(87, &server.url("/ranged/87.vtt"));
    set(88, "http://127.0.0.1:1/gone.vtt");
    set(89, &server.url("/ranged/missing.vtt"));
    let (_, findings) = gate(&p, &[]);
    let found = rules(&findings);
    assert!(
        !found.contains("link-type@86") && !found.contains("link-missing@86"),
        "{found:#?}"
    );
    assert!(!found.contains("enclosure-length@86"), "{found:#?}");
    assert!(found.contains("link-type@87"), "{found:#?}");
    for n in [88, 89] {
        assert!(
            found.contains(&format!("link-missing@{n}")),
            "{n}: {found:#?}"
        );
    }
    // The server's file is now longer than what was probed.
    let mut longer = audio.clone();
    longer.extend([0u8; 1000]);
    let server2 = Server::start(&[("86.mp3", &longer)]);
    db.execute(
        "UPDATE episode SET audio_url = ?1 WHERE number = 86",
        [server2.url("/ranged/86.mp3")],
    )
    .expect("update");
    assert!(rules(&gate(&p, &[]).1).contains("enclosure-length@86"));
    // Offline, nothing remote is asked.
    let before = server2.requests();
    gate(&p, &["--offline"]);
    assert_eq!(server2.requests(), before);
}

/// The shipped catalogue as served: nobody is credited where no source
/// names them (no channel person to inherit, no contributor in JSON-LD, no
/// participants on the page), and an approximate date is only its month.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_is_served_states_only_what_the_newsletters_say() {
    use podcatalog::catalog;
    use podcatalog::config::Config;

    let shipped = Project::shipped();
    let config = Config::load(&shipped.path("feed-config.toml")).expect("config");
    let conn = podcatalog::ingest::open_or_bootstrap(&config).expect("bootstrap");
    let episodes = catalog::episodes::list(&conn).expect("list");
    let server = crate::server::start_with(config.clone(), conn).await;
    let http = crate::server::client();
    let get = |path: String| {
        let http = http.clone();
        let url = server.url(&path);
        async move {
            http.get(url)
                .send()
                .await
                .expect("get")
                .text()
                .await
                .expect("body")
        }
    };
    let mut feeds = vec!["feed.xml".to_string()];
    let people: BTreeSet<String> = episodes
        .iter()
        .flat_map(|e| e.data.credits.iter().map(|c| c.slug.clone()))
        .collect();
    feeds.extend(people.iter().map(|s| format!("personer/{s}/feed.xml")));
    feeds.extend(
        config
            .themes
            .iter()
            .map(|t| format!("teman/{}/feed.xml", t.slug)),
    );
    for path in feeds {
        let xml = get(path.clone()).await;
        let head = xml.split("<item>").next().expect("head");
        assert!(
            !head.contains("podcast:person"),
            "{path}: channel names a person"
        );
    }
    let mut unknown_people = 0;
    for e in &episodes {
        let d = &e.data;
        let html = get(format!("avsnitt/{}", d.slug)).await;
        let ld_start = html.find("application/ld+json\">").expect("json-ld") + 21;
        let ld_end = ld_start + html[ld_start..].find("</script>").expect("end");
        let ld: serde_json::Value = serde_json::from_str(&html[ld_start..ld_end]).expect("ld");
        if d.credits.is_empty() {
            unknown_people += 1;
            assert!(ld.get("contributor").is_none(), "{}: {ld}", d.slug);
            assert!(!html.contains("/personer/nils-munthe"), "{}", d.slug);
        }
        if d.date_approximate {
            let month = d.published_at.format("%Y-%m").to_string();
            assert_eq!(ld["datePublished"], month.as_str(), "{}", d.slug);
            assert!(
                html.contains(&format!("datetime=\"{month}\"")),
                "{}",
                d.slug
            );
            assert!(!html.contains(&d.published_at.to_rfc3339()), "{}", d.slug);
        }
    }
    assert!(
        unknown_people >= 5,
        "the newsletters name nobody for #31, #32, #86-#89"
    );
    server.shutdown().await;
}

#[test]
fn audio_figures_imported_unmeasured_are_flagged() {
    let p = ready();
    let fixture = crate::common::repo().join("tests/fixtures/import-feed/podcasting20.xml");
    let r = p.run(&["import-feed", fixture.to_str().expect("path"), "--no-probe"]);
    assert!(r.ok, "{}", r.stderr);
    let (_, findings) = gate(&p, &["--offline"]);
    let unverified: Vec<_> = findings
        .iter()
        .filter(|f| f["rule"] == "audio-unverified")
        .collect();
    assert!(!unverified.is_empty(), "{findings:#?}");
    assert!(unverified.iter().all(|f| f["level"] == "warning"));
    // The shipped episodes were measured: none of them is flagged.
    assert!(!rules(&findings).contains("audio-unverified@86"));
}
