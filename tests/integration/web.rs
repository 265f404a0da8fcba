//! The listener website in process (`tower::ServiceExt::oneshot`) over the
//! hostile fixture: every page type, 404s, redirects from former slugs and
//! numbers, search with filters, hostile queries, the JSON API's shape,
//! assets and security headers.

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use podcatalog::catalog;
use podcatalog::web::{self, AppState};

use crate::common::{api, get, get_with};
use crate::fixture::{self, GUIDS, Project};

fn app(project: &Project) -> Router {
    web::app(AppState::new(project.config.clone(), project.connect()).expect("state"))
}

/// What every HTML page must have.
fn check_page(path: &str, headers: &HeaderMap, html: &str) {
    let h = |name: header::HeaderName| {
        headers
            .get(&name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{path}: {name} missing"))
            .to_string()
    };
    assert_eq!(
        h(header::CONTENT_TYPE),
        "text/html; charset=utf-8",
        "{path}"
    );
    let csp = h(header::CONTENT_SECURITY_POLICY);
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{path}: {csp}"
    );
    assert_eq!(h(header::X_CONTENT_TYPE_OPTIONS), "nosniff", "{path}");
    assert!(!h(header::REFERRER_POLICY).is_empty(), "{path}");
    for needle in [
        "<!DOCTYPE html><html lang=\"sv\">",
        "<link rel=\"canonical\" href=\"http://127.0.0.1:8080/",
        "<link rel=\"alternate\" type=\"application/rss+xml\"",
        "href=\"http://127.0.0.1:8080/feed.xml\"",
        "<meta property=\"og:title\"",
        "<meta property=\"og:url\"",
        "<script type=\"application/ld+json\">",
        "<main id=\"main\"",
        "<nav class=\"main\" aria-label=",
        "<a class=\"skip\" href=\"#main\">",
    ] {
        assert!(html.contains(needle), "{path}: no {needle}");
    }
    assert_eq!(html.matches("<h1>").count(), 1, "{path}: one h1");
    // No inline script or style: CSP would block them.
    assert!(!html.contains("<style"), "{path}");
    assert!(!html.contains(" style="), "{path}");
    for script in html.split("<script").skip(1) {
        assert!(
            script.starts_with(" src=") || script.starts_with(" type=\"application/ld+json\""),
            "{path}: inline script"
        );
    }
    let json = html
        .split("<script type=\"application/ld+json\">")
        .nth(1)
        .and_then(|s| s.split("</script>").next())
        .expect("json-ld");
    let v: serde_json::Value = serde_json::from_str(json).expect("JSON-LD parses");
    assert_eq!(v["@context"], "https://schema.org", "{path}");
    // The hostile title never reaches the page unescaped.
    assert!(!html.contains("<item>"), "{path}: unescaped title");
}

