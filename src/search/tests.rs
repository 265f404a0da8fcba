//! Search's behaviour against a real catalogue: matching, filters,
//! snippets, and rankings exactly as FTS5's bm25 `ORDER BY` gives them.

use crate::catalog::{Audio, AudioSource};

/// A one-byte MP3 named `n.mp3`: search never looks at the audio.
fn stub_audio(n: u32) -> Audio {
    Audio {
        source: AudioSource::File(format!("{n}.mp3")),
        bytes: 1,
        mime: "audio/mpeg".into(),
        duration_ms: 1,
        sha256: None,
    }
}

mod search {
    use super::super::{MATCH_START, Query, search};
    use super::stub_audio;
    use crate::catalog::episodes;
    use crate::catalog::*;

    fn catalogue() -> (tempfile::TempDir, rusqlite::Connection) {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut conn = open(&dir.path().join("c.db")).expect("open");
        let theme = |slug: &str, name: &str| crate::config::Theme {
            slug: slug.into(),
            name: name.into(),
            description: String::new(),
        };
        let tx = conn.transaction().expect("tx");
        themes::sync(
            &tx,
            &[
                theme("medborgarbudget", "Medborgarbudget"),
                theme("ledarskap", "Politiskt ledarskap"),
            ],
        )
        .expect("themes");
        let episode = |n: u32, title: &str, person: &str, aff: &str, theme: &str| EpisodeData {
            number: Some(n),
            season: None,
            episode_type: EpisodeType::Full,
            title: title.into(),
            slug: format!("{n}"),
            summary: None,
            description: format!("Samtal om {title} i Örebro län."),
            published_at: parse_published(&format!("2022-01-{n:02}")).expect("date"),
            date_approximate: false,
            explicit: false,
            audio: stub_audio(n),
            image: None,
            transcript: None,
            chapters: None,
            credits: vec![Credit {
                name: person.into(),
                slug: String::new(),
                role: Role::host(),
                affiliation: Some(aff.into()),
            }],
            themes: vec![theme.into()],
        };
        let eps = [
            episode(
                1,
                "Medborgarbudget på landsbygden",
                "Nils Munthe",
                "SKR",
                "medborgarbudget",
            ),
            episode(
                2,
                "Ledarprogram för kvinnor",
                "Anna Hed",
                "Kommunstyrelsens ordförande, Mora kommun",
                "ledarskap",
            ),
            episode(3, "Budget och ledarskap", "Nils Munthe", "SKR", "ledarskap"),
        ];
        for (i, e) in eps.iter().enumerate() {
            episodes::save(&tx, &format!("g{i}"), e, "2022-01-01T00:00:00Z").expect("save");
        }
        tx.commit().expect("commit");
        (dir, conn)
    }

    fn titles(
        conn: &rusqlite::Connection,
        text: &str,
        person: Option<&str>,
        theme: Option<&str>,
    ) -> Vec<String> {
        let q = Query {
            text: text.into(),
            person: person.map(String::from),
            theme: theme.map(String::from),
            page: 0,
            per_page: 10,
            published_until: None,
        };
        search(conn, &q)
            .expect("search")
            .hits
            .into_iter()
            .map(|h| h.title)
            .collect()
    }

    #[test]
    fn finds_without_case_or_diacritics_and_by_prefix() {
        let (_d, conn) = catalogue();
        assert_eq!(titles(&conn, "orebro", None, None).len(), 3);
        assert_eq!(titles(&conn, "munthe", None, None).len(), 2);
        assert_eq!(titles(&conn, "munt", None, None).len(), 2);
        let one_letter = titles(&conn, "M", None, None);
        for t in titles(&conn, "munt", None, None) {
            assert!(one_letter.contains(&t), "one letter is a prefix too: {t}");
        }
        assert_eq!(
            titles(&conn, "mora", None, None),
            vec!["Ledarprogram för kvinnor"]
        );
        assert_eq!(
            titles(&conn, "politiskt", None, None).len(),
            2,
            "theme names are searchable"
        );
    }

