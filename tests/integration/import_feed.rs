//! `import-feed`: real feeds (fixtures written for each real-world shape)
//! into real projects, over a real HTTP server on loopback, and every
//! hostile input, after which the catalogue, media/ and config must be
//! exactly as they were.

use std::collections::BTreeMap;

use crate::common::{Project, Run, repo};

mod server;

use server::Server;

fn fixture(name: &str) -> String {
    repo()
        .join("tests/fixtures/import-feed")
        .join(name)
        .display()
        .to_string()
}

/// The catalogue, media/ and every config file, hashed.
fn state(p: &Project) -> BTreeMap<String, String> {
    let mut out = p.fingerprint();
    for name in ["feed-config.toml", "feed-config.imported.toml"] {
        let text = std::fs::read_to_string(p.path(name)).unwrap_or_else(|_| "(none)".into());
        out.insert(name.into(), text);
    }
    out
}

fn db(p: &Project) -> rusqlite::Connection {
    rusqlite::Connection::open(p.path("podcatalog.db")).expect("open db")
}

fn column(p: &Project, guid: &str, col: &str) -> Option<String> {
    let sql = format!("SELECT CAST({col} AS TEXT) FROM episode WHERE guid = ?1");
    db(p)
        .query_row(&sql, [guid], |r| r.get(0))
        .expect("episode row")
}

/// JSON lines of `--json`: the items and the summary.
fn json_lines(r: &Run) -> (Vec<serde_json::Value>, serde_json::Value) {
    let mut lines: Vec<serde_json::Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    let summary = lines.pop().expect("summary line");
    (lines, summary["summary"].clone())
}

/// Runs a hostile import and checks it failed naming `words`, changing nothing.
fn refused(p: &Project, args: &[&str], words: &str) -> String {
    let before = state(p);
    let r = p.run(args);
    assert!(!r.ok, "{args:?} should fail:\n{}", r.stdout);
    assert!(
        r.stderr.contains(words),
        "{args:?}: want {words:?} in:\n{}",
        r.stderr
    );
    assert_eq!(state(p), before, "{args:?} changed the project");
    r.stderr
}

