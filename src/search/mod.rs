//! Search: episodes by free text (titles, notes, people and their titles,
//! themes, transcripts) through SQLite FTS5, combined with person and theme
//! filters. Ranking is FTS5's bm25 with the title weighted highest.
//!
//! Files by concern: [`query`] cleans user text into an FTS5 expression,
//! [`rank`] holds the ranking types and their arithmetic, [`scores`] one
//! word's scores and the walk that adds several up, [`sql`] every
//! statement that reads the index, [`snippet`] the context shown per hit.
//!
//! Dependencies point one way: `search` uses `catalog` (its schema, errors
//! and connections); `catalog` never uses `search`. The index is written
//! by the catalogue's own writes, in the same transaction, through
//! [`crate::catalog::search_index`].

pub mod query;
pub mod rank;
pub mod scores;
mod snippet;
pub mod sql;
#[cfg(test)]
mod tests;

use rusqlite::Connection;
use serde::Serialize;

use crate::catalog::CatalogError;
pub use query::{Query, additive_terms, fts_expression, reaches_past_head};
pub use rank::{HEAD, Ranked, combine, combine_head};
pub use scores::TermScores;
pub use sql::{common_terms, page, rank, term_scores};

/// Marks the start of a matched word in [`Hit::snippet`]; private-use
/// characters, so the web layer can escape the text and then turn them into `<mark>`.
pub const MATCH_START: char = '\u{E000}';
/// Marks the end of a matched word in [`Hit::snippet`].
pub const MATCH_END: char = '\u{E001}';

/// One matching episode.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// Episode id.
    pub id: i64,
    /// Episode number.
    pub number: Option<u32>,
    /// Title.
    pub title: String,
    /// Slug.
    pub slug: String,
    /// Publication time, RFC 3339.
    pub published_at: String,
    /// Context around the match, matches wrapped in [`MATCH_START`]/[`MATCH_END`].
    pub snippet: String,
}

/// A page of results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page {
    /// Matches in all pages.
    pub total: u64,
    /// This page's matches, best first.
    pub hits: Vec<Hit>,
}

/// Runs a search: ranks every match ([`rank`]), then cuts the page asked for ([`page`]).
pub fn search(conn: &Connection, q: &Query) -> Result<Page, CatalogError> {
    let ranked = rank(conn, q)?;
    page(conn, &ranked, q)
}