    #[test]
    fn filters_combine_with_text() {
        let (_d, conn) = catalogue();
        assert_eq!(
            titles(&conn, "", Some("nils-munthe"), Some("ledarskap")),
            vec!["Budget och ledarskap"]
        );
        assert_eq!(titles(&conn, "skr", Some("nils-munthe"), None).len(), 2);
        assert!(titles(&conn, "skr", Some("anna-hed"), None).is_empty());
        assert_eq!(
            titles(&conn, "budget", None, None),
            vec!["Budget och ledarskap"],
            "prefix, not infix"
        );
    }

    #[test]
    fn title_matches_rank_first_and_snippets_mark_matches() {
        let (_d, conn) = catalogue();
        let q = Query {
            text: "landsbygden".into(),
            per_page: 10,
            ..Query::default()
        };
        let page = search(&conn, &q).expect("search");
        assert_eq!(page.total, 1);
        assert!(
            page.hits[0].snippet.contains(MATCH_START),
            "{:?}",
            page.hits[0].snippet
        );
    }

    #[test]
    fn hostile_queries_answer_without_error() {
        let (_d, conn) = catalogue();
        for text in [
            "\"",
            "*",
            "AND (",
            "\"unbalanced",
            "NEAR(a b",
            "-",
            &"x".repeat(10_000),
        ] {
            let q = Query {
                text: text.into(),
                per_page: 10,
                ..Query::default()
            };
            assert!(search(&conn, &q).is_ok(), "{text:?}");
        }
    }
}

/// Ranking every match once and cutting pages from it in Rust must give
/// what SQL's `ORDER BY bm25(…), rowid DESC LIMIT … OFFSET …` gave.
mod ranking {
    use super::super::{Query, rank, search};
    use super::stub_audio;
    use crate::catalog::episodes;
    use crate::catalog::*;
    use crate::search;

    /// `n` episodes whose titles say "samtal" 0–3 times, so scores differ
    /// and (same length, same count) tie; two themes, two hosts.
    fn catalogue(n: u32) -> (tempfile::TempDir, rusqlite::Connection) {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut conn = open(&dir.path().join("c.db")).expect("open");
        let theme = |slug: &str| crate::config::Theme {
            slug: slug.into(),
            name: slug.into(),
            description: String::new(),
        };
        let tx = conn.transaction().expect("tx");
        themes::sync(&tx, &[theme("udda"), theme("jamna")]).expect("themes");
        for i in 1..=n {
            let published = chrono::NaiveDate::from_ymd_opt(2022, 1, 1).expect("date")
                + chrono::Duration::days(i.into());
            let data = EpisodeData {
                number: Some(i),
                season: None,
                episode_type: EpisodeType::Full,
                title: format!("{}Avsnitt {i}", "Samtal ".repeat(i as usize % 4)),
                slug: format!("a{i}"),
                summary: None,
                description: format!("Om samråd och samtal i kommun {}.", i % 3),
                published_at: parse_published(&published.format("%Y-%m-%d").to_string())
                    .expect("published"),
                date_approximate: false,
                explicit: false,
                audio: stub_audio(i),
                image: None,
                transcript: None,
                chapters: None,
                credits: vec![Credit {
                    name: if i % 5 == 0 {
                        "Anna Hed"
                    } else {
                        "Nils Munthe"
                    }
                    .into(),
                    slug: String::new(),
                    role: Role::host(),
                    affiliation: None,
                }],
                themes: vec![if i % 2 == 0 { "jamna" } else { "udda" }.into()],
            };
            episodes::save(&tx, &format!("g{i}"), &data, "2022-01-01T00:00:00Z").expect("save");
        }
        tx.commit().expect("commit");
        (dir, conn)
    }

    fn query(text: &str, theme: Option<&str>, page: u32, per_page: u32) -> Query {
        Query {
            text: text.into(),
            theme: theme.map(String::from),
            page,
            per_page,
            ..Query::default()
        }
    }