#[test]
fn each_fixture_shape_imports_with_its_values() {
    let p = Project::initialised();
    for f in [
        "itunes-prefix-latin1.xml",
        "bom-cdata.xml",
        "wild-values.xml",
        "podcasting20.xml",
    ] {
        let r = p.run(&["import-feed", &fixture(f), "--no-probe"]);
        assert!(r.ok, "{f}: {}", r.stderr);
    }
    // Latin-1, the iTunes namespace as `itu` with the URI in other case,
    // entities, a relative URL with whitespace around it.
    assert_eq!(
        column(&p, "smastad-0002", "title").as_deref(),
        Some("Åsa och öarna")
    );
    assert_eq!(
        column(&p, "smastad-0002", "audio_url").as_deref(),
        Some("https://old.example.se/smastadsradio/audio/0002.mp3")
    );
    assert_eq!(
        column(&p, "smastad-0002", "audio_duration_ms").as_deref(),
        Some("750000")
    );
    assert_eq!(column(&p, "smastad-0002", "explicit").as_deref(), Some("1"));
    assert_eq!(column(&p, "smastad-0002", "number").as_deref(), Some("102"));
    let notes = column(&p, "smastad-0002", "description").unwrap_or_default();
    assert_eq!(notes, "<div>Om öar &amp; färjor&nbsp;– och ännu mer.</div>");
    // CDATA notes sanitised; escaped HTML read as HTML, then sanitised.
    let notes = column(&p, "notes-1", "description").unwrap_or_default();
    for gone in ["script", "onclick", "javascript:", "<style", "data:image"] {
        assert!(!notes.contains(gone), "{gone} left in {notes}");
    }
    assert!(
        notes.contains("https://notes.example.org/episodes/1"),
        "{notes}"
    );
    assert!(notes.contains("<em>ok</em>"), "{notes}");
    assert_eq!(
        column(&p, "notes-1", "title").as_deref(),
        Some("Tags & \"quotes\"")
    );
    assert_eq!(
        column(&p, "notes-1", "summary").as_deref(),
        Some("One sentence about it.")
    );
    let escaped = column(&p, "notes-2", "description").unwrap_or_default();
    assert!(
        escaped.contains("<strong>HTML</strong>") && !escaped.contains("iframe"),
        "{escaped}"
    );
    // Dates and durations in the wild; no guid: the enclosure URL is the guid.
    assert_eq!(
        column(&p, "w2", "published_utc"),
        column(&p, "w4", "published_utc")
    );
    assert_eq!(
        column(&p, "w3", "audio_duration_ms").as_deref(),
        Some("90500")
    );
    assert_eq!(
        column(&p, "w4", "audio_duration_ms").as_deref(),
        Some("90250")
    );
    let w3: i64 = column(&p, "w3", "published_utc")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let w4: i64 = column(&p, "w4", "published_utc")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    assert_eq!(w3 - w4, 5 * 3600, "EST is five hours behind UTC");
    assert!(column(&p, "https://cdn.example.org/w5.mp3?id=5", "title").is_some());
    // Podcasting 2.0: seasons, the captions transcript, chapters.
    assert_eq!(column(&p, "ns-s2e1", "season").as_deref(), Some("2"));
    assert_eq!(
        column(&p, "ns-s2e1", "transcript").as_deref(),
        Some("https://example.org/s2e1.vtt")
    );
    assert_eq!(
        column(&p, "ns-s2e1", "chapters").as_deref(),
        Some("https://example.org/s2e1-chapters.json")
    );
    let r = p.run(&[
        "import-feed",
        &fixture("podcasting20.xml"),
        "--no-probe",
        "--dry-run",
        "--json",
    ]);
    let (items, _) = json_lines(&r);
    assert_eq!(items[0]["transcripts"].as_array().map(Vec::len), Some(2));
    assert!(
        items[0]["notes"].to_string().contains("2 transcripts"),
        "{}",
        items[0]
    );
    // Numbering restarts in season 2: the later item keeps number 1.
    assert_eq!(column(&p, "ns-s1e1", "number"), None);
}

#[test]
fn people_come_only_from_podcast_person_matched_loosely() {
    let p = Project::initialised();
    let feed = std::fs::read_to_string(fixture("podcasting20.xml"))
        .expect("fixture")
        .replace("Bo Ek", "ANNA  HED");
    p.write("feed.xml", &feed);
    let r = p.run(&["import-feed", "feed.xml", "--no-probe", "--json"]);
    assert!(r.ok, "{}", r.stderr);
    let (items, summary) = json_lines(&r);
    assert_eq!(
        items[0]["people"][1]["name"], "Anna Hed",
        "matched to the catalogue's spelling"
    );
    assert_eq!(
        items[1]["people"][0]["name"], "Åsa Lind",
        "one new person, however spelt"
    );
    assert_eq!(
        summary["new_people"],
        serde_json::json!(["Åsa Lind", "Cy Berg"])
    );
    let names: Vec<String> = db(&p)
        .prepare("SELECT name FROM person ORDER BY name")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("people");
    assert!(
        !names.iter().any(|n| n.contains("Network")),
        "itunes:author is no person: {names:?}"
    );
    let key = |n: &str| deunicode::deunicode(n).to_lowercase().replace(' ', "");
    assert_eq!(
        names.iter().filter(|n| key(n) == "asalind").count(),
        1,
        "{names:?}"
    );
    assert_eq!(
        names.iter().filter(|n| key(n) == "annahed").count(),
        1,
        "{names:?}"
    );
    let href: Option<String> = db(&p)
        .query_row(
            "SELECT href FROM person WHERE name = 'Åsa Lind'",
            [],
            |r| r.get(0),
        )
        .expect("person");
    assert_eq!(href.as_deref(), Some("https://example.org/asa"));
}

