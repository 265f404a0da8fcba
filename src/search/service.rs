//! [`Search`], the component the web layer asks for pages: it owns the
//! read-only connections, the three caches and the warm-up, and chooses
//! how each page is found (see [`Search::page`]).

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::Connection;

use super::answers::Answers;
use super::rankings::Rankings;
use super::readers::Readers;
use super::terms::{self, Terms};
use super::{
    Error, Generation, Page, Query, Ranked, TermScores, additive_terms, common_terms, rank, sql,
    term_scores,
};
use crate::catalog::CatalogError;

/// Search over one catalogue file; shared by all requests (in an [`Arc`]).
pub struct Search {
    readers: Readers,
    answers: Answers,
    rankings: Rankings,
    terms: Terms,
}

impl Search {
    /// Search over the catalogue at `db`, opened read-only on first use.
    pub fn new(db: PathBuf) -> Arc<Search> {
        Arc::new(Search {
            readers: Readers::new(db),
            answers: Answers::default(),
            rankings: Rankings::default(),
            terms: Terms::default(),
        })
    }

    /// The page `query` asks for in the catalogue `generation`: the page
    /// kept for it, or one cut from the ranking kept for it, or from a new
    /// ranking (ranked once, however many ask at the same time). At the
    /// first search of a generation, starts scoring its common words in
    /// the background.
    pub async fn page(
        self: &Arc<Self>,
        generation: Generation,
        query: &Query,
    ) -> Result<Arc<Page>, Error> {
        self.warm_up(generation, query);
        if let Some(found) = self.answers.get(generation, query) {
            return Ok(found);
        }
        let found = Arc::new(self.rank_and_cut(generation, query).await?);
        self.answers.put(generation, query, Arc::clone(&found));
        Ok(found)
    }

    /// The page `q` asks for, cut from its kept ranking, or from a new one
    /// ranked for it (once, however many ask at the same time). The request
    /// that ranks also cuts its page in the same trip to a reader thread: a
    /// trip costs two thread wake-ups, a tenth of a broad search's CPU.
    async fn rank_and_cut(
        self: &Arc<Self>,
        generation: Generation,
        query: &Query,
    ) -> Result<Page, Error> {
        let cut_here = Arc::new(Mutex::new(None));
        let ranked = self
            .rankings
            .get_or_rank(generation, query, || {
                let s = Arc::clone(self);
                let cut = Arc::clone(&cut_here);
                self.on_reader(query.clone(), move |conn, q| {
                    let ranked = s.rank(generation, conn, &q)?;
                    let page = sql::page(conn, &ranked, &q)?;
                    *cut.lock().unwrap_or_else(PoisonError::into_inner) = Some(page);
                    Ok(ranked)
                })
            })
            .await?;
        let cut = cut_here
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(page) = cut {
            return Ok(page);
        }
        let s = Arc::clone(self);
        self.on_reader(query.clone(), move |conn, q| {
            if ranked.covers(&q) {
                sql::page(conn, &ranked, &q)
            } else {
                // Not expected (the key tells head-only rankings from whole
                // ones), but a page must never come out short.
                sql::page(conn, &s.rank(generation, conn, &q)?, &q)
            }
        })
        .await
    }

    /// Ranks `q`: by adding its words' kept scores when that is its bm25
    /// ranking ([`additive_terms`], see [`terms`]), only the head when
    /// `q`'s page lies in it, else whole.
    fn rank(
        &self,
        generation: Generation,
        conn: &Connection,
        q: &Query,
    ) -> Result<Ranked, CatalogError> {
        let Some(words) = additive_terms(q) else {
            return sql::rank(conn, q);
        };
        let lists = words
            .iter()
            .map(|w| self.terms.get_or(generation, w, || term_scores(conn, w, q)))
            .collect::<Result<Vec<_>, _>>()?;
        let refs: Vec<&TermScores> = lists.iter().map(|l| &**l).collect();
        Ok(rank::summed(q, &refs))
    }

    /// At the first search of a generation, scores its most common words in
    /// the background (see [`terms`]).
    fn warm_up(self: &Arc<Self>, generation: Generation, query: &Query) {
        if !self.terms.start_warming(generation) {
            return;
        }
        let s = Arc::clone(self);
        let q = Query {
            published_until: query.published_until,
            ..Query::default()
        };
        tokio::spawn(async move {
            let s2 = Arc::clone(&s);
            let warmed = s
                .on_reader(q, move |conn, q| {
                    let words = common_terms(conn, terms::WARM_MIN_EPISODES, terms::WARM_WORDS)?;
                    for w in &words {
                        s2.terms
                            .get_or(generation, w, || term_scores(conn, w, &q))?;
                    }
                    Ok(words.len())
                })
                .await;
            s.terms.done_warming();
            match warmed {
                Ok(n) => tracing::debug!(words = n, "search words scored ahead"),
                Err(e) => tracing::warn!(error = %e, "cannot score common search words ahead"),
            }
        });
    }

    /// Runs `f` on one of the read-only connections, off the async threads.
    async fn on_reader<T: Send + 'static>(
        self: &Arc<Self>,
        q: Query,
        f: impl FnOnce(&Connection, Query) -> Result<T, CatalogError> + Send + 'static,
    ) -> Result<T, Error> {
        let s = Arc::clone(self);
        tokio::task::spawn_blocking(move || s.readers.with(|conn| Ok(f(conn, q)?))).await?
    }
}