    /// The ids and scores SQL's own ORDER BY gives.
    fn sql_order(conn: &rusqlite::Connection, text: &str) -> Vec<(i64, f64)> {
        let expr = super::super::fts_expression(text).expect("words");
        let mut stmt = conn
            .prepare(
                "SELECT s.rowid, bm25(episode_search, 10.0, 5.0, 3.0, 1.0, 0.5) FROM episode_search s
                 WHERE episode_search MATCH ?1
                 ORDER BY bm25(episode_search, 10.0, 5.0, 3.0, 1.0, 0.5), s.rowid DESC",
            )
            .expect("prepare");
        stmt.query_map([expr], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    }

    #[test]
    fn pages_cut_from_one_ranking_follow_sqls_bm25_order_with_ties_to_the_newer() {
        let (_d, conn) = catalogue(45);
        for text in ["samtal", "SAM", "samtal kommun", "avsnitt"] {
            let expected = sql_order(&conn, text);
            let ties = expected.windows(2).filter(|w| w[0].1 == w[1].1).count();
            assert!(ties > 5, "{text}: the fixture must tie scores ({ties})");
            let ids: Vec<i64> = expected.iter().map(|(id, _)| *id).collect();
            assert_eq!(
                rank(&conn, &query(text, None, 0, 20)).expect("rank").ids(),
                ids,
                "{text}"
            );
            let mut paged = Vec::new();
            for page in 0.. {
                let found = search(&conn, &query(text, None, page, 7)).expect("search");
                assert_eq!(found.total, ids.len() as u64, "{text}");
                if found.hits.is_empty() {
                    break;
                }
                paged.extend(found.hits.iter().map(|h| h.id));
            }
            assert_eq!(paged, ids, "{text}: pages of 7");
        }
    }

    /// A query of one or several words ranked by adding each word's own
    /// scores is exactly FTS5's ranking of the whole query (order, ties,
    /// and the set matching all words), repeats and prefixes included.
    #[test]
    fn summed_term_scores_rank_as_fts5_ranks_the_whole_query() {
        let (_d, conn) = catalogue(60);
        let texts = [
            "samtal",
            "Kommun",
            "samtal avsnitt",
            "samtal kommun",
            "om samtal",
            "samtal samtal",
            "sam av",
            "kommun 1 samtal",
            "Samråd samtal kommun 2",
            "avsnitt om i samtal",
            "zzz samtal",
            // A rare word first: the common ones are sought far ahead.
            "1 samtal avsnitt",
        ];
        let mut compared = 0;
        for text in texts {
            let q = query(text, None, 0, 20);
            let terms = search::additive_terms(&q).expect("several plain words");
            let lists: Vec<search::TermScores> = terms
                .iter()
                .map(|t| search::term_scores(&conn, t, &q).expect("term"))
                .collect();
            let refs: Vec<&search::TermScores> = lists.iter().collect();
            let summed = search::combine(&refs);
            let whole = rank(&conn, &q).expect("rank");
            assert_eq!(summed.ids(), whole.ids(), "{text}");
            for head in [1, 3, 10, 100] {
                let best = search::combine_head(&refs, head);
                let n = head.min(whole.ids().len());
                assert_eq!(best.total(), whole.total(), "{text}: all counted");
                assert_eq!(best.ids(), whole.ids()[..n], "{text}: best {head}");
            }
            compared += whole.ids().len();
        }
        assert!(compared > 100, "the texts must match episodes ({compared})");
        let filtered = query("samtal avsnitt", Some("udda"), 0, 20);
        assert!(
            search::additive_terms(&filtered).is_none(),
            "filters rank whole"
        );
        assert!(search::additive_terms(&query("\" * (", None, 0, 20)).is_none());
        assert!(search::additive_terms(&query("samtal 🎙", None, 0, 20)).is_none());
    }

    /// The words worth scoring ahead come from FTS5's vocabulary, most
    /// common first, also on a read-only connection (the search readers).
    #[test]
    fn common_terms_are_the_words_in_the_most_episodes() {
        let (d, _conn) = catalogue(60);
        let ro = rusqlite::Connection::open_with_flags(
            d.path().join("c.db"),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .expect("read-only");
        let all = search::common_terms(&ro, 60, 100).expect("terms");
        // Every description says "Om samråd och samtal i kommun N.", every
        // title "Avsnitt N".
        for w in ["\"avsnitt\"*", "\"samtal\"*", "\"kommun\"*", "\"om\"*"] {
            assert!(all.contains(&w.to_string()), "{w} in {all:?}");
        }
        assert!(
            !all.iter().any(|w| w == "\"1\"*"),
            "in fewer than 60: {all:?}"
        );
        assert_eq!(search::common_terms(&ro, 1, 3).expect("terms").len(), 3);
    }

    #[test]
    fn filters_alone_rank_newest_first_and_combine_with_text() {
        let (_d, conn) = catalogue(30);
        let odd = rank(&conn, &query("", Some("udda"), 0, 20)).expect("rank");
        let expected: Vec<i64> = (1..=30).rev().filter(|i| i % 2 == 1).collect();
        assert_eq!(odd.ids(), expected);
        let text = rank(&conn, &query("samtal", Some("udda"), 0, 20)).expect("rank");
        let all = rank(&conn, &query("samtal", None, 0, 20)).expect("rank");
        let filtered: Vec<i64> = all.ids().iter().copied().filter(|i| i % 2 == 1).collect();
        assert_eq!(text.ids(), filtered, "a filter keeps the text's order");
    }

    #[test]
    fn a_page_past_the_end_is_empty_and_an_episode_removed_since_the_ranking_is_left_out() {
        let (_d, mut conn) = catalogue(12);
        let q = query("samtal", None, 0, 5);
        let ranked = rank(&conn, &q).expect("rank");
        let past = search::page(&conn, &ranked, &query("samtal", None, 1000, 5)).expect("page");
        assert!(past.hits.is_empty());
        assert_eq!(past.total, ranked.total());
        let gone = ranked.ids()[1];
        let tx = conn.transaction().expect("tx");
        episodes::delete(&tx, gone).expect("delete");
        tx.commit().expect("commit");
        let page = search::page(&conn, &ranked, &q).expect("page of a stale ranking");
        let shown: Vec<i64> = page.hits.iter().map(|h| h.id).collect();
        let expected: Vec<i64> = ranked.ids()[..5]
            .iter()
            .copied()
            .filter(|&i| i != gone)
            .collect();
        assert_eq!(shown, expected);
    }
}

mod properties {
    use super::super::{Query, fts_expression, search};
    use proptest::prelude::*;
    use rusqlite::Connection;

    thread_local! {
        /// The real schema in memory, with one episode whose searchable
        /// body each case replaces, and a scratch FTS5 table with the
        /// same tokenizer to count the words FTS5 sees in a text.
        static DB: Connection = {
            let mut conn = Connection::open_in_memory().expect("memory db");
            crate::catalog::migrate(&mut conn).expect("migrations");
            conn.execute_batch(
                "INSERT INTO episode (id, guid, episode_type, title, slug, published_at,
                     published_utc, audio_file, audio_bytes, audio_mime, audio_duration_ms,
                     created_at, updated_at)
                 VALUES (1, 'g', 'full', 't', 's', '2022-01-01T06:00:00+01:00', 0,
                     'a.mp3', 1, 'audio/mpeg', 1, '', '');
                 CREATE VIRTUAL TABLE scratch USING fts5(x, tokenize = 'unicode61 remove_diacritics 2');
                 CREATE VIRTUAL TABLE scratch_words USING fts5vocab(scratch, 'instance');",
            )
            .expect("fixture");
            conn
        };
    }

    /// Indexes `body` as the episode's notes.
    fn index(conn: &Connection, body: &str) {
        conn.execute("DELETE FROM episode_search", [])
            .expect("delete");
        conn.execute(
            "INSERT INTO episode_search (rowid, title, people, themes, body, transcript)
             VALUES (1, '', '', '', ?1, '')",
            [body],
        )
        .expect("index");
    }

    /// How many words FTS5's tokenizer finds in `text`.
    fn words(conn: &Connection, text: &str) -> i64 {
        conn.execute("DELETE FROM scratch", []).expect("delete");
        conn.execute("INSERT INTO scratch (x) VALUES (?1)", [text])
            .expect("insert");
        conn.query_row("SELECT count(*) FROM scratch_words", [], |r| r.get(0))
            .expect("count")
    }

    /// Searches, failing the case on any SQL or FTS5 error.
    fn found(conn: &Connection, text: &str) -> Result<bool, TestCaseError> {
        let q = Query {
            text: text.into(),
            per_page: 10,
            ..Query::default()
        };
        let page = search(conn, &q).map_err(|e| {
            TestCaseError::fail(format!("{text:?} -> {:?}: {e}", fts_expression(text)))
        })?;
        Ok(page.hits.iter().any(|h| h.id == 1))
    }

    /// Text a user (or a bot) types: FTS5 operators and syntax, column
    /// filters, quotes, private-use and combining characters, words.
    fn hostile() -> impl Strategy<Value = String> {
        let pieces: Vec<&'static str> = vec![
            "\"",
            "'",
            "*",
            "^",
            "-",
            "+",
            ":",
            "(",
            ")",
            "{",
            "}",
            ",",
            ".",
            "_",
            "\0",
            " ",
            "AND",
            "OR",
            "NOT",
            "NEAR",
            "NEAR(",
            "NEAR/3",
            "title:",
            "people:",
            "{title body}:",
            "-title:",
            "\"\"",
            "munt",
            "Örebro",
            "Munthe",
            "\u{E000}",
            "a\u{E000}b",
            "\u{903}",
            "e\u{301}",
            "x_y",
            "1.5",
            "🎙",
            "ß",
            "İ",
            "ǅ",
            "١٢",
        ];
        prop_oneof![
            4 => proptest::collection::vec(proptest::sample::select(pieces), 0..12)
                .prop_map(|v| v.concat()),
            4 => any::<String>(),
            // 10 kB and more, cheaply: a short hostile run repeated.
            1 => "[a-zA-Z0-9\"*():^ -]{1,40}".prop_map(|s| s.repeat(10_000 / s.len() + 1)),
        ]
    }