#[test]
fn themes_come_only_from_the_theme_map() {
    let p = Project::initialised();
    let feed = std::fs::read_to_string(fixture("wild-values.xml"))
        .expect("fixture")
        .replace("<guid>w1</guid>", "<guid>w1</guid><category>Demokrati</category><itunes:keywords>Okänt, demokrati</itunes:keywords>");
    p.write("feed.xml", &feed);
    p.write(
        "map.toml",
        "\"DEMOKRATI \" = [\"medborgardialog\", \"ledarskap\"]\n",
    );
    let r = p.run(&[
        "import-feed",
        "feed.xml",
        "--no-probe",
        "--theme-map",
        "map.toml",
        "--json",
    ]);
    assert!(r.ok, "{}", r.stderr);
    let (_, summary) = json_lines(&r);
    assert_eq!(summary["unmapped"], serde_json::json!(["Okänt"]));
    let themes: Vec<String> = db(&p)
        .prepare("SELECT theme_slug FROM episode_theme et JOIN episode e ON e.id = et.episode_id WHERE e.guid = 'w1' ORDER BY position")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("themes");
    assert_eq!(themes, ["medborgardialog", "ledarskap"]);
    p.write("bad-map.toml", "\"Demokrati\" = \"demokrati\"\n");
    let err = refused(
        &p,
        &[
            "import-feed",
            "feed.xml",
            "--no-probe",
            "--theme-map",
            "bad-map.toml",
        ],
        "bad-map.toml",
    );
    assert!(
        err.contains("line 1") && err.contains("unknown theme `demokrati`"),
        "{err}"
    );
}

#[test]
fn hostile_documents_are_refused_and_change_nothing() {
    let p = Project::initialised();
    p.write("empty.xml", "  \n");
    p.write(
        "atom.xml",
        "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>x</title></feed>",
    );
    p.write(
        "cut.xml",
        "<rss><channel><title>t</title><item><title>a</title>",
    );
    let cases = [
        (fixture("billion-laughs.xml"), "declares internal entities"),
        (fixture("xxe.xml"), "declares external entities"),
        (fixture("page.html"), "web page (HTML)"),
        (fixture("api.json"), "JSON"),
        ("empty.xml".into(), "the body is empty"),
        ("atom.xml".into(), "Atom feed"),
        ("cut.xml".into(), "cut short"),
        ("missing.xml".into(), "missing.xml: cannot read"),
    ];
    for (file, words) in cases {
        let err = refused(&p, &["import-feed", &file, "--no-probe"], words);
        assert!(!err.contains("lollol"), "entities expanded: {err}");
    }
}

#[test]
fn bad_items_stop_the_import_unless_skip_bad() {
    let p = Project::initialised();
    let err = refused(
        &p,
        &["import-feed", &fixture("bad-enclosures.xml"), "--no-probe"],
        "3 problems",
    );
    for words in [
        "`file:` URL",
        "`javascript:` URL",
        "`data:` URL",
        "item 1 \"File\"",
    ] {
        assert!(err.contains(words), "{words}: {err}");
    }
    let err = refused(
        &p,
        &["import-feed", &fixture("duplicate-guids.xml"), "--no-probe"],
        "3 problems",
    );
    assert!(err.contains("guid `same` is also used by item 2"), "{err}");
    assert!(err.contains("`last Tuesday` is not a date"), "{err}");
    let r = p.run(&[
        "import-feed",
        &fixture("duplicate-guids.xml"),
        "--no-probe",
        "--skip-bad",
        "--json",
    ]);
    assert!(r.ok, "{}", r.stderr);
    let (items, summary) = json_lines(&r);
    assert_eq!(summary["add"], 1);
    assert_eq!(summary["skip"], 3);
    assert_eq!(items[0]["action"], "skip");
    assert!(column(&p, "d4", "title").is_some());
    // The same guid on another episode (new title and date) is a problem;
    // a new title alone is an edit.
    let feed = std::fs::read_to_string(fixture("duplicate-guids.xml")).expect("fixture");
    let other = feed.replace(
        "<title>Fine</title><guid>d4</guid><pubDate>Wed, 08 Feb 2023",
        "<title>Other</title><guid>d4</guid><pubDate>Wed, 08 Mar 2023",
    );
    p.write("other.xml", &other);
    refused(
        &p,
        &["import-feed", "other.xml", "--no-probe"],
        "guid `d4` is already used by a different episode, \"Fine\" of 2023-02-08",
    );
    p.write(
        "edited.xml",
        &feed.replace("<title>Fine</title>", "<title>Fine, edited</title>"),
    );
    let r = p.run(&["import-feed", "edited.xml", "--no-probe", "--skip-bad"]);
    assert!(r.ok, "{}", r.stderr);
    assert_eq!(column(&p, "d4", "title").as_deref(), Some("Fine, edited"));
    assert_eq!(
        db(&p)
            .query_row(
                "SELECT count(*) FROM episode WHERE guid IN ('same', 'd3')",
                [],
                |r| r.get::<_, i64>(0)
            )
            .ok(),
        Some(0)
    );
}

