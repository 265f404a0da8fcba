//! The SQL of search: ranking a query's matches ([`rank`], [`term_scores`]),
//! the common words ([`common_terms`]) and cutting a page's rows and
//! snippets ([`page`]). Reads only: the index is written by
//! [`crate::catalog::search_index`].

use rusqlite::{Connection, OptionalExtension, ToSql};

use super::query::{Query, fts_expression};
use super::rank::{Ranked, by_bm25};
use super::scores::TermScores;
use super::{Hit, Page};
use crate::catalog::CatalogError;

/// Ranks every match of `q`'s text and filters: with text by bm25 (ties
/// to the newer row), without it newest first.
///
/// The scores are read unordered and sorted here rather than by `ORDER BY`,
/// whose sorter (a B-tree kept to `LIMIT`+`OFFSET` rows) cost as much as
/// the scoring for a word in every episode; and the list's length is the
/// count, so there is no second pass to count.
pub fn rank(conn: &Connection, q: &Query) -> Result<Ranked, CatalogError> {
    let expr = fts_expression(&q.text);
    let plan = Plan::new(q, expr.is_some());
    let binds = Binds::new(q, expr.as_deref());
    let mut stmt = conn.prepare_cached(&plan.rank_sql())?;
    if expr.is_some() {
        let scored = stmt
            .query_map(&*binds.named(), |r| Ok((r.get::<_, i64>(0)?, r.get(1)?)))?
            .collect::<Result<Vec<(i64, f64)>, _>>()?;
        Ok(by_bm25(scored))
    } else {
        let ids = stmt
            .query_map(&*binds.named(), |r| r.get(0))?
            .collect::<Result<Vec<i64>, _>>()?;
        Ok(Ranked::from(ids))
    }
}

/// Every episode `term` (one piece of [`fts_expression`]) matches with its
/// bm25 part, under `q`'s publication limit (`q`'s text is not used).
pub fn term_scores(conn: &Connection, term: &str, q: &Query) -> Result<TermScores, CatalogError> {
    let plan = Plan::new(q, true);
    let binds = Binds::new(q, Some(term));
    let mut stmt = conn.prepare_cached(&plan.rank_sql())?;
    let scores = stmt
        .query_map(&*binds.named(), |r| Ok((r.get::<_, i64>(0)?, r.get(1)?)))?
        .collect::<Result<Vec<(i64, f64)>, _>>()?;
    Ok(TermScores::new(scores))
}

/// The words in at least `min_docs` episodes, most common first, at most
/// `max`, as [`fts_expression`] pieces (`"samtal"*`): the only words whose
/// scoring is slow (it costs per matching episode), worth scoring ahead.
/// From FTS5's own vocabulary (a temporary `fts5vocab` table, so it works
/// on a read-only connection).
pub fn common_terms(
    conn: &Connection,
    min_docs: i64,
    max: usize,
) -> Result<Vec<String>, CatalogError> {
    conn.execute_batch(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.episode_search_vocab \
         USING fts5vocab(main, episode_search, row)",
    )?;
    let mut stmt = conn.prepare_cached(
        "SELECT term FROM temp.episode_search_vocab WHERE doc >= ?1 ORDER BY doc DESC LIMIT ?2",
    )?;
    let max = i64::try_from(max).unwrap_or(i64::MAX);
    let terms = stmt
        .query_map(rusqlite::params![min_docs, max], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(terms
        .into_iter()
        .map(|t| format!("\"{}\"*", t.replace('"', "\"\"")))
        .collect())
}

/// The page `q` asks for out of `ranked`: its rows, and snippets cut for
/// `q`'s words. An episode removed since the ranking is left out rather
/// than failing the page (the next catalogue revision ranks without it).
pub fn page(conn: &Connection, ranked: &Ranked, q: &Query) -> Result<Page, CatalogError> {
    let (from, per_page) = q.rows();
    // One read transaction for the page's forty statements: alone, each
    // would lock and unlock the catalogue and its WAL index (fcntl and
    // shared-memory locks), a fifth of a broad search's CPU. A caller's
    // own transaction serves as well.
    let read = conn
        .is_autocommit()
        .then(|| conn.unchecked_transaction())
        .transpose()?;
    let mut hits = Vec::with_capacity(per_page);
    for id in ranked.slice(from, per_page) {
        if let Some(hit) = hit_row(conn, id)? {
            hits.push(hit);
        }
    }
    if fts_expression(&q.text).is_some() {
        add_snippets(conn, &q.text, &mut hits)?;
    }
    if let Some(read) = read {
        read.finish()?;
    }
    Ok(Page {
        total: ranked.total(),
        hits,
    })
}

/// The shape of the SQL for one request. Only the filters that are set
/// appear in it (rather than `(?2 IS NULL OR …)` for each), so SQLite can
/// drive a search from a filter's rows; with text, the filters test the
/// FTS rowid and never join the wide `episode` row, and ties in rank go
/// to the newer row id. Every fragment is a constant: user input is bound.
struct Plan {
    /// `FROM … WHERE …` up to the filters.
    from: &'static str,
    /// The filter terms, each starting with `AND`.
    filters: String,
    /// With text, the score matches are ranked by (see [`by_score`]).
    score: Option<&'static str>,
    /// The selected episode id.
    id: &'static str,
}

/// Without text, the order of the matches.
const NEWEST_FIRST: &str = "e.published_utc DESC, e.number DESC";

impl Plan {
    fn new(q: &Query, text: bool) -> Plan {
        let (from, score, id, test) = if text {
            (
                "episode_search s WHERE episode_search MATCH :text",
                // Title, people, themes, notes, transcript.
                Some("bm25(episode_search, 10.0, 5.0, 3.0, 1.0, 0.5)"),
                "s.rowid",
                // Unary `+`: asked for rowids, FTS5 would run the MATCH
                // once per rowid (300 ms for a theme of 200 episodes).
                "+s.rowid",
            )
        } else {
            ("episode e WHERE 1", None, "e.id", "e.id")
        };
        let mut filters = String::new();
        if q.theme.is_some() {
            filters.push_str(&format!(
                " AND {test} IN (SELECT episode_id FROM episode_theme WHERE theme_slug = :theme)"
            ));
        }
        if q.person.is_some() && q.theme.is_some() && !text {
            // Without text SQLite drives from the first IN list; a theme's
            // episodes are checked one by one for the person, since the
            // host's list would be every episode.
            filters.push_str(
                " AND EXISTS (SELECT 1 FROM appearance a JOIN person p ON p.id = a.person_id WHERE a.episode_id = e.id AND p.slug = :person)",
            );
        } else if q.person.is_some() {
            filters.push_str(&format!(
                " AND {test} IN (SELECT a.episode_id FROM appearance a JOIN person p ON p.id = a.person_id WHERE p.slug = :person)"
            ));
        }
        if q.published_until.is_some() {
            // Scheduled episodes are few: excluding them is cheaper than
            // reading every match's publication time.
            filters.push_str(&format!(
                " AND {test} NOT IN (SELECT id FROM episode WHERE published_utc > :until)"
            ));
        }
        Plan {
            from,
            filters,
            score,
            id,
        }
    }

    /// Every match's id (and with text its bm25 score, unordered); without
    /// text, ordered newest first.
    fn rank_sql(&self) -> String {
        match self.score {
            Some(score) => format!(
                "SELECT {}, {score} FROM {}{}",
                self.id, self.from, self.filters
            ),
            None => format!(
                "SELECT {} FROM {}{} ORDER BY {}",
                self.id, self.from, self.filters, NEWEST_FIRST
            ),
        }
    }
}

/// The values bound to a [`Plan`]'s parameters (only those it names).
struct Binds<'a> {
    text: Option<&'a str>,
    person: Option<&'a str>,
    theme: Option<&'a str>,
    until: Option<i64>,
}