#[tokio::test]
async fn every_page_type_renders_with_head_landmarks_and_headers() {
    let project = fixture::project();
    let app = app(&project);
    for path in [
        "/",
        "/avsnitt/item-quotes",
        "/avsnitt/aao-emoji",
        "/avsnitt/bonus",
        "/personer",
        "/personer/nils-munthe",
        "/personer/nils-munthe?page=1",
        "/personer/asa-oberg",
        "/teman/demokrati",
        "/teman/jamstalldhet",
        "/sok",
        "/sok?q=munthe",
    ] {
        let (status, headers, html) = get(&app, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        check_page(path, &headers, &html);
    }
}

#[tokio::test]
async fn the_episode_page_has_player_people_themes_notes_and_transcript() {
    let project = fixture::project();
    let app = app(&project);
    let (_, _, html) = get(&app, "/avsnitt/item-quotes").await;
    for needle in [
        "<h1>&lt;item&gt; ]]&gt; &amp; &quot;quotes&quot;</h1>",
        "<audio id=\"player\" controls preload=\"none\"><source src=\"/media/1-item.mp3\" type=\"audio/mpeg\">",
        "<a href=\"/media/1-item.mp3\" download>",
        "<a href=\"/personer/nils-munthe\">Nils Munthe</a>, <span class=\"role\">programledare</span>",
        "<a href=\"/personer/asa-oberg\">Åsa Öberg</a>, <span class=\"role\">gäst</span>",
        "<a href=\"/teman/demokrati\">Demokrati &amp; dialog</a>",
        "<strong>bold</strong>",
        "&lt;script&gt;",
        "<span>Hej</span>",
        "data-start=\"0.000\"",
        "<time datetime=\"2022-11-21T06:00:00+01:00\">21 november 2022</time>",
        "rel=\"next\"",
        "\"@type\":\"PodcastEpisode\"",
        "<meta property=\"og:audio\" content=\"http://127.0.0.1:8080/media/1-item.mp3\">",
    ] {
        assert!(html.contains(needle), "no {needle}");
    }
    assert!(
        !html.contains("<script>"),
        "notes' raw HTML is shown as text"
    );
    // The bonus episode plays from its CDN and has no transcript.
    let (_, _, html) = get(&app, "/avsnitt/bonus").await;
    assert!(html.contains("<source src=\"https://cdn.example.org/bonus.mp3\""));
    assert!(html.contains("ingen textversion"));
}

#[tokio::test]
async fn the_start_page_links_listening_apps_when_configured() {
    let project = fixture::project();
    let (_, _, html) = get(&app(&project), "/").await;
    assert!(!html.contains("Spotify"));
    let mut config = project.config.clone();
    config.channel.spotify_url =
        Some(url::Url::parse("https://open.spotify.com/show/x").expect("url"));
    config.channel.apple_podcasts_url =
        Some(url::Url::parse("https://podcasts.apple.com/se/podcast/x").expect("url"));
    let app = web::app(AppState::new(config, project.connect()).expect("state"));
    let (_, _, html) = get(&app, "/").await;
    assert!(
        html.contains("<a href=\"https://open.spotify.com/show/x\" rel=\"external\">Spotify</a>")
    );
    assert!(html.contains(">Apple Podcasts</a>"));
    assert!(html.contains("<a href=\"/feed.xml\">RSS-flöde</a>"));
}

#[tokio::test]
async fn chapters_are_links_into_the_audio_that_the_script_turns_into_seeks() {
    let project = fixture::project();
    std::fs::write(
        project.media().join("1.json"),
        r#"{"version":"1.2.0","chapters":[{"startTime":0,"title":"Inledning <&>"},{"startTime":61.5,"title":"Samtalet"},{"startTime":90,"title":"Dold","toc":false}]}"#,
    )
    .expect("chapters");
    let (_, _, html) = get(&app(&project), "/avsnitt/item-quotes").await;
    assert!(
        html.contains("<h2>Kapitel</h2><ol class=\"chapters\">"),
        "{html}"
    );
    assert!(html.contains(
        "<a class=\"time\" href=\"/media/1-item.mp3#t=61.500\" data-start=\"61.500\" aria-label=\"Spela från 1:01\">1:01</a><span>Samtalet</span>"
    ));
    assert!(html.contains("<span>Inledning &lt;&amp;&gt;</span>"));
    assert!(!html.contains("Dold"));
}

#[tokio::test]
async fn person_and_theme_pages_list_their_episodes_and_link_their_feeds() {
    let project = fixture::project();
    let app = app(&project);
    let (_, _, html) = get(&app, "/personer/asa-oberg").await;
    assert!(html.contains("<h1>Åsa Öberg</h1>"));
    assert!(html.contains("href=\"/personer/asa-oberg/feed.xml\""));
    assert!(html.contains("gäst"));
    assert!(html.contains("\"@type\":\"Person\""));
    assert_eq!(html.matches("class=\"card\"").count(), 1);
    let (_, _, html) = get(&app, "/personer/nils-munthe").await;
    // Three published episodes; the one in 2099 is not shown anywhere yet.
    assert_eq!(html.matches("class=\"card\"").count(), 3, "{html}");
    assert!(!html.contains("Framtiden"));
    let (_, _, html) = get(&app, "/teman/jamstalldhet").await;
    assert!(html.contains("<h1>Jämställdhet</h1>"));
    assert!(html.contains("Om jämställdhet."));
    assert!(html.contains("href=\"/teman/jamstalldhet/feed.xml\""));
    assert_eq!(html.matches("class=\"card\"").count(), 1);
}

#[tokio::test]
async fn unknown_and_unpublished_pages_are_friendly_404s() {
    let project = fixture::project();
    // A guest who is only in a scheduled episode is not public yet.
    let mut later = fixture::episodes(&project).remove(3);
    later.number = Some(4);
    later.slug = "senare".into();
    later.credits[0].name = "Hemlig Gäst".into();
    let mut conn = project.connect();
    let tx = conn.transaction().expect("tx");
    catalog::episodes::save(
        &tx,
        "00000000-0000-4000-8000-000000000009",
        &later,
        "2024-01-01T00:00:00Z",
    )
    .expect("save");
    tx.commit().expect("commit");
    let app = app(&project);
    for path in ["/", "/personer", "/sok?q=hemlig", "/api/search?q=hemlig"] {
        let (_, _, body) = get(&app, path).await;
        assert!(!body.contains("Hemlig"), "{path} shows a scheduled guest");
    }
    for path in [
        "/avsnitt/finns-inte",
        "/avsnitt/framtiden",
        "/avsnitt/3",
        "/personer/ingen",
        "/personer/hemlig-gast",
        "/teman/ingen",
        "/personer?page=99",
        "/personer/nils-munthe?page=2",
        "/teman/demokrati?page=2",
        "/nagot/annat",
        "/assets/evil.js",
    ] {
        let (status, headers, html) = get(&app, path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        if !path.starts_with("/assets") {
            assert!(html.contains("Sidan finns inte"), "{path}");
            check_page(path, &headers, &html);
        }
    }
}

#[tokio::test]
async fn former_slugs_and_numbers_redirect_permanently() {
    let project = fixture::project();
    let mut conn = project.connect();
    let mut data = fixture::episodes(&project).remove(1);
    data.title = "Ny titel".into();
    data.slug = "ny-titel".into();
    let tx = conn.transaction().expect("tx");
    catalog::episodes::save(&tx, GUIDS[1], &data, "2024-02-01T00:00:00Z").expect("save");
    tx.commit().expect("commit");
    let app = app(&project);
    for from in ["/avsnitt/aao-emoji", "/avsnitt/2"] {
        let (status, headers, _) = get(&app, from).await;
        assert_eq!(status, StatusCode::MOVED_PERMANENTLY, "{from}");
        assert_eq!(headers[header::LOCATION], "/avsnitt/ny-titel", "{from}");
    }
    let (status, _, html) = get(&app, "/avsnitt/ny-titel").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>Ny titel</h1>"));
}

fn titles(v: &serde_json::Value) -> Vec<String> {
    v["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["title"].as_str().expect("title").to_string())
        .collect()
}

#[tokio::test]
async fn search_finds_people_without_diacritics_by_prefix_and_combines_filters() {
    let project = fixture::project();
    let app = app(&project);
    let v = api(&app, "q=obe").await;
    assert_eq!(titles(&v), [fixture::HOSTILE_TITLE]);
    let hit = &v["hits"][0];
    for key in [
        "number",
        "label",
        "title",
        "slug",
        "url",
        "path",
        "published_at",
        "date",
        "snippet",
        "snippet_html",
    ] {
        assert!(hit.get(key).is_some(), "hit has {key}: {hit}");
    }
    assert_eq!(hit["path"], "/avsnitt/item-quotes");
    assert!(
        hit["snippet_html"]
            .as_str()
            .expect("html")
            .contains("<mark>"),
        "{hit}"
    );
    for key in [
        "query",
        "total",
        "page",
        "pages",
        "per_page",
        "summary",
        "message",
        "prev_path",
        "next_path",
    ] {
        assert!(v.get(key).is_some(), "answer has {key}");
    }
    assert_eq!(v["total"], 1);
    // Filters alone list newest first; combined they intersect.
    assert_eq!(api(&app, "theme=demokrati").await["total"], 2);
    assert_eq!(
        api(&app, "person=nils-munthe").await["total"],
        3,
        "the 2099 episode is hidden"
    );
    assert_eq!(
        api(&app, "person=asa-oberg&theme=demokrati").await["total"],
        1
    );
    assert_eq!(
        api(&app, "person=asa-oberg&theme=jamstalldhet&q=munt").await["total"],
        1
    );
    assert_eq!(
        api(&app, "person=karin-krantz&theme=jamstalldhet").await["total"],
        0
    );
    // The page works without script: the same results as plain HTML.
    let (_, _, html) = get(&app, "/sok?q=obe&theme=demokrati").await;
    assert!(
        html.contains("<a href=\"/avsnitt/item-quotes\">Avsnitt 1: &lt;item&gt;"),
        "{html}"
    );
    assert!(
        html.contains("<option value=\"demokrati\" selected>"),
        "{html}"
    );
    assert!(html.contains("1 träff"));
}

#[tokio::test]
async fn hostile_queries_get_results_or_a_friendly_message_never_a_500() {
    let project = fixture::project();
    let app = app(&project);
    let long = "a%20".repeat(2600);
    let queries = [
        "q=%22".to_string(),
        "q=*".into(),
        "q=AND%20(".into(),
        "q=%22munthe".into(),
        "q=NEAR(a%20b)".into(),
        "q=%00%01".into(),
        "q=%FF%FE".into(),
        "q=%3Cscript%3Ealert(1)%3C/script%3E".into(),
        "page=abc&q=x".into(),
        "page=-1".into(),
        "page=99999999999".into(),
        "person=%27%20OR%201=1".into(),
        "theme=%22".into(),
        format!("q={long}"),
        "q&q&&&==".into(),
    ];
    for q in &queries {
        for path in ["/api/search", "/sok"] {
            let (status, _, body) = get(&app, &format!("{path}?{q}")).await;
            assert_eq!(status, StatusCode::OK, "{path}?{}", &q[..q.len().min(40)]);
            if path == "/sok" {
                assert!(!body.contains("<script>alert"), "{path}?{q}: reflected");
            }
        }
    }
    // The search boxes cap what a browser sends below the server's 8 KiB
    // URL limit (a longer URL gets 414 before any page code runs).
    for path in ["/", "/sok?q=x"] {
        let (_, _, html) = get(&app, path).await;
        assert!(html.contains(r#"maxlength="500""#), "{path}: no maxlength");
    }
    let v = api(&app, "q=%22%20*%20(").await;
    assert!(
        v["message"].as_str().expect("message").contains("inga ord"),
        "{v}"
    );
    let v = api(&app, "q=zzzzqqq").await;
    assert_eq!(v["total"], 0);
    assert!(v["message"].as_str().is_some());
}

#[tokio::test]
async fn assets_are_hashed_immutable_and_revalidate_by_etag() {
    let project = fixture::project();
    let app = app(&project);
    let css = web::assets::CSS.path();
    let (status, headers, body) = get(&app, &css).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[header::CACHE_CONTROL]
            .to_str()
            .expect("cc")
            .contains("immutable")
    );
    assert_eq!(headers[header::CONTENT_TYPE], "text/css; charset=utf-8");
    assert!(body.contains(":focus-visible"));
    let etag = headers[header::ETAG].to_str().expect("etag").to_string();
    let (status, headers, _) =
        get_with(&app, "/assets/site.js", &[(header::IF_NONE_MATCH, "\"x\"")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CACHE_CONTROL], "public, no-cache");
    let (status, _, _) = get_with(
        &app,
        "/assets/site.css",
        &[(header::IF_NONE_MATCH, etag.as_str())],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    // The start page links the hashed names.
    let (_, _, html) = get(&app, "/").await;
    assert!(html.contains(&css));
    assert!(html.contains(&web::assets::JS.path()));
}

#[test]
fn the_static_build_writes_every_page_redirects_and_assets() {
    use podcatalog::web::pages::{Catalogue, Site, search, static_site};
    let project = fixture::project();
    let mut conn = project.connect();
    let mut data = fixture::episodes(&project).remove(1);
    data.slug = "nytt-namn".into();
    let tx = conn.transaction().expect("tx");
    catalog::episodes::save(&tx, GUIDS[1], &data, "2024-02-01T00:00:00Z").expect("save");
    tx.commit().expect("commit");
    let catalogue = Catalogue::load(&mut conn, chrono::Utc::now()).expect("load");
    let site = Site::new(&project.config, &catalogue, chrono::Utc::now());
    let newest = podcatalog::search::search(&conn, &search::Request::parse(None).query(&site))
        .expect("search");
    let old = catalog::episodes::old_slugs(&conn).expect("old slugs");
    let files = static_site::files(&site, &project.media(), &newest, &old);
    let find = |p: &str| {
        files
            .iter()
            .find(|(path, _)| path == p)
            .map(|(_, text)| text.as_str())
            .unwrap_or_else(|| panic!("{p} not written"))
    };
    assert!(find("index.html").contains("<h1>Fixturpodden &amp; &lt;vänner&gt;</h1>"));
    assert!(find("avsnitt/item-quotes.html").contains("<span>Hej</span>"));
    assert!(find("avsnitt/nytt-namn.html").contains("<audio"));
    assert!(find("avsnitt/aao-emoji.html").contains("url=/avsnitt/nytt-namn"));
    assert!(find("personer/asa-oberg.html").contains("Åsa Öberg"));
    assert!(find("teman/demokrati.html").contains("Demokrati &amp; dialog"));
    assert!(find("sok.html").contains("id=\"search-form\""));
    assert!(find("404.html").contains("Sidan finns inte"));
    find(&format!("assets/{}", podcatalog::web::assets::CSS.hashed));
    assert!(
        !files.iter().any(|(p, _)| p.contains("framtiden")),
        "scheduled episodes are not built"
    );
}

#[tokio::test]
async fn the_shipped_site_searches_transcripts_and_follows_edits_to_them() {
    let project = crate::common::Project::initialised();
    let config =
        podcatalog::config::Config::load(&project.path("feed-config.toml")).expect("config");
    let conn = catalog::open(&config.server.database).expect("open");
    let app = web::app(AppState::new(config, conn).expect("state"));
    // Only the stand-in transcripts say this word; diacritics optional.
    let v = api(&app, "q=ersattningsinspeln").await;
    assert_eq!(v["total"], 9, "{v}");
    for hit in v["hits"].as_array().expect("hits") {
        let html = hit["snippet_html"].as_str().expect("snippet");
        assert!(
            html.contains("<mark>ersättningsinspelning</mark>"),
            "{html}"
        );
    }
    // Episodes without people (a NULL people column) still get snippets.
    assert!(api(&app, "q=kvinnofrid").await["total"].as_u64() >= Some(1));
    let (_, _, html) = get(&app, "/avsnitt/86-kvinnofrid").await;
    assert!(html.contains("<span>Det här är en kort ersättningsinspelning.</span>"));
    // A changed transcript file is indexed again on the next import.
    std::fs::write(
        project.path("media/86-kvinnofrid.vtt"),
        "WEBVTT\n\n00:00.000 --> 00:01.000\nFörändrad text om kvinnofrid\n",
    )
    .expect("write vtt");
    let r = project.run(&["import"]);
    assert!(r.ok, "{}", r.stderr);
    tokio::time::sleep(web::POLL_INTERVAL * 2).await;
    assert_eq!(api(&app, "q=forandrad").await["total"], 1);
    assert_eq!(api(&app, "q=ersattningsinspeln").await["total"], 8);
}