#[test]
fn dry_run_and_the_config_proposal_never_touch_feed_config() {
    let p = Project::initialised();
    let before = state(&p);
    let r = p.run(&[
        "import-feed",
        &fixture("podcasting20.xml"),
        "--no-probe",
        "--dry-run",
    ]);
    assert!(r.ok, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("channel.title: \"Demokratiresan\" -> \"Namespace Show\""),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("nothing written"), "{}", r.stdout);
    assert_eq!(state(&p), before, "--dry-run wrote something");
    refused(
        &p,
        &[
            "import-feed",
            &fixture("podcasting20.xml"),
            "--no-probe",
            "--config-out",
            "feed-config.toml",
        ],
        "never overwrites",
    );
    let r = p.run(&["import-feed", &fixture("podcasting20.xml"), "--no-probe"]);
    assert!(r.ok, "{}", r.stderr);
    assert_eq!(state(&p)["feed-config.toml"], before["feed-config.toml"]);
    let proposal = std::fs::read_to_string(p.path("feed-config.imported.toml")).expect("proposal");
    assert!(
        proposal.contains("podcast_guid = \"917393e3-1b1e-5cef-ace4-edaa54e1f810\""),
        "{proposal}"
    );
    assert!(proposal.contains("type = \"serial\""), "{proposal}");
    assert!(
        proposal.contains("[[themes]]"),
        "the current themes are kept: {proposal}"
    );
    // The unmeasured figures are flagged until measured.
    let r = p.run(&["check"]);
    assert!(!r.ok && r.stdout.contains("unverified"), "{}", r.stdout);
}

/// The project's own feed, imported into an empty folder, gives the same
/// feed back: guids, titles, dates, people, durations, transcripts.
#[test]
fn round_trip_through_our_own_feed() {
    let src = Project::initialised();
    let r = src.run(&["feed"]);
    assert!(r.ok, "{}", r.stderr);
    let dest = Project::empty();
    std::fs::write(dest.path("old-feed.xml"), &r.stdout).expect("write feed");
    let imported = dest.run(&["import-feed", "old-feed.xml", "--no-probe"]);
    assert!(imported.ok, "{}", imported.stderr);
    let again = dest.run(&["feed"]);
    assert!(again.ok, "{}", again.stderr);
    assert_eq!(items_of(&again.stdout), items_of(&r.stdout));
    let second = dest.run(&["import-feed", "old-feed.xml", "--no-probe", "--json"]);
    let (_, summary) = json_lines(&second);
    assert_eq!(
        summary["unchanged"], 9,
        "a re-run changes nothing: {summary}"
    );
}