    #[test]
    fn a_nul_in_the_query_is_not_an_fts5_syntax_error() {
        DB.with(|conn| {
            index(conn, "and");
            assert!(found(conn, "\0AND").expect("query runs"));
        });
    }

    #[test]
    fn a_symbol_fts5_counts_as_a_word_finds_its_episode() {
        // `🎙` is no letter to Rust but a token to unicode61; dropping it
        // left `"ः"*`, a mark FTS5 indexes as nothing, which found nothing.
        DB.with(|conn| {
            index(conn, "🎙\0ः");
            assert!(found(conn, "🎙\0ः").expect("query runs"));
            assert!(found(conn, "🎙").expect("query runs"));
        });
    }

    #[test]
    fn words_glued_by_a_private_use_character_find_their_episode() {
        // unicode61 counts U+E000 as a letter, Rust does not: the query
        // was cut into `"a"* "b"*` while the index holds one word `a\u{E000}b`.
        DB.with(|conn| {
            index(conn, "x a\u{E000}b y");
            assert!(found(conn, "a\u{E000}b").expect("query runs"));
        });
    }

    proptest! {
        #[test]
        fn any_text_is_a_query_sqlite_accepts_and_finds_its_own_words(text in hostile()) {
            DB.with(|conn| {
                index(conn, &text);
                let whole = found(conn, &text)?;
                // Missing is right only when FTS5 sees no word in it either.
                if !whole {
                    prop_assert_eq!(words(conn, &text), 0, "{:?} as {:?} does not find itself", text, fts_expression(&text));
                }
                // Word by word only for short texts: long ones repeat theirs.
                let words_to_try = if text.len() > 1000 { 0 } else { 12 };
                for word in text.split_whitespace().take(words_to_try) {
                    if !found(conn, word)? && word.chars().count() <= 40 {
                        prop_assert_eq!(words(conn, word), 0, "{:?} in {:?} ({:?}) not found", word, text, fts_expression(word));
                    }
                }
                Ok(())
            })?;
        }
    }
}