impl<'a> Binds<'a> {
    fn new(q: &'a Query, expr: Option<&'a str>) -> Binds<'a> {
        Binds {
            text: expr,
            person: q.person.as_deref(),
            theme: q.theme.as_deref(),
            until: q.published_until,
        }
    }

    fn named(&self) -> Vec<(&'static str, &dyn ToSql)> {
        let mut out: Vec<(&'static str, &dyn ToSql)> = Vec::with_capacity(6);
        if let Some(v) = &self.text {
            out.push((":text", v));
        }
        if let Some(v) = &self.person {
            out.push((":person", v));
        }
        if let Some(v) = &self.theme {
            out.push((":theme", v));
        }
        if let Some(v) = &self.until {
            out.push((":until", v));
        }
        out
    }
}

/// One hit's row (`None` when the episode is gone); its snippet is the
/// summary until [`add_snippets`].
fn hit_row(conn: &Connection, id: i64) -> Result<Option<Hit>, CatalogError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, number, title, slug, published_at, coalesce(summary, '') FROM episode WHERE id = ?1",
    )?;
    Ok(stmt
        .query_row([id], |r| {
            Ok(Hit {
                id: r.get(0)?,
                number: r.get(1)?,
                title: r.get(2)?,
                slug: r.get(3)?,
                published_at: r.get(4)?,
                snippet: r.get(5)?,
            })
        })
        .optional()?)
}

/// Cuts each hit's snippet from its indexed text, in Rust (see [`super::snippet`]).
fn add_snippets(conn: &Connection, text: &str, hits: &mut [Hit]) -> Result<(), CatalogError> {
    let terms = super::snippet::terms(text);
    let mut row = conn.prepare_cached(
        "SELECT title, people, themes, body, transcript FROM episode_search WHERE rowid = ?1",
    )?;
    for hit in hits {
        // People, notes, transcript, themes, title: where a match says
        // most beyond the title the result already shows. NULL when empty.
        // Read in place from SQLite's row, not copied out (a transcript
        // can be long, and only a window of it is kept).
        let snippet = row
            .query_row([hit.id], |r| {
                let mut fields = [""; 5];
                for (field, column) in fields.iter_mut().zip([1, 3, 4, 2, 0]) {
                    *field = match r.get_ref(column)? {
                        rusqlite::types::ValueRef::Null => "",
                        value => value.as_str().map_err(|e| {
                            rusqlite::Error::FromSqlConversionFailure(
                                column,
                                value.data_type(),
                                Box::new(e),
                            )
                        })?,
                    };
                }
                Ok(super::snippet::snippet(&fields, &terms))
            })
            .optional()?;
        if let Some(snippet) = snippet.filter(|s| !s.is_empty()) {
            hit.snippet = snippet;
        }
    }
    Ok(())
}