/// What a round trip must keep of each item.
fn items_of(xml: &str) -> Vec<Vec<String>> {
    let doc = roxmltree::Document::parse(xml).expect("feed parses");
    doc.descendants()
        .filter(|n| n.has_tag_name("item"))
        .map(|item| {
            item.children()
                .filter(|c| {
                    let name = c.tag_name().name();
                    [
                        "title",
                        "guid",
                        "pubDate",
                        "duration",
                        "person",
                        "transcript",
                        "episode",
                        "season",
                    ]
                    .contains(&name)
                })
                .map(|c| {
                    format!(
                        "{} {:?} {}",
                        c.tag_name().name(),
                        c.attribute("url"),
                        c.text().unwrap_or("")
                    )
                })
                .collect()
        })
        .collect()
}

fn served_feed(server: &Server) -> String {
    std::fs::read_to_string(fixture("served.xml"))
        .expect("fixture")
        .replace("{AUDIO}", &server.url(""))
}

fn audio(name: &str) -> Vec<u8> {
    std::fs::read(repo().join("media").join(name)).expect("audio")
}

#[test]
fn a_feed_over_http_is_probed_and_synced_again() {
    let server = Server::start();
    server.put("feed.xml", served_feed(&server));
    server.put("one.mp3", audio("86-kvinnofrid.mp3"));
    server.put("two.mp3", audio("89-manskliga-rattigheter-eu.mp3"));
    let p = Project::initialised();
    let url = server.url("/f/feed.xml");
    let r = p.run(&["import-feed", &url, "--json"]);
    assert!(r.ok, "{}", r.stderr);
    assert!(r.stderr.contains("plain http"), "{}", r.stderr);
    let (items, summary) = json_lines(&r);
    assert_eq!(summary["add"], 2, "{summary}");
    assert_eq!(items[0]["duration_source"], "probe");
    assert_eq!(items[0]["audio_bytes"], 53123);
    let notes = items[0]["notes"].to_string();
    assert!(
        notes.contains("length of 999 bytes, the file has 53123"),
        "{notes}"
    );
    assert!(notes.contains("duration of 2:00:00"), "{notes}");
    assert_eq!(
        column(&p, "served-1", "audio_url"),
        Some(server.url("/f/one.mp3"))
    );
    assert!(p.run(&["check"]).ok, "probed figures need no check warning");
    // Re-running changes nothing; a changed item is updated, a new one added.
    let r = p.run(&["import-feed", &url, "--json"]);
    assert_eq!(json_lines(&r).1["unchanged"], 2, "{}", r.stdout);
    let changed = served_feed(&server).replace("Andra", "Andra, rättad").replacen(
        "<item>",
        "<item><title>Tredje</title><guid>served-3</guid><pubDate>Mon, 06 Mar 2023 06:00:00 +0100</pubDate><enclosure url=\"/f/one.mp3\"/></item><item>",
        1,
    );
    server.put("feed.xml", changed);
    let r = p.run(&["import-feed", &url, "--json"]);
    let (_, summary) = json_lines(&r);
    assert_eq!(
        (
            summary["add"].clone(),
            summary["update"].clone(),
            summary["unchanged"].clone()
        ),
        (1.into(), 1.into(), 1.into()),
        "{summary}"
    );
    assert_eq!(
        column(&p, "served-3", "audio_url"),
        Some(server.url("/f/one.mp3")),
        "relative to the feed's URL"
    );
}

