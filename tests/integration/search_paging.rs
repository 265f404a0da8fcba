//! Search pages cut from a ranking the server keeps per catalogue revision:
//! the same hits as the catalogue gives uncached, whatever the page or the
//! case of the words, and a new ranking once the catalogue changes.

use podcatalog::web::{self, AppState};
use podcatalog::{catalog, search};

use crate::common::api;
use crate::fixture::{self, Project};

/// Episodes added to the fixture: seven pages of 20, past the hundred
/// best matches a ranking of several words orders up front.
const ADDED: u32 = 125;

/// The fixture plus [`ADDED`] episodes saying "samtal" once to thrice.
fn project() -> Project {
    let project = fixture::project();
    let template = fixture::episodes(&project).remove(0);
    let mut conn = project.connect();
    let tx = conn.transaction().expect("tx");
    for i in 0..ADDED {
        let mut e = template.clone();
        e.number = Some(100 + i);
        e.slug = format!("samtal-{i}");
        e.title = format!("{}nummer {i}", "Samtal ".repeat(1 + i as usize % 3));
        e.transcript = None;
        e.chapters = None;
        let guid = format!("00000000-0000-4000-8000-{:012}", 100 + i);
        catalog::episodes::save(&tx, &guid, &e, "2024-01-01T00:00:00Z").expect("save");
    }
    tx.commit().expect("commit");
    project
}

fn slugs(v: &serde_json::Value) -> Vec<String> {
    v["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["slug"].as_str().expect("slug").to_string())
        .collect()
}

/// What the catalogue itself answers for page `page` (0-based) of `text`.
fn uncached(project: &Project, text: &str, page: u32) -> (u64, Vec<String>) {
    let q = search::Query {
        text: text.into(),
        page,
        per_page: web::pages::search::PER_PAGE,
        published_until: Some(chrono::Utc::now().timestamp()),
        ..search::Query::default()
    };
    let found = search::search(&project.connect(), &q).expect("search");
    (
        found.total,
        found.hits.into_iter().map(|h| h.slug).collect(),
    )
}

#[tokio::test]
async fn pages_of_a_kept_ranking_are_the_catalogues_pages_in_any_case_and_order() {
    let project = project();
    let app = web::app(AppState::new(project.config.clone(), project.connect()).expect("state"));
    let total = u64::from(ADDED) + 1; // and the fixture's "Bonus: ett extra samtal"
    // Pages asked out of order and in other cases all come from one ranking.
    for (text, page, shown) in [
        ("samtal", 2, 20),
        ("SAMTAL", 1, 20),
        ("Samtal", 7, 6),
        ("samtal", 8, 0),
    ] {
        let v = api(&app, &format!("q={text}&page={page}")).await;
        let (expected_total, expected) = uncached(&project, "samtal", page - 1);
        assert_eq!(v["total"], total, "{text} page {page}");
        assert_eq!(expected_total, total);
        assert_eq!(slugs(&v), expected, "{text} page {page}");
        assert_eq!(slugs(&v).len(), shown);
    }
    // Several words are ranked from each word's kept scores: the same
    // pages as the catalogue's whole-query ranking, whichever words were
    // seen before and in whatever combination, on the first pages (from
    // the best hundred) and past them (from a whole ranking).
    for text in [
        "samtal nummer",
        "nummer samtal",
        "samt num 1",
        "samtal samtal nummer",
    ] {
        for page in [1, 2, 5, 6, 7, 3] {
            let q = text.replace(' ', "+");
            let v = api(&app, &format!("q={q}&page={page}")).await;
            let (expected_total, expected) = uncached(&project, text, page - 1);
            assert_eq!(v["total"], expected_total, "{text} page {page}");
            assert_eq!(slugs(&v), expected, "{text} page {page}");
        }
    }
    // Snippets are cut for each request's own words.
    let v = api(&app, "q=SAMT&page=2").await;
    let html = v["hits"][0]["snippet_html"].as_str().expect("snippet");
    assert!(html.contains("<mark>Samtal</mark>"), "{html}");
}

#[tokio::test]
async fn an_edit_gives_a_new_ranking_with_the_new_episode_first() {
    let project = project();
    let app = web::app(AppState::new(project.config.clone(), project.connect()).expect("state"));
    let before = api(&app, "q=samtal&page=3").await;
    assert_eq!(before["total"], u64::from(ADDED) + 1);
    let first = slugs(&api(&app, "q=samtal").await);
    // A new episode that says the word most often, so it ranks first.
    let mut e = fixture::episodes(&project).remove(0);
    e.number = Some(900);
    e.slug = "nytt-samtal".into();
    e.title = "Samtal samtal samtal samtal".into();
    let mut conn = project.connect();
    let tx = conn.transaction().expect("tx");
    catalog::episodes::save(
        &tx,
        "00000000-0000-4000-8000-000000000900",
        &e,
        "2024-01-01T00:00:00Z",
    )
    .expect("save");
    tx.commit().expect("commit");
    tokio::time::sleep(web::POLL_INTERVAL * 2).await;
    let after = api(&app, "q=samtal&page=3").await;
    assert_eq!(
        after["total"],
        u64::from(ADDED) + 2,
        "page 3 is cut from a new ranking"
    );
    let now_first = slugs(&api(&app, "q=samtal").await);
    assert_eq!(now_first[0], "nytt-samtal");
    assert_eq!(now_first[1..], first[..19], "the rest move down one");
    // And a removed episode leaves every page.
    let tx = conn.transaction().expect("tx");
    let id = catalog::episodes::find(&tx, "nytt-samtal")
        .expect("find")
        .id;
    catalog::episodes::delete(&tx, id).expect("delete");
    tx.commit().expect("commit");
    tokio::time::sleep(web::POLL_INTERVAL * 2).await;
    assert_eq!(slugs(&api(&app, "q=samtal").await), first);
}
