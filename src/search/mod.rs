//! Search: episodes by free text (titles, notes, people and their titles,
//! themes, transcripts) through SQLite FTS5, combined with person and theme
//! filters. Ranking is FTS5's bm25 with the title weighted highest.
//!
//! The web layer asks [`Search::page`] (generation, query) for a page and
//! renders it; `podcatalog build` and tests call [`search`] on a
//! connection of their own. Everything else is inside, one concern a file:
//! `query` cleans user text into an FTS5 expression, `rank` holds the
//! ranking types and their arithmetic, `scores` one word's scores and the
//! walk that adds several up, `sql` every statement that reads the index,
//! `snippet` the context shown per hit; `service` chooses how a page is
//! found, over the caches `answers`, `rankings` and `terms` and the
//! read-only connections of `readers`.
//!
//! Dependencies point one way: `search` uses `catalog` (its schema, errors
//! and connections); `catalog` never uses `search`. The index is written
//! by the catalogue's own writes, in the same transaction, through
//! [`crate::catalog::search_index`].
//!
//! # Invariants
//!
//! - **Generation.** Every cache keeps values for one [`Generation`]
//!   (catalogue revision + next scheduled release). A lookup for a newer
//!   generation empties the cache first; one for an older generation (a
//!   request that began before the catalogue moved on) is answered but
//!   neither reads nor disturbs the cache (`cache::Kept::enter`).
//! - **One cache policy** (`cache::Kept`): least recently used out first,
//!   bounded by a count and by the bytes the values hold. The caches:
//!   - `answers`: finished [`Page`]s, keyed on the FTS expression, the
//!     filters and the page (page number and size); 512 pages, 8 MB.
//!   - `rankings`: a `Ranked` list per FTS expression and filters (not
//!     the page, except whether it reaches past the head of a query ranked
//!     by summing word scores); 512 lists, 8 MB counted by
//!     `Ranked::heap_bytes`. Single flight: concurrent requests for one
//!     ranking wait for one computation; a failed one is not kept.
//!   - `terms`: one word's `TermScores` per FTS term (`"samtal"*`),
//!     16 MB counted by `TermScores::heap_bytes` plus each word's key.
//!     Warmed once per generation with the most common words, in the
//!     background, one warm-up at a time.
//! - **One lock rule** (`cache::lock`): a poisoned lock is recovered with
//!   `unwrap_or_else(PoisonError::into_inner)`, for the caches and the
//!   read-only connections alike. No lock is held while SQL or a caller's
//!   closure runs, except a reader's own connection lock.
//! - **The head.** A `Ranked` orders only its first `rank::HEAD` (100)
//!   matches when made, the rest on the first page past them;
//!   `rank::reaches_past_head` is the one test of whether a page needs
//!   more. `HEAD` appears only in `rank`.
//! - **Ranking is bm25 exactly:** summing kept word scores
//!   (`rank::combine`) gives the same doubles and the same order
//!   (ties to the newer episode) as FTS5's `ORDER BY bm25(…), rowid DESC`
//!   over the whole query; the tests in `tests.rs` pin it.

mod answers;
mod cache;
mod query;
mod rank;
mod rankings;
mod readers;
mod scores;
mod service;
mod snippet;
mod sql;
mod terms;
#[cfg(test)]
mod tests;

use rusqlite::Connection;
use serde::Serialize;

use crate::catalog::CatalogError;
pub use cache::Generation;
use query::additive_terms;
pub use query::{Query, fts_expression};
use rank::{Ranked, reaches_past_head};
#[cfg(test)]
use rank::{combine, combine_head};
use scores::TermScores;
pub use service::Search;
use sql::{common_terms, page, rank, term_scores};

/// What can go wrong in a search: every failure is the server's (user
/// text cannot make a query fail, see `query.rs`).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The index or the catalogue could not be read.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// A read-only connection could not be opened.
    #[error("cannot open the catalogue {} for searching: {source}", path.display())]
    Open {
        /// The catalogue file.
        path: std::path::PathBuf,
        /// SQLite's reason.
        source: rusqlite::Error,
    },
    /// The blocking task running the search panicked or was cancelled.
    #[error("search task: {0}")]
    Task(#[from] tokio::task::JoinError),
}

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

impl Page {
    /// Bytes it holds (its hits and their text): what keeping it costs.
    pub(crate) fn heap_bytes(&self) -> usize {
        let text = |h: &Hit| {
            h.title.capacity()
                + h.slug.capacity()
                + h.published_at.capacity()
                + h.snippet.capacity()
        };
        std::mem::size_of::<Page>()
            + self.hits.capacity() * std::mem::size_of::<Hit>()
            + self.hits.iter().map(text).sum::<usize>()
    }
}

/// Runs a search: ranks every match (`rank`), then cuts the page asked for (`page`).
pub fn search(conn: &Connection, q: &Query) -> Result<Page, CatalogError> {
    let ranked = rank(conn, q)?;
    page(conn, &ranked, q)
}