#[test]
fn bad_answers_from_the_old_host_change_nothing() {
    let server = Server::start();
    server.put(
        "page.html",
        "<!DOCTYPE html><html><body>Moved</body></html>",
    );
    server.put("feed.xml", served_feed(&server)); // its audio is missing: 404
    let mut bomb = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut bomb, &vec![b' '; 51 << 20]).expect("gzip");
    server.put("bomb.gz", bomb.finish().expect("gzip"));
    let p = Project::initialised();
    let cases = [
        ("/status/404", "HTTP 404"),
        ("/status/500", "HTTP 500"),
        ("/loop/a", "redirect loop"),
        ("/slow", "timed out"),
        ("/f/page.html", "web page (HTML)"),
        ("/f/bomb.gz", "once decompressed"),
        ("/endless", "larger than 52428800 bytes"),
        ("/f/feed.xml", "HTTP 404 Not Found"),
    ];
    for (path, words) in cases {
        let url = server.url(path);
        let before = state(&p);
        let r = std::process::Command::new(env!("CARGO_BIN_EXE_podcatalog"))
            .args(["import-feed", &url])
            .current_dir(p.dir.path())
            .env("PODCATALOG_HTTP_TIMEOUT_MS", "1000")
            .output()
            .expect("run");
        let r = Run::from(r);
        assert!(!r.ok, "{path}: should fail");
        assert!(
            r.stderr.contains(words),
            "{path}: want {words:?} in {}",
            r.stderr
        );
        assert_eq!(state(&p), before, "{path} changed the project");
    }
    // The missing audio is a problem of its item; the other one imports.
    server.put("one.mp3", audio("86-kvinnofrid.mp3"));
    let r = p.run(&[
        "import-feed",
        &server.url("/f/feed.xml"),
        "--skip-bad",
        "--json",
    ]);
    let (items, _) = json_lines(&r);
    assert_eq!(items[0]["action"], "skip");
    assert!(
        items[0]["problems"].to_string().contains("404"),
        "{}",
        items[0]
    );
    assert!(column(&p, "served-1", "title").is_some());
}

#[test]
fn a_killed_download_resumes_with_range_and_verifies() {
    let server = Server::start();
    let one = audio("86-kvinnofrid.mp3");
    server.put("feed.xml", served_feed(&server));
    server.put("one.mp3", one.clone());
    let two = audio("89-manskliga-rattigheter-eu.mp3");
    server.put("two.mp3", two.clone());
    server.set_slow(true);
    let p = Project::initialised();
    let url = server.url("/f/feed.xml");
    let partial = download_until_killed(&p, &url);
    let media_names = names(&p.path("media"));
    assert!(
        !media_names
            .iter()
            .any(|n| n.starts_with("1-forsta") || n.starts_with("2-andra")),
        "no final name for a partial file: {media_names:?}"
    );
    assert!(column_count(&p) == 9, "nothing written");
    server.set_slow(false);
    let r = p.run(&["import-feed", &url, "--download", "--json"]);
    assert!(r.ok, "{}", r.stderr);
    // A fresh download asks for `bytes=0-`; only a resumed one starts later.
    let resumed = server
        .ranges()
        .iter()
        .any(|r| r.starts_with("bytes=") && !r.starts_with("bytes=0-"));
    assert!(
        resumed,
        "no resuming range in {:?} (partial was {partial} bytes)",
        server.ranges()
    );
    for (guid, bytes) in [("served-1", &one), ("served-2", &two)] {
        let stored = column(&p, guid, "audio_file").expect("downloaded into media/");
        assert_eq!(
            std::fs::read(p.path("media").join(&stored)).expect("file"),
            *bytes
        );
    }
    assert!(
        !names(&p.path("media"))
            .iter()
            .any(|n| n.starts_with(".podcatalog-part-"))
    );
    assert!(p.run(&["check"]).ok);
}

/// Starts `import-feed URL --download` and kills it (SIGKILL) once a
/// partial file has some KB; returns their number.
fn download_until_killed(p: &Project, url: &str) -> u64 {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_podcatalog"))
        .args(["import-feed", url, "--download", "--jobs", "1"])
        .current_dir(p.dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let partial = wait_for_partial(&p.path("media"));
    child.kill().expect("kill");
    let _ = child.wait();
    partial
}

fn wait_for_partial(media: &std::path::Path) -> u64 {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::time::Instant::now() < deadline {
        for n in names(media) {
            if n.starts_with(".podcatalog-part-") {
                let len = std::fs::metadata(media.join(&n))
                    .map(|m| m.len())
                    .unwrap_or(0);
                if len > 4096 {
                    return len;
                }
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("no partial download appeared");
}

fn names(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

fn column_count(p: &Project) -> i64 {
    db(p)
        .query_row("SELECT count(*) FROM episode", [], |r| r.get(0))
        .expect("count")
}

/// The README's flow: import from the old host into an empty folder
/// (audio downloaded), check, preview with `serve`, and the way out.
#[test]
fn the_readme_moving_flow_end_to_end() {
    use std::io::BufRead as _;
    let server = Server::start();
    server.put("feed.xml", served_feed(&server));
    server.put("one.mp3", audio("86-kvinnofrid.mp3"));
    server.put("two.mp3", audio("89-manskliga-rattigheter-eu.mp3"));
    let p = Project::empty();
    let r = p.run(&["import-feed", &server.url("/f/feed.xml"), "--download"]);
    assert!(r.ok, "{}", r.stderr);
    // Downloaded audio is measured as added audio is (loudness, chapters).
    for e in p.list() {
        assert!(e["lufs"].is_number(), "{e}");
    }
    let config = std::fs::read_to_string(p.path("feed-config.toml")).expect("config made");
    assert!(config.contains("title = \"Served Show\""), "{config}");
    let check = p.run(&["check"]);
    assert!(check.ok, "{}{}", check.stdout, check.stderr);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_podcatalog"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .current_dir(p.dir.path())
        .env_remove("PODCATALOG_CONFIG")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn serve");
    let mut lines = std::io::BufReader::new(child.stderr.take().expect("stderr")).lines();
    let base = loop {
        let line = lines.next().expect("serve says where").expect("line");
        if let Some(rest) = line.strip_prefix("serving on ") {
            break rest.split_whitespace().next().expect("url").to_string();
        }
    };
    let feed = reqwest::blocking::get(format!("{base}feed.xml"))
        .and_then(|r| r.text())
        .expect("feed");
    let _ = child.kill();
    let _ = child.wait();
    let doc = roxmltree::Document::parse(&feed).expect("xml");
    let guids: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("guid") && n.parent().is_some_and(|i| i.has_tag_name("item")))
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(guids, ["served-2", "served-1"], "the old guids, kept");
    let enclosures: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("enclosure"))
        .filter_map(|n| n.attribute("url"))
        .collect();
    assert!(
        enclosures
            .iter()
            .all(|u| u.starts_with(&format!("{base}media/"))),
        "{enclosures:?}"
    );
    // The way out.
    let moved = config.replace(
        "[channel.owner]",
        "new_feed_url = \"https://next.example/feed.rss\"\n\n[channel.owner]",
    );
    p.write("feed-config.toml", &moved);
    let r = p.run(&["feed"]);
    assert!(
        r.stdout
            .contains("<itunes:new-feed-url>https://next.example/feed.rss</itunes:new-feed-url>"),
        "{}",
        r.stderr
    );
}

/// A partial download of a file that changed on the server since (another
/// ETag) is not continued: the halves of two versions would mix.
#[test]
fn a_partial_download_of_another_version_starts_over() {
    let server = Server::start();
    server.put("feed.xml", served_feed(&server));
    server.put("one.mp3", audio("86-kvinnofrid.mp3"));
    let old = audio("89-manskliga-rattigheter-eu.mp3");
    server.put("two.mp3", old.clone());
    server.set_slow(true);
    let p = Project::initialised();
    let url = server.url("/f/feed.xml");
    download_until_killed(&p, &url);
    // The same length, other bytes early in the file (audio payload).
    let mut new = old.clone();
    for b in &mut new[1000..1010] {
        if *b != 0xFF && *b != 0xFE {
            *b ^= 1;
        }
    }
    assert_ne!(new, old);
    server.put("two.mp3", new.clone());
    server.set_slow(false);
    let r = p.run(&["import-feed", &url, "--download"]);
    assert!(r.ok, "{}", r.stderr);
    let stored = column(&p, "served-2", "audio_file").expect("downloaded");
    assert_eq!(
        std::fs::read(p.path("media").join(stored)).expect("file"),
        new
    );
}
